"""Where libmagic's compiled database lives in a frozen build.

A PyInstaller bundle ships its own ``magic.mgc`` (matching the bundled libmagic, whose
compiled-in default path points at the build machine's file system). From source, the
system libmagic finds its own database, so no path is given.
"""

from __future__ import annotations

from triage.resources import is_frozen, resource_path

#: Location of the database inside the bundle's resources (see build_spec/triage.spec).
BUNDLED_MAGIC_PARTS = ("magic", "magic.mgc")


def bundled_magic_file() -> str | None:
    """Return the bundle's ``magic.mgc`` path if it exists (frozen or not), else None."""
    path = resource_path(*BUNDLED_MAGIC_PARTS)
    return str(path) if path.is_file() else None


def magic_file() -> str | None:
    """Return the ``magic_file`` to give libmagic: the bundled database when frozen, else None."""
    if not is_frozen():
        return None
    return bundled_magic_file()
