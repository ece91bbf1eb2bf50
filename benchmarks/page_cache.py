"""Keep a benchmark image resident in the page cache while the runs read it.

Some virtual machines (this project's among them) hand page-cache pages back to their
host within minutes: the cache of a 1.8 GiB image shrank by about 10 MB a second, a
2.9 GiB image was gone between two sessions, and a run that meets evicted pages reads
them from a disk that gives about 70 MB/s, so it measures the disk, not the tool. Reading
the image again before each run refills the cache only at the start of the run.

:class:`ResidentImage` maps the image read-only and ``mlock``\\ s the mapping, so the
kernel keeps every page of it in memory until the benchmark ends; the tools still read
the image through their own ``read`` calls, which the locked pages serve. When the lock
is refused (no privilege, a low ``RLIMIT_MEMLOCK``, too little memory) nothing is held
and :attr:`ResidentImage.reason` says why.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
from pathlib import Path
from types import TracebackType

_PROT_READ = mmap.PROT_READ
_MAP_SHARED = mmap.MAP_SHARED
_MAP_FAILED = ctypes.c_void_p(-1).value


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.munlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    return libc


class ResidentImage:
    """Context manager: the image's pages stay in the page cache while it is open.

    ``locked`` tells whether they do; ``reason`` why not. The file is opened read-only
    and mapped ``PROT_READ``: the evidence is never written.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.size = self.path.stat().st_size
        self.locked = False
        self.reason: str | None = None
        self._address: int | None = None
        self._fd: int | None = None

    def __enter__(self) -> ResidentImage:
        if self.size == 0:
            self.reason = "the image is empty"
            return self
        try:
            libc = _libc()
        except OSError as error:
            self.reason = f"libc not found ({error})"
            return self
        self._fd = os.open(self.path, os.O_RDONLY)
        address = libc.mmap(None, self.size, _PROT_READ, _MAP_SHARED, self._fd, 0)
        if address in (None, _MAP_FAILED):
            self.reason = f"mmap failed ({os.strerror(ctypes.get_errno())})"
            self._close_fd()
            return self
        self._address = address
        # mlock faults every page in (reading from disk what is not cached) and pins it.
        if libc.mlock(address, self.size) != 0:
            self.reason = f"mlock refused ({os.strerror(ctypes.get_errno())})"
            self._unmap(libc)
            return self
        self.locked = True
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._address is not None:
            libc = _libc()
            if self.locked:
                libc.munlock(self._address, self.size)
            self._unmap(libc)
        self.locked = False

    def describe(self) -> str:
        """One line for the report."""
        gib = self.size / 2**30
        if self.locked:
            return (f"`{self.path.name}` ({gib:.2f} GiB) was held in the page cache with mlock"
                    " for all of its runs")
        return (f"`{self.path.name}` ({gib:.2f} GiB) could not be held in the page cache"
                f" ({self.reason}); it was only read again before each run")

    def _unmap(self, libc: ctypes.CDLL) -> None:
        if self._address is not None:
            libc.munmap(self._address, self.size)
            self._address = None
        self._close_fd()

    def _close_fd(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
