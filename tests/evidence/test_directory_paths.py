"""Directories reached by many paths: every path is walked, loops are not entered, and
two bounds (repeated listings, depth) stop a hostile file system from walking forever."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import triage.evidence.filesystem as filesystem_module
from triage.evidence.filesystem import (
    LOOP_WARNING,
    REPEAT_WARNING,
    DirectoryTask,
    FileEntry,
    FileSystem,
)


class GraphFileSystem(FileSystem):
    """Directories from a graph: ``children[key]`` lists (name, key) of subdirectories."""

    def __init__(self, children: dict[int, list[tuple[str, int]]]) -> None:
        self.children = children

    def root_task(self, warn=None) -> DirectoryTask:
        return DirectoryTask(0, "/", 0)

    def list_directory(self, task: DirectoryTask, warn=None
                       ) -> Iterator[tuple[FileEntry, DirectoryTask | None]]:
        for name, key in self.children.get(task.key, []):
            path = f"{task.path.rstrip('/')}/{name}"
            yield FileEntry(path, name, str(key), 0, "dir"), DirectoryTask(key, path, key)

    def open_path(self, path):  # pragma: no cover (not used here)
        return None

    def listdir(self, path):  # pragma: no cover (not used here)
        return []


def _walk(children):
    warnings: list[tuple[str, str | None]] = []
    paths = [e.path for e in GraphFileSystem(children).walk(
        lambda message, path=None: warnings.append((message, path)))]
    return paths, warnings


def test_every_path_of_a_shared_directory_and_no_loop() -> None:
    # 0 -> a(1), b(2); a -> s(3); b -> s(3) again; s -> up(1), a loop back to a.
    paths, warnings = _walk({0: [("a", 1), ("b", 2)], 1: [("s", 3)], 2: [("s", 3)],
                             3: [("up", 1)]})
    assert paths == ["/a", "/a/s", "/a/s/up", "/b", "/b/s", "/b/s/up", "/b/s/up/s"]
    assert warnings == [(LOOP_WARNING, "/a/s/up"), (LOOP_WARNING, "/b/s/up/s")]


def test_paths_that_multiply_stop_at_the_repeat_budget(monkeypatch) -> None:
    """Twenty levels, each directory naming the next twice: 2**20 paths to the last."""
    monkeypatch.setattr(filesystem_module, "MAX_REPEATED_LISTINGS", 50)
    levels = 20
    paths, warnings = _walk({level: [("x", level + 1), ("y", level + 1)]
                             for level in range(levels)})
    assert len(paths) < 200
    assert warnings and all(message == REPEAT_WARNING for message, _ in warnings)


@pytest.mark.parametrize("depth", [5, 30])
def test_nesting_stops_at_the_depth_limit(monkeypatch, depth: int) -> None:
    monkeypatch.setattr(filesystem_module, "MAX_DEPTH", 10)
    paths, warnings = _walk({level: [("d", level + 1)] for level in range(depth)})
    # Directories down to ten levels are entered; the eleventh is listed, not entered.
    assert len(paths) == min(depth, 11)
    assert len(warnings) == (1 if depth > 10 else 0)


def test_memory_is_a_path_per_directory_not_per_depth() -> None:
    """A deep chain with many directories at its bottom: what is kept grows with the
    directories, not with directories times depth (each task once carried its ancestors)."""
    from triage.evidence.filesystem import DirectoryVisits

    root = DirectoryTask(0, "/", 0)
    visits = DirectoryVisits(root)
    path = ""
    for level in range(1, 801):
        path += "/d"
        assert visits.admit(DirectoryTask(level, path, level), lambda m, p=None: None)
    for index in range(2000):
        sub = DirectoryTask(10_000 + index, f"{path}/s{index}", 0)
        assert visits.admit(sub, lambda m, p=None: None)
    assert not hasattr(sub, "ancestors")
    assert len(visits._paths) == 1 + 800 + 2000
