"""Which process a scan runs in, so a run left 'running' by a dead process can be told apart
from one still going (another scan of the same case, or the GUI's)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def _boot_id() -> str | None:
    try:
        return _BOOT_ID.read_text().strip() or None
    except OSError:
        return None


def this_process() -> dict[str, Any]:
    """The running process as a run records it: host, boot and process id."""
    return {"host": socket.gethostname(), "boot": _boot_id(), "pid": os.getpid()}


def process_alive(process: Any) -> bool | None:
    """Whether the recorded scanning process still runs: None when that cannot be known
    here (another machine, or a run recorded without its process)."""
    if not isinstance(process, dict) or not isinstance(process.get("pid"), int):
        return None
    if process.get("host") != socket.gethostname() or process.get("boot") != _boot_id():
        return None if process.get("host") != socket.gethostname() else False
    pid = process["pid"]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process with that id
    except OSError:
        return None
    try:  # a zombie has exited; only its parent has not collected it yet
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True
