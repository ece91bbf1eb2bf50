"""``triage --self-test``: check that every native library loads and works.

Each check runs one library on a tiny sample shipped in ``resources/selftest/`` (built by
``make_samples.sh`` there, which records the expected values from independent tools in
``expected.json``) and prints one line: ``ok`` or ``FAIL``, the component and its version,
and what was found. The exit status is 0 only when every check passes. The same versions
feed the GUI's About box through :func:`component_versions`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from triage import __version__
from triage.resources import is_frozen, resource_path

EXIT_OK = 0
EXIT_FAILED = 1

#: Official test vectors: RIPEMD-160("") and Keccak-256("") (pycryptodome), SHA-256("abc").
RIPEMD160_EMPTY = "9c1185a5c5e9fc54612808977ee8f548b2258d31"
KECCAK256_EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

#: The libyal bindings, by module name, with the format each one opens.
LIBYAL_MODULES = {"pyewf": "EWF", "pyvmdk": "VMDK", "pyvhdi": "VHD", "pyqcow": "QCOW",
                  "pyscca": "Prefetch"}


@dataclass
class CheckResult:
    """The outcome of one check: component, version, pass/fail and what was seen."""

    component: str
    version: str
    ok: bool
    detail: str

    def line(self) -> str:
        """Return the printed line, e.g. ``ok    pytsk3 20231007: read /HELLO.TXT``."""
        status = "ok  " if self.ok else "FAIL"
        return f"{status}  {self.component} {self.version}: {self.detail}"


class SelfTestError(Exception):
    """A check saw something other than what the sample's oracle says."""


# -- versions ---------------------------------------------------------------------------
def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def _libmagic_version() -> str:
    import magic

    number = magic.version()
    return f"{number // 100}.{number % 100:02d}"


def _module_version(module: str) -> str:
    """Return the version of one component by its import name (raises ImportError)."""
    if module in LIBYAL_MODULES:
        return str(__import__(module).get_version())
    getters: dict[str, Callable[[], str]] = {
        "pytsk3": lambda: f"{__import__('pytsk3').TSK_VERSION_STR}"
                          f" (pytsk3 {__import__('pytsk3').get_version()})",
        "libmagic": _libmagic_version,
        "PySide6": _qt_version,
        "exifread": lambda: str(__import__("exifread").__version__),
        "sqlite": lambda: sqlite3.sqlite_version,
        "sqlite-utils": lambda: _distribution_version("sqlite-utils"),
        "pycryptodome": lambda: str(__import__("Crypto").__version__),
        "cryptography": lambda: str(__import__("cryptography").__version__),
        "olefile": lambda: str(__import__("olefile").__version__),
        "pypdf": lambda: str(__import__("pypdf").__version__),
    }
    return getters[module]()


def component_versions() -> dict[str, str]:
    """Return ``{component: version}`` for triage, Python and every bundled library.

    A library that fails to load is reported as ``"not available (<reason>)"`` instead of
    raising, so the About box can always show the table.
    """
    versions = {"triage": __version__, "Python": platform.python_version()}
    names = ["pytsk3", *LIBYAL_MODULES, "libmagic", "PySide6", "exifread", "sqlite",
             "sqlite-utils", "pycryptodome", "cryptography", "olefile", "pypdf"]
    for name in names:
        try:
            versions[name] = _module_version(name)
        except Exception as exc:  # a missing native library must not break the table
            versions[name] = f"not available ({type(exc).__name__}: {exc})"[:200]
    return versions


# -- samples ----------------------------------------------------------------------------
def _expected() -> dict[str, Any]:
    path = resource_path("selftest", "expected.json")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _sample(name: str) -> Path:
    path = resource_path("selftest", name)
    if not path.is_file():
        raise SelfTestError(f"sample {path} missing")
    return path


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def loaded_library_path(fragment: str) -> str | None:
    """Return the file of a loaded shared library whose name contains ``fragment``.

    Read from ``/proc/self/maps`` (Linux); None elsewhere or when it is not loaded.
    """
    maps = Path("/proc/self/maps")
    if not maps.is_file():
        return None
    for line in maps.read_text(encoding="utf-8", errors="replace").splitlines():
        path = line.split(maxsplit=5)[5] if len(line.split(maxsplit=5)) == 6 else ""
        if fragment in Path(path).name:
            return path
    return None


# -- checks -----------------------------------------------------------------------------
def check_pytsk3(expected: dict[str, Any]) -> str:
    """Open the FAT12 sample with The Sleuth Kit and read its text file."""
    import pytsk3

    image = pytsk3.Img_Info(str(_sample(expected["image"])))
    filesystem = pytsk3.FS_Info(image)
    entry = filesystem.open(expected["file_path"])
    size = entry.info.meta.size
    data = entry.read_random(0, size)
    if _sha256(data) != expected["file_sha256"]:
        raise SelfTestError(f"{expected['file_path']}: content differs from the sample")
    return f"read {expected['file_path']} ({size} bytes) from a FAT12 image"


def check_pyewf(expected: dict[str, Any]) -> str:
    """Open the E01 sample with libewf and compare its media with the raw image; check
    that chunks whose checksum fails can be named through the same library."""
    import pyewf

    from triage.evidence.ewf_checksum import EwfChecksumErrors

    segments = pyewf.glob(str(_sample(expected["ewf"])))
    handle = pyewf.handle()
    handle.open(segments)
    try:
        size = handle.get_media_size()
        data = handle.read_buffer_at_offset(size, 0)
        checksums = EwfChecksumErrors(handle)
        damaged = checksums.take_new()
    finally:
        handle.close()
    if _sha256(data) != expected["image_sha256"]:
        raise SelfTestError("E01 media differs from the raw image")
    if damaged:
        raise SelfTestError(f"the E01 sample has {len(damaged)} damaged chunks")
    if not checksums.available:
        if sys.platform.startswith("linux"):
            raise SelfTestError("libewf's chunk checksum errors cannot be read")
        # Elsewhere the binding may not export libewf's functions: scans then say so.
        return (f"read {size} bytes of EWF media, equal to the raw image; damaged chunks"
                " cannot be named on this platform (verify still checks the hash)")
    return f"read {size} bytes of EWF media, equal to the raw image; chunk checks readable"


def check_libmagic(expected: dict[str, Any]) -> str:
    """Type the JPEG sample with libmagic (through the engine's FileTyper)."""
    from triage.engine.filetype import FileTyper
    from triage.engine.magic_setup import magic_file

    database = magic_file()
    mime = FileTyper(database).mime(_sample(expected["photo"]).read_bytes())
    if mime != expected["photo_mime"]:
        raise SelfTestError(f"typed the JPEG as {mime!r}")
    library = loaded_library_path("libmagic") or _magic_library_name()
    source = database or os.environ.get("MAGIC") or "built-in default"
    return f"typed the JPEG as {mime}; library {library}; database {source}"


def _magic_library_name() -> str:
    import magic

    return str(getattr(magic.libmagic, "_name", "unknown"))


def check_pgp(expected: dict[str, Any]) -> str:
    """Parse the armored public key with triage's OpenPGP parser."""
    from triage.extractors.pgp.findings import scan_armored

    keys = [f for f in scan_armored(_sample(expected["key"]).read_bytes()) if f.type == "pgp.key"]
    fingerprints = [str(f.attributes.get("fingerprint") or "").upper() for f in keys]
    if fingerprints != [expected["key_fingerprint"]]:
        raise SelfTestError(f"found keys {fingerprints}, expected {expected['key_fingerprint']}")
    return f"parsed key {expected['key_fingerprint']}"


def check_exif(expected: dict[str, Any]) -> str:
    """Read the GPS position of the JPEG sample with ExifRead."""
    from triage.extractors.metadata.exif import parse_exif

    attributes = parse_exif(_sample(expected["photo"]).read_bytes()).attributes
    latitude, longitude = attributes.get("gps_latitude"), attributes.get("gps_longitude")
    if latitude is None or longitude is None:
        raise SelfTestError("no GPS position read")
    if abs(latitude - expected["gps_latitude"]) > 1e-4 or abs(
        longitude - expected["gps_longitude"]
    ) > 1e-4:
        raise SelfTestError(f"GPS {latitude}, {longitude} differs from the sample")
    return f"GPS {latitude:.4f}, {longitude:.4f}"


def check_sqlite(_expected: dict[str, Any]) -> str:
    """Write and query an in-memory database with sqlite-utils."""
    import sqlite_utils

    database = sqlite_utils.Database(memory=True)
    database["check"].insert_all([{"id": i, "value": i * i} for i in range(10)], pk="id")
    total = database.execute("select sum(value) from [check]").fetchone()[0]
    database.close()
    if total != 285:
        raise SelfTestError(f"sum of squares {total}, expected 285")
    return "in-memory database written and queried"


def check_crypto(_expected: dict[str, Any]) -> str:
    """Hash official test vectors with pycryptodome and cryptography."""
    from Crypto.Hash import RIPEMD160, keccak
    from cryptography.hazmat.primitives import hashes

    ripemd = RIPEMD160.new(b"").hexdigest()
    keccak256 = keccak.new(digest_bits=256, data=b"").hexdigest()
    sha = hashes.Hash(hashes.SHA256())
    sha.update(b"abc")
    sha256 = sha.finalize().hex()
    if (ripemd, keccak256, sha256) != (RIPEMD160_EMPTY, KECCAK256_EMPTY, SHA256_ABC):
        raise SelfTestError("hash test vectors differ")
    return "RIPEMD-160, Keccak-256 and SHA-256 test vectors match"


def check_libyal(_expected: dict[str, Any]) -> str:
    """Load the other libyal bindings (VMDK, VHD, QCOW, Prefetch) and create a handle."""
    loaded = []
    for module_name, label in LIBYAL_MODULES.items():
        if module_name == "pyewf":
            continue
        module = __import__(module_name)
        opener = getattr(module, "file", None) or getattr(module, "handle", None)
        if opener is None:
            raise SelfTestError(f"{module_name} has no file object")
        opener()
        loaded.append(label)
    return "loaded " + ", ".join(loaded)


def _qt_version() -> str:
    from triage.ui.qt_check import qt_version

    return qt_version()


def check_qt(_expected: dict[str, Any]) -> str:
    """Create a QApplication (offscreen without a display) and render an SVG icon."""
    from triage.ui.qt_check import render_icon_check

    try:
        return render_icon_check()
    except RuntimeError as error:
        raise SelfTestError(str(error)) from None


#: (component shown in the line, its keys in component_versions(), check).
CHECKS: tuple[tuple[str, tuple[str, ...], Callable[[dict[str, Any]], str]], ...] = (
    ("sleuthkit", ("pytsk3",), check_pytsk3),
    ("libewf", ("pyewf",), check_pyewf),
    ("libyal", ("pyvmdk", "pyvhdi", "pyqcow", "pyscca"), check_libyal),
    ("libmagic", ("libmagic",), check_libmagic),
    ("openpgp", ("triage",), check_pgp),
    ("exifread", ("exifread",), check_exif),
    ("sqlite", ("sqlite", "sqlite-utils"), check_sqlite),
    ("crypto", ("pycryptodome", "cryptography"), check_crypto),
    ("qt", ("PySide6",), check_qt),
)


def _version_text(versions: dict[str, str], keys: tuple[str, ...]) -> str:
    if len(keys) == 1:
        return versions.get(keys[0], "")
    return "(" + ", ".join(f"{key} {versions.get(key, '')}" for key in keys) + ")"


def run_checks() -> list[CheckResult]:
    """Run every check and return the results (a failing check never stops the others)."""
    versions = component_versions()
    try:
        expected = _expected()
    except (OSError, ValueError) as exc:
        return [CheckResult("samples", "-", False, f"cannot read expected.json: {exc}")]
    results = []
    for component, version_keys, check in CHECKS:
        version = _version_text(versions, version_keys)
        try:
            results.append(CheckResult(component, version, True, check(expected)))
        except Exception as exc:  # report every failure as one line, keep going
            results.append(CheckResult(component, version, False, f"{type(exc).__name__}: {exc}"))
    return results


def run_self_test() -> int:
    """Print one line per check and a summary; return 0 only when every check passed."""
    mode = "frozen" if is_frozen() else "source"
    print(f"triage {__version__} self-test ({mode}, Python {platform.python_version()},"
          f" {sys.platform})")
    results = run_checks()
    for result in results:
        print(result.line())
    passed = sum(result.ok for result in results)
    print(f"self-test: {passed} of {len(results)} checks passed")
    sys.stdout.flush()
    return EXIT_OK if passed == len(results) else EXIT_FAILED
