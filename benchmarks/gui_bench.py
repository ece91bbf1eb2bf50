"""Time the desktop UI on a big case: opening it, first pages, filters (offscreen Qt).

Two columns of figures for each step:

* **GUI**: the real :class:`triage.ui.workspace.Workspace` (tree model, paged table
  models, views) on the offscreen Qt platform, timed from the call to the end of the
  event processing that follows (layout and painting of the visible rows included).
* **casedb**: the same step through the case's paged queries alone (what the models
  call), to tell the cost of SQL from the cost of Qt.

Each step is repeated (``--repeat``, default 3) on a freshly opened case, and the median
is reported. Targets (issue 11): open + first page of any category under 1 s, a filter
under 0.5 s. The case is built by make_gui_case.py when it does not exist.

A filter shows its first page at once and counts the matches in a background thread
("counting…" in the UI); the "total counted" rows time the filter until that count has
arrived, and the casedb column times the count query alone. Sorting a big table is timed
too (no target in issue 11; reported so regressions show).

usage: python benchmarks/gui_bench.py [--case CASE] [--repeat N] [--files N] [--artefacts N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(REPO))

from benchmarks.machine import machine_facts  # noqa: E402
from benchmarks.make_gui_case import (  # noqa: E402
    BIG_DIRECTORY,
    DEFAULT_ARTEFACTS,
    DEFAULT_FILES,
    FILTER_WORD,
    make_gui_case,
)
from benchmarks.results import facts_table, replace_section  # noqa: E402
from triage.casedb import CaseDatabase, ui_queries  # noqa: E402

OPEN_LIMIT = 1.0
FILTER_LIMIT = 0.5
PAGE = 256
#: A filter that matches nothing: the worst case of a paged LIKE scan (every row is read).
NO_MATCH = "zqxjzqxj"
COUNTED = " (total counted in background)"
FIRST_OPEN = "first open in the process (Qt start-up included, once)"
DEFAULT_CASE = REPO / "benchmarks" / "work" / "gui_case.triage"
DEEP_PAGE = "sorted files: the middle page (sorted ids read once)"
NEXT_DEEP_PAGE = "sorted files: the page after it"


@dataclass
class Step:
    """One timed step with its samples (seconds) for the GUI and for casedb alone."""

    name: str
    limit: float | None
    gui: list[float] = field(default_factory=list)
    casedb: list[float] = field(default_factory=list)

    @staticmethod
    def _median(values: list[float]) -> float | None:
        return statistics.median(values) if values else None

    def row(self) -> str:
        """Return the step as a Markdown table row."""
        gui, direct = self._median(self.gui), self._median(self.casedb)
        limit = f"< {self.limit} s" if self.limit else ""
        verdict = ""
        if self.limit and gui is not None:
            verdict = "met" if gui < self.limit else "MISSED"
        text = [("–" if v is None else f"{v:.3f}") for v in (gui, direct)]
        return f"| {self.name} | {text[0]} | {text[1]} | {limit} | {verdict} |"


def timed(action: Callable[[], Any]) -> float:
    """Return the seconds ``action`` took."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


class GuiSession:
    """One opened case in a real Workspace (offscreen), with helpers to time steps."""

    def __init__(self, app: Any, path: Path) -> None:
        from triage.ui.workspace import Workspace

        self._app = app
        self.case = CaseDatabase.open(path)
        self.workspace = Workspace(self.case, "benchmark")
        self.workspace.resize(1400, 900)
        self.workspace.show()
        self.settle()

    def settle(self) -> None:
        """Process pending events (layout, painting of the visible rows)."""
        self._app.processEvents()

    def select(self, kind: str, label: str | None = None) -> None:
        """Select a tree node as a click would, and let the views settle."""
        if not self.workspace.select_tree_node(kind, label):
            raise RuntimeError(f"no tree node {kind} {label or ''}")
        self.settle()

    def show_directory(self, parent: str) -> None:
        """Show one directory of the synthetic volume."""
        from triage.ui.file_table_model import FileLocation

        evidence_id = self.case.list_evidence()[0]["id"]
        self.workspace.show_directory(FileLocation(evidence_id, 0, parent))
        self.settle()

    def filter(self, text: str) -> None:
        """Type ``text`` into the filter box and apply it at once (no typing delay)."""
        self.workspace.filter.setText(text)
        self.workspace.apply_filter()
        self.settle()

    def wait_for_total(self) -> None:
        """Wait until the visible table's background count has arrived."""
        model = self.workspace.current_model()
        if model is not None and not model.wait_for_total(120):
            raise RuntimeError("the background count did not finish")
        self.settle()

    def sort(self, key: str, descending: bool = False) -> None:
        """Sort the visible table by the column ``key`` as a header click would."""
        from PySide6.QtCore import Qt

        model = self.workspace.current_model()
        view = self.workspace.stack.currentWidget()
        column = next(i for i, c in enumerate(model.columns()) if c.key == key)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        view.sortByColumn(column, order)
        self.settle()

    def close(self) -> None:
        """Close the workspace and the case."""
        self.workspace.shutdown()
        self.workspace.hide()
        self.workspace.deleteLater()
        self.settle()
        self.case.close()


#: Sorting steps: the largest category by an attribute column, all files by a column
#: without an index.
SORT_CATEGORY = ("largest category by camera make", "make")
SORT_FILES = "size"


def _largest(categories: Sequence[str], path: Path) -> str:
    """Return the category with the most artefacts (Photos in the synthetic case)."""
    case = CaseDatabase.open(path, readonly=True)
    try:
        counts = case.artefact_counts_by_category()
    finally:
        case.close()
    return max(categories, key=lambda c: counts.get(c, 0))


def _current_schema(path: Path) -> bool:
    """True when the case has every table and index a freshly created case has."""
    import sqlite3
    import tempfile

    def objects(case_path: Path) -> set[tuple[str, str]]:
        conn = sqlite3.connect(f"file:{case_path.as_posix()}?mode=ro", uri=True)
        try:
            return set(conn.execute("SELECT type, name FROM sqlite_master"))
        finally:
            conn.close()

    with tempfile.TemporaryDirectory() as folder:
        CaseDatabase.create(Path(folder) / "fresh.triage").close()
        wanted = objects(Path(folder) / "fresh.triage")
    return wanted <= objects(path)


def _categories(path: Path) -> list[str]:
    case = CaseDatabase.open(path, readonly=True)
    try:
        return list(case.artefact_counts_by_category())
    finally:
        case.close()


def measure_gui(app: Any, path: Path, categories: Sequence[str], steps: dict[str, Step]) -> None:
    """Run one round of the GUI steps on a freshly opened case."""
    opened: list[GuiSession] = []
    steps["open case (tree with counts)"].gui.append(
        timed(lambda: opened.append(GuiSession(app, path))))
    session = opened[0]
    try:
        for category in categories:
            steps[f"first page: {category}"].gui.append(
                timed(lambda c=category: session.select("category", c)))
        for kind, name in (("artefacts_root", "first page: all artefacts"),
                           ("gps", "first page: items with GPS"),
                           ("unallocated", "first page: unallocated hits"),
                           ("evidence", "first page: all files")):
            steps[name].gui.append(timed(lambda k=kind: session.select(k)))
        steps["first page: big directory"].gui.append(
            timed(lambda: session.show_directory(BIG_DIRECTORY)))
        for kind, label, name, text in (
            ("category", categories[0], f"filter: {categories[0]}", FILTER_WORD),
            ("artefacts_root", None, "filter: all artefacts", FILTER_WORD),
            ("evidence", None, "filter: all files", FILTER_WORD),
            ("evidence", None, "filter: all files, no match", NO_MATCH),
        ):
            session.select(kind, label)
            started = time.perf_counter()
            steps[name].gui.append(timed(lambda t=text: session.filter(t)))
            session.wait_for_total()
            steps[name + COUNTED].gui.append(time.perf_counter() - started)
            session.filter("")
        session.show_directory(BIG_DIRECTORY)
        steps["filter: big directory"].gui.append(timed(lambda: session.filter(FILTER_WORD)))
        session.filter("")
        session.select("category", _largest(categories, path))
        steps[f"sort: {SORT_CATEGORY[0]}"].gui.append(timed(lambda: session.sort(SORT_CATEGORY[1])))
        session.select("evidence")
        steps[f"sort: all files by {SORT_FILES}"].gui.append(
            timed(lambda: session.sort(SORT_FILES)))
    finally:
        session.close()


def _tree_queries(case: CaseDatabase) -> None:
    # What the case tree asks for when it is built.
    for evidence in case.list_evidence():
        case.list_volumes(evidence["id"])
    case.artefact_counts_by_category()
    ui_queries.count_artefacts_with_coordinates(case)
    case.count_artefacts(unallocated=True)
    case.tag_counts()
    case.count_warnings()
    case.artefact_types_info()


def measure_casedb(path: Path, categories: Sequence[str], steps: dict[str, Step]) -> None:
    """Run one round of the same steps through the casedb paged queries only."""
    cases: list[CaseDatabase] = []

    def open_case() -> None:
        cases.append(CaseDatabase.open(path))
        _tree_queries(cases[0])

    steps["open case (tree with counts)"].casedb.append(timed(open_case))
    case = cases[0]
    try:
        evidence_id = case.list_evidence()[0]["id"]

        def artefacts(**kwargs: Any) -> None:
            case.count_artefacts(**kwargs)
            case.page_artefacts(**kwargs, limit=PAGE)

        def files(filter_text: str | None = None) -> None:
            case.count_files(evidence_id, filter_text)
            case.page_files(evidence_id, filter_text, limit=PAGE)

        def directory(filter_text: str | None = None) -> None:
            ui_queries.count_directory(case, evidence_id, 0, BIG_DIRECTORY, filter_text)
            ui_queries.page_directory(case, evidence_id, 0, BIG_DIRECTORY, filter_text, limit=PAGE)

        def with_gps() -> None:
            ui_queries.count_artefacts_with_coordinates(case)
            ui_queries.page_artefacts_with_coordinates(case, limit=PAGE)

        for category in categories:
            steps[f"first page: {category}"].casedb.append(
                timed(lambda c=category: artefacts(categories=[c])))
        steps["first page: all artefacts"].casedb.append(timed(lambda: artefacts()))
        steps["first page: items with GPS"].casedb.append(timed(with_gps))
        steps["first page: unallocated hits"].casedb.append(
            timed(lambda: artefacts(unallocated=True)))
        steps["first page: all files"].casedb.append(timed(lambda: files()))
        steps["first page: big directory"].casedb.append(timed(lambda: directory()))
        filtered = (
            (f"filter: {categories[0]}", {"categories": [categories[0]]}, FILTER_WORD),
            ("filter: all artefacts", {}, FILTER_WORD),
        )
        for name, kwargs, text in filtered:
            steps[name].casedb.append(timed(
                lambda k=kwargs, t=text: case.page_artefacts(**k, filter_text=t, limit=PAGE)))
            steps[name + COUNTED].casedb.append(timed(
                lambda k=kwargs, t=text: case.count_artefacts(**k, filter_text=t)))
        for name, text in (("filter: all files", FILTER_WORD),
                           ("filter: all files, no match", NO_MATCH)):
            steps[name].casedb.append(timed(
                lambda t=text: case.page_files(evidence_id, t, limit=PAGE)))
            steps[name + COUNTED].casedb.append(timed(
                lambda t=text: case.count_files(evidence_id, t)))
        steps["filter: big directory"].casedb.append(timed(lambda: directory(FILTER_WORD)))
        steps[f"sort: {SORT_CATEGORY[0]}"].casedb.append(timed(lambda: case.page_artefacts(
            categories=[_largest(categories, path)], sort_key=SORT_CATEGORY[1], limit=PAGE)))
        steps[f"sort: all files by {SORT_FILES}"].casedb.append(
            timed(lambda: case.page_files(evidence_id, sort_key=SORT_FILES, limit=PAGE)))
        middle = case.count_files(evidence_id) // 2
        for name, offset in ((DEEP_PAGE, middle), (NEXT_DEEP_PAGE, middle + PAGE)):
            steps[name].casedb.append(timed(lambda o=offset: case.page_files(
                evidence_id, sort_key=SORT_FILES, offset=o, limit=PAGE)))
    finally:
        case.close()


def make_steps(categories: Sequence[str]) -> dict[str, Step]:
    """Return the steps in report order with their limits."""
    names: list[tuple[str, float | None]] = [(FIRST_OPEN, None)]
    names += [("open case (tree with counts)", OPEN_LIMIT)]
    names += [(f"first page: {c}", OPEN_LIMIT) for c in categories]
    names += [(n, OPEN_LIMIT) for n in (
        "first page: all artefacts", "first page: items with GPS",
        "first page: unallocated hits", "first page: all files", "first page: big directory")]
    for name in (f"filter: {categories[0]}", "filter: all artefacts", "filter: all files",
                 "filter: all files, no match"):
        names += [(name, FILTER_LIMIT), (name + COUNTED, None)]
    names += [("filter: big directory", FILTER_LIMIT)]
    names += [(f"sort: {SORT_CATEGORY[0]}", None), (f"sort: all files by {SORT_FILES}", None)]
    names += [(DEEP_PAGE, None), (NEXT_DEEP_PAGE, None)]
    return {name: Step(name, limit) for name, limit in names}


def report(path: Path, steps: dict[str, Step], repeat: int, facts: dict[str, str]) -> str:
    """Return the Markdown report of the GUI benchmark."""
    case = CaseDatabase.open(path, readonly=True)
    try:
        stats = case.file_statistics()
        artefacts = case.count_artefacts()
    finally:
        case.close()
    lines = [
        f"## GUI benchmark ({datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')})",
        "",
        f"Case: `{path.name}`, {stats['entries']:,} file entries, {artefacts:,} artefacts"
        f" (synthetic, make_gui_case.py); medians of {repeat} round(s), each on a freshly"
        f" opened case; filter text `{FILTER_WORD}`; page size {PAGE}.",
        "",
        facts_table(facts),
        "",
        "| step | GUI s | casedb s | target | verdict |",
        "|---|---|---|---|---|",
        *[step.row() for step in steps.values()],
        "",
        "GUI: real Workspace (tree model, table models and views) on the offscreen Qt"
        " platform, until the events after the step are processed. casedb: the same counts"
        " and first page through triage.casedb's queries only. The target for a first page"
        " is met when opening plus that page stay under 1 s; each row shows its own time."
        " A filter shows its first page while its matches are counted in a background"
        " thread (the UI says \"counting…\"): its row times the first page (casedb: the"
        " page query), the \"total counted\" row the time until the count arrived (casedb:"
        " the count query alone). Sorts have no target in issue 11.",
        "",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """Return the GUI benchmark's argument parser."""
    parser = argparse.ArgumentParser(prog="gui_bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=Path, default=DEFAULT_CASE,
                        help="case to measure (built with make_gui_case.py when missing)")
    parser.add_argument("--files", type=int, default=DEFAULT_FILES,
                        help="files of a newly built case")
    parser.add_argument("--artefacts", type=int, default=DEFAULT_ARTEFACTS,
                        help="artefacts of a newly built case")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    parser.add_argument("--no-results", action="store_true", help="print only")
    return parser


def _quiet_offscreen_warnings(_mode: Any, _context: Any, message: str) -> None:
    # The offscreen platform warns on every window it shows; nothing else is dropped.
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the case if needed, time every step and report."""
    args = build_parser().parse_args(argv)
    if args.case.exists() and not _current_schema(args.case):
        print(f"gui_bench: {args.case} was built with an older case schema; delete it (or pass"
              " another --case) to have it rebuilt", file=sys.stderr)
        return 2
    if not args.case.exists():
        args.case.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {args.case} ({args.files} files, {args.artefacts} artefacts) ...",
              flush=True)
        info = make_gui_case(args.case, args.files, args.artefacts)
        print(f"built in {info.seconds:.0f} s", flush=True)
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_quiet_offscreen_warnings)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    categories = _categories(args.case)
    if not categories:
        print(f"gui_bench: {args.case} has no artefacts", file=sys.stderr)
        return 2
    steps = make_steps(categories)
    # The first Workspace of a process pays Qt's one-off start-up (fonts, styles), which a
    # real user pays when the application starts; it is reported apart, not in the medians.
    first: list[GuiSession] = []
    steps[FIRST_OPEN].gui.append(timed(lambda: first.append(GuiSession(app, args.case))))
    first[0].close()
    for round_index in range(max(1, args.repeat)):
        measure_gui(app, args.case, categories, steps)
        measure_casedb(args.case, categories, steps)
        print(f"round {round_index + 1}/{args.repeat} done", flush=True)
    text = report(args.case, steps, max(1, args.repeat), machine_facts())
    print(text)
    if not args.no_results:
        replace_section(args.results, "gui", text)
        print(f"written: {args.results}")
    missed = [s for s in steps.values() if s.limit and s.gui and statistics.median(s.gui) >= s.limit]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
