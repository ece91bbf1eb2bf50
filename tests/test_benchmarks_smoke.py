"""Smoke tests of the benchmark harness (the benchmarks themselves are not part of the suite).

They check what the harness computes and measures on tiny inputs: argument parsing, the
process-tree memory sampler against a known allocation, the ratios and verdicts, the
RESULTS.md section writer, and the GUI-case generator against the case's own queries.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from benchmarks import run_benchmarks
from benchmarks.contenders import Contender, contenders
from benchmarks.make_gui_case import BIG_DIRECTORY, FILTER_WORD, file_row, make_gui_case
from benchmarks.page_cache import ResidentImage
from benchmarks.process_tree import Measurement, run_measured
from benchmarks.results import (
    RunRecord,
    consistency_notes,
    replace_section,
    summarise,
    summary_table,
    warm_note,
)
from triage.casedb import CaseDatabase, ui_queries
from triage.extractors import artefact_types

linux_only = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")


# -- argument parsing --------------------------------------------------------------------
def test_defaults_run_both_profiles_with_one_and_two_workers() -> None:
    args = run_benchmarks.build_parser().parse_args([])
    assert args.rounds == 3
    assert args.jobs == [1, 2]
    assert args.profiles == ["quick", "full"]
    assert args.image is None and not args.scale


def test_options_are_parsed_and_bad_values_refused(capsys: pytest.CaptureFixture[str]) -> None:
    parser = run_benchmarks.build_parser()
    args = parser.parse_args(["--image", "x.raw", "--rounds", "1", "--jobs", "2,1,2",
                              "--profiles", "full", "--scale"])
    assert args.image == Path("x.raw") and args.rounds == 1
    assert args.jobs == [2, 1]  # duplicates dropped, order kept
    assert args.profiles == ["full"] and args.scale
    for bad in (["--jobs", "0"], ["--jobs", "a"], ["--profiles", "slow"], ["--rounds", "0"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)
    capsys.readouterr()


def test_commands_and_rotation() -> None:
    chosen = contenders(["quick", "full"], [1, 2], with_fiwalk=True, with_plaso=False)
    assert [c.label for c in chosen] == [
        "fiwalk", "triage quick --jobs 1", "triage quick --jobs 2",
        "triage full --jobs 1", "triage full --jobs 2"]
    fiwalk = chosen[0].command(Path("img.raw"), Path("out.xml"))
    assert fiwalk == ["fiwalk", "-X", "out.xml", "img.raw"]
    quick2 = chosen[2].command(Path("img.raw"), Path("c.triage"))
    assert quick2[:3] == [sys.executable, "-m", "triage"]
    assert quick2[quick2.index("--profile") + 1] == "quick"
    assert quick2[quick2.index("--jobs") + 1] == "2"
    # Every contender leads exactly one round out of len(chosen).
    leaders = [run_benchmarks.rotated(chosen, r)[0].label for r in range(len(chosen))]
    assert sorted(leaders) == sorted(c.label for c in chosen)


# -- measuring ---------------------------------------------------------------------------
@linux_only
def test_tree_rss_counts_grandchildren_living_at_once() -> None:
    # The parent holds 60 MiB, each of two grandchildren 80 MiB, all alive together.
    child = (
        "import time; b = bytearray(80 << 20); b[::4096] = b'x' * len(b[::4096]);"
        " time.sleep(3.0)"  # long enough to overlap under a loaded CI machine
    )
    parent = (
        "import subprocess, sys; b = bytearray(60 << 20); b[::4096] = b'x' * len(b[::4096]);"
        f" ps = [subprocess.Popen([sys.executable, '-c', {child!r}]) for _ in range(2)];"
        " [p.wait() for p in ps]"
    )
    m = run_measured([sys.executable, "-c", parent], poll_seconds=0.05)
    assert m.returncode == 0 and not m.timed_out
    assert m.max_processes >= 3
    assert m.peak_tree_rss_mb >= 60 + 80 + 80
    # At least a grandchild's; no upper bound: wait4()'s ru_maxrss also covers children that
    # other tests of the same session started and reaped.
    assert m.max_process_hwm_mb >= 80
    assert m.wall_seconds >= 1.0


@linux_only
def test_cpu_seconds_count_a_busy_grandchild() -> None:
    child = "import time; end = time.process_time() + 0.4\nwhile time.process_time() < end: pass"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    m = run_measured([sys.executable, "-c", parent], poll_seconds=0.05)
    assert m.returncode == 0
    assert m.cpu_seconds >= 0.4


@linux_only
def test_exit_status_stderr_and_time_limit() -> None:
    failed = run_measured(["sh", "-c", "echo broken >&2; exit 3"])
    assert failed.returncode == 3 and "broken" in failed.stderr_tail
    slow = run_measured(["sleep", "30"], timeout_seconds=0.3)
    assert slow.timed_out and slow.wall_seconds < 10


# -- results -----------------------------------------------------------------------------
def _record(label: str, seconds: float, profile: str | None = None, rss: float = 50.0,
            stats: dict | None = None, returncode: int = 0) -> RunRecord:
    m = Measurement([label], seconds, returncode, rss, rss, 1, cpu_seconds=2 * seconds)
    return RunRecord(label, 0, m, profile, stats)


def test_medians_ratios_and_verdicts() -> None:
    records = [
        _record("fiwalk", 10.0), _record("fiwalk", 12.0), _record("fiwalk", 30.0),
        _record("triage quick --jobs 1", 2.0, "quick"),
        _record("triage quick --jobs 1", 4.0, "quick"),
        _record("triage quick --jobs 1", 99.0, "quick", returncode=1),  # failed: not timed
        _record("triage full --jobs 1", 13.0, "full", rss=450.0),
    ]
    rows = {r.label: r for r in summarise(records)}
    assert rows["fiwalk"].median_seconds == 12.0 and rows["fiwalk"].ratio == 1.0
    quick = rows["triage quick --jobs 1"]
    assert quick.median_seconds == 3.0 and quick.failed == 1
    assert quick.ratio == pytest.approx(0.25) and quick.verdict() == "met"
    full = rows["triage full --jobs 1"]
    assert full.ratio == pytest.approx(13 / 12)
    assert full.verdict() == "MISSED time+memory"
    table = summary_table(list(rows.values()))
    assert "| triage quick --jobs 1 | 3 (1) | 3.0 | 2.0–4.0 | 0.25 | ≤ 0.3×, < 400 MB | 6.0 |" in table


def test_consistency_notes_compare_jobs_and_profiles() -> None:
    same = {"artefacts_by_type": {"pgp.key": 2, "tor.state": 1}}
    records = [
        _record("triage quick --jobs 1", 1, "quick", stats=same),
        _record("triage quick --jobs 2", 1, "quick", stats={"artefacts_by_type": {"pgp.key": 2}}),
        _record("triage full --jobs 1", 1, "full", stats={"artefacts_by_type": {"pgp.key": 3}}),
    ]
    notes = consistency_notes(records)
    assert any(n.startswith("quick: artefact counts by type are DIFFERENT") for n in notes)
    assert "quick finds fewer than full: pgp.key (-1)" in notes


def test_the_image_is_read_again_before_every_run(tmp_path: Path) -> None:
    image = tmp_path / "image.raw"
    image.write_bytes(b"\0" * 4096)
    events: list[str] = []
    warm_times = iter([0.5, 3.0, 0.6, 0.4])

    def warm(path: Path) -> float:
        assert path == image
        events.append("warm")
        return next(warm_times)

    records = run_benchmarks.run_rounds(
        image, [_TrueContender("a"), _TrueContender("b")], 2, tmp_path, 30,
        say=events.append, warm=warm)
    # A re-read before each run, and its time kept with the run.
    assert [e if e == "warm" else "run" for e in events] == ["warm", "run"] * 4
    assert [r.warm_seconds for r in records] == [0.5, 3.0, 0.6, 0.4]
    note = warm_note(records, cached_seconds=0.5)
    assert "median 0.55 s, slowest 3.00 s; 1 took over twice the 0.50 s of a cached read" in note
    assert warm_note([_record("fiwalk", 1.0)], 0.5).startswith("The image was not read again")


@linux_only
def test_an_image_is_held_resident_without_being_written(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    image = tmp_path / "image.raw"
    content = bytes(range(256)) * 4096
    with open(image, "wb") as handle:
        handle.write(content)
        os.fsync(handle.fileno())  # clean pages: the kernel may drop them when asked
    before = image.stat()
    pages = -(-len(content) // os.sysconf("SC_PAGE_SIZE"))
    with ResidentImage(image) as resident:
        resident_first = resident
        if not resident.locked:
            # An unprivileged user with a small RLIMIT_MEMLOCK is told why, not failed.
            assert resident.reason and "could not be held" in resident.describe()
        else:
            assert "held in the page cache with mlock" in resident.describe()
            _drop_from_page_cache(image)
            assert _resident_pages(image) == pages  # locked pages stay
    if resident.locked:
        _drop_from_page_cache(image)
        assert _resident_pages(image) < pages  # the same request drops them unlocked
    after = image.stat()
    assert image.read_bytes() == content
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    empty = tmp_path / "empty.raw"
    empty.write_bytes(b"")
    with ResidentImage(empty) as resident:
        assert not resident.locked and resident.reason == "the image is empty"
    # The lock is held by a helper process, not by the harness (whose children would
    # otherwise count the locked pages in their peak memory); a relative path is the
    # harness's, not the helper's.
    can_lock = resident_first.locked
    monkeypatch.chdir(tmp_path)
    with ResidentImage(Path("image.raw")) as resident:
        assert resident.locked == can_lock, resident.reason
        if resident.locked:
            assert _locked_kib(os.getpid()) == 0
            assert resident._helper is not None and _locked_kib(resident._helper.pid) >= 1024


def _locked_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmLck:"):
            return int(line.split()[1])
    return 0


def _drop_from_page_cache(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _resident_pages(path: Path) -> int:
    """Pages of ``path`` in the page cache (mincore over a fresh read-only mapping)."""
    import ctypes
    import mmap

    from benchmarks.page_cache import _libc

    libc = _libc()  # mmap and munmap typed as the helper uses them
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    size = path.stat().st_size
    pages = -(-size // mmap.PAGESIZE)
    fd = os.open(path, os.O_RDONLY)
    try:
        address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        vector = (ctypes.c_ubyte * pages)()
        try:
            assert libc.mincore(address, size, vector) == 0
        finally:
            libc.munmap(address, size)
    finally:
        os.close(fd)
    return sum(v & 1 for v in vector)


class _TrueContender:
    """A contender that runs ``true`` (the harness only needs label, command and output)."""

    tool = "other"
    profile = None

    def __init__(self, label: str) -> None:
        self.label = label

    def output_name(self, round_index: int) -> str:
        return f"{self.label}-{round_index}.out"

    def command(self, image: Path, output: Path) -> list[str]:
        return ["true"]


def test_sections_are_replaced_in_place(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    replace_section(path, "image", "image one")
    replace_section(path, "gui", "gui one")
    replace_section(path, "image", "image two")
    text = path.read_text()
    assert "image one" not in text and "image two" in text and "gui one" in text
    assert text.index("image two") < text.index("gui one")
    assert text.count("<!-- begin image -->") == 1


# -- the GUI case generator --------------------------------------------------------------
def test_gui_case_generator_writes_what_it_reports(tmp_path: Path) -> None:
    path = tmp_path / "gui.triage"
    info = make_gui_case(path, files=3000, artefacts=1500, seed=7, batch=700)
    case = CaseDatabase.open(path, readonly=True)
    try:
        stats = case.file_statistics()
        assert stats["entries"] == 3000 + info.directories
        assert stats["directories"] == info.directories
        assert case.count_artefacts() == 1500
        assert case.artefact_counts_by_category() == info.categories
        assert set(info.categories) == {t.category for t in artefact_types().values()}
        # Every directory a file lives in exists as a directory row of its parent.
        evidence_id = case.list_evidence()[0]["id"]
        big = ui_queries.count_directory(case, evidence_id, 0, BIG_DIRECTORY)
        assert big == 300  # every tenth file
        assert ui_queries.count_subdirectories(case, evidence_id, 0, "/Windows") == 1
        # Artefacts in files point at the file row they name; the rest are unallocated.
        linked = case.page_artefacts(unallocated=False, limit=50)
        for artefact in linked:
            file = case.get_file(artefact["file_id"])
            assert file is not None and file["path"] == artefact["path"]
        unallocated = case.count_artefacts(unallocated=True)
        assert 0 < unallocated < 1500 * 0.1
        assert 0 < case.count_artefacts(filter_text=FILTER_WORD) < 1500 * 0.05
        assert 0 < case.count_files(evidence_id, FILTER_WORD) < 3000 * 0.05
        assert 0 < ui_queries.count_artefacts_with_coordinates(case) < 1500
    finally:
        case.close()


def test_gui_case_is_deterministic(tmp_path: Path) -> None:
    first = make_gui_case(tmp_path / "a.triage", files=400, artefacts=300, seed=3)
    second = make_gui_case(tmp_path / "b.triage", files=400, artefacts=300, seed=3)
    assert first.categories == second.categories
    cases = [CaseDatabase.open(p, readonly=True) for p in (first.path, second.path)]
    try:
        pages = [c.page_artefacts(limit=300) for c in cases]
        strip = ("evidence_path", "evidence_name")
        assert [{k: v for k, v in a.items() if k not in strip} for a in pages[0]] == \
               [{k: v for k, v in a.items() if k not in strip} for a in pages[1]]
        files = [c.page_files(limit=1000) for c in cases]
        assert files[0] == files[1]
    finally:
        for c in cases:
            c.close()
    assert file_row(5, 3) == file_row(5, 3) and file_row(5, 3) != file_row(5, 4)


def test_triage_contender_matches_the_cli() -> None:
    # The harness's triage command must be one the real CLI accepts.
    from triage.cli import build_parser

    command = Contender("t", "triage", "quick", 2).command(Path("i.raw"), Path("c.triage"))
    args = build_parser().parse_args(command[3:])
    assert (args.command, args.profile, args.jobs, args.quiet) == ("scan", "quick", 2, True)
    assert os.fspath(args.case) == "c.triage"


def test_gui_bench_casedb_round_times_every_step(tmp_path: Path) -> None:
    from benchmarks import gui_bench

    path = tmp_path / "gui.triage"
    make_gui_case(path, files=1200, artefacts=600, seed=2)
    categories = gui_bench._categories(path)
    steps = gui_bench.make_steps(categories)
    gui_bench.measure_casedb(path, categories, steps)
    timed = [s for s in steps.values() if s.name != gui_bench.FIRST_OPEN]
    assert all(len(s.casedb) == 1 and s.casedb[0] >= 0 for s in timed)
    assert steps["filter: all files"].limit == 0.5
    assert steps["open case (tree with counts)"].limit == 1.0
    slow = gui_bench.Step("x", 0.5, gui=[0.7, 0.2, 0.9], casedb=[0.1])
    assert slow.row() == "| x | 0.700 | 0.100 | < 0.5 s | MISSED |"


# -- the cost breakdown ----------------------------------------------------------------------
def test_cost_breakdown_counts_every_entry_fls_lists(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import cost_breakdown
    from tests.evidence.oracles import IMAGES, fls_listing

    image = IMAGES / "ntfs.raw"
    assert cost_breakdown.main([str(image), "--rounds", "1"]) == 0
    table = capsys.readouterr().out
    listing_row = next(line for line in table.splitlines() if line.startswith("| listing"))
    # Every name fls lists (the root is not one) is an entry the breakdown timed.
    assert int(listing_row.split("|")[3]) == sum(fls_listing([image]).values())
    processed = [line.split("|") for line in table.splitlines()
                 if line.startswith("| processing")]
    assert sum(int(cells[3]) for cells in processed) == int(listing_row.split("|")[3])
    assert "| case writes |" in table and "| **total** |" in table


def test_cost_breakdown_refuses_a_missing_image(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import cost_breakdown

    with pytest.raises(SystemExit):
        cost_breakdown.main([str(tmp_path / "absent.raw")])
    assert "no such image file" in capsys.readouterr().err
