"""OpenDocument (odt, ods, odp, ...) metadata from meta.xml."""

from __future__ import annotations

import re

from triage.extractors.metadata.dates import normalise_iso_date
from triage.extractors.metadata.result import MetadataResult
from triage.extractors.metadata.safexml import UnsafeXml, child_texts, local_name, parse_xml
from triage.extractors.metadata.textvalues import clean_text
from triage.extractors.metadata.zipparts import ZipUnreadable, open_zip, read_member

#: <office:meta> child (local name) -> attribute. ODF's dc:creator is the last editor.
_TEXT = {
    "initial-creator": "author",
    "creator": "last_modified_by",
    "title": "title",
    "subject": "subject",
    "description": "description",
    "keyword": "keywords",
    "generator": "application",
    "editing-cycles": "revision",
    "printed-by": "printed_by",
}
_DATES = {"creation-date": "created", "date": "modified", "print-date": "last_printed"}


#: An ISO 8601 duration as ODF writes meta:editing-duration ("PT1H2M3S", "P1DT2H").
_DURATION = re.compile(
    r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def _duration_minutes(text: str | None) -> int | None:
    """Whole minutes of an ODF editing duration, as OOXML's TotalTime counts them."""
    match = _DURATION.fullmatch((text or "").strip())
    if match is None or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(part or 0) for part in match.groups())
    return int(((days * 24 + hours) * 60 + minutes) + seconds // 60)


def parse_odf(data: bytes) -> MetadataResult:
    """Return the authors, dates and generator recorded in an ODF package's meta.xml."""
    result = MetadataResult()
    try:
        archive = open_zip(data)
    except ZipUnreadable as exc:
        result.warnings.append(str(exc))
        return result
    with archive:
        try:
            content = read_member(archive, "meta.xml")
            mimetype = read_member(archive, "mimetype")
        except ZipUnreadable as exc:
            result.warnings.append(str(exc))
            return result
    if mimetype:
        result.set("odf_mimetype", clean_text(mimetype[:200]))
    if content is None:
        return result
    try:
        root = parse_xml(content)
    except UnsafeXml as exc:
        result.warnings.append(f"meta.xml: {exc}")
        return result
    meta = next((c for c in root if isinstance(c.tag, str) and local_name(c.tag) == "meta"), None)
    values = child_texts(meta) if meta is not None else {}
    if meta is not None:
        # ODF writes one <meta:keyword> per keyword; child_texts keeps only the first.
        keywords = [text for child in meta if isinstance(child.tag, str)
                    and local_name(child.tag) == "keyword"
                    and (text := "".join(child.itertext()).strip())]
        if keywords:
            values["keyword"] = ", ".join(keywords)
    for element, name in _TEXT.items():
        result.set(name, clean_text(values.get(element)))
    minutes = _duration_minutes(values.get("editing-duration"))
    if minutes is not None:
        result.set("total_editing_minutes", str(minutes))
    for element, name in _DATES.items():
        raw = values.get(element)
        value = normalise_iso_date(raw)
        if raw and value is None:
            result.warnings.append(f"meta.xml {element} date unreadable: {raw[:60]!r}")
        result.set(name, value)
    return result
