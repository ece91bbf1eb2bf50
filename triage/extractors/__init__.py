"""Extractor plug-ins, registered by an explicit import list (a frozen build sees them all)."""

from __future__ import annotations

from triage.extractors.interface import ArtefactType, Extractor

#: Every extractor class, in the order they run. One line per extractor module.
EXTRACTOR_CLASSES: list[type[Extractor]] = []


def _register() -> None:
    # Imported here, not at module top, so interface.py stays importable on its own.
    from triage.extractors.crypto import CryptoExtractor
    from triage.extractors.metadata import MetadataExtractor
    from triage.extractors.pgp.extractor import PgpExtractor
    from triage.extractors.tor import TorExtractor
    from triage.extractors.type_mismatch import TypeMismatchExtractor

    EXTRACTOR_CLASSES.extend(
        [
            PgpExtractor,
            CryptoExtractor,
            TorExtractor,
            MetadataExtractor,
            TypeMismatchExtractor,
        ]
    )


_register()


def artefact_types() -> dict[str, ArtefactType]:
    """Return every registered artefact type by name."""
    types: dict[str, ArtefactType] = {}
    for cls in EXTRACTOR_CLASSES:
        for artefact_type in cls.ARTEFACT_TYPES:
            types[artefact_type.name] = artefact_type
    return types


def checked_extractor_names(names: list[str], profile: str | None = None) -> list[str]:
    """Return ``names`` cleaned (trimmed, lower-case, empty ones dropped); raise ValueError
    naming the first that is not a registered extractor or does not run in ``profile``."""
    cleaned = list(dict.fromkeys(n.strip().lower() for n in names if n.strip()))
    known = {cls.NAME: cls for cls in EXTRACTOR_CLASSES}
    choices = ", ".join(known)
    if not cleaned:
        raise ValueError(f"no extractor named (choose from {choices})")
    for name in cleaned:
        if name not in known:
            raise ValueError(f"unknown extractor {name!r} (choose from {choices})")
        if profile and profile not in known[name].PROFILES:
            raise ValueError(f"extractor {name!r} does not run in the {profile} profile")
    return cleaned


def extractor_classes(names: list[str] | None = None, profile: str | None = None) -> list[type[Extractor]]:
    """Return the registered extractor classes, optionally limited by name and profile."""
    selected = []
    for cls in EXTRACTOR_CLASSES:
        if names and cls.NAME not in names:
            continue
        if profile and profile not in cls.PROFILES:
            continue
        selected.append(cls)
    return selected
