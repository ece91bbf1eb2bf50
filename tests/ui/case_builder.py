"""Build small populated cases for the UI tests without running the engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from triage.casedb import CaseDatabase
from triage.extractors.interface import ArtefactType, AttributeSpec
from triage.ui.workspace import Workspace

TYPES = (
    ArtefactType("pgp.key", "PGP key", "PGP keys",
                 (AttributeSpec("fingerprint"), AttributeSpec("user_ids", "list"),
                  AttributeSpec("has_secret", "bool")), ("fingerprint", "user_ids", "has_secret")),
    ArtefactType("wallet.electrum", "Electrum wallet", "Wallets",
                 (AttributeSpec("wallet_type"), AttributeSpec("encrypted", "bool")),
                 ("wallet_type", "encrypted")),
    ArtefactType("crypto.address", "Address", "Addresses",
                 (AttributeSpec("address"), AttributeSpec("coin")), ("coin", "address")),
    ArtefactType("tor.browser", "Tor Browser", "Tor", (AttributeSpec("version"),), ("version",)),
    ArtefactType("media.exif", "Photo metadata", "Photos",
                 (AttributeSpec("make"), AttributeSpec("model"),
                  AttributeSpec("gps_latitude", "real"), AttributeSpec("gps_longitude", "real")),
                 ("make", "model", "gps_latitude", "gps_longitude")),
)

#: (latitude, longitude) of the GPS photos the sample case holds.
PHOTO_PLACES = ((48.8584, 2.2945), (-33.8568, 151.2153), (40.6892, -74.0445))


def build_case(path: Path, addresses: int = 30, examiner: str = "Tester") -> CaseDatabase:
    """Create a case at ``path`` with one evidence item, a small tree and mixed artefacts."""
    case = CaseDatabase.create(path, name="Sample case", number="42", examiner=examiner)
    case.register_artefact_types(TYPES)
    evidence_id = case.add_evidence("/images/sample.E01", "ewf", 1 << 20)
    case.upsert_volume(evidence_id, {"index": 0, "start": 0, "length": 1 << 20,
                                     "kind": "filesystem", "fs_type": "ntfs"})
    run_id = case.begin_run("full", ["all"], examiner, [evidence_id])
    files = []

    def add(path_: str, kind: str = "file", deleted: bool = False, size: int = 10) -> None:
        parent, _, name = path_.rpartition("/")
        files.append({
            "evidence_id": evidence_id, "volume_idx": 0, "path": path_, "parent": parent or "/",
            "name": name, "extension": name.rpartition(".")[2] if "." in name else None,
            "inode": str(len(files) + 5), "kind": kind, "size": size, "deleted": deleted,
            "allocated": not deleted, "md5": f"{len(files):032x}", "run_id": run_id,
            "identity": f"0:{path_}",
        })

    add("/Users", "dir")
    add("/Users/alice", "dir")
    add("/Users/alice/Pictures", "dir")
    add("/Users/alice/notes.txt")
    add("/Users/alice/secret.asc", size=4000)
    add("/Users/alice/old.wallet", deleted=True)
    for index, _ in enumerate(PHOTO_PLACES):
        add(f"/Users/alice/Pictures/img{index}.jpg", size=2000)
    artefacts = [
        _artefact(evidence_id, run_id, "pgp.key", "PGP keys", "/Users/alice/secret.asc",
                  {"fingerprint": "AAAA1111", "user_ids": ["Alice <a@example.org>"],
                   "has_secret": True}, offset=0),
        _artefact(evidence_id, run_id, "pgp.key", "PGP keys", "/Users/alice/secret.asc",
                  {"fingerprint": "BBBB2222", "user_ids": ["Bob <b@example.org>"],
                   "has_secret": False}, offset=2000),
        _artefact(evidence_id, run_id, "wallet.electrum", "Wallets", "/Users/alice/old.wallet",
                  {"wallet_type": "standard", "encrypted": True}, deleted=True),
        _artefact(evidence_id, run_id, "tor.browser", "Tor", "/Users/alice/notes.txt",
                  {"version": "13.0"}),
    ]
    for index in range(addresses):
        artefacts.append(_artefact(
            evidence_id, run_id, "crypto.address", "Addresses", "/Users/alice/notes.txt",
            {"address": f"1Addr{index:05d}", "coin": "bitcoin" if index % 2 else "litecoin"},
            offset=index * 40, unallocated=index % 10 == 9))
    for index, (lat, lon) in enumerate(PHOTO_PLACES):
        artefacts.append(_artefact(
            evidence_id, run_id, "media.exif", "Photos", f"/Users/alice/Pictures/img{index}.jpg",
            {"make": "Canon", "model": f"EOS {index}", "gps_latitude": lat, "gps_longitude": lon}))
    case.write_batch(files=files, artefacts=artefacts, warnings=[
        {"run_id": run_id, "evidence_id": evidence_id, "volume_idx": 0,
         "path": "/Users/alice/broken.jpg", "source": "media", "message": "truncated JPEG"},
    ])
    case.finish_run(run_id, "completed", {}, examiner)
    return case


def _artefact(evidence_id: int, run_id: int, type_: str, category: str, path: str,
              attributes: dict, offset: int | None = None, deleted: bool = False,
              unallocated: bool = False) -> dict:
    return {
        "type": type_, "category": category, "evidence_id": evidence_id, "volume_idx": 0,
        "file_identity": f"0:{path}", "path": path, "deleted": deleted, "unallocated": unallocated,
        "offset": offset, "attributes": attributes, "extractor": "test", "extractor_version": "1",
        "run_id": run_id, "identity": f"{type_}:{path}:{sorted(attributes.items())}",
    }


def build_directory_case(path: Path, name: str, entries: list[dict]) -> Path:
    """Create a case at ``path`` holding one evidence item (id 1, volume 0) whose file
    rows are ``entries``; return the path."""
    case = CaseDatabase.create(path, name=name)
    case.add_evidence("/img.raw", "raw", 1)
    case.upsert_volume(1, {"index": 0, "start": 0, "length": 1, "kind": "filesystem"})
    case.write_batch(files=entries)
    case.close()
    return path


def open_workspace(qtbot: object, path: Path) -> Iterator[Workspace]:
    """Yield a shown ``Workspace`` on the case at ``path``; shut it and the case after."""
    case = CaseDatabase.open(path)
    view = Workspace(case, "Tester")
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.show()
    yield view
    view.shutdown()
    case.close()
