"""A minimal, bounded reader of the TIFF/EXIF tags that :mod:`exif` uses.

:func:`read_exif_tags` is the fast path of :func:`triage.extractors.metadata.exif.parse_exif`:
it locates the TIFF block (a JPEG's ``APP1 Exif`` segment, or the data itself for TIFF
files and HEIF EXIF blocks), walks IFD0, the IFD chain, the EXIF, GPS and
Interoperability IFDs, and returns only the tags ``exif.py`` reads, keyed and shaped like
ExifRead's (``"Image Make"``, ``"GPS GPSLatitude"``; objects with a ``values`` attribute).

ExifRead stays the reference. This reader promises the same tags as ExifRead's
``process_file(details=False)`` would return for every input it accepts, and raises
:class:`TiffDecline` for anything it is not sure about: unusual JPEG segment layouts,
IFDs or values outside the TIFF block, IFD loops or shared IFDs, odd types of the
pointer tags, more entries than real cameras write. Every count and offset is checked
before use, each IFD is parsed once and the walk never recurses more than one level.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd
from typing import Any

#: Segments looked at before the EXIF APP1; cameras write a handful.
MAX_SEGMENTS = 64
#: IFDs followed along the IFD0 -> IFD1 -> ... chain.
MAX_CHAIN = 32
#: Entries accepted in one IFD and in all IFDs of one file.
MAX_ENTRIES = 1024
MAX_TOTAL_ENTRIES = 4096
#: Longest ASCII value decoded for a tag we return.
MAX_ASCII = 64 * 1024

# ExifRead looks for the EXIF APP1 in the first 4000 bytes after the leading segments
# whose identifier is one of these (it skips those by their length first).
_LEADING_IDS = frozenset({b"JFIF", b"JFXX", b"OLYM", b"Phot"})
_SCAN_WINDOW = 4000

# TIFF field types: value width in bytes (1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL,
# 6 SBYTE, 7 UNDEFINED, 8 SSHORT, 9 SLONG, 10 SRATIONAL, 11 FLOAT, 12 DOUBLE, 13 IFD).
_WIDTH = (0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4)
_ASCII = 2
_RATIONALS = frozenset({5, 10})
_FLOATS = frozenset({11, 12})
_UNSIGNED_POINTERS = frozenset({3, 4, 13})
# struct codes of the numeric types (rationals are read as two integers each).
_CODE = {
    1: "B", 3: "H", 4: "I", 5: "I", 6: "b", 7: "B", 8: "h", 9: "i", 10: "i", 11: "f", 12: "d",
    13: "I",
}
# ExifRead does not read more than this many values of a numeric tag (it keeps none).
_MAX_VALUES = 1000
# ExifRead skips these tags entirely when it is not decoding MakerNotes.
_SKIPPED = frozenset({0x02BC, 0x927C, 0x9286})

_EXIF_POINTER = 0x8769
_GPS_POINTER = 0x8825
_INTEROP_POINTER = 0xA005

# Kinds of IFD; the first four use the main tag table (and so can point to GPS/Interop).
_IMAGE, _THUMBNAIL, _OTHER, _EXIF, _GPS, _INTEROP = range(6)
_MAIN_TABLE = frozenset({_IMAGE, _THUMBNAIL, _OTHER, _EXIF})

# The tags returned, per IFD kind, under ExifRead's "<IFD name> <tag name>" keys.
_WANTED: dict[int, dict[int, str]] = {
    _IMAGE: {
        0x010F: "Image Make",
        0x0110: "Image Model",
        0x0131: "Image Software",
        0x0132: "Image DateTime",
        0x0112: "Image Orientation",
        0x0100: "Image ImageWidth",
        0x0101: "Image ImageLength",
        0xFDE9: "Image SerialNumber",
    },
    _THUMBNAIL: {
        0x0201: "Thumbnail JPEGInterchangeFormat",
        0x0202: "Thumbnail JPEGInterchangeFormatLength",
        0x0111: "Thumbnail StripOffsets",
        0x0117: "Thumbnail StripByteCounts",
    },
    _OTHER: {},
    _EXIF: {
        0x9003: "EXIF DateTimeOriginal",
        0x9004: "EXIF DateTimeDigitized",
        0x9010: "EXIF OffsetTime",
        0x9011: "EXIF OffsetTimeOriginal",
        0x9012: "EXIF OffsetTimeDigitized",
        0xA433: "EXIF LensMake",
        0xA434: "EXIF LensModel",
        0xA431: "EXIF BodySerialNumber",
        0xFDE9: "EXIF SerialNumber",
        0xA435: "EXIF LensSerialNumber",
        0xA002: "EXIF ExifImageWidth",
        0xA003: "EXIF ExifImageLength",
    },
    _GPS: {
        0x0001: "GPS GPSLatitudeRef",
        0x0002: "GPS GPSLatitude",
        0x0003: "GPS GPSLongitudeRef",
        0x0004: "GPS GPSLongitude",
        0x0005: "GPS GPSAltitudeRef",
        0x0006: "GPS GPSAltitude",
        0x0007: "GPS GPSTimeStamp",
        0x001D: "GPS GPSDate",
    },
    _INTEROP: {},
}

#: Every key this reader returns (the tags exif.py reads).
RETURNED_KEYS = frozenset(key for names in _WANTED.values() for key in names.values())


def _build_targets() -> dict[int, dict[int, str | int]]:
    """Per IFD kind: tag -> key of a returned tag, or the kind of IFD the tag points to."""
    targets: dict[int, dict[int, str | int]] = {
        kind: dict(names) for kind, names in _WANTED.items()
    }
    targets[_IMAGE][_EXIF_POINTER] = _EXIF
    for kind in _MAIN_TABLE:
        targets[kind][_GPS_POINTER] = _GPS
        targets[kind][_INTEROP_POINTER] = _INTEROP
    return targets


_TARGETS = _build_targets()


class TiffDecline(Exception):
    """The input is outside what the fast reader vouches for: read it with ExifRead.

    ``damaged`` says the TIFF structure itself is broken (a loop, a pointer or value
    outside the block, impossible counts), as opposed to a layout the fast reader merely
    leaves to ExifRead; the caller warns about the former.
    """

    def __init__(self, reason: str, damaged: bool = False) -> None:
        super().__init__(reason)
        self.damaged = damaged


class Rational(Fraction):
    """A RATIONAL/SRATIONAL value; n/0 is kept as written, so ``float()`` raises on it."""

    __slots__ = ()

    def __new__(cls, numerator: int, denominator: int) -> Rational:
        """Return ``numerator/denominator``, reduced unless the denominator is zero."""
        # Built directly: Fraction's constructor costs several times more and refuses n/0,
        # which EXIF writers use (0/0 for "unset").
        value = object.__new__(cls)
        if denominator:
            divisor = gcd(numerator, denominator)
            if denominator < 0:
                divisor = -divisor
            numerator //= divisor
            denominator //= divisor
        value._numerator = numerator  # type: ignore[misc]
        value._denominator = denominator  # type: ignore[misc]
        return value


class Tag:
    """One tag's decoded values: str (or bytes) for ASCII, a list for the other types;
    ``field_type`` is the TIFF type it was stored with (as ExifRead's tags have it)."""

    __slots__ = ("field_type", "values")

    def __init__(self, values: Any, field_type: int = _ASCII) -> None:
        self.values = values
        self.field_type = field_type

    def __repr__(self) -> str:
        return f"Tag({self.values!r})"


@dataclass
class TiffTags:
    """What :func:`read_exif_tags` read.

    ``found`` is whether ExifRead would have returned any tag at all (it also keeps the
    tags not returned here); ``reads`` and ``read_bytes`` are upper bounds of the read
    calls and bytes ExifRead would spend on the input, so the caller can decline inputs
    that ExifRead would cut short at its budget.
    """

    tags: dict[str, Tag] = field(default_factory=dict)
    found: bool = False
    reads: int = 0
    read_bytes: int = 0


def read_exif_tags(data: bytes) -> TiffTags:
    """Return the EXIF tags of a JPEG, a TIFF file or a bare TIFF block.

    Raises :class:`TiffDecline` (and nothing else) when the input should be read by
    ExifRead instead.
    """
    try:
        return _read(data)
    except TiffDecline:
        raise
    except Exception as exc:  # a gap in the checks must mean "fall back", never a crash
        raise TiffDecline(f"unexpected {type(exc).__name__}") from exc


def first_ifd_is_empty(data: bytes, base: int) -> bool:
    """True when the TIFF block at ``data[base:]`` is well formed (header, every IFD of
    its chain in bounds, no loop) and its first IFD holds no entries: an EXIF block with
    nothing in it, not a damaged one."""
    try:
        reader = _IfdReader(data, base, len(data))
        chain = reader._chain()
        return bool(chain) and reader.u16.unpack_from(data, base + chain[0])[0] == 0
    except (TiffDecline, struct.error):
        return False


def _read(data: bytes) -> TiffTags:
    """:func:`read_exif_tags` without the last-resort conversion of errors to a decline."""
    head = data[:2]
    if head in (b"II", b"MM"):
        reader = _IfdReader(data, 0, len(data))
        reader.out.reads += 3
        reader.out.read_bytes += 14
        return reader.run()
    if data[4:12] in (b"ftypheic", b"ftypavif", b"ftypmif1"):
        raise TiffDecline("HEIF container")
    if head != b"\xff\xd8":
        raise TiffDecline("neither JPEG nor TIFF")
    start, end, reads, read_bytes = _jpeg_exif_span(data)
    if start < 0:
        return TiffTags(reads=reads, read_bytes=read_bytes)
    reader = _IfdReader(data, start, end)
    reader.out.reads += reads
    reader.out.read_bytes += read_bytes
    return reader.run()


def _jpeg_exif_span(data: bytes) -> tuple[int, int, int, int]:
    """Locate the TIFF block of a JPEG's EXIF APP1 segment as ExifRead would.

    Returns ``(start, end, reads, read_bytes)`` where the last two bound what ExifRead
    reads to get there; ``start`` is -1 when ExifRead would certainly find no EXIF.
    """
    size = len(data)
    pos = 2
    window_end = -1
    reads = 2
    for _ in range(MAX_SEGMENTS):
        if window_end >= 0:
            seen = min(window_end, size)
            if pos >= seen:
                # ExifRead's scan ran out of its window (or of the file) with no EXIF found.
                return -1, -1, reads, 2 * window_end + 16
            if pos + 10 > seen:
                raise TiffDecline("JPEG segment across the end of ExifRead's scan window")
        if pos + 10 > size or data[pos] != 0xFF:
            raise TiffDecline("JPEG segment outside the data or misaligned")
        marker = data[pos + 1]
        length = (data[pos + 2] << 8) | data[pos + 3]
        ident = data[pos + 4 : pos + 8]
        if window_end < 0 and ident not in _LEADING_IDS:
            # ExifRead re-reads the head of the file up to here plus its scan window.
            window_end = pos + _SCAN_WINDOW
            reads += 1
            if pos + 10 > window_end:
                raise TiffDecline("JPEG segment across the end of ExifRead's scan window")
        if marker == 0xE1 and ident == b"Exif":
            if data[pos + 8 : pos + 10] != b"\x00\x00" or length < 16:
                raise TiffDecline("unusual EXIF APP1 header")
            return pos + 10, min(pos + 2 + length, size), reads + 1, 2 * window_end + 16
        if marker == 0xDB and window_end >= 0:
            # The frame starts with no EXIF before it; ExifRead gives up here unless the
            # bytes after the marker happen to look like another header.
            if data[pos + 2] == 0xFF:
                raise TiffDecline("odd quantisation table header")
            return -1, -1, reads, 2 * window_end + 16
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE) or length < 8:
            raise TiffDecline("JPEG segment ExifRead walks differently")
        pos += 2 + length
        reads += 2
    raise TiffDecline("too many JPEG segments before EXIF")


#: TIFF headers, and the raw formats that are TIFF but for their magic number (Olympus
#: ORF "IIRO"/"IIRS"/"MMOR", Panasonic RW2 "IIU\0"): byte order, then the first IFD's offset.
TIFF_MAGICS_LITTLE = (b"II*\x00", b"IIRO", b"IIRS", b"IIU\x00")
TIFF_MAGICS_BIG = (b"MM\x00*", b"MMOR")
TIFF_MAGICS = TIFF_MAGICS_LITTLE + TIFF_MAGICS_BIG


class _IfdReader:
    """Walks the IFDs of one TIFF block ``data[base:end]``; offsets are block-relative."""

    def __init__(self, data: bytes, base: int, end: int) -> None:
        self.data = data
        self.base = base
        self.size = end - base
        if self.size < 8:
            raise TiffDecline("TIFF header truncated")
        magic = data[base : base + 4]
        if magic in TIFF_MAGICS_LITTLE:
            self.order = "<"
        elif magic in TIFF_MAGICS_BIG:
            self.order = ">"
        else:
            raise TiffDecline("not a TIFF header")
        self.entry = struct.Struct(self.order + "HHII")
        self.u16 = struct.Struct(self.order + "H")
        self.u32 = struct.Struct(self.order + "I")
        self.out = TiffTags()
        self.kinds: dict[int, int] = {}
        self.costs: dict[int, tuple[int, int]] = {}
        self.entries_left = MAX_TOTAL_ENTRIES
        self.exif_offset: int | None = None
        self.gps_offset: int | None = None

    def run(self) -> TiffTags:
        """Walk the IFD chain, then the EXIF IFD, and return the tags read."""
        chain = self._chain()
        self.out.reads += 1 + 2 * len(chain)
        self.out.read_bytes += 4 + 6 * len(chain)
        for index, offset in enumerate(chain):
            self._dump(offset, min(index, _OTHER))
        if self.exif_offset is not None:
            self._sub_ifd(self.exif_offset, _EXIF)
        return self.out

    def _chain(self) -> list[int]:
        offset = self.u32.unpack_from(self.data, self.base + 4)[0]
        chain: list[int] = []
        while offset:
            if len(chain) >= MAX_CHAIN:
                raise TiffDecline("IFD chain too long", damaged=True)
            if offset in self.kinds:
                raise TiffDecline("IFD chain loops", damaged=True)
            table_end = self._table_end(offset)
            if table_end + 4 > self.size:
                raise TiffDecline("next-IFD pointer outside the TIFF block", damaged=True)
            self.kinds[offset] = min(len(chain), _OTHER)
            chain.append(offset)
            offset = self.u32.unpack_from(self.data, self.base + table_end)[0]
        return chain

    def _table_end(self, offset: int) -> int:
        """Return where the entries of the IFD at ``offset`` end (checked in bounds)."""
        if offset < 8 or offset + 2 > self.size:
            raise TiffDecline("IFD offset outside the TIFF block", damaged=True)
        count = self.u16.unpack_from(self.data, self.base + offset)[0]
        if count > MAX_ENTRIES:
            raise TiffDecline("too many IFD entries", damaged=True)
        end = offset + 2 + 12 * count
        if end > self.size:
            raise TiffDecline("IFD entries outside the TIFF block", damaged=True)
        return end

    def _sub_ifd(self, offset: int, kind: int) -> None:
        """Parse the EXIF/GPS/Interop IFD at ``offset`` (ExifRead may refer to one twice)."""
        seen = self.kinds.get(offset)
        if seen is not None:
            if seen != kind or kind == _EXIF:
                raise TiffDecline("one IFD used as two kinds", damaged=True)
            # ExifRead parses it again under the same name: same keys, same values.
            reads, read_bytes = self.costs[offset]
            self.out.reads += reads
            self.out.read_bytes += read_bytes
            return
        if kind == _GPS:
            if self.gps_offset is not None:
                raise TiffDecline("two GPS IFDs", damaged=True)
            self.gps_offset = offset
        self.kinds[offset] = kind
        self._dump(offset, kind)

    def _dump(self, offset: int, kind: int) -> None:
        """Read the IFD at ``offset``: returned tags, pointed-to IFDs, ExifRead's cost."""
        table_end = self._table_end(offset)
        self.entries_left -= (table_end - offset - 2) // 12
        if self.entries_left < 0:
            raise TiffDecline("too many IFD entries in the file", damaged=True)
        targets = _TARGETS[kind]
        out = self.out
        found = out.found
        values_total = 0  # values ExifRead reads one by one (a rational is two reads)
        long_strings = 0  # ASCII counts >= 1000, read in one go (other types: not at all)
        long_bytes = 0
        file_size = len(self.data)
        hits = []
        table = self.data[self.base + offset + 2 : self.base + table_end]
        for index, entry in enumerate(self.entry.iter_unpack(table)):
            tag, field_type, count, word = entry
            if count < _MAX_VALUES and 0 < field_type < 11 and found:
                values_total += count
            elif tag not in _SKIPPED and 0 < field_type < 14:
                found = True
                if count >= _MAX_VALUES:
                    if field_type == _ASCII:
                        long_strings += 1
                        long_bytes += min(count, file_size)
                else:
                    values_total += count
                    nbytes = count * _WIDTH[field_type]
                    if field_type in _FLOATS and nbytes > 4 and word + nbytes > self.size:
                        # ExifRead fails outright on a single float it cannot read.
                        raise TiffDecline("float value outside the TIFF block", damaged=True)
            if tag in targets and 0 < field_type < 14:
                hits.append((offset + 10 + 12 * index, entry))
        out.found = found
        entries = (table_end - offset - 2) // 12
        # Upper bounds of ExifRead's reads: tag, type, count and pointer of each entry,
        # then two per value at most.
        reads = 1 + 4 * entries + 2 * values_total + long_strings
        read_bytes = 2 + 12 * entries + 8 * values_total + long_bytes
        out.reads += reads
        out.read_bytes += read_bytes
        self.costs[offset] = (reads, read_bytes)
        tags = out.tags
        for inline, (tag, field_type, count, word) in hits:
            nbytes = count * _WIDTH[field_type]
            values = self._values(field_type, count, word if nbytes > 4 else inline, nbytes)
            target = targets[tag]
            if target.__class__ is str:
                tags[target] = Tag(values, field_type)  # type: ignore[index]
            else:
                self._follow(target, field_type, values)  # type: ignore[arg-type]

    def _follow(self, kind: int, field_type: int, values: list[int]) -> None:
        """Handle a pointer to the EXIF, GPS or Interoperability IFD."""
        if field_type not in _UNSIGNED_POINTERS:
            raise TiffDecline("IFD pointer of an odd type", damaged=True)
        if kind == _EXIF:
            if not values:
                raise TiffDecline("EXIF IFD pointer without a value", damaged=True)
            self.exif_offset = values[0]
        elif values:
            # Sub-IFDs are parsed where their pointer is, as ExifRead does.
            self._sub_ifd(values[0], kind)
        # else: ExifRead skips a GPS/Interop pointer without a value too.

    def _values(self, field_type: int, count: int, where: int, nbytes: int) -> Any:
        """Decode one tag's values exactly as ExifRead represents them."""
        start = self.base + where
        if where < 8:
            # Only a pointer can be this low; the 8 bytes there are the TIFF header.
            raise TiffDecline("value inside the TIFF header", damaged=True)
        if field_type == _ASCII:
            if not count:
                return ""
            if count > MAX_ASCII or where + count > self.size:
                raise TiffDecline("ASCII value outside the TIFF block or too long", damaged=True)
            raw = self.data[start : start + count].split(b"\x00", 1)[0]
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw  # ExifRead keeps undecodable text as bytes
        if count >= _MAX_VALUES:
            return []
        if where + nbytes > self.size:
            raise TiffDecline("value outside the TIFF block", damaged=True)
        if field_type in _RATIONALS:
            parts = struct.unpack_from(
                f"{self.order}{2 * count}{_CODE[field_type]}", self.data, start
            )
            return list(map(Rational, parts[0::2], parts[1::2]))
        numbers = struct.unpack_from(
            f"{self.order}{count}{_CODE[field_type]}", self.data, start
        )
        if field_type in _FLOATS:
            return [(number,) for number in numbers]  # ExifRead keeps each as a 1-tuple
        return list(numbers)
