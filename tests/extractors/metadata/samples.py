"""The self-made metadata samples (under tests/data/metadata/) and their known values.

``build_samples()`` returns every sample file by its path below tests/data/metadata;
tests/data/metadata/make_samples.py writes them. ``EXPECTED`` holds the values the
samples were built with (the extractor's output is also checked against exiftool).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from tests.extractors.metadata.builders import (
    ASCII,
    BYTE,
    LONG,
    RATIONAL,
    SHORT,
    dms,
    docx_file,
    heif_with_exif,
    odt_file,
    ole2_file,
    tiff_block,
    tiny_jpeg,
)

JPEG_GPS = "photos/IMG_0001.jpg"
HEIC_GPS = "photos/IMG_0002.heic"
TIFF_GPS = "photos/scan_0003.tif"
#: A GPS IFD whose position, altitude and time are all 0/0: a receiver without a fix.
JPEG_NO_FIX = "photos/IMG_0004_nofix.jpg"
#: GPS, camera and times only in XMP (no EXIF), properties as attributes and elements.
JPEG_XMP_GPS = "photos/IMG_0005_xmp.jpg"
DOCX = "documents/report.docx"
ODT = "documents/minutes.odt"
DOC = "documents/ledger.doc"
PDF_INFO = "documents/invoice.pdf"
PDF_XMP = "documents/xmp_only.pdf"

EXPECTED: dict[str, dict[str, object]] = {
    JPEG_GPS: {
        "make": "TriageCam",
        "model": "TC-100",
        "serial_number": "BODY-4711",
        "lens_serial_number": "LENS-0815",
        "software": "TC firmware 1.2",
        "datetime_original": "2019:05:04 12:11:12",
        "datetime_original_utc": "2019-05-04T10:11:12Z",
        "gps_latitude": -33.858700,
        "gps_longitude": 151.214000,
        "gps_altitude": -12.5,
        "gps_timestamp": "2019-05-04T10:11:12Z",
        "orientation": 6,
        "width": 16,
        "height": 8,
        "has_thumbnail": True,
    },
    HEIC_GPS: {
        "make": "TriagePhone",
        "model": "TP-12",
        "datetime_original": "2021:07:08 09:10:11",
        "gps_latitude": 51.500700,
        "gps_longitude": -0.124600,
        "gps_altitude": 15.0,
        "width": 4032,
        "height": 3024,
    },
    TIFF_GPS: {
        "make": "ScanCo",
        "model": "Flatbed 9",
        "gps_latitude": 40.689200,
        "gps_longitude": -74.044500,
        "width": 4,
        "height": 2,
    },
    JPEG_NO_FIX: {
        "make": "TriageCam",
        "model": "TC-100",
        "datetime_original": "2019:06:07 08:09:10",
        "width": 8,
        "height": 8,
    },
    JPEG_XMP_GPS: {
        "make": "XmpPhone",
        "model": "XP-3",
        "software": "Photo Editor 4.1",
        "serial_number": "XP3-00042",
        "datetime_original": "2023:11:05 21:14:09",
        "datetime_original_utc": "2023-11-05T18:14:09Z",
        "utc_offset_original": "+03:00",
        "gps_latitude": 41 + 0.492 / 60,
        "gps_longitude": -(28 + 58.512 / 60),
        "gps_altitude": -3.25,
        "gps_timestamp": "2023-11-05T18:14:07.50Z",
        "orientation": 8,
        "width": 8,
        "height": 8,
    },
    DOCX: {
        "author": "Alice Author",
        "last_modified_by": "Bob Editor",
        "created": "2021-03-04T05:06:07Z",
        "modified": "2021-03-05T06:07:08Z",
        "company": "Acme Widgets Ltd",
        "application": "Microsoft Office Word",
        "title": "Quarterly report",
    },
    ODT: {
        "author": "Carol Creator",
        "last_modified_by": "Dave Reviewer",
        "created": "2020-01-02T03:04:05",
        "modified": "2020-01-03T03:05:06Z",
        "application": "LibreOffice/7.3.7.2$Linux_X86_64",
        "title": "Meeting minutes",
    },
    DOC: {
        "author": "Grace Ledger",
        "last_modified_by": "Heidi Auditor",
        "created": "2018-02-03T04:05:06Z",
        "modified": "2018-02-04T05:06:07Z",
        "application": "Microsoft Office Word",
        "company": "Shell Company BV",
        "title": "Ledger",
    },
    PDF_INFO: {
        "author": "Eve Author",
        "application": "Writer",
        "producer": "LibreOffice 7.3",
        "created": "2022-03-04T04:06:07Z",
        "modified": "2022-03-05T06:07:08Z",
        "title": "Invoice 42",
    },
    PDF_XMP: {
        "author": "Frank Xmp",
        "application": "XMP Tool 1.0",
        "producer": "XMP Producer 2.0",
        "created": "2023-06-07T06:09:10Z",
    },
}


def _jpeg() -> bytes:
    truth = EXPECTED[JPEG_GPS]
    tiff = tiff_block(
        ifd0=[
            (0x010F, ASCII, truth["make"]),
            (0x0110, ASCII, truth["model"]),
            (0x0112, SHORT, 6),
            (0x0131, ASCII, truth["software"]),
            (0x0132, ASCII, "2019:05:05 08:00:00"),
        ],
        exif=[
            (0x9003, ASCII, truth["datetime_original"]),
            (0x9011, ASCII, "+02:00"),
            (0x9004, ASCII, "2019:05:04 12:11:12"),
            (0xA431, ASCII, truth["serial_number"]),
            (0xA435, ASCII, truth["lens_serial_number"]),
        ],
        # GPSAltitudeRef (0x0005) is a BYTE: 1 = below sea level.
        gps=[
            (0x0001, ASCII, "S"),
            (0x0002, RATIONAL, dms(33.8587)),
            (0x0003, ASCII, "E"),
            (0x0004, RATIONAL, dms(151.214)),
            (0x0005, BYTE, b"\x01"),
            (0x0006, RATIONAL, [(125, 10)]),
            (0x0007, RATIONAL, [(10, 1), (11, 1), (12, 1)]),
            (0x001D, ASCII, "2019:05:04"),
        ],
        thumbnail=tiny_jpeg(),
    )
    return tiny_jpeg(tiff, width=16, height=8)


def _jpeg_no_fix() -> bytes:
    truth = EXPECTED[JPEG_NO_FIX]
    unset = [(0, 0), (0, 0), (0, 0)]
    tiff = tiff_block(
        ifd0=[(0x010F, ASCII, truth["make"]), (0x0110, ASCII, truth["model"])],
        exif=[(0x9003, ASCII, truth["datetime_original"])],
        gps=[
            (0x0001, ASCII, "N"),
            (0x0002, RATIONAL, unset),
            (0x0003, ASCII, "E"),
            (0x0004, RATIONAL, unset),
            (0x0005, BYTE, b"\x00"),
            (0x0006, RATIONAL, [(0, 0)]),
            (0x0007, RATIONAL, unset),
            (0x001D, ASCII, "2019:06:07"),
        ],
    )
    return tiny_jpeg(tiff)


#: Written as Adobe's tools write XMP: the compact form (properties as attributes of
#: rdf:Description) for simple values, elements for the rest; coordinates as
#: "DDD,MM.mmk", the altitude as a rational.
_PHOTO_XMP = b"""<?xpacket begin='\xef\xbb\xbf' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x='adobe:ns:meta/'>
<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>
 <rdf:Description rdf:about=''
  xmlns:tiff='http://ns.adobe.com/tiff/1.0/'
  xmlns:xmp='http://ns.adobe.com/xap/1.0/'
  xmlns:aux='http://ns.adobe.com/exif/1.0/aux/'
  tiff:Make='XmpPhone' tiff:Model='XP-3' tiff:Orientation='8'
  xmp:CreatorTool='Photo Editor 4.1' aux:SerialNumber='XP3-00042'/>
 <rdf:Description rdf:about=''
  xmlns:exif='http://ns.adobe.com/exif/1.0/'>
  <exif:DateTimeOriginal>2023-11-05T21:14:09.25+03:00</exif:DateTimeOriginal>
  <exif:GPSLatitude>41,0.492N</exif:GPSLatitude>
  <exif:GPSLongitude>28,58.512W</exif:GPSLongitude>
  <exif:GPSAltitude>13/4</exif:GPSAltitude>
  <exif:GPSAltitudeRef>1</exif:GPSAltitudeRef>
  <exif:GPSTimeStamp>2023-11-05T18:14:07.50Z</exif:GPSTimeStamp>
 </rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end='w'?>"""


def _heic() -> bytes:
    truth = EXPECTED[HEIC_GPS]
    tiff = tiff_block(
        ifd0=[(0x010F, ASCII, truth["make"]), (0x0110, ASCII, truth["model"]), (0x0112, SHORT, 1)],
        exif=[(0x9003, ASCII, truth["datetime_original"])],
        gps=[
            (0x0001, ASCII, "N"),
            (0x0002, RATIONAL, dms(51.5007)),
            (0x0003, ASCII, "W"),
            (0x0004, RATIONAL, dms(0.1246)),
            (0x0005, BYTE, b"\x00"),
            (0x0006, RATIONAL, [(15, 1)]),
        ],
    )
    return heif_with_exif(tiff, 4032, 3024)


def _tiff() -> bytes:
    truth = EXPECTED[TIFF_GPS]
    pixels = bytes(range(8))
    # A 4x2 8-bit grey image in one strip; the strip follows the TIFF block.
    head = tiff_block(
        ifd0=[
            (0x0100, SHORT, 4),
            (0x0101, SHORT, 2),
            (0x0102, SHORT, 8),
            (0x0103, SHORT, 1),
            (0x0106, SHORT, 1),
            (0x0111, LONG, 0),
            (0x0115, SHORT, 1),
            (0x0116, SHORT, 2),
            (0x0117, LONG, len(pixels)),
            (0x010F, ASCII, truth["make"]),
            (0x0110, ASCII, truth["model"]),
        ],
        exif=[],
        gps=[
            (0x0001, ASCII, "N"),
            (0x0002, RATIONAL, dms(40.6892)),
            (0x0003, ASCII, "W"),
            (0x0004, RATIONAL, dms(74.0445)),
        ],
    )
    strip_at = len(head)
    block = tiff_block(
        ifd0=[
            (0x0100, SHORT, 4),
            (0x0101, SHORT, 2),
            (0x0102, SHORT, 8),
            (0x0103, SHORT, 1),
            (0x0106, SHORT, 1),
            (0x0111, LONG, strip_at),
            (0x0115, SHORT, 1),
            (0x0116, SHORT, 2),
            (0x0117, LONG, len(pixels)),
            (0x010F, ASCII, truth["make"]),
            (0x0110, ASCII, truth["model"]),
        ],
        exif=[],
        gps=[
            (0x0001, ASCII, "N"),
            (0x0002, RATIONAL, dms(40.6892)),
            (0x0003, ASCII, "W"),
            (0x0004, RATIONAL, dms(74.0445)),
        ],
    )
    return block + pixels


_CORE_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Quarterly report</dc:title><dc:creator>Alice Author</dc:creator><cp:lastModifiedBy>Bob Editor</cp:lastModifiedBy><cp:revision>3</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">2021-03-04T05:06:07Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2021-03-05T06:07:08Z</dcterms:modified></cp:coreProperties>"""

_APP_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Template>Normal.dotm</Template><TotalTime>42</TotalTime><Application>Microsoft Office Word</Application><Company>Acme Widgets Ltd</Company><AppVersion>16.0000</AppVersion></Properties>"""

_META_XML = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2"><office:meta><meta:initial-creator>Carol Creator</meta:initial-creator><dc:creator>Dave Reviewer</dc:creator><meta:creation-date>2020-01-02T03:04:05</meta:creation-date><dc:date>2020-01-03T04:05:06.123456789+01:00</dc:date><meta:generator>LibreOffice/7.3.7.2$Linux_X86_64</meta:generator><dc:title>Meeting minutes</dc:title><meta:editing-cycles>4</meta:editing-cycles></office:meta></office:document-meta>"""


def _doc() -> bytes:
    truth = EXPECTED[DOC]
    return ole2_file(
        summary={
            2: truth["title"],
            4: truth["author"],
            8: truth["last_modified_by"],
            9: "7",
            18: truth["application"],
            12: datetime(2018, 2, 3, 4, 5, 6, tzinfo=UTC),
            13: datetime(2018, 2, 4, 5, 6, 7, tzinfo=UTC),
        },
        docsummary={15: truth["company"], 14: "Mallory Manager"},
    )


def _pdf(info: dict[str, str] | None, xmp: bytes | None) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    if info:
        writer.add_metadata(info)
    else:
        # pypdf adds a /Producer by default; an XMP-only sample must not have one.
        writer._info = None  # noqa: SLF001 - no public way to drop the Info dictionary
    if xmp is not None:
        stream = DecodedStreamObject()
        stream.set_data(xmp)
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)  # noqa: SLF001
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


_XMP = b"""<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmp:CreatorTool="XMP Tool 1.0">
<dc:creator><rdf:Seq><rdf:li>Frank Xmp</rdf:li></rdf:Seq></dc:creator>
<xmp:CreateDate>2023-06-07T08:09:10+02:00</xmp:CreateDate>
<pdf:Producer>XMP Producer 2.0</pdf:Producer>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def build_samples() -> dict[str, bytes]:
    """Return every sample file's content by its path below tests/data/metadata."""
    return {
        JPEG_GPS: _jpeg(),
        HEIC_GPS: _heic(),
        TIFF_GPS: _tiff(),
        JPEG_NO_FIX: _jpeg_no_fix(),
        JPEG_XMP_GPS: tiny_jpeg(xmp=_PHOTO_XMP),
        DOCX: docx_file(_CORE_XML, _APP_XML),
        ODT: odt_file(_META_XML),
        DOC: _doc(),
        PDF_INFO: _pdf(
            {
                "/Author": "Eve Author",
                "/Creator": "Writer",
                "/Producer": "LibreOffice 7.3",
                "/Title": "Invoice 42",
                "/CreationDate": "D:20220304050607+01'00'",
                "/ModDate": "D:20220305060708Z",
            },
            None,
        ),
        PDF_XMP: _pdf(None, _XMP),
    }
