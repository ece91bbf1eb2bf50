"""The frozen executable (PyInstaller one-folder bundle) run alone on a clean environment.

The bundle is built once per session from ``build_spec/triage.spec`` (reused when
``dist/triage/triage`` is newer than the spec, the package sources and the resources)
and every run of it is scrubbed: ``env -i PATH=/usr/bin:/bin HOME=<tmp>``, no virtualenv,
no ``LD_LIBRARY_PATH``, and where a private mount namespace is available the system's
libmagic and ``magic.mgc`` are covered with ``/dev/null`` so only the bundled copies can
work. Its scan and exports must equal the same commands run from source.

Skip the whole module with ``-m "not frozen"`` or ``TRIAGE_SKIP_FROZEN=1``.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build_spec" / "triage.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build"
BUNDLE = DIST / "triage"
EXECUTABLE = BUNDLE / "triage"
IMAGES = ROOT / "tests" / "data" / "images"
BUILD_TIMEOUT = 900
RUN_TIMEOUT = 180
SCRUBBED_PATH = "PATH=/usr/bin:/bin"
SYSTEM_MAGIC_DATABASES = ("/usr/share/misc/magic.mgc", "/usr/lib/file/magic.mgc",
                          "/usr/share/file/magic.mgc", "/usr/share/file/misc/magic.mgc")

pytestmark = [
    pytest.mark.frozen,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bundle tested on Linux"),
    pytest.mark.skipif(os.environ.get("TRIAGE_SKIP_FROZEN") == "1", reason="TRIAGE_SKIP_FROZEN=1"),
]


# -- building ---------------------------------------------------------------------------
def _newest_source_mtime() -> float:
    """The latest modification time of anything that goes into the bundle."""
    roots = [ROOT / "triage", ROOT / "build_spec", ROOT / "resources"]
    times = [(ROOT / "pyproject.toml").stat().st_mtime]
    for folder in roots:
        times += [p.stat().st_mtime for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts]
    return max(times)


def _bundle_is_fresh() -> bool:
    return EXECUTABLE.is_file() and EXECUTABLE.stat().st_mtime > _newest_source_mtime()


@contextlib.contextmanager
def _bundle_lock() -> Iterator[None]:
    """Build under an exclusive lock, then share it while the bundle is in use.

    Concurrent test sessions in this working tree thus never rebuild a bundle another
    session is running.
    """
    WORK.mkdir(exist_ok=True)
    with open(WORK / ".frozen-build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if not _bundle_is_fresh():
                _build_bundle()
            fcntl.flock(handle, fcntl.LOCK_SH)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_bundle() -> None:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(DIST),
               "--workpath", str(WORK), str(SPEC)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT, check=False)
    if done.returncode != 0 or not EXECUTABLE.is_file():
        pytest.fail(f"PyInstaller failed ({done.returncode}):\n{done.stderr[-4000:]}")
    EXECUTABLE.touch()  # the newest file: later sessions see a fresh bundle


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*")}


@pytest.fixture(scope="session")
def bundle() -> Iterator[dict[str, Any]]:
    """Build (or reuse) the bundle; yield its path and a snapshot of its files."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller not installed")
    with _bundle_lock():
        yield {"executable": EXECUTABLE, "files": _snapshot(BUNDLE)}


# -- scrubbed runs ----------------------------------------------------------------------
def _system_libmagic() -> str | None:
    """The real file of the libmagic this (source) interpreter loads."""
    import magic  # noqa: F401  (loads libmagic)

    from triage.self_test import loaded_library_path

    found = loaded_library_path("libmagic")
    return os.path.realpath(found) if found else None


def _hiding_prefix(files: Sequence[str]) -> list[str]:
    """A command prefix running its command with ``files`` replaced by /dev/null."""
    mounts = " && ".join(f"mount --bind /dev/null '{f}'" for f in files)
    namespace = ["unshare", "-m", "--propagation", "private"]
    if os.geteuid() != 0:
        namespace.insert(1, "-r")
    return [*namespace, "sh", "-c", f'{mounts} && exec "$@"', "sh"]


@pytest.fixture(scope="session")
def hidden_system_magic() -> dict[str, Any]:
    """Prefix and facts of hiding the system libmagic (an empty prefix when impossible)."""
    library = _system_libmagic()
    databases = sorted({os.path.realpath(p) for p in SYSTEM_MAGIC_DATABASES if os.path.isfile(p)})
    files = ([library] if library else []) + databases
    if not files or shutil.which("unshare") is None:
        return {"prefix": [], "library": library, "hidden": False}
    prefix = _hiding_prefix(files)
    probe = [sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])", library or ""]
    try:
        works = subprocess.run([*prefix, "true"], capture_output=True, timeout=30).returncode == 0
        hidden = works and subprocess.run([*prefix, *probe], capture_output=True,
                                          timeout=30).returncode != 0
    except (OSError, subprocess.SubprocessError):
        hidden = False
    return {"prefix": prefix if hidden else [], "library": library, "hidden": hidden}


@pytest.fixture(scope="session")
def run_frozen(bundle: dict[str, Any], hidden_system_magic: dict[str, Any],
               tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Return ``run(args, extra_env=...)`` running the bundle in a scrubbed environment."""
    home = tmp_path_factory.mktemp("frozen-home")
    cwd = tmp_path_factory.mktemp("frozen-cwd")

    def run(args: Sequence[str], extra_env: Sequence[str] = ()) -> subprocess.CompletedProcess:
        command = [*hidden_system_magic["prefix"], "env", "-i", SCRUBBED_PATH, f"HOME={home}",
                   *extra_env, str(bundle["executable"]), *args]
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, check=False)

    run.home = home  # type: ignore[attr-defined]
    return run


def run_source(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run the same command from source with this interpreter."""
    return subprocess.run([sys.executable, "-m", "triage", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=RUN_TIMEOUT, check=False,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


# -- evidence ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def fat_e01(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An E01 of a two-partition MBR disk (FAT16 + FAT12) holding the project's samples.

    Partition 1 gets a GnuPG home, armored keys (one of them then deleted) and a Firefox
    profile; partition 2 gets photos with EXIF and the wallet tree.
    """
    tools = ("sfdisk", "mkfs.fat", "mcopy", "mdel", "ewfacquire")
    missing = [t for t in tools if shutil.which(t, path="/usr/sbin:/usr/bin:/sbin:/bin") is None]
    if missing:
        pytest.skip(f"cannot build the test image: {', '.join(missing)} missing")
    folder = tmp_path_factory.mktemp("fat-e01")
    raw = folder / "disk.raw"
    data = ROOT / "tests" / "data"
    first, second = 2048 * 512, 10240 * 512
    env = {**os.environ, "MTOOLS_SKIP_CHECK": "1",
           "PATH": f"/usr/sbin:/sbin:{os.environ.get('PATH', '/usr/bin:/bin')}"}

    def sh(*command: str, stdin: str | None = None) -> None:
        subprocess.run(command, input=stdin, env=env, cwd=folder, check=True,
                       capture_output=True, text=True, timeout=120)

    with open(raw, "wb") as handle:
        handle.truncate(7 * 1024 * 1024)
    sh("sfdisk", "-q", str(raw), stdin="label: dos\nstart=2048, size=8192, type=6\n"
                                       "start=10240, size=4096, type=1\n")
    sh("mkfs.fat", "-F", "16", "-s", "1", "--offset", "2048", "-n", "EVIDENCE1", str(raw), "4096")
    sh("mkfs.fat", "-F", "12", "--offset", "10240", "-n", "EVIDENCE2", str(raw), "2048")
    sh("mcopy", "-s", "-i", f"{raw}@@{first}", str(data / "pgp" / "home1"),
       str(data / "pgp" / "alice-secret.asc"), str(data / "pgp" / "order.txt.asc"),
       str(data / "tor" / "profile"), "::/")
    sh("mdel", "-i", f"{raw}@@{first}", "::/alice-secret.asc")
    sh("mcopy", "-s", "-i", f"{raw}@@{second}", str(data / "metadata" / "photos"),
       str(data / "crypto" / "tree"), "::/")
    sh("ewfacquire", "-u", "-q", "-t", str(folder / "disk"), "-c", "fast", "-f", "encase6",
       "-S", "0", "-C", "frozen", "-D", "frozen test", "-E", "1", "-e", "triage", "-N", "-",
       str(raw))
    raw.unlink()
    return folder / "disk.E01"


def _evidence_cases() -> list[Any]:
    cases = [pytest.param("two_partitions", id="two_partitions.E01"),
             pytest.param("fat", id="two_fat_partitions.E01")]
    if (IMAGES / "seized_laptop.E01").is_file():
        cases.append(pytest.param("seized_laptop", id="seized_laptop.E01"))
    return cases


def _evidence(name: str, fat_e01: Path) -> Path:
    return fat_e01 if name == "fat" else IMAGES / f"{name}.E01"


def normalised_jsonl(text: str) -> list[dict[str, Any]]:
    """The exported artefacts without case-local ids, sorted by type, path and attributes."""
    records = []
    for line in text.splitlines():
        record = json.loads(line)
        record.pop("id", None)
        record.pop("file_id", None)  # case-local too
        records.append(record)
    return sorted(records, key=lambda r: (r["type"], str(r["source"].get("path")),
                                          json.dumps(r["attributes"], sort_keys=True)))


def _scan_and_export(run: Any, evidence: Path, case: Path, extra: Sequence[str] = ()) -> dict:
    scan = run(["scan", str(evidence), "--case", str(case), "--quiet", *extra])
    assert scan.returncode == 0, scan.stdout + scan.stderr
    outputs = {}
    for fmt in ("jsonl", "bodyfile"):
        done = run(["export", str(case), "--format", fmt])
        assert done.returncode == 0, done.stderr
        outputs[fmt] = done.stdout
    return {"scan": scan.stdout, "jsonl": normalised_jsonl(outputs["jsonl"]),
            "bodyfile": sorted(outputs["bodyfile"].splitlines())}


# -- tests ------------------------------------------------------------------------------
def test_self_test_passes_with_bundled_libraries(run_frozen: Any,
                                                 hidden_system_magic: dict[str, Any]) -> None:
    done = run_frozen(["--self-test"])
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "(frozen," in lines[0]
    checks = lines[1:-1]
    assert len(checks) == 9 and all(line.startswith("ok ") for line in checks), done.stdout
    assert lines[-1] == "self-test: 9 of 9 checks passed"
    magic_line = next(line for line in checks if " libmagic " in f" {line}")
    bundle_dir = str(BUNDLE.resolve())
    library = magic_line.split("library ", 1)[1].split(";", 1)[0]
    database = magic_line.split("database ", 1)[1]
    assert library.startswith(bundle_dir), magic_line
    assert database.startswith(bundle_dir), magic_line
    if hidden_system_magic["library"]:
        assert os.path.realpath(library) != hidden_system_magic["library"]


def test_system_libmagic_was_hidden_if_possible(hidden_system_magic: dict[str, Any]) -> None:
    if not hidden_system_magic["hidden"]:
        pytest.skip("no private mount namespace here: system libmagic stays visible")
    assert hidden_system_magic["prefix"][0] == "unshare"


def test_bundle_holds_only_the_needed_qt_parts(bundle: dict[str, Any]) -> None:
    names = set(bundle["files"])
    base = "_internal/"
    assert f"{base}libmagic.so.1" in names
    assert f"{base}resources/magic/magic.mgc" in names
    assert f"{base}resources/selftest/expected.json" in names
    assert f"{base}resources/map/world-110m.json" in names
    assert any(n.endswith("imageformats/libqsvg.so") for n in names)
    assert any(n.endswith("platforms/libqoffscreen.so") for n in names)
    assert any(n.endswith("platforms/libqxcb.so") for n in names)
    unwanted = ("Qt6Pdf", "Qt6Quick", "Qt6Qml", "Qt6Network", "QtNetwork", "Qt6WebEngine",
                "libqgtk3", "/translations/")
    assert not [n for n in names if any(u in n for u in unwanted)]


@pytest.mark.parametrize("image", _evidence_cases())
def test_scan_and_export_equal_source(image: str, fat_e01: Path, run_frozen: Any,
                                      tmp_path: Path) -> None:
    evidence = _evidence(image, fat_e01)
    frozen = _scan_and_export(run_frozen, evidence, tmp_path / "frozen.triage")
    source = _scan_and_export(lambda a: run_source(a, tmp_path), evidence,
                              tmp_path / "source.triage")
    assert frozen["bodyfile"] == source["bodyfile"]
    assert frozen["jsonl"] == source["jsonl"]
    assert frozen["bodyfile"], "no files listed"
    if image == "fat":
        types = {record["type"] for record in frozen["jsonl"]}
        assert {"pgp.key", "pgp.homedir", "media.exif", "crypto.address"} <= types
        deleted_keys = [r for r in frozen["jsonl"]
                        if r["type"] == "pgp.key" and r["source"]["deleted"]]
        assert deleted_keys, "the deleted armored key was not found"


def test_parallel_scan_in_frozen_workers(fat_e01: Path, run_frozen: Any, tmp_path: Path) -> None:
    frozen = _scan_and_export(run_frozen, fat_e01, tmp_path / "frozen.triage", ["--jobs", "2"])
    source = _scan_and_export(lambda a: run_source(a, tmp_path), fat_e01,
                              tmp_path / "source.triage")
    assert frozen["jsonl"] == source["jsonl"]
    assert len(frozen["jsonl"]) > 20


def test_gui_starts_offscreen(run_frozen: Any) -> None:
    done = run_frozen(["gui"], ["QT_QPA_PLATFORM=offscreen", "TRIAGE_GUI_SMOKE_TEST=1"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_settings_go_to_the_user_folder_and_nothing_next_to_the_binary(
        bundle: dict[str, Any], run_frozen: Any) -> None:
    run_frozen(["gui"], ["QT_QPA_PLATFORM=offscreen", "TRIAGE_GUI_SMOKE_TEST=1"])
    assert (Path(run_frozen.home) / ".config" / "triage").is_dir()
    assert _snapshot(BUNDLE) == bundle["files"]
