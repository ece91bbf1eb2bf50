"""A JPEG's header (every segment up to the start of scan) holds all the metadata parsed
from it: the quick profile reads a photo only that far (Extractor.content_prefix)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.extractors.metadata.exif import parse_exif
from triage.extractors.metadata.jpeg_frame import jpeg_header_length

DATA = Path(__file__).parents[2] / "data"
CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "exif-samples"


def _jpegs() -> list[Path]:
    found = sorted(DATA.rglob("*.jpg")) + sorted(CORPUS.rglob("*.jpg"))
    return [p for p in found if p.is_file()]


def test_the_header_gives_every_value_the_whole_photo_gives():
    photos = _jpegs()
    assert photos
    for photo in photos:
        data = photo.read_bytes()
        header = jpeg_header_length(data)
        assert header is not None, photo
        # The header ends with the start-of-scan segment: coded image data follows.
        scan = data.rfind(b"\xff\xda", 0, header)
        assert scan >= 0 and scan + 2 + int.from_bytes(data[scan + 2 : scan + 4], "big") == header
        whole, cut = parse_exif(data), parse_exif(data[:header])
        assert (cut.attributes, cut.warnings) == (whole.attributes, whole.warnings), photo


def test_a_cut_header_is_not_a_header():
    data = (DATA / "metadata" / "photos" / "IMG_0001.jpg").read_bytes()
    header = jpeg_header_length(data)
    assert header is not None
    for cut in range(0, header, 97):
        assert jpeg_header_length(data[:cut]) is None
    assert jpeg_header_length(data[:header]) == header


@pytest.mark.parametrize("data", [b"", b"\xff\xd8", b"\xff\xd8\xff\xd9", b"\xff\xd8\xff\xe0\x00\x01",
                                  b"GIF89a", b"\xff\xd8" + b"\xff\x01" * 5000])
def test_no_header_in_what_is_not_a_whole_one(data):
    assert jpeg_header_length(data) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_never_raises_and_stays_within_the_data(data):
    found = jpeg_header_length(b"\xff\xd8" + data)
    assert found is None or 4 <= found <= len(data) + 2


def _jpeg_with_gps_values_in_the_image_data() -> bytes:
    """GPS IFD inside the EXIF segment, its latitude and longitude pointing past the
    segment, into the bytes after the start of scan (exiftool: "Bad offset")."""
    import struct

    tiff_start = 2 + 4 + 6  # SOI, APP1 marker and length, "Exif\0\0"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 10, 10, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    image = b"\x12\x34" * 50_000
    app1_size = 2 + 4 + 6 + 80
    values_at = app1_size + len(sof) + len(sos) + len(image) - tiff_start
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8)
    tiff += struct.pack(">H", 1) + struct.pack(">HHII", 0x8825, 4, 1, 26) + struct.pack(">I", 0)
    tiff += struct.pack(">H", 4) + struct.pack(">HHI", 1, 2, 2) + b"N\x00\x00\x00"
    tiff += struct.pack(">HHII", 2, 5, 3, values_at)
    tiff += struct.pack(">HHI", 3, 2, 2) + b"E\x00\x00\x00"
    tiff += struct.pack(">HHII", 4, 5, 3, values_at + 24) + struct.pack(">I", 0)
    assert len(tiff) == 80
    values = b"".join(struct.pack(">II", n, 1) for n in (51, 30, 0, 7, 15, 0))
    app1 = b"\xff\xe1" + struct.pack(">H", 2 + 6 + len(tiff)) + b"Exif\x00\x00" + tiff
    return b"\xff\xd8" + app1 + sof + sos + image + values + b"\xff\xd9"


def test_exif_values_are_read_within_the_exif_segment_only():
    """Self-audit: full read GPS values that point past the EXIF segment from the image
    data (exiftool calls them bad offsets) while quick, reading the header, did not; both
    now read the segment only, and agree."""
    data = _jpeg_with_gps_values_in_the_image_data()
    header = jpeg_header_length(data)
    whole, cut = parse_exif(data), parse_exif(data[:header])
    assert "gps_latitude" not in whole.attributes
    assert (cut.attributes, cut.warnings) == (whole.attributes, whole.warnings)


def test_a_comment_that_looks_like_an_exif_segment_is_not_taken_for_one():
    """Self-audit: the truncation check searched the bytes for an APP1 header and found
    one inside a comment, so only the header (quick) warned of a cut EXIF segment."""
    import struct

    photo = (DATA / "metadata" / "photos" / "IMG_0001.jpg").read_bytes()
    fake = b"\xff\xe1\x7f\x00Exif\x00\x00" + b"x" * 100
    comment = b"\xff\xfe" + struct.pack(">H", 2 + len(fake)) + fake
    data = photo[:2] + comment + photo[2:]
    header = jpeg_header_length(data)
    assert header is not None and header < len(data)
    whole, cut = parse_exif(data), parse_exif(data[:header])
    assert whole.warnings == [] and cut.warnings == []
    assert cut.attributes == whole.attributes and "gps_latitude" in whole.attributes
