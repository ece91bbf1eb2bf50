"""Plain data the engine takes and reports: options, progress ticks and the run summary."""

from __future__ import annotations

from dataclasses import dataclass, field

PROFILES = ("quick", "full")
#: Most worker processes a scan starts (each opens the evidence and holds a share of memory).
MAX_JOBS = 64


@dataclass
class IngestOptions:
    """How a scan runs.

    ``quick`` reads metadata of every file and content only of files an extractor or a
    triage rule wants, and skips the unallocated-space scan; ``full`` reads and hashes
    every file and scans unallocated space.
    """

    profile: str = "full"
    extractors: list[str] | None = None
    jobs: int = 1
    examiner: str | None = None
    include_invalid: bool = False
    sha1: bool = False
    unallocated: bool | None = None
    #: Walk in worker processes (guarded by a stall watchdog); False runs in this process.
    isolate: bool = True
    #: Seconds without any progress from the workers before the walk is given up.
    stall_seconds: float = 300.0

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r} (choose {' or '.join(PROFILES)})")
        if not 1 <= self.jobs <= MAX_JOBS:
            raise ValueError(f"jobs must be from 1 to {MAX_JOBS}")
        if self.extractors is not None:
            from triage.extractors import checked_extractor_names

            self.extractors = checked_extractor_names(self.extractors, self.profile)

    @property
    def hashes_everything(self) -> bool:
        """True when every file's content is read and hashed."""
        return self.profile == "full"

    @property
    def scans_unallocated(self) -> bool:
        """True when unallocated space and partition gaps are scanned."""
        return self.profile == "full" if self.unallocated is None else self.unallocated


@dataclass
class Progress:
    """One progress tick, passed to the progress callback (at most about ten a second)."""

    phase: str
    evidence: str
    files_done: int = 0
    files_total: int | None = None
    bytes_done: int = 0
    bytes_total: int | None = None
    current_path: str | None = None
    rate_bytes_per_s: float = 0.0
    eta_seconds: float | None = None
    warnings: int = 0
    artefacts: int = 0


@dataclass
class RunSummary:
    """What a run did, for the CLI summary, the GUI and the run record."""

    run_id: int
    status: str
    volumes: int = 0
    files: int = 0
    deleted_files: int = 0
    bytes_read: int = 0
    artefacts_by_type: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    seconds: float = 0.0
    message: str | None = None
    unallocated_bytes: int = 0
    #: CPU-side seconds per stage: "typing", "hashing", "extractor:<name>", "unallocated".
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def artefacts(self) -> int:
        """Total artefacts written by the run."""
        return sum(self.artefacts_by_type.values())
