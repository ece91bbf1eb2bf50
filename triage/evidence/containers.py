"""pytsk3 image objects over the libyal container libraries (EWF, VMDK, VHD/VHDX, QCOW2).

Each container is wrapped as a :class:`pytsk3.Img_Info` subclass of type
``TSK_IMG_TYPE_EXTERNAL`` whose ``read`` seeks the underlying object, so TSK's volume and
file-system parsers read through it. Everything is opened read-only.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytsk3

from triage.evidence.errors import EvidenceError
from triage.evidence.media_files import check_media_file, media_file_size, open_media_file
from triage.evidence.missing_media import MissingMedia, read_padded


class MediaImage(pytsk3.Img_Info):
    """An Img_Info whose bytes come from a seekable media object (``read(offset, size)``).

    Bytes inside the media that the object does not return are read as zeros and
    recorded in :attr:`missing`.
    """

    def __init__(self, media: Any, size: int, missing: MissingMedia | None = None) -> None:
        self._media = media
        self._size = size
        self.missing = missing if missing is not None else MissingMedia()
        # libyal objects keep a file position; TSK may read from several threads.
        self._lock = threading.Lock()
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, size: int) -> bytes:  # noqa: D102 (pytsk3 callback)
        if offset < 0 or size <= 0 or offset >= self._size:
            return b""
        size = min(size, self._size - offset)
        with self._lock:
            return read_padded(self._media.read_buffer_at_offset, offset, size, self.missing)

    def get_size(self) -> int:  # noqa: D102 (pytsk3 callback)
        return self._size

    def close(self) -> None:  # noqa: D102
        media, self._media = self._media, None
        if media is not None:
            _close_quietly(media)


class SegmentedRawMedia:
    """Raw media spread over one or more segment files, read as one byte range.

    Every segment but the last holds as many bytes as the first: the bytes a shorter one
    lacks (a damaged or cut-off copy) read as zeros and are recorded in ``missing``, so
    the bytes of the segments after it stay where they belong. :attr:`short_segments`
    lists such segments as ``(path, size)``.
    """

    def __init__(self, paths: Sequence[str], missing: MissingMedia | None = None) -> None:
        self.missing = missing if missing is not None else MissingMedia()
        self._files = []
        sizes: list[int] = []
        try:
            for path in paths:
                handle = open_media_file(path)
                self._files.append(handle)
                sizes.append(media_file_size(handle))
        except EvidenceError:
            self.close()
            raise
        except OSError as error:
            self.close()
            raise EvidenceError(f"{path}: cannot open ({error.strerror or error})") from error
        segment = sizes[0]
        for path, size in zip(paths[1:], sizes[1:], strict=True):
            if size > segment:
                self.close()
                raise EvidenceError(
                    f"{path}: split image segment of {size} bytes is longer than the first"
                    f" segment {os.path.basename(paths[0])} ({segment} bytes); is the first"
                    " segment cut short?")
        self.short_segments = [(path, size) for path, size in zip(paths[:-1], sizes[:-1],
                                                                   strict=True)
                               if size < segment]
        self._held = sizes
        self._sizes = [segment] * (len(sizes) - 1) + [sizes[-1]]
        self._starts = [index * segment for index in range(len(sizes))]
        self.size = self._starts[-1] + sizes[-1]

    def read_buffer_at_offset(self, size: int, offset: int) -> bytes:
        """Return up to ``size`` bytes at ``offset`` across segment boundaries."""
        out = []
        index = self._segment_of(offset)
        while size > 0 and index < len(self._files):
            inner = offset - self._starts[index]
            take = min(size, self._sizes[index] - inner)
            if take <= 0:
                index += 1
                continue
            data = b""
            if inner < self._held[index]:
                handle = self._files[index]
                handle.seek(inner)
                data = handle.read(take)
            if len(data) < take and index + 1 < len(self._files):
                # A short segment: its missing end must not shift the segments after it.
                self.missing.add(offset + len(data), offset + take)
                data += bytes(take - len(data))
            out.append(data)
            if len(data) < take:
                break
            size -= take
            offset += take
            index += 1
        return b"".join(out)

    def _segment_of(self, offset: int) -> int:
        low, high = 0, len(self._starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self._starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low

    def close(self) -> None:
        """Close every segment file."""
        for handle in self._files:
            handle.close()
        self._files = []


LIBYAL_ERRORS = (OSError, RuntimeError, TypeError, ValueError, AttributeError)


def _close_quietly(handle: Any) -> None:
    try:
        handle.close()
    except LIBYAL_ERRORS:
        # A handle that never opened refuses to close; there is nothing to release.
        pass


def _libyal_error(path: str, what: str, error: Exception) -> EvidenceError:
    detail = str(error).strip().splitlines()
    # libyal messages are multi-line call traces; the last line is the root cause.
    reason = detail[-1].strip() if detail else type(error).__name__
    return EvidenceError(f"{path}: {what} ({reason})")


def open_raw(paths: Sequence[str]) -> tuple[MediaImage, int, list[tuple[str, int]]]:
    """Open raw (single or split) segments; returns (image, size, the segments shorter
    than the first as ``(path, size)``, whose missing bytes read as zeros)."""
    media = SegmentedRawMedia(paths)
    return MediaImage(media, media.size, media.missing), media.size, media.short_segments


def open_ewf(path: str) -> tuple[MediaImage, int, Any, list[str]]:
    """Open an EWF image from any of its segments; returns (image, size, handle, segments)."""
    import pyewf

    try:
        segments = sorted(pyewf.glob(path))
    except (*LIBYAL_ERRORS, MemoryError) as error:
        # pyewf.glob raises MemoryError ("unable to free globbed filenames") when the
        # first segment is missing.
        first = _first_ewf_segment(path)
        if first is not None and not os.path.exists(first):
            raise EvidenceError(f"{path}: first segment {os.path.basename(first)} is missing"
                                ) from error
        raise _libyal_error(path, "cannot find the EWF segment files", error) from error
    for segment in segments:
        check_media_file(segment)
    handle = pyewf.handle()
    try:
        handle.open(segments, "r")
    except LIBYAL_ERRORS as error:
        raise _libyal_error(path, "not a readable EWF image (truncated or missing segment?)",
                            error) from error
    size = handle.get_media_size()
    try:
        _check_ewf_segments(path, segments)
        # libewf opens an incomplete set quietly; the last chunk lives in the last segment.
        if size:
            handle.read_buffer_at_offset(min(512, size), size - min(512, size))
    except EvidenceError:
        _close_quietly(handle)
        raise
    except LIBYAL_ERRORS as error:
        _close_quietly(handle)
        raise EvidenceError(f"{path}: EWF segment missing or truncated (end of media unreadable)"
                            ) from error
    return MediaImage(handle, size), size, handle, segments


_EWF_SEGMENT_NAME = re.compile(r"^(?P<base>.+\.)(?P<letter>Ex|E|e|s)[0-9A-Za-z]{2}$")


def _first_ewf_segment(path: str) -> str | None:
    """The first segment's path (``name.E01``) of the EWF segment ``path``, or None."""
    match = _EWF_SEGMENT_NAME.match(path)
    return f"{match['base']}{match['letter']}01" if match else None


def _check_ewf_segments(path: str, segments: list[str]) -> None:
    """EWF1 segment headers number the files 1..n: a gap means a missing segment."""
    numbers = []
    for segment in segments:
        with open(segment, "rb") as handle:
            header = handle.read(13)
        if not header.startswith(b"EVF\x09\x0d\x0a\xff\x00"):
            return
        numbers.append(int.from_bytes(header[9:11], "little"))
    for expected, number in enumerate(sorted(numbers), start=1):
        if number != expected:
            raise EvidenceError(f"{path}: EWF segment number {expected} is missing")


#: Longest chain of differencing images (child, parent, grandparent...) followed.
MAX_CHAIN = 32


def open_vmdk(path: str) -> tuple[MediaImage, int, list[str]]:
    """Open a VMDK descriptor or sparse file with its extent files, chaining a delta
    (snapshot) disk to its parent in the same directory."""
    import pyvmdk

    def open_one(current: str) -> tuple[Any, list[str]]:
        handle = pyvmdk.handle()
        directory = os.path.dirname(current)
        try:
            handle.open(current, "r")
            if handle.number_of_extents == 1 and _is_sparse_vmdk(current):
                # A sparse file carries its own descriptor, which names the extent as the
                # file was first called: the data is this very file, whatever a file of
                # that name beside it holds (a renamed copy next to its original).
                return _VmdkWithFiles(handle, _open_extent_files(handle, [current])), [current]
            # libvmdk opens the extents it names as they are, and would wait for ever on
            # a FIFO.
            for index in range(handle.number_of_extents):
                name = handle.get_extent_descriptor(index).filename
                if name:
                    for candidate in {name, os.path.basename(name)}:
                        check_media_file(os.path.join(directory, candidate))
            handle.open_extent_data_files()
        except (*LIBYAL_ERRORS, EvidenceError):
            _close_quietly(handle)
            raise
        files = [current]
        try:
            for index in range(handle.number_of_extents):
                name = handle.get_extent_descriptor(index).filename
                if name:
                    extent = os.path.join(directory, os.path.basename(name))
                    if extent not in files and os.path.exists(extent):
                        files.append(extent)
        except LIBYAL_ERRORS:
            # Extent names are informative only; the handle already opened the extents.
            pass
        return handle, files

    return _open_chain(path, "VMDK", open_one, lambda handle: handle.parent_filename)


#: First bytes of a VMDK sparse extent (hosted and ESX "COWD" formats).
_SPARSE_VMDK_MAGICS = (b"KDMV", b"COWD")


def _is_sparse_vmdk(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) in _SPARSE_VMDK_MAGICS


def _open_extent_files(handle: Any, paths: list[str]) -> list[Any]:
    """Open ``paths`` read-only as ``handle``'s extent data files, in order; return them."""
    files = [open(path, "rb") for path in paths]  # noqa: SIM115 (closed with the handle)
    try:
        handle.open_extent_data_files_as_file_objects(files)
    except BaseException:
        for file in files:
            file.close()
        raise
    return files


class _VmdkWithFiles:
    """A libvmdk handle whose extent files this module opened (closed with it)."""

    def __init__(self, handle: Any, files: list[Any]) -> None:
        self._handle = handle
        self._files = files

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def close(self) -> None:  # noqa: D102
        try:
            _close_quietly(self._handle)
        finally:
            for file in self._files:
                file.close()


def open_vhd(path: str) -> tuple[MediaImage, int, list[str]]:
    """Open a VHD/VHDX, chaining differential images to parents in the same directory."""
    import pyvhdi

    def open_one(current: str) -> tuple[Any, list[str]]:
        handle = pyvhdi.file()
        handle.open(current, "r")
        return handle, [current]

    def parent_of(handle: Any) -> str | None:
        if handle.disk_type != pyvhdi.disk_types.DIFFERENTIAL:
            return None
        if not handle.parent_filename:
            raise EvidenceError(f"{path}: differential VHD without a parent file name")
        return str(handle.parent_filename)

    return _open_chain(path, "VHD/VHDX", open_one, parent_of)


def open_qcow(path: str) -> tuple[MediaImage, int, list[str]]:
    """Open a QCOW image, chaining an overlay to its backing file in the same directory."""
    import pyqcow

    def open_one(current: str) -> tuple[Any, list[str]]:
        handle = pyqcow.file()
        handle.open(current, "r")
        return handle, [current]

    return _open_chain(path, "QCOW", open_one, lambda handle: handle.backing_filename)


def _open_chain(
    path: str,
    kind: str,
    open_one: Callable[[str], tuple[Any, list[str]]],
    parent_of: Callable[[Any], str | None],
) -> tuple[MediaImage, int, list[str]]:
    """Open a differencing image and the parents it names, each looked for by its base
    name in its child's directory (a parent path recorded on the examiner's machine, a
    Windows path say, says nothing about where the copy is now); returns the child's
    media, its size and every file read, child first."""
    opened: list[Any] = []
    segments: list[str] = []
    current = os.path.abspath(path)
    try:
        for _ in range(MAX_CHAIN):
            check_media_file(current)
            handle, files = open_one(current)
            if opened:
                # A child that is a bare libyal handle takes only a bare handle as parent.
                opened[-1].set_parent(getattr(handle, "_handle", handle))
            opened.append(handle)
            segments.extend(f for f in files if f not in segments)
            parent_name = parent_of(handle)
            if not parent_name:
                break
            parent_base = parent_name.replace("\\", "/").rsplit("/", 1)[-1]
            current = os.path.join(os.path.dirname(current), parent_base)
            if not os.path.exists(current):
                raise EvidenceError(f"{path}: parent image {parent_base} is missing")
            if current in segments:
                raise EvidenceError(f"{path}: parent image {parent_base} is its own ancestor")
        else:
            raise EvidenceError(f"{path}: chain of differencing images longer than {MAX_CHAIN}")
        size = opened[0].get_media_size()
    except EvidenceError:
        for handle in opened:
            _close_quietly(handle)
        raise
    except LIBYAL_ERRORS as error:
        for handle in opened:
            _close_quietly(handle)
        raise _libyal_error(path, f"not a readable {kind} image", error) from error
    media = _ChainedMedia(opened[0], opened) if len(opened) > 1 else opened[0]
    return MediaImage(media, size), size, segments


class _ChainedMedia:
    """Keeps parent images alive while the child reads through them."""

    def __init__(self, child: Any, chain: list[Any]) -> None:
        self._child = child
        self._chain = chain

    def read_buffer_at_offset(self, size: int, offset: int) -> bytes:
        return self._child.read_buffer_at_offset(size, offset)

    def close(self) -> None:
        for handle in self._chain:
            _close_quietly(handle)
