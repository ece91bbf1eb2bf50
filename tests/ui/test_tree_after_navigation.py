"""Navigation the tree did not choose leaves no stale tree node that ignores clicks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from triage.ui.file_table_model import FileLocation
from triage.ui.main_window import MainWindow
from triage.ui.workspace import Workspace


def _click_node(qtbot, workspace: Workspace, kind: str) -> None:
    index = workspace.tree_model.find_index(kind)
    rect = workspace.tree.visualRect(index)
    qtbot.mouseClick(workspace.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _show_in_file_system(qtbot, workspace: Workspace) -> None:
    workspace.artefact_view.selectRow(0)
    qtbot.mouseClick(workspace.detail.show_file_button, Qt.MouseButton.LeftButton)


def _open_folder(qtbot, workspace: Workspace) -> None:
    workspace.show_directory(FileLocation(1, 0, "/Users"))
    index = workspace.file_model.index(0, 0)
    assert workspace.file_model.row_data(0)["kind"] == "dir"
    workspace.file_view.doubleClicked.emit(index)


def _show_map(_qtbot, workspace: Workspace) -> None:
    workspace.show_map()


@pytest.mark.parametrize("navigate", [_show_in_file_system, _open_folder, _show_map],
                         ids=["show in file system", "double-clicked folder", "map"])
def test_clicking_the_previous_tree_node_goes_back(
        qtbot, window: MainWindow, sample_case_path: Path,
        navigate: Callable[..., None]) -> None:
    """Found by an audit: the tree kept "Artefacts" highlighted after "Show in file
    system", and clicking it did nothing (the tree navigates on a change of node)."""
    assert window.open_case(str(sample_case_path), "Tester")
    workspace = window.workspace
    _click_node(qtbot, workspace, "artefacts_root")
    assert workspace.stack.currentWidget() is workspace.artefact_view
    navigate(qtbot, workspace)
    assert workspace.stack.currentWidget() is not workspace.artefact_view
    assert not workspace.tree.currentIndex().isValid()
    assert not workspace.tree.selectionModel().hasSelection()
    _click_node(qtbot, workspace, "artefacts_root")
    assert workspace.stack.currentWidget() is workspace.artefact_view
