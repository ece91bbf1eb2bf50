"""Messages from the walk's workers to the parent: one pipe per worker, no feeder thread.

``multiprocessing.Queue`` hands every message to a background thread of the sender,
which pickles and writes it; a worker sends thousands of messages during a walk (a start
and a batch of rows per directory), and that thread's wake-ups and hand-overs of the
interpreter lock cost a worker about 0.2 CPU-seconds on the benchmark image. Here a
worker pickles and writes in its own thread (``Connection.send``). A full pipe blocks
the worker until the parent reads, which bounds memory as a bounded queue did. Each
worker writes to a pipe of its own, so messages of one worker arrive in the order it
sent them, and a worker that dies in the middle of a message damages only its own pipe:
the parent drops that pipe (its end-of-work is noticed by the walk's liveness checks).
For that, a worker's sending end must live in that worker alone: the parent makes each
pipe just before it starts the worker and closes its own copy right after, so workers
forked later do not inherit it (the pipe's end then shows as soon as its worker is gone).
"""

from __future__ import annotations

import os
import pickle
import queue
import time
from multiprocessing.connection import Connection, wait
from typing import Any


class ResultChannel:
    """The parent's side of the workers' pipes: ``get`` returns the next message of any."""

    def __init__(self, context: Any) -> None:
        self._context = context
        self._readers: list[Connection] = []
        #: Each pipe's worker (its ``share``: pipes are made in the workers' order).
        self._shares: dict[Connection, int] = {}
        self._ended: list[int] = []
        self._turn = 0

    def new_sender(self) -> Connection:
        """Make one worker's pipe and return its sending end (``send(message)``).

        Pass it to the worker's process and close it once the process has started.
        """
        reader, sender = self._context.Pipe(duplex=False)
        self._shares[reader] = len(self._shares)
        self._readers.append(reader)
        return sender

    def get(self, timeout: float) -> Any:
        """Return the next message; raise :class:`queue.Empty` when none came in ``timeout``
        seconds. A pipe that ends or holds a damaged message is dropped."""
        deadline = time.monotonic() + timeout
        while self._readers:
            ready = wait(self._readers, max(0.0, deadline - time.monotonic()))
            if not ready:
                raise queue.Empty
            # Take turns, so a busy worker cannot hold back another's messages.
            self._turn = (self._turn + 1) % len(ready)
            reader = ready[self._turn]
            try:
                return reader.recv()
            except (EOFError, OSError, pickle.UnpicklingError, AttributeError, ImportError,
                    IndexError, TypeError, ValueError):
                self._drop(reader)
        time.sleep(max(0.0, deadline - time.monotonic()))
        raise queue.Empty

    def discard(self, timeout: float) -> None:
        """Read and drop what the workers have written, for at most ``timeout`` seconds,
        without parsing it; a pipe that ends is dropped.

        For winding down: a worker blocked on its full pipe can then go on and end, and
        a message the parent was reading when Ctrl-C came (its rest still in the pipe)
        is not taken for the start of another, which could wait for bytes that never
        come or unpickle the middle of one.
        """
        if not self._readers:
            time.sleep(timeout)
            return
        for reader in wait(self._readers, timeout):
            try:
                chunk = os.read(reader.fileno(), 1 << 16)  # ready: does not wait
            except OSError:
                chunk = b""
            if not chunk:
                self._drop(reader)

    def take_ended(self) -> list[int]:
        """The workers whose pipes ended or were dropped since the last call: after its
        last message, a worker that is gone (or whose messages are damaged)."""
        ended, self._ended = self._ended, []
        return ended

    def _drop(self, reader: Connection) -> None:
        self._readers.remove(reader)
        self._ended.append(self._shares[reader])
        reader.close()

    def close(self) -> None:
        """Close every pipe end the parent still holds."""
        for reader in self._readers:
            reader.close()
        self._readers = []
