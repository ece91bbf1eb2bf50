"""Category and node icons, drawn by hand as SVG files in resources/icons/."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from triage.ui.resource_files import resource_path

CATEGORY_ICONS = {
    "PGP keys": "key",
    "Secret keys": "secret_key",
    "PGP": "pgp",
    "Wallets": "wallet",
    "Addresses": "address",
    "Seeds and keys": "seed",
    "Tor": "tor",
    "Onion services": "onion_service",
    "Onion addresses": "onion_address",
    "Photos": "photo",
    "Documents": "document",
    "Type mismatches": "mismatch",
}


@cache
def icon(name: str) -> QIcon:
    """Return the icon ``resources/icons/<name>.svg`` (an empty icon when it is missing)."""
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()


def category_icon(category: str) -> QIcon:
    """Return the icon of an artefact category (a generic one for unknown categories)."""
    return icon(CATEGORY_ICONS.get(category, "artefacts"))
