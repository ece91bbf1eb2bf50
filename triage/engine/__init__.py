"""The Qt-free ingest engine: walks evidence, dispatches extractors, writes the case.

The public names are loaded on first use, so extractors can import small helpers such
as :mod:`triage.engine.text` without pulling in the whole engine (and the registry that
imports them).
"""

from __future__ import annotations

from typing import Any

__all__ = ["IngestEngine", "IngestOptions", "Progress", "RunSummary"]


def __getattr__(name: str) -> Any:
    if name == "IngestEngine":
        from triage.engine.ingest import IngestEngine

        return IngestEngine
    if name in ("IngestOptions", "Progress", "RunSummary"):
        from triage.engine import options

        return getattr(options, name)
    raise AttributeError(f"module 'triage.engine' has no attribute {name!r}")
