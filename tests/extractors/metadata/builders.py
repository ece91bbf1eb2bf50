"""Builders of small, self-made sample files: EXIF/TIFF, JPEG, HEIF, OLE2, OOXML, ODF.

Written from the format specifications (TIFF 6.0 / EXIF 2.32, JPEG T.81, ISO/IEC
23008-12 HEIF, MS-CFB and MS-OLEPS, ECMA-376, ODF 1.2) so the tests own their inputs and
can also build deliberately broken variants.
"""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
from datetime import UTC, datetime

BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, SRATIONAL = 1, 2, 3, 4, 5, 7, 10

Entry = tuple[int, int, object]  # tag, type, value (str, bytes, int, [ints] or [(num, den)])


def _encode(kind: int, value: object) -> tuple[int, bytes]:
    if kind == ASCII:
        raw = str(value).encode("latin-1") + b"\x00"
        return len(raw), raw
    if kind in (BYTE, UNDEFINED):
        return len(value), bytes(value)  # type: ignore[arg-type]
    values = value if isinstance(value, list) else [value]
    if kind == SHORT:
        return len(values), b"".join(struct.pack("<H", v) for v in values)
    if kind == LONG:
        return len(values), b"".join(struct.pack("<I", v) for v in values)
    if kind == RATIONAL:
        return len(values), b"".join(struct.pack("<II", n, d) for n, d in values)
    if kind == SRATIONAL:
        return len(values), b"".join(struct.pack("<ii", n, d) for n, d in values)
    raise ValueError(kind)


def ifd(entries: list[Entry], start: int, next_ifd: int = 0) -> bytes:
    """Serialise one little-endian IFD placed at ``start`` (values follow the IFD)."""
    entries = sorted(entries, key=lambda e: e[0])
    data_pos = start + 2 + 12 * len(entries) + 4
    head = struct.pack("<H", len(entries))
    data = b""
    for tag, kind, value in entries:
        count, raw = _encode(kind, value)
        if len(raw) <= 4:
            field = raw.ljust(4, b"\x00")
        else:
            field = struct.pack("<I", data_pos + len(data))
            data += raw + (b"\x00" if len(raw) % 2 else b"")
        head += struct.pack("<HHI", tag, kind, count) + field
    return head + struct.pack("<I", next_ifd) + data


def dms(value: float) -> list[tuple[int, int]]:
    """Unsigned decimal degrees to EXIF degrees/minutes/seconds rationals."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 10000)
    return [(degrees, 1), (minutes, 1), (seconds, 10000)]


def tiff_block(
    ifd0: list[Entry], exif: list[Entry], gps: list[Entry], thumbnail: bytes | None = None
) -> bytes:
    """A little-endian TIFF/EXIF block: IFD0 -> EXIF IFD, GPS IFD, optional IFD1 thumbnail."""

    def layout(exif_at: int, gps_at: int, ifd1_at: int, thumb_at: int) -> list[bytes]:
        first = list(ifd0)
        if exif:
            first.append((0x8769, LONG, exif_at))
        if gps:
            first.append((0x8825, LONG, gps_at))
        parts = [ifd(first, 8, ifd1_at if thumbnail else 0)]
        parts.append(ifd(exif, exif_at) if exif else b"")
        parts.append(ifd(gps, gps_at) if gps else b"")
        if thumbnail:
            thumb_ifd = [
                (0x0103, SHORT, 6),
                (0x0201, LONG, thumb_at),
                (0x0202, LONG, len(thumbnail)),
            ]
            parts += [ifd(thumb_ifd, ifd1_at), thumbnail]
        else:
            parts += [b"", b""]
        return parts

    sizes = [len(p) for p in layout(0, 0, 0, 0)]
    offsets = [8]
    for size in sizes:
        offsets.append(offsets[-1] + size)
    parts = layout(offsets[1], offsets[2], offsets[3], offsets[4])
    return b"II*\x00" + struct.pack("<I", 8) + b"".join(parts)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def tiny_jpeg(exif_tiff: bytes | None = None, width: int = 8, height: int = 8,
              xmp: bytes | None = None) -> bytes:
    """A decodable grey JPEG (every 8x8 block flat mid-grey), optionally with an EXIF APP1
    and an XMP APP1 (after the EXIF one, where cameras and editors put it).

    The Huffman tables have a single one-bit code each (DC difference 0, AC end-of-block),
    so every block is the two bits '00'.
    """
    out = b"\xff\xd8"
    if exif_tiff is not None:
        out += _segment(0xE1, b"Exif\x00\x00" + exif_tiff)
    if xmp is not None:
        out += _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp)
    out += _segment(0xDB, b"\x00" + b"\x01" * 64)
    out += _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    out += _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
    out += _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")
    out += _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    bits = "00" * blocks
    bits += "1" * (-len(bits) % 8)
    scan = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
    return out + scan.replace(b"\xff", b"\xff\x00") + b"\xff\xd9"


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version: int, payload: bytes, flags: int = 0) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags) + payload)


def heif_with_exif(exif_tiff: bytes, width: int, height: int) -> bytes:
    """A HEIF still-image container (major brand 'heic') holding an EXIF item.

    Item 1 is the (empty) coded image with an 'ispe' size, item 2 the EXIF item
    ('Exif' type, payload = 4-byte header offset + 'Exif\\0\\0' + TIFF).
    """
    ftyp = _box(b"ftyp", b"heic" + struct.pack(">I", 0) + b"mif1heic")
    exif_payload = struct.pack(">I", 6) + b"Exif\x00\x00" + exif_tiff

    def meta(mdat_payload_at: int) -> bytes:
        hdlr = _full_box(b"hdlr", 0, b"\x00" * 4 + b"pict" + b"\x00" * 12 + b"\x00")
        pitm = _full_box(b"pitm", 0, struct.pack(">H", 1))
        infe1 = _full_box(b"infe", 2, struct.pack(">HH", 1, 0) + b"hvc1" + b"\x00")
        infe2 = _full_box(b"infe", 2, struct.pack(">HH", 2, 0) + b"Exif" + b"\x00")
        iinf = _full_box(b"iinf", 0, struct.pack(">H", 2) + infe1 + infe2)
        iloc = _full_box(
            b"iloc",
            0,
            bytes([0x44, 0x00])
            + struct.pack(">H", 2)
            + struct.pack(">HHH", 1, 0, 1)
            + struct.pack(">II", mdat_payload_at, 0)
            + struct.pack(">HHH", 2, 0, 1)
            + struct.pack(">II", mdat_payload_at, len(exif_payload)),
        )
        ispe = _full_box(b"ispe", 0, struct.pack(">II", width, height))
        ipco = _box(b"ipco", ispe)
        ipma = _full_box(b"ipma", 0, struct.pack(">IHB", 1, 1, 1) + b"\x81")
        iprp = _box(b"iprp", ipco + ipma)
        return _full_box(b"meta", 0, hdlr + pitm + iinf + iloc + iprp)

    meta_len = len(meta(0))
    payload_at = len(ftyp) + meta_len + 8
    return ftyp + meta(payload_at) + _box(b"mdat", exif_payload)


# -- OLE2 / MS-CFB with property sets ---------------------------------------------------
_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SUMMARY_FMTID = uuid.UUID("f29f85e0-4ff9-1068-ab91-08002b27b3d9")
DOCSUMMARY_FMTID = uuid.UUID("d5cdd502-2e9c-101b-9397-08002b2cf9ae")
VT_I2, VT_LPSTR, VT_FILETIME = 2, 0x1E, 0x40


def filetime(moment: datetime) -> int:
    """An aware datetime as a Windows FILETIME (100 ns ticks since 1601, UTC)."""
    epoch = datetime(1601, 1, 1, tzinfo=UTC)
    return int((moment - epoch).total_seconds() * 10_000_000)


def property_set(fmtid: uuid.UUID, props: dict[int, object], size: int = 4096) -> bytes:
    """A one-section MS-OLEPS property set stream padded to ``size`` bytes."""
    values = {1: (VT_I2, 1252), **props}
    blobs = []
    for pid, value in sorted(values.items()):
        if isinstance(value, tuple):
            kind, number = value
            blob = struct.pack("<IhH", kind, number, 0)
        elif isinstance(value, datetime):
            blob = struct.pack("<IQ", VT_FILETIME, filetime(value))
        else:
            raw = str(value).encode("cp1252") + b"\x00"
            raw += b"\x00" * (-len(raw) % 4)
            blob = struct.pack("<II", VT_LPSTR, len(raw)) + raw
        blobs.append((pid, blob))
    header_len = 8 + 8 * len(blobs)
    offsets, body, pos = [], b"", header_len
    for pid, blob in blobs:
        offsets.append(struct.pack("<II", pid, pos))
        body += blob
        pos += len(blob)
    section = struct.pack("<II", header_len + len(body), len(blobs)) + b"".join(offsets) + body
    stream = struct.pack("<HHI", 0xFFFE, 0, 0x00020006) + b"\x00" * 16 + struct.pack("<I", 1)
    stream += fmtid.bytes_le + struct.pack("<I", 48) + section
    return stream.ljust(size, b"\x00")


def _dir_entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
    raw = name.encode("utf-16-le") + b"\x00\x00" if name else b""
    return (
        raw.ljust(64, b"\x00")
        + struct.pack("<HBB", len(raw), kind, 1)
        + struct.pack("<III", _NOSTREAM, right, child)
        + b"\x00" * 16
        + struct.pack("<IQQII", 0, 0, 0, start, size)
        + b"\x00" * 4
    )


def ole2_file(summary: dict[int, object], docsummary: dict[int, object]) -> bytes:
    """An MS-CFB v3 file with SummaryInformation and DocumentSummaryInformation streams.

    Both streams are 4096 bytes (the mini-stream cutoff) so they live in regular sectors:
    sector 0 is the FAT, sector 1 the directory, 2-9 and 10-17 the two streams.
    """
    streams = [property_set(SUMMARY_FMTID, summary), property_set(DOCSUMMARY_FMTID, docsummary)]
    fat = [_FATSECT, _END] + list(range(3, 10)) + [_END] + list(range(11, 18)) + [_END]
    fat += [_FREE] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIII", 0, 1, 1, 0)
        + struct.pack("<IIIII", 4096, _END, 0, _END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", _FREE) * 108
    )
    directory = (
        _dir_entry("Root Entry", 5, 1, _NOSTREAM, _END, 0)
        + _dir_entry("\x05SummaryInformation", 2, _NOSTREAM, 2, 2, 4096)
        + _dir_entry("\x05DocumentSummaryInformation", 2, _NOSTREAM, _NOSTREAM, 10, 4096)
        + _dir_entry("", 0, _NOSTREAM, _NOSTREAM, 0, 0)
    )
    return header + struct.pack("<128I", *fat) + directory + streams[0] + streams[1]


# -- zip-based documents ------------------------------------------------------------------
def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def docx_file(core_xml: str, app_xml: str) -> bytes:
    """A minimal WordprocessingML package with the given core and app properties."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Sample</w:t></w:r></w:p></w:body></w:document>"
    )
    return _zip(
        [
            ("[Content_Types].xml", content_types.encode()),
            ("_rels/.rels", rels.encode()),
            ("word/document.xml", document.encode()),
            ("docProps/core.xml", core_xml.encode()),
            ("docProps/app.xml", app_xml.encode()),
        ]
    )


def odt_file(meta_xml: str) -> bytes:
    """A minimal OpenDocument text package with the given meta.xml."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:text><text:p>Sample</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    return _zip(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("META-INF/manifest.xml", manifest.encode()),
            ("content.xml", content.encode()),
            ("meta.xml", meta_xml.encode()),
        ]
    )
