"""PDF metadata: the document information dictionary and the XMP packet, read with pypdf."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PdfReader

from triage.extractors.metadata.dates import normalise_iso_date, normalise_pdf_date
from triage.extractors.metadata.result import MetadataResult
from triage.extractors.metadata.safexml import MAX_XML, UnsafeXml, parse_xml
from triage.extractors.metadata.textvalues import clean_text
from triage.extractors.metadata.xmp import xmp_values

# pypdf logs every repaired oddity; our warnings go to the case instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_INFO_TEXT = {
    "/Author": "author",
    "/Creator": "application",
    "/Producer": "producer",
    "/Title": "title",
    "/Subject": "subject",
    "/Keywords": "keywords",
}
_INFO_DATES = {"/CreationDate": "created", "/ModDate": "modified"}
#: XMP property (local name) -> attribute, used when the Info dictionary lacks it.
_XMP_TEXT = {
    "creator": "author",
    "CreatorTool": "application",
    "Producer": "producer",
    "title": "title",
    "description": "subject",
    "Keywords": "keywords",
}
_XMP_DATES = {"CreateDate": "created", "ModifyDate": "modified"}


def _read_xmp(reader: PdfReader, result: MetadataResult) -> dict[str, str]:
    try:
        stream = reader.trailer["/Root"].get_object().get("/Metadata")
        if stream is None:
            return {}
        stream = stream.get_object()
        declared = stream.get("/Length")
        if isinstance(declared, int) and declared > MAX_XML:
            result.warnings.append("XMP packet too large; not read")
            return {}
        return xmp_values(parse_xml(stream.get_data()))
    except UnsafeXml as exc:
        result.warnings.append(f"XMP: {exc}")
    except RecursionError:
        result.warnings.append("XMP: PDF objects nested too deep")
    except Exception as exc:  # pypdf raises many types on corrupt input
        result.warnings.append(f"XMP unreadable: {type(exc).__name__}: {exc}"[:300])
    return {}


def _read_info(reader: PdfReader, result: MetadataResult) -> dict[str, str | bytes]:
    """The Info dictionary's text and date entries as text; an entry that cannot be
    read (a reference cycle, a broken object) is left out with a warning of its own, so
    it does not cost the others."""
    try:
        info = reader.metadata
        if info is None:
            return {}
    except RecursionError:
        result.warnings.append("Info dictionary: PDF objects nested too deep")
        return {}
    except Exception as exc:  # see _read_xmp
        result.warnings.append(f"Info dictionary unreadable: {type(exc).__name__}: {exc}"[:300])
        return {}
    values: dict[str, str | bytes] = {}
    for key in (*_INFO_TEXT, *_INFO_DATES):
        try:
            value = info.get(key)
            if hasattr(value, "get_object"):
                value = value.get_object()
            # A reference to a missing object, or /Key null, holds no value (its text
            # would be "None" or "NullObject").
            if value is not None and type(value).__name__ != "NullObject":
                # Text now, inside the guard: making text of an object is what can fail.
                values[key] = value if isinstance(value, str | bytes) else str(value)
        except RecursionError:
            result.warnings.append(f"Info {key}: PDF objects nested too deep")
        except Exception as exc:  # see _read_xmp
            result.warnings.append(f"Info {key} unreadable: {type(exc).__name__}: {exc}"[:300])
    return values


def parse_pdf(data: bytes) -> MetadataResult:
    """Return author, application, producer and dates from a PDF's Info dictionary and XMP."""
    result = MetadataResult()
    try:
        from pypdf import PdfReader  # imported on first use: it costs a tenth of a second

        reader = PdfReader(io.BytesIO(data), strict=False)
    except RecursionError:
        result.warnings.append("PDF objects nested too deep")
        return result
    except Exception as exc:  # see _read_xmp
        result.warnings.append(f"PDF unreadable: {type(exc).__name__}: {exc}"[:300])
        return result
    if getattr(reader, "is_encrypted", False):
        result.set("encrypted", True)
        try:
            reader.decrypt("")  # Info strings of PDFs with only an owner password
        except Exception:
            result.warnings.append("PDF encrypted; metadata may be unreadable")
    info = _read_info(reader, result)
    xmp = _read_xmp(reader, result)
    for key, name in _INFO_TEXT.items():
        result.set(name, clean_text(info.get(key)))
    for key, name in _INFO_DATES.items():
        raw = info.get(key)
        text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
        value = normalise_pdf_date(text) if text is not None else None
        if text is not None and value is None:
            result.warnings.append(f"Info {key} unreadable: {text[:60]!r}")
        result.set(name, value)
    for key, name in _XMP_TEXT.items():
        if name not in result.attributes:
            result.set(name, clean_text(xmp.get(key)))
    for key, name in _XMP_DATES.items():
        if name not in result.attributes:
            result.set(name, normalise_iso_date(xmp.get(key)))
    return result
