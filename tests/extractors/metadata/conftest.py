"""Shared fixtures of the metadata tests: sample folder, corpus folder, exiftool oracle."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / "tests" / "data" / "metadata"
CORPUS = REPO / ".." / "shared" / "corpus" / "exif-samples"


def exiftool_json(paths: list[Path], *tags: str) -> dict[str, dict]:
    """Run ``exiftool -n -j`` on ``paths`` and return its records by resolved path."""
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool not installed")
    args = ["exiftool", "-n", "-j", *(f"-{tag}" for tag in tags), *map(str, paths)]
    out = subprocess.run(args, capture_output=True, check=False, timeout=120).stdout
    return {str(Path(r["SourceFile"]).resolve()): r for r in json.loads(out or b"[]")}


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The exif-samples corpus folder (tests skip when it is absent)."""
    if not CORPUS.is_dir():
        pytest.skip("exif-samples corpus absent")
    return CORPUS.resolve()
