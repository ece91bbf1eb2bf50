"""Where a downloaded file came from: Windows' ``Zone.Identifier`` stream.

Windows (and browsers writing through its attachment API) give a downloaded file an
alternate data stream ``Zone.Identifier``: an INI text with a ``[ZoneTransfer]`` section
whose ``ZoneId`` is the security zone (3 for the Internet) and, since Windows 10,
``HostUrl`` (the download's address) and ``ReferrerUrl`` (the page it was linked from).
"""

from __future__ import annotations

from typing import Any

#: Security zones (URLZONE values).
ZONES = {0: "local computer", 1: "local intranet", 2: "trusted sites", 3: "internet",
         4: "restricted sites"}
#: A Zone.Identifier is a few hundred bytes; more is not one.
MAX_BYTES = 64 * 1024
_KEYS = {"zoneid": "zone_id", "hosturl": "host_url", "referrerurl": "referrer_url",
         "lastwriterpackagefamilyname": "app_package", "appzoneid": "app_zone_id"}


def _text(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    return data.decode("utf-8", errors="replace")


def parse_zone_identifier(data: bytes) -> dict[str, Any] | None:
    """The ``[ZoneTransfer]`` values of a Zone.Identifier (None when there is no such
    section); never raises."""
    if len(data) > MAX_BYTES:
        return None
    text = _text(data)
    if text is None:
        return None
    values: dict[str, Any] = {}
    in_section = False
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if line.startswith("["):
            in_section = line.lower() == "[zonetransfer]"
            continue
        key, sep, value = line.partition("=")
        name = _KEYS.get(key.strip().lower())
        if in_section and sep and name and name not in values:
            values[name] = value.strip()
    if not values:
        return None
    zone = values.get("zone_id")
    if zone is not None:
        values["zone_id"] = int(zone) if zone.isdigit() and len(zone) < 6 else zone
        values["zone"] = ZONES.get(values["zone_id"]) if isinstance(values["zone_id"], int) else None
    return values
