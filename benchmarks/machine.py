"""Facts about the machine a benchmark ran on, so figures can be compared honestly."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path


def _first_line_with(path: Path, prefix: str) -> str | None:
    try:
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _tool_version(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else None


def _fiwalk_version() -> str | None:
    # fiwalk has no --version; -V prints the SleuthKit version it was built with.
    if shutil.which("fiwalk") is None:
        return None
    try:
        done = subprocess.run(["fiwalk", "-V"], capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return "installed"
    for line in (done.stdout + done.stderr).splitlines():
        if line.startswith("SleuthKit Version:"):
            return "SleuthKit " + line.split(":", 1)[1].strip()
    return "installed"


def _module_version(module: str) -> str | None:
    try:
        if module == "pytsk3":
            import pytsk3

            return f"{pytsk3.get_version()} (TSK {pytsk3.TSK_VERSION_STR})"
        if module == "magic":
            import magic

            version = magic.version() if hasattr(magic, "version") else None
            # libmagic reports 544 for 5.44.
            return f"{version // 100}.{version % 100:02d}" if isinstance(version, int) else None
    except Exception:  # noqa: BLE001 (a missing or broken library is just "unknown")
        return None
    return None


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages as text."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def machine_facts() -> dict[str, str]:
    """Return CPU, memory, OS and the versions of the tools and libraries being measured."""
    mem_kib = _first_line_with(Path("/proc/meminfo"), "MemTotal")
    mem = f"{int(mem_kib.split()[0]) / 2**20:.1f} GiB" if mem_kib else "unknown"
    return {
        "cpus (nproc)": str(len(os.sched_getaffinity(0))),
        "cpu model": _first_line_with(Path("/proc/cpuinfo"), "model name") or platform.processor()
        or "unknown",
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pytsk3": _module_version("pytsk3") or "unknown",
        "libmagic": _module_version("magic") or "unknown",
        "fiwalk": _fiwalk_version() or "not installed",
        "log2timeline": _tool_version(["log2timeline.py", "--version"]) or "not installed",
        "load average at start": load_average(),
    }
