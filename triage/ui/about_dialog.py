"""The About box: version, registered extractors and data credits."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from triage import __version__


def about_html() -> str:
    """Return the About text (version, extractors, map credits)."""
    from triage.extractors import EXTRACTOR_CLASSES

    rows = "".join(
        f"<li><b>{html.escape(cls.NAME)}</b> {html.escape(cls.VERSION)} — "
        f"{html.escape(cls.DESCRIPTION)}</li>" for cls in EXTRACTOR_CLASSES
    ) or "<li>none registered</li>"
    return (
        f"<h2>triage {html.escape(__version__)}</h2>"
        "<p>Offline forensic triage of disk images: PGP keys, cryptocurrency wallets, "
        "Tor artefacts and metadata. Licence: Apache-2.0.</p>"
        f"<h3>Extractors</h3><ul>{rows}</ul>"
        f"<h3>Components</h3>{components_html()}"
        "<h3>Credits</h3><p>Map outlines: Natural Earth (public domain), via world-atlas "
        "(ISC). Icons drawn for triage.</p>"
    )


def components_html() -> str:
    """Return the versions of Python and the bundled libraries as an HTML table."""
    from triage.self_test import component_versions

    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(version)}</td></tr>"
        for name, version in component_versions().items()
    )
    return f"<table>{rows}</table>"


class AboutDialog(QDialog):
    """Shows :func:`about_html`."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About triage")
        self.resize(520, 420)
        text = QTextBrowser()
        text.setHtml(about_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
