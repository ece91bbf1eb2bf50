"""HTML report: self-contained, everything escaped, paginated, every category listed."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.reports.case_builder import HOSTILE_SCRIPT, build_case
from triage.casedb import CaseDatabase
from triage.reports import export
from triage.reports.thumbnails import thumbnail_bytes

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "nav", "a", "h1", "h2", "h3", "table",
    "thead", "tbody", "tr", "th", "td", "p", "span", "b", "br", "div", "img",
}
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.table_rows = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if "id" in values:
            self.ids.add(values["id"] or "")
        if tag == "a":
            self.links.append(values.get("href") or "")
        if tag == "img":
            self.images.append(values.get("src") or "")
        if tag == "tr":
            self.table_rows += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector


def _report(tmp_path: Path, **filters: object) -> Path:
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        export(case, "html", tmp_path / "report", examiner="Dana", **filters)
    return tmp_path / "report"


def test_pages_are_self_contained_and_escaped(tmp_path: Path) -> None:
    report = _report(tmp_path)
    pages = {p.name: _parse(p) for p in report.iterdir()}
    assert "index.html" in pages
    for name, page in pages.items():
        assert set(page.tags) <= ALLOWED_TAGS, (name, set(page.tags) - ALLOWED_TAGS)
        raw = (report / name).read_text(encoding="utf-8")
        assert "<script" not in raw.lower() and "http://" not in raw and "https://" not in raw
        for href in page.links:
            target, _, anchor = href.partition("#")
            assert "/" not in target and ".." not in target
            if target:
                assert target in pages, (name, href)
            if anchor:
                assert anchor in pages[target or name].ids, (name, href)
        assert all(src.startswith("data:image/") for src in page.images)
    index_text = "".join(pages["index.html"].text)
    assert f"Case {HOSTILE_SCRIPT}" in index_text  # shown as text, not run as markup
    for category in ("PGP keys", "Photos", "Addresses"):
        assert category in index_text
    assert "Tagged items" in index_text and "audit log" in index_text


def test_tagged_items_come_first_with_notes(tmp_path: Path) -> None:
    report = _report(tmp_path)
    index = (report / "index.html").read_text(encoding="utf-8")
    assert index.index("Tagged items") < index.index("Artefacts per category")
    tagged = "".join(_parse(report / "tagged-0001.html").text)
    assert f"note {HOSTILE_SCRIPT}" in tagged and f"comment {HOSTILE_SCRIPT}" in tagged
    assert "Follow up" in tagged and "Evidence" in tagged and "Notable" in tagged


def test_large_categories_are_split_into_linked_pages(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("triage.reports.html_report.PAGE_ROWS", 2)
    report = _report(tmp_path)
    pages = sorted(p.name for p in report.glob("type-crypto.address-*.html"))
    assert pages == ["type-crypto.address-0001.html", "type-crypto.address-0002.html"]
    first, second = (_parse(report / p) for p in pages)
    assert "type-crypto.address-0002.html" in first.links
    assert "type-crypto.address-0001.html" in second.links
    # header row plus data rows: 2 + 1 addresses
    assert (first.table_rows - 1, second.table_rows - 1) == (2, 1)
    index = _parse(report / "index.html")
    assert set(pages) <= set(index.links)


def test_category_filter(tmp_path: Path) -> None:
    report = _report(tmp_path, categories=["PGP keys"])
    assert sorted(p.name for p in report.glob("type-*")) == ["type-pgp.key-0001.html"]


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool not installed")
def test_exif_thumbnail_matches_exiftool() -> None:
    photo = CORPUS / "exif-samples" / "jpg" / "Kodak_CX7530.jpg"
    if not photo.exists():
        pytest.skip("exif-samples corpus absent")
    expected = subprocess.run(["exiftool", "-b", "-ThumbnailImage", str(photo)],
                              check=True, capture_output=True).stdout
    data = photo.read_bytes()
    assert len(data) < 32 * 1024
    assert thumbnail_bytes(data, complete=True) == (data, "image/jpeg")  # small: the photo
    assert thumbnail_bytes(data, complete=False) == (expected, "image/jpeg")
    assert thumbnail_bytes(b"<svg onload=alert(1)>", complete=True) is None


def test_end_to_end_report_of_a_scanned_image(tmp_path: Path) -> None:
    from tests.reports.scanned import scan

    case_path = scan(tmp_path, "two_partitions.E01")
    with CaseDatabase.open(case_path) as case:
        export(case, "html", tmp_path / "report")
        evidence = case.list_evidence()[0]
        stats = case.file_statistics()
    index = _parse(tmp_path / "report" / "index.html")
    text = "".join(index.text)
    assert set(index.tags) <= ALLOWED_TAGS
    assert evidence["path"] in text and evidence["stored_hashes"]["md5"] in text
    assert "NTFS / exFAT (0x07)" in text and "Linux (0x83)" in text
    assert f"{stats['entries']:,}" in text


def test_photo_rows_embed_a_thumbnail_read_from_the_evidence(tmp_path: Path, monkeypatch) -> None:
    import base64

    from triage.reports.evidence_files import EvidenceFiles

    photo = CORPUS / "exif-samples" / "jpg" / "Kodak_CX7530.jpg"
    if not photo.exists():
        pytest.skip("exif-samples corpus absent")
    data = photo.read_bytes()

    class Entry:
        size = len(data)

        def read(self, offset: int, size: int) -> bytes:
            return data[offset:offset + size]

    opened: list[str] = []

    def fake_open(self: EvidenceFiles, file: dict) -> tuple[Entry, None]:
        opened.append(file["path"])
        return Entry(), None

    monkeypatch.setattr(EvidenceFiles, "open_file", fake_open)
    report = _report(tmp_path)
    page = _parse(report / "type-media.exif-0001.html")
    expected = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
    assert page.images == [expected] * 3
    assert sorted(opened) == sorted(p for p in opened if p.startswith("/Users/alice/Pictures/"))


def test_a_deleted_source_is_styled_and_cannot_reorder_its_marker() -> None:
    from triage.reports.html_report import _source_cell

    # U+202E would show "holiday\u202egpj.exe (deleted)" as an executable named like a photo
    # and reverse the "(deleted)" marker after it.
    cell = _source_cell({"path": "/holiday\u202egpj.exe", "deleted": 1})
    collector = _Collector()
    collector.feed(cell)
    assert cell.startswith('<span class="mono deleted">')
    assert "".join(collector.text) == "/holiday<U+202E>gpj.exe (deleted)"
    assert _source_cell({"path": "/a.txt", "deleted": 0}).startswith('<span class="mono">')


def test_line_breaks_in_names_are_shown_and_notes_keep_their_lines() -> None:
    """A browser shows a line break as a space: "invoice.pdf\\n\\n.exe" read as
    "invoice.pdf .exe"."""
    from triage.reports.html_page import cell_text

    assert cell_text("invoice.pdf\n\n.exe") == "invoice.pdf&lt;U+000A&gt;&lt;U+000A&gt;.exe"
    assert cell_text("first line\nsecond", single_line=False) == "first line\nsecond"


def test_types_and_categories_whose_names_collide_get_pages_of_their_own(tmp_path: Path) -> None:
    # A newer triage's types, unknown to this one, are kept; names equal but for case,
    # or for characters a file name cannot hold, must not share a page or an anchor.
    built = build_case(tmp_path)
    newer = [("future.Thing", "Future"), ("future.thing", "future"), ("future.a b", "Future"),
             ("future.a_b", "Future")]
    with CaseDatabase.open(built.path) as case:
        evidence_id = case.list_evidence()[0]["id"]
        case.write_batch(files=[], artefacts=[{
            "type": name, "category": category, "evidence_id": evidence_id, "volume_idx": 2,
            "file_identity": None, "path": None, "inode": None, "deleted": False,
            "unallocated": False, "offset": None, "context": None, "attributes": {"n": name},
            "extractor": "future", "extractor_version": "9", "identity": f"future|{name}",
        } for name, category in newer], warnings=[])
        export(case, "html", tmp_path / "report")
        export(case, "csv", tmp_path / "csv")
    report = tmp_path / "report"
    pages = sorted(p.name for p in report.glob("type-future.*.html"))
    assert len(pages) == 4
    seen = set()
    for page in pages:
        text = "".join(_parse(report / page).text)
        seen |= {name for name, _ in newer if f"'n': '{name}'" in text or name in text}
    assert seen == {name for name, _ in newer}
    index = _parse(report / "index.html")
    assert {"cat-future", "cat-future-2"} <= index.ids
    assert len(list((tmp_path / "csv").glob("future.*.csv"))) == 4


def test_items_with_only_a_note_are_in_the_report(tmp_path: Path) -> None:
    """The reports helper's gap: a note on an untagged artefact or file reached CSV and
    JSON lines but not the HTML report."""
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        tagged = {t["artefact_id"] for t in case.conn.execute(
            "SELECT artefact_id FROM tags WHERE artefact_id IS NOT NULL")}
        artefact = next(a for a in case.iter_artefacts() if a["id"] not in tagged)
        file_id = next(f["id"] for f in case.iter_files()
                       if f["id"] not in set(case.tagged_file_ids()))
        case.add_note("seen on the seller's page", "ann", artefact_id=artefact["id"])
        case.add_note("copied from a USB stick", "ann", file_id=file_id)
        export(case, "html", tmp_path / "full")
        export(case, "html", tmp_path / "tagged", tagged_only=True)
    full = "".join("".join(_parse(p).text) for p in (tmp_path / "full").glob("tagged-*.html"))
    assert "seen on the seller's page" in full and "copied from a USB stick" in full
    only = "".join("".join(_parse(p).text) for p in (tmp_path / "tagged").glob("tagged-*.html"))
    assert "seen on the seller's page" not in only


def test_the_report_prints_the_audit_chain_head_the_case_can_be_checked_against(tmp_path):
    report = _report(tmp_path)
    text = "".join(_parse(report / "index.html").text)
    assert "Hash chain:" in text and "hash chain intact" in text
    head = text.split("--audit-head ", 1)[1].split(" ", 1)[0].strip()
    entry, digest = head.split(":")
    built_case = next(tmp_path.glob("**/*.triage"))
    with CaseDatabase.open(built_case, readonly=True) as case:
        status, verdict = case.audit_chain_status((int(entry), digest))
    assert verdict is None and status.intact


def test_every_tag_names_its_examiner_and_time_even_without_a_comment(tmp_path: Path) -> None:
    """The reports helper's finding: a tag without a comment showed only its name."""
    built = build_case(tmp_path)
    with CaseDatabase.open(built.path) as case:
        tagged = {t["artefact_id"] for t in case.conn.execute(
            "SELECT artefact_id FROM tags WHERE artefact_id IS NOT NULL")}
        artefact = next(a for a in case.iter_artefacts() if a["id"] not in tagged)
        case.tag("Evidence", "Dana Examiner", artefact_id=artefact["id"])
        created = case.tags_for(artefact_id=artefact["id"])[0]["created"]
        export(case, "html", tmp_path / "report")
    text = "".join("".join(_parse(p).text) for p in (tmp_path / "report").glob("tagged-*.html"))
    assert f"Dana Examiner, {created}" in text
