"""Read a partition table The Sleuth Kit refuses, so a truncated image still yields its partitions.

TSK rejects a whole DOS or GPT table when one partition starts past the end of the
image, which is what a truncated acquisition (a failing drive, an interrupted copy)
looks like; the partitions the image does hold would then be lost. This module reads
the table itself: DOS primary entries and the extended chain, or a GPT's entries. Each
partition is returned with how much of it the image holds, so the caller can scan what
is there and say what is missing.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

SECTOR = 512
#: Extended-partition types (CHS, LBA, Linux) whose sectors hold a chain of EBRs.
_EXTENDED_TYPES = frozenset({0x05, 0x0F, 0x85})
_GPT_PROTECTIVE = 0xEE
#: Bounds against hostile tables: EBR chain length and GPT entries read.
MAX_LOGICAL = 128
MAX_GPT_ENTRIES = 1024
_ENTRY = struct.Struct("<B3sB3sII")
_GPT_HEADER = struct.Struct("<8s4sII4sQQQQ16sQIII")

Reader = Callable[[int, int], bytes]


@dataclass(frozen=True)
class SalvagedPartition:
    """One partition of a table read without TSK; offsets and lengths in bytes."""

    start: int
    length: int
    description: str
    scheme: str

    def held(self, image_size: int) -> int:
        """How many of the partition's bytes the image holds."""
        return max(0, min(self.start + self.length, image_size) - self.start)


def salvage_partitions(read: Reader, image_size: int) -> list[SalvagedPartition]:
    """The partitions of the DOS or GPT table at the start of the image ([] when none)."""
    boot = read(0, SECTOR)
    if len(boot) < SECTOR or boot[510:512] != b"\x55\xaa":
        return []
    entries = [_ENTRY.unpack_from(boot, 446 + 16 * i) for i in range(4)]
    if any(entry[2] == _GPT_PROTECTIVE for entry in entries):
        return _gpt_partitions(read)
    found: list[SalvagedPartition] = []
    for _, _, kind, _, first, count in entries:
        if kind == 0 or count == 0:
            continue
        if kind in _EXTENDED_TYPES:
            found += _logical_partitions(read, first)
        else:
            found.append(SalvagedPartition(first * SECTOR, count * SECTOR,
                                           f"DOS type 0x{kind:02x}", "dos"))
    return sorted(found, key=lambda p: p.start)


def _logical_partitions(read: Reader, extended_first: int) -> list[SalvagedPartition]:
    """Follow the EBR chain of an extended partition (bounded, loops stopped)."""
    found = []
    seen: set[int] = set()
    ebr = extended_first
    while ebr not in seen and len(seen) < MAX_LOGICAL:
        seen.add(ebr)
        sector = read(ebr * SECTOR, SECTOR)
        if len(sector) < SECTOR or sector[510:512] != b"\x55\xaa":
            break
        _, _, kind, _, first, count = _ENTRY.unpack_from(sector, 446)
        if kind and count:
            found.append(SalvagedPartition((ebr + first) * SECTOR, count * SECTOR,
                                           f"DOS logical type 0x{kind:02x}", "dos"))
        _, _, next_kind, _, next_first, _ = _ENTRY.unpack_from(sector, 462)
        if next_kind not in _EXTENDED_TYPES or next_first == 0:
            break
        ebr = extended_first + next_first
    return found


def _gpt_partitions(read: Reader) -> list[SalvagedPartition]:
    header = read(SECTOR, _GPT_HEADER.size)
    if len(header) < _GPT_HEADER.size or not header.startswith(b"EFI PART"):
        return []
    fields = _GPT_HEADER.unpack(header)
    entries_lba, count, entry_size = fields[10], fields[11], fields[12]
    if entry_size < 128 or entry_size > 4096:
        return []
    count = min(count, MAX_GPT_ENTRIES)
    table = read(entries_lba * SECTOR, count * entry_size)
    found = []
    for index in range(len(table) // entry_size):
        entry = table[index * entry_size:(index + 1) * entry_size]
        if entry[:16] == bytes(16):
            continue
        first, last = struct.unpack_from("<QQ", entry, 32)
        if last < first:
            continue
        name = entry[56:128].decode("utf-16-le", "replace").split("\x00", 1)[0].strip()
        found.append(SalvagedPartition(first * SECTOR, (last - first + 1) * SECTOR,
                                       f"GPT {name}" if name else "GPT partition", "gpt"))
    return sorted(found, key=lambda p: p.start)
