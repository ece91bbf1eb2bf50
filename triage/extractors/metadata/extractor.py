"""The metadata extractor plug-in: ``media.exif`` for photos, ``document.metadata`` for documents."""

from __future__ import annotations

from collections.abc import Iterable

from triage.extractors.interface import (
    ArtefactType,
    AttributeSpec,
    ExtractionContext,
    Extractor,
    FileView,
    Finding,
)
from triage.extractors.metadata.documents import parse_document
from triage.extractors.metadata.exif import parse_exif
from triage.extractors.metadata.gps_probe import jpeg_has_gps
from triage.extractors.metadata.jpeg_frame import jpeg_header_length
from triage.extractors.metadata.result import MetadataResult
from triage.extractors.metadata.tiff_ifd import TIFF_MAGICS
from triage.extractors.metadata.zone_identifier import parse_zone_identifier

MEDIA_EXIF = ArtefactType(
    name="media.exif",
    label="Photo metadata (EXIF)",
    category="Photos",
    attributes=(
        AttributeSpec("format", "text", "Format"),
        AttributeSpec("make", "text", "Make"),
        AttributeSpec("model", "text", "Model"),
        AttributeSpec("serial_number", "text", "Body serial number"),
        AttributeSpec("lens_make", "text", "Lens make"),
        AttributeSpec("lens_model", "text", "Lens model"),
        AttributeSpec("lens_serial_number", "text", "Lens serial number"),
        AttributeSpec("software", "text", "Software"),
        AttributeSpec("datetime_original", "text", "Taken (as recorded)"),
        AttributeSpec("datetime_original_utc", "datetime", "Taken (UTC)"),
        AttributeSpec("utc_offset_original", "text", "Offset when taken"),
        AttributeSpec("datetime_digitized", "text", "Digitized (as recorded)"),
        AttributeSpec("datetime_digitized_utc", "datetime", "Digitized (UTC)"),
        AttributeSpec("utc_offset_digitized", "text", "Offset when digitized"),
        AttributeSpec("datetime_modified", "text", "Modified (as recorded)"),
        AttributeSpec("gps_latitude", "real", "Latitude"),
        AttributeSpec("gps_longitude", "real", "Longitude"),
        AttributeSpec("gps_altitude", "real", "Altitude (m)"),
        AttributeSpec("gps_timestamp", "text", "GPS time (UTC)"),
        AttributeSpec("orientation", "integer", "Orientation"),
        AttributeSpec("width", "integer", "Width"),
        AttributeSpec("height", "integer", "Height"),
        AttributeSpec("has_thumbnail", "bool", "Thumbnail"),
    ),
    columns=(
        "make",
        "model",
        "datetime_original",
        "gps_latitude",
        "gps_longitude",
        "serial_number",
    ),
)

DOWNLOAD_ORIGIN = ArtefactType(
    name="file.download_origin",
    label="Download origin (Zone.Identifier)",
    category="Downloads",
    attributes=(
        AttributeSpec("host_url", "text", "Downloaded from"),
        AttributeSpec("referrer_url", "text", "Linked from"),
        AttributeSpec("zone_id", "integer", "Zone"),
        AttributeSpec("zone", "text", "Zone name"),
        AttributeSpec("app_package", "text", "Written by (app package)"),
        AttributeSpec("app_zone_id", "text", "App zone"),
    ),
    columns=("host_url", "referrer_url", "zone"),
)

DOCUMENT_METADATA = ArtefactType(
    name="document.metadata",
    label="Document metadata",
    category="Documents",
    attributes=(
        AttributeSpec("format", "text", "Format"),
        AttributeSpec("author", "text", "Author"),
        AttributeSpec("last_modified_by", "text", "Last modified by"),
        AttributeSpec("created", "datetime", "Created"),
        AttributeSpec("modified", "datetime", "Modified"),
        AttributeSpec("last_printed", "datetime", "Last printed"),
        AttributeSpec("printed_by", "text", "Printed by"),
        AttributeSpec("company", "text", "Company"),
        AttributeSpec("manager", "text", "Manager"),
        AttributeSpec("application", "text", "Application / creator tool"),
        AttributeSpec("application_version", "text", "Application version"),
        AttributeSpec("producer", "text", "PDF producer"),
        AttributeSpec("title", "text", "Title"),
        AttributeSpec("subject", "text", "Subject"),
        AttributeSpec("keywords", "text", "Keywords"),
        AttributeSpec("description", "text", "Description / comments"),
        AttributeSpec("category", "text", "Category"),
        AttributeSpec("template", "text", "Template"),
        AttributeSpec("revision", "text", "Revision"),
        AttributeSpec("total_editing_minutes", "text", "Total editing time (min)"),
        AttributeSpec("odf_mimetype", "text", "ODF type"),
        AttributeSpec("encrypted", "bool", "Encrypted"),
    ),
    columns=(
        "format",
        "author",
        "last_modified_by",
        "created",
        "modified",
        "application",
        "company",
    ),
)

#: EXIF attributes that make a photo worth a finding (size or orientation alone do not).
#: What the quick profile wants of a photo: a position.
_GPS_POSITION = frozenset({"gps_latitude", "gps_longitude"})
_EXIF_EVIDENCE = frozenset(
    "make model serial_number lens_serial_number software datetime_original datetime_digitized "
    "datetime_modified gps_latitude gps_longitude gps_altitude gps_timestamp".split()
)
#: Document attributes that are structure rather than authorship.
_DOCUMENT_STRUCTURE = frozenset({"format", "odf_mimetype", "encrypted"})

_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")


def image_format(data: bytes) -> str | None:
    """Return 'JPEG', 'TIFF' or 'HEIF' when ``data`` starts like one of them, else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] in TIFF_MAGICS:
        return "TIFF"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None


class MetadataExtractor(Extractor):
    """EXIF of JPEG/TIFF/HEIF/raw photos and authorship of Office, ODF and PDF documents."""

    NAME = "metadata"
    VERSION = "1.7"
    DESCRIPTION = (
        "Photo EXIF (camera, serial numbers, times, GPS position) and document metadata "
        "(authors, dates, company, application) of Office, OpenDocument and PDF files."
    )
    ARTEFACT_TYPES = (MEDIA_EXIF, DOCUMENT_METADATA, DOWNLOAD_ORIGIN)

    EXTENSIONS = frozenset(
        "jpg jpeg jpe jfif tif tiff heic heif avif dng nef nrw cr2 arw srf sr2 orf rw2 pef srw "
        "doc dot xls xlt ppt pps pot msg pub vsd docx docm dotx dotm xlsx xlsm xltx xltm pptx pptm "
        "ppsx potx odt ods odp odg ott ots otp pdf identifier".split()
    )
    SIGNATURES = (
        (0, b"\xff\xd8\xff"),
        *((0, magic) for magic in TIFF_MAGICS),
        (0, b"%PDF-"),
        (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        *((4, b"ftyp" + brand) for brand in _HEIF_BRANDS),
    )
    MIME_TYPES = frozenset(
        {
            "image/jpeg",
            "image/tiff",
            "image/heic",
            "image/heif",
            "image/avif",
            "application/pdf",
            "application/x-ole-storage",
            "application/cdfv2",
            "application/msword",
            "application/vnd.ms-excel",
            "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.spreadsheet",
            "application/vnd.oasis.opendocument.presentation",
            "application/vnd.oasis.opendocument.graphics",
        }
    )

    def content_wanted(self, entry: FileView, head: bytes) -> bool:
        """In the quick profile, a JPEG whose EXIF has no GPS position is not read further."""
        return not (self.options.get("profile") == "quick" and head[:3] == b"\xff\xd8\xff"
                    and jpeg_has_gps(head) is False)

    def content_prefix(self, entry: FileView, head: bytes) -> int | None:
        """In the quick profile, a JPEG whose header (EXIF, XMP, frame size: every segment
        up to the start of scan) lies in ``head`` is read no further: what is parsed from
        a photo is all in front of its image data, so the image is neither read nor
        hashed. A header that runs past the head is read whole, as in full."""
        if self.options.get("profile") != "quick" or head[:3] != b"\xff\xd8\xff":
            return None
        if entry.name.lower().endswith("zone.identifier"):
            return None
        return jpeg_header_length(head)

    def extract(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterable[Finding]:
        """Parse the photo or document in ``data``; the content's signature picks the parser."""
        if not data:
            return
        if entry.name.lower().endswith(":zone.identifier") or entry.name.lower() == "zone.identifier":
            origin = parse_zone_identifier(data)
            if origin is not None:
                yield Finding(DOWNLOAD_ORIGIN.name, origin)
            return
        image = image_format(data)
        if image is not None:
            if (self.options.get("profile") == "quick" and image == "JPEG"
                    and jpeg_has_gps(data) is False):
                # Quick triage reports the photos that place someone; full reports them all.
                return
            result = parse_exif(data)
            self._warn(ctx, entry, result)
            if self.options.get("profile") == "quick" and not _GPS_POSITION <= result.attributes.keys():
                return  # whatever the format: a TIFF, a HEIC, a JPEG the probe could not tell
            if _EXIF_EVIDENCE & result.attributes.keys():
                yield Finding(MEDIA_EXIF.name, {"format": image, **result.attributes})
            return
        kind, result = parse_document(data)
        self._warn(ctx, entry, result)
        if kind is not None and result.attributes.keys() - _DOCUMENT_STRUCTURE:
            yield Finding(DOCUMENT_METADATA.name, {"format": kind, **result.attributes})

    @staticmethod
    def _warn(ctx: ExtractionContext, entry: FileView, result: MetadataResult) -> None:
        for message in result.warnings:
            ctx.warn(f"metadata: {message}", entry.path)
