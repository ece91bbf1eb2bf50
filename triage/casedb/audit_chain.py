"""Tamper evidence for the audit log: a SHA-256 hash chain over its entries.

Triggers keep SQL from changing or removing audit entries, but a program that drops them
can. Each entry therefore gets a digest over its stored values and the digest of the
entry before it (table ``audit_chain``)::

    digest(n) = SHA-256( digest(n-1) + "\\n" + JSON [id, ts, examiner, action, details] )

with ``digest(0)`` = :data:`GENESIS`, the JSON in ASCII without spaces and ``details``
the stored text as it is. Changing, removing or slipping in an entry breaks the chain
from there on (:func:`verify`). Someone who rewrites the log can also recompute every
digest after it, so reports print the chain's head (the last entry's id and digest):
the case can later be checked against that head (``triage info CASE --audit-head``).

This module holds no SQL; :mod:`triage.casedb.review` stores and reads the digests.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The digest the first entry is chained to.
GENESIS = hashlib.sha256(b"triage audit log").hexdigest()
#: Problems listed one by one (those of the lowest entry numbers); more are counted.
MAX_PROBLEMS = 20
#: Problems kept in memory; beyond these only their number and lowest entry id.
KEPT_PROBLEMS = 10_000


def entry_digest(previous: str, entry: Mapping[str, Any]) -> str:
    """The digest of one audit entry (its stored values) chained to ``previous``.

    Text another program stored that is not UTF-8 is read with its undecodable bytes as
    lone surrogates (``surrogateescape``), which the ASCII JSON writes as ``\\udcXX``.
    """
    values = [entry["id"], entry["ts"], entry["examiner"], entry["action"], entry["details"]]
    canonical = json.dumps(values, ensure_ascii=True, separators=(",", ":"))
    text = f"{previous}\n{canonical}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


#: Actions of the entries the chain writes about itself.
CHAIN_STARTED, CHAIN_EXTENDED, CHAIN_RESTARTED = (
    "audit.chain_started", "audit.chain_extended", "audit.chain_restarted")


@dataclass
class ChainStatus:
    """What :func:`verify` found."""

    entries: int = 0
    chained: int = 0
    head_id: int | None = None
    head_digest: str | None = None
    #: False for a case with no chain table.
    present: bool = True
    #: ``(entry id, what is wrong, counts against a printed head)``, all of them up to
    #: :data:`KEPT_PROBLEMS`; beyond that only counted, with the lowest entry id.
    found: list[tuple[int, str, bool]] = field(default_factory=list)
    uncounted: int = 0
    lowest_uncounted: int | None = None

    @property
    def problems(self) -> list[tuple[int, str]]:
        """The :data:`MAX_PROBLEMS` problems of the lowest entry numbers, in order."""
        return [(at, text) for at, text, _ in sorted(self.found)[:MAX_PROBLEMS]]

    @property
    def more_problems(self) -> int:
        """How many problems :attr:`problems` leaves out."""
        return max(0, len(self.found) - MAX_PROBLEMS) + self.uncounted

    @property
    def intact(self) -> bool:
        """True when every entry is chained and every digest matches."""
        return self.present and not self.found and not self.uncounted

    def problem(self, entry_id: int, text: str, against_head: bool = True) -> None:
        """Record one problem; ``against_head`` False for one that a head printed after
        it is not affected by (the chain's restart: the head covers the new chain)."""
        if len(self.found) < KEPT_PROBLEMS:
            self.found.append((entry_id, text, against_head))
            return
        self.uncounted += 1
        if self.lowest_uncounted is None or entry_id < self.lowest_uncounted:
            self.lowest_uncounted = entry_id

    def problems_up_to(self, entry_id: int) -> list[str]:
        """The problems of entries up to ``entry_id`` (a printed head's)."""
        found = [text for at, text, counts in sorted(self.found)
                 if counts and at <= entry_id][:MAX_PROBLEMS]
        if self.lowest_uncounted is not None and self.lowest_uncounted <= entry_id:
            found.append("and more beyond the problems kept")
        return found

    def summary(self) -> str:
        """One line for people."""
        if not self.present and not self.found:
            return (f"{self.entries} entries, not chained yet (the case was made by an earlier"
                    " triage; opening it writable chains them)")
        if self.intact:
            if self.head_id is None:
                return "no entries"
            return (f"{self.entries} entries, hash chain intact; head: entry {self.head_id},"
                    f" SHA-256 {self.head_digest}")
        count = len(self.found) + self.uncounted
        return (f"{self.entries} entries, hash chain BROKEN ({count} problem"
                f"{'s' if count != 1 else ''}): "
                + "; ".join(text for _, text in self.problems)
                + (f"; and {self.more_problems} more" if self.more_problems else ""))

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {"entries": self.entries, "chained": self.chained, "intact": self.intact,
                "present": self.present, "head_id": self.head_id,
                "head_digest": self.head_digest,
                "problems": [text for _, text in self.problems]
                + ([f"and {self.more_problems} more"] if self.more_problems else [])}


def verify(rows: Iterable[tuple[Mapping[str, Any], str | None]],
           orphans: Mapping[int, str], present: bool = True) -> ChainStatus:
    """Check the audit log against its chain.

    ``rows`` are the log's entries in id order (stored values) each with its stored
    digest (None when unchained); ``orphans`` the stored digests of entries no longer in
    the log; ``present`` False when the case has no chain table (only the numbering is
    checked then). Each entry's digest is recomputed from the stored digest of the
    chained entry before it (present in the log or not), so one changed or removed
    entry is reported once, not with every entry after it. Triage numbers entries 1, 2,
    3, ... with no gaps (nothing is ever removed, a rolled-back entry's number is used
    again), so a number skipped is an entry removed.
    """
    status = ChainStatus(present=present)
    previous = GENESIS
    removed = sorted(orphans)
    position = 0
    unchained: list[int] = []
    last_number = 0
    for entry, stored in rows:
        status.entries += 1
        entry_id = int(entry["id"])
        if entry_id > last_number + 1 and last_number >= 0:
            hole = _first_hole(last_number + 1, entry_id, removed)
            if hole is not None:
                more = f" (and perhaps more up to {entry_id - 1})" if hole < entry_id - 1 else ""
                status.problem(hole, f"entry {hole}{more} missing from the log (removed)")
        last_number = max(last_number, entry_id)
        if entry["action"] == CHAIN_RESTARTED:
            status.problem(entry_id, f"the chain was removed by another program and started"
                                     f" again at entry {entry_id}: the entries before it are"
                                     " not protected", against_head=False)
        if not present:
            continue
        if stored is None:
            unchained.append(entry_id)
            continue
        _report_unchained(status, unchained)
        unchained = []
        status.chained += 1
        # The chained entry before this one: a removed entry is still its link.
        while position < len(removed) and removed[position] < entry_id:
            previous = orphans[removed[position]]
            position += 1
        if entry_digest(previous, entry) != stored:
            status.problem(entry_id, f"entry {entry_id} differs from what was chained"
                                     " (changed since)")
        previous = stored
        status.head_id, status.head_digest = entry_id, stored
    _report_unchained(status, unchained)
    for missing_id in removed:
        status.problem(missing_id, f"entry {missing_id} was chained but is no longer in the"
                                   " log (removed)")
    return status


def _first_hole(first: int, stop: int, removed: list[int]) -> int | None:
    """The first number in ``first`` .. ``stop - 1`` that is not a removed chained entry
    (those are reported as such), or None; ``removed`` sorted. Costs a look-up and the
    removed entries in the range, not the range's length."""
    at = bisect_left(removed, first)
    candidate = first
    while candidate < stop and at < len(removed) and removed[at] == candidate:
        candidate += 1
        at += 1
    return candidate if candidate < stop else None


def check_head(status: ChainStatus, head_id: int, head_digest: str,
               stored: str | None) -> str | None:
    """Compare the chain with a head printed earlier (a report's): None when entry
    ``head_id`` still has ``head_digest`` (``stored`` is its digest now) and nothing up
    to it is wrong, else why not. Problems of later entries do not count here."""
    if not status.present and not status.problems:
        return "the case has no hash chain yet"
    wrong = status.problems_up_to(head_id)
    if wrong:
        return "the chain up to it is not intact: " + "; ".join(wrong)
    if stored is None:
        return f"entry {head_id} is not in the chain"
    if stored.lower() != head_digest.strip().lower():
        return (f"entry {head_id} has digest {stored}, not {head_digest}: the log up to it"
                " was rewritten")
    return None


def _span(ids: list[int]) -> str:
    return f"entry {ids[0]}" if len(ids) == 1 else f"entries {ids[0]} to {ids[-1]}"


def _report_unchained(status: ChainStatus, ids: list[int]) -> None:
    if ids:
        status.problem(ids[0], f"{_span(ids)} not chained (written by another program since"
                               " the case was last opened writable)")
