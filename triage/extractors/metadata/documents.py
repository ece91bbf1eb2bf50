"""Pick the document metadata parser from the content's own signature, not its name."""

from __future__ import annotations

from triage.extractors.metadata.odf import parse_odf
from triage.extractors.metadata.ole2 import OLE2_MAGIC, parse_ole2
from triage.extractors.metadata.ooxml import parse_ooxml
from triage.extractors.metadata.pdf import parse_pdf
from triage.extractors.metadata.result import MetadataResult
from triage.extractors.metadata.zipparts import ZipUnreadable, open_zip

ZIP_MAGIC = b"PK\x03\x04"
#: PDF readers accept the header anywhere in the first KiB.
PDF_HEADER_WINDOW = 1024


def document_format(data: bytes) -> str | None:
    """Return 'OLE2', 'PDF' or 'ZIP' for content that may be a document, else None."""
    if data.startswith(OLE2_MAGIC):
        return "OLE2"
    if b"%PDF-" in data[:PDF_HEADER_WINDOW]:
        return "PDF"
    if data.startswith(ZIP_MAGIC):
        return "ZIP"
    return None


def _zip_kind(data: bytes) -> str | None:
    try:
        with open_zip(data) as archive:
            names = {info.filename.lower() for info in archive.infolist()}
    except ZipUnreadable:
        return None
    if "docprops/core.xml" in names or "docprops/app.xml" in names:
        return "OOXML"
    if "meta.xml" in names:
        return "ODF"
    return None


def parse_document(data: bytes) -> tuple[str | None, MetadataResult]:
    """Return ``(format, result)`` for an OLE2, PDF, OOXML or ODF document; (None, empty) else."""
    kind = document_format(data)
    if kind == "OLE2":
        return kind, parse_ole2(data)
    if kind == "PDF":
        return kind, parse_pdf(data)
    if kind == "ZIP":
        zip_kind = _zip_kind(data)
        if zip_kind == "OOXML":
            return zip_kind, parse_ooxml(data)
        if zip_kind == "ODF":
            return zip_kind, parse_odf(data)
    return None, MetadataResult()
