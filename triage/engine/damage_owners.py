"""Name the files whose stored bytes lie in damaged media (EWF chunks read as zeros).

A damaged chunk is reported when it is first met, often while a file system's metadata
is read, and each file that later reads it gets zeros without a word. After the walk,
each file system holding damaged bytes is asked where every file's data lies (as
``ifind -d`` does, one inode at a time) and each file with data there is named.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from triage.engine.batch_writer import MEDIA_SOURCE


def damaged_file_warnings(
    files: Iterable[dict[str, Any]],
    volumes: list[Any],
    filesystems: dict[int, Any],
    damaged: list[tuple[int, int]],
    run_id: int,
    evidence_id: int,
    cancelled: Callable[[], bool],
    sector_size: int = 512,
) -> Iterator[dict[str, Any]]:
    """Warning rows naming each file (and stream) with data in a ``damaged`` byte span.

    ``files`` are the evidence item's file rows (path, inode, volume_idx); ``damaged``
    holds sorted, disjoint ``[start, end)`` spans of the media.
    """
    if not damaged:
        return
    by_volume: dict[int, dict[int, list[tuple[str, bool]]]] = {}
    spans_of = {volume.index: (volume.start, volume.start + volume.length) for volume in volumes}
    for row in files:
        volume_idx, inode = row["volume_idx"], str(row["inode"] or "")
        if volume_idx not in spans_of or not inode.isdigit():
            continue  # NTFS streams ("8-128-1") are found through their file's inode
        begin, end = spans_of[volume_idx]
        if _overlaps(damaged, begin, end):
            by_volume.setdefault(volume_idx, {}).setdefault(int(inode), []).append(
                (row["path"], bool(row["deleted"])))
    for volume_idx, inodes in sorted(by_volume.items()):
        filesystem = filesystems.get(volume_idx)
        if filesystem is None or not hasattr(filesystem, "data_spans"):
            continue
        for inode, paths in inodes.items():
            if cancelled():
                return
            for start, end, stream in filesystem.data_spans(inode):
                for first, last in _overlapping(damaged, start, end):
                    where = (f"media bytes {first}-{last - 1} (sectors {first // sector_size}-"
                             f"{last // sector_size - 1})")
                    for path, deleted in paths:
                        shown = f"{path}:{stream}" if stream else path
                        whose = ("this deleted file's data (its blocks may have been reused)"
                                 if deleted else "this file's data")
                        yield {"run_id": run_id, "evidence_id": evidence_id,
                               "volume_idx": volume_idx, "path": shown, "source": MEDIA_SOURCE,
                               "message": f"{whose} at {where} lies in an EWF chunk whose"
                                          " checksum failed: it was read as zeros there"}


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return bool(_overlapping(spans, start, end))


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
