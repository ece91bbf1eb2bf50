"""The cheap GPS probe agrees with exiftool on every photo it answers for."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.extractors.metadata.gps_probe import jpeg_has_gps

DATA = Path(__file__).parents[2] / "data"
CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "exif-samples"


def _jpegs() -> list[Path]:
    found = sorted(DATA.rglob("*.jpg")) + sorted(CORPUS.rglob("*.jpg"))
    return [p for p in found if p.is_file()]


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed")
def test_probe_never_denies_a_gps_photo_exiftool_sees():
    photos = _jpegs()
    assert photos
    oracle = json.loads(subprocess.run(["exiftool", "-n", "-j", "-GPSLatitude", *map(str, photos)],
                                       capture_output=True, text=True).stdout)
    with_gps = {Path(o["SourceFile"]).resolve() for o in oracle if "GPSLatitude" in o}
    denied = [p for p in photos if p.resolve() in with_gps and jpeg_has_gps(p.read_bytes()) is False]
    assert not denied
    assert any(jpeg_has_gps(p.read_bytes()) is True for p in photos if p.resolve() in with_gps)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_probe_never_raises(data):
    assert jpeg_has_gps(b"\xff\xd8" + data) in (True, False, None)


def test_a_head_cut_at_the_exif_header_cannot_tell():
    # The quick profile asks with the first 4 KB: an EXIF segment cut right after its
    # header must say "cannot tell" (read more), never "no GPS".
    data = (DATA / "metadata" / "photos" / "IMG_0001.jpg").read_bytes()
    header_end = data.find(b"Exif\x00\x00") + 6
    assert jpeg_has_gps(data[:header_end]) is None
    assert jpeg_has_gps(data) is True


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed")
def test_probe_says_yes_exactly_for_photos_with_a_position():
    """A GPS IFD without latitude and longitude (Canon_40D.jpg holds only GPSVersionID)
    is no position: the quick profile then reads no further."""
    photos = _jpegs()
    oracle = json.loads(subprocess.run(
        ["exiftool", "-n", "-j", "-GPSLatitude", "-GPSLongitude", *map(str, photos)],
        capture_output=True, text=True).stdout)
    placed = {Path(o["SourceFile"]).resolve() for o in oracle
              if "GPSLatitude" in o and "GPSLongitude" in o}
    answers = {p.resolve(): jpeg_has_gps(p.read_bytes()) for p in photos}
    assert {p for p, answer in answers.items() if answer is True} <= placed
    assert not [p for p in placed if answers[p] is False]
    if CORPUS.is_dir():
        assert answers[(CORPUS / "jpg" / "Canon_40D.jpg").resolve()] is False


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool is not installed")
def test_quick_reports_exactly_the_photos_exiftool_places(tmp_path):
    """Quick reports a photo (JPEG, TIFF, HEIC) when exiftool reads a latitude and a
    longitude in it, and only then."""
    from tests.extractor_harness import run_extractor
    from triage.extractors.metadata import MetadataExtractor

    if not CORPUS.is_dir():
        pytest.skip("exif-samples corpus absent")
    shutil.copytree(CORPUS, tmp_path / "photos")
    photos = [p for p in (tmp_path / "photos").rglob("*") if p.is_file()
              and p.suffix.lower() in (".jpg", ".jpeg", ".tif", ".tiff", ".heic", ".heif")]
    oracle = json.loads(subprocess.run(
        ["exiftool", "-n", "-j", "-GPSLatitude", "-GPSLongitude", *map(str, photos)],
        capture_output=True, text=True).stdout)
    placed = {"/" + Path(o["SourceFile"]).relative_to(tmp_path).as_posix() for o in oracle
              if "GPSLatitude" in o and "GPSLongitude" in o}
    found = run_extractor(MetadataExtractor({"profile": "quick"}), tmp_path)
    reported = {path for path, f in found.findings if f.type == "media.exif"}
    assert reported == placed
    assert placed


def test_fill_bytes_before_a_marker_do_not_stop_the_probe(tmp_path):
    """The probe walks segments as the rest of the extractor does (one walker): fill
    bytes before a marker, which JPEG allows, used to make it give up."""
    data = (DATA / "metadata" / "photos" / "IMG_0001.jpg").read_bytes()
    filled = data[:2] + b"\xff\xff" + data[2:]  # FF D8 FF FF FF E1 ...
    assert jpeg_has_gps(filled) is True
    if shutil.which("exiftool") is not None:
        photo = tmp_path / "filled.jpg"
        photo.write_bytes(filled)
        (found,) = json.loads(subprocess.run(["exiftool", "-n", "-j", "-GPSLatitude", str(photo)],
                                             capture_output=True, text=True).stdout)
        assert "GPSLatitude" in found


def test_an_image_that_ends_before_any_exif_has_no_position():
    assert jpeg_has_gps(b"\xff\xd8\xff\xd9" + b"\x00" * 100) is False
    assert jpeg_has_gps(b"\xff\xd8\xff\xd9") is None  # too short to say


def test_an_exif_header_with_other_padding_is_left_to_the_full_parse(tmp_path):
    """Found by an audit: "Exif\\0\\xff" (ExifRead and exiftool read its GPS) made the probe
    say "no position", so the quick profile dropped a photo the full profile reports."""
    from tests.extractor_harness import run_extractor
    from triage.extractors.metadata import MetadataExtractor

    data = bytearray((DATA / "metadata" / "photos" / "IMG_0001.jpg").read_bytes())
    header = data.find(b"Exif\x00\x00")
    data[header + 5] = 0xFF
    assert jpeg_has_gps(bytes(data)) is None
    (tmp_path / "variant.jpg").write_bytes(bytes(data))
    if shutil.which("exiftool") is not None:
        (found,) = json.loads(subprocess.run(
            ["exiftool", "-n", "-j", "-GPSLatitude", str(tmp_path / "variant.jpg")],
            capture_output=True, text=True).stdout)
        assert "GPSLatitude" in found
    for profile in ("quick", "full"):
        result = run_extractor(MetadataExtractor({"profile": profile}), tmp_path)
        assert [f for _, f in result.findings if f.type == "media.exif"], profile


def test_a_gps_pointer_in_the_exif_ifd_is_followed(tmp_path):
    """The metadata helper's finding: the probe looked for the GPS pointer in IFD0 only,
    while the full parse (and exiftool) also follow one in the EXIF IFD, so the quick
    profile dropped such a photo."""
    import struct

    from tests.extractor_harness import run_extractor
    from tests.extractors.metadata.builders import ASCII, LONG, RATIONAL, dms, ifd, tiny_jpeg
    from triage.extractors.metadata import MetadataExtractor

    gps = [(1, ASCII, "S"), (2, RATIONAL, dms(33.5)), (3, ASCII, "W"), (4, RATIONAL, dms(70.25))]

    def layout(exif_at: int, gps_at: int) -> list[bytes]:
        return [ifd([(0x010F, ASCII, "Camera"), (0x8769, LONG, exif_at)], 8),
                ifd([(0x8825, LONG, gps_at)], exif_at), ifd(gps, gps_at)]

    first, second, _ = (len(part) for part in layout(0, 0))
    tiff = b"II*\x00" + struct.pack("<I", 8) + b"".join(layout(8 + first, 8 + first + second))
    photo = tmp_path / "gps_in_exif_ifd.jpg"
    photo.write_bytes(tiny_jpeg(tiff))
    assert jpeg_has_gps(photo.read_bytes()) is True
    found = run_extractor(MetadataExtractor({"profile": "quick"}), tmp_path)
    (exif,) = [f for _, f in found.findings if f.type == "media.exif"]
    if shutil.which("exiftool") is not None:
        (oracle,) = json.loads(subprocess.run(
            ["exiftool", "-n", "-j", "-GPSLatitude", "-GPSLongitude", str(photo)],
            capture_output=True, text=True).stdout)
        assert (oracle["GPSLatitude"], oracle["GPSLongitude"]) == (-33.5, -70.25)
    assert (exif.attributes["gps_latitude"], exif.attributes["gps_longitude"]) == (-33.5, -70.25)


def _xmp_jpeg(exif_gps: bool | None, xmp_gps: bool, comment: int = 0) -> bytes:
    """A JPEG with an EXIF segment (with or without a position; None: no EXIF), a comment
    of ``comment`` bytes, then an XMP packet with or without a position."""
    from tests.extractors.metadata.builders import ASCII, RATIONAL, dms, tiff_block, tiny_jpeg

    gps = [(1, ASCII, "N"), (2, RATIONAL, dms(1.5)), (3, ASCII, "E"), (4, RATIONAL, dms(2.5))]
    exif = None if exif_gps is None else tiff_block(
        ifd0=[(0x010F, ASCII, "Cam")], exif=[], gps=gps if exif_gps else [])
    position = b" exif:GPSLatitude='1,30N' exif:GPSLongitude='2,30E'" if xmp_gps else b""
    xmp = (b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf="
           b"'http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description xmlns:exif="
           b"'http://ns.adobe.com/exif/1.0/'" + position + b"/></rdf:RDF></x:xmpmeta>")
    jpeg = tiny_jpeg(exif, xmp=xmp)
    if comment:
        at = jpeg.index(b"http://ns.adobe.com/xap/1.0/") - 4
        jpeg = jpeg[:at] + b"\xff\xfe" + (comment + 2).to_bytes(2, "big") + b"c" * comment + jpeg[at:]
    return jpeg


@pytest.mark.parametrize("exif_gps", [None, False])
def test_probe_sees_a_position_written_only_in_xmp(exif_gps):
    assert jpeg_has_gps(_xmp_jpeg(exif_gps, xmp_gps=True)) is True
    assert jpeg_has_gps(_xmp_jpeg(exif_gps, xmp_gps=False)) is False


def test_probe_reads_exif_alone_when_the_head_ends_before_the_xmp():
    """The documented limit: an XMP packet beyond the data the probe gets goes unseen
    when the EXIF says there is no position (what quick reads of such a photo)."""
    photo = _xmp_jpeg(False, xmp_gps=True, comment=8000)
    assert jpeg_has_gps(photo) is True
    assert jpeg_has_gps(photo[:4096]) is False
    assert jpeg_has_gps(_xmp_jpeg(None, xmp_gps=True, comment=8000)[:4096]) is None


def test_probe_leaves_an_xmp_packet_cut_before_its_position_to_the_full_parse():
    photo = _xmp_jpeg(False, xmp_gps=True)
    cut = photo.index(b"GPSLatitude")
    assert jpeg_has_gps(photo[:cut]) is None
