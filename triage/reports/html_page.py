"""Building blocks of the HTML report: escaping, the page shell with inline CSS, pagination.

Pages are self-contained: one inline style sheet, no scripts, no external fonts,
images or links outside the report folder. Every string that reaches a page goes
through :func:`esc` (``html.escape`` with ``quote=True``) unless it is markup this
module built itself.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from triage.textsafety import visible_controls

#: Longest text shown in one table cell; the CSV and JSON-lines exports keep full values.
MAX_CELL_CHARS = 1000

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:1.5em;
color:#1b1b1b;background:#fff;font-size:14px}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ccc}
h3{font-size:1.05em;margin-top:1.2em}
table{border-collapse:collapse;margin:.5em 0 1em;width:100%}
th,td{border:1px solid #d0d0d0;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef1f5;position:sticky;top:0}
tr:nth-child(even) td{background:#fafafa}
td{word-break:break-word;max-width:40em}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
.deleted{color:#a40000}.muted{color:#666}.tag{background:#fff3c4;border:1px solid #e0c560;
border-radius:3px;padding:0 4px;margin-right:3px;white-space:nowrap}
.note{border-left:3px solid #7a9cc6;padding-left:6px;margin:2px 0;white-space:pre-wrap}
nav{margin:.5em 0 1em}nav a{margin-right:1em}
img.thumb{max-width:160px;max-height:120px}
.count{text-align:right}
.warning{border:1px solid #a40000;background:#fdecea;padding:4px 8px}
"""


def esc(value: Any, single_line: bool = True) -> str:
    """Escape any value for HTML text or a quoted attribute (None becomes ''). A browser
    shows line breaks as spaces ("invoice.pdf\n\n.exe" as "invoice.pdf .exe"), so they are
    shown as ``<U+000A>`` unless the text keeps its lines (``single_line=False``, in an
    element that keeps white space)."""
    return html.escape(visible_controls("" if value is None else str(value), single_line),
                       quote=True)


def cell_text(value: Any, single_line: bool = True) -> str:
    """Escape a value for a table cell, shortening very long text."""
    text = "" if value is None else str(value)
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS] + f"… ({len(text) - MAX_CELL_CHARS} more characters)"
    return esc(text, single_line)


def table(header: Iterable[str], rows: Iterable[str], css: str = "") -> str:
    """Return a table; ``header`` holds plain text, ``rows`` are ready-made ``<tr>`` markup."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    klass = f' class="{esc(css)}"' if css else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def row(cells: Iterable[str]) -> str:
    """Return a ``<tr>`` of cells that are already escaped markup."""
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def page(title: str, body: str, nav: str = "") -> str:
    """Return a complete HTML document."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">"
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f"{nav}<h1>{esc(title)}</h1>{body}{nav}</body></html>\n"
    )


def write_page(path: Path, title: str, body: str, nav: str = "") -> None:
    """Write one page (UTF-8; unencodable characters from evidence are replaced)."""
    with open(path, "x", encoding="utf-8", errors="replace", newline="\n") as handle:
        handle.write(page(title, body, nav))


def link(href: str, text: str) -> str:
    """Return an ``<a>`` to a page this report wrote (``href`` is never evidence text)."""
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def write_paged_table(
    folder: Path,
    stem: str,
    title: str,
    header: list[str],
    rows: Iterator[str],
    page_rows: int,
    intro: str = "",
) -> list[tuple[str, int]]:
    """Write ``rows`` as linked pages ``<stem>-0001.html`` ... of ``page_rows`` rows each.

    Rows are consumed as a stream (one page in memory at a time). Returns
    ``[(file name, rows on that page), ...]``; nothing is written when there are no rows.
    """
    pages: list[tuple[str, int]] = []
    pending = next(rows, None)
    number = 0
    while pending is not None:
        number += 1
        chunk = [pending, *itertools.islice(rows, page_rows - 1)]
        pending = next(rows, None)
        name = f"{stem}-{number:04d}.html"
        parts = [link("index.html", "Report index")]
        if number > 1:
            parts.append(link(f"{stem}-{number - 1:04d}.html", "« Previous page"))
        if pending is not None:
            parts.append(link(f"{stem}-{number + 1:04d}.html", "Next page »"))
        nav = "<nav>" + "".join(parts) + "</nav>"
        first = (number - 1) * page_rows + 1
        body = (
            f"{intro}<p class=\"muted\">Page {number}: rows {first}–{first + len(chunk) - 1}</p>"
            + table(header, chunk)
        )
        write_page(folder / name, f"{title} — page {number}", body, nav)
        pages.append((name, len(chunk)))
    return pages
