"""The file filters fold case in every script, not only for ASCII letters."""

from __future__ import annotations

from pathlib import Path

from triage.casedb import CaseDatabase, ui_queries

NAMES = ["été.txt", "ÉTÉ.txt", "Été-notes.txt", "ete.txt", "ΣΊΣΥΦΟΣ.doc", "σίσυφος.doc",
         "straße.pdf", "STRASSE.pdf", "100%_done.txt", "plain.txt"]


def _case(tmp_path: Path) -> CaseDatabase:
    case = CaseDatabase.create(tmp_path / "fold.triage", name="fold")
    case.add_evidence("/img.raw", "raw", 1)
    case.upsert_volume(1, {"index": 0, "start": 0, "length": 1, "kind": "filesystem"})
    case.write_batch(files=[{
        "evidence_id": 1, "volume_idx": 0, "path": f"/docs/{name}", "parent": "/docs",
        "name": name, "kind": "file", "size": 1, "identity": f"0:{name}"} for name in NAMES])
    return case


def _oracle(text: str) -> list[str]:
    """Python's own Unicode case folding, name by name."""
    return sorted(name for name in NAMES if text.casefold() in name.casefold())


def test_all_files_and_directory_filters_fold_every_script(tmp_path: Path) -> None:
    case = _case(tmp_path)
    try:
        for text in ("été", "ÉTÉ", "σίσυφος", "ΣΊΣΥΦΟΣ", "straße", "ete", "100%_", "PLAIN"):
            expected = _oracle(text)
            files = sorted(f["name"] for f in case.page_files(1, text, limit=100))
            listing = sorted(f["name"] for f in ui_queries.page_directory(
                case, 1, 0, "/docs", text, limit=100))
            assert files == listing == expected, text
            assert case.count_files(1, text) == len(expected)
            assert ui_queries.count_directory(case, 1, 0, "/docs", text) == len(expected)
        # The case is meaningful: LIKE alone found only 'été.txt' of these three.
        assert len(_oracle("été")) == 3
    finally:
        case.close()


def _artefact_case(tmp_path: Path) -> CaseDatabase:
    case = CaseDatabase.create(tmp_path / "fold_artefacts.triage", name="fold")
    case.add_evidence("/img.raw", "raw", 1)
    case.write_batch(artefacts=[{
        "type": "pgp.key", "category": "PGP keys", "evidence_id": 1, "volume_idx": 0,
        "path": "/keys/k.asc", "attributes": {"user_id": name}, "extractor": "pgp",
        "extractor_version": "1", "identity": f"k{index}"} for index, name in enumerate(NAMES)])
    return case


def _artefact_names(case: CaseDatabase, text: str) -> list[str]:
    return sorted(a["attributes"]["user_id"] for a in case.page_artefacts(filter_text=text, limit=100))


def test_artefact_filter_folds_every_script(tmp_path: Path) -> None:
    case = _artefact_case(tmp_path)
    try:
        for text in ("été", "ÉTÉ", "σίσυφος", "ΣΊΣΥΦΟΣ", "straße", "STRASSE", "Strasse", "ß",
                     "ete", "100%_", "PLAIN"):
            expected = _oracle(text)
            assert _artefact_names(case, text) == expected, text
            assert case.count_artefacts(filter_text=text) == len(expected), text
        # 'STRASSE' and 'straße' differ under lower(); only case folding matches them.
        assert _oracle("STRASSE") == ["STRASSE.pdf", "straße.pdf"]
    finally:
        case.close()


def test_artefact_filter_reads_summaries_stored_lower_cased(tmp_path: Path) -> None:
    """Cases written before summaries were case-folded hold them lower-cased."""
    case = _artefact_case(tmp_path)
    try:
        case.conn.execute("UPDATE artefacts SET summary = lower(?) || ' ' || id"
                          " WHERE identity = 'k6'", ("/keys/k.asc pgp.key straße.pdf",))
        case.conn.commit()
        assert "straße.pdf" in _artefact_names(case, "Straße")
    finally:
        case.close()
