"""Minimal, bounded reader of HEIF/HEIC/AVIF files: the EXIF item and the image size.

HEIF is an ISO base media file: a ``meta`` box lists items (``iinf``/``infe``), where
their bytes are (``iloc``, optionally inside ``idat``) and their properties (``iprp``/
``ipco``, where ``ispe`` gives a size). Only what is needed to hand the EXIF TIFF block
to ExifRead is parsed, with every count and length checked against the data.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

#: Boxes visited at most per file; real files have a few dozen on the paths we walk.
MAX_BOXES = 4096
#: Largest EXIF item accepted.
MAX_EXIF_ITEM = 16 * 1024 * 1024


class _Budget:
    """Counts boxes visited so a hostile file cannot make the walk long."""

    def __init__(self) -> None:
        self.left = MAX_BOXES


def _boxes(data: bytes, start: int, end: int, budget: _Budget) -> Iterator[tuple[bytes, int, int]]:
    """Yield (type, payload_start, payload_end) of the boxes in data[start:end]."""
    pos = start
    while pos + 8 <= end and budget.left > 0:
        budget.left -= 1
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            if pos + 16 > end:
                return
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield kind, pos + header, pos + size
        pos += size


def _children(data: bytes, start: int, end: int, budget: _Budget) -> dict[bytes, tuple[int, int]]:
    """Map box type -> (payload_start, payload_end) of the first box of each type."""
    out: dict[bytes, tuple[int, int]] = {}
    for kind, body, stop in _boxes(data, start, end, budget):
        out.setdefault(kind, (body, stop))
    return out


def _meta(data: bytes, budget: _Budget) -> dict[bytes, tuple[int, int]] | None:
    if data[4:8] != b"ftyp":
        return None
    top = _children(data, 0, len(data), budget)
    if b"meta" not in top:
        return None
    body, stop = top[b"meta"]
    return _children(data, body + 4, stop, budget)  # meta is a full box


def _exif_item_ids(data: bytes, start: int, end: int, budget: _Budget) -> set[int]:
    version = data[start] if start < end else 0
    pos = start + 4 + (2 if version == 0 else 4)
    ids: set[int] = set()
    for kind, body, stop in _boxes(data, pos, end, budget):
        if kind != b"infe" or stop - body < 12:
            continue
        infe_version = data[body]
        if infe_version == 2:
            item_id = struct.unpack(">H", data[body + 4 : body + 6])[0]
            item_type = data[body + 8 : body + 12]
        elif infe_version == 3 and stop - body >= 14:
            item_id = struct.unpack(">I", data[body + 4 : body + 8])[0]
            item_type = data[body + 10 : body + 14]
        else:
            continue
        if item_type == b"Exif":
            ids.add(item_id)
    return ids


def _read_uint(data: bytes, pos: int, size: int) -> int:
    if size == 0:
        return 0
    if size not in (4, 8) or pos + size > len(data):
        raise ValueError("bad iloc field size")
    return int.from_bytes(data[pos : pos + size], "big")


def _item_extents(
    data: bytes, start: int, end: int, wanted: set[int]
) -> dict[int, tuple[int, list[tuple[int, int]]]]:
    """Parse ``iloc``: item id -> (construction method, [(offset, length), ...])."""
    version = data[start]
    offset_size, length_size = data[start + 4] >> 4, data[start + 4] & 15
    base_size, index_size = data[start + 5] >> 4, data[start + 5] & 15
    pos = start + 6
    if version < 2:
        (count,) = struct.unpack(">H", data[pos : pos + 2])
        pos += 2
    else:
        (count,) = struct.unpack(">I", data[pos : pos + 4])
        pos += 4
    out: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    for _ in range(min(count, (end - pos) // 6 + 1)):
        if pos + 4 > end:
            break
        if version < 2:
            item_id = struct.unpack(">H", data[pos : pos + 2])[0]
            pos += 2
        else:
            item_id = struct.unpack(">I", data[pos : pos + 4])[0]
            pos += 4
        method = 0
        if version in (1, 2):
            method = struct.unpack(">H", data[pos : pos + 2])[0] & 15
            pos += 2
        pos += 2  # data_reference_index
        base = _read_uint(data, pos, base_size)
        pos += base_size
        (extent_count,) = struct.unpack(">H", data[pos : pos + 2])
        pos += 2
        per_extent = (index_size if version in (1, 2) else 0) + offset_size + length_size
        if item_id not in wanted or not per_extent:
            # Skipped in one step: thousands of items of 65,535 empty extents each were
            # once read one by one (a 12 KB file took half a minute).
            pos += extent_count * per_extent
            if pos > end:
                raise ValueError("iloc truncated")
            if item_id in wanted:
                out[item_id] = (method, [(base, 0)])
            continue
        if pos + extent_count * per_extent > end:
            raise ValueError("iloc truncated")
        extents = []
        for _ in range(extent_count):
            if version in (1, 2) and index_size:
                pos += index_size
            offset = _read_uint(data, pos, offset_size)
            pos += offset_size
            length = _read_uint(data, pos, length_size)
            pos += length_size
            if pos > end:
                raise ValueError("iloc truncated")
            extents.append((base + offset, length))
        if item_id in wanted:
            out[item_id] = (method, extents)
    return out


def _tiff_from_payload(payload: bytes) -> bytes | None:
    """Strip the EXIF item's header (4-byte offset, usually 'Exif\\0\\0') down to the TIFF block."""
    if len(payload) < 12:
        return None
    (skip,) = struct.unpack(">I", payload[:4])
    tiff = payload[4 + skip :] if skip < len(payload) else b""
    if tiff[:4] in (b"II*\x00", b"MM\x00*"):
        return tiff
    for magic in (b"II*\x00", b"MM\x00*"):
        found = payload.find(magic, 0, 64)
        if found >= 0:
            return payload[found:]
    return None


def heif_exif_tiff(data: bytes) -> bytes | None:
    """Return the EXIF TIFF block of a HEIF file, or None (no EXIF item or unreadable).

    Raises ValueError when the item structures are inconsistent.
    """
    budget = _Budget()
    meta = _meta(data, budget)
    if not meta or b"iinf" not in meta or b"iloc" not in meta:
        return None
    ids = _exif_item_ids(data, *meta[b"iinf"], budget)
    if not ids:
        return None
    try:
        locations = _item_extents(data, *meta[b"iloc"], ids)
    except (struct.error, IndexError) as exc:
        raise ValueError(f"iloc unreadable: {exc}") from exc
    for method, extents in locations.values():
        base = 0
        if method == 1:
            if b"idat" not in meta:
                continue
            base = meta[b"idat"][0]
        elif method != 0:
            continue
        payload = bytearray()
        for offset, length in extents:
            start = base + offset
            if length == 0 or start + length > len(data) or len(payload) + length > MAX_EXIF_ITEM:
                raise ValueError("EXIF item extent outside the file or too large")
            payload += data[start : start + length]
        tiff = _tiff_from_payload(bytes(payload))
        if tiff:
            return tiff
    return None


def heif_dimensions(data: bytes) -> tuple[int, int] | None:
    """Return ``(width, height)`` of the largest 'ispe' property, or None.

    The primary image is the largest one (thumbnails and grid tiles are smaller).
    """
    budget = _Budget()
    meta = _meta(data, budget)
    if not meta or b"iprp" not in meta:
        return None
    ipco = _children(data, *meta[b"iprp"], budget).get(b"ipco")
    if ipco is None:
        return None
    best: tuple[int, int] | None = None
    for kind, body, stop in _boxes(data, *ipco, budget):
        if kind == b"ispe" and stop - body >= 12:
            width, height = struct.unpack(">II", data[body + 4 : body + 12])
            if width and height and (best is None or width * height > best[0] * best[1]):
                best = (width, height)
    return best
