"""The programs the image benchmark compares, and how each one is run on an image.

Every run writes into a fresh path under a scratch folder (fiwalk refuses to overwrite
its output, and triage would add to an existing case), which is removed afterwards.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PLASO_COMMAND = "log2timeline.py"


@dataclass(frozen=True)
class Contender:
    """One configuration to time: a tool, and for triage a profile and a worker count."""

    label: str
    tool: str  # "fiwalk", "plaso" or "triage"
    profile: str | None = None
    jobs: int = 1

    def command(self, image: Path, output: Path) -> list[str]:
        """Return the command line that processes ``image`` writing to ``output``."""
        if self.tool == "fiwalk":
            # Default fiwalk: walk every file system, MD5 + SHA-1 of every file, DFXML out.
            return ["fiwalk", "-X", str(output), str(image)]
        if self.tool == "plaso":
            return [PLASO_COMMAND, "--unattended", "--status_view", "none",
                    "--parsers", "filestat", "--hashers", "sha256",
                    "--partitions", "all", "--volumes", "all",
                    "--storage_file", str(output), str(image)]
        if self.tool == "triage":
            return [sys.executable, "-m", "triage", "scan", str(image), "--case", str(output),
                    "--profile", str(self.profile), "--jobs", str(self.jobs), "--quiet"]
        raise ValueError(f"unknown tool {self.tool!r}")

    def output_name(self, round_index: int) -> str:
        """Return a file name for this run's output (unique per label and round)."""
        suffix = {"fiwalk": "xml", "plaso": "plaso", "triage": "triage"}[self.tool]
        safe = "".join(c if c.isalnum() else "-" for c in self.label)
        return f"{safe}-r{round_index}.{suffix}"


def plaso_installed() -> bool:
    """True when plaso's log2timeline is on the PATH (it is never installed by us)."""
    return shutil.which(PLASO_COMMAND) is not None


def fiwalk_installed() -> bool:
    """True when The Sleuth Kit's fiwalk is on the PATH."""
    return shutil.which("fiwalk") is not None


def contenders(
    profiles: Sequence[str], jobs: Sequence[int], with_fiwalk: bool, with_plaso: bool
) -> list[Contender]:
    """Return the configurations to time, fiwalk (the baseline) first."""
    chosen = []
    if with_fiwalk:
        chosen.append(Contender("fiwalk", "fiwalk"))
    if with_plaso:
        chosen.append(Contender("plaso filestat+sha256", "plaso"))
    for profile in profiles:
        for count in jobs:
            chosen.append(Contender(f"triage {profile} --jobs {count}", "triage", profile, count))
    return chosen


def triage_run_stats(case: Path, timeout_seconds: float = 300.0) -> dict[str, Any] | None:
    """Return ``runs[-1].stats`` of a case via ``triage info CASE --json`` (None on failure)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "triage", "info", str(case), "--json"],
            capture_output=True, text=True, timeout=timeout_seconds, check=False,
        )
        runs = json.loads(done.stdout).get("runs") or []
    except (OSError, subprocess.SubprocessError, ValueError, AttributeError):
        return None
    stats = runs[-1].get("stats") if runs and isinstance(runs[-1], dict) else None
    return stats if isinstance(stats, dict) else None


def remove_output(path: Path) -> None:
    """Delete a run's output: a file, a folder, or a case with its WAL and SHM files."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.is_dir():
            shutil.rmtree(candidate, ignore_errors=True)
        else:
            candidate.unlink(missing_ok=True)
