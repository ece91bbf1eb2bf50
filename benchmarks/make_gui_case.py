"""Write a synthetic case for the GUI targets: many files, many artefacts, no image.

The default is the issue's size: 1,000,000 files and 200,000 artefacts over every
registered artefact type, written through :meth:`CaseDatabase.write_batch` exactly as
the engine writes them (so the indexes and the filter text are the real ones). The same
arguments give the same rows (only the case's creation timestamps differ).

Layout: ordinary user folders of 500 entries each, plus one huge directory
(``/Windows/WinSxS``, a tenth of all files) to exercise paging of a single directory.
About 3 % of the artefacts are unallocated hits (no file), about 2 % of files are
deleted, and half of the photos carry GPS coordinates. The word ``needle`` appears in
about 0.5 % of the artefacts and the name ``needle`` in about 0.5 % of the file names,
so filters have something realistic to find.

usage: python benchmarks/make_gui_case.py OUT.triage [--files N] [--artefacts N] [--seed S]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make triage importable from the checkout
    sys.path.insert(0, str(REPO))

from triage.casedb import CaseDatabase  # noqa: E402
from triage.extractors import artefact_types  # noqa: E402
from triage.extractors.interface import ArtefactType  # noqa: E402

DEFAULT_FILES = 1_000_000
DEFAULT_ARTEFACTS = 200_000
BATCH = 20_000
DIRECTORY_SIZE = 500
BIG_DIRECTORY = "/Windows/WinSxS"
FILTER_WORD = "needle"
EVIDENCE_PATH = "/synthetic/gui-benchmark.raw"
USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")
FOLDERS = ("Documents", "Downloads", "Pictures", "AppData/Local/Cache", "AppData/Roaming/App")
EXTENSIONS = (("txt", "text/plain"), ("jpg", "image/jpeg"), ("pdf", "application/pdf"),
              ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              ("dll", "application/x-dosexec"), ("bin", "application/octet-stream"),
              ("sqlite", "application/vnd.sqlite3"))
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
         "november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee "
         "zulu").split()
#: Relative share of each category among the artefacts (types of a category share it).
CATEGORY_WEIGHTS = {
    "Photos": 40, "Addresses": 25, "Onion addresses": 12, "Documents": 10, "Type mismatches": 5,
    "PGP keys": 3, "PGP": 1, "Wallets": 2, "Seeds and keys": 1, "Tor": 0.6,
    "Onion services": 0.4,
}
BASE_TIME = 1_600_000_000.0


@dataclass
class GuiCaseInfo:
    """What was written, for the GUI benchmark and its report."""

    path: Path
    files: int
    directories: int
    artefacts: int
    categories: dict[str, int]
    big_directory: str
    filter_word: str
    seconds: float


def _directory_of(index: int) -> str:
    if index % 10 == 0:
        return BIG_DIRECTORY
    group = index // DIRECTORY_SIZE
    user = USERS[group % len(USERS)]
    folder = FOLDERS[(group // len(USERS)) % len(FOLDERS)]
    return f"/Users/{user}/{folder}/d{group:05d}"


def _all_directories(files: int) -> set[str]:
    """Return every directory holding files, and all their ancestors."""
    leaves = {_directory_of(i) for i in range(1, files, DIRECTORY_SIZE)}
    leaves |= {_directory_of(0)} if files else set()
    every: set[str] = set()
    for path in leaves:
        parts = path.strip("/").split("/")
        every.update("/" + "/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return every


def _directory_rows(paths: set[str]) -> list[dict[str, Any]]:
    rows = []
    for number, path in enumerate(sorted(paths)):
        parent, _, name = path.rpartition("/")
        rows.append({
            "volume_idx": 0, "path": path, "parent": parent or "/", "name": name,
            "extension": None, "inode": f"d{number}", "stream": None, "meta_type": "d/d",
            "kind": "dir", "size": 0, "deleted": 0, "allocated": 1, "mtime": BASE_TIME,
            "atime": BASE_TIME, "ctime": BASE_TIME, "crtime": BASE_TIME, "mode": 0o755,
        })
    return rows


def file_row(index: int, seed: int) -> dict[str, Any]:
    """Return the row of file number ``index``: a pure function of ``index`` and ``seed``.

    Being stateless lets artefacts name their file (by its identity) without a lookup.
    """
    digest = hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=64).digest()
    number = int.from_bytes(digest[:16], "big")
    extension, mime = EXTENSIONS[number % len(EXTENSIONS)]
    number //= len(EXTENSIONS)
    stem = FILTER_WORD if number % 200 == 0 else WORDS[(number // 200) % len(WORDS)]
    name = f"{stem}{index:07d}.{extension}"
    parent = _directory_of(index)
    created = BASE_TIME + int.from_bytes(digest[16:20], "big") % 10**8
    return {
        "volume_idx": 0, "path": f"{parent}/{name}", "parent": parent, "name": name,
        "extension": extension, "inode": str(100 + index), "stream": None, "meta_type": "r/r",
        "kind": "file", "size": int.from_bytes(digest[20:23], "big"),
        "deleted": int(digest[23] < 5),  # about 2 %
        "allocated": 1, "mtime": created + digest[24] * 3600, "atime": created,
        "ctime": created, "crtime": created, "mode": 0o644, "uid": 1000, "gid": 1000,
        "md5": digest[32:48].hex(), "sha256": digest[:32].hex(), "mime": mime,
        "mime_description": mime, "extension_mismatch": 0,
    }


def file_identity(row: dict[str, Any]) -> str:
    """Return the engine's identity of a file row (triage.engine.file_processor.file_identity)."""
    return f"{row['volume_idx']}|{row['inode']}|{row['stream'] or ''}|{row['path']}"


def _value(value_type: str, rng: random.Random) -> Any:
    if value_type == "integer":
        return rng.randrange(0, 5000)
    if value_type == "real":
        return round(rng.uniform(-90, 90), 6)
    if value_type == "bool":
        return rng.random() < 0.5
    if value_type == "datetime":
        return f"20{rng.randrange(10, 25)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}" \
               f"T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
    if value_type == "list":
        return [f"{rng.choice(WORDS)}-{rng.getrandbits(40):010x}" for _ in range(rng.randrange(1, 4))]
    if value_type == "json":
        return {"name": rng.choice(WORDS), "n": rng.randrange(100)}
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.getrandbits(64):016x}"


class AttributeFactory:
    """Makes attribute dicts fast: values come from a fixed pool per value type.

    One random number per artefact picks a different pool entry for each attribute, so
    200,000 artefacts cost 200,000 draws instead of three million.
    """

    POOL = 4093  # prime, so the per-attribute strides below reach every entry

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._pools = {
            kind: [_value(kind, rng) for _ in range(self.POOL)]
            for kind in ("text", "integer", "real", "bool", "datetime", "list", "json")
        }

    def attributes(self, artefact_type: ArtefactType) -> dict[str, Any]:
        """Return the attributes of one artefact of ``artefact_type``."""
        draw = self._rng.getrandbits(32)
        pools = self._pools
        attributes = {
            a.name: pools.get(a.value_type, pools["text"])[(draw + 389 * j) % self.POOL]
            for j, a in enumerate(artefact_type.attributes)
        }
        if artefact_type.name == "media.exif":
            attributes.pop("gps_latitude", None)
            attributes.pop("gps_longitude", None)
            if draw & 1:  # half of the photos are geotagged
                attributes["gps_latitude"] = round((draw >> 1) % 16000 / 100 - 80, 6)
                attributes["gps_longitude"] = round((draw >> 15) % 34000 / 100 - 170, 6)
        if draw % 200 == 1:
            attributes["note"] = f"contains the {FILTER_WORD}"
        return attributes


def _type_cycle(types: dict[str, ArtefactType]) -> list[ArtefactType]:
    by_category: dict[str, list[ArtefactType]] = {}
    for t in types.values():
        by_category.setdefault(t.category, []).append(t)
    # Each category gets its weight (unknown categories a small share), split over its types.
    slots: list[ArtefactType] = []
    for category, members in sorted(by_category.items()):
        weight = CATEGORY_WEIGHTS.get(category, 0.5)
        per_type = max(1, round(weight * 10 / len(members)))
        for t in members:
            slots.extend([t] * per_type)
    return slots


def _artefact_rows(count: int, files: int, seed: int, types: dict[str, ArtefactType],
                   rng: random.Random) -> Iterator[dict[str, Any]]:
    slots = _type_cycle(types)
    factory = AttributeFactory(rng)
    for index in range(count):
        artefact_type = slots[rng.randrange(len(slots))]
        row: dict[str, Any] = {
            "type": artefact_type.name, "category": artefact_type.category, "volume_idx": 0,
            "attributes": factory.attributes(artefact_type), "extractor": "synthetic",
            "extractor_version": "1.0",
            "identity": hashlib.sha1(f"{artefact_type.name}|{index}".encode()).hexdigest(),
        }
        if files and rng.random() >= 0.03:
            file = file_row(rng.randrange(files), seed)
            row.update(file_identity=file_identity(file), path=file["path"],
                       inode=file["inode"], deleted=bool(file["deleted"]))
        else:  # about 3 %: unallocated hits, found in no file
            row.update(unallocated=True, offset=rng.randrange(0, 1 << 34))
        yield row


def make_gui_case(
    path: Path,
    files: int = DEFAULT_FILES,
    artefacts: int = DEFAULT_ARTEFACTS,
    seed: int = 1,
    batch: int = BATCH,
) -> GuiCaseInfo:
    """Create the synthetic case at ``path`` (which must not exist) and describe it."""
    started = time.perf_counter()
    rng = random.Random(seed)
    types = artefact_types()
    case = CaseDatabase.create(path, name="GUI benchmark (synthetic)", examiner="benchmark")
    try:
        evidence_id = case.add_evidence(EVIDENCE_PATH, "raw", 1 << 40)
        case.upsert_volume(evidence_id, {"index": 0, "start": 0, "length": 1 << 40,
                                         "kind": "whole", "description": "synthetic volume",
                                         "fs_type": "ntfs", "block_size": 4096})
        case.register_artefact_types(types.values())
        run_id = case.begin_run("full", ["synthetic"], "benchmark", [evidence_id])
        stamp = {"evidence_id": evidence_id, "run_id": run_id}

        def stamped(row: dict[str, Any]) -> dict[str, Any]:
            row.update(stamp)
            if "identity" not in row:  # artefacts carry their own
                row["identity"] = file_identity(row)
            return row

        directories = _directory_rows(_all_directories(files))
        case.write_batch(files=[stamped(r) for r in directories])
        for start in range(0, files, batch):
            case.write_batch(files=[stamped(file_row(i, seed))
                                    for i in range(start, min(files, start + batch))])
        categories: dict[str, int] = {}
        pending: list[dict[str, Any]] = []
        for row in _artefact_rows(artefacts, files, seed, types, rng):
            categories[row["category"]] = categories.get(row["category"], 0) + 1
            pending.append(stamped(row))
            if len(pending) >= batch:
                case.write_batch(artefacts=pending)
                pending = []
        case.write_batch(artefacts=pending)
        case.finish_run(run_id, "completed", {"files": files, "artefacts": artefacts,
                                              "synthetic": True}, "benchmark")
    finally:
        case.close()
    return GuiCaseInfo(path, files, len(directories), artefacts, dict(sorted(categories.items())),
                       BIG_DIRECTORY, FILTER_WORD, time.perf_counter() - started)


def build_parser() -> argparse.ArgumentParser:
    """Return the generator's argument parser."""
    parser = argparse.ArgumentParser(prog="make_gui_case.py", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="case file to create (must not exist)")
    parser.add_argument("--files", type=int, default=DEFAULT_FILES)
    parser.add_argument("--artefacts", type=int, default=DEFAULT_ARTEFACTS)
    parser.add_argument("--seed", type=int, default=1)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Create the case and print what was written."""
    args = build_parser().parse_args(argv)
    if args.files < 0 or args.artefacts < 0:
        print("make_gui_case: counts must not be negative", file=sys.stderr)
        return 2
    if args.out.exists():
        print(f"make_gui_case: {args.out} exists already", file=sys.stderr)
        return 2
    info = make_gui_case(args.out, args.files, args.artefacts, args.seed)
    print(f"{info.path}: {info.files} files in {info.directories} directories,"
          f" {info.artefacts} artefacts in {len(info.categories)} categories,"
          f" written in {info.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
