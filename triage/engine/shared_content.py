"""Types and hashes of hard-linked content, shared by the worker processes of one walk.

A worker that reads an inode with several names whole remembers its type and hashes, so
that its other names are not typed or hashed again (``FileProcessor``). The walk hands out
directories, so an inode's names often fall to different workers: this table lets every
worker see what the others have read. It is a fixed-size table in shared memory, read
and written under one lock: an anonymous shared mapping the workers inherit
when they are forked, a mapped temporary file they open by path when they are spawned.
A full table, or an entry too long for a record, only means that content is read again.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import tempfile
import zlib
from typing import Any

#: Bytes per record: key length, value length, then the key and the value (JSON).
RECORD_SIZE = 384
#: Records the table holds: 24 MiB of address space, resident only as far as it is used.
RECORDS = 65_536
#: Index slots tried, from a key's home slot on, before the key is given up.
PROBES = 32

#: A worker that waits longer than this for the lock (one that held it was killed) goes
#: on as if the table had no answer: the content is read again, nothing is lost.
LOCK_SECONDS = 5.0

_COUNT = struct.Struct("<Q")
_SLOT = struct.Struct("<I")
_RECORD = struct.Struct("<BH")


class SharedContentTable:
    """A shared map from content keys (bytes) to (mime, description, md5, sha256, sha1).

    Records are appended one after the other and found through a hashed index of record
    numbers (open addressing), so the pages a walk touches are about as many as the
    records it stores. Create the table in the parent before the workers start
    (:meth:`create`), pass it to them, and :meth:`close` it in the parent when they are
    done.
    """

    def __init__(self, mapping: mmap.mmap, lock: Any, path: str | None, records: int) -> None:
        self._map = mapping
        self._lock = lock
        self._path = path
        self._records = records
        self._index_slots = 2 * records
        self._records_at = _COUNT.size + _SLOT.size * self._index_slots

    @staticmethod
    def _size(records: int) -> int:
        return _COUNT.size + _SLOT.size * 2 * records + RECORD_SIZE * records

    @classmethod
    def create(cls, context: Any, records: int = RECORDS) -> SharedContentTable:
        """A new, empty table for workers of multiprocessing ``context``."""
        size = cls._size(records)
        if context.get_start_method() == "fork":
            # Anonymous and shared: forked workers inherit it, nothing is left on disk.
            return cls(mmap.mmap(-1, size), context.Lock(), None, records)
        handle, path = tempfile.mkstemp(prefix="triage-links-")
        try:
            os.ftruncate(handle, size)
            mapping = mmap.mmap(handle, size)
        except BaseException:
            os.unlink(path)
            raise
        finally:
            os.close(handle)
        return cls(mapping, context.Lock(), path, records)

    # Spawned workers receive the path and the lock and map the same file.
    def __getstate__(self) -> dict[str, Any]:
        if self._path is None:
            raise TypeError("an anonymous shared table is inherited by forking, not pickled")
        return {"lock": self._lock, "path": self._path, "records": self._records}

    def __setstate__(self, state: dict[str, Any]) -> None:
        with open(state["path"], "r+b") as handle:
            mapping = mmap.mmap(handle.fileno(), self._size(state["records"]))
        self.__init__(mapping, state["lock"], state["path"], state["records"])  # type: ignore[misc]

    def get(self, key: bytes) -> tuple[Any, ...] | None:
        """The value stored for ``key``, or None."""
        if not self._lock.acquire(timeout=LOCK_SECONDS):
            return None
        try:
            found = self._find(key)
            if found is None or found[1] is None:
                return None
            start, key_size, value_size = found[1]
            value = self._map[start + key_size : start + key_size + value_size]
        finally:
            self._lock.release()
        return tuple(json.loads(value))

    def put(self, key: bytes, value: tuple[Any, ...]) -> bool:
        """Store ``value`` for ``key`` unless it is there already; False when it cannot be."""
        encoded = json.dumps(value, separators=(",", ":")).encode()
        if len(key) > 255 or _RECORD.size + len(key) + len(encoded) > RECORD_SIZE:
            return False
        if not self._lock.acquire(timeout=LOCK_SECONDS):
            return False
        try:
            found = self._find(key)
            if found is None:
                return False
            slot, record = found
            if record is not None:
                return True
            (count,) = _COUNT.unpack_from(self._map, 0)
            if count >= self._records:
                return False
            at = self._records_at + count * RECORD_SIZE
            _RECORD.pack_into(self._map, at, len(key), len(encoded))
            start = at + _RECORD.size
            self._map[start : start + len(key) + len(encoded)] = key + encoded
            # The index entry goes last: a record is never found before its bytes are there.
            _SLOT.pack_into(self._map, slot, count + 1)
            _COUNT.pack_into(self._map, 0, count + 1)
        finally:
            self._lock.release()
        return True

    def close(self) -> None:
        """Unmap the table, and remove its file when it has one (parent side)."""
        self._map.close()
        if self._path is not None:
            try:
                os.unlink(self._path)
            except FileNotFoundError:
                pass

    def _find(self, key: bytes) -> tuple[int, tuple[int, int, int] | None] | None:
        """(index slot offset, (start, key size, value size) of the key's record or None
        when the slot is free), or None when every probed slot holds another key."""
        home = zlib.crc32(key) % self._index_slots
        last = min(home + PROBES, self._index_slots)
        for slot in range(_COUNT.size + home * _SLOT.size, _COUNT.size + last * _SLOT.size,
                          _SLOT.size):
            (number,) = _SLOT.unpack_from(self._map, slot)
            if number == 0:
                return slot, None
            at = self._records_at + (number - 1) * RECORD_SIZE
            key_size, value_size = _RECORD.unpack_from(self._map, at)
            start = at + _RECORD.size
            if key_size == len(key) and self._map[start : start + key_size] == key:
                return slot, (start, key_size, value_size)
        return None


def shared_key(filesystem: Any, key: Any) -> bytes | None:
    """The table key of content ``key`` on ``filesystem`` (None: not shared).

    Worker processes hold their own file-system objects, so a file system is named by its
    volume index and byte offset in the image, which every worker sees alike.
    """
    volume = getattr(filesystem, "volume_index", None)
    offset = getattr(filesystem, "offset", None)
    if volume is None or offset is None:
        return None
    return repr((volume, offset, key)).encode()
