"""TypeMismatchExtractor over a folder laid out like a Windows system."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.extractor_harness import run_extractor
from triage.extractors.interface import FileView
from triage.extractors.type_mismatch import TypeMismatchExtractor

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "metadata"
JPEG = SAMPLES / "photos" / "IMG_0001.jpg"
PE_HEAD = b"MZ\x90\x00" + b"\x00" * 60


def _tree(root: Path) -> None:
    files = {
        "Windows/System32/kernel33.dll": JPEG.read_bytes(),
        "Windows/System32/real.dll": PE_HEAD,
        "Users/bob/Pictures/holiday.jpg": JPEG.read_bytes(),
        "Users/bob/Pictures/not_a_photo.jpg": (SAMPLES / "documents" / "invoice.pdf").read_bytes(),
        "Users/bob/Documents/report.zip": (SAMPLES / "documents" / "report.docx").read_bytes(),
        "Users/bob/Documents/report.docx": (SAMPLES / "documents" / "report.docx").read_bytes(),
        "Users/bob/AppData/Local/Temp/~cache.tmp": JPEG.read_bytes(),
        "Users/bob/notes.jpg": b"just some text that was renamed\n",
        "Users/bob/empty.dll": b"",
    }
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)


def test_only_contradicting_files_are_flagged(tmp_path: Path) -> None:
    _tree(tmp_path)
    result = run_extractor(TypeMismatchExtractor(), tmp_path)
    found = {path: f.attributes for path, f in result.findings}
    assert set(found) == {"/Windows/System32/kernel33.dll", "/Users/bob/Pictures/not_a_photo.jpg"}
    hidden = found["/Windows/System32/kernel33.dll"]
    assert hidden["extension"] == "dll"
    assert hidden["expected_family"] == "executable"
    assert hidden["detected_family"] == "image"
    if shutil.which("file"):
        path = str(tmp_path / "Windows/System32/kernel33.dll")
        assert (
            hidden["detected_mime"]
            == subprocess.run(
                ["file", "-b", "--mime-type", path], capture_output=True, text=True
            ).stdout.strip()
        )
        assert (
            hidden["detected_description"]
            == subprocess.run(["file", "-b", path], capture_output=True, text=True).stdout.strip()
        )
    assert found["/Users/bob/Pictures/not_a_photo.jpg"]["detected_family"] == "document"


def test_wants_by_content_is_decided_from_the_engine_mime() -> None:
    extractor = TypeMismatchExtractor()
    view = FileView(path="/x/a.dll", name="a.dll", size=10)
    assert extractor.wants_by_content(view, b"\xff\xd8\xff", "image/jpeg")
    assert not extractor.wants_by_content(view, b"MZ", "application/x-dosexec")
    assert not extractor.wants_by_content(view, b"", "image/jpeg")
    assert not extractor.wants_by_name(view)


@pytest.mark.parametrize("content", [b"\xff\xd8\xff", b"\x00" * 3, b"garbage"])
def test_extract_never_raises_on_odd_content(content: bytes) -> None:
    view = FileView(path="/a.dll", name="a.dll", size=len(content), mime="image/jpeg")
    findings = list(TypeMismatchExtractor().extract(view, content, _NullContext()))
    assert len(findings) == 1  # the engine's MIME type decided


class _NullContext:
    def warn(self, message: str, path: str | None = None) -> None:
        pass
