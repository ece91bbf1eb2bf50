"""Worker processes share the walk by directory: the result never depends on --jobs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from triage.casedb import CaseDatabase
from triage.engine import IngestEngine, IngestOptions
from triage.engine.volume_walk import SPLIT_AFTER

pytestmark = pytest.mark.skipif(shutil.which("mke2fs") is None, reason="needs mke2fs (e2fsprogs)")


@pytest.fixture(scope="module")
def wide_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ext4 image with one directory larger than a worker keeps to itself, plus a tree."""
    root = tmp_path_factory.mktemp("wide")
    tree = root / "tree"
    wide = tree / "cache"
    wide.mkdir(parents=True)
    for index in range(SPLIT_AFTER + 700):
        (wide / f"entry{index:05d}.txt").write_text(f"note {index}\n")
    (wide / "sub").mkdir()
    (wide / "sub" / "addr.txt").write_text(
        "send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 today\n")
    for depth in range(6):
        deep = tree.joinpath(*[f"d{level}" for level in range(depth + 1)])
        deep.mkdir(parents=True, exist_ok=True)
        (deep / f"file{depth}.bin").write_bytes(bytes(range(256)) * (depth + 1))
    image = root / "wide.raw"
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-b", "1024", "-N", "4096", "-d", str(tree),
                    str(image), "16M"], check=True, capture_output=True)
    return image


def _snapshot(case_path: Path) -> tuple[list[str], list[str], int]:
    with CaseDatabase.open(case_path, readonly=True) as case:
        files = sorted(repr((f["path"], f["inode"], f["md5"], f["mime"], f["deleted"]))
                       for f in case.iter_files())
        artefacts = sorted(repr((a["type"], a["path"], a["offset"], a["attributes"]))
                           for a in case.iter_artefacts())
        warnings = case.count_warnings()
    return files, artefacts, warnings


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_split_directories_give_the_same_result_for_any_number_of_workers(
    tmp_path: Path, wide_image: Path, profile: str
) -> None:
    snapshots = []
    for name, options in (("inline", {"isolate": False}), ("one", {"jobs": 1}),
                          ("two", {"jobs": 2}), ("three", {"jobs": 3})):
        case_path = tmp_path / f"{name}.triage"
        CaseDatabase.create(case_path).close()
        summary = IngestEngine(case_path, IngestOptions(profile=profile, **options)).run(
            [str(wide_image)])
        assert summary.status == "completed"
        snapshots.append(_snapshot(case_path))
    assert all(snapshot == snapshots[0] for snapshot in snapshots[1:])
    files, artefacts, _ = snapshots[0]
    assert sum("/cache/entry" in f for f in files) == SPLIT_AFTER + 700
    assert any("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2" in a for a in artefacts)


def test_every_entry_of_a_split_directory_is_processed_once(tmp_path: Path,
                                                            wide_image: Path) -> None:
    from triage.evidence import open_evidence

    with open_evidence(wide_image) as evidence:
        walked = sorted(entry.path for entry in
                        evidence.volumes()[0].open_filesystem().walk())
    case_path = tmp_path / "two.triage"
    CaseDatabase.create(case_path).close()
    summary = IngestEngine(case_path, IngestOptions(profile="quick", jobs=2)).run(
        [str(wide_image)])
    with CaseDatabase.open(case_path, readonly=True) as case:
        stored = sorted(f["path"] for f in case.iter_files())
    assert stored == walked
    assert summary.files == len(walked)


def test_directory_reached_by_two_paths_gives_the_same_result_for_any_number_of_workers(
    tmp_path: Path,
) -> None:
    """crosslinked.raw: /a/sub is also /b/again and /a/sub/deep/up loops back to /a. Each
    path is listed (as fls lists them), whichever worker reaches the directory first."""
    image = Path(__file__).parents[1] / "data" / "images" / "crosslinked.raw"
    snapshots = []
    for name, options in (("inline", {"isolate": False}), ("one", {"jobs": 1}),
                          ("two", {"jobs": 2}), ("three", {"jobs": 3})):
        case_path = tmp_path / f"{name}.triage"
        CaseDatabase.create(case_path).close()
        IngestEngine(case_path, IngestOptions(profile="full", **options)).run([str(image)])
        snapshots.append(_snapshot(case_path))
    assert all(snapshot == snapshots[0] for snapshot in snapshots[1:])
    files, artefacts, warnings = snapshots[0]
    assert sum("f.txt'" in f for f in files) == 2  # /a/sub/f.txt and /b/again/f.txt
    assert sum("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2" in a for a in artefacts) == 2
    assert warnings == 2  # the two loop entries
