"""MetadataExtractor end to end over a folder laid out like a seized laptop."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.extractor_harness import run_extractor
from tests.extractors.metadata.conftest import CORPUS, SAMPLES, exiftool_json
from tests.extractors.metadata.samples import (
    DOC,
    DOCX,
    EXPECTED,
    HEIC_GPS,
    JPEG_GPS,
    JPEG_NO_FIX,
    ODT,
    PDF_INFO,
)
from triage.extractors.interface import Finding
from triage.extractors.metadata import MetadataExtractor
from triage.extractors.type_mismatch import TypeMismatchExtractor

LAYOUT = {
    "Users/bob/Pictures/IMG_0001.jpg": JPEG_GPS,
    "Users/bob/Pictures/IMG_0002.heic": HEIC_GPS,
    "Windows/System32/wbemcomn2.dll": HEIC_GPS,
    "Users/bob/Documents/report.docx": DOCX,
    "Users/bob/Documents/minutes.odt": ODT,
    "Users/bob/Documents/ledger.doc": DOC,
    "Users/bob/Downloads/invoice.pdf": PDF_INFO,
    "Windows/Temp/cache.bin": DOCX,
}
CORPUS_LAYOUT = {
    "Users/bob/Pictures/iphone.jpg": "jpg/hdr/iphone_hdr_NO.jpg",
    "Users/bob/Pictures/nokia.heif": "heic/mobile/HMD_Nokia_8.3_5G_hdr.heif",
    "Windows/System32/msvcp_win2.dll": "jpg/gps/DSCN0010.jpg",
    "Users/bob/AppData/Local/Temp/broken.jpg": "jpg/invalid/image00971.jpg",
}


def _by_path(findings: list[tuple[str, Finding]], artefact_type: str) -> dict[str, dict]:
    return {path: f.attributes for path, f in findings if f.type == artefact_type}


@pytest.fixture()
def laptop(tmp_path: Path) -> Path:
    for target, relative in LAYOUT.items():
        (tmp_path / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLES / relative, tmp_path / target)
    (tmp_path / "Users/bob/notes.txt").write_text("meet at 10, bring the coins\n")
    (tmp_path / "Users/bob/AppData/Local/Temp/broken.jpg").parent.mkdir(parents=True)
    (tmp_path / "Users/bob/AppData/Local/Temp/broken.jpg").write_bytes(
        (SAMPLES / JPEG_GPS).read_bytes()[:60]
    )
    return tmp_path


def test_photos_and_documents_found_with_their_values(laptop: Path) -> None:
    result = run_extractor(MetadataExtractor(), laptop)
    photos = _by_path(result.findings, "media.exif")
    assert set(photos) == {
        "/Users/bob/Pictures/IMG_0001.jpg",
        "/Users/bob/Pictures/IMG_0002.heic",
        "/Windows/System32/wbemcomn2.dll",
    }
    hidden = photos["/Windows/System32/wbemcomn2.dll"]
    assert hidden["format"] == "HEIF"
    assert hidden["make"] == EXPECTED[HEIC_GPS]["make"]
    assert hidden["gps_latitude"] == pytest.approx(EXPECTED[HEIC_GPS]["gps_latitude"], abs=1e-6)
    assert photos["/Users/bob/Pictures/IMG_0001.jpg"]["serial_number"] == "BODY-4711"
    documents = _by_path(result.findings, "document.metadata")
    assert documents["/Users/bob/Documents/report.docx"]["author"] == "Alice Author"
    assert documents["/Users/bob/Documents/minutes.odt"]["author"] == "Carol Creator"
    assert documents["/Users/bob/Documents/ledger.doc"]["company"] == "Shell Company BV"
    assert documents["/Users/bob/Downloads/invoice.pdf"]["author"] == "Eve Author"
    # Wanted by content (libmagic's MIME type), whatever the name says.
    assert documents["/Windows/Temp/cache.bin"]["last_modified_by"] == "Bob Editor"
    assert len(documents) == 5


def test_findings_use_declared_attributes_only(laptop: Path) -> None:
    declared = {t.name: {a.name for a in t.attributes} for t in MetadataExtractor.ARTEFACT_TYPES}
    for _, finding in run_extractor(MetadataExtractor(), laptop).findings:
        assert set(finding.attributes) <= declared[finding.type], finding.type


def test_truncated_photo_gives_a_warning_not_a_finding(laptop: Path) -> None:
    result = run_extractor(MetadataExtractor(), laptop)
    assert not any(p.endswith("broken.jpg") for p, _ in result.findings)
    assert any(path and path.endswith("broken.jpg") for _, path in result.warnings)


def test_photo_without_a_gps_fix_is_not_placed_anywhere(tmp_path: Path) -> None:
    """A 0/0 position is "no fix", not 0°N 0°E: no position attributes (so no latitude and
    longitude columns and no KML placemark) and, in the quick profile, no photo finding."""
    shutil.copyfile(SAMPLES / JPEG_NO_FIX, tmp_path / "nofix.jpg")
    full = _by_path(run_extractor(MetadataExtractor(), tmp_path).findings, "media.exif")
    assert set(full) == {"/nofix.jpg"}
    assert not {k for k in full["/nofix.jpg"] if k.startswith("gps_")}
    quick = run_extractor(MetadataExtractor({"profile": "quick"}), tmp_path)
    assert quick.findings == []


def test_hidden_photo_is_also_an_extension_mismatch(laptop: Path) -> None:
    flagged = _by_path(
        run_extractor(TypeMismatchExtractor(), laptop).findings, "file.extension_mismatch"
    )
    assert set(flagged) == {"/Windows/System32/wbemcomn2.dll"}


def test_corpus_photos_in_a_laptop_tree_match_exiftool(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip("exif-samples corpus absent")
    for target, relative in CORPUS_LAYOUT.items():
        (tmp_path / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / relative, tmp_path / target)
    photos = _by_path(run_extractor(MetadataExtractor(), tmp_path).findings, "media.exif")
    oracle = exiftool_json(
        [tmp_path / t for t in CORPUS_LAYOUT], "Make", "Model", "GPSLatitude", "GPSLongitude"
    )
    for target in (
        "Users/bob/Pictures/iphone.jpg",
        "Users/bob/Pictures/nokia.heif",
        "Windows/System32/msvcp_win2.dll",
    ):
        record, attributes = oracle[str((tmp_path / target).resolve())], photos["/" + target]
        assert attributes.get("make") == record.get("Make")
        assert attributes.get("model") == record.get("Model")
        assert attributes["gps_latitude"] == pytest.approx(record["GPSLatitude"], abs=1e-6)
        assert attributes["gps_longitude"] == pytest.approx(record["GPSLongitude"], abs=1e-6)
    mismatches = _by_path(
        run_extractor(TypeMismatchExtractor(), tmp_path).findings, "file.extension_mismatch"
    )
    assert set(mismatches) == {"/Windows/System32/msvcp_win2.dll"}


def test_samples_are_reproducible_from_the_generator() -> None:
    from tests.extractors.metadata.samples import build_samples

    for relative, content in build_samples().items():
        assert (SAMPLES / relative).read_bytes() == content, relative
