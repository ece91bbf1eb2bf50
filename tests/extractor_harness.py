"""Run an extractor over a local folder the way the engine runs it over a file system.

Extractor tests use this so they exercise the same declarations (wants_by_name,
wants_by_content, wants_directory, SCANS_TEXT) and the same context calls the engine
makes, without building a disk image for every case.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import magic

from triage.extractors.interface import Extractor, FileView, Finding

_MAGIC = magic.Magic(mime=True)


def _view(root: Path, full: Path) -> FileView:
    st = full.lstat()
    rel = "/" + full.relative_to(root).as_posix() if full != root else "/"
    kind = "link" if full.is_symlink() else "dir" if full.is_dir() else "file"
    return FileView(
        path=rel,
        name=full.name,
        size=st.st_size if kind == "file" else 0,
        kind=kind,
        mtime=st.st_mtime,
        atime=st.st_atime,
        ctime=st.st_ctime,
    )


@dataclass
class LocalFolderContext:
    """An ExtractionContext over a local folder (read-only)."""

    root: Path
    warnings: list[tuple[str, str | None]] = field(default_factory=list)

    def _full(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def warn(self, message: str, path: str | None = None) -> None:
        self.warnings.append((message, path))

    def listdir(self, path: str) -> list[FileView]:
        full = self._full(path)
        try:
            return [_view(self.root, full / name) for name in sorted(os.listdir(full))]
        except OSError:
            return []

    def read(self, path: str, max_bytes: int = 64 * 1024 * 1024) -> bytes | None:
        try:
            with open(self._full(path), "rb") as handle:
                return handle.read(max_bytes)
        except OSError:
            return None

    def stat(self, path: str) -> FileView | None:
        full = self._full(path)
        return _view(self.root, full) if full.exists() or full.is_symlink() else None

    def cancelled(self) -> bool:
        return False


@dataclass
class HarnessResult:
    """Findings with the path of the file or folder they came from."""

    findings: list[tuple[str, Finding]]
    warnings: list[tuple[str, str | None]]

    def of_type(self, artefact_type: str) -> list[Finding]:
        return [f for _, f in self.findings if f.type == artefact_type]


def iter_entries(root: Path) -> Iterator[FileView]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(dirpath)
        for name in dirnames + sorted(filenames):
            yield _view(root, base / name)


def run_extractor(extractor: Extractor, root: str | os.PathLike) -> HarnessResult:
    """Run one extractor over every entry below ``root`` as the engine would."""
    from triage.engine.text import is_text_like

    root = Path(root)
    ctx = LocalFolderContext(root)
    out: list[tuple[str, Finding]] = []
    for entry in iter_entries(root):
        if entry.kind == "dir":
            if extractor.wants_directory(entry):
                out.extend((f.path or entry.path, f) for f in extractor.extract_directory(entry, ctx))
            continue
        if entry.kind != "file":
            continue
        data = ctx.read(entry.path) or b""
        mime = _MAGIC.from_buffer(data[:65536]) if data else "application/x-empty"
        entry = FileView(**{**entry.__dict__, "mime": mime})
        if extractor.wants_by_name(entry) or extractor.wants_by_content(entry, data[:65536], mime):
            out.extend((f.path or entry.path, f) for f in extractor.extract(entry, data, ctx))
        if extractor.SCANS_TEXT and is_text_like(mime, data[:4096]):
            out.extend((entry.path, f) for f in extractor.scan_bytes(data))
    return HarnessResult(out, ctx.warnings)
