"""Office Open XML (docx, xlsx, pptx, ...) document properties: docProps/core.xml and app.xml."""

from __future__ import annotations

from triage.extractors.metadata.dates import normalise_iso_date
from triage.extractors.metadata.result import MetadataResult
from triage.extractors.metadata.safexml import UnsafeXml, child_texts, parse_xml
from triage.extractors.metadata.textvalues import clean_text
from triage.extractors.metadata.zipparts import ZipUnreadable, open_zip, read_member

#: core.xml element (local name) -> attribute.
_CORE_TEXT = {
    "creator": "author",
    "lastModifiedBy": "last_modified_by",
    "title": "title",
    "subject": "subject",
    "keywords": "keywords",
    "description": "description",
    "category": "category",
    "revision": "revision",
}
_CORE_DATES = {"created": "created", "modified": "modified", "lastPrinted": "last_printed"}
#: app.xml element (local name) -> attribute.
_APP_TEXT = {
    "Application": "application",
    "AppVersion": "application_version",
    "Company": "company",
    "Manager": "manager",
    "Template": "template",
    "TotalTime": "total_editing_minutes",
}


def _part(archive, name: str, result: MetadataResult) -> dict[str, str]:
    try:
        content = read_member(archive, name)
        if content is None:
            return {}
        return child_texts(parse_xml(content))
    except (ZipUnreadable, UnsafeXml) as exc:
        result.warnings.append(f"{name}: {exc}")
        return {}


def parse_ooxml(data: bytes) -> MetadataResult:
    """Return the author, dates, company and application recorded in an OOXML package."""
    result = MetadataResult()
    try:
        archive = open_zip(data)
    except ZipUnreadable as exc:
        result.warnings.append(str(exc))
        return result
    with archive:
        core = _part(archive, "docProps/core.xml", result)
        app = _part(archive, "docProps/app.xml", result)
    for element, name in _CORE_TEXT.items():
        result.set(name, clean_text(core.get(element)))
    for element, name in _CORE_DATES.items():
        raw = core.get(element)
        value = normalise_iso_date(raw)
        if raw and value is None:
            result.warnings.append(f"core.xml {element} date unreadable: {raw[:60]!r}")
        result.set(name, value)
    for element, name in _APP_TEXT.items():
        result.set(name, clean_text(app.get(element)))
    return result
