"""The split libmagic database gives exactly the answers of the whole one."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import magic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.engine import magic_split
from triage.engine.magic_split import (
    ALL_BYTES,
    ENTRY_SIZE,
    SearchGuard,
    SplitDatabase,
    SplitMagic,
    UnsupportedDatabase,
    compiled_database_path,
    first_byte_mask,
    open_magic,
    search_guard,
    split_database,
)

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"

_WHOLE = {False: magic.Magic(), True: magic.Magic(mime=True)}
_SPLIT = {False: open_magic(False, split_after=0), True: open_magic(True, split_after=0)}


def _system_database() -> SplitDatabase:
    path = compiled_database_path(None)
    database = split_database(path) if path else None
    if database is None:
        pytest.skip("the system libmagic database is not in a format the split reads")
    return database


def _assert_same(buffers: list[bytes]) -> None:
    _system_database()
    differences = []
    for buffer in buffers:
        for mime in (False, True):
            whole = _WHOLE[mime].from_buffer(buffer)
            split = _SPLIT[mime].from_buffer(buffer)
            if whole != split:
                differences.append((buffer[:16], mime, whole, split))
    assert differences == []


def _files(root: Path, limit: int) -> list[bytes]:
    buffers = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            head = path.read_bytes()[:16384]
            if head:
                buffers.append(head)
        if len(buffers) >= limit:
            break
    return buffers


def test_every_first_byte_of_random_content() -> None:
    rng = random.Random(11)
    buffers = [
        bytes([first]) + rng.randbytes(size)
        for first in range(256)
        for size in (0, 3, 63, 700, 16383)
    ]
    _assert_same(buffers)


def test_the_test_data_files() -> None:
    _assert_same(_files(DATA, 2000))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_the_shared_corpus() -> None:
    _assert_same(_files(CORPUS, 4000))


def test_text_in_converted_encodings() -> None:
    # libmagic runs its text tests over text converted to UTF-8, whose first byte is not
    # the content's: those tests must stay in every part.
    texts = [
        "<!DOCTYPE svg PUBLIC><svg></svg>",
        "<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>",
        "#!/bin/sh\necho hello\n",
        "From someone@example.org Mon Jan  1 00:00:00 2024\nSubject: hi\n\nbody\n",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n",
        "<html><head><title>x</title></head></html>",
        "(This file must be converted with BinHex 4.0)\n:",
        "import os\nprint(os.getcwd())\n",
        "{\"a\": [1, 2, 3]}",
        "\\documentclass{article}\n\\begin{document}x\\end{document}\n",
    ]
    buffers = []
    for text in texts:
        for encoding in ("ascii", "utf-8-sig", "utf-16", "utf-16-be", "utf-32", "cp500", "latin-1"):
            buffers.append(text.encode(encoding))
        buffers.append(("\u00e9t\u00e9 " + text).encode("latin-1"))
    _assert_same(buffers)


def test_formats_whose_tests_use_indirect() -> None:
    # JPEG descriptions include the embedded TIFF (an indirect test): the parts print a
    # marker there and the whole database answers.
    photos = sorted((DATA / "metadata").rglob("*.jp*g"))
    if not photos:
        pytest.skip("no JPEG under tests/data/metadata")
    _assert_same([p.read_bytes()[:16384] for p in photos])
    description = _SPLIT[False].from_buffer(photos[0].read_bytes()[:16384])
    assert magic_split.FALLBACK_DESCRIPTION.decode() not in description


@settings(max_examples=300, deadline=None)
@given(
    st.binary(min_size=1, max_size=600),
    st.sampled_from([b"", b"PK\x03\x04", b"\x7fELF", b"MZ", b"%PDF-1.4", b"<!doctype svg ",
                     b"\x1f\x8b\x08", b"SQLite format 3\x00", b"\xff\xd8\xff\xe0", b"GIF89a"]),
)
def test_random_content_with_signatures(tail: bytes, signature: bytes) -> None:
    _assert_same([signature + tail, tail + signature])


def _entry(kind: int, value: bytes, *, reln: str = "=", flag: int = 0x20, offset: int = 0,
           mask: int = 0, string_flags: int = 0, search_range: int = 0) -> bytes:
    entry = bytearray(ENTRY_SIZE)
    struct.pack_into("<HBBBBBB", entry, 0, 0, flag, 0, ord(reln), len(value), kind, 0)
    struct.pack_into("<i", entry, 12, offset)
    if kind in (5, 20):
        struct.pack_into("<II", entry, 24, search_range, string_flags)
    else:
        struct.pack_into("<Q", entry, 24, mask)
    entry[32 : 32 + len(value)] = value
    return bytes(entry)


def test_first_byte_of_numbers_follows_their_byte_order() -> None:
    big = _entry(8, struct.pack("<Q", 0x89504E47))  # belong 0x89504e47
    little = _entry(11, struct.pack("<Q", 0x04034B50))  # lelong
    assert first_byte_mask(big) == 1 << 0x89
    assert first_byte_mask(little) == 1 << 0x50
    masked = _entry(8, struct.pack("<Q", 0xF0D8FF00), mask=0xF0FFFF00)  # belong&0xf0ffff00
    assert first_byte_mask(masked) == sum(1 << b for b in range(0xF0, 0x100))


def test_first_byte_of_strings_and_what_it_cannot_tell() -> None:
    assert first_byte_mask(_entry(5, b"GIF8")) == 1 << ord("G")
    assert first_byte_mask(_entry(5, b"gif8", string_flags=1 << 2)) == (1 << ord("g")) | (1 << ord("G"))
    assert first_byte_mask(_entry(5, b"id3", string_flags=1 << 2)) == ALL_BYTES  # Turkish i
    assert first_byte_mask(_entry(5, b" x", string_flags=1)) == ALL_BYTES
    assert first_byte_mask(_entry(5, b"GIF8", flag=0x40)) == ALL_BYTES  # a text test
    assert first_byte_mask(_entry(5, b"GIF8", offset=4)) == ALL_BYTES
    assert first_byte_mask(_entry(5, b"GIF8", reln="!")) == ALL_BYTES
    assert first_byte_mask(_entry(20, b"GIF8")) == ALL_BYTES  # a search


def test_search_guards() -> None:
    guard = search_guard(_entry(20, b"<!doctype svg", string_flags=(1 << 0) | (1 << 2),
                                search_range=4096))
    assert guard == SearchGuard(b"<!doctype", folded=True, window=4096 - 1 + 9)
    assert guard.may_match(b"xx <!DOCTYPE  SVG")
    assert not guard.may_match(b"<!DOCTYP")
    plain = search_guard(_entry(20, b"(This file ", search_range=2000))
    assert plain is not None and plain.window == 2000 - 1 + 11
    assert plain.may_match(b"." * 1999 + b"(This file ")
    assert not plain.may_match(b"." * 2000 + b"(This file ")
    assert search_guard(_entry(20, b"(This file ", search_range=100)) is None  # short range
    assert search_guard(_entry(20, b"ids", string_flags=1 << 2, search_range=0)) is None


def test_unreadable_databases_fall_back_to_the_whole_one(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedDatabase):
        SplitDatabase(b"\0" * ENTRY_SIZE * 2)
    header = struct.pack("<IIII", magic_split.MAGIC_NUMBER, 17, 0, 0).ljust(ENTRY_SIZE, b"\0")
    with pytest.raises(UnsupportedDatabase):
        SplitDatabase(header)
    odd = tmp_path / "odd.mgc"
    odd.write_bytes(header)
    typer = SplitMagic(str(odd), _WHOLE[False], split_after=0)
    assert typer.from_buffer(b"GIF89a\x01\x00") == _WHOLE[False].from_buffer(b"GIF89a\x01\x00")
    assert typer.split is False


def test_the_first_calls_use_the_whole_database() -> None:
    _system_database()
    typer = open_magic(False, split_after=2)
    assert isinstance(typer, SplitMagic)
    for _ in range(2):
        typer.from_buffer(b"\x89PNG\r\n\x1a\n")
    assert typer._resolved is False  # noqa: SLF001
    assert typer.from_buffer(b"GIF89a\x01\x00") == _WHOLE[False].from_buffer(b"GIF89a\x01\x00")
    assert typer.split is True


def test_which_database_libmagic_would_load(tmp_path: Path) -> None:
    compiled = tmp_path / "magic.mgc"
    compiled.write_bytes(b"")
    comments = tmp_path / "local"
    comments.write_text("# local additions\n\n")
    tests = tmp_path / "more"
    tests.write_text("0 string XYZ my format\n")
    base = str(tmp_path / "magic")
    assert compiled_database_path(str(compiled)) == str(compiled)
    assert compiled_database_path(f"{comments}:{base}") == str(compiled)
    assert compiled_database_path(f"{tests}:{base}") is None
    assert compiled_database_path(f"{tmp_path}:{base}") is None  # a directory of sources
    assert compiled_database_path(f"{compiled}:{compiled}") is None  # two databases


def test_threads_share_the_parts_safely() -> None:
    # One typer per thread (as with magic.Magic); the parts they load are shared.
    from concurrent.futures import ThreadPoolExecutor

    database = _system_database()
    database._parts.clear()  # noqa: SLF001 (every thread builds parts at the same time)
    rng = random.Random(5)
    buffers = [rng.randbytes(2048) for _ in range(400)]
    expected = [_WHOLE[False].from_buffer(b) for b in buffers]

    def type_all(_: int) -> list[str]:
        typer = open_magic(False, split_after=0)
        return [typer.from_buffer(b) for b in buffers]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(type_all, range(4)))
    assert all(result == expected for result in results)
