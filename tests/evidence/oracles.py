"""Independent oracles for the evidence tests: The Sleuth Kit's command-line tools."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "tests" / "data" / "images"
COPIED_CORPUS = IMAGES / "corpus"
SHARED_CORPUS = (REPO / ".." / "shared" / "corpus").resolve()

_CONTROL = re.compile(r"[\x00-\x1f]")


def corpus_file(relative: str) -> Path:
    """A third-party corpus file: the committed copy if there is one, else the shared one."""
    copied = COPIED_CORPUS / relative
    if copied.exists():
        return copied
    shared = SHARED_CORPUS / relative
    if not shared.exists():
        pytest.skip(f"{relative}: corpus absent")
    return shared


def require_tool(name: str) -> None:
    """Skip when a Sleuth Kit tool is not installed."""
    if shutil.which(name) is None:
        pytest.skip(f"{name} not installed")


def fls_listing(images: list[Path], sector_offset: int = 0) -> Counter[tuple[str, int, bool]]:
    """Multiset of (path, size, deleted) from ``fls -r -p -m /`` (body format).

    ``($FILE_NAME)`` lines (NTFS timeline extras) are dropped, link targets (``-> x``)
    cut, and ``(deleted)``/``(deleted-realloc)`` markers turned into the deleted flag.
    """
    require_tool("fls")
    command = ["fls", "-r", "-p", "-m", "/", "-o", str(sector_offset), *map(str, images)]
    output = subprocess.run(command, capture_output=True, check=True).stdout
    listing: Counter[tuple[str, int, bool]] = Counter()
    for line in output.decode("utf-8", "replace").splitlines():
        parts = line.split("|")
        if len(parts) < 11:
            continue
        name = "|".join(parts[1:-9])
        mode, size = parts[-8], int(parts[-5])
        deleted = False
        for marker in (" (deleted)", " (deleted-realloc)"):
            if name.endswith(marker):
                name, deleted = name[: -len(marker)], True
        if name.endswith(" ($FILE_NAME)"):
            continue
        if mode[2:3] == "l" and " -> " in name:
            name = name.rsplit(" -> ", 1)[0]
        listing[(name, size, deleted)] += 1
    return listing


def fls_style(path: str) -> str:
    """A path as fls prints it (control characters shown as '^')."""
    return _CONTROL.sub("^", path)


@dataclass(frozen=True)
class MmlsSlot:
    """One line of ``mmls`` output."""

    start: int
    length: int
    kind: str
    description: str


def mmls_slots(image: Path) -> tuple[int, list[MmlsSlot]]:
    """Return (sector size, slots) from ``mmls``."""
    require_tool("mmls")
    output = subprocess.run(["mmls", str(image)], capture_output=True, text=True, check=True)
    sector = int(re.search(r"Units are in (\d+)-byte sectors", output.stdout)[1])
    slots = []
    for line in output.stdout.splitlines():
        match = re.match(r"^\d+:\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$", line)
        if not match:
            continue
        slot, start, _end, length, description = match.groups()
        kind = "meta" if slot == "Meta" else "unallocated" if slot.startswith("-") else "partition"
        slots.append(MmlsSlot(int(start), int(length), kind, description.strip()))
    return sector, slots


def blkls_unallocated(image: Path, sector_offset: int = 0) -> list[int]:
    """Unallocated block addresses of the file system (``blkls -A -l``)."""
    require_tool("blkls")
    output = subprocess.run(
        ["blkls", "-A", "-l", "-o", str(sector_offset), str(image)],
        capture_output=True, text=True, check=True,
    ).stdout
    return [int(line.split("|")[0]) for line in output.splitlines() if re.match(r"^\d+\|f", line)]


def sfdisk_image(path: Path, size: int, layout: str) -> list[dict]:
    """Write an empty image of ``size`` bytes partitioned by sfdisk from ``layout`` (an
    sfdisk script) and return sfdisk's own JSON reading of its partitions."""
    require_tool("sfdisk")
    with open(path, "wb") as handle:
        handle.truncate(size)
    subprocess.run(["sfdisk", "-q", str(path)], input=layout, text=True, check=True,
                   capture_output=True)
    table = subprocess.run(["sfdisk", "--json", str(path)], capture_output=True, text=True,
                           check=True).stdout
    return json.loads(table)["partitiontable"]["partitions"]
