"""Where triage may write: never into the evidence, never next to an evidence image.

Shared by the scan (its case file) and the exports (their output), neither SQL nor the
evidence libraries here. Paths are compared after following symbolic links, and folders
also by device and inode number, so a second name for an evidence folder (a bind mount,
a case-insensitive file system) is still found. A file system that ignores the case of
names and numbers its inodes by name (FAT through FUSE) gives ``EVDIR`` and ``evdir``
different inode numbers, so where the evidence's own name shows that its file system
ignores case, names are also compared case-folded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def _resolved(path: str | os.PathLike[str]) -> Path:
    try:
        return Path(path).resolve()
    except (RuntimeError, OSError):  # a loop of links: compare the path as written
        return Path(os.path.abspath(path))


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except (OSError, ValueError):
        return None
    return status.st_dev, status.st_ino


#: Paths :func:`_ignores_case` found on a file system that ignores case (listing a
#: large folder costs tens of milliseconds). Only those are kept: another file system
#: mounted there later can at worst be refused for a name in another case, never let
#: through.
_IGNORES_CASE: set[Path] = set()


def _ignores_case(path: Path) -> bool:
    """True when the file system holding ``path`` finds its name in another case too:
    the name with its case swapped exists but is not listed in its folder. Decided by
    the nearest name (``path``'s own, else a folder's above it) whose letters swap case
    one for one (not ``ß``, which becomes ``SS``)."""
    if path in _IGNORES_CASE:
        return True
    if _find_whether_case_is_ignored(path):
        _IGNORES_CASE.add(path)
        return True
    return False


def _find_whether_case_is_ignored(path: Path) -> bool:
    for place in (path, *path.parents):
        name = place.name
        other = name.swapcase()
        if not name or other == name or len(other) != len(name):
            continue
        try:
            if not (place.parent / other).exists():
                return False
            with os.scandir(place.parent) as entries:
                return not any(entry.name == other for entry in entries)
        except OSError:
            return False
    return False


def _same_ignoring_case(path: Path, candidates: Iterable[Path]) -> bool:
    """True when one of ``candidates`` is ``path`` but for the case of its letters
    (compared lower-cased, as FAT does: ``ß`` is not ``ss`` there)."""
    lowered = str(path).lower()
    return any(str(candidate).lower() == lowered for candidate in candidates)


def _folders_holding(path: Path) -> tuple[set[Path], set[tuple[int, int]]]:
    """``path`` and every folder above it, as paths and as (device, inode) pairs."""
    paths = {path, *path.parents}
    identities = {found for found in map(_identity, paths) if found is not None}
    return paths, identities


def inside_evidence_folder(target: str | os.PathLike[str],
                           evidence: Iterable[str | os.PathLike[str]]) -> str | None:
    """Return the evidence folder (as given in ``evidence``) that ``target`` is or lies
    inside, or None. Evidence that is not a folder (an image) is ignored."""
    paths, identities = _folders_holding(_resolved(target))
    for item in evidence:
        folder = _resolved(item)
        if not folder.is_dir():
            continue
        if folder in paths or _identity(folder) in identities:
            return str(item)
        if _ignores_case(folder) and _same_ignoring_case(folder, paths):
            return str(item)
    return None


def beside_evidence_file(target: str | os.PathLike[str],
                         files: Iterable[str | os.PathLike[str]]) -> str | None:
    """Return the evidence file (an image or one of its segments, as given in ``files``)
    that ``target`` is or lies next to (in the folder holding it), or None."""
    place = _resolved(target)
    place_folder = _identity(place.parent)
    for item in files:
        image = _resolved(item)
        if image.is_dir():
            continue
        if place == image or place.parent == image.parent:
            return str(item)
        if _ignores_case(image) and _same_ignoring_case(image.parent, [place.parent]):
            return str(item)
        if place_folder is not None and _identity(image.parent) == place_folder:
            return str(item)
        same = _identity(image)
        if same is not None and same == _identity(place):
            return str(item)
    return None


def through_evidence_file(target: str | os.PathLike[str],
                          files: Iterable[str | os.PathLike[str]]) -> str | None:
    """Return the evidence file (as given in ``files``) that ``target`` is, or that a
    folder of ``target``'s path would be ("disk.raw/vol0/a.txt" writes through
    ``disk.raw``), or None."""
    paths, identities = _folders_holding(_resolved(target))
    for item in files:
        image = _resolved(item)
        if image in paths or (image.exists() and _identity(image) in identities):
            return str(item)
        if _ignores_case(image) and _same_ignoring_case(image, paths):
            return str(item)
    return None
