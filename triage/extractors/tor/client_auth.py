"""Parse tor's v3 client-authorization files (``ClientOnionAuthDir/*.auth_private``).

Each line is ``<56-char onion address>:descriptor:x25519:<base32 private key>``
(tor manual, CLIENT AUTHORIZATION). The private key is not copied into findings; only
its presence is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triage.extractors.tor.onion import checksum_valid, onion_version, strip_onion

MAX_LINES = 10_000


@dataclass
class ClientAuthEntry:
    """One authorization line: the service it unlocks and where it sits in the file."""

    address: str
    version: int | None
    checksum_valid: bool | None
    key_type: str
    offset: int
    line: str


@dataclass
class ClientAuthFile:
    """All entries of one .auth_private file plus problems met."""

    entries: list[ClientAuthEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_auth_private(data: bytes) -> ClientAuthFile:
    """Parse .auth_private bytes; never raises."""
    result = ClientAuthFile()
    offset = 0
    for number, raw in enumerate(data.split(b"\n")[:MAX_LINES], start=1):
        line_offset = offset
        offset += len(raw) + 1
        text = raw.decode("ascii", errors="replace").strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(":")
        if len(parts) < 4 or parts[1] != "descriptor":
            result.warnings.append(f"line {number}: not '<onion>:descriptor:<type>:<key>'")
            continue
        label = strip_onion(parts[0])
        result.entries.append(
            ClientAuthEntry(
                address=label + ".onion",
                version=onion_version(label),
                checksum_valid=checksum_valid(label),
                key_type=parts[2],
                offset=line_offset + max(raw.find(parts[0].encode("ascii", "replace")), 0),
                line=f"{parts[0]}:descriptor:{parts[2]}:<key>",
            )
        )
    return result
