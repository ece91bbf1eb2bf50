"""Compensate a PySide6 defect that would crash the application on Python 3.11.

PySide6 6.12.0 wheels drop one reference to ``None`` on each call of many void C++
methods (``setText``, ``setPen``, ``QPainterPath.lineTo``, ...). From Python 3.12 ``None``
is immortal and nothing happens; on 3.11 its count (a few thousand at start) reaches
zero after a few thousand calls and the interpreter aborts with ``none_dealloc``.
:func:`guard_none_refcount` detects the leak and gives ``None`` a reserve of references
so large that no session can use it up.
"""

from __future__ import annotations

import ctypes
import sys

_RESERVE = 1 << 40
_PROBE_CALLS = 64
_installed = False


def void_calls_leak_none() -> bool:
    """True when calling a void Qt method drops a reference to ``None``."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
    return sys.getrefcount(None) <= before - _PROBE_CALLS // 2


def guard_none_refcount() -> bool:
    """Install the reserve once when the leak is present; return True if it was needed."""
    global _installed
    if _installed or sys.version_info >= (3, 12):
        return _installed
    if void_calls_leak_none():
        # ob_refcnt is the first field of every CPython object (non-debug builds).
        refcount = ctypes.c_ssize_t.from_address(id(None))
        refcount.value += _RESERVE
        _installed = True
    return _installed
