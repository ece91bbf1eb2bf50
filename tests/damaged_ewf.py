"""A copy of a committed E01 with one chunk damaged, and what ewfverify says of it.

Flipping 16 bytes at :data:`DAMAGE_AT` of ``seized_laptop.E01`` breaks the compressed
chunk holding media bytes 2621440-2654207 (sectors 5120-5183 of the NTFS volume's data,
part of ``/Users/alice/Pictures/IMG_0001.jpg`` and its neighbours); libewf then reads
that chunk as zeros.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

LAPTOP = Path(__file__).resolve().parent / "data" / "images" / "seized_laptop.E01"
DAMAGE_AT = 152000
DAMAGED_SECTORS = (5120, 5183)
#: Other places in the E01 file and the media bytes ``(offset, length)`` each one breaks.
BOOT_SECTOR_CHUNK = (4000, (1048576, 32768))  # holds the NTFS volume's boot sector
LOW_CHUNK = (20000, (2097152, 32768))
HIGH_CHUNKS = (182000, (14254080, 32768))
NEIGHBOUR_CHUNKS = ((170000, (11829248, 32768)), (176000, (11862016, 32768)))


def damaged_copy(folder: Path, places: tuple[int, ...] = (DAMAGE_AT,)) -> Path:
    """Write a copy damaged at each of ``places`` (offsets in the E01 file) into
    ``folder`` and return its path."""
    copy = folder / "damaged.E01"
    shutil.copyfile(LAPTOP, copy)
    with open(copy, "r+b") as image:
        for place in places:
            image.seek(place)
            original = image.read(16)
            image.seek(place)
            image.write(bytes(byte ^ 0x5A for byte in original))
    return copy


def ewfverify_sectors(image: Path) -> list[tuple[int, int]]:
    """First and last sector of every range ewfverify (ewf-tools) reports as failing."""
    output = subprocess.run(["ewfverify", "-q", str(image)], capture_output=True, text=True,
                            check=False).stdout
    return [(int(first), int(last))
            for first, last in re.findall(r"at sector\(s\): (\d+) - (\d+)", output)]
