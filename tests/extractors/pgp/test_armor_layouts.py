"""Armor in the layouts an audit found it missed in: a block without its end line before
the next block, a key quoted (dash-escaped) in a cleartext-signed message, armor inside a
JSON string, and a base64 MIME part of mail. gpg --show-keys is the oracle for the keys."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.extractors.pgp.oracle import DATA, show_keys
from triage.extractors.interface import DetectorWarning
from triage.extractors.pgp.findings import scan_armored

CAROL = DATA / "carol.asc"
ALICE_SECRET = DATA / "alice-secret.asc"
CLASSIC_PUBRING = DATA / "home1" / "gnupg-classic" / "pubring.gpg"


def _keys(data: bytes) -> list[str]:
    return [f.attributes["fingerprint"] for f in scan_armored(data) if f.type == "pgp.key"]


def _warnings(data: bytes) -> list[str]:
    """Warnings given alone and those kept with a finding."""
    found = list(scan_armored(data))
    return [f.message for f in found if isinstance(f, DetectorWarning)] + [
        w for f in found for w in f.attributes.get("warnings", [])]


def _without_end(armor: bytes, keep_lines: int | None) -> bytes:
    """``armor`` without its END line (and, with ``keep_lines``, cut inside its body)."""
    lines = [line for line in armor.splitlines(keepends=True) if b"-----END PGP" not in line]
    return b"".join(lines if keep_lines is None else lines[:keep_lines])


def _fingerprints(data: bytes, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    return show_keys(path, tmp_path / f"gpg-{name}").primaries


def test_a_cut_block_does_not_swallow_the_next_one(tmp_path: Path) -> None:
    """Carol's key cut after five lines, with no end line, then Alice's whole key: the
    cut block ran to Alice's end line, so Alice was lost."""
    data = b"pub rsa2048 ...\n\n" + _without_end(CAROL.read_bytes(), 5) + b"\nsome text\n\n"
    data += ALICE_SECRET.read_bytes()
    alice = _fingerprints(ALICE_SECRET.read_bytes(), tmp_path, "alice.asc")
    assert len(alice) == 1
    assert _keys(data)[-1:] == alice  # (what is left of Carol's may name her key first)
    assert any("no end line before the next armor header" in w for w in _warnings(data))


def test_a_whole_block_without_its_end_line_and_the_next_one(tmp_path: Path) -> None:
    """gpg reads both keys of this file; so must we (each in its own block)."""
    data = _without_end(CAROL.read_bytes(), None) + b"\n" + ALICE_SECRET.read_bytes()
    oracle = _fingerprints(data, tmp_path, "both.asc")
    assert len(oracle) == 2
    assert _keys(data) == oracle


def test_a_key_quoted_in_a_cleartext_signed_message(tmp_path: Path) -> None:
    """A key published inside signed text is dash-escaped ('- -----BEGIN ...'): it was
    skipped together with the signed text."""
    escaped = b"".join(b"- " + line if line.startswith(b"-") else line
                       for line in CAROL.read_bytes().splitlines(keepends=True))
    signed = (DATA / "announce.txt").read_bytes()
    at = signed.index(b"-----BEGIN PGP SIGNATURE-----")
    data = signed[:at] + b"My key:\n" + escaped + signed[at:]
    found = list(scan_armored(data))
    assert [f.attributes["fingerprint"] for f in found if f.type == "pgp.key"] == _fingerprints(
        CAROL.read_bytes(), tmp_path, "carol.asc")
    assert [f.type for f in found].count("pgp.signature") == 1


def test_armor_in_a_json_string(tmp_path: Path) -> None:
    carol = _fingerprints(CAROL.read_bytes(), tmp_path, "carol.asc")
    text = CAROL.read_text()
    plain = json.dumps({"key": text}).encode()
    slashes = plain.replace(b"/", b"\\/")  # as PHP's json_encode writes it
    for data in (plain, slashes):
        assert b"\n" not in data
        assert _keys(data) == carol
        assert not _warnings(data)


def _mail(part_type: str, payload: bytes) -> bytes:
    body = base64.encodebytes(payload)
    return (b"From: a@example.net\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
            b"--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
            b"--XX\r\nContent-Type: " + part_type.encode() + b'; name="key.asc"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n"
            + body.replace(b"\n", b"\r\n") + b"--XX--\r\n")


def test_armored_key_in_a_base64_mime_part(tmp_path: Path) -> None:
    data = _mail("application/pgp-keys", CAROL.read_bytes())
    assert b"BEGIN PGP" not in data
    found = [f for f in scan_armored(data) if f.type == "pgp.key"]
    assert [f.attributes["fingerprint"] for f in found] == _fingerprints(
        CAROL.read_bytes(), tmp_path, "carol.asc")
    assert found[0].offset == data.index(b"\r\n\r\n", data.index(b"base64")) + 4


def test_binary_keyring_in_a_base64_mime_part(tmp_path: Path) -> None:
    data = _mail("application/pgp-keys", CLASSIC_PUBRING.read_bytes())
    oracle = show_keys(CLASSIC_PUBRING, tmp_path / "g").primaries
    assert len(oracle) == 2
    assert _keys(data) == oracle


def test_an_undecodable_pgp_mime_part_is_warned_about() -> None:
    data = _mail("application/pgp-keys", b"not a key at all, just text")
    assert _keys(data) == []
    assert any("application/pgp-keys MIME part" in w for w in _warnings(data))


def test_mime_parts_are_looked_for_in_mail_only() -> None:
    """Text that does not start as a mail is not searched for MIME parts (searching every
    text file cost twice the armor scan); an mbox and a mail with a BOM are."""
    from triage.extractors.pgp.armor import find_base64_mime_parts

    mail = _mail("application/pgp-keys", b"a2V5")
    assert list(find_base64_mime_parts(mail))
    assert list(find_base64_mime_parts(b"From alice Mon Jan  1 00:00:00 2024\n" + mail))
    assert list(find_base64_mime_parts(b"\xef\xbb\xbf" + mail))
    assert not list(find_base64_mime_parts(b"my notes, and a mail I was sent:\n" + mail))


def test_a_header_line_with_a_backslash_n_keeps_its_key(tmp_path: Path) -> None:
    """Self-audit: 'Comment: C:\\Users\\nick' (a backslash-n of its own) made the armor be
    taken for JSON-escaped and its key was lost; gpg imports such a file."""
    text = CAROL.read_bytes()
    first_line_end = text.index(b"\n") + 1
    data = text[:first_line_end] + b"Comment: C:\\Users\\nick\\keys\n" + text[first_line_end:]
    assert _keys(data) == _fingerprints(text, tmp_path, "carol.asc")
    assert _fingerprints(data, tmp_path, "carol-comment.asc") == _keys(data)


def test_armor_in_json_written_by_dotnet(tmp_path: Path) -> None:
    """System.Text.Json writes '+' as \\u002B."""
    carol = _fingerprints(CAROL.read_bytes(), tmp_path, "carol.asc")
    dotnet = json.dumps({"key": CAROL.read_text()}).encode().replace(b"+", b"\\u002B")
    assert b"\\u002B" in dotnet and _keys(dotnet) == carol


def test_a_text_that_only_names_armor_headers_gets_one_warning() -> None:
    """Self-audit: /usr/share/mime/magic went from one warning to four once each header
    without an end line became a block of its own."""
    data = b"".join(b"0 string -----BEGIN PGP %s BLOCK----- %s\n" % (kind, kind)
                    for kind in (b"PUBLIC KEY", b"PRIVATE KEY", b"MESSAGE", b"SIGNATURE"))
    warnings = _warnings(data)
    assert len(warnings) == 1 and warnings[0].startswith("4 armored blocks gave nothing")
    assert _keys(data) == []


def test_armor_in_json_with_unicode_escaped_line_ends(tmp_path: Path) -> None:
    """Serializers that escape control characters as \\u000a (and \\u000d)."""
    carol = _fingerprints(CAROL.read_bytes(), tmp_path, "carol.asc")
    text = json.dumps({"key": CAROL.read_text().replace("\n", "\r\n")})
    escaped = text.replace("\\r", "\\u000d").replace("\\n", "\\u000a").encode()
    assert b"\\u000a" in escaped and b"\\n" not in escaped
    assert _keys(escaped) == carol
