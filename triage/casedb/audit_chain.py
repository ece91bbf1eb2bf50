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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The digest the first entry is chained to.
GENESIS = hashlib.sha256(b"triage audit log").hexdigest()
#: Problems listed one by one; more are counted.
MAX_PROBLEMS = 20


def entry_digest(previous: str, entry: Mapping[str, Any]) -> str:
    """The digest of one audit entry (its stored values) chained to ``previous``."""
    values = [entry["id"], entry["ts"], entry["examiner"], entry["action"], entry["details"]]
    canonical = json.dumps(values, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{canonical}".encode("ascii")).hexdigest()


@dataclass
class ChainStatus:
    """What :func:`verify` found."""

    entries: int = 0
    chained: int = 0
    head_id: int | None = None
    head_digest: str | None = None
    problems: list[str] = field(default_factory=list)
    more_problems: int = 0
    #: False for a case no chain-aware triage has opened writable yet.
    present: bool = True

    @property
    def intact(self) -> bool:
        """True when every entry is chained and every digest matches."""
        return self.present and not self.problems and not self.more_problems

    def problem(self, text: str) -> None:
        """Record one problem (the first :data:`MAX_PROBLEMS` in words)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        else:
            self.more_problems += 1

    def summary(self) -> str:
        """One line for people."""
        if not self.present:
            return (f"{self.entries} entries, not chained yet (the case was made by an earlier"
                    " triage; opening it writable chains them)")
        if self.intact:
            if self.head_id is None:
                return "no entries"
            return (f"{self.entries} entries, hash chain intact; head: entry {self.head_id},"
                    f" SHA-256 {self.head_digest}")
        count = len(self.problems) + self.more_problems
        return (f"{self.entries} entries, hash chain BROKEN ({count} problem"
                f"{'s' if count != 1 else ''}): " + "; ".join(self.problems)
                + (f"; and {self.more_problems} more" if self.more_problems else ""))

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {"entries": self.entries, "chained": self.chained, "intact": self.intact,
                "present": self.present, "head_id": self.head_id,
                "head_digest": self.head_digest,
                "problems": self.problems + ([f"and {self.more_problems} more"]
                                             if self.more_problems else [])}


def verify(entries: Iterable[Mapping[str, Any]], digests: Mapping[int, str]) -> ChainStatus:
    """Check the audit log ``entries`` (in id order, stored values) against the stored
    ``digests`` (entry id -> digest).

    Each entry's digest is recomputed from the stored digest of the chained entry before
    it (present in the log or not), so one changed or removed entry is reported once,
    not with every entry after it.
    """
    status = ChainStatus()
    previous = GENESIS
    chained_ids = sorted(digests)
    position = 0
    seen: set[int] = set()
    unchained: list[int] = []
    for entry in entries:
        status.entries += 1
        entry_id = int(entry["id"])
        seen.add(entry_id)
        stored = digests.get(entry_id)
        if stored is None:
            unchained.append(entry_id)
            continue
        _report_unchained(status, unchained)
        unchained = []
        status.chained += 1
        # The chained entry before this one: a removed entry is still its link.
        while position < len(chained_ids) and chained_ids[position] < entry_id:
            previous = digests[chained_ids[position]]
            position += 1
        if entry_digest(previous, entry) != stored:
            status.problem(f"entry {entry_id} differs from what was chained (changed since)")
        status.head_id, status.head_digest = entry_id, stored
    _report_unchained(status, unchained)
    for missing in sorted(set(digests) - seen):
        status.problem(f"entry {missing} was chained but is no longer in the log (removed)")
    return status


def check_head(status: ChainStatus, digests: Mapping[int, str], head_id: int,
               head_digest: str) -> str | None:
    """Compare the chain with a head printed earlier (a report's): None when the entry
    ``head_id`` still has ``head_digest`` and the chain is intact, else why not."""
    if not status.intact:
        return f"the chain is not intact: {status.summary()}"
    stored = digests.get(head_id)
    if stored is None:
        return f"entry {head_id} is not in the chain"
    if stored.lower() != head_digest.strip().lower():
        return (f"entry {head_id} has digest {stored}, not {head_digest}: the log up to it"
                " was rewritten")
    return None


def _report_unchained(status: ChainStatus, ids: list[int]) -> None:
    if not ids:
        return
    span = f"entry {ids[0]}" if len(ids) == 1 else f"entries {ids[0]} to {ids[-1]}"
    status.problem(f"{span} not chained (written by another program since the case was"
                   " last opened writable)")
