"""Document metadata (OOXML, ODF, OLE2, PDF) against the built-in values, exiftool and hostile input."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
import zipfile
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractors.metadata.builders import docx_file, odt_file
from tests.extractors.metadata.conftest import SAMPLES, exiftool_json
from tests.extractors.metadata.samples import DOC, DOCX, EXPECTED, ODT, PDF_INFO, PDF_XMP
from triage.extractors.metadata.dates import normalise_iso_date, normalise_pdf_date
from triage.extractors.metadata.documents import parse_document
from triage.extractors.metadata.odf import parse_odf
from triage.extractors.metadata.ole2 import parse_ole2
from triage.extractors.metadata.ooxml import parse_ooxml
from triage.extractors.metadata.pdf import parse_pdf
from triage.extractors.metadata.zipparts import MAX_MEMBER

FORMATS = {DOCX: "OOXML", ODT: "ODF", DOC: "OLE2", PDF_INFO: "PDF", PDF_XMP: "PDF"}


@pytest.mark.parametrize("relative", list(FORMATS))
def test_sample_values_are_the_ones_built_in(relative: str) -> None:
    kind, result = parse_document((SAMPLES / relative).read_bytes())
    assert kind == FORMATS[relative]
    assert result.warnings == []
    for name, value in EXPECTED[relative].items():
        assert result.attributes.get(name) == value, name


def _exif_date(text: str) -> str:
    """exiftool '2021:03:04 05:06:07Z' / '+01:00' -> our normalised ISO form."""
    date, _, clock = text.partition(" ")
    return normalise_iso_date(f"{date.replace(':', '-')}T{clock}") or ""


@pytest.mark.parametrize("relative", [DOCX, DOC, PDF_INFO, PDF_XMP])
def test_samples_agree_with_exiftool(relative: str) -> None:
    path = SAMPLES / relative
    record = exiftool_json(
        [path],
        "Author",
        "Creator",
        "LastModifiedBy",
        "Company",
        "CreateDate",
        "ModifyDate",
        "Producer",
    )[str(path.resolve())]
    attributes = parse_document(path.read_bytes())[1].attributes
    # exiftool names the OOXML and XMP author 'Creator'; the PDF Info /Creator is the tool.
    author = record.get("Author") or record.get("Creator")
    assert attributes["author"] == author
    for ours, theirs in (
        ("last_modified_by", "LastModifiedBy"),
        ("company", "Company"),
        ("producer", "Producer"),
    ):
        if theirs in record:
            assert attributes[ours] == record[theirs]
    if relative == DOC:
        # Property-set FILETIMEs are UTC; exiftool prints them without a zone.
        assert attributes["created"] == _exif_date(record["CreateDate"]) + "Z"
    else:
        assert attributes["created"] == _exif_date(record["CreateDate"])
        if "ModifyDate" in record:
            assert attributes["modified"] == _exif_date(record["ModifyDate"])


def test_date_normalisation() -> None:
    assert normalise_pdf_date("D:20190504121112+02'00'") == "2019-05-04T10:11:12Z"
    assert normalise_pdf_date("D:2019") == "2019-01-01T00:00:00"
    assert normalise_pdf_date("D:20191399") is None
    assert normalise_iso_date("2019-05-04T12:11:12.5-01:30") == "2019-05-04T13:41:12Z"
    assert normalise_iso_date("2019-05-04") == "2019-05-04T00:00:00"
    assert normalise_iso_date("yesterday") is None


# -- hostile documents -------------------------------------------------------------------
_BOMB = """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>&b;</dc:creator></cp:coreProperties>"""
_APP = '<Properties xmlns="e"><Company>Still Read Ltd</Company></Properties>'


def test_entity_declarations_are_refused_and_the_rest_is_kept() -> None:
    result = parse_ooxml(docx_file(_BOMB, _APP))
    assert "author" not in result.attributes
    assert result.attributes["company"] == "Still Read Ltd"
    assert any("DOCTYPE" in w for w in result.warnings)


def test_oversized_member_is_not_decompressed() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("docProps/core.xml", b" " * (MAX_MEMBER + 10))
        archive.writestr("docProps/app.xml", _APP)
    result = parse_ooxml(buffer.getvalue())
    assert result.attributes["company"] == "Still Read Ltd"
    assert any("larger than" in w for w in result.warnings)


def test_member_whose_header_lies_about_its_size_is_capped() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.xml", b" " * (MAX_MEMBER + 10))
    data = bytearray(buffer.getvalue())
    # Rewrite the central directory's uncompressed size to claim a tiny member.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    result = parse_odf(bytes(data))
    assert result.warnings


@pytest.mark.parametrize("parser", [parse_ooxml, parse_odf, parse_ole2, parse_pdf])
def test_garbage_gives_a_warning(parser) -> None:
    result = parser(b"\x00garbage" * 100)
    assert result.attributes == {} and result.warnings


def test_truncated_documents_end_cleanly() -> None:
    for relative in FORMATS:
        data = (SAMPLES / relative).read_bytes()
        for cut in range(0, len(data), max(1, len(data) // 60)):
            parse_document(data[:cut])


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(FORMATS)), st.data())
def test_fuzz_mutated_documents(relative: str, data: st.DataObject) -> None:
    content = bytearray((SAMPLES / relative).read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(content) - 1))
        content[position] = data.draw(st.integers(0, 255))
    started = time.monotonic()
    kind, result = parse_document(bytes(content))
    assert time.monotonic() - started < 5
    assert isinstance(result.attributes, dict)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_odf_meta_text(text: str) -> None:
    parse_odf(odt_file(text))


def test_a_vector_count_larger_than_its_stream_is_refused_quickly() -> None:
    """ledger_damaged_vector.doc is ledger.doc with 38 bytes duplicated (found by fuzzing):
    a property vector then declares ~2**32 items of a type that takes no bytes, and olefile
    alone loops over them until memory runs out."""
    data = (SAMPLES / "documents" / "ledger_damaged_vector.doc").read_bytes()
    started = time.process_time()
    result = parse_ole2(data)
    assert time.process_time() - started < 2.0
    assert result.attributes["author"] == "Grace Ledger"  # what is intact is still read
    assert any(w.startswith("OLE2 damaged: ") for w in result.warnings)


def _pdf_with_info(info: bytes, *extra: bytes,
                   catalog: bytes = b"<< /Type /Catalog /Pages 2 0 R >>") -> bytes:
    """A one-page PDF whose Info dictionary is ``info`` (object 4), with more objects."""
    objects = [catalog, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>", info, *extra]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def test_an_info_entry_in_a_reference_cycle_costs_only_itself(tmp_path) -> None:
    data = _pdf_with_info(
        b"<< /Title (Visible Title) /CreationDate (D:20200101000000Z) /Author 5 0 R >>",
        b"6 0 R", b"5 0 R")
    result = parse_pdf(data)
    assert result.attributes["title"] == "Visible Title"
    assert result.attributes["created"] == "2020-01-01T00:00:00Z"
    assert "author" not in result.attributes
    assert len(result.warnings) == 1 and result.warnings[0].startswith("Info /Author")
    path = tmp_path / "loop.pdf"
    path.write_bytes(data)
    record = exiftool_json([path], "Title", "CreateDate")[str(path.resolve())]
    assert record["Title"] == "Visible Title"


def test_every_odf_keyword_is_kept(tmp_path) -> None:
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.2">'
        "<office:meta><meta:keyword>alpha</meta:keyword><meta:keyword>beta</meta:keyword>"
        "<meta:keyword>gamma</meta:keyword></office:meta></office:document-meta>"
    )
    data = odt_file(meta)
    assert parse_odf(data).attributes["keywords"] == "alpha, beta, gamma"
    path = tmp_path / "keywords.odt"
    path.write_bytes(data)
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool not installed")
    # -a: every one of a repeated tag; -s3: values alone, one per line.
    out = subprocess.run(["exiftool", "-a", "-s3", "-Keyword", str(path)], capture_output=True,
                         check=True, timeout=60, text=True).stdout
    assert out.split() == ["alpha", "beta", "gamma"]


def test_odf_editing_duration_is_total_editing_minutes(tmp_path) -> None:
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.2">'
        "<office:meta><meta:editing-duration>{}</meta:editing-duration></office:meta>"
        "</office:document-meta>"
    )
    # ISO 8601 durations; whole minutes, as OOXML's TotalTime counts them.
    for duration, minutes in (("PT1H2M3S", "62"), ("P1DT2H", "1560"), ("PT59S", "0")):
        assert parse_odf(odt_file(meta.format(duration))).attributes[
            "total_editing_minutes"] == minutes
    assert "total_editing_minutes" not in parse_odf(odt_file(meta.format("soon"))).attributes
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool not installed")
    path = tmp_path / "duration.odt"
    path.write_bytes(odt_file(meta.format("PT1H2M3S")))
    out = subprocess.run(["exiftool", "-s3", "-Editing-duration", str(path)],
                         capture_output=True, check=True, timeout=60, text=True).stdout
    assert out.strip() == "PT1H2M3S"  # exiftool's reading of the same element


def _parse_pdf_with_xmp_in_time(xmp: bytes) -> Any:
    """Parse a PDF whose catalog's metadata stream is ``xmp``; a hang guard of 5 CPU-s."""
    stream = b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream" % (
        len(xmp), xmp)
    data = _pdf_with_info(b"<< >>", stream,
                          catalog=b"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>")
    started = time.process_time()
    result = parse_pdf(data)
    assert time.process_time() - started < 5
    return result


def test_deeply_nested_xmp_is_read_in_linear_time() -> None:
    """The metadata helper's finding: every XMP element's whole subtree was walked for
    array items, so 20,000 nested elements in a 140 KB PDF took 30 s (quadratic). A
    hang guard, not a speed check."""
    depth = 20_000
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
           b'02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/'
           b'elements/1.1/"><dc:creator><rdf:Seq><rdf:li>Mallory</rdf:li><rdf:li>Trent</rdf:li>'
           b"</rdf:Seq></dc:creator><x>" + b"<a>" * depth + b"</a>" * depth
           + b"</x></rdf:Description></rdf:RDF></x:xmpmeta>")
    result = _parse_pdf_with_xmp_in_time(xmp)
    assert result.attributes["author"] == "Mallory; Trent"


def test_xmp_list_items_keep_the_text_of_their_inline_children() -> None:
    """The audit's finding: '<rdf:li>Report <b>draft</b> 2</rdf:li>' lost 'draft 2' when
    the array walk was made linear; list items nested 20,000 deep stay linear."""
    depth = 20_000
    nested = b"<rdf:Seq><rdf:li>n" * depth + b"</rdf:li></rdf:Seq>" * depth
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
           b'02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/'
           b'elements/1.1/"><dc:title><rdf:Alt><rdf:li>Report <b>draft</b> 2</rdf:li>'
           b"</rdf:Alt></dc:title><dc:subject>" + nested
           + b"</dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>")
    result = _parse_pdf_with_xmp_in_time(xmp)
    assert result.attributes["title"] == "Report draft 2"


def test_ole2_text_is_decoded_in_each_property_set_s_own_code_page(tmp_path) -> None:
    """The metadata helper's finding: UTF-8 (65001, stored as the signed value -535) was
    read as Windows-1252, and the DocumentSummaryInformation's own code page was never
    used (its company and manager came out in the other set's)."""
    from tests.extractors.metadata.builders import VT_I2, ole2_file

    def stored(text: str, encoding: str) -> str:
        return text.encode(encoding).decode("cp1252")  # the builder writes cp1252 bytes

    utf8 = ole2_file({1: (VT_I2, -535), 4: stored("Zoë Müller", "utf-8")},
                     {1: (VT_I2, -535), 15: stored("Société Générale", "utf-8")})
    cyrillic = ole2_file({4: "Alice"}, {1: (VT_I2, 1251), 15: stored("ООО Ромашка", "cp1251"),
                                        14: stored("Иванов", "cp1251")})
    assert {k: v for k, v in parse_ole2(utf8).attributes.items()
            if k in ("author", "company")} == {"author": "Zoë Müller",
                                               "company": "Société Générale"}
    attributes = parse_ole2(cyrillic).attributes
    assert (attributes["author"], attributes["company"], attributes["manager"]) == (
        "Alice", "ООО Ромашка", "Иванов")
    if shutil.which("exiftool") is not None:
        for name, data in (("utf8.doc", utf8), ("cyrillic.doc", cyrillic)):
            (tmp_path / name).write_bytes(data)
        records = exiftool_json([tmp_path / "utf8.doc", tmp_path / "cyrillic.doc"],
                                "Author", "Company", "Manager")
        assert records[str((tmp_path / "utf8.doc").resolve())]["Company"] == "Société Générale"
        assert records[str((tmp_path / "cyrillic.doc").resolve())]["Manager"] == "Иванов"


def test_a_missing_or_null_info_entry_is_no_value(tmp_path) -> None:
    """The metadata helper's finding: "/Author 99 0 R" (no object 99) was reported as the
    author "None", and "/Producer null" as the producer "NullObject"."""
    data = _pdf_with_info(b"<< /Title (Kept) /Author 99 0 R /Producer null >>")
    result = parse_pdf(data)
    assert result.attributes.get("title") == "Kept"
    assert "author" not in result.attributes and "producer" not in result.attributes
    path = tmp_path / "dangling.pdf"
    path.write_bytes(data)
    record = exiftool_json([path], "Title", "Author", "Producer")[str(path.resolve())]
    assert record["Title"] == "Kept" and "Author" not in record
