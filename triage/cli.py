"""The ``triage`` command line: scan, export, info, verify, gui, self-test.

Every failure an examiner can cause (a file that is no image, a missing segment, a case
file that is not a case, an existing output) ends with one line on stderr and a
non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from triage import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130
#: How the audit log names an export written to standard output.
STANDARD_OUTPUT = "standard output"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``triage`` command."""
    parser = argparse.ArgumentParser(
        prog="triage",
        description="Offline forensic triage of disk images: PGP keys, wallets, Tor, metadata.",
    )
    parser.add_argument("--version", action="version", version=f"triage {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check that every native library loads and works, then exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = commands.add_parser("scan", help="scan evidence into a case")
    scan.add_argument("evidence", nargs="+", help="disk images (raw, split, E01, VMDK, VHD, QCOW2) or folders")
    scan.add_argument("--case", required=True, help="case file (created when it does not exist)")
    scan.add_argument("--examiner", help="examiner name recorded in the case and its audit log")
    scan.add_argument("--case-name", help="case name when the case is created")
    scan.add_argument("--profile", choices=("quick", "full"), default="full")
    scan.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                      help="worker processes sharing the files (default: 2, or 1 on one core)")
    scan.add_argument("--extractors", help="comma-separated extractor names (default: all)")
    scan.add_argument("--include-invalid", action="store_true",
                      help="also keep address/onion hits whose checksum fails (flagged)")
    scan.add_argument("--sha1", action="store_true", help="also compute SHA-1 of every file")
    scan.add_argument("--no-unallocated", action="store_true", help="skip the unallocated-space scan")
    scan.add_argument("--verify", action="store_true",
                      help="also hash each image and compare with its stored acquisition hash")
    scan.add_argument("--quiet", action="store_true", help="no progress bar")

    export = commands.add_parser("export", help="export a case's findings")
    export.add_argument("case", help="case file")
    export.add_argument("--format", required=True, dest="fmt",
                        choices=("jsonl", "bodyfile", "html", "csv", "kml", "portable"))
    export.add_argument("-o", "--output", help="output file or folder (default, or '-': standard output for jsonl/bodyfile)")
    export.add_argument("--tagged-only", action="store_true", help="only tagged artefacts")
    export.add_argument("--category", action="append", dest="categories",
                        help="only this artefact category (repeatable)")
    export.add_argument("--examiner", help="examiner recorded in the audit log")

    info = commands.add_parser("info", help="summarise a case")
    info.add_argument("case", help="case file")
    info.add_argument("--json", action="store_true", help="machine-readable output")
    info.add_argument("--audit-head", metavar="ID:SHA256",
                      help="check the audit log against the head a report printed (exit"
                           " status 1 when the log up to it was changed)")

    verify = commands.add_parser("verify", help="hash evidence and compare with the stored acquisition hash")
    verify.add_argument("evidence", help="disk image")
    verify.add_argument("--case", help="also record the result in this case")
    verify.add_argument("--examiner", help="examiner recorded in the audit log")

    gui = commands.add_parser("gui", help="open the desktop application")
    gui.add_argument("case", nargs="?", help="case file to open")

    commands.add_parser("extractors", help="list the extractors and the artefact types they emit")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        return _run_command(argv)
    except KeyboardInterrupt:  # before _run_command's own handler is in place
        print("triage: interrupted", file=sys.stderr)
        return EXIT_CANCELLED


def _run_command(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from triage.casedb import CaseError
    from triage.evidence import EvidenceError

    try:
        if args.self_test:
            from triage.self_test import run_self_test

            return run_self_test()
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        handler = {
            "scan": command_scan,
            "export": command_export,
            "info": command_info,
            "verify": command_verify,
            "gui": command_gui,
            "extractors": command_extractors,
        }[args.command]
        return handler(args)
    except (EvidenceError, CaseError, ValueError) as exc:
        print(f"triage: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("triage: interrupted", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:
        return EXIT_OK
    except sqlite3.Error as exc:
        case = getattr(args, "case", None)
        print(f"triage: error: {case + ': ' if case else ''}the case database failed ({exc});"
              " the case file may be damaged", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        # The machine's refusal (a full disk, a name too long), not a fault of triage.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"triage: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 (last resort: one line, never a traceback)
        from triage.reports import ExportError

        if isinstance(exc, ExportError):
            print(f"triage: error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print(f"triage: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED


# -- scan --------------------------------------------------------------------------------
def command_scan(args: argparse.Namespace) -> int:
    """Create or open the case, add the evidence and run the engine with a progress bar."""
    from triage.casedb import CaseDatabase
    from triage.engine import IngestEngine, IngestOptions
    from triage.engine.ingest import check_case_outside_evidence, distinct_evidence
    from triage.evidence import open_evidence

    if not args.case:
        raise ValueError("--case needs the name of a case file")
    evidence = distinct_evidence(args.evidence)
    for path in evidence:  # fail on bad evidence before the case is touched
        open_evidence(path).close()
    check_case_outside_evidence(args.case, evidence)
    options = IngestOptions(
        profile=args.profile,
        extractors=[n.strip() for n in args.extractors.split(",")] if args.extractors else None,
        jobs=args.jobs,
        examiner=args.examiner,
        include_invalid=args.include_invalid,
        sha1=args.sha1,
        unallocated=False if args.no_unallocated else None,
    )
    case_path = Path(args.case)
    if not case_path.exists():
        # An existing case is opened by the scan, which checks it before writing anything.
        CaseDatabase.create(case_path, name=args.case_name, examiner=args.examiner).close()
    bar = ProgressBar() if not args.quiet and sys.stderr.isatty() else None
    cancel = threading.Event()
    engine = IngestEngine(case_path, options, progress=bar, cancel=cancel)
    # SIGTERM (a shutdown, a job manager) stops the scan as Ctrl-C does: the run is
    # recorded as cancelled and the workers are stopped, not left running. Both set the
    # cancel flag before raising: an interruption raised inside a read The Sleuth Kit
    # asked for is swallowed by pytsk3, and the engine's next look at the flag stops it.
    previous = {number: signal.signal(number, _cancel_then_raise(cancel))
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        summary = engine.run(evidence)
    except KeyboardInterrupt:
        cancel.set()
        raise
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if bar:
            bar.close()
    mismatched = []
    if args.verify:
        from triage.evidence.verify import FAILED_VERDICTS

        for path in evidence:
            verdict = _record_verification(case_path, path, args.examiner)
            if verdict in FAILED_VERDICTS:
                mismatched.append((path, verdict))
    print_summary(summary, case_path)
    if summary.status == "failed":
        print(f"triage: error: {summary.message}", file=sys.stderr)
        return EXIT_FAILED
    for path, verdict in mismatched:
        problem = ("the image's hash does not match the acquisition hash stored in it"
                   if verdict == "mismatch" else "the image holds damaged chunks (listed"
                   " above and in the case's audit log)")
        print(f"triage: error: {path}: {problem}", file=sys.stderr)
    if mismatched:
        return EXIT_FAILED
    return EXIT_CANCELLED if summary.status == "cancelled" else EXIT_OK


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _cancel_then_raise(cancel: threading.Event) -> Callable[[int, Any], None]:
    """A signal handler that sets ``cancel``, then raises KeyboardInterrupt."""
    def handler(signum: int, frame: Any) -> None:
        cancel.set()
        raise KeyboardInterrupt

    return handler


def print_summary(summary: Any, case_path: Path) -> None:
    """Print what a run found."""
    print(f"case:       {case_path}")
    print(f"run:        {summary.run_id} ({summary.status}) in {summary.seconds:.1f} s")
    print(f"volumes:    {summary.volumes}")
    print(f"files:      {summary.files} ({summary.deleted_files} deleted)")
    print(f"read:       {summary.bytes_read / 1e6:.1f} MB of files,"
          f" {summary.unallocated_bytes / 1e6:.1f} MB of unallocated space")
    print(f"artefacts:  {summary.artefacts}")
    for artefact_type, count in summary.artefacts_by_type.items():
        print(f"  {artefact_type:<28} {count}")
    print(f"warnings:   {summary.warnings}")


class ProgressBar:
    """A one-line progress display on stderr, fed by engine progress ticks."""

    def __init__(self) -> None:
        self._width = 0

    def __call__(self, progress: Any) -> None:
        done = progress.files_done
        rate = progress.rate_bytes_per_s / 1e6
        eta = f" ETA {progress.eta_seconds:.0f}s" if progress.eta_seconds is not None else ""
        path = (progress.current_path or "")[-50:]
        line = (f"\r[{progress.phase}] {done} files, {progress.bytes_done / 1e6:.1f} MB, "
                f"{rate:.1f} MB/s, {progress.artefacts} artefacts, {progress.warnings} warnings"
                f"{eta} {path}")
        self._width = max(self._width, len(line))
        sys.stderr.write(line.ljust(self._width))
        sys.stderr.flush()

    def close(self) -> None:
        """End the progress line."""
        if self._width:
            sys.stderr.write("\n")


# -- export, info, verify ----------------------------------------------------------------
def command_export(args: argparse.Namespace) -> int:
    """Export the case in one of the report formats."""
    import shutil
    import tempfile

    from triage.casedb import CaseDatabase, CaseError
    from triage.casedb.errors import require_utf8
    from triage.reports import export

    if args.examiner is not None:  # checked before anything is written
        require_utf8(args.examiner, "examiner name")
    if args.output == "-":  # the usual name of standard output
        if args.fmt not in ("jsonl", "bodyfile"):
            raise ValueError(f"--format {args.fmt} cannot be written to standard output;"
                             " give -o PATH (jsonl and bodyfile can)")
        args.output = None
    if args.output is None and args.fmt not in ("jsonl", "bodyfile"):
        raise ValueError(f"--format {args.fmt} needs -o OUTPUT")
    if args.output is None and getattr(sys.stdout, "buffer", None) is None:
        raise ValueError("standard output is closed; name a file with -o OUTPUT")
    if args.output is not None and args.output.endswith(("/", os.sep)):
        raise ValueError(f"{args.output}: names a folder; give the path of the export to"
                         " create (it must not exist)")
    def warn(line: str) -> None:
        print(f"triage: warning: {line}", file=sys.stderr)

    case = CaseDatabase.open(args.case)
    # SIGTERM (a shutdown, a job manager) stops an export as Ctrl-C does: its temporary
    # output is removed, not left behind as a large hidden .partial.
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if args.output is None:
            # Written whole to a private temporary file first, so a failed export prints nothing.
            with tempfile.TemporaryDirectory(prefix="triage-export-") as folder:
                written = export(case, args.fmt, Path(folder) / f"export.{args.fmt}",
                                 tagged_only=args.tagged_only, categories=args.categories,
                                 examiner=args.examiner, recorded_as=STANDARD_OUTPUT,
                                 check_place=False, warn=warn)
                try:
                    with open(written, "rb") as handle:
                        shutil.copyfileobj(handle, sys.stdout.buffer)
                    sys.stdout.flush()
                except (OSError, ValueError) as exc:
                    # The log already says it was exported: say that it did not arrive.
                    with contextlib.suppress(CaseError, sqlite3.Error):
                        case.audit("export not delivered", args.examiner, {
                            "format": args.fmt, "output": STANDARD_OUTPUT,
                            "error": str(exc) or type(exc).__name__})
                    raise
            return EXIT_OK
        written = export(case, args.fmt, Path(args.output), tagged_only=args.tagged_only,
                         categories=args.categories, examiner=args.examiner, warn=warn,
                         notify=print)
        print(f"written: {written}")
    finally:
        signal.signal(signal.SIGTERM, previous)
        case.close()
    return EXIT_OK


def command_info(args: argparse.Namespace) -> int:
    """Print a summary of a case."""
    from triage.casedb import CaseDatabase

    head = None
    if args.audit_head:
        given = re.fullmatch(r"\s*([0-9]{1,18})\s*:\s*([0-9a-fA-F]{64})\s*", args.audit_head)
        if given is None:
            print("triage: error: --audit-head takes ENTRY:SHA256 as a report prints it"
                  " (an entry number, a colon, 64 hexadecimal digits)", file=sys.stderr)
            return EXIT_USAGE
        head = (int(given[1]), given[2])
    case = CaseDatabase.open(args.case, readonly=True)
    try:
        chain, head_verdict = case.audit_chain_status(head)
        info = {
            "case": case.info(),
            "examiners": case.examiners(),
            "evidence": case.list_evidence(),
            "volumes": case.list_volumes(),
            "files": case.file_statistics(),
            "artefacts": case.artefact_counts_by_type(),
            "tags": case.tag_counts(),
            "warnings": case.count_warnings(),
            "runs": case.list_runs(),
            "audit_log": chain.as_dict(),
        }
        if head is not None:
            info["audit_head"] = {"entry": head[0], "digest": head[1],
                                  "matches": head_verdict is None, "why_not": head_verdict}
    finally:
        case.close()
    status = EXIT_OK if head_verdict is None else EXIT_FAILED
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return status
    c = info["case"]
    print(f"case:      {c.get('name')} ({c.get('number') or 'no number'}) schema {c['schema_version']}")
    print(f"examiners: {', '.join(info['examiners']) or '-'}")
    for e in info["evidence"]:
        print(f"evidence:  #{e['id']} {e['path']} [{e['format']}, {e['size']} bytes]"
              f" verification: {e['verification'] or 'not run'}")
    for v in info["volumes"]:
        print(f"  volume {v['idx']}: {v['kind']:<11} {v['description'] or '':<28} "
              f"start {v['start']} length {v['length']} fs {v['fs_type'] or '-'}"
              + (f" ({v['status']})" if v["status"] else ""))
    f = info["files"]
    print(f"files:     {f['entries']} entries, {f['deleted']} deleted, {f['bytes']} bytes")
    print("artefacts:")
    for artefact_type, count in info["artefacts"].items():
        print(f"  {artefact_type:<28} {count}")
    print(f"warnings:  {info['warnings']}")
    for r in info["runs"]:
        print(f"run {r['id']}: {r['status']} profile {r['profile']} started {r['started']}")
    print(f"audit log: {chain.summary()}")
    if head is not None:
        print(f"audit head {head[0]}:{head[1]}: "
              + ("matches" if head_verdict is None else f"DOES NOT MATCH ({head_verdict})"))
    return status


def command_verify(args: argparse.Namespace) -> int:
    """Hash the evidence media and compare with the acquisition hash stored in it."""
    from triage.evidence.verify import FAILED_VERDICTS, verify_evidence

    result = verify_evidence(args.evidence)
    for name, value in result.computed.items():
        stored = result.stored.get(name)
        mark = "" if stored is None else ("  (matches stored)" if stored == value else f"  (STORED {stored})")
        print(f"{name}: {value}{mark}")
    for line in result.damaged:
        print(f"damaged: {line}")
    print(f"verification: {result.verdict}")
    if args.case:
        _record_verification(Path(args.case), args.evidence, args.examiner, result)
    return EXIT_FAILED if result.verdict in FAILED_VERDICTS else EXIT_OK


def _record_verification(case_path: Path, evidence: str, examiner: str | None,
                         result: Any = None) -> str:
    """Hash one evidence item (unless ``result`` holds its hashes already), store the
    hashes and verdict in the case, print the verdict."""
    from triage.casedb import CaseDatabase
    from triage.casedb.path_text import stored_path
    from triage.evidence.verify import verify_evidence

    if Path(evidence).is_dir():
        return "not applicable"
    if result is None:
        result = verify_evidence(evidence)
    case = CaseDatabase.open(case_path)
    try:
        evidence_path = stored_path(str(Path(evidence).resolve()))
        ids = [e["id"] for e in case.list_evidence() if e["path"] == evidence_path]
        if not ids:
            raise ValueError(f"{evidence}: not part of case {case_path}")
        case.set_evidence_hashes(ids[0], result.computed, result.verdict)
        case.audit("evidence.verify", examiner, {"evidence_id": ids[0], "verdict": result.verdict,
                                                 "damaged": result.damaged})
    finally:
        case.close()
    shown = stored_path(evidence)  # standard output may refuse bytes that are not UTF-8
    print(f"{shown}: md5 {result.computed['md5']} sha256 {result.computed['sha256']}"
          f" ({result.verdict})")
    for line in result.damaged:
        print(f"{shown}: damaged: {line}")
    return result.verdict


def command_gui(args: argparse.Namespace) -> int:
    """Open the desktop application."""
    if args.case is not None:
        from triage.casedb import CaseDatabase

        CaseDatabase.open(args.case).close()  # a bad case is one line, before any window
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))):
        # Qt would abort the process with several lines of plugin messages.
        raise ValueError("no display to open the desktop application on (DISPLAY and"
                         " WAYLAND_DISPLAY are unset); use the scan, info and export commands")
    from triage.ui.app import main as gui_main

    return gui_main(args.case)


def command_extractors(args: argparse.Namespace) -> int:
    """List the registered extractors."""
    from triage.extractors import EXTRACTOR_CLASSES
    from triage.extractors.interface import describe

    for cls in EXTRACTOR_CLASSES:
        info = describe(cls)
        print(f"{info.name} {info.version} [{', '.join(info.profiles)}]: {info.description}")
        for artefact_type in info.artefact_types:
            print(f"    {artefact_type}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
