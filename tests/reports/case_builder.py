"""Build a small populated case with hostile evidence strings, for the export tests.

The case is written through the same CaseDatabase write path the engine uses
(register_artefact_types, add_evidence, upsert_volume, write_batch), so the exports
see exactly the rows a real scan produces. The evidence path points nowhere: nothing
here needs the evidence to be readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.casedb import CaseDatabase
from triage.extractors.interface import ArtefactType, AttributeSpec

HOSTILE_SCRIPT = "<script>alert('x')</script>"
HOSTILE_QUOTE = '"&'
HOSTILE_CDATA = "]]>"
HOSTILE_FORMULA = "=cmd|' /C calc'!A0"
TRAVERSAL_NAME = "../../etc/passwd"
EXAMINER = "Examiner <b>Eve</b>"

TYPES = (
    ArtefactType(
        "pgp.key", "PGP key", "PGP keys",
        (AttributeSpec("fingerprint"), AttributeSpec("user_ids", "list", "User IDs"),
         AttributeSpec("has_secret", "bool", "Secret key")),
        ("fingerprint", "user_ids", "has_secret"),
    ),
    ArtefactType(
        "media.exif", "Photo EXIF", "Photos",
        (AttributeSpec("make"), AttributeSpec("model"),
         AttributeSpec("gps_latitude", "real"), AttributeSpec("gps_longitude", "real"),
         AttributeSpec("gps_altitude", "real"), AttributeSpec("datetime_original")),
        ("make", "model", "gps_latitude", "gps_longitude"),
    ),
    ArtefactType(
        "crypto.address", "Address", "Addresses",
        (AttributeSpec("address"), AttributeSpec("coin")), ("coin", "address"),
    ),
)

#: (latitude, longitude, altitude) of the photos that must become placemarks.
PHOTO_COORDINATES = {
    "/Users/alice/Pictures/liberty.jpg": (40.689247, -74.044502, 10.5),
    f"/Users/alice/Pictures/{HOSTILE_CDATA}{HOSTILE_SCRIPT}.jpg": (-33.8568, 151.2153, None),
}
BAD_COORDINATE_PATH = "/Users/alice/Pictures/broken.jpg"


@dataclass
class BuiltCase:
    """The case file and the ids of the rows the tests look at."""

    path: Path
    artefact_ids: dict[str, int] = field(default_factory=dict)
    file_ids: dict[str, int] = field(default_factory=dict)


def _file(evidence_id: int, volume_idx: int, path: str, size: int, deleted: bool = False,
          kind: str = "file", inode: str = "0", md5: str | None = None) -> dict[str, Any]:
    parent, _, name = path.rpartition("/")
    return {
        "evidence_id": evidence_id, "volume_idx": volume_idx, "path": path,
        "parent": parent or "/", "name": name,
        "extension": name.rpartition(".")[2].lower() if "." in name else None,
        "inode": inode, "kind": kind, "size": size, "deleted": deleted,
        "allocated": not deleted, "meta_type": "d/d" if kind == "dir" else
        ("-/r" if deleted else "r/r"), "mode": 0o755 if kind == "dir" else 0o644,
        "uid": 1000, "gid": 1000, "mtime": 1700000000.75, "atime": 1700000100.0,
        "ctime": 1700000200.0, "crtime": None, "md5": md5,
        "identity": f"{volume_idx}|{inode}|{path}",
    }


def _artefact(evidence_id: int, volume_idx: int | None, type_: str, category: str,
              attributes: dict[str, Any], path: str | None, identity: str,
              unallocated: bool = False, offset: int | None = None) -> dict[str, Any]:
    return {
        "type": type_, "category": category, "evidence_id": evidence_id,
        "volume_idx": volume_idx, "file_identity": None if path is None else identity,
        "path": path, "inode": None, "deleted": False, "unallocated": unallocated,
        "offset": offset, "context": f"ctx {HOSTILE_SCRIPT}", "attributes": attributes,
        "extractor": "test", "extractor_version": "1.0", "identity": "a|" + identity,
    }


def build_case(folder: Path, name: str = "hostile.triage") -> BuiltCase:
    """Create the populated case in ``folder`` and return it with the interesting ids."""
    path = folder / name
    case = CaseDatabase.create(path, name=f"Case {HOSTILE_SCRIPT}", number="2024/7 &",
                               examiner=EXAMINER, description=f"desc {HOSTILE_QUOTE}")
    built = BuiltCase(path)
    try:
        case.register_artefact_types(TYPES)
        evidence_id = case.add_evidence(
            f"/nonexistent/evidence/laptop{HOSTILE_SCRIPT}.E01", "ewf", 8 * 1024 * 1024,
            ["laptop.E01"], {"case_number": HOSTILE_QUOTE}, {"md5": "0" * 32}, EXAMINER,
        )
        case.set_evidence_hashes(evidence_id, {"md5": "1" * 32}, "verified")
        for idx, fs in ((2, "ntfs"), (4, "ext4")):
            case.upsert_volume(evidence_id, {"index": idx, "start": idx * 1048576,
                                             "length": 1048576, "kind": "partition",
                                             "description": f"part {HOSTILE_SCRIPT}",
                                             "fs_type": fs})
        files = [
            _file(evidence_id, 2, "/Users", 0, kind="dir", inode="60"),
            _file(evidence_id, 2, "/Users/alice", 0, kind="dir", inode="61"),
            _file(evidence_id, 2, "/Users/alice/Pictures", 0, kind="dir", inode="62"),
            _file(evidence_id, 2, f"/Users/alice/{HOSTILE_SCRIPT}key.asc", 1200, inode="70"),
            _file(evidence_id, 2, f"/Users/alice/{TRAVERSAL_NAME}", 33, inode="71",
                  md5="5" * 32),
            _file(evidence_id, 4, f"/home/{HOSTILE_FORMULA}.csv", 10, deleted=True, inode="12"),
            _file(evidence_id, 4, "/home/pipe|and\nnewline.txt", 5, inode="13"),
        ]
        for index, photo in enumerate([*PHOTO_COORDINATES, BAD_COORDINATE_PATH]):
            files.append(_file(evidence_id, 2, photo, 2048, inode=str(80 + index)))
        artefacts = [
            _artefact(evidence_id, 2, "pgp.key", "PGP keys", {
                "fingerprint": "ABCD" * 10,
                "user_ids": [f"Mallory {HOSTILE_SCRIPT} {HOSTILE_QUOTE}", HOSTILE_CDATA],
                "has_secret": True, "undeclared": HOSTILE_FORMULA,
            }, files[3]["path"], files[3]["identity"]),
            _artefact(evidence_id, 4, "crypto.address", "Addresses", {
                "address": HOSTILE_FORMULA, "coin": "-btc",
            }, files[5]["path"], files[5]["identity"]),
            _artefact(evidence_id, 2, "crypto.address", "Addresses", {
                "address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "coin": "btc",
            }, files[4]["path"], files[4]["identity"]),
            _artefact(evidence_id, 2, "crypto.address", "Addresses", {
                "address": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "coin": "btc",
            }, None, "unalloc-1", unallocated=True, offset=123456789),
        ]
        for file in files[7:]:
            where = PHOTO_COORDINATES.get(file["path"], (200.0, -74.0, None))
            attributes = {"make": f"Canon {HOSTILE_QUOTE}", "model": f"EOS {HOSTILE_CDATA}",
                          "gps_latitude": where[0], "gps_longitude": where[1],
                          "datetime_original": "2008:05:30 15:56:01"}
            if where[2] is not None:
                attributes["gps_altitude"] = where[2]
            artefacts.append(_artefact(evidence_id, 2, "media.exif", "Photos", attributes,
                                       file["path"], file["identity"]))
        case.write_batch(files=files, artefacts=artefacts, warnings=[{
            "evidence_id": evidence_id, "volume_idx": 2, "path": f"/x/{HOSTILE_SCRIPT}",
            "source": "test", "message": f"could not parse {HOSTILE_SCRIPT} {HOSTILE_CDATA}",
        }])
        for file in case.iter_files():
            built.file_ids[file["path"]] = file["id"]
        for item in case.iter_artefacts():
            key = item["type"] + "|" + (item["path"] or f"@{item['offset']}")
            built.artefact_ids[key] = item["id"]
        key_id = built.artefact_ids[f"pgp.key|{files[3]['path']}"]
        case.tag("Evidence", EXAMINER, artefact_id=key_id, comment=f"comment {HOSTILE_SCRIPT}")
        case.add_note(f"note {HOSTILE_SCRIPT} {HOSTILE_CDATA} {HOSTILE_QUOTE}", EXAMINER,
                      artefact_id=key_id)
        liberty = built.artefact_ids["media.exif|/Users/alice/Pictures/liberty.jpg"]
        case.tag("Notable", EXAMINER, artefact_id=liberty)
        case.tag("Follow up", EXAMINER, file_id=built.file_ids[files[4]["path"]])
    finally:
        case.close()
    return built
