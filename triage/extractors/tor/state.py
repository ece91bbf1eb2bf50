"""Parse tor's ``state`` file (doc/state-contents.txt in tor's source).

The file is ``Keyword value`` lines like a torrc. Times inside are UTC; the first comment
line gives the same moment in the machine's local time, so the two together give the
machine's UTC offset when tor last wrote the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from triage.extractors.tor.timefmt import parse_tor_time, tor_time_to_iso

MAX_LINES = 200_000
MAX_GUARDS = 2_000
_LOCAL_HEADER = re.compile(
    r"#\s*Tor state file last generated on (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) local time"
)
_VERSION = re.compile(r"Tor\s+(\d+\.\d+\.\d+(?:\.\d+)?(?:-[A-Za-z0-9.]+)?)")
_GUARD_TIME_KEYS = ("sampled_on", "confirmed_on", "unlisted_since")
_GUARD_INDEX_KEYS = ("sampled_idx", "confirmed_idx")
#: What an examiner must know before putting guard times on a timeline (tor's
#: entrynodes.c: randomize_time(), get_guard_lifetime(); the 0.2.x add_an_entry_guard()).
GUARD_TIMES_NOTE = (
    "Guard times are randomised by tor: sampled_on and confirmed_on are each written as a "
    "time drawn uniformly between the real moment and GUARD_LIFETIME/10 before it "
    "(GUARD_LIFETIME is the GuardLifetime option when set to a day or more, else the "
    "consensus guard-lifetime-days, 120 by default: up to 12 days), so the real moment is "
    "between the written time and that much later, and confirmed_on can be written before "
    "sampled_on. sampled_idx and confirmed_idx give the true order. The older EntryGuard "
    "format's chosen_on (EntryGuardAddedBy) is drawn from the 30 days before the real moment."
)
_BW_FIELD = re.compile(r"BWHistory(\w+?)(Ends|Interval|Values|Maxima)$")


@dataclass
class TorState:
    """The forensically useful content of a tor ``state`` file."""

    tor_version: str | None = None
    tor_version_line: str | None = None
    last_written: str | None = None
    last_written_local: str | None = None
    utc_offset_minutes: int | None = None
    guards: list[dict[str, Any]] = field(default_factory=list)
    transport_proxies: list[str] = field(default_factory=list)
    bandwidth: dict[str, dict[str, Any]] = field(default_factory=dict)
    minutes_since_user_activity: int | None = None
    dormant: str | None = None
    total_build_times: int | None = None
    last_rotated_onion_key: str | None = None
    hs_rev_counters: int = 0
    recognised: bool = False
    warnings: list[str] = field(default_factory=list)

    def attributes(self) -> dict[str, Any]:
        """Return the finding attributes for ``tor.state``."""
        return {
            "tor_version": self.tor_version,
            "tor_version_line": self.tor_version_line,
            "last_written": self.last_written,
            "last_written_local": self.last_written_local,
            "utc_offset_minutes": self.utc_offset_minutes,
            "guard_count": len(self.guards),
            "guards": self.guards,
            "guard_times_note": GUARD_TIMES_NOTE if self.guards else None,
            "transport_proxies": self.transport_proxies,
            "bandwidth": self.bandwidth,
            "minutes_since_user_activity": self.minutes_since_user_activity,
            "dormant": self.dormant,
            "total_build_times": self.total_build_times,
            "last_rotated_onion_key": self.last_rotated_onion_key,
            "hs_rev_counters": self.hs_rev_counters,
        }


def _int_or_none(text: str) -> int | None:
    try:
        return int(text.split()[0])
    except (ValueError, IndexError):
        return None


def _parse_guard(value: str) -> dict[str, Any]:
    fields: dict[str, str] = {}
    for token in value.split():
        key, sep, val = token.partition("=")
        if sep:
            fields[key] = val
    guard: dict[str, Any] = {
        "nickname": fields.get("nickname"),
        "fingerprint": fields.get("rsa_id"),
        "selection": fields.get("in"),
        "sampled_by": fields.get("sampled_by"),
        "listed": fields.get("listed") == "1" if "listed" in fields else None,
    }
    for key in _GUARD_TIME_KEYS:
        if key in fields:
            guard[key] = tor_time_to_iso(fields[key]) or fields[key]
    for key in _GUARD_INDEX_KEYS:
        if key in fields:
            guard[key] = _int_or_none(fields[key])
    if "bridge_addr" in fields:
        guard["bridge_addr"] = fields["bridge_addr"]
    return guard


def _summarise_bandwidth(raw: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for kind, parts in raw.items():
        values = [_int_or_none(v) for v in parts.get("Values", "").split(",") if v.strip()]
        numbers = [v for v in values if v is not None]
        summary[kind] = {
            "ends": tor_time_to_iso(parts["Ends"]) if "Ends" in parts else None,
            "interval_seconds": _int_or_none(parts.get("Interval", "")),
            "intervals": len(numbers),
            "total_bytes": sum(numbers),
        }
    return summary


def parse_state(data: bytes) -> TorState:
    """Parse state-file bytes; never raises, records problems in ``warnings``."""
    state = TorState()
    text = data.decode("utf-8", errors="replace")
    bandwidth_raw: dict[str, dict[str, str]] = {}
    old_guard: dict[str, Any] | None = None
    local_written = None
    written_at = None
    for number, raw_line in enumerate(text.splitlines()[:MAX_LINES], start=1):
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _LOCAL_HEADER.match(line)
            if match:
                local_written = match.group(1)
            continue
        keyword, _, value = line.partition(" ")
        value = value.strip()
        if keyword == "TorVersion":
            state.recognised = True
            state.tor_version_line = value
            match = _VERSION.search(value)
            state.tor_version = match.group(1) if match else value
        elif keyword == "LastWritten":
            state.recognised = True
            written_at = parse_tor_time(value)
            state.last_written = tor_time_to_iso(value)
            if state.last_written is None:
                state.warnings.append(f"line {number}: unreadable LastWritten {value[:40]!r}")
        elif keyword == "Guard":
            state.recognised = True
            if len(state.guards) < MAX_GUARDS:
                state.guards.append(_parse_guard(value))
        elif keyword == "EntryGuard":
            state.recognised = True
            parts = value.split()
            old_guard = {
                "nickname": parts[0] if parts else None,
                "fingerprint": parts[1] if len(parts) > 1 else None,
                "chosen_on": None,
                "format": "EntryGuard",
            }
            if len(state.guards) < MAX_GUARDS:
                state.guards.append(old_guard)
        elif keyword == "EntryGuardAddedBy" and old_guard is not None:
            parts = value.split()
            if len(parts) >= 3:
                old_guard["sampled_by"] = parts[1]
                old_guard["chosen_on"] = (tor_time_to_iso(" ".join(parts[2:4]))
                                          or " ".join(parts[2:]))
        elif keyword in ("EntryGuardDownSince", "EntryGuardUnlistedSince") and old_guard:
            field_name = "down_since" if keyword == "EntryGuardDownSince" else "unlisted_since"
            # DownSince may carry a second time (last attempt) after the first.
            first_time = " ".join(value.split()[:2])
            old_guard[field_name] = tor_time_to_iso(first_time) or value
        elif keyword == "TransportProxy":
            state.transport_proxies.append(value)
        elif keyword == "MinutesSinceUserActivity":
            state.minutes_since_user_activity = _int_or_none(value)
        elif keyword == "Dormant":
            state.dormant = value
        elif keyword == "TotalBuildTimes":
            state.total_build_times = _int_or_none(value)
        elif keyword == "LastRotatedOnionKey":
            state.last_rotated_onion_key = tor_time_to_iso(value)
        elif keyword == "HidServRevCounter":
            state.hs_rev_counters += 1
        else:
            match = _BW_FIELD.match(keyword)
            if match:
                state.recognised = True
                bandwidth_raw.setdefault(match.group(1), {})[match.group(2)] = value
    state.bandwidth = _summarise_bandwidth(bandwidth_raw)
    if local_written:
        state.last_written_local = local_written.replace(" ", "T")
        local = parse_tor_time(local_written)
        if written_at and local:
            state.utc_offset_minutes = round((local - written_at).total_seconds() / 60)
    if not state.recognised:
        state.warnings.append("no TorVersion, LastWritten, guard or bandwidth lines: not a tor state")
    return state


def looks_like_state(data: bytes) -> bool:
    """Cheap check for a tor state file (the name ``state`` alone is far too common)."""
    head = data[:16384]
    return (
        head.startswith(b"# Tor state file")
        or b"\nTorVersion Tor " in head
        or b"\nLastWritten " in head
        or head.startswith((b"TorVersion ", b"LastWritten ", b"Guard in=", b"EntryGuard "))
    )
