"""Partition type GUIDs of a GPT, which The Sleuth Kit reads but does not expose (its
description of a GPT partition is the partition's name, often empty)."""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable

#: Types that hold no file system: Microsoft reserved, BIOS boot, Linux swap.
NO_FILE_SYSTEM_TYPES = frozenset({
    "E3C9E316-0B5C-4DB8-817D-F92DF00215AE",
    "21686148-6449-6E6F-744E-656564454649",
    "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F",
})
_MAX_ENTRIES = 1024


def gpt_partition_types(read: Callable[[int, int], bytes], sector: int) -> dict[int, str]:
    """Map each GPT partition's first byte to its type GUID (upper case); {} when the
    header or entry array cannot be read. ``read(offset, size)`` reads the media."""
    try:
        header = read(sector, 92)
        if header[:8] != b"EFI PART" or len(header) < 92:
            return {}
        entries_lba, count, entry_size = struct.unpack_from("<QII", header, 72)
        if not 128 <= entry_size <= 4096 or count > _MAX_ENTRIES:
            return {}
        table = read(entries_lba * sector, count * entry_size)
    except (OSError, ValueError, OverflowError):
        return {}
    types = {}
    for index in range(min(count, len(table) // entry_size)):
        entry = table[index * entry_size:(index + 1) * entry_size]
        if entry[:16] == bytes(16):
            continue
        first_lba = struct.unpack_from("<Q", entry, 32)[0]
        types[first_lba * sector] = str(uuid.UUID(bytes_le=entry[:16])).upper()
    return types
