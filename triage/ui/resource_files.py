"""Locate shipped resources (icons, map outlines) for the UI."""

from __future__ import annotations

from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Return the path of a shipped resource, frozen build or source tree alike."""
    try:
        from triage.resources import resource_path as shared_resource_path
    except ImportError:
        # Until the shared helper exists, resources sit at the repository root.
        return Path(__file__).resolve().parents[2].joinpath("resources", *parts)
    return shared_resource_path(*parts)
