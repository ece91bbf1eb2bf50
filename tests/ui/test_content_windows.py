"""The Hex and Text tabs say which bytes of a file they show and move to other windows."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from triage.casedb import CaseDatabase
from triage.ui.content_loader import WINDOW
from triage.ui.content_window_bar import parse_offset, window_label
from triage.ui.detail_pane import DetailPane
from triage.ui.evidence_reader import EvidenceReader

SIZE = 3 * WINDOW + 1000
#: The file's bytes: each 16-byte line starts with its own offset, so a window is known.
CONTENT = b"".join(f"{offset:015x}\n".encode() for offset in range(0, SIZE, 16))[:SIZE]


@pytest.fixture
def pane(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def read_file(_self, _evidence, _volume, _path, offset, size, _inode=None) -> bytes:
        return CONTENT[offset:offset + size]

    monkeypatch.setattr(EvidenceReader, "read_file", read_file)
    case = CaseDatabase.create(tmp_path / "windows.triage", name="windows")
    case.add_evidence("/img.raw", "raw", SIZE)
    case.write_batch(files=[{"evidence_id": 1, "volume_idx": 0, "path": "/big.bin",
                             "parent": "/", "name": "big.bin", "kind": "file", "size": SIZE,
                             "identity": "0:/big.bin"}])
    detail = DetailPane(case)
    qtbot.addWidget(detail)
    detail.show()
    yield detail
    detail.shutdown()
    case.close()


def _wait_for(qtbot, pane: DetailPane, base: int) -> None:
    qtbot.waitUntil(lambda: pane.hex_view._base == base and pane.hex_view.line_count() > 0
                    and pane.window_bar.offset_edit.isEnabled(), timeout=5000)


def test_a_big_file_shows_which_bytes_are_shown_and_reads_other_windows(
        qtbot, pane: DetailPane) -> None:
    """Found by an audit: the Hex and Text tabs showed the first 64 KiB of any file and
    said nothing, so the rest of a file could not be examined."""
    bar = pane.window_bar
    pane.show_file(1)
    _wait_for(qtbot, pane, 0)
    assert bar.label.text() == f"Bytes 0–65,535 of {SIZE:,}"
    assert not bar.previous_button.isEnabled() and bar.next_button.isEnabled()

    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    _wait_for(qtbot, pane, WINDOW)
    assert bar.label.text() == f"Bytes 65,536–131,071 of {SIZE:,}"
    assert pane.text_view.toPlainText().startswith(f"{WINDOW:015x}")

    bar.offset_edit.setText(hex(3 * WINDOW + 40))
    qtbot.keyClick(bar.offset_edit, Qt.Key.Key_Return)
    _wait_for(qtbot, pane, 3 * WINDOW + 32)
    assert bar.label.text() == f"Bytes {3 * WINDOW + 32:,}–{SIZE - 1:,} of {SIZE:,}"
    assert pane.hex_view._highlight == (3 * WINDOW + 40, 1)
    assert not bar.next_button.isEnabled() and bar.previous_button.isEnabled()

    qtbot.mouseClick(bar.previous_button, Qt.MouseButton.LeftButton)
    _wait_for(qtbot, pane, 2 * WINDOW + 32)


def test_window_labels_and_typed_offsets() -> None:
    assert window_label(0, 100, 100) == "Bytes 0–99 of 100"
    assert window_label(0, WINDOW, None) == "Bytes 0–65,535 (more may follow)"
    assert window_label(0, 0, 0) == "No bytes (of 0)"
    assert [parse_offset(t) for t in ("0x10", "1,024", "-3", "x")] == [16, 1024, None, None]
