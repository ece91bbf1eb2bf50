"""Locations of the crypto test data (copied vectors, self-made tree, GPL corpus in place)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "tests" / "data" / "crypto"
VECTORS = DATA / "vectors"
TREE = DATA / "tree"
CORPUS = REPO / ".." / "shared" / "corpus"
BTCRECOVER = CORPUS / "btcrecover" / "btcrecover" / "test" / "test-wallets"


def btcrecover_wallet(name: str) -> Path:
    """Path of one of btcrecover's GPL test wallets (read in place, never copied)."""
    path = BTCRECOVER / name
    if not path.exists():
        pytest.skip("btcrecover test wallets: corpus absent")
    return path
