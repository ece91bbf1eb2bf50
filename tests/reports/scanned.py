"""Scan committed test images with the real engine into a case (for end-to-end export tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.casedb import CaseDatabase

IMAGES = Path(__file__).resolve().parents[1] / "data" / "images"


def scan(folder: Path, *images: str) -> Path:
    """Scan ``images`` (names under tests/data/images) into a new case; return its path."""
    engine = pytest.importorskip("triage.engine")
    paths = [IMAGES / name for name in images]
    for path in paths:
        if not path.exists():
            pytest.skip(f"{path.name}: test image absent")
    case_path = folder / "scanned.triage"
    CaseDatabase.create(case_path, name="scanned").close()
    summary = engine.IngestEngine(case_path, engine.IngestOptions()).run([str(p) for p in paths])
    assert summary.status == "completed", summary
    return case_path
