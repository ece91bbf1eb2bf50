"""Container detection by content and name, and discovery of split raw segments."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from triage.evidence.errors import EvidenceError

_EWF_SIGNATURES = (b"EVF\x09\x0d\x0a\xff\x00", b"EVF2\x0d\x0a\x81\x00")
_LOGICAL_EWF_SIGNATURES = (b"LVF\x09\x0d\x0a\xff\x00", b"LEF2\x0d\x0a\x81\x00")
_NUMERIC_SEGMENT = re.compile(r"^(?P<base>.+)\.(?P<number>\d{3,})$")
_ALPHA_SEGMENT = re.compile(r"^(?P<base>.+)\.(?P<letters>[a-z]{2})$")
#: A split set with more segments than this is refused rather than enumerated forever.
MAX_SEGMENTS = 100_000


def detect_format(path: str) -> str:
    """Return 'folder', 'ewf', 'vmdk', 'vhd', 'vhdx', 'qcow2' or 'raw' for ``path``.

    Raises :class:`EvidenceError` when the path is missing, empty or unreadable, or is a
    container this tool cannot read (logical EWF).
    """
    if os.path.isdir(path):
        return "folder"
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
            size = os.fstat(handle.fileno()).st_size
            tail = b""
            if size >= 512:
                handle.seek(size - 512)
                tail = handle.read(512)
    except FileNotFoundError as error:
        raise EvidenceError(f"{path}: no such file") from error
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

        start = 0 if numbered(0) in present else 1
        return _consecutive(path, directory, numbered, start, 10**width, present)
    alpha = _ALPHA_SEGMENT.match(name)
    if alpha:
        base = alpha["base"]
        present = _siblings(directory, re.escape(base) + r"\.[a-z]{2}")

        def lettered(index: int) -> str:
            return f"{base}.{chr(97 + index // 26)}{chr(97 + index % 26)}"

        return _consecutive(path, directory, lettered, 0, 26 * 26, present)
    return [path]


def _siblings(directory: str, pattern: str) -> set[str]:
    matcher = re.compile(pattern + "$")
    try:
        return {entry for entry in os.listdir(directory or ".") if matcher.match(entry)}
    except OSError:
        return set()


def _consecutive(
    path: str,
    directory: str,
    name_of: Callable[[int], str],
    start: int,
    limit: int,
    present: set[str],
) -> list[str]:
    if not present:
        return [path]
    if name_of(start) not in present:
        if len(present) == 1:
            return [path]
        raise EvidenceError(f"{path}: first split image segment {name_of(start)} is missing")
    out = []
    for index in range(start, min(limit, start + MAX_SEGMENTS)):
        name = name_of(index)
        if name not in present:
            break
        out.append(os.path.join(directory, name))
    if len(out) < len(present):
        raise EvidenceError(f"{path}: split image segment {name_of(start + len(out))} is missing")
    return out
