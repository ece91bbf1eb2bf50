"""OLE2 / Compound File documents (doc, xls, ppt, msg, msi, ...): the property-set streams.

SummaryInformation holds author, last saved by, dates and application;
DocumentSummaryInformation holds company and manager. Read with olefile.
"""

from __future__ import annotations

import functools
import io
from datetime import UTC, datetime
from typing import Any

from triage.extractors.metadata.result import MetadataResult
from triage.extractors.metadata.textvalues import clean_text

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: olefile metadata attribute -> our attribute.
_TEXT = {
    "author": "author",
    "last_saved_by": "last_modified_by",
    "title": "title",
    "subject": "subject",
    "keywords": "keywords",
    "comments": "description",
    "template": "template",
    "creating_application": "application",
    "company": "company",
    "manager": "manager",
    "category": "category",
    "revision_number": "revision",
}
_DATES = {"create_time": "created", "last_saved_time": "modified", "last_printed": "last_printed"}
# Property sets store 'never' as a FILETIME of zero or small durations; ignore pre-1980.
_EARLIEST = datetime(1980, 1, 1)


def _decode(value: object, codepage: object) -> str | None:
    """Text of a property set string in the set's code page (its CodePage property)."""
    if isinstance(value, bytes):
        encoding = _ENCODINGS.get(_codepage(codepage), f"cp{_codepage(codepage)}")
        try:
            value = value.decode(encoding, "replace")
        except LookupError:
            value = value.decode("cp1252", "replace")
    return clean_text(value)


#: Code pages Python names otherwise (65001 is UTF-8; none recorded: Windows-1252).
_ENCODINGS = {65001: "utf-8", 0: "cp1252"}
#: UTF-16 property sets: olefile drops the zero bytes of their strings, so their text
#: cannot be read back.
_UTF16_CODEPAGE = 1200


def _codepage(value: object) -> int:
    """The code page as a number: it is stored as a signed 16-bit value, so 65001 (UTF-8)
    reads as -535; 0 when absent."""
    if not isinstance(value, int) or isinstance(value, bool):
        return 0
    return value & 0xFFFF


#: Most items a property vector may declare; real ones (title and heading lists) hold a few.
MAX_VECTOR_ITEMS = 65536
#: Damage reports kept per file.
MAX_DAMAGE_WARNINGS = 5
_VT_VECTOR = 0x1000


@functools.cache
def _bounded_ole_class(olefile: Any) -> type:
    """olefile's reader, refusing property vectors longer than their stream.

    olefile loops over a vector's declared count (up to 2**32) even when its items take
    no bytes, so one damaged count hangs the scan while memory grows.
    """

    class BoundedOleFileIO(olefile.OleFileIO):  # type: ignore[misc, name-defined]
        def _parse_property(self, s: bytes, offset: int, property_id: int,
                            property_type: int, *args: Any) -> Any:
            if property_type & _VT_VECTOR and offset + 4 <= len(s):
                count = int.from_bytes(s[offset:offset + 4], "little")
                if count > min(len(s) - offset, MAX_VECTOR_ITEMS):
                    raise ValueError(f"property {property_id}: vector of {count} items"
                                     " does not fit its stream")
            return super()._parse_property(s, offset, property_id, property_type, *args)

    return BoundedOleFileIO


def parse_ole2(data: bytes) -> MetadataResult:
    """Return the SummaryInformation/DocumentSummaryInformation properties of an OLE2 file."""
    import olefile  # here, not at start-up: few scans meet a legacy Office file

    result = MetadataResult()
    if not data.startswith(OLE2_MAGIC):
        result.warnings.append("not an OLE2 compound file")
        return result
    try:
        with _bounded_ole_class(olefile)(io.BytesIO(data)) as ole:
            meta = ole.get_metadata()
            # Damage olefile stepped over (a property it could not read) is worth saying.
            result.warnings += [f"OLE2 damaged: {message}"[:300]
                                for _, message in ole.parsing_issues[:MAX_DAMAGE_WARNINGS]]
    except RecursionError:
        result.warnings.append("OLE2 structures nested too deep")
        return result
    except Exception as exc:  # olefile raises many types on corrupt input
        result.warnings.append(f"OLE2 unreadable: {type(exc).__name__}: {exc}"[:300])
        return result
    # The two property sets each have their own code page.
    codepages = (getattr(meta, "codepage", None), getattr(meta, "codepage_doc", None))
    if _UTF16_CODEPAGE in map(_codepage, codepages):
        result.warnings.append("property set in UTF-16 (code page 1200): its text is"
                               " garbled by the OLE2 reader (exiftool reads it)")
    document_fields = set(getattr(meta, "DOCSUM_ATTRIBS", ()))
    for source, name in _TEXT.items():
        value = getattr(meta, source, None)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        result.set(name, _decode(value, codepages[source in document_fields]))
    for source, name in _DATES.items():
        value = getattr(meta, source, None)
        if isinstance(value, datetime) and value >= _EARLIEST:
            # FILETIMEs in property sets are UTC.
            result.set(name, value.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return result
