"""Find bundled resources (icons, map outlines, templates, magic database), frozen or not."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_root() -> Path:
    """Return the folder holding the resources: the PyInstaller bundle's, or the repository's."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Return the path of a resource, e.g. ``resource_path("icons", "pgp.svg")``."""
    return resources_root().joinpath(*parts)


def is_frozen() -> bool:
    """True when running from a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))
