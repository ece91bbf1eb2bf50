"""EXIF parsing against exiftool (numeric output) and against hostile inputs."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractors.metadata.builders import (
    ASCII,
    LONG,
    RATIONAL,
    SHORT,
    SRATIONAL,
    dms,
    heif_with_exif,
    ifd,
    tiff_block,
    tiny_jpeg,
)
from tests.extractors.metadata.conftest import SAMPLES, exiftool_json
from tests.extractors.metadata.samples import (
    EXPECTED,
    HEIC_GPS,
    JPEG_GPS,
    JPEG_NO_FIX,
    JPEG_XMP_GPS,
    TIFF_GPS,
)
from triage.extractors.metadata import exif as exif_module
from triage.extractors.metadata.exif import parse_exif
from triage.extractors.metadata.heif import heif_dimensions, heif_exif_tiff
from triage.extractors.metadata.jpeg_frame import jpeg_dimensions

ORACLE_TAGS = (
    "Make",
    "Model",
    "GPSLatitude",
    "GPSLongitude",
    "GPSAltitude",
    "ImageWidth",
    "ImageHeight",
    "ThumbnailImage",
    "IFD1:StripOffsets",
    "SerialNumber",
    "LensSerialNumber",
    "Orientation",
    "DateTimeOriginal",
)
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".tif", ".tiff", ".heic", ".heif"}


def _corpus_photos(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES)


@pytest.mark.parametrize("relative", [JPEG_GPS, HEIC_GPS, TIFF_GPS, JPEG_NO_FIX, JPEG_XMP_GPS])
def test_sample_values_are_the_ones_built_in(relative: str) -> None:
    attributes = parse_exif((SAMPLES / relative).read_bytes()).attributes
    for name, value in EXPECTED[relative].items():
        if isinstance(value, float):
            assert attributes[name] == pytest.approx(value, abs=1e-6), name
        else:
            assert attributes[name] == value, name


def test_samples_agree_with_exiftool() -> None:
    paths = [SAMPLES / r for r in (JPEG_GPS, HEIC_GPS, TIFF_GPS)]
    oracle = exiftool_json(paths, *ORACLE_TAGS)
    for path in paths:
        record, attributes = oracle[str(path.resolve())], parse_exif(path.read_bytes()).attributes
        assert attributes["make"] == record["Make"]
        assert attributes["model"] == record["Model"]
        assert attributes["gps_latitude"] == pytest.approx(record["GPSLatitude"], abs=1e-6)
        assert attributes["gps_longitude"] == pytest.approx(record["GPSLongitude"], abs=1e-6)
        assert (attributes["width"], attributes["height"]) == (
            record["ImageWidth"],
            record["ImageHeight"],
        )
        if "GPSAltitude" in record:
            assert attributes["gps_altitude"] == pytest.approx(record["GPSAltitude"], abs=1e-6)
        if "SerialNumber" in record:
            assert attributes["serial_number"] == str(record["SerialNumber"])


@pytest.mark.parametrize("size", [100, 10_000, 60_000])
def test_exif_behind_a_large_leading_segment_matches_exiftool(tmp_path: Path, size: int) -> None:
    # ExifRead gives up a few KB into a JPEG; a long comment (or ICC profile) before the
    # EXIF segment must not hide the camera and position.
    data = (SAMPLES / JPEG_GPS).read_bytes()
    comment = b"\xff\xfe" + struct.pack(">H", size + 2) + b"c" * size
    path = tmp_path / "late_exif.jpg"
    path.write_bytes(data[:2] + comment + data[2:])
    record = exiftool_json([path], *ORACLE_TAGS)[str(path.resolve())]
    result = parse_exif(path.read_bytes())
    assert result.warnings == []
    assert result.attributes["make"] == record["Make"]
    assert result.attributes["gps_latitude"] == pytest.approx(record["GPSLatitude"], abs=1e-6)
    assert result.attributes["gps_longitude"] == pytest.approx(record["GPSLongitude"], abs=1e-6)


def test_south_west_and_below_sea_level_are_negative() -> None:
    south_east = parse_exif((SAMPLES / JPEG_GPS).read_bytes()).attributes
    north_west = parse_exif((SAMPLES / HEIC_GPS).read_bytes()).attributes
    assert south_east["gps_latitude"] < 0 < south_east["gps_longitude"]
    assert north_west["gps_longitude"] < 0 < north_west["gps_latitude"]
    assert south_east["gps_altitude"] < 0 < north_west["gps_altitude"]


def test_every_corpus_photo_matches_exiftool(corpus: Path) -> None:
    photos = _corpus_photos(corpus)
    assert len(photos) > 50
    oracle = exiftool_json(photos, *ORACLE_TAGS)
    gps_seen = 0
    for path in photos:
        record = oracle[str(path.resolve())]
        attributes = parse_exif(path.read_bytes()).attributes
        for ours, theirs in (("make", "Make"), ("model", "Model")):
            if ours in attributes or theirs in record:
                # Two corpus files keep Make/Model outside the EXIF APP1 ExifRead reads.
                if ours not in attributes and path.name in (
                    "olympus-d320l.jpg",
                    "sony-powershota5.jpg",
                ):
                    continue
                expected = str(record.get(theirs, "")).strip() or None
                assert attributes.get(ours) == expected, path
        assert ("gps_latitude" in attributes) == ("GPSLatitude" in record), path
        if "GPSLatitude" in record:
            gps_seen += 1
            assert attributes["gps_latitude"] == pytest.approx(record["GPSLatitude"], abs=1e-6), (
                path
            )
            assert attributes["gps_longitude"] == pytest.approx(record["GPSLongitude"], abs=1e-6), (
                path
            )
        if "GPSAltitude" in record:
            assert attributes["gps_altitude"] == pytest.approx(record["GPSAltitude"], abs=1e-6), (
                path
            )
        if "width" in attributes:
            assert (attributes["width"], attributes["height"]) == (
                record["ImageWidth"],
                record["ImageHeight"],
            ), path
        if attributes.get("has_thumbnail"):
            assert "ThumbnailImage" in record or "StripOffsets" in record, path
    assert gps_seen >= 8


def test_corpus_heic_position_matches_exiftool(corpus: Path) -> None:
    path = corpus / "heic" / "mobile" / "HMD_Nokia_8.3_5G_hdr.heif"
    record = exiftool_json([path], *ORACLE_TAGS)[str(path.resolve())]
    attributes = parse_exif(path.read_bytes()).attributes
    assert attributes["gps_latitude"] == pytest.approx(record["GPSLatitude"], abs=1e-6)
    assert attributes["gps_longitude"] == pytest.approx(record["GPSLongitude"], abs=1e-6)
    assert (attributes["width"], attributes["height"]) == (
        record["ImageWidth"],
        record["ImageHeight"],
    )


def test_every_corpus_file_ends_cleanly_and_quickly(corpus: Path) -> None:
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        data = path.read_bytes()
        started = time.monotonic()
        result = parse_exif(data)
        assert time.monotonic() - started < 5, path
        assert isinstance(result.attributes, dict)


# -- hostile EXIF ----------------------------------------------------------------------
def test_ifd_chain_that_loops_ends_with_what_parsed() -> None:
    # IFD0 at 8 points to itself as the next IFD.
    entries = [(0x010F, ASCII, "LoopCam"), (0x0110, ASCII, "L1")]
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd(entries, 8, next_ifd=8)
    result = parse_exif(tiny_jpeg(tiff))
    assert result.attributes["make"] == "LoopCam"


def test_huge_counts_and_offsets_outside_the_data_do_not_hang() -> None:
    raw = bytearray(tiff_block([(0x010F, ASCII, "BigCam"), (0x0110, SHORT, [1, 2, 3])], [], []))
    # Make the SHORT array claim 2^32-1 values at an offset far outside the block.
    entry = raw.find(struct.pack("<HH", 0x0110, SHORT))
    raw[entry + 4 : entry + 12] = struct.pack("<II", 0xFFFFFFFF, 0x7FFFFFF0)
    started = time.monotonic()
    result = parse_exif(tiny_jpeg(bytes(raw)))
    assert time.monotonic() - started < 5
    assert result.attributes.get("make") == "BigCam"


def test_many_chained_ifds_are_cut_by_the_read_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # 3,000 IFDs each pointing to the next; with a small budget the walk is cut short.
    # ExifRead lists the whole chain before reading any IFD, so nothing survives here.
    monkeypatch.setattr(exif_module, "MAX_READS", 2_000)
    count = 3_000
    make = [(0x010F, ASCII, "ChainCam")]
    body = ifd(make, 8, next_ifd=8 + len(ifd(make, 8)))
    for index in range(count):
        start = 8 + len(body)
        body += ifd([(0x0112, SHORT, 1)], start, next_ifd=start + 18 if index + 1 < count else 0)
    started = time.monotonic()
    result = parse_exif(b"II*\x00" + struct.pack("<I", 8) + body)
    assert time.monotonic() - started < 5
    assert "make" not in result.attributes
    assert any("cut short" in w for w in result.warnings)
    monkeypatch.setattr(exif_module, "MAX_READS", 200_000)
    assert parse_exif(b"II*\x00" + struct.pack("<I", 8) + body).attributes["make"] == "ChainCam"


def test_gps_out_of_range_is_dropped_with_a_warning() -> None:
    tiff = tiff_block(
        [(0x010F, ASCII, "X")],
        [],
        [
            (0x0001, ASCII, "N"),
            (0x0002, RATIONAL, [(300, 1), (0, 1), (0, 1)]),
            (0x0003, ASCII, "E"),
            (0x0004, RATIONAL, dms(10.0)),
        ],
    )
    result = parse_exif(tiny_jpeg(tiff))
    assert "gps_latitude" not in result.attributes
    assert any("out of range" in w for w in result.warnings)


@pytest.mark.parametrize("fast", [True, False])
def test_gps_without_a_fix_is_no_position(monkeypatch: pytest.MonkeyPatch, fast: bool) -> None:
    """Receivers write 0/0 for position, altitude and time when they have no fix; those
    were read as 0, which put the photo at 0°N 0°E, at sea level, at 00:00:00. exiftool
    (the oracle) calls each such value undefined; so must we, on both reading paths."""
    monkeypatch.setattr(exif_module, "USE_FAST_READER", fast)
    path = SAMPLES / JPEG_NO_FIX
    result = parse_exif(path.read_bytes())
    assert result.attributes == {**EXPECTED[JPEG_NO_FIX], "has_thumbnail": False}
    assert result.warnings == []
    record = exiftool_json([path], "GPSLatitude", "GPSLongitude", "GPSAltitude", "Make")[
        str(path.resolve())]
    assert record["Make"] == "TriageCam"
    for tag in ("GPSLatitude", "GPSLongitude", "GPSAltitude"):
        assert not isinstance(record.get(tag), int | float), (tag, record.get(tag))


@pytest.mark.parametrize("part", range(3))
def test_one_unset_part_makes_the_coordinate_undefined(part: int) -> None:
    latitude = dms(52.5)
    latitude[part] = (0, 0)
    tiff = tiff_block(
        [(0x010F, ASCII, "PartCam")],
        [],
        [
            (0x0001, ASCII, "N"),
            (0x0002, RATIONAL, latitude),
            (0x0003, ASCII, "E"),
            (0x0004, RATIONAL, dms(13.4)),
            (0x0007, RATIONAL, [(12, 1), (0, 0), (5, 1)]),
        ],
    )
    result = parse_exif(tiny_jpeg(tiff))
    assert "gps_latitude" not in result.attributes
    assert "gps_longitude" not in result.attributes
    assert "gps_timestamp" not in result.attributes
    assert result.attributes["make"] == "PartCam"


def test_zero_denominators_do_not_lose_the_other_values() -> None:
    tiff = tiff_block(
        [(0x010F, ASCII, "ZeroCam")],
        [],
        [
            (0x0001, ASCII, "N"),
            (0x0002, RATIONAL, [(10, 1), (30, 1), (0, 0)]),
            (0x0003, ASCII, "E"),
            (0x0004, RATIONAL, [(5, 0), (0, 1), (0, 1)]),
        ],
    )
    result = parse_exif(tiny_jpeg(tiff))
    assert result.attributes["make"] == "ZeroCam"
    assert "gps_longitude" not in result.attributes


def test_heif_with_broken_item_location_warns() -> None:
    good = heif_with_exif(tiff_block([(0x010F, ASCII, "H")], [], []), 10, 10)
    assert heif_exif_tiff(good) is not None
    # Point the EXIF extent far outside the file.
    broken = bytearray(good)
    iloc = broken.find(b"iloc")
    struct.pack_into(">I", broken, iloc + 8 + 4 + 2 + 6 + 4 + 6 + 6, 0x7FFFFFFF)
    result = parse_exif(bytes(broken))
    assert result.warnings and "make" not in result.attributes


def test_heif_box_with_zero_progress_does_not_loop() -> None:
    # A 64-bit box size of 0 made ExifRead's own HEIC walker spin; ours refuses it.
    data = struct.pack(">I4s", 16, b"ftyp") + b"heic\x00\x00\x00\x00"
    data += struct.pack(">I4sQ", 1, b"meta", 0) + b"\x00" * 64
    started = time.monotonic()
    assert parse_exif(data).attributes == {}
    assert heif_dimensions(data) is None
    assert time.monotonic() - started < 5


def test_jpeg_dimensions_of_truncated_and_garbage_data() -> None:
    assert jpeg_dimensions(tiny_jpeg(width=24, height=16)) == (24, 16)
    assert jpeg_dimensions(b"\xff\xd8\xff") is None
    assert jpeg_dimensions(b"\xff\xd8" + b"\xff\x01" * 5000) is None


def test_every_truncation_of_the_gps_jpeg_ends_cleanly() -> None:
    data = (SAMPLES / JPEG_GPS).read_bytes()
    for cut in range(0, len(data), 7):
        parse_exif(data[:cut])


@pytest.mark.parametrize("relative", [JPEG_GPS, TIFF_GPS])
def test_a_truncated_photo_reports_no_value_it_does_not_hold(relative: str) -> None:
    """ExifRead reads what lies past the end as zeros: a cut photo was placed at 0°N 0°E
    at sea level at 00:00:00, with half a date and a Make of "II*" (the TIFF header, via a
    pointer read as 0). Every value reported for any cut must be the whole file's value,
    and a cut that loses values says so."""
    data = (SAMPLES / relative).read_bytes()
    whole = parse_exif(data).attributes
    for cut in range(1, len(data)):
        result = parse_exif(data[:cut])
        for name, value in result.attributes.items():
            if name == "gps_timestamp":  # the time without its date when the date is cut
                assert value in whole[name], (cut, value)
            elif name != "has_thumbnail":
                assert whole[name] == value, (cut, name, value)
        lost = {"make", "gps_latitude", "datetime_original"} & whole.keys() - result.attributes.keys()
        if lost and cut > 12:
            assert result.warnings, cut


def test_truncated_exif_values_are_dropped_with_a_warning() -> None:
    """The auditor's cut (300 bytes into a JPEG whose GPS and date values lie further on):
    the values before the cut stay, those past it are reported as cut, not as zeros."""
    data = (SAMPLES / JPEG_GPS).read_bytes()
    tiff_at = data.index(b"Exif\x00\x00") + 6
    gps_at = data.index(struct.pack("<HHI", 0x0002, RATIONAL, 3), tiff_at)
    cut = tiff_at + struct.unpack_from("<I", data, gps_at + 8)[0] + 4  # inside the latitude
    result = parse_exif(data[:cut])
    assert result.attributes["make"] == "TriageCam"
    assert not {"gps_latitude", "gps_longitude", "gps_altitude", "gps_timestamp"} & set(
        result.attributes)
    assert any("truncated" in w and "GPS GPSLatitude" in w for w in result.warnings)
    assert not any("IndexError" in w for w in parse_exif(data[:10]).warnings)
    assert parse_exif(data[:10]).warnings == [
        "EXIF unreadable: the data (10 bytes) ends inside the EXIF header (truncated or corrupt)"]


def test_a_pointer_into_the_tiff_header_is_no_value() -> None:
    tiff = bytearray(tiff_block([(0x010F, ASCII, "HeaderCam"), (0x0110, ASCII, "M1")], [], []))
    struct.pack_into("<I", tiff, 8 + 2 + 8, 0)  # Make's value now "at" the header
    result = parse_exif(tiny_jpeg(bytes(tiff)))
    assert "make" not in result.attributes and result.attributes["model"] == "M1"
    assert any("TIFF header" in w for w in result.warnings)


@pytest.mark.parametrize("kind", [LONG, SHORT, RATIONAL])
def test_a_date_or_name_stored_as_numbers_is_dropped(tmp_path: Path, kind: int) -> None:
    """DateTimeOriginal (or Make) written as numbers read as garbage text; exiftool (the
    oracle) shows them as numbers, we drop them with a warning."""
    numbers = [(50, 48)] * 5 if kind == RATIONAL else [0x3A393130, 0x20363035, 0x373A3730]
    if kind == SHORT:
        numbers = [0x3032, 0x3931, 0x303A]
    tiff = tiff_block(
        [(0x010F, kind, numbers), (0x0110, ASCII, "TypeCam")],
        [(0x9003, kind, numbers), (0x9004, ASCII, "2019:05:06 07:08:10")],
        [],
    )
    path = tmp_path / "typed.jpg"
    path.write_bytes(tiny_jpeg(tiff))
    result = parse_exif(path.read_bytes())
    assert "datetime_original" not in result.attributes and "make" not in result.attributes
    assert result.attributes["datetime_digitized"] == "2019:05:06 07:08:10"
    assert result.attributes["model"] == "TypeCam"
    assert any("DateTimeOriginal stored as" in w for w in result.warnings)
    record = exiftool_json([path], "DateTimeOriginal", "Make")[str(path.resolve())]
    assert not str(record["DateTimeOriginal"]).startswith("20")  # numbers, not a date


@pytest.mark.parametrize(("ref", "expected"), [("N", 51.5), ("S", -51.5)])
def test_signed_latitude_takes_its_sign_from_the_reference(
        tmp_path: Path, ref: str, expected: float) -> None:
    tiff = tiff_block(
        [(0x010F, ASCII, "SignCam")],
        [],
        [
            (0x0001, ASCII, ref),
            (0x0002, SRATIONAL, [(-52, 1), (30, 1), (0, 1)]),
            (0x0003, ASCII, "E"),
            (0x0004, RATIONAL, dms(13.25)),
        ],
    )
    path = tmp_path / "signed.jpg"
    path.write_bytes(tiny_jpeg(tiff))
    result = parse_exif(path.read_bytes())
    record = exiftool_json([path], "GPSLatitude")[str(path.resolve())]
    assert result.attributes["gps_latitude"] == pytest.approx(expected)
    assert result.attributes["gps_latitude"] == pytest.approx(record["GPSLatitude"])
    assert any("negative" in w for w in result.warnings)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([JPEG_GPS, HEIC_GPS, TIFF_GPS, JPEG_XMP_GPS]), st.data())
def test_fuzz_mutated_photos(relative: str, data: st.DataObject) -> None:
    original = bytearray((SAMPLES / relative).read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    started = time.monotonic()
    result = parse_exif(bytes(original))
    assert time.monotonic() - started < 5
    assert isinstance(result.attributes, dict)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes_behind_each_signature(tail: bytes) -> None:
    for head in (b"\xff\xd8\xff\xe1", b"II*\x00", b"MM\x00*", b"\x00\x00\x00\x18ftypheic"):
        parse_exif(head + tail)


@pytest.mark.parametrize("order", [b"II*\x00\x08\x00\x00\x00", b"MM\x00*\x00\x00\x00\x08"])
def test_an_empty_exif_block_is_not_called_corrupt(tmp_path: Path, order: bytes) -> None:
    """Found by a corpus sweep: JPEGs whose EXIF holds a well-formed TIFF header and an
    IFD0 with no entries (exiftool reads them without error) were warned about as
    corrupt; a damaged header still is."""
    tiff = order + b"\x00\x00" + b"\x00\x00\x00\x00"
    segment = b"Exif\x00\x00" + tiff
    jpeg = b"\xff\xd8\xff\xe1" + (len(segment) + 2).to_bytes(2, "big") + segment + b"\xff\xd9"
    assert parse_exif(jpeg).warnings == []
    path = tmp_path / "empty.jpg"
    path.write_bytes(jpeg)
    record = exiftool_json([path], "ExifByteOrder")[str(path.resolve())]
    assert "Error" not in record and "ExifByteOrder" in record
    damaged = jpeg.replace(order[:4], b"XX*\x00")
    assert parse_exif(damaged).warnings == ["EXIF block present but unreadable (corrupt)"]
    # An empty IFD0 pointing at a next IFD past the data is damage too.
    far = (5000).to_bytes(4, "little" if order.startswith(b"II") else "big")
    broken_next = jpeg.replace(tiff, order + b"\x00\x00" + far)
    assert parse_exif(broken_next).warnings == [
        "EXIF structure damaged (IFD offset outside the TIFF block); values read as far as"
        " they go"]


def _damaged_exif_jpegs() -> dict[str, bytes]:
    """EXIF blocks broken the ways a hostile or damaged file breaks them."""
    make = [(0x010F, ASCII, "Cam")]
    plain = tiff_block(make, [], [])
    loop = b"II*\x00\x08\x00\x00\x00" + ifd(make, 8, next_ifd=8)
    exif_is_ifd0 = b"II*\x00\x08\x00\x00\x00" + ifd([*make, (0x8769, LONG, 8)], 8)
    huge = bytearray(plain)
    struct.pack_into("<I", huge, 8 + 2 + 4, 0x7FFFFFFF)  # the Make entry's count
    return {"loop": tiny_jpeg(loop), "exif_is_ifd0": tiny_jpeg(exif_is_ifd0),
            "huge_count": tiny_jpeg(bytes(huge))}


@pytest.mark.parametrize("name", ["loop", "exif_is_ifd0", "huge_count"])
def test_damaged_exif_structure_is_warned_about(tmp_path: Path, name: str) -> None:
    """exiftool warns about each of these (the oracle); ExifRead reads them silently."""
    data = _damaged_exif_jpegs()[name]
    result = parse_exif(data)
    assert [w for w in result.warnings if w.startswith("EXIF structure damaged")], name
    path = tmp_path / f"{name}.jpg"
    path.write_bytes(data)
    assert "Warning" in exiftool_json([path], "Warning")[str(path.resolve())], name


def test_heif_items_of_empty_extents_are_skipped_in_one_step() -> None:
    """The metadata helper's finding: 2,000 items of 65,535 extents without bytes (a 12 KB
    file) were read extent by extent: 36 s. A hang guard, not a speed check."""
    from tests.extractors.metadata.builders import _box, _full_box

    items = b"".join(struct.pack(">HHH", 1, 0, 0xFFFF) for _ in range(2000))
    iloc = _full_box(b"iloc", 0, bytes([0x00, 0x00]) + struct.pack(">H", 2000) + items)
    infe = _full_box(b"infe", 2, struct.pack(">HH", 2, 0) + b"Exif" + b"\x00")
    iinf = _full_box(b"iinf", 0, struct.pack(">H", 1) + infe)
    hdlr = _full_box(b"hdlr", 0, b"\x00" * 4 + b"pict" + b"\x00" * 13)
    data = (_box(b"ftyp", b"heic" + bytes(4) + b"mif1heic")
            + _full_box(b"meta", 0, hdlr + iinf + iloc) + _box(b"mdat", bytes(16)))
    started = time.monotonic()
    assert "make" not in parse_exif(data).attributes
    assert time.monotonic() - started < 5


def test_the_edit_time_s_zone_is_not_taken_for_the_capture_time(tmp_path: Path) -> None:
    """The metadata helper's finding: OffsetTime (the zone of DateTime, the last edit) was
    applied to DateTimeOriginal when OffsetTimeOriginal was absent; exiftool gives that
    time no zone."""
    tiff = tiff_block([(0x0132, ASCII, "2024:01:10 09:00:00")],
                      [(0x9003, ASCII, "2008:05:30 15:56:01"), (0x9010, ASCII, "-07:00")], [])
    result = parse_exif(tiny_jpeg(tiff))
    assert result.attributes["datetime_original"] == "2008:05:30 15:56:01"
    assert "datetime_original_utc" not in result.attributes
    assert "utc_offset_original" not in result.attributes
    with_own = tiff_block([], [(0x9003, ASCII, "2008:05:30 15:56:01"), (0x9010, ASCII, "-07:00"),
                               (0x9011, ASCII, "+02:00")], [])
    assert parse_exif(tiny_jpeg(with_own)).attributes["datetime_original_utc"] == (
        "2008-05-30T13:56:01Z")
    if shutil.which("exiftool") is not None:
        photo = tmp_path / "edited.jpg"
        photo.write_bytes(tiny_jpeg(tiff))
        (record,) = json.loads(subprocess.run(
            ["exiftool", "-j", "-SubSecDateTimeOriginal", "-SubSecModifyDate", str(photo)],
            capture_output=True, text=True).stdout)
        # The zone goes with the edit time; the capture time gets none.
        assert record["SubSecModifyDate"] == "2024:01:10 09:00:00-07:00"
        assert "SubSecDateTimeOriginal" not in record


def test_gps_times_keep_their_fractions_as_exiftool_shows_them(corpus: Path) -> None:
    """The metadata helper's finding: GPS times were cut to whole seconds (and a fraction
    of a minute lost): 14:27:07.24 read 14:27:07."""
    photos = _corpus_photos(corpus)
    records = exiftool_json(photos, "GPSDateTime", "GPSTimeStamp")
    compared = 0
    for path in photos:
        record = records.get(str(path.resolve()), {})
        if "GPSDateTime" not in record:
            continue
        expected = record["GPSDateTime"].replace(" ", "T").replace(":", "-", 2)
        assert parse_exif(path.read_bytes()).attributes["gps_timestamp"] == expected, path
        compared += 1
    assert compared >= 5
    minutes = tiff_block([], [], [(1, ASCII, "N"), (2, RATIONAL, dms(1.0)), (3, ASCII, "E"),
                                  (4, RATIONAL, dms(1.0)), (7, RATIONAL, [(14, 1), (61, 2), (0, 1)]),
                                  (29, ASCII, "2020-12-31")])
    assert parse_exif(tiny_jpeg(minutes)).attributes["gps_timestamp"] == "2020-12-31T14:30:30Z"


@pytest.mark.parametrize(("stamp", "expected"), [
    ([(23, 1), (59, 1), (605, 10)], "2021-01-01T00:00:00.5Z"),  # a leap second
    ([(23, 1), (59, 1), (599999999, 10000000)], "2021-01-01T00:00:00Z"),  # rounds to 24:00
    ([(23, 1), (59, 1), (59, 1)], "2020-12-31T23:59:59Z"),
])
def test_a_gps_time_past_midnight_is_the_next_day(tmp_path: Path, stamp: list,
                                                  expected: str) -> None:
    """The audit's finding: 23:59:60.5 on 2020:12:31 read as 2020-12-31T00:00:00.5Z, a
    day early. exiftool shows "2020:12:31 24:00:00.5Z": the same moment."""
    tiff = tiff_block([], [], [(1, ASCII, "N"), (2, RATIONAL, dms(1.0)), (3, ASCII, "E"),
                               (4, RATIONAL, dms(1.0)), (7, RATIONAL, stamp),
                               (29, ASCII, "2020:12:31")])
    path = tmp_path / "midnight.jpg"
    path.write_bytes(tiny_jpeg(tiff))
    shown = exiftool_json([path], "GPSDateTime")[str(path.resolve())]["GPSDateTime"]
    day, clock = shown.rstrip("Z").split(" ")
    hours, minutes, seconds = clock.split(":")
    moment = (datetime.strptime(day, "%Y:%m:%d").replace(tzinfo=UTC)
              + timedelta(hours=int(hours), minutes=int(minutes), seconds=float(seconds)))
    ours = parse_exif(path.read_bytes()).attributes["gps_timestamp"]
    assert ours == expected
    assert datetime.fromisoformat(ours.replace("Z", "+00:00")) == moment


@pytest.mark.parametrize(("magic", "suffix"), [(b"IIRO", ".orf"), (b"IIU\x00", ".rw2")])
def test_olympus_and_panasonic_raw_files_are_read_as_tiff(tmp_path: Path, magic: bytes,
                                                          suffix: str) -> None:
    """The metadata helper's finding: ORF ("IIRO") and RW2 ("IIU\\0") files are TIFF but
    for their magic number, and were never parsed, though listed by extension."""
    tiff = tiff_block([(0x010F, ASCII, "OLYMPUS IMAGING CORP."), (0x0110, ASCII, "E-M5")],
                      [(0x9003, ASCII, "2019:07:01 12:00:00")],
                      [(1, ASCII, "N"), (2, RATIONAL, dms(45.5)), (3, ASCII, "W"),
                       (4, RATIONAL, dms(73.25))])
    raw = magic + tiff[4:]
    attributes = parse_exif(raw).attributes
    assert (attributes["make"], attributes["model"], attributes["datetime_original"]) == (
        "OLYMPUS IMAGING CORP.", "E-M5", "2019:07:01 12:00:00")
    path = tmp_path / f"P1010001{suffix}"
    path.write_bytes(raw)
    record = exiftool_json([path], *ORACLE_TAGS)[str(path.resolve())]
    assert attributes["gps_latitude"] == pytest.approx(record["GPSLatitude"], abs=1e-6)
    assert attributes["gps_longitude"] == pytest.approx(record["GPSLongitude"], abs=1e-6)
    assert record["Make"] == attributes["make"]
    from tests.extractor_harness import run_extractor
    from triage.extractors.metadata import MetadataExtractor

    found = run_extractor(MetadataExtractor(), tmp_path)
    assert [f.attributes["model"] for _, f in found.findings if f.type == "media.exif"] == ["E-M5"]


# -- XMP in photos -------------------------------------------------------------------------
def _without_fraction(value: str) -> str:
    """exiftool's "YYYY:MM:DD HH:MM:SS.ff+HH:MM" without the fraction of a second."""
    head, dot, rest = value.partition(".")
    return head + rest.lstrip("0123456789") if dot else value


def test_xmp_only_photo_agrees_with_exiftool() -> None:
    path = SAMPLES / JPEG_XMP_GPS
    record = exiftool_json([path], "XMP:all", "Composite:GPSAltitude")[str(path.resolve())]
    result = parse_exif(path.read_bytes())
    attributes = result.attributes
    assert result.warnings == []
    assert (attributes["make"], attributes["model"]) == (record["Make"], record["Model"])
    assert attributes["software"] == record["CreatorTool"]
    assert attributes["serial_number"] == record["SerialNumber"]
    assert attributes["orientation"] == record["Orientation"]
    assert attributes["gps_latitude"] == pytest.approx(record["GPSLatitude"], abs=1e-9)
    assert attributes["gps_longitude"] == pytest.approx(record["GPSLongitude"], abs=1e-9)
    assert attributes["gps_altitude"] == pytest.approx(record["GPSAltitude"], abs=1e-9)
    assert (attributes["datetime_original"] + attributes["utc_offset_original"]
            == _without_fraction(record["DateTimeOriginal"]))
    assert attributes["gps_timestamp"] == record["GPSDateTime"].replace(":", "-", 2).replace(" ", "T")


def test_exif_comes_first_and_xmp_fills_what_it_lacks() -> None:
    """EXIF's make and capture time stand; XMP adds the position. The XMP zone is not put
    on EXIF's clock time: a time, its zone and its UTC come from one source."""
    exif_tiff = tiff_block(ifd0=[(0x010F, ASCII, "ExifCam")],
                           exif=[(0x9003, ASCII, "2020:01:02 03:04:05")], gps=[])
    xmp = (b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF "
           b"xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description "
           b"xmlns:tiff='http://ns.adobe.com/tiff/1.0/' xmlns:exif='http://ns.adobe.com/exif/1.0/' "
           b"tiff:Make='XmpCam' exif:DateTimeOriginal='2020-01-02T03:04:05+05:00' "
           b"exif:GPSLatitude='10,30S' exif:GPSLongitude='20,15,36E'/></rdf:RDF></x:xmpmeta>")
    attributes = parse_exif(tiny_jpeg(exif_tiff, xmp=xmp)).attributes
    assert attributes["make"] == "ExifCam"
    assert attributes["datetime_original"] == "2020:01:02 03:04:05"
    assert "datetime_original_utc" not in attributes and "utc_offset_original" not in attributes
    assert attributes["gps_latitude"] == pytest.approx(-10.5)
    assert attributes["gps_longitude"] == pytest.approx(20.26)


@pytest.mark.parametrize("packet, warning", [
    (b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>", "XMP: XML declares a DOCTYPE or entities"),
    (b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF", "XMP: XML not well formed"),
    (b"<x xmlns:exif='http://ns.adobe.com/exif/1.0/' exif:GPSLatitude='91,0N' "
     b"exif:GPSLongitude='1,0E'/>", "XMP GPS latitude 91.0 out of range; ignored"),
    (b"<x xmlns:exif='http://ns.adobe.com/exif/1.0/' exif:GPSLatitude='north' "
     b"exif:GPSLongitude='1,0E'/>", "XMP GPS latitude 'north' is not an XMP coordinate"),
    (b"<x xmlns:exif='http://ns.adobe.com/exif/1.0/' exif:DateTimeOriginal='yesterday'/>",
     "XMP date 'yesterday' is not an XMP date"),
])
def test_bad_xmp_is_a_warning_and_exif_stays(packet: bytes, warning: str) -> None:
    exif_tiff = tiff_block(ifd0=[(0x010F, ASCII, "ExifCam")], exif=[], gps=[])
    result = parse_exif(tiny_jpeg(exif_tiff, xmp=packet))
    assert result.attributes["make"] == "ExifCam"
    assert "gps_latitude" not in result.attributes
    assert any(w.startswith(warning) for w in result.warnings), result.warnings


def test_corpus_values_read_from_xmp_match_exiftool(corpus: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Every value the XMP adds to a corpus photo (its EXIF lacks it) is exiftool's XMP tag."""
    from triage.extractors.metadata.jpeg_frame import jpeg_xmp_packet

    photos = [p for p in _corpus_photos(corpus) if jpeg_xmp_packet(p.read_bytes())]
    assert len(photos) >= 10
    oracle = exiftool_json(photos, "XMP:all")
    sources = {
        "software": ("Software", "CreatorTool"),
        "lens_model": ("LensModel", "Lens"),
        "orientation": ("Orientation",),
        "datetime_original": ("DateTimeOriginal", "DateCreated"),
        "datetime_digitized": ("DateTimeDigitized", "CreateDate"),
        "datetime_modified": ("ModifyDate", "DateTime"),
    }
    compared = 0
    for path in photos:
        data = path.read_bytes()
        with_xmp = parse_exif(data).attributes
        with monkeypatch.context() as patch:
            patch.setattr(exif_module, "jpeg_xmp_packet", lambda _data: None)
            exif_only = parse_exif(data).attributes
        record = oracle[str(path.resolve())]
        for name, tags in sources.items():
            if name in exif_only or name not in with_xmp:
                continue
            expected = next(record[t] for t in tags if t in record)
            ours = with_xmp[name]
            if name.startswith("datetime_") and name != "datetime_modified":
                kind = name.removeprefix("datetime_")
                ours += with_xmp.get(f"utc_offset_{kind}", "")
                expected = _without_fraction(expected).replace("Z", "+00:00")
            elif name == "datetime_modified":
                expected = _without_fraction(expected)[:19]
            assert ours == expected, (path.name, name)
            compared += 1
    assert compared >= 20
