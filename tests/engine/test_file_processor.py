"""FileProcessor: what the quick profile reads of a photo, checked by counting reads."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.engine.context import FileSystemContext
from triage.engine.file_processor import QUICK_HEAD_SIZE, FileProcessor
from triage.engine.options import IngestOptions
from triage.evidence.filesystem import FileEntry
from triage.extractors.metadata import MetadataExtractor

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "metadata" / "photos"


class _BytesEntry(FileEntry):
    """A file entry over bytes that records every read."""

    __slots__ = ("data", "reads")

    def __init__(self, name: str, data: bytes) -> None:
        super().__init__(path=f"/{name}", name=name, inode="5", size=len(data), kind="file")
        self.data = data
        self.reads: list[tuple[int, int]] = []

    def read(self, offset: int, size: int) -> bytes:
        self.reads.append((offset, size))
        return self.data[offset : offset + size]


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _with_comment_first(jpeg: bytes, size: int) -> bytes:
    """The JPEG with a comment segment of ``size`` bytes before everything else."""
    return jpeg[:2] + _segment(0xFE, b"c" * size) + jpeg[2:]


def _padded(jpeg: bytes, size: int) -> bytes:
    """The JPEG grown to about ``size`` bytes by comment segments before its end."""
    filler = b"".join(_segment(0xFE, b"p" * 60000) for _ in range(size // 60000))
    return jpeg[:-2] + filler + jpeg[-2:]


def _jpeg_without_gps() -> bytes:
    # TIFF header and an IFD0 with one tag (Make), no GPS pointer.
    ifd = struct.pack("<H", 1) + struct.pack("<HHI4s", 0x010F, 2, 4, b"Abc\x00") + b"\x00" * 4
    exif = b"Exif\x00\x00" + b"II*\x00" + struct.pack("<I", 8) + ifd
    return b"\xff\xd8" + _segment(0xE1, exif) + _segment(0xDA, b"\x00" * 10) + b"\xff\xd9"


def _process(entry: _BytesEntry, profile: str = "quick") -> tuple[dict, list]:
    options = IngestOptions(profile=profile)
    processor = FileProcessor([MetadataExtractor({"profile": profile})], options)
    warnings: list[str] = []
    result = processor.process(entry, FileSystemContext(None, lambda m, p=None: warnings.append(m)))
    assert warnings == []
    return result.row, [finding for _, finding in result.findings]


def test_quick_reads_only_the_head_of_a_photo_without_gps():
    entry = _BytesEntry("holiday.jpg", _padded(_jpeg_without_gps(), 300_000))
    row, findings = _process(entry)
    assert sum(size for _, size in entry.reads) <= QUICK_HEAD_SIZE
    assert (row["mime"], row["extension_mismatch"], row.get("md5")) == ("image/jpeg", 0, None)
    assert findings == []


@pytest.mark.parametrize("comment", [0, 10_000], ids=["exif-in-head", "exif-after-4k"])
def test_quick_reads_a_photo_with_gps_to_the_end_of_its_header(comment):
    """What is parsed of a photo sits before its image data: quick reads that header
    (up to the start of scan) and no further, so it neither reads nor hashes the image."""
    from triage.extractors.metadata.jpeg_frame import jpeg_header_length

    data = _padded(_with_comment_first((PHOTOS / "IMG_0001.jpg").read_bytes(), comment), 300_000)
    entry = _BytesEntry("IMG_0001.jpg", data)
    row, findings = _process(entry)
    header = jpeg_header_length(data)
    assert header is not None and header < 65536
    assert max(offset + size for offset, size in entry.reads) <= 65536
    assert row.get("md5") is None and row.get("sha256") is None
    assert [f.type for f in findings] == ["media.exif"]
    whole, full_findings = _process(_BytesEntry("IMG_0001.jpg", data), profile="full")
    assert findings[0].attributes == full_findings[0].attributes
    assert whole["md5"] == hashlib.md5(data).hexdigest()


def test_quick_reads_and_hashes_a_photo_whose_header_runs_past_the_head():
    """A header longer than the 64 KiB head (a large ICC profile, say) is read whole."""
    photo = (PHOTOS / "IMG_0001.jpg").read_bytes()
    # The EXIF segment first (GPS seen in the head), then 70 KB of comments before the scan.
    first = 2 + 2 + int.from_bytes(photo[4:6], "big")
    assert photo[2:4] == b"\xff\xe1"
    data = photo[:first] + _segment(0xFE, b"c" * 35_000) * 2 + photo[first:]
    entry = _BytesEntry("IMG_0001.jpg", data)
    row, findings = _process(entry)
    assert row["md5"] == hashlib.md5(data).hexdigest()
    assert [f.type for f in findings] == ["media.exif"]
    assert "gps_latitude" in findings[0].attributes


def test_quick_finds_a_position_written_only_in_xmp():
    """An edited or exported photo often keeps its position only in XMP: quick reads its
    header and reports it, with the attributes full gives."""
    data = _padded((PHOTOS / "IMG_0005_xmp.jpg").read_bytes(), 300_000)
    entry = _BytesEntry("IMG_0005_xmp.jpg", data)
    row, findings = _process(entry)
    assert max(offset + size for offset, size in entry.reads) <= 65536
    assert [f.type for f in findings] == ["media.exif"]
    _, full_findings = _process(_BytesEntry("IMG_0005_xmp.jpg", data), profile="full")
    assert findings[0].attributes == full_findings[0].attributes
    assert findings[0].attributes["gps_latitude"] == pytest.approx(41.0082)


def test_full_reads_every_photo_whole():
    data = _padded(_jpeg_without_gps(), 300_000)
    row, _ = _process(_BytesEntry("holiday.jpg", data), profile="full")
    assert row["md5"] == hashlib.md5(data).hexdigest()


# -- the engine's shortcuts decide as the extractors' own methods would ---------------------
def _all_extractors(profile: str = "full") -> list:
    from triage.engine.volume_walk import build_extractors

    return build_extractors(IngestOptions(profile=profile))


def _declared_paths(extractors: list) -> list[str]:
    paths = ["/Users/bob/notes.txt", "/Windows/Prefetch/TOR.EXE-1A2B3C4D.pf",
             "/Windows/Prefetch/NOTEPAD.EXE-0000.pf", "/a/TORRC", "/a/Wallet.DAT", "/"]
    for extractor in extractors:
        paths += [f"/home/u/{name}" for name in extractor.FILENAMES]
        paths += [f"/home/u/file.{extension.upper()}" for extension in extractor.EXTENSIONS]
        paths += [glob.replace("*", "/x/") for glob in extractor.PATH_GLOBS]
        paths += [glob.replace("*", "/x/") + "/y" for glob in extractor.PATH_GLOBS]
    return paths


def _view(path: str):
    from triage.extractors.interface import FileView

    return FileView(path=path, name=path.rsplit("/", 1)[-1], size=10)


def test_name_shortcut_agrees_with_every_extractor_asked():
    extractors = _all_extractors()
    processor = FileProcessor(extractors, IngestOptions(profile="full"))
    for path in _declared_paths(extractors):
        view = _view(path)
        expected = [x for x in extractors if x.wants_by_name(view)]
        assert processor._wanted_by_name(view) == expected, path


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "Tor Browser", "gnupg", "keystore", ".electrum", "wallets",
                                  "private-keys-v1.d", "torrc.d", "x.pf", "UTC--2020", "state"]),
                max_size=5),
       st.text(alphabet="abcTOR.-_pfjsonat", max_size=12))
def test_name_shortcut_agrees_on_generated_paths(folders, name):
    extractors = _all_extractors()
    processor = FileProcessor(extractors, IngestOptions(profile="full"))
    view = _view("/" + "/".join([*folders, name or "n"]))
    assert processor._wanted_by_name(view) == [x for x in extractors if x.wants_by_name(view)]


def test_content_shortcut_agrees_with_every_extractor_asked():
    extractors = _all_extractors()
    processor = FileProcessor(extractors, IngestOptions(profile="full"))
    heads = [b"", b"hello world", b'  {"seed_version": 1}', b"SQLite format 3\x00" + b"\x00" * 100]
    for extractor in extractors:
        for offset, magic in extractor.SIGNATURES:
            heads.append(b"\x00" * offset + magic + b"\x01" * 64)
    mimes = [None, "text/plain", "application/octet-stream", "image/png"]
    for extractor in extractors:
        mimes += [m + "x" if m.endswith("/") else m for m in extractor.MIME_TYPES]
    for path in ("/a/wallet.dat", "/a/photo.jpg", "/a/x.bin"):
        for head in heads:
            for mime in mimes:
                view = _view(path)
                typed = view.typed(mime, None)
                expected = [x for x in extractors if x.wants_by_content(typed, head, mime)]
                assert processor._wanted_by_content(view, head, mime) == expected, (path, head[:20], mime)


_SIGNATURE_SETS = [x.SIGNATURES for x in _all_extractors() if x.SIGNATURES]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_SIGNATURE_SETS), st.data())
def test_signature_table_matches_as_slicing_each_signature_would(signatures, data):
    from triage.engine.file_processor import _SignatureTable

    head = bytearray(data.draw(st.binary(max_size=48)))
    for offset, magic in data.draw(st.lists(st.sampled_from(signatures), max_size=2)):
        head[offset : offset + len(magic)] = magic
    head = bytes(head[: data.draw(st.integers(0, len(head)))])
    expected = any(head[offset : offset + len(magic)] == magic for offset, magic in signatures)
    assert _SignatureTable(signatures).matches(head) == expected


# -- alternate data streams in the quick profile --------------------------------------------
ONION = "2h4bbc2cgtue6v4eb7ukxorri4y46xlcwvcnf6sj733egxofubqqkuyd.onion"


class _StreamEntry(_BytesEntry):
    """An alternate data stream ``stream`` of the file ``name``."""

    def __init__(self, name: str, stream: str, data: bytes) -> None:
        super().__init__(f"{name}:{stream}", data)
        self.stream = stream


@pytest.mark.parametrize(("name", "stream"), [
    ("shopping list.txt", "hidden"), ("report_07.docx", "keys"), ("setup.exe", "Zone.Identifier"),
    ("budget.xlsx", "pay.txt"), ("notes", "seed"),
])
def test_quick_reads_small_streams_whatever_their_names(name: str, stream: str) -> None:
    """A stream of a file with an extension was judged by the file's extension
    ('txt:hidden', 'docx:keys') and never read by the quick profile."""
    from triage.extractors.tor import TorExtractor

    data = f"[ZoneTransfer]\r\nHostUrl=http://{ONION}/files/tool.zip\r\n".encode()
    entry = _StreamEntry(name, stream, data)
    processor = FileProcessor([TorExtractor({"profile": "quick"})], IngestOptions(profile="quick"))
    result = processor.process(entry, FileSystemContext(None, lambda m, p=None: None))
    assert [f.attributes["address"] for _, f in result.findings] == [ONION]


def test_a_streams_extension_is_its_own() -> None:
    from triage.extractors.interface import FileView

    assert FileView("/a.txt:hidden", "a.txt:hidden", 1, stream="hidden").extension == ""
    assert FileView("/b.xlsx:pay.txt", "b.xlsx:pay.txt", 1, stream="pay.txt").extension == "txt"
    assert FileView("/c.TXT", "c.TXT", 1).extension == "txt"


# -- text under any name in the quick profile ------------------------------------------------
_SEED = ("abandon " * 11 + "about").encode()  # BIP-39's first test vector
_PAD = b"ordinary words of a note that says nothing in particular.\n"


def _findings_in_both_profiles(name: str, data: bytes) -> dict[str, list]:
    """Per profile, the crypto and Tor findings of one file: sorted (type, attributes)."""
    from triage.extractors.crypto import CryptoExtractor
    from triage.extractors.tor import TorExtractor

    found = {}
    for profile in ("quick", "full"):
        extractors = [CryptoExtractor({"profile": profile}), TorExtractor({"profile": profile})]
        processor = FileProcessor(extractors, IngestOptions(profile=profile))
        result = processor.process(_BytesEntry(name, data),
                                   FileSystemContext(None, lambda m, p=None: None))
        found[profile] = sorted((f.type, sorted(f.attributes.items())) for _, f in result.findings)
    return found


@pytest.mark.parametrize(("name", "data"), [
    ("recovery.dat", _SEED),
    ("seed.txt~", _PAD * 3 + _SEED),
    ("wallet_words.2023", _SEED),
    ("debug.log.1", _PAD + f"tor at http://{ONION}/\n".encode()),
    ("utf16_bom.dat", b"\xff\xfe" + ("note: " + "abandon " * 11 + "about").encode("utf-16-le")),
    ("utf16_nobom.txt", ("my words: " + "abandon " * 11 + "about").encode("utf-16-le")),
    ("big_note", _PAD * 30_000 + _SEED),  # 1.7 MB with no extension: past the 1 MiB rule
    ("notices.log", _PAD * 160_000 + _SEED),  # 9.3 MB: past the 8 MiB rule
])
def test_quick_scans_text_whatever_its_name_and_size(name: str, data: bytes) -> None:
    """The quick-versus-full audit's finding: quick read text only under a text extension
    (or none, up to 1 MiB) and up to 8 MiB, so seeds and onions in recovery.dat, seed.txt~
    or a large log were found by full alone. Full and quick must find the same."""
    found = _findings_in_both_profiles(name, data)
    assert found["quick"] == found["full"]
    assert found["quick"], "the sample holds an artefact"


def test_quick_still_leaves_binary_content_nobody_wants() -> None:
    from triage.extractors.crypto import CryptoExtractor

    entry = _BytesEntry("cache.dat", bytes(range(256)) * 400)
    processor = FileProcessor([CryptoExtractor({"profile": "quick"})], IngestOptions(profile="quick"))
    result = processor.process(entry, FileSystemContext(None, lambda m, p=None: None))
    assert sum(size for _, size in entry.reads) <= QUICK_HEAD_SIZE
    assert result.row.get("md5") is None


def _history_database(tmp_path: Path, rows: int = 3) -> bytes:
    """A browser-history-like SQLite database with an address and an onion in its URLs."""
    import sqlite3

    path = tmp_path / "History"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT)")
        db.executemany("INSERT INTO urls (url, title) VALUES (?, ?)", [
            ("https://www.blockchain.com/explorer/addresses/btc/"
             "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "Address"),
            (f"http://{ONION}/shop", "shop"),
            *((f"https://example.org/page/{n}", f"page {n}") for n in range(rows)),
        ])
    db.close()
    return path.read_bytes()


@pytest.mark.parametrize("name", ["History", "places.sqlite", "old.bak"])
def test_quick_searches_sqlite_databases_as_full_does(tmp_path: Path, name: str) -> None:
    """The quick-versus-full audit's finding: a Chrome history's visited addresses and
    onions (and a descriptor wallet's xpub) were found by full alone."""
    found = _findings_in_both_profiles(name, _history_database(tmp_path))
    assert found["quick"] == found["full"]
    addresses = [(kind, dict(attributes).get("address")) for kind, attributes in found["quick"]]
    assert ("crypto.address", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2") in addresses
    assert ("tor.onion_address", ONION) in addresses
