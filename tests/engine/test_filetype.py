"""FileTyper against file(1), and the extension-mismatch rules."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.engine.filetype import (
    _SIGNATURES,
    UNKNOWN_DESCRIPTION,
    UNKNOWN_MIME,
    FileTyper,
    extension_mismatch,
    family_of_mime,
    signature_mime,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "metadata"
_TYPER = FileTyper()
SAMPLE_FILES = sorted(
    p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix not in (".py", ".md")
)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_type_bytes_agrees_with_file_command(path: Path) -> None:
    if shutil.which("file") is None:
        pytest.skip("file(1) not installed")
    mime = subprocess.run(
        ["file", "-b", "--mime-type", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    description = subprocess.run(
        ["file", "-b", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert FileTyper().type_bytes(path.read_bytes()) == (mime, description)


def test_empty_and_unknown_content() -> None:
    typer = FileTyper()
    assert typer.type_bytes(b"") == ("application/x-empty", "empty")
    assert typer.type_bytes(b"\x00\x01\x02\x03" * 10) == (UNKNOWN_MIME, UNKNOWN_DESCRIPTION)


def test_libmagic_failure_gives_octet_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    typer = FileTyper()

    def broken(_buffer: bytes) -> str:
        raise RuntimeError("libmagic exploded")

    monkeypatch.setattr(typer._mime, "from_buffer", broken)  # noqa: SLF001
    assert typer.type_bytes(b"\xff\xd8\xff\xe0") == (UNKNOWN_MIME, UNKNOWN_DESCRIPTION)
    assert typer.mime(b"\xff\xd8\xff\xe0") == UNKNOWN_MIME


@pytest.mark.parametrize(
    ("extension", "mime"),
    [
        ("dll", "image/jpeg"),
        ("dll", "image/heic"),
        (".DLL", "image/jpeg"),
        ("txt", "image/png"),
        ("jpg", "application/pdf"),
        ("jpg", "application/x-dosexec"),
        ("mp3", "application/zip"),
        ("doc", "application/vnd.sqlite3"),
        ("png", "application/x-7z-compressed"),
        ("docx", "video/mp4"),
        ("sys", "application/x-ole-storage"),
        ("log", "application/x-sqlite3"),
        # A ZIP hidden under a document name that is no ZIP package (file says zip).
        ("pdf", "application/zip"),
        ("doc", "application/zip"),
        ("rtf", "application/zip"),
    ],
)
def test_mismatches_that_fire(extension: str, mime: str) -> None:
    assert extension_mismatch(extension, mime)


@pytest.mark.parametrize(
    ("extension", "mime"),
    [
        ("jpg", "image/jpeg"),
        ("jpeg", "image/jpeg; charset=binary"),
        ("exe", "application/x-dosexec"),
        ("dll", "application/x-dosexec"),
        ("jpg", "text/plain"),
        ("dll", "text/x-c"),
        ("exe", "application/json"),
        ("tmp", "image/jpeg"),
        ("dat", "application/x-dosexec"),
        ("bin", "application/zip"),
        ("docx", "application/zip"),
        ("xlsx", "application/zip"),
        ("odt", "application/zip"),
        ("zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("jar", "application/zip"),
        ("apk", "application/zip"),
        ("xpi", "application/zip"),
        ("crx", "application/x-chrome-extension"),
        ("db", "application/x-ole-storage"),
        ("msi", "application/x-ole-storage"),
        ("xls", "application/x-ole-storage"),
        ("docx", "application/x-ole-storage"),  # Office stores encrypted OOXML as OLE2
        ("epub", "application/zip"),
        ("xps", "application/zip"),
        ("db", "application/cdfv2"),  # Thumbs.db
        ("eml", "message/rfc822"),
        ("mbox", "application/mbox"),
        ("jpg", "application/x-empty"),
        ("jpg", "application/octet-stream"),
        ("", "image/jpeg"),
        ("unknownext", "image/jpeg"),
        ("svgz", "application/gzip"),
        ("ai", "application/pdf"),
        ("m4a", "video/mp4"),
        ("heic", "video/quicktime"),
        ("svg", "image/svg+xml"),
    ],
)
def test_harmless_cases_do_not_fire(extension: str, mime: str) -> None:
    assert not extension_mismatch(extension, mime)


def test_families() -> None:
    assert family_of_mime("image/jpeg") == "image"
    assert family_of_mime("application/x-sharedlib") == "executable"
    assert family_of_mime("text/plain") is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20), st.text(max_size=60))
def test_fuzz_extension_mismatch_never_raises(extension: str, mime: str) -> None:
    assert extension_mismatch(extension, mime) in (True, False)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_fuzz_type_bytes_never_raises(head: bytes) -> None:
    mime, description = _TYPER.type_bytes(head)
    assert mime and description


# -- strong signatures -----------------------------------------------------------------------
def _signature_reference(head: bytes) -> str | None:
    """Each (offset, length) group in the order first declared; the first that matches."""
    groups: dict[tuple[int, int], dict[bytes, str]] = {}
    for offset, magic_bytes, mime in _SIGNATURES:
        groups.setdefault((offset, len(magic_bytes)), {}).setdefault(magic_bytes, mime)
    for (offset, size), table in groups.items():
        if head[offset : offset + size] in table:
            return table[head[offset : offset + size]]
    return None


@st.composite
def _heads_with_signatures(draw: st.DrawFn) -> bytes:
    head = bytearray(draw(st.binary(max_size=40)))
    for offset, magic_bytes, _ in draw(st.lists(st.sampled_from(_SIGNATURES), max_size=2)):
        head[offset : offset + len(magic_bytes)] = magic_bytes
    cut = draw(st.integers(0, len(head)))
    return bytes(head[: len(head) - cut if draw(st.booleans()) else len(head)])


@settings(max_examples=500, deadline=None)
@given(_heads_with_signatures())
def test_signature_mime_is_the_first_group_that_matches(head):
    assert signature_mime(head) == _signature_reference(head)


def test_every_signature_is_recognised_whole_and_not_cut():
    for offset, magic_bytes, mime in _SIGNATURES:
        head = b"\x00" * offset + magic_bytes
        assert signature_mime(head + b"\x00" * 8) == mime
        assert signature_mime(head[:-1]) is None
