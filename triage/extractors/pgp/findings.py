"""Turn parsed OpenPGP content (binary, armored or agent key files) into findings.

Everything here works on bytes alone, so the file hook, the text scanner and the
unallocated-space scanner share it. Problems are returned as warnings for the caller
to record, and, for armored hits, also kept in the finding's ``warnings`` attribute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from triage.extractors.interface import DetectorWarning, Finding
from triage.extractors.pgp.agentkey import AgentKey, looks_like_agent_key, parse_agent_key
from triage.extractors.pgp.armor import ArmoredBlock, find_armored, find_base64_mime_parts
from triage.extractors.pgp.keybox import is_keybox, parse_keybox
from triage.extractors.pgp.keypacket import ALGORITHMS
from triage.extractors.pgp.openpgp import (
    OpenPgpContent,
    parse_openpgp,
    revocation_attributes,
    signature_attributes,
)
from triage.extractors.pgp.packets import fixed_length_header, looks_like_packets
from triage.extractors.pgp.signature import HASHES, SIG_TYPES, Signature
from triage.extractors.pgp.sniff import next_key_packet, plausible_key_start

#: How far into a file not starting with OpenPGP packets a key packet is looked for.
JUNK_PREFIX_WINDOW = 64 * 1024

_CONTEXT_BEFORE = 30
_CONTEXT_LENGTH = 120


def printable_context(data: bytes, offset: int) -> str:
    """Up to 120 printable characters around ``offset`` (control characters replaced)."""
    start = max(0, offset - _CONTEXT_BEFORE)
    text = data[start : start + _CONTEXT_LENGTH].decode("latin-1")
    return "".join(ch if " " <= ch <= "~" else "." for ch in text)


def revocation_key_attributes(sig: Signature, source_format: str) -> dict[str, Any]:
    """pgp.key attributes for a key known only from a revocation certificate.

    A key revocation signature does not name the key it revokes; the key is taken to be
    its issuer, as in the certificates gpg makes (a designated revoker's certificate
    would name the revoker instead). Issuer and revocation details are reported as read.
    ``revoked`` is None: a certificate shows the key's holder could revoke it, not that it
    was published (gpg writes one for every key it makes, in ``openpgp-revocs.d``).
    """
    fingerprint = sig.issuer_fingerprint
    key_id = sig.issuer_key_id
    if fingerprint and not key_id:
        key_id = fingerprint[-16:] if len(fingerprint) == 40 else fingerprint[:16]
    version = 4 if fingerprint and len(fingerprint) == 40 else None
    return {
        "kind": "revocation certificate", "fingerprint": fingerprint, "key_id": key_id,
        "version": version, "algorithm": None, "bits": None, "curve": None, "created": None,
        "expires": None, "user_ids": [], "unbound_user_ids": [], "self_certified": None,
        "emails": [], "subkeys": [], "unbound_subkeys": [], "revoked_user_ids": [],
        "revoked_subkeys": [], "revoked": None,
        **revocation_attributes(sig), "designated_revokers": [],
        "issuer_key_id": sig.issuer_key_id, "issuer_fingerprint": sig.issuer_fingerprint,
        "has_secret": False, "secret_protected": None, "secret_keys": [],
        "source_format": source_format,
    }


def agent_key_attributes(key: AgentKey, keygrip: str | None) -> dict[str, Any]:
    """pgp.agent_key attributes of a private-keys-v1.d file."""
    return {
        "keygrip": keygrip or key.keygrip,
        "computed_keygrip": key.keygrip,
        "file_format": key.file_format,
        "kind": key.kind,
        "algorithm": key.algorithm,
        "bits": key.bits,
        "curve": key.curve,
        "created": key.created,
        "has_secret": key.has_secret,
        "secret_protected": key.secret_protected,
    }


def content_findings(
    content: OpenPgpContent, source_format: str, offset: int = 0, extra: dict[str, Any] | None = None
) -> Iterator[Finding]:
    """Findings for keys, signatures and the message read from one OpenPGP stream."""
    extra = extra or {}
    for key in content.keys:
        if key.primary.fingerprint is None:
            continue
        attributes = {**key.attributes(source_format), **extra}
        yield Finding("pgp.key", attributes, offset=offset + key.offset)
    for sig_offset, sig in content.signatures:
        if sig.sig_type == 0x20 and (sig.issuer_fingerprint or sig.issuer_key_id) and not content.keys:
            attributes = {**revocation_key_attributes(sig, "revocation_certificate"), **extra}
            yield Finding("pgp.key", attributes, offset=offset + sig_offset)
            continue
        yield Finding("pgp.signature", {**signature_attributes(sig), **extra},
                      offset=offset + sig_offset)
    if content.message is not None:
        yield Finding("pgp.message", {**content.message.attributes(), **extra}, offset=offset)


def _block_findings(data: bytes, block: ArmoredBlock) -> Iterator[Finding]:
    extra: dict[str, Any] = {"armor": block.kind, "crc_ok": block.crc_ok}
    if block.warnings:
        extra["warnings"] = list(block.warnings)
    context = printable_context(data, block.start)
    if block.kind == "ARMORED FILE" and looks_like_agent_key(block.data):
        key = parse_agent_key(block.data)
        finding = Finding("pgp.agent_key", {**agent_key_attributes(key, None), **extra})
        findings: list[Finding] = [finding]
    else:
        content = parse_openpgp(block.data)
        if content.warnings:
            extra["warnings"] = extra.get("warnings", []) + content.warnings[:20]
        findings = list(content_findings(content, "armored", 0, extra))
        if block.kind == "SIGNED MESSAGE":
            for finding in findings:
                finding.attributes["cleartext_signed"] = True
    for finding in findings:
        finding.offset = block.start
        finding.context = context
        yield finding
    if not findings:
        problems = "; ".join(extra.get("warnings", [])[:3]) or "no OpenPGP packets in it"
        yield DetectorWarning(
            f"armored {block.kind.lower()} at byte {block.start} gave nothing: {problems}")


def scan_armored(data: bytes) -> Iterator[Finding]:
    """Findings for every armored OpenPGP block in arbitrary bytes (offsets into ``data``),
    and for OpenPGP data in base64 MIME parts of mail (``application/pgp-keys`` ...)."""
    if b"-----BEGIN PGP " in data or b"-\x00-\x00-\x00-\x00-\x00B\x00E\x00G\x00I\x00N" in data:
        empty: list[DetectorWarning] = []
        notes: list[str] = []
        for block in find_armored(data, notes):
            for finding in _block_findings(data, block):
                if isinstance(finding, DetectorWarning):
                    empty.append(finding)
                else:
                    yield finding
        if len(empty) == 1:
            yield empty[0]
        elif empty:
            # A file that only names armor headers (file-type databases, documentation)
            # would otherwise get one warning for each.
            yield DetectorWarning(f"{len(empty)} armored blocks gave nothing; the first: "
                                  f"{empty[0].message}")
        for note in notes:
            yield DetectorWarning(note)
    yield from _mime_part_findings(data)


def _mime_part_findings(data: bytes) -> Iterator[Finding]:
    """Findings of the base64 ``application/pgp-*`` MIME parts (each at its part's offset)."""
    for part in find_base64_mime_parts(data):
        if b"-----BEGIN PGP " in part.data:
            found = [f for block in find_armored(part.data)
                     for f in _block_findings(part.data, block)]
        else:
            findings, warnings = binary_findings(part.data, "mime_part")
            found = [*findings, *(DetectorWarning(w) for w in warnings[:20])]
        if not found:
            found = [DetectorWarning(
                f"{part.content_type} MIME part at byte {part.offset} gave nothing")]
        for finding in found:
            finding.offset = part.offset
            if isinstance(finding, DetectorWarning):
                finding.attributes["message"] = (
                    f"{part.content_type} MIME part at byte {part.offset}: {finding.message}")
            else:
                finding.context = printable_context(data, part.offset)
        yield from found


_CUT_PACKET_NAMES = {2: "signature", 5: "secret key", 6: "public key", 7: "secret subkey",
                     14: "public subkey"}
def _plausible_signature_start(body: bytes) -> bool:
    """Whether a (cut) signature packet body starts as a real one."""
    if len(body) >= 17 and body[0] in (2, 3):
        return (body[1] == 5 and body[2] in SIG_TYPES and body[15] in ALGORITHMS
                and body[16] in HASHES)
    return (len(body) >= 4 and body[0] in (4, 5, 6) and body[1] in SIG_TYPES
            and body[2] in ALGORITHMS and body[3] in HASHES)


def cut_first_packet(data: bytes) -> str | None:
    """A warning when ``data`` starts with a key or signature packet whose body is cut short.

    That is what a keyring or signature file truncated inside its first packet looks like
    (copied off a failing disk, carved, or a header claiming gigabytes), which
    :func:`looks_like_packets` turns down as it holds no whole packet. The header must
    have a fixed length, and what there is of the body must start as a real key or
    signature packet, so unrelated binary files (a '.key' of another program) give None.
    """
    header = fixed_length_header(data)
    if header is None:
        return None
    tag, header_size, declared = header
    body = data[header_size : header_size + declared]
    if len(body) >= declared or tag not in _CUT_PACKET_NAMES:
        return None
    if tag == 2:
        plausible = _plausible_signature_start(body)
    else:
        plausible = plausible_key_start(body, declared, secret=tag in (5, 7))
    if not plausible:
        return None
    return (f"truncated file: its first packet ({_CUT_PACKET_NAMES[tag]}, tag {tag}) declares "
            f"{declared} bytes but only {len(body)} follow the header; nothing could be read")


def binary_findings(data: bytes, source_format: str = "binary_keyring") -> tuple[list[Finding], list[str]]:
    """Findings and warnings for a binary file: keybox, agent key file or OpenPGP packets.

    Returns ([], []) when the bytes are none of these (e.g. an unrelated '.key' file). A
    file cut short inside its first key or signature packet gives what can still be read
    of it, or else one warning (see :func:`cut_first_packet`).
    """
    if is_keybox(data):
        box = parse_keybox(data)
        findings: list[Finding] = []
        warnings = list(box.warnings)
        for block_offset, block in box.keyblocks:
            content = parse_openpgp(block)
            warnings.extend(f"keyblock at offset {block_offset}: {w}" for w in content.warnings)
            findings.extend(content_findings(content, "keybox", block_offset))
        return findings, warnings
    if looks_like_agent_key(data):
        key = parse_agent_key(data)
        return [Finding("pgp.agent_key", agent_key_attributes(key, None))], key.warnings
    if looks_like_packets(data):
        content = parse_openpgp(data)
        return list(content_findings(content, source_format)), content.warnings
    cut = cut_first_packet(data)
    if cut is not None:
        # A secret key cut inside its secret part still names its key.
        content = parse_openpgp(data)
        findings = list(content_findings(content, source_format))
        return (findings, content.warnings) if findings else ([], [cut])
    if next_key_packet(data, 0, JUNK_PREFIX_WINDOW) is not None:
        # Bytes before a keyring (a damaged first sector, a container's header): the
        # parser skips them, with a warning, to the first plausible key packet.
        content = parse_openpgp(data)
        return list(content_findings(content, source_format)), content.warnings
    return [], []
