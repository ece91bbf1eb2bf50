"""Container detection by content and name, and discovery of split raw segments."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from triage.evidence.errors import EvidenceError
from triage.evidence.media_files import media_file_size, open_media_file

_EWF_SIGNATURES = (b"EVF\x09\x0d\x0a\xff\x00", b"EVF2\x0d\x0a\x81\x00")
_LOGICAL_EWF_SIGNATURES = (b"LVF\x09\x0d\x0a\xff\x00", b"LEF2\x0d\x0a\x81\x00")
_NUMERIC_SEGMENT = re.compile(r"^(?P<base>.+)\.(?P<number>\d{3,})$")
_ALPHA_SEGMENT = re.compile(r"^(?P<base>.+)\.(?P<letters>[a-z]{2})$")
#: A split set with more segments than this is refused rather than enumerated forever.
MAX_SEGMENTS = 100_000


def detect_format(path: str) -> str:
    """Return 'folder', 'ewf', 'vmdk', 'vhd', 'vhdx', 'qcow2' or 'raw' for ``path``.

    Raises :class:`EvidenceError` when the path is missing, empty or unreadable, is not a
    regular file, block device or folder, or is a container this tool cannot read
    (logical EWF).
    """
    if os.path.isdir(path):
        return "folder"
    with open_media_file(path) as handle:
        try:
            head = handle.read(512)
            size = media_file_size(handle)
            tail = b""
            if size >= 512:
                handle.seek(size - 512)
                tail = handle.read(512)
        except OSError as error:
            raise EvidenceError(f"{path}: cannot read ({error.strerror or error})") from error
    if size == 0:
        raise EvidenceError(f"{path}: the file is empty")
    if head.startswith(_EWF_SIGNATURES):
        return "ewf"
    if head.startswith(_LOGICAL_EWF_SIGNATURES):
        raise EvidenceError(f"{path}: logical evidence files (L01/Lx01) are not supported")
    if head.startswith((b"KDMV", b"COWD")) or b"# Disk DescriptorFile" in head[:64]:
        return "vmdk"
    if head.startswith(b"vhdxfile"):
        return "vhdx"
    if head.startswith(b"conectix") or tail.startswith(b"conectix"):
        return "vhd"
    if head.startswith(b"QFI\xfb"):
        return "qcow2"
    return "raw"


def split_segments(path: str) -> list[str]:
    """Return the ordered segments of the split raw set ``path`` belongs to.

    Recognises ``name.000``/``name.001``... (any number of digits, numbering from 0 or 1)
    and ``name.aa``/``name.ab``...; returns ``[path]`` for a name that is not a segment
    name. Raises :class:`EvidenceError` when a segment of the set is missing.
    """
    directory, name = os.path.split(path)
    numeric = _NUMERIC_SEGMENT.match(name)
    if numeric:
        width = len(numeric["number"])
        base = numeric["base"]
        present = _siblings(directory, re.escape(base) + rf"\.\d{{{width}}}")

        def numbered(index: int) -> str:
            return f"{base}.{index:0{width}d}"

        def number_of(segment: str) -> int:
            return int(segment.rpartition(".")[2])

        start = 0 if numbered(0) in present else 1
        return _consecutive(path, directory, numbered, number_of, start, 10**width, present)
    alpha = _ALPHA_SEGMENT.match(name)
    if alpha:
        base = alpha["base"]
        present = _siblings(directory, re.escape(base) + r"\.[a-z]{2}")

        def lettered(index: int) -> str:
            return f"{base}.{chr(97 + index // 26)}{chr(97 + index % 26)}"

        def letters_of(segment: str) -> int:
            first, second = segment[-2:]
            return (ord(first) - 97) * 26 + ord(second) - 97

        return _consecutive(path, directory, lettered, letters_of, 0, 26 * 26, present)
    return [path]


def _siblings(directory: str, pattern: str) -> set[str]:
    matcher = re.compile(pattern + "$")
    try:
        return {entry for entry in os.listdir(directory or ".") if matcher.match(entry)}
    except OSError:
        return set()


#: A segment missing at the end of a run is noticed when a later one is this close.
_GAP_SEEN = 3


def _consecutive(
    path: str,
    directory: str,
    name_of: Callable[[int], str],
    index_of: Callable[[str], int],
    start: int,
    limit: int,
    present: set[str],
) -> list[str]:
    """The run of segments from ``start`` that ``path`` belongs to.

    A sibling that only shares the name's pattern (``disk.gz`` beside ``disk.dd``, a
    ``.sh`` beside ``.aa``) is not a segment: a file with no sibling near it in the
    numbering nor of its own size is an image on its own, and siblings well past the
    end of a run are ignored unless they have a segment's size. Otherwise a gap is an
    error.
    """
    given = index_of(os.path.basename(path))
    indexes = {index_of(name): name for name in present}
    if not _segment_like(path, directory, given, indexes):
        return [path]
    if name_of(start) not in present:
        raise EvidenceError(f"{path}: first split image segment {name_of(start)} is missing")
    out = []
    for index in range(start, min(limit, start + MAX_SEGMENTS)):
        name = name_of(index)
        if name not in present:
            break
        out.append(os.path.join(directory, name))
    end = start + len(out)
    if given >= end or _segment_like(out[0], directory, end - 1, {
            index: name for index, name in indexes.items() if index > end}):
        raise EvidenceError(f"{path}: split image segment {name_of(end)} is missing")
    return out


#: A sibling this close in the numbering is taken for a segment of the same set.
_NEAR = 3


def _segment_like(path: str, directory: str, index: int, others: dict[int, str]) -> bool:
    """True when one of ``others`` (index: name) is near ``index`` in the numbering or
    has the size of the segment ``path``."""
    size = _size(path)
    return any(other != index and (abs(other - index) <= _NEAR
                                   or _size(os.path.join(directory, name)) == size)
               for other, name in others.items())


def _size(path: str) -> int | None:
    try:
        return os.path.getsize(path)
    except OSError:
        return None
