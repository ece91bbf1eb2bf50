"""Compare the scan speed of two (or more) source trees of triage, alternating their runs.

The machine's speed drifts by tens of percent within an hour, so two harness runs an
hour apart cannot tell a 10 % change from the weather. This script runs ``triage scan``
from each tree in turn, round after round, and prints each tree's median wall and CPU
seconds (user + system of the scan and its workers):

    git worktree add -f /tmp/wt_old COMMIT
    .venv/bin/python benchmarks/ab_trees.py /tmp/wt_old . --image IMAGE --rounds 9

Each tree runs with ``PYTHONPATH`` set to it and a bytecode cache of its own
(``PYTHONPYCACHEPREFIX``), so neither compiles its modules on every start. Hold the
image in the page cache meanwhile (``benchmarks/page_cache.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.contenders import Contender  # noqa: E402


def run_once(tree: Path, image: str, profile: str, jobs: int, scratch: Path) -> tuple[float, float]:
    """Scan ``image`` with the triage of ``tree``; return (wall, CPU) seconds."""
    case = scratch / "case.triage"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{case}{suffix}").unlink(missing_ok=True)
    cache = scratch / ("pyc-" + hashlib.sha1(str(tree).encode()).hexdigest()[:12])
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONPYCACHEPREFIX=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    command = Contender(f"triage {profile}", "triage", profile, jobs).command(Path(image), case)
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, cwd=scratch)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    """Alternate the trees' scans and print their medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", help="source trees (folders holding triage/)")
    parser.add_argument("--image", required=True)
    parser.add_argument("--profile", default="quick", choices=("quick", "full"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    trees = [Path(tree).resolve() for tree in args.trees]
    image = str(Path(args.image).resolve())
    for tree in trees:
        if not (tree / "triage" / "__init__.py").is_file():
            parser.error(f"{tree}: no triage package there")
    results: dict[Path, list[tuple[float, float]]] = {tree: [] for tree in trees}
    with tempfile.TemporaryDirectory(prefix="triage-ab-") as folder:
        scratch = Path(folder)
        for tree in trees:  # a first, unmeasured run writes each tree's bytecode
            run_once(tree, image, args.profile, args.jobs, scratch)
        for _ in range(args.rounds):
            for tree in trees:
                results[tree].append(run_once(tree, image, args.profile, args.jobs, scratch))
    print(f"{args.profile} --jobs {args.jobs}, {args.rounds} alternating rounds, `{image}`")
    print("| tree | median wall s | fastest s | median CPU s |")
    print("|---|---|---|---|")
    for tree, runs in results.items():
        print(f"| {tree} | {statistics.median(w for w, _ in runs):.2f} "
              f"| {min(w for w, _ in runs):.2f} | {statistics.median(c for _, c in runs):.2f} |")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as error:
        sys.exit(f"ab_trees: a scan failed (exit status {error.returncode}): {' '.join(error.cmd)}")
