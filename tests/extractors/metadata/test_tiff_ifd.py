"""The fast TIFF/EXIF IFD reader against ExifRead, its oracle and fallback.

Whatever the fast reader accepts must give exactly what ExifRead gives: the same
``MetadataResult`` from ``parse_exif`` (values and warnings) and, one level down, the
same tags with the same values. Checked on every corpus photo, against exiftool, on
hand-made corner cases and under hypothesis fuzzing (mutated real EXIF blocks, random
IFD structures, random JPEG segment layouts, random bytes).
"""

from __future__ import annotations

import re
import struct
import time
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

import exifread
import pytest
from exifread.tags.exif import EXIF_TAGS, GPS_TAGS
from exifread.utils import Ratio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.extractors.metadata.builders import (
    ASCII,
    LONG,
    RATIONAL,
    SHORT,
    dms,
    heif_with_exif,
    ifd,
    tiff_block,
    tiny_jpeg,
)
from tests.extractors.metadata.conftest import REPO, SAMPLES, exiftool_json
from tests.extractors.metadata.samples import HEIC_GPS, JPEG_GPS, TIFF_GPS
from triage.extractors.metadata import exif as exif_module
from triage.extractors.metadata import tiff_ifd
from triage.extractors.metadata.exif import parse_exif
from triage.extractors.metadata.extractor import image_format
from triage.extractors.metadata.result import MetadataResult
from triage.extractors.metadata.tiff_ifd import Rational, TiffDecline, TiffTags, read_exif_tags

CORPUS_ROOT = REPO / ".." / "shared" / "corpus"
SAMPLE_PHOTOS = [SAMPLES / relative for relative in (JPEG_GPS, HEIC_GPS, TIFF_GPS)]
#: Every key the fast reader can return.
RETURNED_KEYS = frozenset(key for names in tiff_ifd._WANTED.values() for key in names.values())
#: Two corpus JPEGs keep Make/Model outside the EXIF APP1 (see test_exif.py).
MAKE_OUTSIDE_APP1 = ("olympus-d320l.jpg", "sony-powershota5.jpg")
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- helpers ---------------------------------------------------------------------------
def _parse(data: bytes, fast: bool) -> MetadataResult:
    saved = exif_module.USE_FAST_READER
    exif_module.USE_FAST_READER = fast
    try:
        return parse_exif(data)
    finally:
        exif_module.USE_FAST_READER = saved


def _source(data: bytes) -> bytes | None:
    """What ``_read_tags`` gives the readers (a HEIF file's EXIF block, else the data)."""
    return exif_module._exif_source(data, MetadataResult())


def _fast(source: bytes) -> TiffTags | None:
    """The fast reader's answer when exif.py would use it, else None (declined)."""
    started = time.monotonic()
    try:
        fast = tiff_ifd._read(source)  # no safety net: only TiffDecline may come out
    except TiffDecline:
        return None
    finally:
        assert time.monotonic() - started < 5  # a hang guard, not a speed check
    within_budget = (
        fast.reads * exif_module._FAST_SHARE_OF_BUDGET <= exif_module.MAX_READS
        and fast.read_bytes * exif_module._FAST_SHARE_OF_BUDGET <= exif_module.MAX_READ_BYTES
    )
    return fast if within_budget else None


def _comparable(values: Any) -> Any:
    """Values in a form where ExifRead's and ours compare equal exactly when they match."""
    if not isinstance(values, list):
        return (type(values).__name__, values)
    out = []
    for value in values:
        if isinstance(value, Fraction):
            out.append(("ratio", value.numerator, value.denominator))
        elif isinstance(value, tuple):
            out.append(("float", repr(value)))  # repr: NaN equals NaN
        else:
            out.append((type(value).__name__, value))
    return out


def _assert_same_tags(source: bytes, fast: TiffTags) -> None:
    """The fast reader's tags are ExifRead's, value for value, for every returned key."""
    result = MetadataResult()
    tags, found = exif_module._read_tags_exifread(source, result)
    assert result.warnings == [], "fast path accepted what ExifRead has trouble with"
    assert fast.found == found
    theirs = {key: _comparable(tag.values) for key, tag in tags.items() if key in RETURNED_KEYS}
    ours = {key: _comparable(tag.values) for key, tag in fast.tags.items()}
    assert ours == theirs
    # exif.py trusts the reader's estimate of ExifRead's cost to leave every input that
    # ExifRead would cut short at its budget to ExifRead: it must be an upper bound.
    stream = exif_module._BudgetedStream(source)
    exifread.process_file(stream, details=False, extract_thumbnail=False)
    assert stream._reads <= fast.reads
    assert stream._bytes <= fast.read_bytes


def _check(data: bytes) -> bool:
    """Differential check of one input; returns whether the fast path took it."""
    started = time.monotonic()
    fast_result = _parse(data, True)
    assert time.monotonic() - started < 5
    assert fast_result == _parse(data, False)
    source = _source(data)
    if not source:
        return False
    source = source[: exif_module.MAX_INPUT]
    fast = _fast(source)
    if fast is None:
        return False
    _assert_same_tags(source, fast)
    return True


def _corpus_images() -> list[Path]:
    """Every corpus file parse_exif is given (by content, as the extractor picks them)."""
    if not CORPUS_ROOT.is_dir():
        return []
    images = []
    for path in sorted(CORPUS_ROOT.resolve().rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                if image_format(handle.read(16)) is not None:
                    images.append(path)
    return images


CORPUS_IMAGES = _corpus_images()


class _SpyExifRead:
    """Counts calls of ``exifread.process_file`` (the fallback)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = exifread.process_file

        def spy(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(exifread, "process_file", spy)


# -- the corpus ------------------------------------------------------------------------
def test_every_corpus_image_gives_the_same_result_on_both_paths(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if not CORPUS_IMAGES:
        pytest.skip(f"corpus absent ({CORPUS_ROOT})")
    spy = _SpyExifRead(monkeypatch)
    fast_by_format: dict[str, list[int]] = {}
    declined = []
    for path in [*CORPUS_IMAGES, *SAMPLE_PHOTOS]:
        data = path.read_bytes()
        assert _parse(data, False) == _parse(data, True), path
        spy.calls = 0
        _parse(data, True)
        took_fast = spy.calls == 0
        assert _check(data) == took_fast, path
        counts = fast_by_format.setdefault(image_format(data) or "?", [0, 0])
        counts[0 if took_fast else 1] += 1
        if not took_fast:
            declined.append(path.name)
    with capsys.disabled():
        summary = ", ".join(f"{fmt} {n[0]} fast / {n[1]} ExifRead" for fmt, n in fast_by_format.items())
        print(f"\nfast EXIF reader on the corpus: {summary}; fell back: {declined}")
    # The fast path must carry the corpus, or the equality above proves little.
    jpeg_fast, jpeg_slow = fast_by_format["JPEG"]
    assert jpeg_fast >= 0.9 * (jpeg_fast + jpeg_slow), declined
    assert len(declined) <= 0.1 * (len(CORPUS_IMAGES) + len(SAMPLE_PHOTOS)), declined


@pytest.mark.parametrize("path", SAMPLE_PHOTOS, ids=lambda p: p.name)
def test_committed_samples_take_the_fast_path(path: Path) -> None:
    assert _check(path.read_bytes())


def test_fast_path_agrees_with_exiftool() -> None:
    photos = [p for p in [*CORPUS_IMAGES, *SAMPLE_PHOTOS] if _check(p.read_bytes())]
    oracle = exiftool_json(photos, "Make", "Model", "GPSLatitude", "GPSLongitude", "GPSAltitude")
    gps_seen = 0
    for path in photos:
        record = oracle[str(path.resolve())]
        attributes = _parse(path.read_bytes(), True).attributes
        for ours, theirs in (("make", "Make"), ("model", "Model")):
            if ours not in attributes and path.name in MAKE_OUTSIDE_APP1:
                continue
            assert attributes.get(ours) == (str(record.get(theirs, "")).strip() or None), path
        assert ("gps_latitude" in attributes) == ("GPSLatitude" in record), path
        if "GPSLatitude" in record:
            gps_seen += 1
            for ours, theirs in (("gps_latitude", "GPSLatitude"), ("gps_longitude", "GPSLongitude")):
                assert attributes[ours] == pytest.approx(record[theirs], abs=1e-6), path
        if "GPSAltitude" in record:
            assert attributes["gps_altitude"] == pytest.approx(record["GPSAltitude"], abs=1e-6)
    assert gps_seen >= (8 if CORPUS_IMAGES else 3)


# -- what exif.py reads is what the reader returns -------------------------------------
def test_returned_keys_are_exifread_names() -> None:
    prefixes = {
        tiff_ifd._IMAGE: "Image",
        tiff_ifd._THUMBNAIL: "Thumbnail",
        tiff_ifd._EXIF: "EXIF",
        tiff_ifd._GPS: "GPS",
    }
    for kind, names in tiff_ifd._WANTED.items():
        table = GPS_TAGS if kind == tiff_ifd._GPS else EXIF_TAGS
        for tag, key in names.items():
            prefix, name = key.split(" ", 1)
            assert prefix == prefixes[kind]
            assert table[tag][0] == name, key
    assert EXIF_TAGS[0x8769][0] == "ExifOffset"
    assert EXIF_TAGS[0x8825][1][0] == "GPS"
    assert EXIF_TAGS[0xA005][1][0] == "Interoperability"


def test_every_key_exif_py_reads_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    class Recording(dict):
        def __init__(self, value: Any) -> None:
            super().__init__()
            self.value = value
            self.asked: set[str] = set()

        def get(self, key: Any, default: Any = None) -> Any:
            self.asked.add(key)
            return self.value

    asked: set[str] = set()
    for value in (None, tiff_ifd.Tag([1, 1, 1])):
        recording = Recording(value)
        monkeypatch.setattr(exif_module, "_read_tags", lambda data, result, r=recording: (r, True))
        parse_exif(b"II*\x00" + b"\x00" * 8)
        asked |= recording.asked
    assert asked and asked <= RETURNED_KEYS, asked - RETURNED_KEYS
    source = Path(exif_module.__file__).read_text()
    literal_keys = set(re.findall(r'"((?:Image|EXIF|GPS|Thumbnail) \w+)"', source))
    assert literal_keys <= RETURNED_KEYS


# -- values shaped like ExifRead's -----------------------------------------------------
def test_rational_behaves_like_exifread_ratio() -> None:
    for numerator, denominator in ((6, 4), (0, 5), (-3, 6), (3, -6), (-3, -6), (5, 0), (0, 0)):
        ours, theirs = Rational(numerator, denominator), Ratio(numerator, denominator)
        assert isinstance(ours, Fraction)
        assert (ours.numerator, ours.denominator) == (theirs.numerator, theirs.denominator)
        if denominator:
            assert float(ours) == float(theirs)
        else:
            with pytest.raises(ZeroDivisionError):
                float(ours)


def test_every_field_type_is_shaped_like_exifread() -> None:
    # One wanted tag (Image Make, 0x010F) per field type, each in its own file.
    values = {
        1: b"\x01\xff\x80",
        2: b"Caf\xc3\xa9\x00junk",
        3: struct.pack("<3H", 1, 65535, 7),
        4: struct.pack("<2I", 0xFFFFFFFF, 3),
        5: struct.pack("<4I", 10, 4, 0, 0),
        6: b"\x01\xff\x80",
        7: b"\x00\x41\x42",
        8: struct.pack("<3h", -1, 2, -32768),
        9: struct.pack("<2i", -5, 7),
        10: struct.pack("<4i", -10, 4, 3, 0),
        11: struct.pack("<2f", 1.5, float("nan")),
        12: struct.pack("<d", -2.25),
        13: struct.pack("<I", 77),
    }
    widths = dict(zip(range(1, 14), (1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4), strict=True))
    for field_type, raw in values.items():
        count = len(raw) // widths[field_type]
        tiff = _raw_tiff("<", [[(0x010F, field_type, count, raw)]])
        assert _check(tiff), field_type
        assert _check(tiny_jpeg(tiff)), field_type
    undecodable = _raw_tiff("<", [[(0x010F, ASCII, 4, b"\xff\xfeA\x00")]])
    assert read_exif_tags(undecodable).tags["Image Make"].values == b"\xff\xfeA"
    assert _check(undecodable)


def test_big_endian_tiff_with_gps() -> None:
    gps = [
        (0x0001, ASCII, 2, b"S\x00"),
        (0x0002, RATIONAL, 3, struct.pack(">6I", 33, 1, 51, 1, 3132, 100)),
        (0x0003, ASCII, 2, b"E\x00"),
        (0x0004, RATIONAL, 3, struct.pack(">6I", 151, 1, 12, 1, 0, 1)),
    ]
    tiff = _raw_tiff(">", [[(0x010F, ASCII, 5, b"BigE\x00")]], gps=gps)
    assert _check(tiff)
    attributes = parse_exif(tiff).attributes
    assert attributes["make"] == "BigE"
    assert attributes["gps_latitude"] == pytest.approx(-(33 + 51 / 60 + 31.32 / 3600))


# -- declines and the fallback -----------------------------------------------------------
def _declines(data: bytes) -> None:
    with pytest.raises(TiffDecline):
        read_exif_tags(_source(data) or b"")
    assert _parse(data, True) == _parse(data, False)


def test_ifd_chain_loop_declines() -> None:
    entries = [(0x010F, ASCII, "LoopCam")]
    _declines(b"II*\x00" + struct.pack("<I", 8) + ifd(entries, 8, next_ifd=8))


def test_ifd_outside_the_block_declines() -> None:
    block = b"II*\x00" + struct.pack("<I", 4000) + b"\x00" * 16
    _declines(tiny_jpeg(block))
    _declines(block)


def test_value_outside_the_app1_segment_declines() -> None:
    # The Make string points past the APP1 segment, into the rest of the JPEG file.
    tiff = _raw_tiff("<", [[(0x010F, ASCII, 40, 600)]])
    _declines(tiny_jpeg(tiff))


def test_unused_value_outside_the_block_is_accepted() -> None:
    # XResolution (not returned) points far away: ExifRead reads zeros, no harm.
    tiff = _raw_tiff("<", [[(0x010F, ASCII, 4, b"Cam\x00"), (0x011A, RATIONAL, 1, 0x7FFFFFF0)]])
    assert _check(tiff)
    assert _check(tiny_jpeg(tiff))


def test_float_outside_the_block_declines() -> None:
    # ExifRead raises on a lone DOUBLE it cannot read; the fast reader leaves it that case.
    tiff = _raw_tiff("<", [[(0x010F, ASCII, 4, b"Cam\x00"), (0x9999, 12, 1, 0x7FFFFFF0)]])
    _declines(tiff)


def test_odd_pointer_types_decline_and_empty_gps_pointer_is_skipped() -> None:
    make = (0x010F, ASCII, 4, b"Cam\x00")
    _declines(_raw_tiff("<", [[make, (0x8769, ASCII, 4, b"abc\x00")]]))
    _declines(_raw_tiff("<", [[make, (0x8769, LONG, 0, b"")]]))
    _declines(_raw_tiff("<", [[make, (0x8825, RATIONAL, 1, struct.pack("<2I", 8, 1))]]))
    # ExifRead ignores a GPS pointer without a value; so does the fast reader.
    assert _check(_raw_tiff("<", [[make, (0x8825, LONG, 0, b"")]]))


def test_shared_and_repeated_sub_ifds() -> None:
    gps = [(0x0001, ASCII, 2, b"N\x00"), (0x001D, ASCII, 11, b"2020:01:02\x00")]
    make = (0x010F, ASCII, 4, b"Cam\x00")
    # The same GPS IFD referred to from IFD0 and from the EXIF IFD: parsed once, same keys.
    assert _check(_raw_tiff("<", [[make]], [], gps=gps, exif_gps=True))
    # Two different GPS IFDs, or one IFD used as both EXIF and GPS IFD: declined.
    _declines(_raw_tiff("<", [[make]], [], gps=gps, exif_gps=True, second_gps=True))
    _declines(_raw_tiff("<", [[make]], gps=gps, gps_is_exif=True))


def test_last_of_two_exif_pointers_wins_as_in_exifread() -> None:
    first = [(0x9003, ASCII, 20, b"2001:01:01 00:00:00\x00")]
    last = [(0x9003, ASCII, 20, b"2002:02:02 00:00:00\x00")]
    make = (0x010F, ASCII, 4, b"Cam\x00")
    tiff = _raw_tiff("<", [[make, (0x8769, LONG, 1, Ref("extra"))]], last, extra=first)
    assert _check(tiff)
    assert parse_exif(tiff).attributes["datetime_original"] == "2002:02:02 00:00:00"


def test_exif_app1_after_exifread_scan_window() -> None:
    # A 5,000-byte APP2 before the EXIF APP1 hides it from ExifRead: both readers find
    # no EXIF there, and parse_exif then reads the block its own segment walk finds.
    tiff = tiff_block([(0x010F, ASCII, "Hidden")], [], [])
    jpeg = tiny_jpeg(tiff)
    app2 = b"\xff\xe2" + struct.pack(">H", 5002) + b"ICC_PROFILE\x00" + b"\x00" * 4988
    hidden = jpeg[:2] + app2 + jpeg[2:]
    assert _check(hidden)
    assert read_exif_tags(hidden).found is False
    result = parse_exif(hidden)
    assert result.attributes["make"] == "Hidden"
    assert result.warnings == []
    assert parse_exif(jpeg).attributes["make"] == "Hidden"


def test_jpeg_without_exif_is_answered_fast() -> None:
    assert _check(tiny_jpeg())
    nothing = read_exif_tags(tiny_jpeg())
    assert (nothing.tags, nothing.found) == ({}, False)


def test_unusual_exif_header_declines() -> None:
    jpeg = bytearray(tiny_jpeg(tiff_block([(0x010F, ASCII, "X")], [], [])))
    jpeg[10:12] = b"\x00\x01"  # "Exif\0\1"
    _declines(bytes(jpeg))


def test_too_many_entries_and_long_chains_decline() -> None:
    many = [(0x9000 + i, SHORT, 1) for i in range(tiff_ifd.MAX_ENTRIES + 1)]
    _declines(b"II*\x00" + struct.pack("<I", 8) + ifd(many, 8))
    body = b""
    for index in range(tiff_ifd.MAX_CHAIN + 1):
        start = 8 + len(body)
        last = index == tiff_ifd.MAX_CHAIN
        body += ifd([(0x0112, SHORT, 1)], start, next_ifd=0 if last else start + 18)
    _declines(b"II*\x00" + struct.pack("<I", 8) + body)


def test_reads_over_exifread_budget_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    tiff = tiff_block([(0x010F, ASCII, "Cam"), (0x0110, ASCII, "Model")], [], [])
    spy = _SpyExifRead(monkeypatch)
    parse_exif(tiff)
    assert spy.calls == 0
    monkeypatch.setattr(exif_module, "MAX_READS", 10)
    result = parse_exif(tiff)
    assert spy.calls == 1
    assert any("cut short" in warning for warning in result.warnings)


def test_unexpected_errors_become_declines(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: bytes) -> TiffTags:
        raise struct.error("boom")

    monkeypatch.setattr(tiff_ifd, "_read", broken)
    with pytest.raises(TiffDecline):
        read_exif_tags(b"II*\x00")
    data = (SAMPLES / JPEG_GPS).read_bytes()
    assert parse_exif(data) == _parse(data, False)


# -- builder of raw IFD structures -------------------------------------------------------
class Ref(NamedTuple):
    """An entry value that is the offset of another IFD of the block."""

    name: str


#: tag, type, count, value: bytes (the value, placed after the IFD when over 4 bytes),
#: int (the raw value/offset field) or Ref (the offset of another IFD).
RawEntry = tuple[int, int, int, "bytes | int | Ref"]


def _raw_tiff(
    order: str,
    chain: list[list[RawEntry]],
    exif: list[RawEntry] | None = None,
    gps: list[RawEntry] | None = None,
    interop: list[RawEntry] | None = None,
    *,
    exif_gps: bool = False,
    second_gps: bool = False,
    gps_is_exif: bool = False,
    pointer_types: dict[str, tuple[int, int]] | None = None,
    next_pointers: dict[int, int] | None = None,
    extra: list[RawEntry] | None = None,
) -> bytes:
    """A TIFF block with exactly the entries given (any type, count and value bytes).

    ``chain`` is IFD0, IFD1, ...; IFD0 points to the EXIF and GPS IFDs, the EXIF IFD to
    the Interop IFD (and to the GPS IFD too with ``exif_gps``, or to a copy of it with
    ``second_gps``). ``gps_is_exif`` makes IFD0's EXIF pointer point to the GPS IFD.
    ``pointer_types`` gives a pointer's (type, count); ``next_pointers`` a table's raw
    next-IFD pointer. ``extra`` is one more IFD, placed last, that entries can point to
    with ``Ref("extra")``.
    """
    types = pointer_types or {}
    first = list(chain[0])
    if gps_is_exif:
        first.append((0x8769, LONG, 1, Ref("gps")))
    elif exif is not None:
        first.append((0x8769, *types.get("exif", (LONG, 1)), Ref("exif")))
    if gps is not None:
        first.append((0x8825, *types.get("gps", (LONG, 1)), Ref("gps")))
    tables: list[tuple[str, list[RawEntry]]] = [("ifd0", first)]
    tables += [(f"ifd{index}", entries) for index, entries in enumerate(chain[1:], 1)]
    if exif is not None:
        exif = list(exif)
        if interop is not None:
            exif.append((0xA005, *types.get("interop", (LONG, 1)), Ref("interop")))
            tables.append(("interop", interop))
        if gps is not None and exif_gps:
            exif.append((0x8825, *types.get("gps", (LONG, 1)), Ref("gps2" if second_gps else "gps")))
        tables.append(("exif", exif))
    if gps is not None:
        tables.append(("gps", gps))
        if second_gps:
            tables.append(("gps2", gps))
    if extra is not None:
        tables.append(("extra", extra))

    def data_size(entries: list[RawEntry]) -> int:
        sizes = [len(v) for *_, v in entries if isinstance(v, bytes) and len(v) > 4]
        return sum(size + (size & 1) for size in sizes)

    where: dict[str, int] = {}
    position = 8
    for name, entries in tables:
        where[name] = position
        position += 2 + 12 * len(entries) + 4 + data_size(entries)
    out = b""
    for table_index, (name, entries) in enumerate(tables):
        data_at = where[name] + 2 + 12 * len(entries) + 4
        head, data = struct.pack(order + "H", len(entries)), b""
        for tag, field_type, count, value in entries:
            if isinstance(value, Ref) and field_type in (SHORT, 8):
                field = struct.pack(order + "HH", where[value.name], 0)
            elif isinstance(value, Ref):
                field = struct.pack(order + "I", where[value.name])
            elif isinstance(value, int):
                field = struct.pack(order + "I", value)
            elif len(value) <= 4:
                field = value.ljust(4, b"\x00")
            else:
                field = struct.pack(order + "I", data_at + len(data))
                data += value + (b"\x00" if len(value) & 1 else b"")
            head += struct.pack(order + "HHI", tag, field_type, count) + field
        next_ifd = 0
        if name.startswith("ifd") and int(name[3:]) + 1 < len(chain):
            next_ifd = where[f"ifd{int(name[3:]) + 1}"]
        next_ifd = (next_pointers or {}).get(table_index, next_ifd)
        out += head + struct.pack(order + "I", next_ifd) + data
    magic = b"II*\x00" if order == "<" else b"MM\x00*"
    return magic + struct.pack(order + "I", 8) + out


# -- fuzzing ---------------------------------------------------------------------------
WIDTHS = (0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0)
IMAGE_TAGS = [0x010F, 0x0110, 0x0131, 0x0132, 0x0112, 0x0100, 0x0101, 0xFDE9, 0x011A, 0x927C]
THUMB_TAGS = [0x0201, 0x0202, 0x0111, 0x0117, 0x0103]
EXIF_IFD_TAGS = [0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0xA433, 0xA434, 0xA431, 0xFDE9,
                 0xA435, 0xA002, 0xA003, 0x9286, 0x829A, 0x9000]
GPS_IFD_TAGS = [0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x001D, 0x0012]
INTEROP_TAGS = [0x0001, 0x0002, 0x1000]
RAW_OFFSETS = st.one_of(st.integers(0, 600), st.sampled_from([0, 8, 0x7FFFFFF0, 0xFFFFFFFF]))


@st.composite
def raw_entries(draw: st.DrawFn, tags: list[int]) -> list[RawEntry]:
    entries: list[RawEntry] = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 9)) == 0:
            # A (maybe second) pointer to the extra IFD.
            tag = draw(st.sampled_from([0x8769, 0x8825, 0xA005]))
            entries.append((tag, draw(st.sampled_from([LONG, LONG, SHORT, 13])), 1, Ref("extra")))
            continue
        tag = draw(st.one_of(st.sampled_from(tags), st.integers(0, 0xFFFF)))
        field_type = draw(st.one_of(st.sampled_from([2, 2, 3, 4, 5, 5, 7, 10]), st.integers(0, 15)))
        count = draw(st.one_of(st.integers(0, 6), st.sampled_from([999, 1000, 0xFFFFFFFF])))
        nbytes = count * WIDTHS[field_type]
        value: bytes | int
        if nbytes > 64 or draw(st.integers(0, 15)) == 0:
            value = draw(RAW_OFFSETS)
        elif field_type == 2 and draw(st.booleans()):
            text = draw(st.sampled_from([b"2021:03:04 05:06:07", b"+02:00", b"N", b"W", b"Cam"]))
            value = (text + b"\x00" * nbytes)[:nbytes]
        else:
            value = draw(st.binary(min_size=nbytes, max_size=nbytes))
        entries.append((tag, field_type, count, value))
    return entries


@st.composite
def random_tiffs(draw: st.DrawFn) -> bytes:
    order = draw(st.sampled_from("<>"))
    chain = [draw(raw_entries(IMAGE_TAGS))]
    for _ in range(draw(st.integers(0, 2))):
        chain.append(draw(raw_entries(THUMB_TAGS + IMAGE_TAGS[:3] + [0x8825])))
    exif = draw(st.one_of(st.none(), raw_entries(EXIF_IFD_TAGS)))
    gps = draw(st.one_of(st.none(), raw_entries(GPS_IFD_TAGS)))
    interop = draw(st.one_of(st.none(), raw_entries(INTEROP_TAGS))) if exif is not None else None
    pointer_type = st.one_of(st.just((LONG, 1)), st.sampled_from(
        [(SHORT, 1), (13, 1), (LONG, 0), (LONG, 2), (ASCII, 4), (RATIONAL, 1), (9, 1)]))
    pointer_types = {name: draw(pointer_type) for name in ("exif", "gps", "interop")}
    next_pointers = {}
    if draw(st.integers(0, 7)) == 0:
        next_pointers[draw(st.integers(0, 2))] = draw(RAW_OFFSETS)
    extra = draw(raw_entries(EXIF_IFD_TAGS[:6] + GPS_IFD_TAGS[:4]))
    return _raw_tiff(
        order,
        chain,
        exif=exif,
        gps=gps,
        interop=interop,
        exif_gps=gps is not None and exif is not None and draw(st.booleans()),
        next_pointers=next_pointers,
        pointer_types=pointer_types,
        extra=extra,
    )


def _containers(tiff: bytes) -> list[bytes]:
    return [tiff, tiny_jpeg(tiff), heif_with_exif(tiff, 4, 4)]


def test_fuzz_random_ifd_structures() -> None:
    taken: list[bool] = []

    @FUZZ
    @given(random_tiffs())
    def run(tiff: bytes) -> None:
        for data in _containers(tiff):
            taken.append(_check(data))

    run()
    _report("random IFD structures", taken, at_least=0.1)


def _exif_blocks() -> list[tuple[str, bytes, int]]:
    """(name, file bytes, TIFF start) of the samples and of a few corpus photos."""
    photos = [*SAMPLE_PHOTOS]
    wanted = ("DSCN0010.jpg", "Canon_40D.jpg", "iphone_hdr_NO.jpg", "Arbitro.tiff",
              "HMD_Nokia_8.3_5G_hdr.heif", "Kodak_CX7530.jpg", "Nikon_D70.jpg")
    photos += [p for p in CORPUS_IMAGES if p.name in wanted]
    blocks = []
    for path in photos:
        data = path.read_bytes()
        if data[4:8] == b"ftyp":
            blocks.append((path.name, _source(data) or b"", 0))
        elif data[:2] == b"\xff\xd8":
            start = data.find(b"Exif\x00\x00") + 6
            blocks.append((path.name, data, start))
        else:
            blocks.append((path.name, data, 0))
    return blocks


EXIF_BLOCKS = _exif_blocks()


def _entry_positions(data: bytes, start: int) -> list[int]:
    """Absolute positions of the IFD entries of the TIFF block at ``start`` (lenient walk)."""
    order = "<" if data[start : start + 2] == b"II" else ">"
    todo = [struct.unpack_from(order + "I", data, start + 4)[0]]
    seen: set[int] = set()
    positions = []
    while todo and len(seen) < 16:
        offset = todo.pop()
        if offset in seen or start + offset + 2 > len(data):
            continue
        seen.add(offset)
        count = struct.unpack_from(order + "H", data, start + offset)[0]
        for index in range(min(count, 300)):
            pos = start + offset + 2 + 12 * index
            if pos + 12 > len(data):
                break
            positions.append(pos)
            tag, _, _, value = struct.unpack_from(order + "HHII", data, pos)
            if tag in (0x8769, 0x8825, 0xA005):
                todo.append(value)
        next_at = start + offset + 2 + 12 * count
        if next_at + 4 <= len(data):
            todo.append(struct.unpack_from(order + "I", data, next_at)[0])
    return positions


INTERESTING = {
    2: [0, 1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 0xFFFF],  # type
    4: [0, 1, 2, 3, 4, 5, 8, 999, 1000, 0xFFFFFFFF],  # count
    8: [0, 1, 4, 8, 0x100, 0xFFF0, 0x7FFFFFFF, 0xFFFFFFFF],  # value / offset
}


def test_fuzz_mutated_real_exif_blocks() -> None:
    taken: list[bool] = []

    @FUZZ
    @given(st.sampled_from(EXIF_BLOCKS), st.data())
    def run(block: tuple[str, bytes, int], data: st.DataObject) -> None:
        taken.extend(_check(candidate) for candidate in _mutated(block, data))

    run()
    _report("mutated real EXIF blocks", taken, at_least=0.1)


def _mutated(block: tuple[str, bytes, int], data: st.DataObject) -> list[bytes]:
    """Structure-aware mutations of a real photo's EXIF (entry fields, bytes, truncation)."""
    _, original, start = block
    mutated = bytearray(original)
    positions = _entry_positions(original, start)
    for _ in range(data.draw(st.integers(1, 4))):
        how = data.draw(st.sampled_from(["entry", "entry", "byte", "tag"]))
        if how != "byte" and positions:
            pos = data.draw(st.sampled_from(positions))
            if how == "tag":
                struct.pack_into("<H", mutated, pos, data.draw(st.integers(0, 0xFFFF)))
            else:
                field = data.draw(st.sampled_from(sorted(INTERESTING)))
                value = data.draw(st.sampled_from(INTERESTING[field]))
                size = 2 if field == 2 else 4
                order = "<" if original[start : start + 1] == b"I" else ">"
                struct.pack_into(order + ("H" if size == 2 else "I"), mutated, pos + field, value)
        else:
            where = data.draw(st.integers(start, min(len(mutated), start + 4096) - 1))
            mutated[where] = data.draw(st.integers(0, 255))
    if data.draw(st.integers(0, 4)) == 0:
        del mutated[data.draw(st.integers(start, len(mutated))) :]
    mutated_bytes = bytes(mutated)
    if start == 0 and mutated_bytes[:2] in (b"II", b"MM"):
        return [mutated_bytes, tiny_jpeg(mutated_bytes)]
    return [mutated_bytes]


_SEGMENTS = {
    "jfif": b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
    "xmp": b"\xff\xe1" + struct.pack(">H", 40) + b"http://ns.adobe.com/xap/1.0/\x00" + b"x" * 9,
    "icc": b"\xff\xe2" + struct.pack(">H", 1200) + b"ICC_PROFILE\x00" + b"\x00" * 1186,
    "big": b"\xff\xed" + struct.pack(">H", 4100) + b"Photoshop 3.0\x00" + b"\x00" * 4084,
    "com": b"\xff\xfe\x00\x0aComment!",
    "short": b"\xff\xe3\x00\x04ab",
    "dqt": b"\xff\xdb\x00\x43" + b"\x00" + b"\x01" * 64,
    "dht": b"\xff\xc4\x00\x14\x00" + b"\x01" + b"\x00" * 15 + b"\x00",
    "fill": b"\xff",
    "garbage": b"\x12\x34\x56\x78",
}


def test_fuzz_jpeg_segment_layouts() -> None:
    taken: list[bool] = []
    tiff = tiff_block([(0x010F, ASCII, "SegCam")], [], [(0x0001, ASCII, "N")])
    app1 = b"\xff\xe1" + struct.pack(">H", len(tiff) + 8) + b"Exif\x00\x00" + tiff
    frame = tiny_jpeg()[2:]

    @FUZZ
    @given(
        st.lists(st.sampled_from(sorted(_SEGMENTS)), max_size=5),
        st.lists(st.sampled_from(sorted(_SEGMENTS)), max_size=3),
        st.integers(0, 0xFFFF),
        st.integers(0, 8),
        st.one_of(st.none(), st.integers(0, 4200), st.integers(3970, 4010)),
    )
    def run(
        before: list[str], after: list[str], bad_length: int, break_at: int, pad: int | None
    ) -> None:
        segments = [_SEGMENTS[name] for name in before]
        if pad is not None:
            segments.append(_app_segment(0xE4, pad))
        segments.append(app1)
        segments += [_SEGMENTS[name] for name in after]
        if break_at < len(segments) and len(segments[break_at]) >= 4:
            # One segment with a wrong length field.
            broken = bytearray(segments[break_at])
            broken[2:4] = struct.pack(">H", bad_length)
            segments[break_at] = bytes(broken)
        taken.append(_check(b"\xff\xd8" + b"".join(segments) + frame))

    run()
    _report("JPEG segment layouts", taken, at_least=0.1)


def _app_segment(marker: int, size: int) -> bytes:
    """An APPn segment of ``size`` bytes in all (at least its 4-byte header)."""
    size = max(size, 4)
    return bytes([0xFF, marker]) + struct.pack(">H", size - 2) + b"\x00" * (size - 4)


def test_exif_app1_around_the_end_of_exifread_scan_window() -> None:
    tiff = tiff_block([(0x010F, ASCII, "EdgeCam")], [], [])
    app1 = b"\xff\xe1" + struct.pack(">H", len(tiff) + 8) + b"Exif\x00\x00" + tiff
    jfif = _SEGMENTS["jfif"]
    frame = tiny_jpeg()[2:]
    makes = set()
    # ExifRead scans 4,000 bytes from the first segment after the JFIF APP0 (at 20); the
    # fast reader agrees with it on each side of that edge, and parse_exif reads the
    # segment either way.
    for pad in range(3975, 4010):
        data = b"\xff\xd8" + jfif + _app_segment(0xE4, pad) + app1 + frame
        _check(data)
        makes.add(parse_exif(data).attributes.get("make"))
    assert makes == {"EdgeCam"}


def test_fuzz_random_entries_in_a_well_formed_app1() -> None:
    taken: list[bool] = []

    entry = st.tuples(
        st.one_of(st.sampled_from([*IMAGE_TAGS, 0x8769, 0x8825]), st.integers(0, 0xFFFF)),
        st.one_of(st.integers(0, 15), st.integers(0, 0xFFFF)),
        st.one_of(st.integers(0, 8), st.integers(0, 0xFFFFFFFF)),
        st.one_of(st.integers(0, 600), st.integers(0, 0xFFFFFFFF)),
    )

    @FUZZ
    @given(st.sampled_from("<>"), st.lists(entry, max_size=12), st.binary(max_size=512))
    def run(order: str, entries: list[tuple[int, int, int, int]], tail: bytes) -> None:
        magic = b"II*\x00" if order == "<" else b"MM\x00*"
        tiff = magic + struct.pack(order + "IH", 8, len(entries))
        tiff += b"".join(struct.pack(order + "HHII", *fields) for fields in entries)
        tiff += b"\x00" * 4 + tail  # no next IFD
        taken.append(_check(tiny_jpeg(tiff)))
        taken.append(_check(tiff))

    run()
    _report("random entries", taken, at_least=0.1)


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes_behind_each_signature(tail: bytes) -> None:
    for head in (b"\xff\xd8\xff\xe1", b"\xff\xd8\xff\xe0", b"II*\x00", b"MM\x00*"):
        _check(head + tail)


def _report(name: str, taken: list[bool], at_least: float) -> None:
    """Fuzzing that always fell back would prove nothing: most inputs must reach the fast path."""
    share = sum(taken) / max(len(taken), 1)
    print(f"fuzz {name}: {sum(taken)} of {len(taken)} inputs on the fast path")
    assert share >= at_least, f"only {share:.0%} of {name} took the fast path"


def test_gps_sample_values_survive_the_fast_path() -> None:
    tiff = tiff_block(
        [(0x010F, ASCII, "X")],
        [],
        [
            (0x0001, ASCII, "S"),
            (0x0002, RATIONAL, dms(33.5)),
            (0x0003, ASCII, "W"),
            (0x0004, RATIONAL, [(70, 1), (30, 1), (0, 0)]),
        ],
    )
    assert _check(tiny_jpeg(tiff))
    attributes = parse_exif(tiny_jpeg(tiff)).attributes
    # 0/0 seconds leave the longitude undefined (exiftool: ""), so there is no position.
    assert "gps_longitude" not in attributes and "gps_latitude" not in attributes
    tiff = tiff.replace(struct.pack("<6I", 70, 1, 30, 1, 0, 0), struct.pack("<6I", 70, 1, 30, 1, 0, 1))
    assert _check(tiny_jpeg(tiff))
    attributes = parse_exif(tiny_jpeg(tiff)).attributes
    assert attributes["gps_latitude"] == pytest.approx(-33.5)
    assert attributes["gps_longitude"] == pytest.approx(-70.5)
