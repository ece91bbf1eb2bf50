"""Unallocated space of a file system, read from its own allocation structures.

pytsk3 has no block walk, so the allocation bitmap (NTFS ``$Bitmap``, exFAT
``$ALLOC_BITMAP``, ext2/3/4 block bitmaps, the HFS+ allocation file) or the FAT itself is
decoded here and turned
into merged runs of free blocks, as absolute evidence byte offsets.
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from triage.evidence.errors import TSK_ERRORS, EvidenceError
from triage.evidence.filesystem import WarnCallback

if TYPE_CHECKING:
    from triage.evidence.tsk_filesystem import TskFileSystem

_NOT_FULL = re.compile(rb"[^\xff]+")
_ZEROS = re.compile(rb"\x00+")
_CHUNK = 1 << 20
#: A FAT with more entries than this is refused (a corrupt boot sector would ask for more).
_MAX_FAT_ENTRIES = 1 << 28


def unallocated_runs(fs: TskFileSystem, warn: WarnCallback) -> Iterator[tuple[int, int]]:
    """Yield merged ``(absolute offset, length)`` runs of unallocated blocks of ``fs``."""
    readers = {
        "ntfs": _ntfs_free,
        "exfat": _exfat_free,
        "fat12": _fat_free,
        "fat16": _fat_free,
        "fat32": _fat_free,
        "ext2": _ext_free,
        "ext3": _ext_free,
        "ext4": _ext_free,
        "hfs+": _hfs_free,
    }
    reader = readers.get(fs.fs_type)
    if reader is None:
        if fs.fs_type != "iso9660":
            warn(f"unallocated space of {fs.fs_type} file systems is not listed", None)
        return
    pending: tuple[int, int] | None = None
    try:
        # Readers yield (first block, block count, block size) in ascending order.
        for first, count, unit in reader(fs, warn):
            start, length = fs.offset + first * unit, count * unit
            if pending and pending[0] + pending[1] == start:
                pending = (pending[0], pending[1] + length)
                continue
            if pending:
                yield pending
            pending = (start, length)
        if pending:
            yield pending
    except (*TSK_ERRORS, EvidenceError, ValueError, struct.error, OverflowError) as error:
        if pending:
            yield pending  # found before the damage
        warn(f"cannot read the {fs.fs_type} allocation data ({error})", None)


def free_bit_runs(chunks: Iterable[bytes], total_bits: int) -> Iterator[tuple[int, int]]:
    """Yield ``(first bit, count)`` runs of clear bits (LSB first) among ``total_bits``."""
    base = 0
    run_start = run_length = 0

    def add(first: int, count: int) -> Iterator[tuple[int, int]]:
        nonlocal run_start, run_length
        count = min(count, total_bits - first)
        if count <= 0:
            return
        if run_length and run_start + run_length == first:
            run_length += count
            return
        if run_length:
            yield run_start, run_length
        run_start, run_length = first, count

    for chunk in chunks:
        for match in _NOT_FULL.finditer(chunk):
            index = match.start()
            while index < match.end():
                if chunk[index] == 0:
                    # Whole free bytes are taken in one step: bitmaps are mostly 0x00/0xff.
                    zeros = _ZEROS.match(chunk, index, match.end())
                    yield from add(base + index * 8, (zeros.end() - index) * 8)
                    index = zeros.end()
                    continue
                byte = chunk[index]
                for bit in range(8):
                    if not byte >> bit & 1:
                        yield from add(base + index * 8 + bit, 1)
                index += 1
        base += len(chunk) * 8
        if base >= total_bits:
            break
    if run_length:
        yield run_start, run_length


def _file_chunks(fs: TskFileSystem, file: object, size: int) -> Iterator[bytes]:
    offset = 0
    while offset < size:
        data = file.read_random(offset, min(_CHUNK, size - offset))  # type: ignore[attr-defined]
        if not data:
            return
        yield data
        offset += len(data)


def _ntfs_free(fs: TskFileSystem, _warn: WarnCallback) -> Iterator[tuple[int, int, int]]:
    bitmap = fs.tsk.open_meta(inode=6)
    size = int(bitmap.info.meta.size)
    for first, count in free_bit_runs(_file_chunks(fs, bitmap, size), fs.block_count):
        yield first, count, fs.block_size


#: HFS+ keeps its allocation bitmap in the special file with catalog node id 6.
_HFS_ALLOCATION_FILE = 6
#: Each byte with its bits in reverse order: the HFS+ bitmap numbers bits from the most
#: significant, free_bit_runs from the least.
_REVERSED_BITS = bytes(int(f"{value:08b}"[::-1], 2) for value in range(256))


def _hfs_free(fs: TskFileSystem, _warn: WarnCallback) -> Iterator[tuple[int, int, int]]:
    bitmap = fs.tsk.open_meta(inode=_HFS_ALLOCATION_FILE)
    size = int(bitmap.info.meta.size)
    chunks = (chunk.translate(_REVERSED_BITS) for chunk in _file_chunks(fs, bitmap, size))
    # Allocation block 0 starts at the start of the volume.
    for first, count in free_bit_runs(chunks, fs.block_count):
        yield first, count, fs.block_size


def _exfat_free(fs: TskFileSystem, _warn: WarnCallback) -> Iterator[tuple[int, int, int]]:
    boot = fs.read_volume(0, 512)
    heap_offset, cluster_count = struct.unpack_from("<II", boot, 0x58)
    sector_shift, cluster_shift = boot[0x6C], boot[0x6D]
    if not 9 <= sector_shift <= 12 or cluster_shift > 25 - sector_shift:
        raise ValueError("implausible exFAT boot sector")
    bitmap = fs.tsk.open("/$ALLOC_BITMAP")
    size = int(bitmap.info.meta.size)
    sectors_per_cluster = 1 << cluster_shift
    for first, count in free_bit_runs(_file_chunks(fs, bitmap, size), cluster_count):
        yield heap_offset + first * sectors_per_cluster, count * sectors_per_cluster, (
            1 << sector_shift
        )


def _fat_free(fs: TskFileSystem, _warn: WarnCallback) -> Iterator[tuple[int, int, int]]:
    boot = fs.read_volume(0, 512)
    sector_size, per_cluster, reserved, fats, root_entries, total16 = struct.unpack_from(
        "<HBHBHH", boot, 0x0B
    )
    fat_size16 = struct.unpack_from("<H", boot, 0x16)[0]
    total32, fat_size32 = struct.unpack_from("<I", boot, 0x20)[0], struct.unpack_from(
        "<I", boot, 0x24
    )[0]
    if sector_size not in (512, 1024, 2048, 4096) or not per_cluster or not fats:
        raise ValueError("implausible FAT boot sector")
    fat_size = fat_size16 or fat_size32
    total = total16 or total32
    root_sectors = (root_entries * 32 + sector_size - 1) // sector_size
    first_data = reserved + fats * fat_size + root_sectors
    clusters = max(0, (total - first_data) // per_cluster)
    clusters = min(clusters, _MAX_FAT_ENTRIES)
    fat_bytes = min(fat_size * sector_size, (clusters + 2) * 4 + sector_size)
    if reserved * sector_size + fat_bytes > fs.block_count * fs.block_size:
        raise ValueError("FAT extends past the end of the volume")
    fat = fs.read_volume(reserved * sector_size, fat_bytes)
    entry_free = _fat_entries(fs.fs_type, fat, clusters + 2)
    for first, count in _zero_runs(entry_free, 2, clusters + 2):
        yield first_data + (first - 2) * per_cluster, count * per_cluster, sector_size
    # Sectors after the last whole cluster belong to no cluster; TSK counts them as free.
    tail_start = first_data + clusters * per_cluster
    if tail_start < min(total, fs.block_count):
        yield tail_start, min(total, fs.block_count) - tail_start, sector_size


def _fat_entries(fs_type: str, fat: bytes, count: int) -> list[int]:
    if fs_type == "fat12":
        out = []
        for cluster in range(min(count, len(fat) * 2 // 3)):
            pair = fat[cluster * 3 // 2] | fat[cluster * 3 // 2 + 1] << 8 if (
                cluster * 3 // 2 + 1 < len(fat)
            ) else 0xFFF
            out.append(pair >> 4 if cluster & 1 else pair & 0xFFF)
        return out
    width = 2 if fs_type == "fat16" else 4
    usable = min(count, len(fat) // width)
    values = struct.unpack_from(f"<{usable}{'H' if width == 2 else 'I'}", fat, 0)
    if width == 4:
        return [value & 0x0FFFFFFF for value in values]
    return list(values)


def _zero_runs(values: list[int], start: int, end: int) -> Iterator[tuple[int, int]]:
    run_start = -1
    for index in range(start, min(end, len(values))):
        if values[index] == 0:
            if run_start < 0:
                run_start = index
        elif run_start >= 0:
            yield run_start, index - run_start
            run_start = -1
    if run_start >= 0:
        yield run_start, min(end, len(values)) - run_start


def _ext_free(fs: TskFileSystem, warn: WarnCallback) -> Iterator[tuple[int, int, int]]:
    superblock = fs.read_volume(1024, 1024)
    blocks_lo, first_data_block, log_size, blocks_per_group = (
        struct.unpack_from("<I", superblock, 0x04)[0],
        struct.unpack_from("<I", superblock, 0x14)[0],
        struct.unpack_from("<I", superblock, 0x18)[0],
        struct.unpack_from("<I", superblock, 0x20)[0],
    )
    incompat = struct.unpack_from("<I", superblock, 0x60)[0]
    is_64bit = bool(incompat & 0x80)
    desc_size = struct.unpack_from("<H", superblock, 0xFE)[0] if is_64bit else 32
    blocks = blocks_lo | (struct.unpack_from("<I", superblock, 0x150)[0] << 32 if is_64bit else 0)
    if log_size > 6 or not blocks_per_group or desc_size < 32:
        raise ValueError("implausible ext superblock")
    block_size = 1024 << log_size
    blocks = min(blocks, fs.block_count)
    groups = (blocks - first_data_block + blocks_per_group - 1) // blocks_per_group
    if groups <= 0:
        raise ValueError("implausible ext superblock (no block groups)")
    table = fs.read_volume((first_data_block + 1) * block_size, groups * desc_size)
    uninit = _UninitGroups(superblock, table, groups, desc_size, block_size, is_64bit)
    for group in range(min(groups, len(table) // desc_size)):
        desc = table[group * desc_size : (group + 1) * desc_size]
        bitmap_block = struct.unpack_from("<I", desc, 0)[0]
        if is_64bit and desc_size >= 0x24:
            bitmap_block |= struct.unpack_from("<I", desc, 0x20)[0] << 32
        group_first = first_data_block + group * blocks_per_group
        in_group = min(blocks_per_group, blocks - group_first)
        if uninit.applies and struct.unpack_from("<H", desc, 0x12)[0] & _BG_BLOCK_UNINIT:
            # Its bitmap was never written (it may hold an earlier disk's bytes): every
            # block is free but the file system's own metadata, as the kernel reads it.
            for first, count in free_bit_runs([uninit.used(group, group_first, in_group)],
                                              in_group):
                yield group_first + first, count, block_size
            continue
        if not first_data_block <= bitmap_block < blocks:
            warn(f"block group {group}: its block bitmap is said to lie at block"
                 f" {bitmap_block}, outside the file system; its free blocks are not listed",
                 None)
            continue
        bitmap = fs.read_volume(bitmap_block * block_size, block_size)
        for first, count in free_bit_runs([bitmap], in_group):
            yield group_first + first, count, block_size


_BG_BLOCK_UNINIT = 0x2
_RO_COMPAT_SPARSE_SUPER, _RO_COMPAT_GDT_CSUM, _RO_COMPAT_METADATA_CSUM = 0x1, 0x10, 0x400
_COMPAT_SPARSE_SUPER2 = 0x200
_INCOMPAT_META_BG = 0x10


class _UninitGroups:
    """The blocks of an ext4 group flagged BLOCK_UNINIT that are in use: the superblock
    and descriptor-table copy the group holds, and any group's bitmaps and inode table
    placed in it (flex_bg puts them together). The flag counts only with descriptor
    checksums (GDT_CSUM or METADATA_CSUM), as for the kernel; with META_BG the copies lie
    elsewhere and the group's bitmap is read as it is."""

    def __init__(self, superblock: bytes, table: bytes, groups: int, desc_size: int,
                 block_size: int, is_64bit: bool) -> None:
        compat, _, ro_compat = struct.unpack_from("<III", superblock, 0x5C)
        incompat = struct.unpack_from("<I", superblock, 0x60)[0]
        self.applies = bool(ro_compat & (_RO_COMPAT_GDT_CSUM | _RO_COMPAT_METADATA_CSUM)) \
            and not incompat & _INCOMPAT_META_BG
        self._sparse = bool(ro_compat & _RO_COMPAT_SPARSE_SUPER)
        self._backups = (set(struct.unpack_from("<II", superblock, 0x24C))
                         if compat & _COMPAT_SPARSE_SUPER2 else None)
        gdt_blocks = (groups * desc_size + block_size - 1) // block_size
        self._copy_blocks = 1 + gdt_blocks + struct.unpack_from("<H", superblock, 0xCE)[0]
        inodes_per_group = struct.unpack_from("<I", superblock, 0x28)[0]
        revision = struct.unpack_from("<I", superblock, 0x4C)[0]
        inode_size = struct.unpack_from("<H", superblock, 0x58)[0] if revision else 128
        table_blocks = (inodes_per_group * inode_size + block_size - 1) // block_size
        blocks_per_group = struct.unpack_from("<I", superblock, 0x20)[0]
        if inodes_per_group > 8 * block_size or table_blocks > blocks_per_group:
            # The kernel refuses such a superblock; the stale bitmaps are read instead.
            self.applies = False
        #: (first block, count) of every group's bitmaps and inode table, sorted.
        self._metadata: list[tuple[int, int]] = []
        self._longest = table_blocks
        high = is_64bit and desc_size >= 0x2C
        for group in range(min(groups, len(table) // desc_size) if self.applies else 0):
            desc = table[group * desc_size : (group + 1) * desc_size]
            for low, high_at, count in ((0x00, 0x20, 1), (0x04, 0x24, 1), (0x08, 0x28, table_blocks)):
                block = struct.unpack_from("<I", desc, low)[0]
                if high:
                    block |= struct.unpack_from("<I", desc, high_at)[0] << 32
                self._metadata.append((block, count))
        self._metadata.sort()

    def _holds_copy(self, group: int) -> bool:
        if group == 0:
            return True
        if self._backups is not None:
            return group in self._backups
        if not self._sparse or group == 1:
            return True
        for base in (3, 5, 7):
            power = base
            while power < group:
                power *= base
            if power == group:
                return True
        return False

    def used(self, group: int, group_first: int, in_group: int) -> bytes:
        """The group's block bitmap as the kernel builds it for an unwritten one."""
        bits = bytearray((in_group + 7) // 8)

        def mark(first: int, count: int) -> None:
            for block in range(max(first, group_first), min(first + count, group_first + in_group)):
                index = block - group_first
                bits[index >> 3] |= 1 << (index & 7)

        if self._holds_copy(group):
            mark(group_first, self._copy_blocks)
        # Only what starts at most one inode table before the group can reach into it.
        start = bisect_left(self._metadata, (group_first - self._longest, 0))
        for first, count in self._metadata[start:]:
            if first >= group_first + in_group:
                break
            mark(first, count)
        return bytes(bits)


def ext_inode_size(fs: TskFileSystem, inode: int) -> int | None:
    """Return the size recorded in ext inode ``inode`` (read raw), or None if unreadable.

    Used to refuse loading hostile inodes: pytsk3 builds a file's whole block list when it
    opens it, which takes minutes for a garbage multi-gigabyte indirect-block inode.
    """
    try:
        superblock = fs.read_volume(1024, 1024)
        inodes_per_group = struct.unpack_from("<I", superblock, 0x28)[0]
        first_data_block, log_size = struct.unpack_from("<I", superblock, 0x14)[0], struct.unpack_from(
            "<I", superblock, 0x18
        )[0]
        revision = struct.unpack_from("<I", superblock, 0x4C)[0]
        inode_size = struct.unpack_from("<H", superblock, 0x58)[0] if revision else 128
        is_64bit = bool(struct.unpack_from("<I", superblock, 0x60)[0] & 0x80)
        desc_size = struct.unpack_from("<H", superblock, 0xFE)[0] if is_64bit else 32
        if not inodes_per_group or log_size > 6 or inode_size < 128 or desc_size < 32:
            return None
        block_size = 1024 << log_size
        group, index = divmod(inode - 1, inodes_per_group)
        desc = fs.read_volume((first_data_block + 1) * block_size + group * desc_size, desc_size)
        table = struct.unpack_from("<I", desc, 0x08)[0]
        if is_64bit and desc_size >= 0x2C:
            table |= struct.unpack_from("<I", desc, 0x28)[0] << 32
        raw = fs.read_volume(table * block_size + index * inode_size, 128)
        return struct.unpack_from("<I", raw, 0x04)[0] | struct.unpack_from("<I", raw, 0x6C)[0] << 32
    except (*TSK_ERRORS, EvidenceError, struct.error):
        return None
