"""The one exception the reports package raises."""

from __future__ import annotations


class ExportError(Exception):
    """An export cannot be written; ``str(error)`` is one line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))
