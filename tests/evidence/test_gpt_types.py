"""GPT partition type GUIDs, checked against sfdisk's own reading of the table."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.evidence.oracles import sfdisk_image
from triage.evidence.gpt_types import gpt_partition_types


def _reader(data: bytes):
    return lambda offset, size: data[offset:offset + size]


def test_types_match_sfdisk(tmp_path: Path) -> None:
    image = tmp_path / "gpt.raw"
    partitions = sfdisk_image(image, 8 << 20, (
        "label: gpt\nstart=2048, size=2048, type=E3C9E316-0B5C-4DB8-817D-F92DF00215AE\n"
        "start=4096, size=2048, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n"
        "start=6144, size=2048, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F\n"))
    expected = {part["start"] * 512: part["type"].upper() for part in partitions}
    assert gpt_partition_types(_reader(image.read_bytes()), 512) == expected
    assert len(expected) == 3


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_never_raises_on_any_bytes(data: bytes) -> None:
    header = b"\x00" * 512 + b"EFI PART" + data
    assert isinstance(gpt_partition_types(_reader(header), 512), dict)
