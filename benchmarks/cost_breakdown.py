"""Where a scan's CPU time goes: the figures behind the README's cost breakdown.

Run from the repository root::

    .venv/bin/python benchmarks/cost_breakdown.py IMAGE [--profile quick|full] [--rounds R]

Everything runs in this one process (no workers, so no cost hides in another process)
and is timed in CPU seconds of this process (``time.process_time``: user + system), so
other load on the machine does not dilute it. Each round:

1. walks every file system of the image as a scan does (``FileSystem.list_directory``,
   deleted names and ``/$OrphanFiles`` included) and processes every entry right after
   it is listed, as a worker does (``FileProcessor`` and the rows of ``_EntrySink``).
   The time spent producing entries is *listing*; the time spent on each entry is
   *processing*, grouped by the entry's extension;
2. writes the rows to a scratch case (``CaseDatabase.write_batch`` in batches of
   ``BATCH_FILES``): *case writes*;
3. on a freshly opened file system, lists ``/$OrphanFiles`` alone: The Sleuth Kit walks
   every directory once more to find the files no name points to. That cost is part of
   *listing* above; it is shown on its own because ``fls -r`` and fiwalk pay it as well.

The figures are medians over the rounds. Reading the image is part of whichever step
asks for the bytes. Timing each entry costs this script about 2 µs per entry, which
the per-entry figures include. Like the image benchmark, the script holds the image in
the page cache while it runs (``benchmarks/page_cache.py``), so it measures the tool and
not the disk.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.page_cache import ResidentImage  # noqa: E402
from triage.casedb import CaseDatabase  # noqa: E402
from triage.engine.batch_writer import BATCH_FILES  # noqa: E402
from triage.engine.file_processor import FileProcessor  # noqa: E402
from triage.engine.options import PROFILES, IngestOptions  # noqa: E402
from triage.engine.volume_walk import VolumeJob, _EntrySink, build_extractors  # noqa: E402
from triage.evidence import EvidenceError, FileSystemError, open_evidence  # noqa: E402
from triage.extractors.interface import name_extension  # noqa: E402

#: Extensions shown on their own lines; the rest are summed as "other".
SHOWN_KINDS = 8


class RoundFigures:
    """CPU seconds of one round, by part."""

    def __init__(self) -> None:
        self.listing = 0.0
        self.orphan_search: float | None = None
        self.writes = 0.0
        self.processing: Counter[str] = Counter()
        self.entries: Counter[str] = Counter()
        self.stages: Counter[str] = Counter()
        self.total = 0.0


def timed_entries(filesystem: Any, warn: Any, figures: RoundFigures) -> Iterator[Any]:
    """Yield the entries of ``filesystem.walk`` (the in-process walk), adding the time
    spent producing them to ``figures.listing``."""
    entries = filesystem.walk(warn)
    clock = time.process_time
    while True:
        started = clock()
        try:
            entry = next(entries)
        except StopIteration:
            figures.listing += clock() - started
            return
        figures.listing += clock() - started
        yield entry


def orphan_search_seconds(image: str) -> float | None:
    """CPU seconds The Sleuth Kit takes to list ``/$OrphanFiles`` on a fresh file system."""
    with open_evidence(image) as evidence:
        for volume in evidence.volumes():
            try:
                filesystem = volume.open_filesystem()
            except (EvidenceError, FileSystemError):
                continue
            tsk = getattr(filesystem, "tsk", None)
            if tsk is None:
                continue
            started = time.process_time()
            try:
                sum(1 for _ in tsk.open_dir(path="/$OrphanFiles"))
            except OSError:
                return None
            return time.process_time() - started
    return None


def measure_round(image: str, options: IngestOptions, scratch: Path) -> RoundFigures:
    """Walk, process and write the whole image once; return the CPU seconds by part."""
    figures = RoundFigures()
    clock = time.process_time
    round_started = clock()
    case_path = scratch / f"case-{time.monotonic_ns()}.triage"
    case = CaseDatabase.create(case_path)
    extractors = build_extractors(options)
    processor = FileProcessor(extractors, options)
    try:
        with open_evidence(image) as evidence:
            evidence_id = case.add_evidence(str(Path(image).resolve()), evidence.format,
                                            evidence.size)
            run_id = case.begin_run(options.profile, [x.NAME for x in extractors], None,
                                    [evidence_id], 1)
            for volume in evidence.volumes():
                try:
                    filesystem = volume.open_filesystem()
                except (EvidenceError, FileSystemError):
                    continue
                if filesystem is None:
                    continue
                job = VolumeJob(image, volume.index, evidence_id, run_id, options)
                sink = _EntrySink(job, filesystem, processor, lambda: False)
                for entry in timed_entries(filesystem, sink.warn, figures):
                    if entry.kind == "file":
                        kind = name_extension(entry.name) or "(none)"
                    else:
                        kind = entry.kind
                    started = clock()
                    sink.add(entry)
                    figures.processing[kind] += clock() - started
                    figures.entries[kind] += 1
                    if len(sink.batch.files) >= BATCH_FILES:
                        figures.writes += _write(case, sink)
                figures.writes += _write(case, sink)
    finally:
        case.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{case_path}{suffix}").unlink(missing_ok=True)
    figures.stages.update(processor.take_timings())
    figures.total = clock() - round_started
    figures.orphan_search = orphan_search_seconds(image)
    return figures


def _write(case: CaseDatabase, sink: _EntrySink) -> float:
    batch = sink.take()
    records = [record for record, _ in batch.files]
    artefacts = [artefact for _, found in batch.files for artefact in found]
    started = time.process_time()
    case.write_batch(records, artefacts, [])
    return time.process_time() - started


def report(image: str, profile: str, rounds: list[RoundFigures]) -> str:
    """Markdown tables of the medians over ``rounds``."""

    def median(values: list[float]) -> float:
        return statistics.median(values)

    lines = [
        f"Image `{image}`, profile `{profile}`, {len(rounds)} round(s), medians of this "
        "process's CPU seconds.",
        "",
        "| part | CPU s | entries | µs per entry |",
        "|---|---|---|---|",
    ]
    entries_total = sum(rounds[0].entries.values())
    listing = median([r.listing for r in rounds])
    lines.append(f"| listing (The Sleuth Kit and the entries) | {listing:.2f} | {entries_total} "
                 f"| {listing / max(entries_total, 1) * 1e6:.0f} |")
    orphans = [r.orphan_search for r in rounds if r.orphan_search is not None]
    if orphans:
        lines.append(f"| … of which the `/$OrphanFiles` search (fresh file system) "
                     f"| {median(orphans):.2f} | | |")
    kinds = sorted(rounds[0].processing, key=lambda k: -rounds[0].processing[k])
    shown, rest = kinds[:SHOWN_KINDS], kinds[SHOWN_KINDS:]
    for kind in shown:
        seconds = median([r.processing[kind] for r in rounds])
        count = rounds[0].entries[kind]
        lines.append(f"| processing `{kind}` | {seconds:.2f} | {count} "
                     f"| {seconds / max(count, 1) * 1e6:.0f} |")
    if rest:
        seconds = median([sum(r.processing[k] for k in rest) for r in rounds])
        count = sum(rounds[0].entries[k] for k in rest)
        lines.append(f"| processing, {len(rest)} other kinds | {seconds:.2f} | {count} "
                     f"| {seconds / max(count, 1) * 1e6:.0f} |")
    writes = median([r.writes for r in rounds])
    lines.append(f"| case writes | {writes:.2f} | {entries_total} "
                 f"| {writes / max(entries_total, 1) * 1e6:.0f} |")
    lines.append(f"| **total** | {median([r.total for r in rounds]):.2f} | | |")
    lines += ["", "Inside processing (`FileProcessor` stage timings, wall seconds):", "",
              "| stage | s |", "|---|---|"]
    for stage in sorted(rounds[0].stages, key=lambda s: -rounds[0].stages[s]):
        lines.append(f"| {stage} | {median([r.stages[stage] for r in rounds]):.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure and print the breakdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", help="disk image to walk (read-only)")
    parser.add_argument("--profile", choices=PROFILES, default="quick")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    options = IngestOptions(profile=args.profile, jobs=1, isolate=False)
    if not Path(args.image).is_file():
        parser.error(f"{args.image}: no such image file")
    try:
        with ResidentImage(Path(args.image)) as resident, \
                tempfile.TemporaryDirectory(prefix="triage-breakdown-") as scratch:
            rounds = [measure_round(args.image, options, Path(scratch))
                      for _ in range(args.rounds)]
    except EvidenceError as error:
        print(f"cost_breakdown: {error}", file=sys.stderr)
        return 2
    print(report(args.image, args.profile, rounds))
    print(f"\n{resident.describe()}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
