"""Errors raised by the evidence layer (one-line messages shown to the user as they are)."""

from __future__ import annotations


class EvidenceError(Exception):
    """The evidence cannot be opened or read; ``str(error)`` is a one-line human message."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class FileSystemError(EvidenceError):
    """A volume holds no file system the parser knows, or its file system is unreadable."""


#: What pytsk3 raises: OSError from TSK itself, RuntimeError when an image read callback failed.
TSK_ERRORS: tuple[type[Exception], ...] = (OSError, RuntimeError)
