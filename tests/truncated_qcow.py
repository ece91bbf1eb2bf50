"""A QCOW2 image of a raw image, written with one chosen guest cluster last in the file
so that truncating the file cuts that cluster (libqcow then returns a short buffer for
it and raises nothing)."""

from __future__ import annotations

import struct
from pathlib import Path

CLUSTER_BITS = 12
CLUSTER = 1 << CLUSTER_BITS
_FLAG_COPIED = 1 << 63
_METADATA_CLUSTERS = 4  # header, L1 table, refcount table, refcount block


def write_qcow2(raw: bytes, out: Path, last: int) -> int:
    """Write ``raw`` as QCOW2 (version 2, 4 KiB clusters, no compression) to ``out``
    with guest cluster ``last`` stored last; return the host offset of that cluster."""
    clusters = -(-len(raw) // CLUSTER)
    per_table = CLUSTER // 8
    tables = -(-clusters // per_table)
    data_start = _METADATA_CLUSTERS + tables
    assert tables <= per_table and data_start + clusters <= CLUSTER // 2
    order = [k for k in range(clusters) if k != last] + [last]
    host = {k: (data_start + i) * CLUSTER for i, k in enumerate(order)}
    header = bytearray(CLUSTER)
    struct.pack_into(">4sIQIIQIIQQIIQ", header, 0, b"QFI\xfb", 2, 0, 0, CLUSTER_BITS,
                     len(raw), 0, tables, CLUSTER, 2 * CLUSTER, 1, 0, 0)
    l1 = bytearray(CLUSTER)
    for table in range(tables):
        struct.pack_into(">Q", l1, 8 * table,
                         (_METADATA_CLUSTERS + table) * CLUSTER | _FLAG_COPIED)
    refcount_table = bytearray(CLUSTER)
    struct.pack_into(">Q", refcount_table, 0, 3 * CLUSTER)
    refcounts = bytearray(CLUSTER)
    for cluster in range(data_start + clusters):
        struct.pack_into(">H", refcounts, 2 * cluster, 1)
    l2 = bytearray(tables * CLUSTER)
    for cluster in range(clusters):
        struct.pack_into(">Q", l2, 8 * cluster, host[cluster] | _FLAG_COPIED)
    with open(out, "wb") as image:
        image.write(header + l1 + refcount_table + refcounts + l2)
        for cluster in order:
            image.write(raw[cluster * CLUSTER:(cluster + 1) * CLUSTER].ljust(CLUSTER, b"\0"))
    return host[last]


def truncated_qcow2(raw_path: Path, out: Path, missing_from: int) -> tuple[int, int]:
    """Write ``raw_path`` as QCOW2 with the file cut so that the guest bytes from
    ``missing_from`` to the end of their cluster are gone; return that ``[start, end)``."""
    raw = raw_path.read_bytes()
    cluster = missing_from // CLUSTER
    host = write_qcow2(raw, out, cluster)
    with open(out, "r+b") as image:
        image.truncate(host + missing_from % CLUSTER)
    return missing_from, (cluster + 1) * CLUSTER
