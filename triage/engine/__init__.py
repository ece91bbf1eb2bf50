"""The Qt-free ingest engine: walks evidence, dispatches extractors, writes the case."""

from triage.engine.ingest import IngestEngine
from triage.engine.options import IngestOptions, Progress, RunSummary

__all__ = ["IngestEngine", "IngestOptions", "Progress", "RunSummary"]
