"""EWF chunks whose checksum fails are named, checked against ewfverify."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.damaged_ewf import DAMAGED_SECTORS, LAPTOP, damaged_copy, ewfverify_sectors
from triage.evidence import open_evidence
from triage.evidence.verify import verify_evidence


def _read_all(evidence) -> None:
    for offset in range(0, evidence.size, 1 << 20):
        evidence.read(offset, min(1 << 20, evidence.size - offset))


@pytest.mark.skipif(shutil.which("ewfverify") is None, reason="ewf-tools' ewfverify is not installed")
def test_damaged_chunks_match_ewfverify(tmp_path: Path) -> None:
    image = damaged_copy(tmp_path)
    assert ewfverify_sectors(image) == [DAMAGED_SECTORS]
    with open_evidence(image) as evidence:
        assert evidence.reports_media_errors
        _read_all(evidence)
        (damage,) = evidence.take_media_errors()
        line = damage.describe()
        assert evidence.take_media_errors(force=True) == []  # each range is reported once
        assert evidence.read(DAMAGED_SECTORS[0] * 512, 32768) == bytes(32768)
    first, last = DAMAGED_SECTORS
    assert f"(sectors {first}-{last})" in line
    assert f"bytes {first * 512}-{(last + 1) * 512 - 1}" in line


def test_an_intact_image_reports_nothing() -> None:
    with open_evidence(LAPTOP) as evidence:
        assert evidence.reports_media_errors
        _read_all(evidence)
        assert evidence.take_media_errors() == []


def test_whole_raw_images_say_nothing() -> None:
    raw = Path(__file__).resolve().parents[1] / "data" / "images" / "two_partitions.raw"
    with open_evidence(raw) as evidence:
        # Bytes missing inside the media (a short split segment) would be named.
        assert evidence.reports_media_errors
        _read_all(evidence)
        assert evidence.take_media_errors() == []


def test_verify_names_the_damaged_chunk(tmp_path: Path) -> None:
    result = verify_evidence(damaged_copy(tmp_path))
    assert result.verdict == "mismatch"
    assert len(result.damaged) == 1 and "(sectors 5120-5183)" in result.damaged[0]


def test_damage_met_out_of_order_is_reported(tmp_path: Path) -> None:
    """Found by an audit: libewf keeps its list sorted, so a range found below one already
    reported shifted the list, and the new one was never reported."""
    from tests.damaged_ewf import HIGH_CHUNKS, LOW_CHUNK

    image = damaged_copy(tmp_path, (LOW_CHUNK[0], HIGH_CHUNKS[0]))
    reported = []
    with open_evidence(image) as evidence:
        for offset, length in (HIGH_CHUNKS[1], LOW_CHUNK[1]):
            evidence.read(offset, length)
            reported += evidence.take_media_errors(force=True)
    assert [(damage.offset, damage.length) for damage in reported] == [HIGH_CHUNKS[1],
                                                                       LOW_CHUNK[1]]


def test_a_range_that_grows_by_merging_is_reported(tmp_path: Path) -> None:
    """libewf merges touching ranges: the list's length stays 1 while it grows."""
    from tests.damaged_ewf import NEIGHBOUR_CHUNKS

    image = damaged_copy(tmp_path, tuple(place for place, _ in NEIGHBOUR_CHUNKS))
    (first, first_range), (_, second_range) = NEIGHBOUR_CHUNKS
    with open_evidence(image) as evidence:
        evidence.read(*first_range)
        (first_damage,) = evidence.take_media_errors()
        evidence.read(*second_range)
        # Found though libewf's list keeps its length (the ranges merged). Without force
        # the list is re-read once 20 times its last reading's time has passed, which a
        # loaded machine can stretch, so the test asks for a full look.
        (later,) = evidence.take_media_errors(force=True)
    assert (first_damage.offset, first_damage.length) == first_range
    assert (later.offset, later.length) == second_range
