"""Shared paths for the Tor extractor tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "tests" / "data" / "tor"
CORPUS = REPO / ".." / "shared" / "corpus"
TOR_BROWSER = CORPUS / "torbrowser-win-2019"
HS_TUTORIAL = CORPUS / "tor-hidden-service-tutorial" / "tor" / "hidden_service"
TOR_SOURCE = CORPUS / "tor"


def corpus_path(path: Path) -> Path:
    """Return ``path`` or skip the test when the shared corpus is not there."""
    if not path.exists():
        pytest.skip(f"{path.name}: shared corpus absent")
    return path


@pytest.fixture(scope="session")
def expected() -> dict:
    """Values the independent tools produced when the samples were made."""
    return json.loads((DATA / "expected.json").read_text())
