"""The common result of the metadata parsers: attributes plus warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class MetadataResult:
    """What one parser read from one file.

    ``attributes`` holds only the values that were present (JSON-serialisable);
    ``warnings`` explains what could not be read (corrupt, truncated, over a cap).
    """

    attributes: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def set(self, name: str, value: Any) -> None:
        """Store ``value`` under ``name`` unless it is empty (None, '' or [])."""
        if value is None or value == "" or value == []:
            return
        self.attributes[name] = value


def signed_coordinate(magnitude: float, ref: str, negative: str, limit: float, axis: str,
                      result: MetadataResult) -> float | None:
    """``magnitude`` degrees signed by its hemisphere ``ref`` (negative when it is
    ``negative``, 'S' or 'W'); None with a warning when outside +-``limit``."""
    value = -magnitude if ref == negative else magnitude
    if not -limit <= value <= limit:
        result.warnings.append(f"GPS {axis} {value} out of range; ignored")
        return None
    return value
