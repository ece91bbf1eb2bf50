"""What an export covers: the tagged-only and category filters shared by every format."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from triage.casedb import CaseDatabase
from triage.casedb.portable import iter_selected_files
from triage.reports.errors import ExportError


@dataclass(frozen=True)
class Selection:
    """The filters of one export; ``categories`` None means every category."""

    tagged_only: bool = False
    categories: tuple[str, ...] | None = None

    def artefacts(self, case: CaseDatabase, types: list[str] | None = None
                  ) -> Iterator[dict[str, Any]]:
        """Stream the selected artefacts (of some types), in id order."""
        return case.iter_artefacts(
            types=types, categories=list(self.categories) if self.categories else None,
            tagged_only=self.tagged_only,
        )

    def files(self, case: CaseDatabase) -> Iterator[dict[str, Any]]:
        """Stream the selected files: all, or those of selected artefacts plus tagged files."""
        return iter_selected_files(
            case, self.tagged_only, list(self.categories) if self.categories else None
        )

    def count(self, case: CaseDatabase, types: list[str] | None = None) -> int:
        """Count the selected artefacts (of some types)."""
        return case.count_artefacts(
            types=types, categories=list(self.categories) if self.categories else None,
            tagged_only=self.tagged_only,
        )

    def wants_category(self, category: str) -> bool:
        """True when artefacts of ``category`` are part of this export."""
        return self.categories is None or category in self.categories


def make_selection(case: CaseDatabase, tagged_only: bool, categories: list[str] | None
                   ) -> Selection:
    """Build a Selection, refusing category names the case does not know."""
    if not categories:
        return Selection(tagged_only, None)
    known = set(case.artefact_counts_by_category())
    known.update(t["category"] for t in case.artefact_types_info().values())
    unknown = [c for c in categories if c not in known]
    if unknown:
        listing = ", ".join(sorted(known)) or "none"
        raise ExportError(f"unknown category {unknown[0]!r} (this case has: {listing})")
    return Selection(tagged_only, tuple(dict.fromkeys(categories)))


def artefact_types_in_case(case: CaseDatabase, selection: Selection) -> list[dict[str, Any]]:
    """Return type info (name, label, category, attributes, columns) of the selected types.

    Types found in the case but missing from the registry get an entry with no declared
    attributes, so nothing found is silently left out.
    """
    info = case.artefact_types_info()
    result = []
    for name in case.artefact_counts_by_type():
        entry = info.get(name)
        if entry is None:
            first = case.page_artefacts(types=[name], limit=1)
            category = first[0]["category"] if first else name.partition(".")[0]
            entry = {"name": name, "label": name, "category": category,
                     "attributes": [], "columns": []}
        if selection.wants_category(entry["category"]) and selection.count(case, [name]):
            result.append(entry)
    return sorted(result, key=lambda t: (t["category"], t["name"]))
