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
