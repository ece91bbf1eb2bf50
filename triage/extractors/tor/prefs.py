"""Read Firefox/Tor Browser ``prefs.js`` and pick out the settings a Tor examiner needs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_PREF = re.compile(
    rb'user_pref\(\s*"((?:[^"\\\r\n]|\\.){1,512})"\s*,\s*'
    rb'("(?:[^"\\\r\n]|\\.){0,65536}"|true|false|-?\d{1,20})\s*\)\s*;'
)
MAX_PREFS = 20_000
#: Preference prefixes kept verbatim: Tor Launcher, Torbutton and the newer torbrowser.*.
TOR_PREF_PREFIXES = (
    "extensions.torlauncher.",
    "extensions.torbutton.",
    "torbrowser.",
    "browser.security_level.",
)
#: Torbutton's security slider values (since Tor Browser 8.5; 3 only existed before).
SECURITY_LEVELS = {1: "safest", 2: "safer", 3: "medium-low (legacy)", 4: "standard"}
_MAX_BRIDGE_LINES = 200


@dataclass
class TorBrowserPrefs:
    """Summary of a Tor Browser profile's prefs.js."""

    prefs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def torbrowser_version(self) -> str | None:
        """The Tor Browser version the profile last ran with, when recorded."""
        for name in (
            "extensions.lastTorBrowserVersion",
            "browser.startup.homepage_override.torbrowser.version",
            "extensions.torbutton.lastBrowserVersion",
            "torbrowser.migration.version_seen",
        ):
            value = self.prefs.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    @property
    def security_slider(self) -> int | None:
        """The raw security slider value (1 safest .. 4 standard), None if never changed."""
        for name in ("browser.security_level.security_slider", "extensions.torbutton.security_slider"):
            value = self.prefs.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        return None

    def bridges(self) -> list[str]:
        """Bridge lines the user configured (new torbrowser.settings and old Tor Launcher)."""
        lines: list[str] = []
        for name, value in sorted(self.prefs.items()):
            if not isinstance(value, str) or not value:
                continue
            if name.startswith(("torbrowser.settings.bridges.bridge_strings.",
                                "extensions.torlauncher.bridgedb_bridge.")):
                lines.append(value)
        return lines[:_MAX_BRIDGE_LINES]

    def bridge_type(self) -> str | None:
        """The built-in bridge type chosen (obfs4, meek-azure, snowflake...), if any."""
        for name in ("torbrowser.settings.bridges.builtin_type",
                     "extensions.torlauncher.default_bridge_type"):
            value = self.prefs.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    def bridges_enabled(self) -> bool | None:
        """Whether bridges were switched on, when the profile records it."""
        value = self.prefs.get("torbrowser.settings.bridges.enabled")
        if isinstance(value, bool):
            return value
        if self.bridge_type() or self.bridges():
            return True
        return None

    def tor_prefs(self) -> dict[str, Any]:
        """All Tor-specific preferences, verbatim."""
        return {k: v for k, v in sorted(self.prefs.items()) if k.startswith(TOR_PREF_PREFIXES)}


def _decode_value(raw: bytes) -> Any:
    if raw == b"true":
        return True
    if raw == b"false":
        return False
    if raw.startswith(b'"'):
        try:
            return json.loads(raw.decode("utf-8", errors="replace"))
        except ValueError:
            return raw[1:-1].decode("utf-8", errors="replace")
    return int(raw)


def parse_prefs(data: bytes) -> TorBrowserPrefs:
    """Parse prefs.js / user.js bytes; never raises."""
    result = TorBrowserPrefs()
    for count, match in enumerate(_PREF.finditer(data)):
        if count >= MAX_PREFS:
            result.warnings.append(f"more than {MAX_PREFS} preferences; the rest were skipped")
            break
        name = match.group(1).decode("utf-8", errors="replace")
        result.prefs[name] = _decode_value(match.group(2))
    if not result.prefs and data.strip():
        result.warnings.append("no user_pref() lines could be read")
    return result
