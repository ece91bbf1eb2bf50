"""Hard links: every name gets its inode's type and hashes, the content is read and typed once.

Checked on ``hardlinks.raw`` (NTFS built by tests/data/make_test_images.sh: a DLL with two
names and a short DOS alias, a 200 KB file with three names, a note with an address under
two names, a file with one, and one with a long name and its DOS alias). The oracles are The Sleuth Kit's ``fls`` (which names share an inode) and ``icat``
(the inode's bytes).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.engine.hardlinks_walk import IMAGE, count_reads, process_all
from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions
from triage.engine.context import FileSystemContext
from triage.engine.file_processor import FileProcessor
from triage.engine.volume_walk import build_extractors
from triage.evidence import open_evidence
from triage.evidence.filesystem import FileEntry
from triage.evidence.tsk_filesystem import TskFileEntry

needs_tsk_tools = pytest.mark.skipif(
    shutil.which("fls") is None or shutil.which("icat") is None,
    reason="The Sleuth Kit's fls and icat are not installed",
)


def _fls_names_by_inode() -> dict[str, list[str]]:
    out = subprocess.run(["fls", "-r", "-p", str(IMAGE)], capture_output=True, text=True,
                         check=True).stdout
    names: dict[str, list[str]] = {}
    for line in out.splitlines():
        kind, rest = line.split(" ", 1)
        address, path = rest.split(":\t", 1)
        if kind == "r/r" and not path.startswith("$"):
            names.setdefault(address, []).append("/" + path)
    return names


def _icat(address: str) -> bytes:
    return subprocess.run(["icat", str(IMAGE), address], capture_output=True, check=True).stdout


def _scan(tmp_path: Path, profile: str, **options: object) -> list[dict]:
    case_path = tmp_path / f"{profile}.triage"
    CaseDatabase.create(case_path, name="links").close()
    summary = IngestEngine(case_path, IngestOptions(profile=profile, **options)).run([str(IMAGE)])
    assert summary.status == "completed"
    with CaseDatabase.open(case_path) as case:
        return list(case.iter_files()), list(case.iter_artefacts())


@needs_tsk_tools
@pytest.mark.parametrize("jobs, spawned", [(1, False), (2, False), (2, True)])
def test_every_name_of_an_inode_gets_its_hashes_and_type(tmp_path, jobs, spawned):
    # A process with another thread (the GUI's) spawns its workers instead of forking them;
    # they then share what they read through a mapped file rather than inherited memory.
    release = threading.Event()
    other_thread = threading.Thread(target=release.wait, daemon=True)
    if spawned:
        other_thread.start()
    try:
        files, artefacts = _scan(tmp_path, "full", jobs=jobs)
    finally:
        release.set()
    by_path = {f["path"]: f for f in files}
    shared = {a: p for a, p in _fls_names_by_inode().items() if len(p) > 1}
    assert sorted(len(p) for p in shared.values()) == [2, 2, 3]
    for address, paths in shared.items():
        content = _icat(address)
        for path in paths:
            row = by_path[path]
            assert row["md5"] == hashlib.md5(content).hexdigest(), path
            assert row["sha256"] == hashlib.sha256(content).hexdigest(), path
            assert row["mime"] == by_path[paths[0]]["mime"], path
    # The note is scanned under both names: one address artefact each.
    addresses = sorted(a["path"] for a in artefacts if a["type"] == "crypto.address")
    assert addresses == ["/Users/bob/notes.txt", "/Windows/System32/wallet notes.txt"]


def _walk_counting(keys: bool) -> tuple[dict[str, dict], dict[str, int], int]:
    """Process every entry in one process; count bytes read per path and libmagic calls."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _walk_patched(monkeypatch, keys)


def _walk_patched(monkeypatch, keys: bool) -> tuple[dict[str, dict], dict[str, int], int]:
    read_bytes = count_reads(monkeypatch)
    if not keys:
        monkeypatch.setattr(TskFileEntry, "content_key", lambda self: None)
    options = IngestOptions(profile="full")
    processor = FileProcessor(build_extractors(options), options)
    typed = [0]
    real_type = processor.typer.type_bytes

    def counting_type(head):
        typed[0] += 1
        return real_type(head)

    processor.typer.type_bytes = counting_type
    rows = {}
    for entry, result in process_all(processor):
        rows[entry.path] = {**result.row, "findings": sorted(
            repr((x.NAME, f.type, f.attributes)) for x, f in result.findings)}
    return rows, read_bytes, typed[0]


def test_a_second_name_is_neither_read_whole_nor_typed_again():
    rows, read_bytes, typed = _walk_counting(keys=True)
    plain_rows, plain_read, plain_typed = _walk_counting(keys=False)
    # Results are exactly those of reading every name.
    assert rows == plain_rows
    # The 200 KB file is read whole once; its other two names only to their 64 KB head.
    names = ["/Windows/System32/large.bin", "/Windows/WinSxS/large.bin", "/Users/bob/large copy.bin"]
    assert sorted(read_bytes[n] for n in names) == [65536, 65536, 200_000]
    assert all(plain_read[n] == 200_000 for n in names)
    # libmagic types the random DLL and the large file once each, not once per name.
    assert plain_typed - typed == 3
    # A note an extractor scans is read under each name.
    assert read_bytes["/Users/bob/notes.txt"] == read_bytes["/Windows/System32/wallet notes.txt"]


def test_only_entries_with_more_than_one_link_have_a_content_key():
    with open_evidence(str(IMAGE)) as evidence:
        filesystem = evidence.volumes()[0].open_filesystem()
        keys = {e.path: e.content_key() for e in filesystem.walk() if e.kind == "file"}
    assert keys["/Users/bob/single.bin"] is None
    # A long name with its short (DOS) alias: NTFS counts two links, but it is one name.
    assert keys["/Users/bob/Long Document Name.txt"] is None
    assert keys["/Windows/System32/kernel.dll"] == keys["/Windows/WinSxS/amd64_kernel_10.0/kernel.dll"]
    assert keys["/Windows/System32/kernel.dll"] is not None
    assert keys["/Windows/System32/large.bin"] != keys["/Windows/System32/kernel.dll"]
    assert all(v is None for k, v in keys.items() if k.startswith("/$"))


class _LinkedEntry(FileEntry):
    """A file whose content key says "hard link", as inode 64 on each of two volumes."""

    __slots__ = ("_content",)

    def __init__(self, path: str, content: bytes) -> None:
        super().__init__(path, path.rsplit("/", 1)[-1], "64-128-1", len(content), "file")
        self._content = content

    def read(self, offset: int, size: int) -> bytes:
        return self._content[offset : offset + size]

    def content_key(self):
        return ("64", 128, 1, self.size)


def test_content_keys_are_scoped_to_their_file_system():
    # Inode numbers repeat from volume to volume; one processor serves every volume of an
    # image, so equal keys on two file systems must not share hashes or types.
    options = IngestOptions(profile="full")
    processor = FileProcessor(build_extractors(options), options)
    volume_one, volume_two = object(), object()

    def scan(entry: FileEntry, filesystem: object) -> dict:
        ctx = FileSystemContext(filesystem, lambda message, path=None: None, threading.Event())
        return processor.process(entry, ctx).row

    # Binary content nothing scans, so a name's hashes come from the table when it answers.
    first_bytes, other_bytes = (
        b"".join(hashlib.sha256(bytes([seed, i])).digest() for i in range(64)) for seed in (1, 2)
    )
    first = scan(_LinkedEntry("/Windows/a.dll", first_bytes), volume_one)
    other_volume = scan(_LinkedEntry("/Windows/a.dll", other_bytes), volume_two)
    assert first["md5"] == hashlib.md5(first_bytes).hexdigest()
    assert other_volume["md5"] == hashlib.md5(other_bytes).hexdigest()
    # On its own volume the key does stand for the content first read under it (the bytes
    # given here differ only to show that they were not read again).
    same_volume = scan(_LinkedEntry("/WinSxS/a.dll", other_bytes), volume_one)
    assert same_volume["md5"] == first["md5"]
