"""File-system signatures at fixed places of a volume's first bytes.

A raw file holding one file system The Sleuth Kit cannot open (its MFT or its FAT
damaged) is still the image of a volume when the boot sector or superblock says so;
text and random bytes carry none of these signatures.
"""

from __future__ import annotations

import struct

#: Bytes of a volume's start read to look for every signature below.
HEAD_BYTES = 32775


def file_system_signature(head: bytes) -> str | None:
    """The file system whose boot sector or superblock ``head`` (a volume's first
    :data:`HEAD_BYTES`, or fewer) carries, or None."""
    boot_record = len(head) >= 512 and head[510:512] == b"\x55\xaa"
    if boot_record and head[3:11] == b"NTFS    ":
        return "NTFS"
    if boot_record and head[3:11] == b"EXFAT   ":
        return "exFAT"
    if boot_record and head[0] in (0xEB, 0xE9) and (
            head[54:59] in (b"FAT12", b"FAT16") or head[54:62] == b"FAT     "
            or head[82:90] == b"FAT32   "):
        return "FAT"
    if len(head) >= 1104 and head[1080:1082] == b"\x53\xef":
        inodes, log_block, revision = (struct.unpack_from("<I", head, 1024 + at)[0]
                                       for at in (0, 24, 76))
        if inodes and log_block <= 6 and revision <= 1:
            return "ext2/3/4"
    if len(head) >= 1028 and head[1024:1026] in (b"H+", b"HX") and \
            struct.unpack_from(">H", head, 1026)[0] in (4, 5):
        return "HFS+"
    if len(head) >= HEAD_BYTES and head[32769:32774] == b"CD001" and head[32774] == 1:
        return "ISO 9660"
    return None
