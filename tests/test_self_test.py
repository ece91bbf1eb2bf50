"""``triage --self-test`` from source, the frozen-mode libmagic wiring and its runtime hook."""

from __future__ import annotations

import ctypes.util
import json
import os
import runpy
import shutil
import sys
from pathlib import Path

import pytest

from triage import self_test
from triage.engine import magic_setup
from triage.resources import resource_path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_HOOK = ROOT / "build_spec" / "hooks" / "rthook_magic.py"


def _copy_samples(tmp_path: Path) -> Path:
    """A resources folder holding a copy of the self-test samples and the icons."""
    resources = tmp_path / "resources"
    shutil.copytree(resource_path("selftest"), resources / "selftest")
    shutil.copytree(resource_path("icons"), resources / "icons")
    return resources


def _use_resources(monkeypatch: pytest.MonkeyPatch, resources: Path) -> None:
    monkeypatch.setattr(self_test, "resource_path", lambda *parts: resources.joinpath(*parts))


def test_self_test_passes_from_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert self_test.run_self_test() == 0
    lines = capsys.readouterr().out.splitlines()
    assert "(source," in lines[0]
    assert lines[-1] == f"self-test: {len(self_test.CHECKS)} of {len(self_test.CHECKS)} checks passed"
    expected = json.loads(resource_path("selftest", "expected.json").read_text())
    assert any(expected["key_fingerprint"] in line for line in lines)  # gpg's fingerprint


def test_a_wrong_sample_fails_only_its_own_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    resources = _copy_samples(tmp_path)
    expected = json.loads((resources / "selftest" / "expected.json").read_text())
    expected["key_fingerprint"] = "0" * 40
    expected["gps_latitude"] = -expected["gps_latitude"]
    (resources / "selftest" / "expected.json").write_text(json.dumps(expected))
    _use_resources(monkeypatch, resources)
    assert self_test.run_self_test() == 1
    out = capsys.readouterr().out
    failed = [line.split()[1] for line in out.splitlines() if line.startswith("FAIL")]
    assert failed == ["openpgp", "exifread"]
    assert f"self-test: {len(self_test.CHECKS) - 2} of {len(self_test.CHECKS)}" in out


def test_corrupt_samples_give_failures_not_tracebacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    resources = _copy_samples(tmp_path)
    image = resources / "selftest" / "fat12.img"
    image.write_bytes(image.read_bytes()[:4096])
    (resources / "selftest" / "fat12.E01").write_bytes(b"EVF\x09\x0d\x0a\xff\x00" + b"\x00" * 64)
    (resources / "selftest" / "photo.jpg").unlink()
    _use_resources(monkeypatch, resources)
    assert self_test.run_self_test() == 1
    failed = {line.split()[1] for line in capsys.readouterr().out.splitlines()
              if line.startswith("FAIL")}
    assert failed == {"sleuthkit", "libewf", "libmagic", "exifread"}


def test_unreadable_expectations_are_one_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    resources = _copy_samples(tmp_path)
    (resources / "selftest" / "expected.json").write_text("{not json")
    _use_resources(monkeypatch, resources)
    assert self_test.run_self_test() == 1
    assert "FAIL  samples" in capsys.readouterr().out


def test_component_versions_name_every_bundled_library() -> None:
    import magic
    import pyewf

    versions = self_test.component_versions()
    assert versions["pyewf"] == str(pyewf.get_version())
    number = magic.version()
    assert versions["libmagic"] == f"{number // 100}.{number % 100:02d}"
    assert not [name for name, version in versions.items() if version.startswith("not available")]


def test_magic_file_is_the_bundled_database_only_when_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert magic_setup.magic_file() is None
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert magic_setup.magic_file() is None  # frozen, but nothing bundled
    database = tmp_path / "resources" / "magic" / "magic.mgc"
    database.parent.mkdir(parents=True)
    database.write_bytes(b"")
    assert magic_setup.magic_file() == str(database)


def test_runtime_hook_points_python_magic_at_the_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = tmp_path / "libmagic.so.1"
    library.write_bytes(b"")
    database = tmp_path / "resources" / "magic" / "magic.mgc"
    database.parent.mkdir(parents=True)
    database.write_bytes(b"")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(ctypes.util, "find_library", ctypes.util.find_library)
    monkeypatch.delenv("MAGIC", raising=False)
    runpy.run_path(str(RUNTIME_HOOK))
    assert ctypes.util.find_library("magic") == str(library)
    assert os.environ["MAGIC"] == str(database)
    assert ctypes.util.find_library("c") != str(library)  # other lookups are untouched


def test_about_box_lists_the_component_versions() -> None:
    pytest.importorskip("PySide6")
    from triage.ui.about_dialog import about_html

    text = about_html()
    assert "<h3>Components</h3>" in text
    assert f"<td>libmagic</td><td>{self_test.component_versions()['libmagic']}</td>" in text
