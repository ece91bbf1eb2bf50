"""A stand-in ingest engine that writes rows slowly and calls progress very often."""

from __future__ import annotations

import threading
import time
from typing import Any

from triage.casedb import CaseDatabase
from triage.engine import Progress, RunSummary


class SlowEngine:
    """Writes one artefact per step for ``seconds``; honours cancel like the real engine."""

    instances: list[SlowEngine] = []

    def __init__(self, case_path: str, options: Any, progress: Any,
                 cancel: threading.Event, seconds: float = 1.5) -> None:
        self.case_path, self.progress, self.cancel = case_path, progress, cancel
        self.seconds = seconds
        self.progress_calls = 0
        SlowEngine.instances.append(self)

    def run(self, evidence_paths: list[str]) -> RunSummary:
        case = CaseDatabase.open(self.case_path)
        evidence_id = case.add_evidence(evidence_paths[0], "raw", 0)
        started = time.monotonic()
        step = 0
        status = "completed"
        try:
            while time.monotonic() - started < self.seconds:
                if self.cancel.is_set():
                    status = "cancelled"
                    break
                step += 1
                if step % 50 == 0:
                    case.write_batch(artefacts=[{
                        "type": "crypto.address", "category": "Addresses",
                        "evidence_id": evidence_id, "attributes": {"address": f"slow{step}"},
                        "extractor": "slow", "extractor_version": "1", "identity": f"s{step}",
                    }])
                self.progress_calls += 1
                self.progress(Progress("walking", evidence_paths[0], step, None, step * 10, None,
                                       f"/file{step}", 1000.0, None, 0, step // 50))
                time.sleep(0.001)
        finally:
            case.close()
        return RunSummary(1, status, files=step, seconds=time.monotonic() - started)
