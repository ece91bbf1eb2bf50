"""Name the files whose stored bytes lie in damaged media (EWF chunks whose checksum
failed, bytes a truncated or damaged container did not return: read as zeros).

A damaged chunk is reported when it is first met, often while a file system's metadata
is read, and each file that later reads it gets zeros without a word. After the walk,
each file system holding damaged bytes is asked where every file's data lies (as
``ifind -d`` does, one inode at a time) and each file with data there is named once.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from triage.engine.batch_writer import MEDIA_SOURCE
from triage.evidence.ewf_checksum import CHECKSUM, MISSING

#: The pass stops (with a warning) after this long: it runs in the scanning process,
#: after the walk, and a huge damaged volume must not hold the run's end for hours.
OWNER_SECONDS = 600.0
#: Inodes whose damaged parts are remembered while the file rows stream by.
MEMO_INODES = 4096
#: What the damaged media is, by the causes of its damage.
_DAMAGE_NAMES = {
    frozenset({CHECKSUM}): "EWF chunks whose checksum failed",
    frozenset({MISSING}): "media that could not be read from the image (truncated or damaged)",
}


def damaged_volumes(volumes: list[Any], filesystems: dict[int, Any],
                    damaged: list[tuple[int, int]]) -> list[int]:
    """Indexes of the volumes with an opened file system and damaged bytes inside."""
    return [volume.index for volume in volumes
            if filesystems.get(volume.index) is not None
            and _overlapping(damaged, volume.start, volume.start + volume.length)]


def damaged_file_warnings(
    files: Iterable[tuple[int, str, str, bool]],
    filesystems: dict[int, Any],
    damaged: list[tuple[int, int]],
    run_id: int,
    evidence_id: int,
    cancelled: Callable[[], bool],
    sector_size: int = 512,
    causes: Iterable[str] = (CHECKSUM,),
) -> Iterator[dict[str, Any]]:
    """One warning row for each file (and stream) with data in a ``damaged`` byte span.

    ``files`` are ``(volume index, inode, path, deleted)`` of the damaged volumes' files;
    ``damaged`` holds sorted, disjoint ``[start, end)`` spans of the media; ``causes``
    are what damaged it (:attr:`MediaDamage.cause`), which the warnings name.
    """
    damage_name = _DAMAGE_NAMES.get(frozenset(causes), "damaged media")
    started = time.monotonic()
    # Rows are streamed (a volume may hold millions); the names of one inode (hard links)
    # are usually near each other, so a small memo spares opening it again.
    memo: OrderedDict[tuple[int, int], dict[str, list[tuple[int, int]]]] = OrderedDict()
    for volume_idx, inode, path, deleted in files:
        if not inode.isdigit():
            continue  # NTFS streams ("8-128-1") are found through their file's inode
        if cancelled():
            return
        if time.monotonic() - started > OWNER_SECONDS:
            yield _row(run_id, evidence_id, volume_idx, None,
                       f"the files in damaged media were looked for {OWNER_SECONDS:.0f} s;"
                       f" files after {path} were not checked")
            return
        key = (volume_idx, int(inode))
        hits = memo.get(key)
        if hits is None:
            hits = _hits(filesystems.get(volume_idx), int(inode), damaged)
            memo[key] = hits
            if len(memo) > MEMO_INODES:
                memo.popitem(last=False)
        for stream, spans in hits.items():
            first, last = min(spans)[0], max(spans)[1]
            count = f" ({len(spans)} damaged ranges)" if len(spans) > 1 else ""
            where = (f"media bytes {first}-{last - 1} (sectors {first // sector_size}-"
                     f"{last // sector_size - 1}){count}")
            whose = ("this deleted file's data (its blocks may have been reused)"
                     if deleted else "this file's data")
            yield _row(run_id, evidence_id, volume_idx, f"{path}:{stream}" if stream else path,
                       f"{whose} at {where} lies in {damage_name}: it was read as zeros"
                       " there")


def _hits(filesystem: Any, inode: int,
          damaged: list[tuple[int, int]]) -> dict[str, list[tuple[int, int]]]:
    """The damaged parts of one inode's data, by stream ('' for the default data)."""
    hits: dict[str, list[tuple[int, int]]] = {}
    if filesystem is None or not hasattr(filesystem, "data_spans"):
        return hits
    for start, end, stream in filesystem.data_spans(inode):
        found = _overlapping(damaged, start, end)
        if found:
            hits.setdefault(stream, []).extend(found)
    return hits


def _row(run_id: int, evidence_id: int, volume_idx: int, path: str | None,
         message: str) -> dict[str, Any]:
    return {"run_id": run_id, "evidence_id": evidence_id, "volume_idx": volume_idx,
            "path": path, "source": MEDIA_SOURCE, "message": message}


def _overlapping(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The parts of sorted, disjoint ``spans`` inside ``[start, end)``."""
    index = max(0, bisect_right(spans, (start, start)) - 1)
    found = []
    while index < len(spans) and spans[index][0] < end:
        first, last = spans[index]
        index += 1
        if last > start:
            found.append((max(first, start), min(last, end)))
    return found
