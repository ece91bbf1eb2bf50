"""The issue's "done means", driven through widgets on the seized-laptop test image.

A new case is created on the start screen, the image is added through the Add-evidence
dialog (its file dialog typed into like a user would), the scan is watched to the end,
then PGP keys, secret keys, wallets, Tor and onion services are browsed by clicking the
tree, the map is opened, a key is tagged and an HTML report is exported. Oracles: gpg
(``--show-keys --with-colons``) on the key files staged in the image, and a JSON-lines
export of a separate command-line scan of the same image. Finally the tagged items are
exported as a portable case and opened with the image gone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QPushButton,
    QToolBar,
)

from tests.extractors.pgp.oracle import stop_agent
from triage.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]
IMAGE = REPO / "tests" / "data" / "images" / "seized_laptop.E01"
PGP_DATA = REPO / "tests" / "data" / "pgp"
#: The key files build.sh stages in the image (EXPECTED.md), as gpg can read them.
STAGED_KEY_FILES = ("alice-secret.asc", "bob-secret.asc", "vendor-mail.eml")
SECRET_KEY_FILES = ("alice-secret.asc", "bob-secret.asc")
ONION_SERVICES = {"rnq3366blkkefikari3iilgxq65oucjkr4clv7b42p252o22mvpzg7qd.onion",
                  "xuegb7c2mzo334tv.onion"}

FILE_DIALOG_PATIENCE_MS = 10000

pytestmark = pytest.mark.skipif(not IMAGE.is_file(), reason="seized_laptop.E01 absent")


# -- oracles -----------------------------------------------------------------------------
def _gpg_fingerprints(files: tuple[str, ...], record: str) -> set[str]:
    """Primary-key fingerprints gpg reports for ``record`` ('pub' or 'sec') lines."""
    if shutil.which("gpg") is None:
        pytest.skip("gpg absent")
    found: set[str] = set()
    # A private, empty home: gpg never touches the examiner's own keyrings.
    with tempfile.TemporaryDirectory() as home:
        outputs = [subprocess.run(
            ["gpg", "--homedir", home, "--batch", "--show-keys", "--with-colons",
             str(PGP_DATA / name)],
            capture_output=True, text=True, check=True).stdout for name in files]
        stop_agent(Path(home))
    for output in outputs:
        primary = False
        for line in output.splitlines():
            fields = line.split(":")
            if fields[0] in ("pub", "sec"):
                primary = fields[0] == record
            elif fields[0] in ("sub", "ssb"):
                primary = False
            elif fields[0] == "fpr" and primary:
                found.add(fields[9])
                primary = False
    return found


@pytest.fixture(scope="module")
def cli_findings(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The artefacts of a command-line scan of the image, as ``export --format jsonl``."""
    case = tmp_path_factory.mktemp("cli") / "cli.triage"
    python = [sys.executable, "-m", "triage"]
    subprocess.run([*python, "scan", str(IMAGE), "--case", str(case), "--profile", "full",
                    "--quiet"], check=True, capture_output=True, cwd=REPO)
    output = subprocess.run([*python, "export", str(case), "--format", "jsonl"], check=True,
                            capture_output=True, text=True, cwd=REPO).stdout
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _of_type(findings: list[dict[str, Any]], predicate: Callable[[str], bool]) -> list[dict]:
    return [f for f in findings if predicate(f["type"])]


# -- driving widgets ---------------------------------------------------------------------
def _visible_dialog(window: MainWindow, name: str) -> QDialog:
    dialogs = [d for d in window.findChildren(QDialog, name) if d.isVisible()]
    assert len(dialogs) == 1, f"{name} is not open"
    return dialogs[0]


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _click_action(qtbot, window: MainWindow, action) -> None:
    """Click the toolbar button of ``action``."""
    toolbar = window.findChild(QToolBar, "main_toolbar")
    button = toolbar.widgetForAction(action)
    assert button is not None and button.isEnabled(), action.text()
    _click(qtbot, button)


def _button(parent, text: str) -> QPushButton:
    return next(b for b in parent.findChildren(QPushButton) if b.text() == text)


def _ok_button(dialog: QDialog):
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


def _type_into_file_dialog(qtbot, path: Path) -> list[str]:
    """Answer the next modal file dialog: go to ``path``'s folder, type its name, click Open.

    Only the name is typed, in the file's own folder, as an examiner who browsed
    there would: when the name field lacks keyboard focus (window activation on the
    offscreen platform depends on timing), QFileDialog rewrites a typed full path
    to the bare name of the file it selects, which the dialog then resolves against
    whatever folder it opened in. A dialog still open after
    ``FILE_DIALOG_PATIENCE_MS`` is rejected, so a broken dialog fails the test
    instead of hanging it.
    """
    seen: list[str] = []
    waited = [0]

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog) or not dialog.isVisible():
            waited[0] += 50
            if waited[0] < FILE_DIALOG_PATIENCE_MS:
                QTimer.singleShot(50, answer)
            return
        seen.append(dialog.windowTitle())
        # The dialog is the timer's context: deleting the dialog cancels the timer.
        QTimer.singleShot(2 * FILE_DIALOG_PATIENCE_MS, dialog, dialog.reject)
        dialog.setDirectory(str(path.parent))
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        qtbot.keyClicks(name, path.name)
        buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
        open_button = next(b for b in buttons.buttons()
                           if buttons.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole)
        qtbot.waitUntil(open_button.isEnabled, timeout=FILE_DIALOG_PATIENCE_MS)
        qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(50, answer)
    return seen


def _retype(qtbot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def _click_tree(qtbot, window: MainWindow, kind: str, label: str | None = None) -> None:
    workspace = window.workspace
    index = workspace.tree_model.find_index(kind, label)
    assert index.isValid(), (kind, label)
    parent = index.parent()
    if parent.isValid():
        workspace.tree.expand(parent)
    workspace.tree.scrollTo(index)
    rect = workspace.tree.visualRect(index)
    qtbot.mouseClick(workspace.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert workspace.tree.currentIndex() == index


def _table_column(window: MainWindow, title: str) -> list[str]:
    """The displayed cells of one column of the artefact table (all pages)."""
    model = window.workspace.artefact_model
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    column = titles.index(title)
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def _click_row(qtbot, window: MainWindow, row: int) -> None:
    view = window.workspace.artefact_view
    index = view.model().index(row, 0)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


# -- the workflow ------------------------------------------------------------------------
def test_new_user_workflow_on_the_seized_laptop(qtbot, window: MainWindow, tmp_path: Path,
                                                cli_findings: list[dict[str, Any]],
                                                qtmodeltester) -> None:
    # The image is copied so that it can be taken away before the portable case is opened.
    image = tmp_path / "evidence" / IMAGE.name
    image.parent.mkdir()
    shutil.copyfile(IMAGE, image)

    # 1. New case on the start screen.
    screen = window.start_screen
    qtbot.keyClicks(screen.name, "Seized laptop")
    qtbot.keyClicks(screen.number, "2024-08")
    _retype(qtbot, screen.examiner, "Dana")
    _retype(qtbot, screen.folder, str(tmp_path))
    with qtbot.waitSignal(window.case_opened, timeout=5000):
        _click(qtbot, screen.create_button)
    case_file = tmp_path / "Seized_laptop.triage"
    assert case_file.is_file()

    # 2. Add evidence: the dialog's file chooser, the full profile, start; watch progress.
    _click_action(qtbot, window, window.act_add)
    dialog = _visible_dialog(window, "add_evidence_dialog")
    assert not _ok_button(dialog).isEnabled()
    asked = _type_into_file_dialog(qtbot, image)
    _click(qtbot, _button(dialog, "Add images…"))
    assert asked and dialog.evidence_paths() == [str(image)]
    assert dialog.chosen_profile() == "full"
    ticks: list[Any] = []
    window.ingest.progress.connect(ticks.append)
    with qtbot.waitSignal(window.scan_finished, timeout=60000) as finished:
        _click(qtbot, _ok_button(dialog))
        assert window.progress_panel.isVisible()
    summary = finished.args[0]
    assert summary is not None and summary.status == "completed", summary
    assert ticks and ticks[-1].files_done > 0
    assert not window.progress_panel.isVisible()
    assert "1 evidence item" in window.status_evidence.text()
    workspace = window.workspace
    qtmodeltester.check(workspace.tree_model)

    # 3. PGP keys: every primary key gpg finds in the staged key files is listed.
    _click_tree(qtbot, window, "category", "PGP keys")
    pgp_rows = _table_column(window, "Fingerprint")
    assert _gpg_fingerprints(STAGED_KEY_FILES, "pub") | _gpg_fingerprints(
        SECRET_KEY_FILES, "sec") <= set(pgp_rows)
    cli_keys = _of_type(cli_findings, lambda t: t.startswith("pgp.") and "key" in t)
    assert len(pgp_rows) == len(cli_keys)
    assert sorted(pgp_rows) == sorted(f["attributes"].get("fingerprint") or "" for f in cli_keys)

    # Secret keys: exactly the keys gpg sees as secret, and as many rows as the CLI scan.
    _click_tree(qtbot, window, "secret_keys")
    secret_rows = _table_column(window, "Fingerprint")
    assert set(secret_rows) == _gpg_fingerprints(SECRET_KEY_FILES, "sec")
    cli_secret = [f for f in _of_type(cli_findings, lambda t: t == "pgp.key")
                  if f["attributes"].get("has_secret") is True]
    assert len(secret_rows) == len(cli_secret)
    assert set(_table_column(window, "Secret key present")) == {"yes"}
    assert "yes" in _table_column(window, "Deleted")  # the deleted backup-secret-key.asc

    # 4. Wallets, with their declared columns.
    _click_tree(qtbot, window, "category", "Wallets")
    cli_wallets = _of_type(cli_findings, lambda t: t.startswith("wallet."))
    assert sorted(_table_column(window, "Path")) == sorted(
        f["source"]["path"] or "" for f in cli_wallets)
    encrypted = _table_column(window, "Encrypted")
    assert encrypted.count("yes") == sum(f["attributes"].get("encrypted") is True
                                         for f in cli_wallets)
    assert "Coins" in [workspace.artefact_model.headerData(c, Qt.Orientation.Horizontal)
                       for c in range(workspace.artefact_model.columnCount())]

    # 5. Tor, its Tor Browser type node, and the onion services hosted on the server.
    _click_tree(qtbot, window, "category", "Tor")
    cli_tor = _of_type(cli_findings, lambda t: t in (
        "tor.browser", "tor.state", "tor.config", "tor.execution"))
    assert len(_table_column(window, "Summary")) == len(cli_tor)
    _click_tree(qtbot, window, "type", "Tor Browser installation")
    assert _table_column(window, "Tor Browser version") == ["8.5.1"]
    _click_tree(qtbot, window, "category", "Onion services")
    assert set(_table_column(window, "Hostname")) == ONION_SERVICES
    assert set(_table_column(window, "Has private key")) == {"yes"}

    # 6. The map: one marker per GPS photo, at the coordinates the scan recorded.
    _click_action(qtbot, window, window.act_map)
    markers = workspace.map_view.markers
    photos = [f for f in _of_type(cli_findings, lambda t: t == "media.exif")
              if f["attributes"].get("gps_latitude") is not None]
    assert len(markers) == len(photos) == 4
    assert sorted((round(m.point.latitude, 6), round(m.point.longitude, 6))
                  for m in markers.values()) == sorted(
        (round(f["attributes"]["gps_latitude"], 6), round(f["attributes"]["gps_longitude"], 6))
        for f in photos)
    hidden = next(i for i, m in markers.items() if m.point.label.endswith("wmphoto32.dll"))
    qtbot.mouseClick(workspace.map_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=workspace.map_view.marker_view_position(hidden))
    assert workspace.detail.current == ("artefact", hidden)
    assert "HiddenCam" in workspace.detail.details.toPlainText()

    # 7. Tag Bob's key (secret half present) with the detail pane's Tag button.
    _click_tree(qtbot, window, "secret_keys")
    bob = _gpg_fingerprints(("bob-secret.asc",), "sec").pop()
    row = _table_column(window, "Fingerprint").index(bob)
    _click_row(qtbot, window, row)
    tagged_id = workspace.artefact_model.row_data(row)["id"]
    assert workspace.detail.current == ("artefact", tagged_id)
    _click(qtbot, workspace.detail.tag_button)
    tag_dialog = _visible_dialog(window, "tag_dialog")
    _retype(qtbot, tag_dialog.tag.lineEdit(), "Follow up")
    qtbot.keyClicks(tag_dialog.comment, "buyer's signing key")
    _click(qtbot, _ok_button(tag_dialog))
    assert _table_column(window, "Tags")[row] == "Follow up"
    assert workspace.tree_model.data(workspace.tree_model.find_index("tag", "Follow up")) \
        == "Follow up (1)"

    # 8. Export an HTML report from the toolbar; it lists the tag.
    _click_action(qtbot, window, window.act_export)
    export = _visible_dialog(window, "export_dialog")
    assert export.chosen_format() == "html"
    reports = tmp_path / "reports"
    reports.mkdir()
    _retype(qtbot, export.folder, str(reports))
    with qtbot.waitSignal(window.export_finished, timeout=30000) as exported:
        _click(qtbot, _ok_button(export))
    report = Path(exported.args[0])
    assert report.is_dir() and report.parent == reports
    pages = "".join(p.read_text(encoding="utf-8") for p in report.rglob("*.html"))
    assert '<span class="tag">Follow up</span>' in pages
    assert bob in pages and "signing key" in pages

    # 9. A portable case of the tagged items opens without the image and lists them.
    portable = tmp_path / "portable"
    subprocess.run([sys.executable, "-m", "triage", "export", str(case_file), "--format",
                    "portable", "--tagged-only", "-o", str(portable)],
                   check=True, capture_output=True, cwd=REPO)
    window.close_case()
    image.unlink()
    asked = _type_into_file_dialog(qtbot, portable / "case.triage")
    with qtbot.waitSignal(window.case_opened, timeout=5000):
        _click(qtbot, screen.open_button)
    assert asked
    _click_tree(qtbot, window, "tag", "Follow up")
    assert _table_column(window, "Tags") == ["Follow up"]
    _click_row(qtbot, window, 0)
    detail = window.workspace.detail
    assert detail.current == ("artefact", tagged_id)
    assert bob in detail.details.toPlainText()
    # The viewer explains that the evidence is gone instead of failing.
    qtbot.waitUntil(lambda: detail.text_view.toPlainText() not in ("", "Reading…"),
                    timeout=5000)
