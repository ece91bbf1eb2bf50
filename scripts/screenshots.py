"""Save PNG screenshots of the main views (offscreen) so UI changes can be seen.

Usage: python scripts/screenshots.py OUTPUT_FOLDER

Builds a sample case (the UI tests' builder), scans tests/data/images/two_partitions.E01
into it when the image is present, and grabs the start screen, the artefact table with
its detail pane, the file system view, the map and the scan progress panel.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QSettings  # noqa: E402 (platform chosen first)
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.ui.case_builder import build_case  # noqa: E402
from triage.engine import Progress  # noqa: E402
from triage.ui.main_window import MainWindow  # noqa: E402
from triage.ui.settings import UiSettings  # noqa: E402

SIZE = (1400, 860)


def settle(app: QApplication, rounds: int = 5) -> None:
    """Let queued events and content loads finish."""
    for _ in range(rounds):
        app.processEvents()
        QApplication.instance().thread().msleep(30)


def save(window: MainWindow, app: QApplication, folder: Path, name: str) -> None:
    """Grab the window into ``folder/name.png``."""
    settle(app)
    path = folder / f"{name}.png"
    window.grab().save(str(path))
    print(path)


def main(argv: list[str]) -> int:
    """Write the screenshots into ``argv[0]``."""
    if not argv:
        print(__doc__)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="triage-shots-"))
    settings = UiSettings(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    case_path = work / "Operation_Onion.triage"
    case = build_case(case_path, addresses=120, examiner="Dana")
    case.close()
    settings.add_recent_case(str(case_path))
    window = MainWindow(settings)
    window.resize(*SIZE)
    window.show()
    window.start_screen.name.setText("Operation Onion")
    window.start_screen.examiner.setText("Dana")
    save(window, app, folder, "start_screen")

    window.open_case(str(case_path), "Dana")
    workspace = window.workspace
    workspace.select_tree_node("category", "PGP keys")
    workspace.artefact_view.selectRow(0)
    workspace.tag_current("Evidence", "vendor signing key")
    save(window, app, folder, "artefacts")

    workspace.select_tree_node("category", "Addresses")
    workspace.filter.setText("litecoin")
    workspace.apply_filter()
    workspace.artefact_view.selectRow(2)
    save(window, app, folder, "filtered_addresses")

    window.show_map()
    workspace.show_artefact_details(next(iter(workspace.map_view.markers)))
    save(window, app, folder, "map")

    image = REPO / "tests" / "data" / "images" / "two_partitions.E01"
    if image.is_file():
        done: list[object] = []
        window.scan_finished.connect(done.append)
        window.start_scan([str(image)])
        while not done:
            settle(app, 1)
        workspace.show_in_file_system(next(
            f["id"] for f in workspace.case.iter_files() if f["path"] == "/data/deleted_p1.txt"))
        workspace.tree.expandAll()
        save(window, app, folder, "file_system")

    window.progress_panel.start()
    window.progress_panel.update_progress(Progress(
        "walking", str(image), 48213, 112000, 7_400_000_000, 19_800_000_000,
        "/Users/alice/AppData/Roaming/Electrum/wallets/default_wallet", 182_000_000.0, 68.0,
        3, 57))
    save(window, app, folder, "scan_progress")
    window.progress_panel.hide()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
