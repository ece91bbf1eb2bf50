"""The common result of every wallet-file identifier and its conversion to a Finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..interface import Finding

#: Most addresses recorded per wallet (large wallets hold thousands).
MAX_ADDRESSES = 500

FORMAT = "format"
LOCATION = "location"

# Path fragments that name the coin of a Bitcoin Core fork's data directory.
_PATH_COINS = (
    ("litecoin", "LTC"),
    ("dogecoin", "DOGE"),
    ("dashcore", "DASH"),
    ("/.dash/", "DASH"),
    ("bitcoin", "BTC"),
)


@dataclass
class WalletInfo:
    """A wallet identified in a file or folder."""

    kind: str
    wallet_type: str
    confidence: str
    coin: list[str] = field(default_factory=list)
    encrypted: bool | None = None
    addresses: list[str] = field(default_factory=list)
    app: str | None = None
    extension_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def add_addresses(self, values: list[str]) -> None:
        """Append addresses (deduplicated, capped at ``MAX_ADDRESSES``)."""
        seen = set(self.addresses)
        for value in values:
            if len(self.addresses) >= MAX_ADDRESSES:
                break
            if value not in seen:
                seen.add(value)
                self.addresses.append(value)

    def add_derived_addresses(self, derived: list[dict[str, str]], source: str,
                              receiving: int, change: int, reason: str) -> None:
        """Record addresses derived from the wallet's public key (none: nothing recorded),
        saying from what, which paths and why so many."""
        if not derived:
            return
        self.extra["derived_addresses"] = derived
        self.extra["derived_from"] = (
            f"{source}, m/0/0-{receiving - 1} (receiving) and m/1/0-{change - 1} (change),"
            f" {reason}; the wallet may have used more")

    def to_finding(self, path: str | None = None) -> Finding:
        """Return the ``wallet.<kind>`` finding (``path`` set for folder artefacts)."""
        attributes: dict[str, Any] = {
            "wallet_type": self.wallet_type,
            "coin": sorted(set(self.coin)),
            "encrypted": self.encrypted,
            "addresses": list(self.addresses),
            "confidence": self.confidence,
        }
        if self.app:
            attributes["app"] = self.app
        if self.extension_id:
            attributes["extension_id"] = self.extension_id
        attributes.update(self.extra)
        return Finding(f"wallet.{self.kind}", attributes, path=path)


def coin_from_path(path: str) -> str | None:
    """Guess a Core fork's coin from its data-directory path (None when it says nothing)."""
    lowered = path.lower()
    for fragment, coin in _PATH_COINS:
        if fragment in lowered:
            return coin
    return None
