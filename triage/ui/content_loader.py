"""Load viewer content (hex window, text, image bytes) off the GUI thread.

One background thread owns an :class:`EvidenceReader` and serves requests in order;
results come back as a Qt signal (queued to the GUI thread). Only the newest request's
result matters, so stale requests are skipped.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from triage.ui.evidence_reader import ContentError, EvidenceReader

WINDOW = 64 * 1024
BEFORE_HIT = 4 * 1024
MAX_IMAGE = 16 * 1024 * 1024
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff", "ico"})


@dataclass
class ContentRequest:
    """What to read: a file window (``path`` set) or raw media bytes (``path`` None)."""

    evidence_path: str
    volume_idx: int | None
    path: str | None
    inode: str | None
    offset: int
    highlight: tuple[int, int] | None = None
    want_image: bool = False
    #: The file's size when the case knows it (says how many windows there are).
    size: int | None = None


@dataclass
class ContentResult:
    """Bytes read for a request (``message`` explains a failure)."""

    data: bytes = b""
    base_offset: int = 0
    highlight: tuple[int, int] | None = None
    image: bytes | None = None
    message: str | None = None
    size: int | None = None


def is_image_name(path: str | None, mime: str | None = None) -> bool:
    """True when a path or MIME type says the file is a picture."""
    if mime and mime.startswith("image/"):
        return True
    extension = (path or "").rpartition(".")[2].lower()
    return extension in IMAGE_EXTENSIONS


def request_for_artefact(artefact: dict[str, Any]) -> ContentRequest | None:
    """Return the content request that shows an artefact's hit (None: nothing to read)."""
    offset = int(artefact.get("offset") or 0)
    highlight = (offset, 16) if artefact.get("offset") is not None else None
    if artefact.get("unallocated"):
        return ContentRequest(artefact["evidence_path"], None, None, None,
                              max(0, offset - BEFORE_HIT), highlight)
    if not artefact.get("path"):
        return None
    return ContentRequest(
        artefact["evidence_path"], artefact.get("volume_idx"), artefact["path"],
        artefact.get("inode"), max(0, offset - BEFORE_HIT) // 16 * 16, highlight,
        want_image=is_image_name(artefact["path"]),
    )


def request_for_file(file: dict[str, Any], evidence_path: str) -> ContentRequest | None:
    """Return the content request that shows the start of a file (None for directories)."""
    if file.get("kind") == "dir":
        return None
    return ContentRequest(evidence_path, file.get("volume_idx"), file["path"], file.get("inode"),
                          0, None, want_image=is_image_name(file["path"], file.get("mime")),
                          size=file.get("size"))


def request_for_window(request: ContentRequest, offset: int,
                       mark: bool = False) -> ContentRequest:
    """Return the request for a window of what ``request`` read, starting at ``offset``'s
    line: the byte at ``offset`` highlighted when ``mark``, else the same hit; no picture."""
    offset = max(0, offset)
    highlight = (offset, 1) if mark else request.highlight
    return replace(request, offset=offset // 16 * 16, highlight=highlight, want_image=False)


def load(reader: EvidenceReader, request: ContentRequest) -> ContentResult:
    """Read what ``request`` asks for (never raises for bad evidence)."""
    try:
        if request.path is None:
            data = reader.read_media(request.evidence_path, request.offset, WINDOW)
            return ContentResult(data, request.offset, request.highlight, size=request.size)
        data = reader.read_file(request.evidence_path, request.volume_idx, request.path,
                                request.offset, WINDOW, request.inode)
        image = None
        if request.want_image:
            image = reader.read_file(request.evidence_path, request.volume_idx, request.path, 0,
                                     MAX_IMAGE, request.inode)
        return ContentResult(data, request.offset, request.highlight, image, size=request.size)
    except ContentError as exc:
        return ContentResult(message=str(exc))


class ContentLoader(QObject):
    """Serve :class:`ContentRequest` objects on a background thread."""

    loaded = Signal(int, object)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._queue: queue.Queue[tuple[int, ContentRequest] | None] = queue.Queue()
        self._latest = 0
        self._thread = threading.Thread(target=self._serve, name="content-loader", daemon=True)
        self._thread.start()

    def request(self, request: ContentRequest) -> int:
        """Queue a request; return its id (``loaded`` carries it back)."""
        self._latest += 1
        self._queue.put((self._latest, request))
        return self._latest

    def _serve(self) -> None:
        reader = EvidenceReader()
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                request_id, request = item
                if request_id != self._latest:
                    continue
                result = load(reader, request)
                try:
                    self.loaded.emit(request_id, result)
                except RuntimeError:
                    return  # the loader was deleted with its window
        finally:
            reader.close()

    def stop(self) -> None:
        """Stop the background thread (waits briefly for a read in progress)."""
        self._queue.put(None)
        self._thread.join(timeout=2)
