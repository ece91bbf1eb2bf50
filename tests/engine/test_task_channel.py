"""The parent's task pipes to the walk's workers: who gets what, and what a dead worker leaves."""

from __future__ import annotations

import multiprocessing
import os
import select

import pytest

from triage.engine.task_channel import QUEUED_BYTES, TASKS_PER_WORKER, TaskChannel
from triage.engine.volume_walk import UnallocatedTask, WalkTask
from triage.evidence.filesystem import DirectoryTask


def _task(number: int, path: str = "", part: int = 0, parts: int = 1) -> WalkTask:
    return WalkTask(0, DirectoryTask(number, path or f"/d{number}", number), part, parts)


def _read_all(receiver) -> list:
    got = []
    while receiver.poll(0):
        got.append(receiver.recv())
    return got


@pytest.fixture()
def channel_of_two():
    channel = TaskChannel(multiprocessing.get_context("fork"))
    receivers = [channel.new_receiver(), channel.new_receiver()]
    yield channel, receivers
    channel.close()
    for receiver in receivers:
        receiver.close()


def test_tasks_are_shared_out_in_order_and_each_worker_holds_at_most_two(channel_of_two):
    channel, receivers = channel_of_two
    tasks = [_task(n) for n in range(7)]
    for task in tasks:
        channel.put(task)
    first, second = (_read_all(receiver) for receiver in receivers)
    assert len(first) == len(second) == TASKS_PER_WORKER
    assert sorted(first + second, key=lambda t: t.directory.key) == tasks[:4]
    assert channel.pending() == 3
    channel.begun(0)
    channel.finished(0)  # worker 0 is ready for the next one in order
    assert _read_all(receivers[0]) == [tasks[4]]
    assert _read_all(receivers[1]) == []


def test_an_idle_worker_is_preferred(channel_of_two):
    channel, receivers = channel_of_two
    channel.put(_task(1))
    channel.put(_task(2))
    assert _read_all(receivers[0]) == [_task(1)]
    assert _read_all(receivers[1]) == [_task(2)]


def test_the_unallocated_scan_gets_a_worker_of_its_own(channel_of_two):
    channel, receivers = channel_of_two
    unallocated = UnallocatedTask(1, 1, (0,))
    channel.put(unallocated, exclusive=True)
    for number in range(4):
        channel.put(_task(number))
    assert _read_all(receivers[0]) == [unallocated]
    assert len(_read_all(receivers[1])) == TASKS_PER_WORKER
    channel.begun(0)
    channel.finished(0)
    assert len(_read_all(receivers[0])) == TASKS_PER_WORKER


def test_an_exclusive_task_waits_for_an_idle_worker(channel_of_two):
    channel, receivers = channel_of_two
    channel.put(_task(1))
    channel.put(_task(2))
    channel.put(UnallocatedTask(1, 1, ()), exclusive=True)
    assert channel.pending() == 1
    channel.begun(1)
    channel.finished(1)
    assert _read_all(receivers[1])[-1] == UnallocatedTask(1, 1, ())


def test_parts_of_one_directory_go_to_different_workers(channel_of_two):
    channel, receivers = channel_of_two
    channel.put(_task(9, "/big"))
    channel.put(_task(1))
    channel.begun(0)
    channel.begun(1)
    # Worker 0 works on /big and splits it: its other part should not wait behind it.
    channel.put(_task(9, "/big", part=1, parts=2))
    assert _read_all(receivers[1])[-1] == _task(9, "/big", part=1, parts=2)


def _five_tasks_out(channel: TaskChannel, receivers: list) -> tuple[list, list]:
    """Put five tasks: each worker reads the two it holds, one stays pending. Returns the
    tasks and the two worker 0 holds."""
    tasks = [_task(n) for n in range(5)]
    for task in tasks:
        channel.put(task)
    held_by_zero = _read_all(receivers[0])
    _read_all(receivers[1])
    return tasks, held_by_zero


def test_a_dead_workers_unread_tasks_go_to_the_others_and_its_current_one_is_lost(channel_of_two):
    channel, receivers = channel_of_two
    _, held_by_zero = _five_tasks_out(channel, receivers)
    channel.begun(0)
    assert channel.ended(0) == held_by_zero[0]  # it was working on it
    assert channel.pending() == 2  # its unread task came back, before task 4
    channel.begun(1)
    channel.finished(1)
    assert _read_all(receivers[1]) == [held_by_zero[1]]


def test_a_worker_whose_pipe_is_closed_counts_as_ended(channel_of_two):
    channel, receivers = channel_of_two
    receivers[0].close()
    channel.put(_task(1))  # worker 0 would be chosen first; its pipe is broken
    assert _read_all(receivers[1]) == [_task(1)]
    assert channel.pending() == 0


def test_a_large_task_goes_only_to_an_idle_worker(channel_of_two):
    """The parent must never block on a task pipe: a busy worker may itself be blocked
    sending rows to the parent."""
    channel, receivers = channel_of_two
    deep = "/" + "/".join(["d" * 250] * (QUEUED_BYTES // 250 + 1))
    channel.put(_task(1))
    channel.put(_task(2))
    channel.put(_task(3, deep))
    assert channel.pending() == 1
    channel.begun(0)
    channel.finished(0)
    assert _read_all(receivers[0])[-1].directory.path == deep


def test_stop_reaches_every_worker_after_what_it_holds(channel_of_two):
    channel, receivers = channel_of_two
    channel.put(_task(1))
    channel.stop()
    assert _read_all(receivers[0]) == [_task(1), None]
    assert _read_all(receivers[1]) == [None]


def test_a_task_handed_back_goes_to_an_idle_worker_and_the_busy_one_gets_no_more(channel_of_two):
    channel, receivers = channel_of_two
    tasks, held_by_zero = _five_tasks_out(channel, receivers)
    channel.begun(0)
    channel.begun(1)
    channel.finished(1)  # worker 1 takes task 4 from the queue
    assert _read_all(receivers[1]) == [tasks[4]]
    channel.begun(1)
    channel.finished(1)  # worker 1 now holds only task 3; worker 0 is on a long one
    channel.returned(0, held_by_zero[1])
    assert _read_all(receivers[1]) == [held_by_zero[1]]
    channel.put(_task(9))  # worker 0 holds one task but said it is busy: not to it
    assert _read_all(receivers[0]) == [] and channel.pending() == 1
    channel.finished(0)
    assert _read_all(receivers[0]) == [_task(9)]


def test_a_failed_send_keeps_the_begun_task_until_the_worker_is_seen_to_end(channel_of_two):
    """Found by an audit: a send to a worker that had just died dropped the task it was
    working on, so its loss was never counted and the walk waited for the watchdog."""
    channel, receivers = channel_of_two
    for number in range(3):
        channel.put(_task(number))  # worker 0 holds 0 and 2, worker 1 holds 1
    channel.begun(0)
    channel.begun(1)
    channel.finished(0)  # worker 0 now holds task 2 (begun next), worker 1 task 1
    channel.begun(0)
    receivers[0].close()  # worker 0 dies
    channel.put(_task(7))  # worker 0 is chosen first; the send fails, worker 1 takes it
    assert _read_all(receivers[1])[-1] == _task(7)
    assert channel.ended(0) == _task(2)


def test_while_an_exclusive_task_waits_no_worker_gets_a_second_task(channel_of_two):
    channel, receivers = channel_of_two
    channel.put(_task(1))
    channel.put(_task(2))
    channel.put(UnallocatedTask(1, 1, ()), exclusive=True)
    channel.put(_task(3))
    assert channel.pending() == 2
    assert _read_all(receivers[1]) == [_task(2)]  # task 3 is not queued behind task 2
    channel.begun(0)
    channel.finished(0)  # the first worker to finish takes the exclusive task
    assert _read_all(receivers[0]) == [_task(1), UnallocatedTask(1, 1, ())]
    assert _read_all(receivers[1]) == [_task(3)]


def test_stop_does_not_wait_for_a_worker_whose_pipe_is_full(channel_of_two):
    """A worker stuck in C code reads nothing: its full pipe must not hang the parent
    that tells the workers to stop (the walk then terminates that worker)."""
    import threading

    channel, receivers = channel_of_two
    stuck = channel._workers[0].sender
    os.set_blocking(stuck.fileno(), False)
    try:
        while True:
            os.write(stuck.fileno(), b"x" * 512)
    except BlockingIOError:
        pass
    os.set_blocking(stuck.fileno(), True)
    assert not select.select([], [stuck], [], 0)[1]
    stopping = threading.Thread(target=channel.stop, daemon=True)
    stopping.start()
    stopping.join(10)
    assert not stopping.is_alive()
    assert receivers[1].recv() is None  # the other worker was told
