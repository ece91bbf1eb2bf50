"""Hash an evidence item's media and compare with the acquisition hash stored in it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from triage.evidence.errors import EvidenceError
from triage.evidence.evidence import open_evidence

READ_SIZE = 8 * 1024 * 1024


@dataclass
class VerificationResult:
    """Computed and stored hashes, and the verdict: verified, mismatch, no stored hash, or
    damaged (the container found damaged chunks, and no stored hash says more)."""

    computed: dict[str, str] = field(default_factory=dict)
    stored: dict[str, str] = field(default_factory=dict)
    verdict: str = "not computed"
    #: Damaged parts of the media the container itself found (EWF chunks whose checksum
    #: failed), one line each; the hashes above cover them as read (zeros).
    damaged: list[str] = field(default_factory=list)


def verify_evidence(
    path: str | os.PathLike[str],
    progress: Callable[[int, int], None] | None = None,
) -> VerificationResult:
    """Read the whole media once, computing MD5, SHA-1 and SHA-256, and compare."""
    with open_evidence(path) as evidence:
        if evidence.format == "folder":
            raise EvidenceError(f"{path}: a folder has no media to hash")
        hashers = {"md5": hashlib.md5(), "sha1": hashlib.sha1(), "sha256": hashlib.sha256()}
        offset = 0
        while offset < evidence.size:
            data = evidence.read(offset, min(READ_SIZE, evidence.size - offset))
            if not data:
                raise EvidenceError(f"{path}: media ends early at byte {offset} of {evidence.size}")
            for hasher in hashers.values():
                hasher.update(data)
            offset += len(data)
            if progress is not None:
                progress(offset, evidence.size)
        result = VerificationResult(
            computed={name: h.hexdigest() for name, h in hashers.items()},
            stored={k: v.lower() for k, v in evidence.stored_hashes().items() if v},
            damaged=[damage.describe() for damage in evidence.take_media_errors(force=True)],
        )
    compared = [name for name in result.stored if name in result.computed]
    if not compared:
        result.verdict = "damaged" if result.damaged else "no stored hash"
    elif all(result.stored[n] == result.computed[n] for n in compared):
        result.verdict = "verified"
    else:
        result.verdict = "mismatch"
    if result.damaged and result.verdict == "verified":
        result.verdict = "damaged"  # the stored hash was taken of the damaged image
    return result

#: Verdicts that make ``verify`` (and ``scan --verify``) exit with failure.
FAILED_VERDICTS = ("mismatch", "damaged")
