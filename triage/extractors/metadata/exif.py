"""EXIF of JPEG, TIFF, HEIC/HEIF and TIFF-based camera raw files.

:func:`parse_exif` is a pure function over bytes. Tags are read first by our own small
IFD reader (:mod:`tiff_ifd`), which handles the common, well-formed photo in a fraction
of ExifRead's time and declines everything it is not sure about; ExifRead then reads
what was declined. ExifRead is given a stream that counts reads and time, so hostile
files (IFD chains, huge counts, offset loops) end with what was parsed plus a warning
instead of running for ever.
"""

from __future__ import annotations

import io
import logging
import struct
import time
from datetime import timedelta
from fractions import Fraction
from typing import Any

from triage.extractors.metadata.gps_probe import jpeg_exif_block
from triage.extractors.metadata.heif import heif_dimensions, heif_exif_tiff
from triage.extractors.metadata.jpeg_frame import (
    jpeg_dimensions,
    jpeg_exif_segment,
    jpeg_xmp_packet,
)
from triage.extractors.metadata.result import MetadataResult, signed_coordinate
from triage.extractors.metadata.textvalues import (
    clean_text,
    iso_utc,
    parse_exif_datetime,
    parse_utc_offset,
)
from triage.extractors.metadata.tiff_ifd import (
    RETURNED_KEYS,
    TiffDecline,
    first_ifd_is_empty,
    read_exif_tags,
)
from triage.extractors.metadata.xmp import read_photo_xmp

#: Larger inputs are cut: EXIF sits at the start of JPEG/HEIC files, and TIFF IFDs beyond
#: this are rare enough to accept the loss (a warning says so).
MAX_INPUT = 64 * 1024 * 1024
#: Budget for one file: ExifRead's read calls, bytes read and wall time.
MAX_READS = 200_000
MAX_READ_BYTES = 256 * 1024 * 1024
MAX_SECONDS = 3.0
#: Reads answered with end-of-file after the budget is spent, before giving up hard.
_READS_AFTER_EXHAUSTED = 10_000
#: The fast reader's answer is used only for inputs ExifRead would read well within its
#: budget (the reader estimates ExifRead's cost), so the budget warnings stay ExifRead's.
_FAST_SHARE_OF_BUDGET = 10
#: Tests switch the fast reader off to compare it with the ExifRead path.
USE_FAST_READER = True

# ExifRead logs every oddity of a corrupt file at WARNING; our warnings go to the case.
logging.getLogger("exifread").setLevel(logging.ERROR)


class ExifBudgetExceeded(Exception):
    """Raised inside ExifRead's reads when a file costs more than its budget."""


class _BudgetedStream(io.BytesIO):
    """A BytesIO that stops ExifRead after too many reads, too many bytes or too long.

    Over budget it first answers end-of-file, so ExifRead can wind up and return what it
    parsed so far; if ExifRead keeps reading regardless, the next reads raise.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self._reads = 0
        self._bytes = 0
        self._deadline = time.monotonic() + MAX_SECONDS
        self.exhausted = ""
        #: Reads that got fewer bytes than asked for: ExifRead read past the end.
        self.short_reads = 0

    def read(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        self._reads += 1
        if not self.exhausted:
            if self._reads > MAX_READS:
                self.exhausted = "too many reads"
            elif self._bytes > MAX_READ_BYTES:
                self.exhausted = "too many bytes read"
            elif self._reads % 256 == 0 and time.monotonic() > self._deadline:
                self.exhausted = "time budget"
            if self.exhausted:
                self._reads = 0
        if self.exhausted:
            if self._reads > _READS_AFTER_EXHAUSTED:
                raise ExifBudgetExceeded(self.exhausted)
            return b""
        chunk = super().read(size)
        self._bytes += len(chunk)
        if size is not None and 0 <= len(chunk) < size:
            self.short_reads += 1
        return chunk


#: The text tags read here. Only ASCII, UNDEFINED and BYTE values are text as stored
#: (one byte per character); exiftool shows any other type as numbers.
_TEXT_TAGS = (
    "Image Make", "Image Model", "Image Software", "Image DateTime", "Image SerialNumber",
    "EXIF DateTimeOriginal", "EXIF DateTimeDigitized", "EXIF OffsetTime",
    "EXIF OffsetTimeOriginal", "EXIF OffsetTimeDigitized", "EXIF LensMake", "EXIF LensModel",
    "EXIF BodySerialNumber", "EXIF SerialNumber", "EXIF LensSerialNumber",
    "GPS GPSLatitudeRef", "GPS GPSLongitudeRef", "GPS GPSDate",
)
_TEXT_TYPES = frozenset({1, 2, 7})
_TYPE_NAMES = {3: "SHORT", 4: "LONG", 5: "RATIONAL", 6: "SBYTE", 8: "SSHORT", 9: "SLONG",
               10: "SRATIONAL", 11: "FLOAT", 12: "DOUBLE", 13: "IFD"}


def _drop_mistyped_text(tags: dict[str, Any], result: MetadataResult) -> None:
    """Drop text tags stored with a numeric type: read as text they are garbage."""
    for name in _TEXT_TAGS:
        tag = tags.get(name)
        field_type = getattr(tag, "field_type", None)
        if field_type is None or int(field_type) in _TEXT_TYPES:
            continue
        del tags[name]
        kind = _TYPE_NAMES.get(int(field_type), f"type {int(field_type)}")
        result.warnings.append(f"EXIF {name.split()[-1]} stored as {kind}, not text; ignored")


def _tag(tags: dict[str, Any], name: str) -> Any:
    """Return the raw values of an ExifRead tag (None when absent)."""
    tag = tags.get(name)
    return None if tag is None else getattr(tag, "values", None)


def _text(tags: dict[str, Any], name: str) -> str | None:
    values = _tag(tags, name)
    if isinstance(values, list):
        if not values or not all(isinstance(v, int) for v in values):
            return None
        values = bytes(v & 0xFF for v in values)
    return clean_text(values)


def _first_int(tags: dict[str, Any], name: str) -> int | None:
    values = _tag(tags, name)
    if isinstance(values, list) and values and isinstance(values[0], int):
        return int(values[0])
    return None


def _rationals(tags: dict[str, Any], name: str) -> list[float] | None:
    """Return a tag's numeric values as floats (None when absent, not numeric or undefined).

    A rational with a zero denominator makes the whole value undefined: n/0 is
    meaningless and 0/0 is what GPS receivers write when they have no fix. Reading 0/0 as
    0 placed such photos at 0°N 0°E (or at sea level, or at 00:00:00); exiftool calls the
    value undefined too.
    """
    values = _tag(tags, name)
    if not isinstance(values, list) or not values:
        return None
    out: list[float] = []
    for value in values:
        if not isinstance(value, Fraction | int | float):
            return None
        try:
            out.append(float(value))
        except (ZeroDivisionError, OverflowError, ValueError):
            return None
    return out


def _degrees(parts: list[float]) -> float:
    """Degrees, minutes, seconds (any of the last two may be missing) to decimal degrees."""
    degrees = parts[0]
    minutes = parts[1] if len(parts) > 1 else 0.0
    seconds = parts[2] if len(parts) > 2 else 0.0
    return degrees + minutes / 60.0 + seconds / 3600.0


def _coordinate(
    tags: dict[str, Any], axis: str, limit: float, negative: str, result: MetadataResult
) -> float | None:
    parts = _rationals(tags, f"GPS GPS{axis}")
    if parts is None:
        return None
    value = _degrees(parts)
    ref = (_text(tags, f"GPS GPS{axis}Ref") or "").upper()[:1]
    if value < 0:
        # Signed (SRATIONAL) parts: the reference gives the hemisphere, as exiftool reads
        # it (the magnitude of degrees + minutes + seconds, -52° 30' N is 51.5° N).
        value = -value
        result.warnings.append(
            f"GPS {axis.lower()} stored as a negative number; the sign is taken from its "
            f"reference ({ref or 'none, so N/E'})")
    return signed_coordinate(value, ref, negative, limit, axis.lower(), result)


def _gps(tags: dict[str, Any], result: MetadataResult) -> None:
    latitude = _coordinate(tags, "Latitude", 90.0, "S", result)
    longitude = _coordinate(tags, "Longitude", 180.0, "W", result)
    if latitude is not None and longitude is not None:
        result.set("gps_latitude", latitude)
        result.set("gps_longitude", longitude)
    elif latitude is not None or longitude is not None:
        result.warnings.append("GPS position incomplete (latitude or longitude missing)")
    altitude = _rationals(tags, "GPS GPSAltitude")
    if altitude:
        below = _first_int(tags, "GPS GPSAltitudeRef") == 1
        result.set("gps_altitude", -altitude[0] if below else altitude[0])
    stamp = _rationals(tags, "GPS GPSTimeStamp")
    if (
        stamp
        and len(stamp) == 3
        and 0 <= stamp[0] < 24
        and 0 <= stamp[1] < 60
        and 0 <= stamp[2] < 61
    ):
        days, clock = _gps_clock(stamp)
        date = _text(tags, "GPS GPSDate")
        # "YYYY:MM:DD" as EXIF writes it; some software writes "YYYY-MM-DD".
        day = parse_exif_datetime(f"{date.replace('-', ':')} {clock[:8]}") if date else None
        if day is not None:
            day += timedelta(days=days)
        result.set("gps_timestamp", f"{day:%Y-%m-%dT%H:%M:%S}{clock[8:]}Z" if day else clock)


def _gps_clock(stamp: list[float]) -> tuple[int, str]:
    """GPSTimeStamp's hours, minutes and seconds as "HH:MM:SS" with the fraction of a
    second when there is one ("14:27:07.24"), as exiftool shows it, and the days the time
    runs past midnight: a leap second (23:59:60.5) or a time rounded up to 24:00 is the
    next day's 00:00 (exiftool shows "24:00:00.5" on the same date); a fraction of an hour
    or a minute counts into the smaller units."""
    total = round((stamp[0] * 60 + stamp[1]) * 60 + stamp[2], 6)
    whole = int(total)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    clock = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    fraction = f"{total - whole:.6f}"[1:].rstrip("0").rstrip(".")
    return days, clock + fraction


def _datetimes(tags: dict[str, Any], result: MetadataResult) -> None:
    # Each time has its own zone tag (EXIF 2.31): OffsetTime is DateTime's (the last
    # edit), so it says nothing of when the photo was taken.
    for kind, offset_tag in (
        ("original", "OffsetTimeOriginal"),
        ("digitized", "OffsetTimeDigitized"),
    ):
        recorded = _text(tags, f"EXIF DateTime{kind.capitalize()}")
        result.set(f"datetime_{kind}", recorded)
        offset_text = _text(tags, f"EXIF {offset_tag}")
        zone = parse_utc_offset(offset_text)
        # strptime is the dearest step of a photo's metadata: parse only when it is used.
        moment = parse_exif_datetime(recorded) if zone is not None else None
        if zone is not None and moment is not None:
            result.set(f"datetime_{kind}_utc", iso_utc(moment.replace(tzinfo=zone)))
            result.set(f"utc_offset_{kind}", offset_text)
    result.set("datetime_modified", _text(tags, "Image DateTime"))


def _dimensions(tags: dict[str, Any], data: bytes) -> tuple[int | None, int | None]:
    frame = jpeg_dimensions(data) or heif_dimensions(data)
    if frame:
        return frame
    for width_tag, height_tag in (
        ("Image ImageWidth", "Image ImageLength"),
        ("EXIF ExifImageWidth", "EXIF ExifImageLength"),
    ):
        width, height = _first_int(tags, width_tag), _first_int(tags, height_tag)
        if width and height:
            return width, height
    return None, None


def _has_thumbnail(tags: dict[str, Any]) -> bool:
    length = _first_int(tags, "Thumbnail JPEGInterchangeFormatLength")
    offset = _first_int(tags, "Thumbnail JPEGInterchangeFormat")
    if length and offset:
        return True
    return bool(_tag(tags, "Thumbnail StripOffsets") and _tag(tags, "Thumbnail StripByteCounts"))


def _serials(tags: dict[str, Any], result: MetadataResult) -> None:
    # Only the standard EXIF serial tags: ExifRead's MakerNote decoding returned a wrong
    # Nikon serial on a corpus file, and a wrong serial is worse than none.
    result.set(
        "serial_number",
        _text(tags, "EXIF BodySerialNumber")
        or _text(tags, "EXIF SerialNumber")
        or _text(tags, "Image SerialNumber"),
    )
    result.set("lens_serial_number", _text(tags, "EXIF LensSerialNumber"))


def _exif_source(data: bytes, result: MetadataResult) -> bytes | None:
    """Return what ExifRead should read: a JPEG's EXIF TIFF block (within its APP1
    segment, as exiftool reads it: a value that points past the segment is a bad
    offset, not image data to read), a HEIF file's EXIF TIFF block, or the file."""
    if data[:2] == b"\xff\xd8":
        block = jpeg_exif_block(data)
        if block is not None:
            return block
        return data
    if data[4:8] != b"ftyp":
        return data
    # HEIF is located by our own bounded walk: ExifRead's HEIC reader keeps parsed boxes
    # in a class-level dict shared between calls (and threads).
    try:
        return heif_exif_tiff(data)
    except ValueError as exc:
        result.warnings.append(f"HEIF EXIF item unreadable: {exc}")
        return None


def _read_tags(data: bytes, result: MetadataResult) -> tuple[dict[str, Any], bool]:
    """Return the tags of ``data`` and whether the EXIF held any tag at all.

    The second value can be True with none of the returned tags: the fast reader returns
    only the tags used here, ExifRead returns all of them.
    """
    source = _exif_source(data, result)
    if not source:
        return {}, False
    first = MetadataResult()
    tags, found = _read_source(source, first)
    if not found and source is data:
        # ExifRead looks for the EXIF segment only a few KB into a JPEG, so one behind a
        # large comment or ICC segment goes unseen; walk the segments as exiftool does.
        block = jpeg_exif_block(data)
        if block:
            second = MetadataResult()
            block_tags, block_found = _read_source(block, second)
            if block_found:
                result.warnings += second.warnings
                return block_tags, block_found
    result.warnings += first.warnings
    return tags, found


def _read_source(data: bytes, result: MetadataResult) -> tuple[dict[str, Any], bool]:
    """The tags of a JPEG, TIFF or bare TIFF block: the fast reader, else ExifRead."""
    if len(data) > MAX_INPUT:
        result.warnings.append(f"EXIF read from the first {MAX_INPUT} bytes only")
        data = data[:MAX_INPUT]
    # The fast reader also judges the structure (ExifRead reads loops and stray pointers
    # without a word), so it runs, and its warning stands, whichever reader answers.
    try:
        fast = read_exif_tags(data)
    except TiffDecline as decline:
        fast = None
        if decline.damaged:
            result.warnings.append(
                f"EXIF structure damaged ({decline}); values read as far as they go")
    if (
        USE_FAST_READER
        and fast is not None
        and fast.reads * _FAST_SHARE_OF_BUDGET <= MAX_READS
        and fast.read_bytes * _FAST_SHARE_OF_BUDGET <= MAX_READ_BYTES
    ):
        return fast.tags, fast.found
    return _read_tags_exifread(data, result)


def _read_tags_exifread(data: bytes, result: MetadataResult) -> tuple[dict[str, Any], bool]:
    """Read the tags with ExifRead, within its budget (the reference and the fallback)."""
    import exifread  # here, not at start-up: the fast reader answers for most photos

    stream = _BudgetedStream(data)
    try:
        tags = exifread.process_file(stream, details=False, extract_thumbnail=False)
    except ExifBudgetExceeded as exc:
        result.warnings.append(f"EXIF parsing stopped ({exc}): file is corrupt or hostile")
        return {}, False
    except RecursionError:
        result.warnings.append("EXIF parsing stopped: nested structures too deep")
        return {}, False
    except (IndexError, struct.error, EOFError):
        # ExifRead indexes past the end of a header cut short ("index out of range").
        result.warnings.append(
            f"EXIF unreadable: the data ({len(data)} bytes) ends inside the EXIF header "
            "(truncated or corrupt)")
        return {}, False
    except Exception as exc:  # ExifRead raises many types on corrupt input
        result.warnings.append(f"EXIF unreadable: {type(exc).__name__}: {exc}"[:300])
        return {}, False
    if stream.exhausted:
        result.warnings.append(
            f"EXIF parsing cut short ({stream.exhausted}): file is corrupt or hostile; "
            "values read before the cut, if any, are kept"
        )
    tags = tags if isinstance(tags, dict) else {}
    _drop_unreadable_values(tags, data, result, bool(stream.short_reads))
    return tags, bool(tags)


def _drop_unreadable_values(
    tags: dict[str, Any], data: bytes, result: MetadataResult, read_past_end: bool
) -> None:
    """Drop the tags ExifRead read (partly) past the end of ``data`` or from the header.

    ExifRead reads a value or pointer it cannot read whole as 0: a cut file gave GPS 0/0
    (read as 0°N 0°E), a time of 00:00:00, half a date, and a Make of "II*" (a pointer
    read as 0 points at the TIFF header). A value is kept only if its bytes lie inside
    the data, past the 8-byte TIFF header. Only the tags read here are looked at (and
    warned about): the fast reader passes over other tags whatever they point to.
    """
    available = None
    if read_past_end:
        from exifread.core.find_exif import determine_type

        try:
            available = len(data) - determine_type(io.BytesIO(data))[0]
        except Exception:  # ExifRead found the header a moment ago; this cannot differ
            available = None
    cut, header = [], []
    for name in [name for name in tags if name in RETURNED_KEYS]:
        offset = getattr(tags[name], "field_offset", None)
        length = getattr(tags[name], "field_length", None)
        if not isinstance(offset, int) or not isinstance(length, int) or not tags[name].values:
            continue  # (no values, nothing invented: ExifRead keeps none of 1000 or more)
        if available is not None and (offset < 8 or offset + length > available):
            cut.append(name)  # a pointer cut short reads as 0, pointing at the header
        elif offset < 8:
            header.append(name)
        else:
            continue
        del tags[name]
    for dropped, what in ((cut, "lie past the end of the data (truncated)"),
                          (header, "point into the TIFF header (damaged)")):
        if dropped:
            shown = ", ".join(dropped[:6]) + (", ..." if len(dropped) > 6 else "")
            result.warnings.append(
                f"EXIF: {len(dropped)} value(s) {what}, not reported: {shown}")


def _check_app1_complete(data: bytes, result: MetadataResult) -> None:
    """Warn when a JPEG's EXIF APP1 segment is cut short (ExifRead reads such silently)."""
    if not data.startswith(b"\xff\xd8"):
        return
    found = jpeg_exif_segment(data)
    if found is None:
        return
    found, declared = found
    if found + 2 + declared > len(data):
        result.warnings.append(
            f"EXIF segment truncated ({len(data) - found - 2} of {declared} bytes present)"
        )


def parse_exif(data: bytes) -> MetadataResult:
    """Return the camera, time, GPS, orientation and size metadata found in ``data``: its
    EXIF, and for a JPEG what its XMP adds (a value EXIF lacks)."""
    result = MetadataResult()
    tags, found = _read_tags(data, result)
    _drop_mistyped_text(tags, result)
    _check_app1_complete(data, result)
    at = data.find(b"Exif\x00\x00", 0, 65536)
    if not found and not result.warnings and at >= 0 and not first_ifd_is_empty(data, at + 6):
        result.warnings.append("EXIF block present but unreadable (corrupt)")
    try:
        result.set("make", _text(tags, "Image Make"))
        result.set("model", _text(tags, "Image Model"))
        result.set("software", _text(tags, "Image Software"))
        result.set("lens_make", _text(tags, "EXIF LensMake"))
        result.set("lens_model", _text(tags, "EXIF LensModel"))
        _serials(tags, result)
        _datetimes(tags, result)
        _gps(tags, result)
        orientation = _first_int(tags, "Image Orientation")
        if orientation is not None and 1 <= orientation <= 8:
            result.set("orientation", orientation)
        width, height = _dimensions(tags, data)
        result.set("width", width)
        result.set("height", height)
        if found:
            result.set("has_thumbnail", _has_thumbnail(tags))
        packet = jpeg_xmp_packet(data) if data[:2] == b"\xff\xd8" else None
        if packet:
            read_photo_xmp(packet, result)
    except Exception as exc:  # a value of an unexpected shape must not lose the rest
        result.warnings.append(f"EXIF value unreadable: {type(exc).__name__}: {exc}"[:300])
    return result
