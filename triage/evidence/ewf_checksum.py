"""The chunks of an EWF image whose checksum failed while it was read.

libewf checks each chunk it reads (Adler-32 or the compressed stream) and, when the
check fails, returns the chunk as zeros and records the sectors in the handle; the
Python binding reports neither. The binding's extension module exports libewf's C
functions, so this module asks the handle through them
(``libewf_handle_get_number_of_checksum_errors`` and
``libewf_handle_get_checksum_error``).

The binding's handle object holds its ``libewf_handle_t *`` right after the Python
object header. Before any call that uses that pointer, the media size read through it
must equal the binding's own answer; if anything differs, or a function is missing,
the reporter says it is unavailable and reports nothing.
"""

from __future__ import annotations

import ctypes
import time
from dataclasses import dataclass
from typing import Any

from triage.evidence.byte_ranges import add_span, subtract_spans

#: While the handle's list keeps its length, it is read again once this many times the
#: last reading's time has passed.
RECHECK_FACTOR = 20


class EwfChecksumErrors:
    """Reports the byte ranges of chunks whose checksum failed, each once."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self._lib: Any = None
        self._pointer: ctypes.c_void_p | None = None
        #: Byte ranges reported so far, sorted and merged.
        self._reported: list[tuple[int, int]] = []
        self._seen_count = 0
        self._checked = 0.0
        self._pass_seconds = 0.0
        self.sector_size = 512
        self.available = False
        try:
            self._attach(handle)
        except (OSError, AttributeError, ValueError, TypeError, RuntimeError):
            self._lib = None
            self.available = False

    def _attach(self, handle: Any) -> None:
        import pyewf

        if not isinstance(handle, pyewf.handle):
            return
        lib = ctypes.CDLL(pyewf.__file__)
        for name in ("libewf_handle_get_media_size", "libewf_handle_get_number_of_checksum_errors",
                     "libewf_handle_get_checksum_error", "libewf_error_free"):
            getattr(lib, name).restype = ctypes.c_int
        address = ctypes.c_void_p.from_address(id(handle) + object.__basicsize__).value
        if not address or address % ctypes.sizeof(ctypes.c_void_p):
            return
        pointer = ctypes.c_void_p(address)
        size = ctypes.c_uint64()
        if self._call(lib, "libewf_handle_get_media_size", pointer, ctypes.byref(size)) != 1:
            return
        if size.value != handle.get_media_size():
            return
        self._lib, self._pointer = lib, pointer
        self.sector_size = int(handle.get_bytes_per_sector() or 512)
        self.available = True

    @staticmethod
    def _call(lib: Any, name: str, *args: Any) -> int:
        """Call a libewf function whose last argument is ``libewf_error_t **``."""
        error = ctypes.c_void_p()
        result = getattr(lib, name)(*args, ctypes.byref(error))
        if error.value:
            lib.libewf_error_free(ctypes.byref(error))
        return int(result)

    def count(self) -> int:
        """How many failed ranges the handle's list holds (libewf merges adjacent ones)."""
        if not self.available:
            return 0
        number = ctypes.c_uint32()
        if self._call(self._lib, "libewf_handle_get_number_of_checksum_errors", self._pointer,
                      ctypes.byref(number)) != 1:
            return 0
        return number.value

    def take_new(self, force: bool = False) -> list[MediaDamage]:
        """Damaged media not reported before, in pieces not reported before.

        libewf keeps its list sorted and merges touching ranges, so a new error can land
        anywhere in it or only widen a range: the list is read whole and compared with
        what was reported. That is done when the list's length changed, when ``force``,
        and otherwise once the time since the last reading is :data:`RECHECK_FACTOR`
        times what that reading took: a few ranges are read on nearly every call (so the
        damage is named with what was being read), thousands are not read for every file.
        """
        total = self.count()
        if total == 0:
            return []
        now = time.monotonic()
        if (not force and total == self._seen_count
                and now - self._checked < RECHECK_FACTOR * self._pass_seconds):
            return []
        found = []
        for index in range(total):
            start, sectors = ctypes.c_uint64(), ctypes.c_uint64()
            if self._call(self._lib, "libewf_handle_get_checksum_error", self._pointer,
                          ctypes.c_uint32(index), ctypes.byref(start), ctypes.byref(sectors)) != 1:
                continue
            first = start.value * self.sector_size
            end = first + sectors.value * self.sector_size
            found += subtract_spans(first, end, self._reported)
        for first, end in found:
            add_span(self._reported, first, end)
        self._seen_count = total
        self._checked = time.monotonic()
        self._pass_seconds = self._checked - now
        return [MediaDamage(first, end - first, self.sector_size) for first, end in found]


#: :attr:`MediaDamage.cause` of an EWF chunk whose checksum failed.
CHECKSUM = "checksum"
#: :attr:`MediaDamage.cause` of bytes inside the media that the container did not return
#: or failed to read (a truncated QCOW2, VMDK or VHD, a short segment of a split raw set).
MISSING = "missing"


@dataclass(frozen=True)
class MediaDamage:
    """Bytes of the media that the container found damaged (read as zeros)."""

    offset: int
    length: int
    sector_size: int = 512
    cause: str = CHECKSUM

    def describe(self) -> str:
        """One line naming the damaged bytes and sectors."""
        first = self.offset // self.sector_size
        last = (self.offset + self.length - 1) // self.sector_size
        where = (f"media bytes {self.offset}-{self.offset + self.length - 1}"
                 f" (sectors {first}-{last})")
        if self.cause == MISSING:
            return (f"{where} could not be read from the image (truncated or damaged);"
                    " read as zeros")
        return f"EWF chunk checksum failed at {where}; libewf read it as zeros"
