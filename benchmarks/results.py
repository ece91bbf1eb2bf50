"""Summaries of benchmark runs: medians, ratios to fiwalk, target verdicts, Markdown.

``benchmarks/RESULTS.md`` is shared by the image benchmark and the GUI benchmark; each
writes only its own section (between ``<!-- begin NAME -->`` and ``<!-- end NAME -->``).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.process_tree import Measurement

BASELINE = "fiwalk"
RSS_LIMIT_MB = 400.0
SCALE_LIMIT = 2.1
#: Wall-time target of each triage profile, as a multiple of fiwalk's median.
RATIO_TARGETS = {"quick": 0.3, "full": 1.0}
#: Run statistics the engine records today; anything else in runs[-1].stats is shown too.
KNOWN_STATS = {
    "volumes", "files", "deleted_files", "bytes_read", "unallocated_bytes",
    "artefacts_by_type", "warnings", "seconds", "message",
}


@dataclass
class RunRecord:
    """One measured run of one tool configuration."""

    label: str
    round: int
    measurement: Measurement
    profile: str | None = None
    stats: dict[str, Any] | None = None
    #: Seconds the image took to read just before this run (None when not re-read).
    warm_seconds: float | None = None

    @property
    def ok(self) -> bool:
        """True when the run finished in time with exit status 0."""
        return self.measurement.returncode == 0 and not self.measurement.timed_out


@dataclass
class SummaryRow:
    """Medians of one tool configuration and how they compare with the targets."""

    label: str
    profile: str | None
    runs: int
    failed: int
    median_seconds: float | None
    min_seconds: float | None
    max_seconds: float | None
    peak_tree_rss_mb: float
    max_process_hwm_mb: float
    ratio: float | None = None
    target: float | None = None
    notes: list[str] = field(default_factory=list)
    median_cpu_seconds: float | None = None

    def verdict(self) -> str:
        """Return 'met', 'MISSED' or '' (no target) for the time and memory targets."""
        if self.profile is None:
            return ""
        if self.median_seconds is None:
            return "FAILED"
        time_ok = self.ratio is None or self.target is None or self.ratio <= self.target
        memory_ok = self.peak_tree_rss_mb < RSS_LIMIT_MB
        missed = [name for name, ok in (("time", time_ok), ("memory", memory_ok)) if not ok]
        return "met" if not missed else "MISSED " + "+".join(missed)


def median_or_none(values: Iterable[float]) -> float | None:
    """Return the median of ``values`` or None when there are none."""
    values = list(values)
    return statistics.median(values) if values else None


def warm_note(records: Sequence[RunRecord], cached_seconds: float, image_name: str = "") -> str:
    """Say how long the re-reads before the runs took, and how many were slow.

    A re-read over twice as slow as the fully cached read (``cached_seconds``) either
    found part of the image gone from the page cache (when it could not be locked) or
    met a busy machine.
    """
    times = sorted(r.warm_seconds for r in records if r.warm_seconds is not None)
    prefix = f"`{image_name}`: " if image_name else ""
    if not times:
        return f"{prefix}The image was not read again between runs."
    slow = sum(1 for t in times if t > 2 * cached_seconds)
    return (f"{prefix}Re-reads before the {len(times)} runs: median {statistics.median(times):.2f} s, slowest"
            f" {times[-1]:.2f} s; {slow} took over twice the {cached_seconds:.2f} s of a cached"
            " read (pages evicted, or the machine busy).")


def summarise(records: Sequence[RunRecord], baseline: str = BASELINE) -> list[SummaryRow]:
    """Group runs by label (in first-seen order) and compute medians and ratios."""
    labels = list(dict.fromkeys(r.label for r in records))
    rows = []
    for label in labels:
        group = [r for r in records if r.label == label]
        good = [r.measurement.wall_seconds for r in group if r.ok]
        rows.append(SummaryRow(
            label=label,
            profile=group[0].profile,
            runs=len(group),
            failed=sum(not r.ok for r in group),
            median_seconds=median_or_none(good),
            min_seconds=min(good) if good else None,
            max_seconds=max(good) if good else None,
            peak_tree_rss_mb=max(r.measurement.peak_tree_rss_mb for r in group),
            max_process_hwm_mb=max(r.measurement.max_process_hwm_mb for r in group),
            target=RATIO_TARGETS.get(group[0].profile or ""),
            median_cpu_seconds=median_or_none(
                r.measurement.cpu_seconds for r in group if r.ok),
        ))
    base = next((r for r in rows if r.label == baseline), None)
    if base is not None and base.median_seconds:
        for row in rows:
            if row.median_seconds is not None:
                row.ratio = row.median_seconds / base.median_seconds
    return rows


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def summary_table(rows: Sequence[SummaryRow]) -> str:
    """Return the medians, ratios and verdicts as a Markdown table."""
    lines = [
        "| run | runs (failed) | median s | min–max s | × fiwalk | target | median CPU s"
        " | peak tree RSS MB | max process HWM MB | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        target = f"≤ {row.target:.1f}×, < {RSS_LIMIT_MB:.0f} MB" if row.target else ""
        lines.append(
            f"| {row.label} | {row.runs} ({row.failed}) | {_fmt(row.median_seconds)}"
            f" | {_fmt(row.min_seconds)}–{_fmt(row.max_seconds)} | {_fmt(row.ratio, 2)}"
            f" | {target} | {_fmt(row.median_cpu_seconds)}"
            f" | {row.peak_tree_rss_mb:.0f} | {row.max_process_hwm_mb:.0f}"
            f" | {row.verdict()} |"
        )
    return "\n".join(lines)


def scale_table(base: Sequence[SummaryRow], doubled: Sequence[SummaryRow]) -> str:
    """Return, per run label, the ratio of the doubled image's median to the base one's."""
    by_label = {r.label: r for r in doubled}
    lines = [
        "| run | median s (1×) | median s (2× files) | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for row in base:
        other = by_label.get(row.label)
        if other is None:
            continue
        ratio = (other.median_seconds / row.median_seconds
                 if other.median_seconds and row.median_seconds else None)
        verdict = "" if ratio is None else ("met" if ratio <= SCALE_LIMIT else "MISSED")
        lines.append(f"| {row.label} | {_fmt(row.median_seconds)} | {_fmt(other.median_seconds)}"
                     f" | {_fmt(ratio, 2)} | ≤ {SCALE_LIMIT} {verdict} |")
    return "\n".join(lines)


def engine_stats_table(records: Sequence[RunRecord]) -> str:
    """Return the engine's own run statistics (``runs[-1].stats``) per triage run label."""
    lines = [
        "| run | engine s (median) | files | MB read | unallocated MB | artefacts | warnings"
        " | other stats |",
        "|---|---|---|---|---|---|---|---|",
    ]
    labels = list(dict.fromkeys(r.label for r in records if r.stats is not None))
    for label in labels:
        group = [r.stats for r in records if r.label == label and r.stats is not None]
        last = group[-1]
        extra = sorted(set(last) - KNOWN_STATS)
        lines.append(
            f"| {label} | {_fmt(median_or_none(s.get('seconds', 0.0) for s in group))}"
            f" | {last.get('files')} | {(last.get('bytes_read') or 0) / 1e6:.0f}"
            f" | {(last.get('unallocated_bytes') or 0) / 1e6:.0f}"
            f" | {sum((last.get('artefacts_by_type') or {}).values())} | {last.get('warnings')}"
            f" | {', '.join(extra) if extra else 'none (no per-extractor timings recorded)'} |"
        )
    return "\n".join(lines)


def consistency_notes(records: Sequence[RunRecord]) -> list[str]:
    """Compare artefact counts: across --jobs for one profile, and quick against full."""
    by_label: dict[str, dict[str, int]] = {}
    profile_of: dict[str, str] = {}
    for r in records:
        if r.stats is not None and r.ok:
            by_label[r.label] = dict(r.stats.get("artefacts_by_type") or {})
            profile_of[r.label] = r.profile or ""
    notes = []
    for profile in ("quick", "full"):
        labels = [label for label, p in profile_of.items() if p == profile]
        counts = {label: by_label[label] for label in labels}
        if len(counts) > 1:
            same = len({tuple(sorted(c.items())) for c in counts.values()}) == 1
            notes.append(f"{profile}: artefact counts by type are "
                         + ("identical across " if same else "DIFFERENT across ")
                         + ", ".join(labels))
    full = next((by_label[label] for label, p in profile_of.items() if p == "full"), None)
    quick = next((by_label[label] for label, p in profile_of.items() if p == "quick"), None)
    if full is not None and quick is not None:
        missing = {t: n - quick.get(t, 0) for t, n in full.items() if quick.get(t, 0) < n}
        if missing:
            notes.append("quick finds fewer than full: "
                         + ", ".join(f"{t} (-{n})" for t, n in sorted(missing.items())))
        else:
            notes.append("quick finds every artefact type full finds, at least as often")
    return notes


def facts_table(facts: dict[str, str]) -> str:
    """Return machine facts as a two-column Markdown table."""
    lines = ["| fact | value |", "|---|---|"]
    lines.extend(f"| {key} | {value} |" for key, value in facts.items())
    return "\n".join(lines)


def replace_section(path: Path, name: str, body: str, title: str = "# Benchmark results") -> None:
    """Write ``body`` into the named section of ``path``, keeping the other sections."""
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    block = f"{begin}\n{body.rstrip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n\n"
    start, stop = text.find(begin), text.find(end)
    if start != -1 and stop > start:
        text = text[:start] + block + text[stop + len(end):].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")
