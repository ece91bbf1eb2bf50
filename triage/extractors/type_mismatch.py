"""The ``file.extension_mismatch`` extractor: files whose content contradicts their extension.

The decision is made in :meth:`TypeMismatchExtractor.wants_by_content` from the MIME type
the engine already computed for the first block, so the check costs nothing for files
that are what they claim to be. The finding carries libmagic's description as well.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from triage.engine.filetype import (
    HEAD_SIZE,
    FileTyper,
    extension_mismatch,
    family_of_extension,
    family_of_mime,
)
from triage.extractors.interface import (
    ArtefactType,
    AttributeSpec,
    ExtractionContext,
    Extractor,
    FileView,
    Finding,
)

EXTENSION_MISMATCH = ArtefactType(
    name="file.extension_mismatch",
    label="Extension mismatch",
    category="Type mismatches",
    attributes=(
        AttributeSpec("extension", "text", "Extension"),
        AttributeSpec("detected_mime", "text", "Detected MIME type"),
        AttributeSpec("detected_description", "text", "Detected type"),
        AttributeSpec("expected_family", "text", "Extension suggests"),
        AttributeSpec("detected_family", "text", "Content is"),
    ),
    columns=("extension", "detected_family", "detected_description"),
)


class TypeMismatchExtractor(Extractor):
    """Flags files whose libmagic type belongs to another family than their extension."""

    NAME = "type_mismatch"
    VERSION = "1.0"
    DESCRIPTION = (
        "Files whose content (libmagic) contradicts their extension: an image, archive, "
        "database, executable, document or media file under another family's extension."
    )
    ARTEFACT_TYPES = (EXTENSION_MISMATCH,)

    def __init__(self, options: dict | None = None) -> None:
        super().__init__(options)
        # libmagic handles are not shareable across threads; keep one per worker thread.
        self._local = threading.local()

    def _typer(self) -> FileTyper:
        typer = getattr(self._local, "typer", None)
        if typer is None:
            typer = FileTyper(self.options.get("magic_file"))
            self._local.typer = typer
        return typer

    def wants_by_content(self, entry: FileView, head: bytes, mime: str | None) -> bool:
        """Want the file when the engine's MIME type contradicts the extension."""
        if entry.kind != "file" or not head or not mime:
            return False
        return extension_mismatch(entry.extension, mime)

    def extract(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterable[Finding]:
        """Yield one mismatch finding, with libmagic's description of the content.

        The engine's typing is used as it is; only a file typed without libmagic (the quick
        profile's signatures) is typed here, for its description.
        """
        if entry.mime and entry.mime_description:
            mime, description = entry.mime, entry.mime_description
        else:
            mime, description = self._typer().type_bytes(data[:HEAD_SIZE])
        if not extension_mismatch(entry.extension, mime):
            # The engine's type decided; keep it when our re-typing disagrees.
            if not entry.mime or not extension_mismatch(entry.extension, entry.mime):
                return
            mime = entry.mime
        yield Finding(
            EXTENSION_MISMATCH.name,
            {
                "extension": entry.extension,
                "detected_mime": mime,
                "detected_description": description,
                "expected_family": family_of_extension(entry.extension),
                "detected_family": family_of_mime(mime),
            },
        )
