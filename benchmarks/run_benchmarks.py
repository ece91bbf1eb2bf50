"""Time triage's quick and full profiles against fiwalk (and plaso when installed).

Builds the benchmark image with ``../shared/bench/make_bench_image.py`` unless one is
given or already built, warms the page cache, then runs every configuration once per
round, rotating the order each round so no tool always runs first or last. Prints the
medians, the ratios to fiwalk and the targets, and writes them (with the machine's
facts) to ``benchmarks/RESULTS.md``. ``--scale`` repeats everything on an image with
twice the files and reports how the times grew.

Run as ``python benchmarks/run_benchmarks.py`` (``make bench``); see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(REPO))

from benchmarks.contenders import (  # noqa: E402
    Contender,
    contenders,
    fiwalk_installed,
    plaso_installed,
    remove_output,
    triage_run_stats,
)
from benchmarks.machine import load_average, machine_facts  # noqa: E402
from benchmarks.page_cache import ResidentImage  # noqa: E402
from benchmarks.process_tree import run_measured  # noqa: E402
from benchmarks.results import (  # noqa: E402
    RunRecord,
    consistency_notes,
    engine_stats_table,
    facts_table,
    replace_section,
    scale_table,
    summarise,
    summary_table,
    warm_note,
)

BENCH_DIR = REPO / "benchmarks"
WORK_DIR = BENCH_DIR / "work"
MAKE_IMAGE = REPO.parent / "shared" / "bench" / "make_bench_image.py"
DEFAULT_FILES = 20000
READ_CHUNK = 8 << 20


def _jobs_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("worker counts must be 1 or more")
    return list(dict.fromkeys(values))


def _profiles_list(text: str) -> list[str]:
    values = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [v for v in values if v not in ("quick", "full")]
    if not values or unknown:
        raise argparse.ArgumentTypeError("profiles are quick and/or full")
    return list(dict.fromkeys(values))


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the benchmark's argument parser."""
    parser = argparse.ArgumentParser(
        prog="run_benchmarks.py",
        description="Time triage quick/full against fiwalk (and plaso) on the benchmark image.",
    )
    parser.add_argument("--image", type=Path,
                        help="reuse this image (default: build or reuse benchmarks/work/bench_<fs>.raw)")
    parser.add_argument("--fs", choices=("ntfs", "ext4"), default="ntfs",
                        help="file system of a built image (default ntfs)")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of a built image; another seed gives an unseen image (default 1)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the image even if it exists")
    parser.add_argument("--rounds", type=_positive_int, default=3, help="rounds (default 3)")
    parser.add_argument("--jobs", type=_jobs_list, default=[1, 2],
                        help="comma-separated triage worker counts (default 1,2)")
    parser.add_argument("--profiles", type=_profiles_list, default=["quick", "full"],
                        help="comma-separated triage profiles (default quick,full)")
    parser.add_argument("--no-plaso", action="store_true", help="skip plaso even if installed")
    parser.add_argument("--scale", action="store_true",
                        help="also build an image with twice the files and report the growth")
    parser.add_argument("--scale-image", type=Path,
                        help="reuse this image as the doubled one (implies --scale)")
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="seconds after which one run is stopped (default 3600)")
    parser.add_argument("--work", type=Path, default=WORK_DIR,
                        help="folder for built images and scratch output (default benchmarks/work)")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md",
                        help="Markdown results file to update (default benchmarks/RESULTS.md)")
    parser.add_argument("--no-results", action="store_true", help="print only; leave RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write every raw measurement to this file")
    return parser


# -- the image ---------------------------------------------------------------------------
def ensure_image(path: Path | None, work: Path, fs: str, files: int, seed: int,
                 rebuild: bool) -> Path:
    """Return the image to benchmark, building it with make_bench_image.py when needed."""
    if path is not None and not rebuild:
        if not path.is_file():
            raise SystemExit(f"run_benchmarks: no such image: {path}")
        return path
    suffix = "" if files == DEFAULT_FILES else f"_{files // 1000}k"
    suffix += "" if seed == 1 else f"_seed{seed}"
    target = path or work / f"bench_{fs}{suffix}.raw"
    if target.is_file() and not rebuild:
        return target
    if not MAKE_IMAGE.is_file():
        raise SystemExit(f"run_benchmarks: the image builder is missing: {MAKE_IMAGE}")
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {target} ({fs}, {files} files, seed {seed}) ...", flush=True)
    started = time.perf_counter()
    subprocess.run(["python3", str(MAKE_IMAGE), str(target), "--fs", fs, "--files", str(files),
                    "--seed", str(seed)], check=True)
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return target


def triage_startup_seconds() -> float:
    """Return the wall time of ``python -m triage --version`` (interpreter plus imports)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "triage", "--version"], capture_output=True, check=False)
    return time.perf_counter() - started


def read_image_seconds(image: Path) -> float:
    """Read the whole image once and return the seconds it took (warms the page cache)."""
    started = time.perf_counter()
    with open(image, "rb", buffering=0) as handle:
        buffer = bytearray(READ_CHUNK)
        while handle.readinto(buffer):
            pass
    return time.perf_counter() - started


# -- the runs ----------------------------------------------------------------------------
def say_now(text: str) -> None:
    """Print a progress line at once (stdout is often a file while benchmarking)."""
    print(text, flush=True)


def rotated(items: Sequence[Contender], round_index: int) -> list[Contender]:
    """Return ``items`` rotated by ``round_index`` (each round starts with another tool)."""
    if not items:
        return []
    shift = round_index % len(items)
    return [*items[shift:], *items[:shift]]


def run_rounds(
    image: Path,
    chosen: Sequence[Contender],
    rounds: int,
    scratch: Path,
    timeout: float,
    say: Callable[[str], None] = say_now,
    warm: Callable[[Path], float] | None = None,
) -> list[RunRecord]:
    """Run every contender once per round on ``image`` and return the measurements.

    ``warm`` (by default :func:`read_image_seconds`) reads the image before every run:
    some virtual machines hand cached pages back to their host within minutes, and a run
    that finds the image half evicted measures the disk, not the tool.
    """
    warm = read_image_seconds if warm is None else warm
    records = []
    for round_index in range(rounds):
        for contender in rotated(chosen, round_index):
            output = scratch / contender.output_name(round_index)
            remove_output(output)
            warm_seconds = warm(image)
            measurement = run_measured(contender.command(image, output), timeout_seconds=timeout)
            stats = triage_run_stats(output) if contender.tool == "triage" else None
            remove_output(output)
            record = RunRecord(contender.label, round_index, measurement, contender.profile, stats,
                               warm_seconds)
            records.append(record)
            state = "ok" if record.ok else (
                "TIMED OUT" if measurement.timed_out else f"exit {measurement.returncode}")
            say(f"round {round_index + 1}/{rounds}  {contender.label:<24} "
                f"{measurement.wall_seconds:8.1f} s  tree RSS {measurement.peak_tree_rss_mb:6.0f} MB"
                f"  [{state}]  load {load_average()}")
            if not record.ok and measurement.stderr_tail:
                say("    " + measurement.stderr_tail.strip().splitlines()[-1][:200])
    return records


def measure_image(image: Path, chosen: Sequence[Contender], args: argparse.Namespace,
                  scratch: Path, notes: list[str]) -> tuple[list[RunRecord], float]:
    """Run every round on ``image`` with its pages held in the page cache (when allowed).

    Returns the records and the seconds of a read from the page cache; adds to ``notes``
    how the cache was kept and what the re-reads before the runs found.
    """
    print(f"warming the page cache with {image} ...", flush=True)
    with ResidentImage(image) as resident:
        notes.append(resident.describe())
        read_image_seconds(image)
        cached = read_image_seconds(image)
        records = run_rounds(image, chosen, args.rounds, scratch, args.timeout)
    notes.append(warm_note(records, cached, image.name))
    return records, cached


# -- the report --------------------------------------------------------------------------
METHOD = """\
Wall time: start to reap of the top process, page cache warm (the image is held in the
page cache with mlock while its runs go on, and read again before every run). *Median CPU s*: user + system seconds of the process and every
descendant it waited for (wait4()'s rusage), steadier than wall time when the machine's
speed moves between runs. *Peak tree RSS*: largest sum of VmRSS over the process and all
its descendants (the `--jobs` workers are grandchildren), sampled from /proc every
0.1 s; shared pages count once per process, so it is an upper bound. *Max process
HWM*: largest single-process VmHWM in the tree, together with wait4()'s ru_maxrss.
Medians over the successful runs; × fiwalk = median / fiwalk's median in the same
session. fiwalk runs with its defaults (MD5 + SHA-1 of every file, DFXML to a scratch
file)."""


def image_report(
    image: Path,
    facts: dict[str, str],
    cache_read_seconds: float,
    records: Sequence[RunRecord],
    rounds: int,
    notes: Sequence[str],
    scale_records: Sequence[RunRecord] | None,
    scale_image: Path | None,
) -> str:
    """Return the Markdown report of one benchmark session."""
    rows = summarise(records)
    parts = [
        f"## Image benchmark ({datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')})",
        "",
        f"Image: `{image}` ({image.stat().st_size / 2**30:.2f} GiB), {rounds} round(s);"
        f" read from page cache in {cache_read_seconds:.2f} s.",
        "",
        facts_table(facts),
        "",
        summary_table(rows),
        "",
        f"Load average at the end: {load_average()}.",
        "",
        "### Engine statistics (`triage info CASE --json` → runs[-1].stats)",
        "",
        engine_stats_table(records),
        "",
    ]
    checks = [*consistency_notes(records), *notes]
    if checks:
        parts += ["### Checks and notes", "", *[f"- {n}" for n in checks], ""]
    if scale_records is not None and scale_image is not None:
        parts += [
            f"### Linear growth: `{scale_image.name}` (twice the files)",
            "",
            scale_table(rows, summarise(scale_records)),
            "",
        ]
    parts += ["### How it is measured", "", METHOD, ""]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 0 when every run succeeded."""
    args = build_parser().parse_args(argv)
    notes: list[str] = []
    with_plaso = plaso_installed() and not args.no_plaso
    if not with_plaso:
        notes.append("plaso: skipped (" + ("--no-plaso" if args.no_plaso else
                                          "log2timeline.py is not installed") + ")")
    if not fiwalk_installed():
        notes.append("fiwalk: not installed (apt install sleuthkit); no ratios")
    chosen = contenders(args.profiles, args.jobs, fiwalk_installed(), with_plaso)
    args.work.mkdir(parents=True, exist_ok=True)
    image = ensure_image(args.image, args.work, args.fs, DEFAULT_FILES, args.seed, args.rebuild)
    scale_image = None
    if args.scale or args.scale_image:
        scale_image = ensure_image(args.scale_image, args.work, args.fs, 2 * DEFAULT_FILES,
                                   args.seed, args.rebuild and args.scale_image is None)
    facts = machine_facts()
    # As installed (pip, the frozen build): bytecode compiled ahead, not at each start.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "triage")],
                   capture_output=True, check=False)
    notes.append(f"`python -m triage --version` takes {triage_startup_seconds():.2f} s"
                 " (start-up included in every triage time)")
    with tempfile.TemporaryDirectory(dir=args.work, prefix="scratch-") as scratch:
        records, cache_read = measure_image(image, chosen, args, Path(scratch), notes)
        scale_records = None
        if scale_image is not None:
            scale_records, _ = measure_image(scale_image, chosen, args, Path(scratch), notes)
    report = image_report(image, facts, cache_read, records, args.rounds, notes,
                          scale_records, scale_image)
    print()
    print(report)
    if not args.no_results:
        replace_section(args.results, "image", report)
        print(f"written: {args.results}")
    if args.json:
        raw = [asdict(r) for r in [*records, *(scale_records or [])]]
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    every = [*records, *(scale_records or [])]
    return 0 if every and all(r.ok for r in every) else 1


if __name__ == "__main__":
    sys.exit(main())
