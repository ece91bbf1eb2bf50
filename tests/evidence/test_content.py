"""File content, lookups and metadata against icat/istat-independent expectations."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from tests.evidence.oracles import IMAGES, corpus_file, require_tool
from triage.evidence import EvidenceError, open_evidence
from triage.extractors.interface import FileView

STAGING = IMAGES / "staging"


def icat(image: Path, inode: str, sector_offset: int = 0) -> bytes:
    require_tool("icat")
    return subprocess.run(["icat", "-o", str(sector_offset), str(image), inode],
                          capture_output=True, check=True).stdout


@pytest.mark.parametrize(("name", "volume", "offset"), [
    ("ntfs.raw", 0, 0), ("ext4.raw", 0, 0), ("fat16.raw", 0, 0), ("two_partitions.E01", 2, 2048),
])
def test_every_file_reads_like_icat(name: str, volume: int, offset: int) -> None:
    image = IMAGES / name
    checked = 0
    with open_evidence(image) as evidence:
        for entry in evidence.volumes()[volume].open_filesystem().walk():
            if entry.kind != "file" or entry.path.startswith("/$OrphanFiles"):
                continue
            expected = icat(image, entry.inode, offset)
            assert b"".join(entry.iter_chunks(4096)) == expected, entry.path
            assert entry.read(1, 5) == expected[1:6]
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize("name", ["ntfs.raw", "ext4.raw", "fat16.raw"])
def test_short_reads_are_explained_only_by_the_file_system_records(name: str) -> None:
    image = IMAGES / name
    short = {}
    with open_evidence(image) as evidence:
        for entry in evidence.volumes()[0].open_filesystem().walk():
            if entry.kind != "file":
                continue
            whole = len(b"".join(entry.iter_chunks(1 << 20))) == entry.size
            reason = entry.short_read_reason()
            if whole:
                assert reason is None, entry.path
            else:
                short[entry.path] = reason
    if name == "ntfs.raw":
        # $BadClus:$Bad spans the volume with no data runs: icat prints nothing either.
        bad = next(e for e in _entries_of(image) if e.path == "/$BadClus:$Bad")
        assert icat(image, bad.inode) == b""
        assert "no data runs" in short.pop("/$BadClus:$Bad")
        assert bad.unreadable_by_design()  # so a scan does not warn about it on every volume
    assert short == {}
    assert not any(entry.unreadable_by_design() for entry in _entries_of(image)
                   if entry.path != "/$BadClus:$Bad")


def _entries_of(image: Path) -> list:
    with open_evidence(image) as evidence:
        return list(evidence.volumes()[0].open_filesystem().walk())


def test_staged_content_and_ads_round_trip() -> None:
    with open_evidence(IMAGES / "ntfs.raw") as evidence:
        filesystem = evidence.volumes()[0].open_filesystem()
        setup = filesystem.open_path("/Users/alice/Downloads/setup.exe")
        stream = filesystem.open_path("/Users/alice/Downloads/setup.exe:Zone.Identifier")
        downloads = STAGING / "ntfs" / "Users" / "alice" / "Downloads"
        assert setup.read(0, 1000) == (downloads / "setup.exe").read_bytes()
        assert stream.read(0, 1000) == (downloads / "setup.exe__ads__Zone.Identifier").read_bytes()
        deleted = filesystem.open_path("/Users/alice/Documents/deleted_secret.txt")
        names = {e.name: e for e in filesystem.listdir("/Users/alice/Documents")}
    assert {"notes.txt", "café.txt", "space name.txt", "deleted_secret.txt"} <= names.keys()
    assert names["deleted_secret.txt"].deleted
    assert deleted is None or deleted.deleted


def test_ext4_symlink_is_listed_not_followed() -> None:
    with open_evidence(IMAGES / "ext4.raw") as evidence:
        filesystem = evidence.volumes()[0].open_filesystem()
        link = filesystem.open_path("/home/bob/hosts_link")
        assert link.kind == "link" and link.meta_type == "l/l"
        assert link.read(0, 100) == b"../etc/hosts"
        deleted = [e for e in filesystem.listdir("/home/bob") if e.deleted]
        assert [e.name for e in deleted] == ["deleted_history.txt"]
        assert filesystem.open_path("/no/such/file") is None
        assert filesystem.listdir("/no/such/dir") == []


def test_metadata_and_file_view() -> None:
    with open_evidence(IMAGES / "ext4.raw") as evidence:
        entry = evidence.volumes()[0].open_filesystem().open_path("/etc/hosts")
    assert entry.mtime == 1700000000 and entry.uid == 0 and entry.mode == 0o644
    view = entry.to_view("text/plain")
    assert isinstance(view, FileView)
    assert (view.path, view.name, view.size, view.mime, view.parent) == (
        "/etc/hosts", "hosts", 10, "text/plain", "/etc")
    # The view is filled in without the dataclass's __init__: it must equal the one that
    # __init__ builds, field for field.
    fields = {f.name: getattr(entry, f.name, None) for f in dataclasses.fields(FileView)}
    built = FileView(**{**fields, "mime": "text/plain", "mime_description": None})
    assert view == built
    # Every field, plus the extension the cached property would give on first use.
    assert set(vars(view)) == set(fields) | {"extension"}
    assert view.extension == built.extension == "" and vars(view)["extension"] == ""


def test_deleted_file_never_raises_and_allocated_error_is_one_line() -> None:
    with open_evidence(corpus_file("plaso/test_data/image.E01")) as evidence:
        for entry in evidence.volumes()[0].open_filesystem().walk():
            if entry.deleted:
                assert isinstance(b"".join(entry.iter_chunks()), bytes)
    error = EvidenceError("a\nb")
    assert str(error) == "a b"


def test_names_that_are_not_utf8_are_listed_read_and_found_again() -> None:
    """odd_names.raw holds "dir\\xff/note\\xc3.txt": fls prints the bytes, the walk shows
    them as U+FFFD, and lookups by that shown path (extractors, exports) still work."""
    require_tool("fls")
    image = IMAGES / "odd_names.raw"
    listed = subprocess.run(["fls", "-r", "-p", str(image)], capture_output=True,
                            check=True).stdout
    assert b"dir\xff/note\xc3.txt" in listed
    with open_evidence(image) as evidence:
        filesystem = evidence.volumes()[0].open_filesystem()
        warnings: list[tuple[str, str | None]] = []
        entries = {entry.path: entry
                   for entry in filesystem.walk(lambda m, p=None: warnings.append((m, p)))}
        # The bytes are kept in a warning: two such names can look alike.
        assert sorted(warnings) == [
            ("name is not valid UTF-8; shown with U+FFFD (name bytes: 646972ff)", "/dir\ufffd"),
            ("name is not valid UTF-8; shown with U+FFFD (name bytes: 6e6f7465c32e747874)",
             "/dir\ufffd/note\ufffd.txt"),
        ]
        note = entries["/dir\ufffd/note\ufffd.txt"]
        assert note.read(0, 100) == icat(image, note.inode)
        reopened = filesystem.open_path("/dir\ufffd/note\ufffd.txt")
        assert reopened is not None and reopened.inode == note.inode
        assert [e.path for e in filesystem.listdir("/dir\ufffd")] == ["/dir\ufffd/note\ufffd.txt"]
        assert filesystem.open_path("/dir\ufffd/missing\ufffd") is None
        assert filesystem.listdir("/plain.txt") == []


@pytest.mark.parametrize("name", ["ntfs.raw", "ext4.raw", "fat16.raw"])
def test_data_spans_hold_what_icat_reads(name: str) -> None:
    """The damage pass names a file by where data_spans says its bytes lie: the image's
    bytes there, cut to the file's size, must be what icat reads."""
    require_tool("icat")
    image = IMAGES / name
    checked = 0
    with open_evidence(image) as evidence:
        filesystem = evidence.volumes()[0].open_filesystem()
        for entry in filesystem.walk():
            if entry.kind != "file" or entry.stream or entry.size == 0 or checked >= 8:
                continue
            spans = [(a, b) for a, b, stream in filesystem.data_spans(int(entry.inode))
                     if stream == ""]
            if sum(b - a for a, b in spans) < entry.size:
                continue  # resident (inside the MFT record) or sparse: not stored in runs
            stored = b"".join(evidence.read(a, b - a) for a, b in spans)[:entry.size]
            assert stored == icat(image, entry.inode), entry.path
            checked += 1
    assert checked >= 3
