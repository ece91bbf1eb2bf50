"""The workers' pipes to the parent: order, damage, time-outs and back-pressure."""

from __future__ import annotations

import multiprocessing
import os
import queue
import struct
import threading
import time
from pathlib import Path

import pytest

from triage.engine.options import IngestOptions
from triage.engine.result_channel import ResultChannel
from triage.engine.volume_walk import VolumeJob, WalkTask, worker_main
from triage.evidence.filesystem import DirectoryTask

IMAGES = Path(__file__).resolve().parents[1] / "data" / "images"
#: A hang guard only: every wait below normally ends in milliseconds.
GUARD_SECONDS = 10.0


def send_numbered(sender, share: int, count: int, go=None) -> None:
    """Child: (once ``go`` is set, if given) send ``count`` numbered messages, then a last one."""
    if go is not None and not go.wait(GUARD_SECONDS):
        sender.send(("gave up waiting", share))
    for number in range(count):
        sender.send(("n", share, number))
    sender.send(("done", share))


def send_then_cut(sender) -> None:
    """Child: one good message, then a length header promising more bytes than follow."""
    sender.send(("n", 9, 0))
    os.write(sender.fileno(), struct.pack("!i", 1000) + b"short")
    os._exit(0)


def send_big(sender, started, sent, count: int) -> None:
    """Child: say it started, then send ``count`` messages of 1 MiB, counting each."""
    started.set()
    for _ in range(count):
        sender.send(b"x" * (1 << 20))
        with sent.get_lock():
            sent.value += 1


def _start(context, channel: ResultChannel, target, *args) -> multiprocessing.Process:
    """Start a child with a new pipe, closing the parent's copy as the engine does."""
    sender = channel.new_sender()
    child = context.Process(target=target, args=(sender, *args))
    child.start()
    sender.close()
    return child


def _receive_until_done(channel: ResultChannel, shares: int) -> list[tuple]:
    got: list[tuple] = []
    finished = 0
    deadline = time.monotonic() + GUARD_SECONDS
    while finished < shares and time.monotonic() < deadline:
        try:
            message = channel.get(timeout=0.2)
        except queue.Empty:
            continue
        got.append(message)
        finished += message[0] == "done"
    return got


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_each_workers_messages_arrive_complete_and_in_order(method: str) -> None:
    context = multiprocessing.get_context(method)
    channel = ResultChannel(context)
    children = [_start(context, channel, send_numbered, s, 300) for s in range(2)]
    try:
        got = _receive_until_done(channel, 2)
    finally:
        for child in children:
            child.join(GUARD_SECONDS)
        channel.close()
    for share in range(2):
        numbers = [m[2] for m in got if m[0] == "n" and m[1] == share]
        assert numbers == list(range(300))
    assert sorted(m[1] for m in got if m[0] == "done") == [0, 1]


def test_a_damaged_pipe_is_dropped_while_the_other_worker_still_runs() -> None:
    context = multiprocessing.get_context("fork")
    channel = ResultChannel(context)
    go = context.Event()
    broken = _start(context, channel, send_then_cut)
    broken.join(GUARD_SECONDS)
    # Forked after the broken worker's pipe was made: must not keep that pipe open.
    healthy = _start(context, channel, send_numbered, 1, 50, go)
    try:
        assert channel.get(timeout=GUARD_SECONDS) == ("n", 9, 0)
        # The cut message is dropped at once, while the healthy worker still waits for go
        # (were its end kept open, reading the rest of the cut message would wait for it).
        with pytest.raises(queue.Empty):
            channel.get(timeout=0.5)
        go.set()
        got = _receive_until_done(channel, 1)
    finally:
        go.set()
        healthy.join(GUARD_SECONDS)
        channel.close()
    assert [m[2] for m in got if m[0] == "n"] == list(range(50))
    assert got[-1] == ("done", 1) and not any(m[0] == "gave up waiting" for m in got)


def test_get_waits_for_the_time_out_and_then_reports_empty() -> None:
    channel = ResultChannel(multiprocessing.get_context("fork"))
    sender = channel.new_sender()
    try:
        started = time.monotonic()
        with pytest.raises(queue.Empty):
            channel.get(timeout=0.3)  # a live pipe with nothing in it
        assert time.monotonic() - started >= 0.25
        sender.close()
        with pytest.raises(queue.Empty):
            channel.get(timeout=0.05)  # its end: dropped, and still only Empty
        with pytest.raises(queue.Empty):
            channel.get(timeout=0.05)  # no pipe left at all
    finally:
        sender.close()
        channel.close()


def test_a_worker_waits_while_the_parent_does_not_read() -> None:
    """A full pipe holds the sender back: what is in flight stays bounded."""
    context = multiprocessing.get_context("fork")
    channel = ResultChannel(context)
    started, sent = context.Event(), context.Value("i", 0)
    child = _start(context, channel, send_big, started, sent, 8)
    try:
        assert started.wait(GUARD_SECONDS)
        time.sleep(0.3)
        # A pipe holds far less than 1 MiB: not even the first message can have gone.
        assert sent.value == 0
        received = [channel.get(timeout=GUARD_SECONDS) for _ in range(8)]
        child.join(GUARD_SECONDS)
        assert sent.value == 8 and all(len(m) == 1 << 20 for m in received)
    finally:
        if child.is_alive():
            child.kill()
        channel.close()


def test_a_worker_whose_parent_stopped_reading_ends_quietly() -> None:
    reader, sender = multiprocessing.Pipe(duplex=False)
    reader.close()
    options = IngestOptions(profile="quick")
    job = VolumeJob(str(IMAGES / "ntfs.raw"), 0, 1, 1, options)
    tasks: queue.Queue = queue.Queue()
    tasks.put(WalkTask(0, DirectoryTask(5, "/", 5)))
    tasks.put(None)
    # Returns instead of raising BrokenPipeError (or hanging on a pipe nobody reads).
    assert worker_main(0, 1, job.evidence_path, options, [job], tasks, sender,
                       threading.Event()) is None
    sender.close()


def test_winding_down_reads_what_workers_still_send_so_none_is_killed() -> None:
    """Found in a timing of Ctrl-C: a worker told to stop while blocked on its full pipe
    never saw the request, and was killed two seconds later (four with two workers)."""
    from triage.engine.ingest import wind_down_workers

    context = multiprocessing.get_context("fork")
    channel = ResultChannel(context)
    started, sent = context.Event(), context.Value("i", 0)
    child = _start(context, channel, send_big, started, sent, 8)  # 8 MiB: blocks
    assert started.wait(GUARD_SECONDS)
    try:
        assert wind_down_workers([child], channel, GUARD_SECONDS) == []
        assert child.exitcode == 0 and sent.value == 8
    finally:
        if child.is_alive():
            child.kill()
        channel.close()


def send_half_a_message_then_sleep(sender) -> None:
    """Child: a length header promising far more than follows (the rest of a message
    the parent was reading when Ctrl-C came), then a long wait."""
    os.write(sender.fileno(), struct.pack("!i", 1 << 30) + b"part of a pickle")
    time.sleep(60)


def test_winding_down_never_waits_for_the_rest_of_a_message() -> None:
    """Found by an audit: the wind-down read whole messages, so after an interruption in
    the middle of one it took the rest for a new length and waited for a worker that
    might never end (or unpickled the middle of a message)."""
    from triage.engine.ingest import wind_down_workers

    context = multiprocessing.get_context("fork")
    channel = ResultChannel(context)
    child = _start(context, channel, send_half_a_message_then_sleep)
    done: list[list[int]] = []
    try:
        winding = threading.Thread(
            target=lambda: done.append(wind_down_workers([child], channel, 0.5)), daemon=True)
        winding.start()
        winding.join(GUARD_SECONDS)
        assert done == [[0]]  # it gave up on the sleeping child and terminated it
    finally:
        if child.is_alive():
            child.kill()
        channel.close()
