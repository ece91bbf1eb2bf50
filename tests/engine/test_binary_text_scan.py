"""Text detectors over content that is not text: SQLite databases (full profile) and any
file whose first block holds a detector's marker (an armored key pasted anywhere)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from tests.engine.test_file_processor import _BytesEntry
from triage.engine.context import FileSystemContext
from triage.engine.file_processor import FileProcessor
from triage.engine.options import IngestOptions
from triage.engine.volume_walk import build_extractors

CAROL = Path(__file__).resolve().parents[1] / "data" / "pgp" / "carol.asc"
ONION = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"
ADDRESS = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"


def _types(entry: _BytesEntry, profile: str) -> set[str]:
    options = IngestOptions(profile=profile)
    processor = FileProcessor(build_extractors(options), options)
    result = processor.process(entry, FileSystemContext(None, lambda m, p=None: None))
    return {finding.type for _, finding in result.findings}


def _history(tmp_path: Path) -> bytes:
    path = tmp_path / "History"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT)")
    conn.execute("INSERT INTO urls (url, title) VALUES (?, ?)",
                 (f"http://{ONION}/market", f"pay {ADDRESS} today"))
    conn.commit()
    conn.close()
    return path.read_bytes()


def test_a_browser_history_database_is_scanned_in_full(tmp_path: Path) -> None:
    found = _types(_BytesEntry("History", _history(tmp_path)), "full")
    assert {"tor.onion_address", "crypto.address"} <= found


def test_quick_searches_application_databases_up_to_its_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick-versus-full audit: a browser history's addresses and onions were found
    by full alone. Quick searches databases up to QUICK_SQLITE_LIMIT, no further."""
    from triage.engine import file_processor

    data = _history(tmp_path)
    assert _types(_BytesEntry("History", data), "quick") == _types(
        _BytesEntry("History", data), "full")
    monkeypatch.setattr(file_processor, "QUICK_SQLITE_LIMIT", len(data) - 1)
    entry = _BytesEntry("History", data)
    assert _types(entry, "quick") == set()
    assert max(offset + size for offset, size in entry.reads) <= 64 * 1024


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_an_armored_key_after_binary_bytes_is_found(profile: str) -> None:
    rng = random.Random(5)
    data = rng.randbytes(3000) + b"\x00\x01" + CAROL.read_bytes() + rng.randbytes(3000)
    assert "pgp.key" in _types(_BytesEntry("junk.dat", data), profile)
    no_marker = rng.randbytes(3000) + b"\x00" + CAROL.read_bytes().replace(b"BEGIN PGP", b"BEGIN XYZ")
    assert _types(_BytesEntry("junk.dat", no_marker), profile) == set()


def test_older_libmagic_names_for_sqlite_are_scanned_too() -> None:
    """Self-audit: libmagic before 5.4x calls SQLite application/x-sqlite3."""
    for profile in ("quick", "full"):
        options = IngestOptions(profile=profile)
        processor = FileProcessor(build_extractors(options), options)
        for mime in ("application/vnd.sqlite3", "application/x-sqlite3"):
            assert processor._binary_scanners(
                mime, b"SQLite format 3\x00", 4096) == processor.text_scanners


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_markers_are_looked_for_in_the_first_4_kib_whatever_the_profile(profile: str) -> None:
    """Both profiles decide from the same bytes (the full profile searched its 64 KiB
    head, 15 us a binary file)."""
    rng = random.Random(6)
    late = rng.randbytes(5000) + b"\x00" + CAROL.read_bytes()
    assert _types(_BytesEntry("late.dat", late), profile) == set()
