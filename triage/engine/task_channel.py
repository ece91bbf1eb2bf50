"""Tasks from the parent to the walk's workers: one pipe per worker, the parent dispatches.

A shared ``multiprocessing.Queue`` lets a free worker take the next task itself, but a
worker waiting on it holds the queue's read lock; a worker killed while waiting (by an
examiner's ``kill``, the OOM killer) takes the lock with it, and every other worker then
waits for it forever. Here the parent keeps the tasks and writes each one into the pipe
of the worker it chooses, so no worker can block another.

A worker holds at most :data:`TASKS_PER_WORKER` tasks (the one it works on and the next),
so it never waits for the parent between two directories. The parent never blocks on a
task pipe either: a busy worker's pipe is given at most :data:`QUEUED_BYTES` of unread
tasks, far below a pipe's buffer, and a larger task goes only to a worker with nothing
to do, which is reading. When a worker ends, the tasks it had not begun go back to the
other workers; only the one it was working on can be lost.

A task queued behind a long one (a large file to hash, a huge directory) would wait while
other workers idle, so a worker busy on one task for a while hands back what it holds
unread (:meth:`TaskChannel.returned`), and gets no second task until it finishes.
"""

from __future__ import annotations

import pickle
import select
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from triage.engine.volume_walk import WalkTask

#: Tasks a worker holds: the one it works on and the next, ready when it finishes.
TASKS_PER_WORKER = 2
#: Unread task bytes a busy worker's pipe may hold (a Linux pipe buffers 64 KiB).
QUEUED_BYTES = 16 * 1024


@dataclass
class _Worker:
    """The parent's view of one worker: its pipe and the tasks handed to it, in order."""

    sender: Connection | None
    #: ``(task, pickled task, exclusive)``; the first one is begun once ``begun``.
    held: deque[tuple[Any, bytes, bool]] = field(default_factory=deque)
    begun: bool = False
    #: It handed back a task during its current one: it is busy for a while.
    long_busy: bool = False

    def unread_bytes(self) -> int:
        sizes = [len(payload) for _, payload, _ in self.held]
        return sum(sizes[1:] if self.begun else sizes)


class TaskChannel:
    """The parent's side of the workers' task pipes."""

    def __init__(self, context: Any) -> None:
        self._context = context
        self._workers: list[_Worker] = []
        #: ``(task, pickled task, exclusive)``, in the order they are to be handed out.
        self._pending: deque[tuple[Any, bytes, bool]] = deque()
        #: Exclusive tasks in ``_pending``: while one waits, no worker gets a second task,
        #: so the first worker to finish takes it.
        self._exclusive_pending = 0

    def new_receiver(self) -> Connection:
        """Make the next worker's pipe and return its reading end (``recv()`` gives a
        task, or None to stop). Pass it to the worker's process and close it once the
        process has started."""
        reader, sender = self._context.Pipe(duplex=False)
        self._workers.append(_Worker(sender))
        return reader

    def put(self, task: Any, exclusive: bool = False) -> None:
        """Hand ``task`` to a worker now, or as soon as one can take it. An
        ``exclusive`` task (a long one, such as the unallocated-space scan) goes only to a
        worker with nothing else, and that worker gets nothing more until it is done."""
        self._pending.append((task, pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL),
                              exclusive))
        self._exclusive_pending += exclusive
        self.dispatch()

    def begun(self, share: int) -> None:
        """Worker ``share`` has begun the first task it holds."""
        self._workers[share].begun = True

    def finished(self, share: int) -> None:
        """Worker ``share`` has finished the first task it holds."""
        worker = self._workers[share]
        if worker.held:
            worker.held.popleft()
        worker.begun = worker.long_busy = False
        self.dispatch()

    def returned(self, share: int, task: Any) -> None:
        """Worker ``share`` handed back ``task``, which it held unread behind a long one:
        it goes to the front of the queue, and that worker gets no more until it is done."""
        worker = self._workers[share]
        worker.long_busy = True
        for index, entry in enumerate(worker.held):
            if index == 0 and worker.begun:
                continue
            if entry[0] == task:
                del worker.held[index]
                self._requeue([entry])
                break
        self.dispatch()

    def ended(self, share: int) -> Any | None:
        """Worker ``share`` is gone: give the tasks it had not begun to the others and
        return the task it was working on (lost with it), if any."""
        worker = self._workers[share]
        lost = worker.held.popleft()[0] if worker.held and worker.begun else None
        self._requeue(list(worker.held))
        worker.held.clear()
        worker.begun = worker.long_busy = False
        self._close(worker)
        self.dispatch()
        return lost

    def _requeue(self, entries: list[tuple[Any, bytes, bool]]) -> None:
        """Put tasks back at the front of the queue, in their order."""
        self._pending.extendleft(reversed(entries))
        self._exclusive_pending += sum(exclusive for _, _, exclusive in entries)

    def pending(self) -> int:
        """Tasks no worker holds yet."""
        return len(self._pending)

    def stop(self, shares: Iterable[int] | None = None) -> None:
        """Tell workers (all by default) to stop once they have read what they hold.

        Never waits: a worker whose pipe is full (it is stuck, or busy with tasks it has
        not read) is not told. Each task a worker reads is checked against the walk's
        cancel flag, so one with tasks queued stops at its next anyway; and the parent
        must not hang on a worker stuck inside The Sleuth Kit's C code.
        """
        chosen = range(len(self._workers)) if shares is None else shares
        for share in chosen:
            worker = self._workers[share]
            if worker.sender is not None and _has_room(worker.sender):
                self._send(worker, None)

    def close(self) -> None:
        """Close every pipe end the parent still holds."""
        for worker in self._workers:
            self._close(worker)

    def dispatch(self) -> None:
        """Hand out pending tasks, in order, while some worker can take the next one."""
        while self._pending:
            task, payload, exclusive = self._pending[0]
            share = self._choose(task, len(payload), exclusive)
            if share is None:
                return
            worker = self._workers[share]
            if not self._send_bytes(worker, payload):
                # The worker is gone. What it holds stays with it until its results pipe
                # ends (ended()), when every message it sent, such as a "start", is read.
                self._close(worker)
                continue
            worker.held.append(self._pending.popleft())
            self._exclusive_pending -= exclusive

    def _choose(self, task: Any, size: int, exclusive: bool) -> int | None:
        """The worker that should take ``task`` next, or None when none can now."""
        best: tuple[int, int, int] | None = None
        chosen = None
        for share, worker in enumerate(self._workers):
            if worker.sender is None:
                continue
            held = len(worker.held)
            if held and (exclusive or held >= TASKS_PER_WORKER or worker.held[0][2]
                         or worker.long_busy or self._exclusive_pending
                         or worker.unread_bytes() + size > QUEUED_BYTES):
                continue
            # Another part of the same directory should go to a different worker.
            same = any(_same_directory(task, other) for other, _, _ in worker.held)
            rank = (held, int(same), share)
            if best is None or rank < best:
                best, chosen = rank, share
        return chosen

    def _send(self, worker: _Worker, message: Any) -> None:
        self._send_bytes(worker, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def _send_bytes(worker: _Worker, payload: bytes) -> bool:
        if worker.sender is None:
            return False
        try:
            worker.sender.send_bytes(payload)
        except OSError:  # the worker is gone (BrokenPipeError) or its pipe closed
            return False
        return True

    @staticmethod
    def _close(worker: _Worker) -> None:
        if worker.sender is not None:
            worker.sender.close()
            worker.sender = None


def _has_room(sender: Connection) -> bool:
    """Whether a short message can be written to ``sender`` without waiting (a pipe
    that is not full takes a write of up to PIPE_BUF bytes whole)."""
    try:
        poller = select.poll()  # no limit on descriptor numbers, unlike select()
        poller.register(sender.fileno(), select.POLLOUT)
        return bool(poller.poll(0))
    except (OSError, ValueError):  # closed meanwhile: the send says so
        return True


def _same_directory(task: Any, other: Any) -> bool:
    """True when both are parts of one directory of one job's file system."""
    if not (isinstance(task, WalkTask) and isinstance(other, WalkTask)):
        return False
    return task.job == other.job and task.directory.key == other.directory.key
