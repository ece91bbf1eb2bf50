"""The Sleuth Kit body file (``mactime`` input), one line per file-system entry.

Format (TSK 3.x+)::

    MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime

written the way ``fls -r -m /`` writes it: MD5 is ``0`` when not computed; the name
is the full path under the mount point ``/``, followed by `` (deleted)`` for deleted
entries; the mode is fls's name-type/meta-type pair plus the permission string
(``r/rrw-r--r--``, ``d/drwxr-xr-x``, ``-/rrwxrwxrwx``); times are integer POSIX
seconds, ``0`` when unknown.

Mount points: a case with a single file system uses ``/`` as fls does. When the
exported files span several volumes of one evidence item, each volume is mounted at
``/vol<index>``; when they span several evidence items, at ``/<evidence name>/vol<index>``
(``/<evidence name>`` for folder evidence, and ``#<id>`` appended to names two
evidence items share), so lines stay unique. The choice is made over the whole case,
so a filtered export names a file exactly as the full export does.

Differences from fls, by design: control characters and ``|`` in names are written as
``^`` (fls does the former; the latter keeps ``mactime`` from splitting a name); the
target of a symbolic link is not appended (the case does not record it); NTFS
``$FILE_NAME`` lines are not produced (the case holds one set of times per entry); an
NTFS entry's inode is its MFT entry number alone (fls writes ``65-128-2``: number,
attribute type and id, which the case does not keep); names that are not valid UTF-8
carry U+FFFD where fls writes the raw bytes.
"""

from __future__ import annotations

import math
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from triage.casedb import CaseDatabase
from triage.casedb.portable import count_files_by_volume
from triage.reports.selection import Selection

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f|]")


def _integer(value: Any) -> int:
    """A whole number from the case, 0 for anything else (a damaged case can hold text)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    return 0


def permission_string(meta_type: str | None, mode: int | None) -> str:
    """Return fls's 10-character meta type plus ``rwx`` string (with s/S/t/T)."""
    meta_type = meta_type if isinstance(meta_type, str) else None
    meta_char = (meta_type or "-/-").rpartition("/")[2][:1] or "-"
    mode = _integer(mode)
    chars = []
    for shift, special, special_char in ((6, stat.S_ISUID, "s"), (3, stat.S_ISGID, "s"),
                                         (0, stat.S_ISVTX, "t")):
        bits = (mode >> shift) & 0o7
        chars.append("r" if bits & 4 else "-")
        chars.append("w" if bits & 2 else "-")
        execute = bool(bits & 1)
        if mode & special:
            chars.append(special_char if execute else special_char.upper())
        else:
            chars.append("x" if execute else "-")
    return meta_char + "".join(chars)


def mode_string(meta_type: str | None, mode: int | None) -> str:
    """Return fls's mode column: name type, '/', meta type and permissions."""
    name_char = (meta_type if isinstance(meta_type, str) else "-/-").partition("/")[0][:1] or "-"
    return f"{name_char}/{permission_string(meta_type, mode)}"


def _seconds(value: Any) -> int:
    if value is None:
        return 0
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    # Whole seconds rounded down, as fls writes them, before 1970 too (int() would round
    # -86399.5 up to -86399).
    return math.floor(number) if math.isfinite(number) else 0


def _clean(text: str) -> str:
    return _UNSAFE_NAME.sub("^", text)


def body_line(file: dict[str, Any], mount: str) -> str:
    """Return the body-file line of one file row under ``mount`` ('' for '/')."""
    path = file.get("path") or "/"
    name = _clean(mount + (path if path.startswith("/") else "/" + path))
    if mount and path == "/":
        name = _clean(mount)
    if file.get("deleted"):
        name += " (deleted)"
    fields = [
        file.get("md5") or "0",
        name,
        _clean(str(file.get("inode") if file.get("inode") is not None else 0)),
        mode_string(file.get("meta_type"), file.get("mode")),
        str(_integer(file.get("uid"))),
        str(_integer(file.get("gid"))),
        str(_integer(file.get("size"))),
        *(str(_seconds(file.get(k))) for k in ("atime", "mtime", "ctime", "crtime")),
    ]
    return "|".join(fields)


def mount_points(case: CaseDatabase) -> dict[tuple[int, int | None], str]:
    """Return the mount-point prefix per (evidence id, volume index), as documented above."""
    evidence = {e["id"]: e for e in case.list_evidence()}
    with_files = sorted(count_files_by_volume(case), key=lambda k: (k[0], k[1] is None, k[1] or 0))
    evidence_with_files = {key[0] for key in with_files}
    names = [evidence[i]["name"] for i in evidence_with_files if i in evidence]
    mounts: dict[tuple[int, int | None], str] = {}
    for evidence_id, volume_idx in with_files:
        prefix = ""
        if len(evidence_with_files) > 1:
            name = evidence[evidence_id]["name"] if evidence_id in evidence else str(evidence_id)
            label = _clean(name).replace("/", "_")
            prefix = f"/{label}" if names.count(name) == 1 else f"/{label}#{evidence_id}"
        if len(with_files) > 1 and volume_idx is not None:
            prefix += f"/vol{volume_idx}"
        mounts[(evidence_id, volume_idx)] = prefix
    return mounts


def body_lines(case: CaseDatabase, selection: Selection) -> Iterator[str]:
    """Stream the body-file lines of the selected files."""
    mounts = mount_points(case)
    for file in selection.files(case):
        mount = mounts.get((file["evidence_id"], file.get("volume_idx")), "")
        yield body_line(file, mount)


def write_bodyfile(case: CaseDatabase, selection: Selection, target: Path) -> int:
    """Write the body file to ``target``; return how many lines were written."""
    count = 0
    with open(target, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
        for line in body_lines(case, selection):
            handle.write(line + "\n")
            count += 1
    return count
