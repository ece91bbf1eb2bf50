"""Run one command and measure its wall time and the memory of its whole process tree.

What is measured (Linux only, no psutil):

* ``wall_seconds``: from just before the process is started to the moment it is reaped.
* ``peak_tree_rss_mb``: the largest *sum* of ``VmRSS`` over the process and all its
  descendants seen while polling ``/proc`` (every ``poll_seconds``). This is what the
  "peak memory under 400 MB" target means for ``--jobs N``, where the workers are
  grandchildren living at the same time. Pages shared between processes (libraries) are
  counted once per process, so it is an upper bound; a peak shorter than the poll
  interval can be missed.
* ``max_process_hwm_mb``: the largest ``VmHWM`` (the kernel's own high-water mark) of any
  single process in the tree, read at each poll, combined with ``wait4()``'s
  ``ru_maxrss``, which covers the child and those descendants it reaped itself. This one
  misses nothing, but it is per process, not the tree's total.

The child gets its own session so a run past its time limit can be stopped as a group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass
class Measurement:
    """Wall time, exit status and memory of one run of a command."""

    command: list[str]
    wall_seconds: float
    returncode: int
    peak_tree_rss_mb: float
    max_process_hwm_mb: float
    max_processes: int
    timed_out: bool = False
    stderr_tail: str = ""
    #: User + system CPU seconds of the command and every descendant it waited for
    #: (wait4's rusage): steadier than wall time on a shared machine.
    cpu_seconds: float = 0.0


def _kib_field(status_text: str, name: str) -> int:
    for line in status_text.splitlines():
        if line.startswith(name + ":"):
            parts = line.split()
            return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return 0


def _parent_of(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    rest = stat[stat.rfind(")") + 2 :].split()
    return int(rest[1]) if len(rest) > 1 else None


class TreeSampler:
    """Finds the descendants of one process and samples their memory from ``/proc``."""

    def __init__(self, root_pid: int) -> None:
        self.root_pid = root_pid
        self.tree: set[int] = {root_pid}
        # A pid's parent never changes to a tree member later (orphans go to init), so
        # each pid's parent is read once; new pids are classified as they appear.
        self._parents: dict[int, int | None] = {}
        self.peak_tree_kib = 0
        self.max_hwm_kib = 0
        self.max_processes = 1

    def _refresh_tree(self) -> None:
        try:
            pids = [int(name) for name in os.listdir(PROC) if name.isdigit()]
        except OSError:
            return
        alive = set(pids)
        for pid in pids:
            if pid not in self._parents:
                self._parents[pid] = _parent_of(pid)
        for pid in list(self._parents):
            if pid not in alive:
                del self._parents[pid]
        # Parents appear before their children in most cases, but not always: iterate
        # to a fixed point, bounded by the number of processes.
        tree = {self.root_pid} & alive
        for _ in range(len(pids)):
            grown = {p for p, parent in self._parents.items() if parent in tree} | tree
            if grown == tree:
                break
            tree = grown
        self.tree = tree

    def sample(self) -> None:
        """Read the tree's processes once and update the peaks."""
        self._refresh_tree()
        total = 0
        for pid in self.tree:
            try:
                status = (PROC / str(pid) / "status").read_text()
            except OSError:
                continue
            total += _kib_field(status, "VmRSS")
            self.max_hwm_kib = max(self.max_hwm_kib, _kib_field(status, "VmHWM"))
        self.peak_tree_kib = max(self.peak_tree_kib, total)
        self.max_processes = max(self.max_processes, len(self.tree))


def run_measured(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout_seconds: float = 3600.0,
    poll_seconds: float = 0.1,
    stdout_path: Path | None = None,
) -> Measurement:
    """Run ``command`` to completion (or its time limit) and measure it.

    Standard output goes to ``stdout_path`` (or is discarded); the last 2,000 bytes of
    standard error are kept in the result so a failed run can be explained.
    """
    with open(stdout_path or os.devnull, "wb") as stdout_file, tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, env=env, stdout=stdout_file, stderr=errors,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        sampler = TreeSampler(process.pid)
        timed_out = False
        while True:
            pid, status, rusage = os.wait4(process.pid, os.WNOHANG)
            if pid == process.pid:
                break
            sampler.sample()
            if not timed_out and time.perf_counter() - started > timeout_seconds:
                timed_out = True
                _kill_group(process.pid)
            time.sleep(poll_seconds)
        wall = time.perf_counter() - started
        # wait4 reaped the child: tell Popen, so it never waits for that pid again.
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        tail = errors.read()[-2000:].decode("utf-8", "replace")
    return Measurement(
        command=list(command),
        wall_seconds=wall,
        returncode=process.returncode,
        peak_tree_rss_mb=sampler.peak_tree_kib / 1024,
        # ru_maxrss is in KiB on Linux.
        max_process_hwm_mb=max(sampler.max_hwm_kib, rusage.ru_maxrss) / 1024,
        max_processes=sampler.max_processes,
        timed_out=timed_out,
        stderr_tail=tail,
        cpu_seconds=rusage.ru_utime + rusage.ru_stime,
    )


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
