"""Keep a benchmark image resident in the page cache while the runs read it.

Some virtual machines (this project's among them) hand page-cache pages back to their
host within minutes: its page cache shrank by about 10 MB a second, at one point held
only 123 MB of two images just read, and a run that meets evicted pages reads
them from a disk that gives about 70 MB/s, so it measures the disk, not the tool. Reading
the image again before each run refills the cache only at the start of the run.

:class:`ResidentImage` starts a helper process (``python -m benchmarks.page_cache
IMAGE``) that maps the image read-only and ``mlock``\\ s the mapping, so the kernel keeps
every page of it in memory until the benchmark ends; the tools still read the image
through their own ``read`` calls, which the locked pages serve. The helper is not the
harness itself: a child the harness starts would otherwise count the harness's locked
pages in its own peak memory. When the lock is refused (no privilege, a low
``RLIMIT_MEMLOCK``, too little memory) nothing is held and :attr:`ResidentImage.reason`
says why.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[1]
_MAP_FAILED = ctypes.c_void_p(-1).value


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    return libc


def hold(path: Path) -> str | None:
    """Map ``path`` read-only and lock it in memory; return None, or why it failed.

    The lock lasts until this process ends (or unmaps it).
    """
    size = path.stat().st_size
    if size == 0:
        return "the image is empty"
    try:
        libc = _libc()
    except OSError as error:
        return f"libc not found ({error})"
    fd = os.open(path, os.O_RDONLY)
    try:
        address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
    finally:
        os.close(fd)  # the mapping keeps the file
    if address in (None, _MAP_FAILED):
        return f"mmap failed ({os.strerror(ctypes.get_errno())})"
    # mlock faults every page in (reading from disk what is not cached) and pins it.
    if libc.mlock(address, size) != 0:
        reason = f"mlock refused ({os.strerror(ctypes.get_errno())})"
        libc.munmap(address, size)
        return reason
    return None


class ResidentImage:
    """Context manager: the image's pages stay in the page cache while it is open.

    ``locked`` tells whether they did; ``reason`` why not. The helper opens the file
    read-only and maps it ``PROT_READ``: the evidence is never written.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.size = self.path.stat().st_size
        self.locked = False
        self.reason: str | None = None
        self._helper: subprocess.Popen[str] | None = None

    def __enter__(self) -> ResidentImage:
        self._helper = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.page_cache", str(self.path.resolve())], cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self._helper.stdout is not None
        answer = self._helper.stdout.readline().strip()
        if answer == "locked":
            self.locked = True
        else:
            self.reason = answer.removeprefix("refused: ") or "the helper ended"
            self._stop()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop()

    def _stop(self) -> None:
        helper, self._helper = self._helper, None
        if helper is not None:
            if helper.stdin is not None:
                helper.stdin.close()  # end of input: the helper exits and its lock goes
            try:
                helper.wait(timeout=60)
            except subprocess.TimeoutExpired:
                helper.kill()
                helper.wait()
            if helper.stdout is not None:
                helper.stdout.close()

    def describe(self) -> str:
        """One line for the report."""
        gib = self.size / 2**30
        if self.locked:
            return (f"`{self.path.name}` ({gib:.2f} GiB) was held in the page cache with mlock"
                    " for all of its runs")
        return (f"`{self.path.name}` ({gib:.2f} GiB) could not be held in the page cache"
                f" ({self.reason}); it was only read again before each run")


def main(argv: list[str] | None = None) -> int:
    """Helper process: lock the image, say so, and hold it until standard input ends."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("refused: usage: python -m benchmarks.page_cache IMAGE", flush=True)
        return 2
    try:
        reason = hold(Path(args[0]))
    except OSError as error:
        reason = f"cannot open the image ({error.strerror or error})"
    print("locked" if reason is None else f"refused: {reason}", flush=True)
    if reason is None:
        sys.stdin.read()
    return 0 if reason is None else 1


if __name__ == "__main__":
    sys.exit(main())
