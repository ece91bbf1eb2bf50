"""Pages named in Firefox's JSON files: the session store and bookmark backups.

Both are mozLz4-compressed JSON (``sessionstore.jsonlz4``, ``recovery.jsonlz4``,
``previous.jsonlz4``; ``bookmarkbackups/bookmarks-*.jsonlz4``). The session store lists
windows (open and recently closed), their tabs (open and recently closed) and each tab's
back/forward history; a bookmark backup is the bookmarks tree. The walks are bounded
(depth and count) since the JSON comes from evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from triage.extractors.tor.timefmt import epoch_to_iso

#: Pages read from one file at most, and the deepest bookmark folder followed.
MAX_PAGES = 100_000
MAX_DEPTH = 64


@dataclass
class NamedPage:
    """One page a session store or bookmark backup names, with what it says of it."""

    url: str
    attributes: dict[str, Any]


def _milliseconds(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return epoch_to_iso(value / 1000)
    return None


def _microseconds(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return epoch_to_iso(value / 1_000_000)
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def session_pages(document: Any) -> Iterator[NamedPage]:
    """Pages of a session store: every history entry of every tab of every window, open
    or recently closed; ``tab_closed_at`` is set for closed tabs and windows."""
    if not isinstance(document, dict):
        return
    windows = [(window, None) for window in _list(document.get("windows"))]
    windows += [(window, window.get("closedAt") if isinstance(window, dict) else None)
                for window in _list(document.get("_closedWindows"))]
    count = 0
    for window, window_closed in windows:
        if not isinstance(window, dict):
            continue
        tabs = [(tab, window_closed) for tab in _list(window.get("tabs"))]
        for closed in _list(window.get("_closedTabs")):
            if isinstance(closed, dict):
                tabs.append((closed.get("state"), closed.get("closedAt")))
        for tab, closed_at in tabs:
            if not isinstance(tab, dict):
                continue
            entries = _list(tab.get("entries"))
            selected = tab.get("index")
            for position, entry in enumerate(entries, 1):
                url = _text(entry.get("url")) if isinstance(entry, dict) else None
                if not url:
                    continue
                count += 1
                if count > MAX_PAGES:
                    return
                yield NamedPage(url, {
                    "title": _text(entry.get("title")),
                    "tab_last_accessed": _milliseconds(tab.get("lastAccessed")),
                    # The page the tab showed; the others are its back/forward history.
                    "tab_current": position == selected,
                    "tab_closed_at": _milliseconds(closed_at),
                })


def bookmark_pages(document: Any) -> Iterator[NamedPage]:
    """Bookmarks of a bookmark backup (``uri`` nodes of the tree), with their titles and
    the times they were added and last changed."""
    stack = [(document, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict):
            continue
        url = _text(node.get("uri"))
        if url:
            count += 1
            if count > MAX_PAGES:
                return
            title = _text(node.get("title"))
            yield NamedPage(url, {
                "bookmarked": True,
                "bookmark_titles": [title] if title else [],
                "bookmark_added": _microseconds(node.get("dateAdded")),
                "bookmark_modified": _microseconds(node.get("lastModified")),
            })
        if depth < MAX_DEPTH:
            stack.extend((child, depth + 1) for child in reversed(_list(node.get("children"))))
