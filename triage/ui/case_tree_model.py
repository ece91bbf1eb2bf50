"""The case tree: Evidence → volumes → directories, artefacts by category, tags, warnings,
audit log.

Directory children are loaded lazily a page at a time (canFetchMore/fetchMore); counts
are refreshed in place while a scan runs so expanded branches stay expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from triage.casedb import CaseDatabase, ui_queries
from triage.textsafety import visible_controls
from triage.ui.formatting import format_size, plain_tooltip
from triage.ui.icons import category_icon, icon
from triage.ui.paged_table_model import READ_ERRORS

DIRECTORY_PAGE = 500
NODE_ROLE = Qt.ItemDataRole.UserRole + 1

#: The artefact branch, in order: (node kind, label, always shown). Category labels are
#: the categories the extractors emit; "PGP" holds GnuPG homes, messages and signatures.
#: Nodes marked always shown appear with a zero count, so "Wallets (0)" says none was
#: found; categories not listed here follow the known ones alphabetically.
ARTEFACT_LAYOUT = (
    ("category", "PGP keys", True),
    ("secret_keys", "Secret keys", True),
    ("category", "PGP", False),
    ("category", "Wallets", True),
    ("category", "Addresses", True),
    ("category", "Seeds and keys", True),
    ("category", "Tor", True),
    ("category", "Onion services", True),
    ("category", "Onion addresses", True),
    ("category", "Photos", False),
    ("gps", "Photos with GPS", True),
    ("category", "Documents", True),
    ("category", "Type mismatches", True),
)
_ICON_OF_KIND = {
    "evidence_root": "evidence", "evidence": "evidence", "volume": "volume", "dir": "folder",
    "artefacts_root": "artefacts", "gps": "map", "unallocated": "unallocated",
    "tags_root": "tag", "tag": "tag", "tag_files": "file", "warnings": "warning",
    "audit": "document",
    "secret_keys": "secret_key",
}
_EMPTY_COLOUR = "#8a8a8a"

Index = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()


@dataclass(eq=False)
class TreeNode:
    """One node of the case tree; ``payload`` says what the node selects."""

    kind: str
    label: str
    parent: TreeNode | None = None
    count: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    children: list[TreeNode] = field(default_factory=list)
    lazy: bool = False
    loaded: bool = True
    total: int = 0

    def row(self) -> int:
        """Return this node's row under its parent."""
        return self.parent.children.index(self) if self.parent else 0

    def key(self) -> tuple[str, str]:
        """Return a key that identifies the node among its siblings across refreshes."""
        return self.kind, self.payload.get("type") or self.label


class CaseTreeModel(QAbstractItemModel):
    """Tree model over a case (main-thread :class:`CaseDatabase`)."""

    #: Emitted with the error's text when listing a directory failed (a damaged case file).
    load_failed = Signal(str)

    def __init__(self, case: CaseDatabase, parent: Any = None) -> None:
        super().__init__(parent)
        self._case = case
        self._root = TreeNode("root", "")
        self._build()

    # -- building --------------------------------------------------------------------
    def _build(self) -> None:
        self._root.children = []
        evidence_root = self._add(self._root, TreeNode("evidence_root", "Evidence"))
        for evidence in self._case.list_evidence():
            self._add(evidence_root, self._evidence_node(evidence))
        self._add(self._root, TreeNode("artefacts_root", "Artefacts"))
        self._add(self._root, TreeNode("tags_root", "Tags"))
        self._add(self._root, TreeNode("warnings", "Warnings"))
        self._add(self._root, TreeNode("audit", "Audit log"))
        self._refresh_artefact_nodes(notify=False)

    @staticmethod
    def _add(parent: TreeNode, node: TreeNode) -> TreeNode:
        node.parent = parent
        parent.children.append(node)
        return node

    def _evidence_node(self, evidence: dict[str, Any]) -> TreeNode:
        node = TreeNode("evidence", evidence["name"], payload={"evidence": evidence})
        for volume in self._case.list_volumes(evidence["id"]):
            fs = volume.get("fs_type") or volume.get("kind") or "volume"
            label = f"Volume {volume['idx']}: {fs} ({format_size(volume.get('length'))})"
            browsable = volume.get("kind") not in ("meta", "unallocated")
            self._add(node, TreeNode(
                "volume", label, lazy=browsable, loaded=not browsable,
                payload={"evidence_id": evidence["id"], "volume_idx": volume["idx"], "path": "/",
                         "evidence": evidence},
            ))
        return node

    def _artefact_children(self) -> list[TreeNode]:
        counts = ui_queries.artefact_counts_by_category_and_type(self._case)
        types = self._case.artefact_types_info()
        nodes: list[TreeNode] = []
        known = {label for kind, label, _ in ARTEFACT_LAYOUT if kind == "category"}
        for kind, label, always in ARTEFACT_LAYOUT:
            if kind == "category":
                by_type = counts.get(label, {})
                if by_type or always:
                    nodes.append(self._category_node(label, by_type, types))
            elif kind == "secret_keys":
                nodes.append(TreeNode(kind, label, count=ui_queries.count_secret_keys(self._case)))
            elif kind == "gps":
                nodes.append(TreeNode(
                    kind, label, count=ui_queries.count_artefacts_with_coordinates(self._case)))
        for category in sorted(set(counts) - known):
            nodes.append(self._category_node(category, counts[category], types))
        nodes.append(TreeNode("unallocated", "Unallocated hits",
                              count=self._case.count_artefacts(unallocated=True)))
        return nodes

    def _category_node(self, category: str, by_type: dict[str, int],
                       types: dict[str, dict[str, Any]]) -> TreeNode:
        """Return a category node with one child per type when it holds several types."""
        node = TreeNode("category", category, count=sum(by_type.values()),
                        payload={"category": category})
        if len(by_type) > 1:
            for name, count in sorted(by_type.items(), key=lambda item: (-item[1], item[0])):
                label = (types.get(name) or {}).get("label") or name
                self._add(node, TreeNode("type", label, count=count,
                                         payload={"type": name, "category": category}))
        return node

    def _tag_children(self) -> list[TreeNode]:
        """A node per tag counting its artefacts (what it lists), with a 'Files' node
        under it for the files that carry the tag."""
        nodes = []
        for name, (artefacts, files) in self._case.tag_counts_by_kind().items():
            node = TreeNode("tag", name, count=artefacts, payload={"tag": name})
            if files:
                self._add(node, TreeNode("tag_files", "Files", count=files, payload={"tag": name}))
            nodes.append(node)
        return nodes

    # -- refreshing ------------------------------------------------------------------
    def refresh(self) -> None:
        """Update counts, categories, tags and new evidence in place (keeps expansion)."""
        self._refresh_artefact_nodes(notify=True)
        evidence_root = self._root.children[0]
        known = {n.payload["evidence"]["id"] for n in evidence_root.children}
        for evidence in self._case.list_evidence():
            if evidence["id"] not in known:
                position = len(evidence_root.children)
                self.beginInsertRows(self._index_of(evidence_root), position, position)
                self._add(evidence_root, self._evidence_node(evidence))
                self.endInsertRows()
        for node in evidence_root.children:
            self._add_new_volumes(node)

    def _add_new_volumes(self, evidence_node: TreeNode) -> None:
        fresh = self._evidence_node(evidence_node.payload["evidence"]).children
        known = {child.payload["volume_idx"] for child in evidence_node.children}
        for node in fresh:
            if node.payload["volume_idx"] in known:
                continue
            position = len(evidence_node.children)
            self.beginInsertRows(self._index_of(evidence_node), position, position)
            self._add(evidence_node, node)
            self.endInsertRows()

    def reload_evidence(self) -> None:
        """Rebuild the evidence branch (after a scan added files); collapses it."""
        evidence_root = self._root.children[0]
        parent_index = self._index_of(evidence_root)
        if evidence_root.children:
            self.beginRemoveRows(parent_index, 0, len(evidence_root.children) - 1)
            evidence_root.children = []
            self.endRemoveRows()
        evidence = self._case.list_evidence()
        if evidence:
            self.beginInsertRows(parent_index, 0, len(evidence) - 1)
            for item in evidence:
                self._add(evidence_root, self._evidence_node(item))
            self.endInsertRows()

    def _refresh_artefact_nodes(self, notify: bool) -> None:
        groups = ((self._root.children[1], self._artefact_children()),
                  (self._root.children[2], self._tag_children()),
                  (self._root.children[3], None), (self._root.children[4], None))
        for group, fresh in groups:
            if fresh is None:
                group.count = (self._case.count_warnings() if group.kind == "warnings"
                               else ui_queries.count_audit(self._case))
                if notify:
                    index = self._index_of(group)
                    self.dataChanged.emit(index, index)
                continue
            self._merge_children(group, fresh, notify)
        artefacts_root = self._root.children[1]
        # Every artefact has exactly one category, so the category nodes add up to the total.
        artefacts_root.count = sum(n.count or 0 for n in artefacts_root.children
                                   if n.kind == "category")

    def _merge_children(self, group: TreeNode, fresh: list[TreeNode], notify: bool) -> None:
        existing = {child.key(): child for child in group.children}
        parent_index = self._index_of(group) if notify else QModelIndex()
        for position, node in enumerate(fresh):
            old = existing.get(node.key())
            if old is not None:
                if old.count != node.count:
                    old.count = node.count
                    if notify:
                        index = self.createIndex(old.row(), 0, old)
                        self.dataChanged.emit(index, index)
                if node.kind in ("category", "tag"):
                    self._merge_children(old, node.children, notify)
                continue
            position = min(position, len(group.children))
            if notify:
                self.beginInsertRows(parent_index, position, position)
            node.parent = group
            group.children.insert(position, node)
            if notify:
                self.endInsertRows()

    # -- lazy directories ------------------------------------------------------------
    def canFetchMore(self, parent: Index) -> bool:
        node = self._node(parent)
        return node.lazy and (not node.loaded or len(node.children) < node.total)

    def fetchMore(self, parent: Index) -> None:
        node = self._node(parent)
        if not node.lazy:
            return
        payload = node.payload
        try:
            if not node.loaded:
                node.loaded = True
                node.total = ui_queries.count_subdirectories(
                    self._case, payload["evidence_id"], payload["volume_idx"], payload["path"])
            rows = ui_queries.page_subdirectories(
                self._case, payload["evidence_id"], payload["volume_idx"], payload["path"],
                offset=len(node.children), limit=DIRECTORY_PAGE,
            )
        except READ_ERRORS as exc:
            # Keep the children listed so far; asking again would fail again at every paint.
            node.total = len(node.children)
            self.load_failed.emit(str(exc))
            return
        if not rows:
            node.total = len(node.children)
            return
        first = len(node.children)
        self.beginInsertRows(parent, first, first + len(rows) - 1)
        for row in rows:
            child = TreeNode(
                "dir", row["name"], lazy=True, loaded=False,
                payload={"evidence_id": payload["evidence_id"], "volume_idx": payload["volume_idx"],
                         "path": row["path"], "deleted": row["deleted"], "file": row},
            )
            self._add(node, child)
        self.endInsertRows()

    def hasChildren(self, parent: Index = _NO_PARENT) -> bool:
        node = self._node(parent)
        if node.lazy and not node.loaded:
            return True
        return bool(node.children)

    # -- QAbstractItemModel ----------------------------------------------------------
    def _node(self, index: Index) -> TreeNode:
        if index.isValid():
            node = index.internalPointer()
            if isinstance(node, TreeNode):
                return node
        return self._root

    def _index_of(self, node: TreeNode) -> QModelIndex:
        if node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row(), 0, node)

    def index(self, row: int, column: int, parent: Index = _NO_PARENT) -> QModelIndex:
        node = self._node(parent)
        if column != 0 or not 0 <= row < len(node.children):
            return QModelIndex()
        return self.createIndex(row, 0, node.children[row])

    def parent(self, index: Index | None = None) -> Any:  # type: ignore[override]
        if index is None:
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        node = self._node(index)
        return self._index_of(node.parent) if node.parent else QModelIndex()

    def rowCount(self, parent: Index = _NO_PARENT) -> int:
        if parent.column() > 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = _NO_PARENT) -> int:
        return 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            label = visible_controls(node.label, single_line=True)  # directory, evidence, tag names
            return label if node.count is None else f"{label} ({node.count:,})"
        if role == Qt.ItemDataRole.DecorationRole:
            if node.kind in ("category", "type"):
                return category_icon(node.payload["category"])
            if node.kind == "dir" and node.payload.get("deleted"):
                return icon("deleted")
            return icon(_ICON_OF_KIND.get(node.kind, "folder"))
        if role == Qt.ItemDataRole.ForegroundRole:
            if node.payload.get("deleted"):
                return QBrush(QColor("#b03030"))
            if node.count == 0:
                return QBrush(QColor(_EMPTY_COLOUR))
        if role == Qt.ItemDataRole.FontRole and node.parent is self._root:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if node.kind == "dir":
                suffix = " (deleted)" if node.payload.get("deleted") else ""
                return plain_tooltip(node.payload["path"] + suffix)
            if node.kind == "evidence":
                return plain_tooltip(node.payload["evidence"]["path"])
        if role == NODE_ROLE:
            return node
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return "Case"
        return None

    # -- lookups for the main window -------------------------------------------------
    def find_index(self, kind: str, label: str | None = None) -> QModelIndex:
        """Return the index of the first node of ``kind`` (and ``label``) in the top levels.

        Looks at the top-level nodes, their children and the nodes under categories and
        tags (never into lazily loaded directories).
        """
        for top in self._root.children:
            for node in (top, *top.children):
                nested = node.kind in ("category", "tag")
                candidates = (node, *node.children) if nested else (node,)
                for candidate in candidates:
                    if candidate.kind == kind and (label is None or candidate.label == label):
                        return self._index_of(candidate)
        return QModelIndex()

    def node_at(self, index: Index) -> TreeNode:
        """Return the node behind an index (the invisible root for an invalid one)."""
        return self._node(index)
