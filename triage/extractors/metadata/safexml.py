"""Parse small untrusted XML documents without entity expansion or external fetches."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

#: Metadata parts are a few KiB; anything larger is not parsed.
MAX_XML = 4 * 1024 * 1024

_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnsafeXml(ValueError):
    """The XML is too large, declares a DTD/entities, or is not well formed."""


def parse_xml(data: bytes) -> ElementTree.Element:
    """Return the root element of ``data``; raise :class:`UnsafeXml` when it is refused.

    Documents with a DOCTYPE or ENTITY declaration are refused outright: metadata parts
    never need them, and refusing them rules out entity-expansion bombs and external
    entities whatever the XML parser would do with them.
    """
    if len(data) > MAX_XML:
        raise UnsafeXml(f"XML part larger than {MAX_XML} bytes")
    if _FORBIDDEN.search(data) or _FORBIDDEN.search(data.replace(b"\x00", b"")):
        raise UnsafeXml("XML declares a DOCTYPE or entities")
    try:
        return ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError) as exc:
        raise UnsafeXml(f"XML not well formed: {exc}") from exc


def local_name(tag: str) -> str:
    """Return an element tag without its '{namespace}' prefix."""
    return tag.rsplit("}", 1)[-1]


def child_texts(root: ElementTree.Element) -> dict[str, str]:
    """Map the local names of ``root``'s direct children to their stripped text."""
    out: dict[str, str] = {}
    for child in root:
        if not isinstance(child.tag, str):
            continue
        text = "".join(child.itertext()).strip()
        if text and local_name(child.tag) not in out:
            out[local_name(child.tag)] = text
    return out
