"""Save PNG screenshots of the main views (offscreen) from a real scan, so changes can be seen.

Usage: python scripts/screenshots.py OUTPUT_FOLDER

Creates a case, scans tests/data/images/seized_laptop.E01 into it through the main
window (the progress panel is grabbed while the scan runs), then grabs the start screen,
the PGP keys with the detail pane, wallets, onion services, the map of GPS photos, the
hex viewer on an address hit and the file system view with a deleted file.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QSettings, Qt  # noqa: E402 (platform chosen first)
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from triage.ui.main_window import MainWindow  # noqa: E402
from triage.ui.settings import UiSettings  # noqa: E402

IMAGE = REPO / "tests" / "data" / "images" / "seized_laptop.E01"
SIZE = (1400, 860)
SETTLE_SECONDS = 10.0


def settle(app: QApplication, rounds: int = 5) -> None:
    """Let queued events run."""
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.03)


def wait_for_content(app: QApplication, window: MainWindow) -> None:
    """Wait until the detail pane's viewers show what the content thread read."""
    deadline = time.monotonic() + SETTLE_SECONDS
    detail = window.workspace.detail
    while detail.text_view.toPlainText() == "Reading…" and time.monotonic() < deadline:
        settle(app, 1)
    settle(app)


def save(window: MainWindow, app: QApplication, folder: Path, name: str) -> None:
    """Grab the window into ``folder/name.png``."""
    settle(app)
    path = folder / f"{name}.png"
    # A 256-colour palette keeps each PNG well under 200 KB; widgets have few colours.
    image = window.grab().toImage().convertToFormat(
        QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.ThresholdDither)
    image.save(str(path), "PNG", 0)
    print(f"{path} ({path.stat().st_size // 1024} KiB)")


def select_row(window: MainWindow, predicate: Any) -> None:
    """Select the first artefact row whose row dict satisfies ``predicate``."""
    workspace = window.workspace
    model = workspace.artefact_model
    row = next((r for r in range(model.rowCount()) if predicate(model.row_data(r))), 0)
    workspace.artefact_view.selectRow(row)
    workspace.artefact_view.scrollTo(model.index(row, 0))


def scan(app: QApplication, window: MainWindow, folder: Path) -> None:
    """Scan the image through the window, grabbing the progress panel on the way."""
    done: list[object] = []
    shot: list[bool] = []

    def on_progress(progress: Any) -> None:
        if not shot and progress.files_done > 0:
            shot.append(True)
            window.workspace.refresh()
            save(window, app, folder, "scan_progress")

    window.ingest.progress.connect(on_progress)
    window.scan_finished.connect(done.append)
    window.workspace.select_tree_node("artefacts_root")
    window.start_scan([str(IMAGE)], "full")
    while not done:
        settle(app, 1)
    window.ingest.progress.disconnect(on_progress)


def main(argv: list[str]) -> int:
    """Write the screenshots into ``argv[0]``."""
    if not argv:
        print(__doc__)
        return 2
    if not IMAGE.is_file():
        print(f"{IMAGE} is missing", file=sys.stderr)
        return 1
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="triage-shots-"))
    settings = UiSettings(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings)
    window.resize(*SIZE)
    window.show()
    screen = window.start_screen
    screen.name.setText("Operation Onion")
    screen.number.setText("2024-08")
    screen.examiner.setText("Dana")
    screen.folder.setText(str(work))
    save(window, app, folder, "start_screen")
    screen.create_button.click()
    workspace = window.workspace
    scan(app, window, folder)

    workspace.select_tree_node("category", "PGP keys")
    workspace.tree.expand(workspace.tree_model.find_index("category", "PGP keys"))
    select_row(window, lambda r: r["type"] == "pgp.key" and r["attributes"].get("has_secret"))
    workspace.tag_current("Evidence", "secret key of the vendor")
    wait_for_content(app, window)
    save(window, app, folder, "artefacts")

    workspace.select_tree_node("category", "Wallets")
    select_row(window, lambda r: r["type"] == "wallet.electrum")
    wait_for_content(app, window)
    save(window, app, folder, "wallets")

    workspace.select_tree_node("category", "Onion services")
    select_row(window, lambda r: r["attributes"].get("version") == 3)
    wait_for_content(app, window)
    save(window, app, folder, "onion_services")

    window.show_map()
    photo = next(i for i, m in workspace.map_view.markers.items()
                 if m.point.label.endswith("wmphoto32.dll"))
    workspace.map_view.highlight(photo)
    workspace.show_artefact_details(photo)
    wait_for_content(app, window)
    save(window, app, folder, "map")

    workspace.select_tree_node("category", "Addresses")
    select_row(window, lambda r: (r["path"] or "").endswith("notes.txt") and r["offset"])
    wait_for_content(app, window)
    workspace.detail.tabs.setCurrentWidget(workspace.detail.hex_view)
    save(window, app, folder, "hex_view")

    deleted = next(f for f in workspace.case.iter_files()
                   if f["path"] == "/Users/alice/Documents/backup-secret-key.asc")
    workspace.show_in_file_system(deleted["id"])
    wait_for_content(app, window)
    workspace.detail.tabs.setCurrentWidget(workspace.detail.details)
    save(window, app, folder, "file_system")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
