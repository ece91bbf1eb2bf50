"""The extended-partition (EBR) chain read without The Sleuth Kit, on hand-made tables."""

from __future__ import annotations

import struct
import time

from triage.evidence.partition_salvage import (
    MAX_LOGICAL,
    SECTOR,
    logical_partitions,
    salvage_partitions,
)

EXTENDED = 64  # sector of the extended partition (its first table)
STRIDE = 2  # each table is followed by its one-sector partition


def _entry(kind: int, first: int, count: int) -> bytes:
    return struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", kind, b"\xfe\xff\xff", first, count)


def _chain(tables: int, links: dict[int, int] | None = None, size: int | None = None) -> bytes:
    """An MBR whose extended partition holds ``tables`` tables, each with a one-sector
    partition and a link to the next; ``links`` overrides a table's link (by table
    number, a sector relative to the extended partition)."""
    links = links or {}
    total = EXTENDED + tables * STRIDE
    image = bytearray(total * SECTOR)
    image[446:462] = _entry(0x05, EXTENDED, tables * STRIDE)
    image[510:512] = b"\x55\xaa"
    for table in range(tables):
        at = (EXTENDED + table * STRIDE) * SECTOR
        image[at + 446:at + 462] = _entry(0x83, 1, 1)
        target = links.get(table, (table + 1) * STRIDE if table + 1 < tables else None)
        if target is not None:
            image[at + 462:at + 478] = _entry(0x05, target, STRIDE)
        image[at + 510:at + 512] = b"\x55\xaa"
    return bytes(image[:size]) if size is not None else bytes(image)


def _read(image: bytes):
    return lambda offset, length: image[offset:offset + length]


def _logicals(image: bytes) -> tuple[list[int], list[str]]:
    warnings: list[str] = []
    found = logical_partitions(_read(image), len(image), warnings.append)
    return [p.start // SECTOR for p in found], warnings


def test_a_chain_longer_than_the_sleuth_kits_128_tables_is_read_to_its_end() -> None:
    starts, warnings = _logicals(_chain(300))
    assert starts == [EXTENDED + table * STRIDE + 1 for table in range(300)]
    assert warnings == []


def test_salvage_reads_the_same_long_chain() -> None:
    image = _chain(300)
    found = salvage_partitions(_read(image), len(image))
    assert len(found) == 300 and found[-1].description == "DOS logical type 0x83"


def test_a_loop_ends_the_chain_with_a_warning() -> None:
    # The fifth table links back to the second.
    starts, warnings = _logicals(_chain(10, {4: 1 * STRIDE}))
    assert starts == [EXTENDED + table * STRIDE + 1 for table in range(5)]
    (warning,) = warnings
    assert f"loops back to sector {EXTENDED + STRIDE}" in warning


def test_a_link_to_a_partition_is_a_loop_not_a_table() -> None:
    """A data partition's first sector may carry 55 AA (a FAT boot sector does); read as
    a table, it would give made-up partitions. TSK calls such a link a loop; so do we."""
    image = bytearray(_chain(4, {1: 1}))
    at = (EXTENDED + 1) * SECTOR  # the first partition, now also the target of a link
    image[at + 446:at + 462] = _entry(0x0C, 7, 1000)
    image[at + 510:at + 512] = b"\x55\xaa"
    starts, warnings = _logicals(bytes(image))
    assert starts == [EXTENDED + 1, EXTENDED + STRIDE + 1]
    assert len(warnings) == 1 and "loops back" in warnings[0]


def test_a_link_past_the_end_of_the_image_is_warned_about() -> None:
    starts, warnings = _logicals(_chain(6, {2: 1 << 30}))
    assert starts == [EXTENDED + table * STRIDE + 1 for table in range(3)]
    (warning,) = warnings
    assert f"sector {EXTENDED + (1 << 30)} lies beyond the end of the image" in warning


def test_a_table_cut_off_by_the_end_of_the_image_is_warned_about() -> None:
    image = _chain(6, size=(EXTENDED + 3 * STRIDE) * SECTOR + 100)
    starts, warnings = _logicals(image)
    assert len(starts) == 3
    assert warnings == [f"extended partition table at sector {EXTENDED + 3 * STRIDE} lies"
                        f" beyond the end of the image ({len(image)} bytes); not read"]


def test_a_table_without_its_signature_ends_the_chain() -> None:
    image = bytearray(_chain(6))
    at = (EXTENDED + 2 * STRIDE) * SECTOR
    image[at + 510:at + 512] = b"\0\0"
    starts, warnings = _logicals(bytes(image))
    assert len(starts) == 2
    assert warnings == [f"extended partition table at sector {EXTENDED + 2 * STRIDE} has no"
                        " 55 AA signature; the chain ends there"]


def test_thousands_of_tables_stop_at_the_bound_with_a_warning() -> None:
    image = _chain(MAX_LOGICAL + 500)
    started = time.monotonic()
    starts, warnings = _logicals(image)
    assert time.monotonic() - started < 5
    assert len(starts) == MAX_LOGICAL == 4096
    assert warnings == [f"the extended partition chain has more than {MAX_LOGICAL} tables"
                        " (damaged or hostile); the rest are not read"]


def test_no_extended_partition_gives_no_logicals() -> None:
    image = bytearray(_chain(3))
    image[446:462] = _entry(0x83, EXTENDED, 6)
    assert _logicals(bytes(image)) == ([], [])
    assert _logicals(b"") == ([], [])


def test_a_link_to_a_primary_partition_is_a_loop_not_a_table() -> None:
    """Found in review: only the chain's own tables and partitions were checked, so a
    link to a primary partition's boot sector (55 AA at its end) read boot code as a
    table. TSK counts the primaries too."""
    image = bytearray(_chain(4) + bytes(8 * SECTOR))
    primary = EXTENDED + 4 * STRIDE
    image[462:478] = _entry(0x07, primary, 8)
    image[primary * SECTOR + 446:primary * SECTOR + 462] = _entry(0x0C, 3, 1000)
    image[primary * SECTOR + 510:primary * SECTOR + 512] = b"\x55\xaa"
    at = (EXTENDED + 3 * STRIDE) * SECTOR
    image[at + 462:at + 478] = _entry(0x05, primary - EXTENDED, 8)
    starts, warnings = _logicals(bytes(image))
    assert starts == [EXTENDED + table * STRIDE + 1 for table in range(4)]
    assert warnings == [f"the extended partition chain loops back to sector {primary} (from"
                        f" the table at sector {EXTENDED + 3 * STRIDE}); it is not followed"
                        " further"]
    found = salvage_partitions(_read(bytes(image)), len(image))
    assert [p.start // SECTOR for p in found] == [*starts, primary]


def test_a_second_chain_linking_into_the_first_is_a_loop() -> None:
    """Found by an audit: each extended partition's chain kept its own set of starts, so
    a second chain linking to a partition of the first read that partition's boot sector
    (55 AA) as a table. TSK checks every partition it has listed."""
    image = bytearray(_chain(2))
    second = 32
    image[462:478] = _entry(0x05, second, 4)  # the MBR's second extended partition
    image[second * SECTOR + 446:second * SECTOR + 462] = _entry(0x83, 1, 1)
    target = EXTENDED + 1  # the first chain's first partition
    image[second * SECTOR + 462:second * SECTOR + 478] = _entry(0x05, target - second, 1)
    image[second * SECTOR + 510:second * SECTOR + 512] = b"\x55\xaa"
    image[target * SECTOR + 446:target * SECTOR + 462] = _entry(0x0C, 3, 1000)  # boot code
    image[target * SECTOR + 510:target * SECTOR + 512] = b"\x55\xaa"
    starts, warnings = _logicals(bytes(image))
    assert starts == [second + 1, EXTENDED + 1, EXTENDED + STRIDE + 1]
    assert warnings == [f"the extended partition chain loops back to sector {target} (from"
                        f" the table at sector {second}); it is not followed further"]
