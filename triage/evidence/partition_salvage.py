"""Read a partition table The Sleuth Kit refuses, so a truncated image still yields its partitions.

TSK rejects a whole DOS or GPT table when one partition starts past the end of the
image, which is what a truncated acquisition (a failing drive, an interrupted copy)
looks like; the partitions the image does hold would then be lost. This module reads
the table itself: DOS primary entries and the extended chain, or a GPT's entries. Each
partition is returned with how much of it the image holds, so the caller can scan what
is there and say what is missing.

The extended chain is also read for tables TSK does accept, since TSK stops following
it after 128 tables without a word (see :func:`logical_partitions`).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

SECTOR = 512
#: Extended-partition types (CHS, LBA, Linux) whose sectors hold a chain of EBRs.
_EXTENDED_TYPES = frozenset({0x05, 0x0F, 0x85})
_GPT_PROTECTIVE = 0xEE
#: Bounds against hostile tables: extended (EBR) tables followed and GPT entries read.
MAX_LOGICAL = 4096
MAX_GPT_ENTRIES = 1024
_ENTRY = struct.Struct("<B3sB3sII")
_GPT_HEADER = struct.Struct("<8s4sII4sQQQQ16sQIII")

Reader = Callable[[int, int], bytes]
Warn = Callable[[str], None]


def _ignore(message: str) -> None:
    """Drop a warning (the caller does not collect them)."""


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


def salvage_partitions(read: Reader, image_size: int,
                       warn: Warn = _ignore) -> list[SalvagedPartition]:
    """The partitions of the DOS or GPT table at the start of the image ([] when none).

    ``warn`` receives a line for each problem found in the extended chain.
    """
    entries = _dos_entries(read)
    if entries is None:
        return []
    if any(entry[2] == _GPT_PROTECTIVE for entry in entries):
        return _gpt_partitions(read)
    found: list[SalvagedPartition] = []
    starts = _primary_starts(entries)
    for _, _, kind, _, first, count in entries:
        if kind == 0 or count == 0:
            continue
        if kind in _EXTENDED_TYPES:
            found += _logical_partitions(read, image_size, first, starts, warn)
        else:
            found.append(SalvagedPartition(first * SECTOR, count * SECTOR,
                                           f"DOS type 0x{kind:02x}", "dos"))
    return sorted(found, key=lambda p: p.start)


def logical_partitions(read: Reader, image_size: int,
                       warn: Warn = _ignore) -> list[SalvagedPartition]:
    """The logical partitions of the DOS table's extended partitions, in disk order.

    [] when the image has no DOS table or no extended partition. The chain is followed
    up to :data:`MAX_LOGICAL` tables; ``warn`` receives a line for each problem that
    stops it (a loop, a table past the end of the image or without its signature, too
    many tables).
    """
    entries = _dos_entries(read)
    if entries is None or any(entry[2] == _GPT_PROTECTIVE for entry in entries):
        return []
    found: list[SalvagedPartition] = []
    starts = _primary_starts(entries)
    for _, _, kind, _, first, count in entries:
        if kind in _EXTENDED_TYPES and count:
            found += _logical_partitions(read, image_size, first, starts, warn)
    return sorted(found, key=lambda p: p.start)


def _primary_starts(entries: list[tuple[int, bytes, int, bytes, int, int]]) -> set[int]:
    """The sectors where the table's primary (not extended) partitions start."""
    return {first for _, _, kind, _, first, count in entries
            if kind and count and kind not in _EXTENDED_TYPES}


def _dos_entries(read: Reader) -> list[tuple[int, bytes, int, bytes, int, int]] | None:
    """The four entries of the DOS table in sector 0 (None without its signature)."""
    boot = read(0, SECTOR)
    if len(boot) < SECTOR or boot[510:512] != b"\x55\xaa":
        return None
    return [_ENTRY.unpack_from(boot, 446 + 16 * i) for i in range(4)]


def _logical_partitions(read: Reader, image_size: int, extended_first: int,
                        starts: set[int], warn: Warn) -> list[SalvagedPartition]:
    """Follow the EBR chain of an extended partition as TSK does, within bounds.

    Every entry of a table counts, as in TSK: a data partition (relative to its table)
    or a link to a further table (relative to the extended partition). A link to a
    sector in ``starts`` (where a table or partition already starts: the primaries, and
    whatever earlier chains of the same table added, as TSK checks its whole list) is a
    loop and ends the walk; so do a table without its signature and :data:`MAX_LOGICAL`
    tables read. ``starts`` is extended with this chain's tables and partitions.
    """
    found: list[SalvagedPartition] = []
    if extended_first == 0:
        warn("the extended partition starts at sector 0 (the partition table itself);"
             " its chain is not read")
        return found
    # A partition's first sector can carry 55 AA (a FAT or NTFS boot sector does): read
    # as a table, its boot code would give made-up partitions.
    starts.add(extended_first)
    pending = [extended_first]
    tables = 0
    while pending:
        if tables >= MAX_LOGICAL:
            warn(f"the extended partition chain has more than {MAX_LOGICAL} tables (damaged"
                 " or hostile); the rest are not read")
            break
        ebr = pending.pop()
        if (ebr + 1) * SECTOR > image_size:
            warn(f"extended partition table at sector {ebr} lies beyond the end of the"
                 f" image ({image_size} bytes); not read")
            continue
        sector = read(ebr * SECTOR, SECTOR)
        tables += 1
        if len(sector) < SECTOR or sector[510:512] != b"\x55\xaa":
            warn(f"extended partition table at sector {ebr} has no 55 AA signature; the"
                 " chain ends there")
            break
        links = []
        for slot in range(4):
            _, _, kind, _, first, count = _ENTRY.unpack_from(sector, 446 + 16 * slot)
            if count == 0 or first == 0:
                continue  # first == 0 would point back at this table
            if kind in _EXTENDED_TYPES:
                links.append(extended_first + first)
            elif kind:
                starts.add(ebr + first)
                found.append(SalvagedPartition((ebr + first) * SECTOR, count * SECTOR,
                                               f"DOS logical type 0x{kind:02x}", "dos"))
        for link in links:
            if link in starts:
                warn(f"the extended partition chain loops back to sector {link} (from the"
                     f" table at sector {ebr}); it is not followed further")
                return found
            starts.add(link)
        pending.extend(reversed(links))
    return found


#: Sector sizes a GPT is looked for with, in order.
_GPT_SECTOR_SIZES = (512, 4096)


def _gpt_partitions(read: Reader) -> list[SalvagedPartition]:
    # The header is at LBA 1: byte 512 of a disk with 512-byte sectors, 4096 of a 4Kn
    # one; every LBA in it counts in that disk's sectors.
    for sector in _GPT_SECTOR_SIZES:
        header = read(sector, _GPT_HEADER.size)
        if len(header) >= _GPT_HEADER.size and header.startswith(b"EFI PART"):
            fields = _GPT_HEADER.unpack(header)
            if fields[5] == 1:  # the header's own LBA
                break
    else:
        return []
    entries_lba, count, entry_size = fields[10], fields[11], fields[12]
    if entry_size < 128 or entry_size > 4096:
        return []
    count = min(count, MAX_GPT_ENTRIES)
    table = read(entries_lba * sector, count * entry_size)
    found = []
    for index in range(len(table) // entry_size):
        entry = table[index * entry_size:(index + 1) * entry_size]
        if entry[:16] == bytes(16):
            continue
        first, last = struct.unpack_from("<QQ", entry, 32)
        if last < first:
            continue
        name = entry[56:128].decode("utf-16-le", "replace").split("\x00", 1)[0].strip()
        found.append(SalvagedPartition(first * sector, (last - first + 1) * sector,
                                       f"GPT {name}" if name else "GPT partition", "gpt"))
    return sorted(found, key=lambda p: p.start)
