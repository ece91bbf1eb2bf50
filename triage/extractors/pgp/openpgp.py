"""Turn a stream of OpenPGP packets into keys, messages and signatures.

:func:`parse_openpgp` is the entry point on raw (dearmored or binary) bytes; it never
raises on bad input and reports problems in ``warnings``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

from triage.extractors.pgp import packets as pk
from triage.extractors.pgp.keypacket import KeyPacket, KeyParseError, iso_time, parse_key_packet
from triage.extractors.pgp.signature import REVOCATION_REASONS, Signature, parse_signature
from triage.extractors.pgp.sniff import iter_key_packets, key_packet_at

#: Cap on data inflated from the compressed packets of one message, all together
#: (messages only, to find signers): a compressed packet may hold thousands more.
MAX_INFLATE = 4 * 1024 * 1024
#: Cap on a compressed keyring read whole (a keyring, unlike a message, is read for keys).
MAX_KEYRING_INFLATE = 64 * 1024 * 1024
#: Bytes of a compressed packet inflated to see whether a keyring starts it.
KEYRING_SNIFF = 4096
#: After damage, how far on (and back) a key packet is looked for, how many times, and
#: how many bytes are searched in all.
RESYNC_WINDOW = 1024 * 1024
MAX_RESYNCS = 64
RESYNC_BUDGET = 4 * 1024 * 1024
RESYNC_BACK = 64 * 1024
#: Cap on packet bodies kept per key to bound memory on hostile keyrings.
MAX_USER_IDS = 1000
MAX_SUBKEYS = 1000

_UID_CERTIFICATIONS = (0x10, 0x11, 0x12, 0x13)
_DIRECT_KEY = 0x1F
_SUBKEY_REVOCATION = 0x28
_UID_REVOCATION = 0x30
_SUBKEY_BINDINGS = (0x18,)
#: Hash algorithms GnuPG 2.1+ rejects in signatures (MD5).
_REJECTED_HASHES = frozenset({1})
_MESSAGE_TAGS = {pk.TAG_PKESK, pk.TAG_SKESK, pk.TAG_ONE_PASS_SIG, pk.TAG_COMPRESSED,
                 pk.TAG_SYM_ENCRYPTED, pk.TAG_LITERAL, pk.TAG_SEIPD, pk.TAG_AEAD}


@dataclass
class PgpKey:
    """One transferable key: primary key, user IDs, subkeys, revocation and expiry.

    ``user_ids`` and ``subkeys`` hold every packet found in the block; only those in
    ``certified_user_ids`` / ``bound_subkeys`` are bound to the key (see
    :func:`_is_self_binding`), the others were attached by someone else or lost their
    self-signature. ``revoked_user_ids`` / ``revoked_subkeys`` are those the key itself
    revoked (gpg's 'uid:r' / 'sub:r'), whether bound or not.
    """

    primary: KeyPacket
    offset: int
    user_ids: list[str] = field(default_factory=list)
    subkeys: list[KeyPacket] = field(default_factory=list)
    certified_user_ids: set[str] = field(default_factory=set)
    bound_subkeys: set[str] = field(default_factory=set)
    designated_revokers: list[str] = field(default_factory=list)
    revoked: bool = False
    revocation: Signature | None = None
    expires: int | None = None
    revoked_user_ids: set[str] = field(default_factory=set)
    revoked_subkeys: set[str] = field(default_factory=set)
    _revocations: list[Signature] = field(default_factory=list)
    #: The newest direct-key self-signature (0x1F) read so far.
    _direct_sig: Signature | None = None
    #: Per user ID, its newest self-certification or self-revocation (0x30) read so far.
    _uid_sigs: dict[str, Signature] = field(default_factory=dict)

    def all_keys(self) -> list[KeyPacket]:
        """The primary key followed by its subkeys."""
        return [self.primary, *self.subkeys]

    def secret_keys(self) -> list[KeyPacket]:
        """Keys in this block whose secret material is present (not a stub)."""
        return [key for key in self.all_keys() if key.secret and not key.secret_stub]

    def secret_protected(self) -> bool | None:
        """False if any present secret is in the clear, True if all are protected."""
        states = [key.secret_protected for key in self.secret_keys()]
        if not states:
            return None
        if False in states:
            return False
        return True if all(states) else None

    def attributes(self, source_format: str) -> dict[str, Any]:
        """The pgp.key attributes for this key as found at one place."""
        primary = self.primary
        bound = [uid for uid in self.user_ids if uid in self.certified_user_ids]
        emails = []
        for uid in bound:
            email = email_of(shown_user_id(uid))
            if email and email not in emails:
                emails.append(email)
        secrets = self.secret_keys()
        return {
            "kind": "key",
            "fingerprint": primary.fingerprint,
            "key_id": primary.key_id,
            "version": primary.version,
            "algorithm": primary.algorithm,
            "bits": primary.bits,
            "curve": primary.curve,
            "created": primary.created_iso,
            "expires": iso_time(self.expires) if self.expires else None,
            "user_ids": [shown_user_id(uid) for uid in bound],
            "unbound_user_ids": [shown_user_id(uid) for uid in self.user_ids
                                 if uid not in self.certified_user_ids],
            "self_certified": bool(bound),
            "emails": emails,
            "subkeys": [key.fingerprint for key in self.subkeys
                        if key.fingerprint in self.bound_subkeys],
            "unbound_subkeys": [key.fingerprint for key in self.subkeys
                                if key.fingerprint not in self.bound_subkeys],
            "revoked_user_ids": [shown_user_id(uid) for uid in self.user_ids
                                 if uid in self.revoked_user_ids],
            "revoked_subkeys": [key.fingerprint for key in self.subkeys
                                if key.fingerprint in self.revoked_subkeys],
            "revoked": self.revoked,
            **revocation_attributes(self.revocation),
            "designated_revokers": list(self.designated_revokers),
            "has_secret": bool(secrets),
            "secret_protected": self.secret_protected(),
            "secret_keys": [key.fingerprint for key in secrets],
            "source_format": source_format,
        }


@dataclass
class MessageInfo:
    """Who an encrypted/signed message is for and from, as its packets claim."""

    offset: int
    recipients: list[str] = field(default_factory=list)
    recipient_fingerprints: list[str] = field(default_factory=list)
    passphrase_encrypted: bool = False
    encrypted: bool = False
    signer_key_ids: list[str] = field(default_factory=list)
    signer_fingerprints: list[str] = field(default_factory=list)

    def attributes(self) -> dict[str, Any]:
        """The pgp.message attributes."""
        return {
            "encrypted": self.encrypted,
            "recipient_key_ids": self.recipients,
            "recipient_fingerprints": self.recipient_fingerprints,
            "passphrase_encrypted": self.passphrase_encrypted,
            "signer_key_ids": self.signer_key_ids,
            "signer_fingerprints": self.signer_fingerprints,
        }


@dataclass
class OpenPgpContent:
    """Everything read from one OpenPGP byte stream."""

    keys: list[PgpKey] = field(default_factory=list)
    signatures: list[tuple[int, Signature]] = field(default_factory=list)
    message: MessageInfo | None = None
    warnings: list[str] = field(default_factory=list)


def shown_user_id(user_id: str) -> str:
    """A user ID as reported: bytes that are not UTF-8 (kept apart while reading, as
    surrogate escapes) are written as ``\\xNN``, so two user IDs that differ only in such
    bytes ("Ren\\xe9", "Ren\\xe8") are told apart wherever they are shown."""
    return user_id.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def email_of(user_id: str) -> str | None:
    """The address inside '<...>' of a user ID, or the user ID when it is a bare address."""
    start, end = user_id.rfind("<"), user_id.rfind(">")
    if 0 <= start < end:
        candidate = user_id[start + 1 : end].strip()
    else:
        candidate = user_id.strip()
    if "@" in candidate and " " not in candidate and len(candidate) <= 254:
        return candidate
    return None


def revocation_attributes(sig: Signature | None) -> dict[str, Any]:
    """When a key revocation was made, its reason code, the reason's name and its comment."""
    if sig is None:
        return {"revoked_at": None, "revocation_reason_code": None, "revocation_reason": None,
                "revocation_comment": None}
    code = sig.revocation_reason
    return {
        "revoked_at": iso_time(sig.created) if sig.created else None,
        "revocation_reason_code": code,
        "revocation_reason": None if code is None else REVOCATION_REASONS.get(code, f"0x{code:02x}"),
        "revocation_comment": sig.revocation_comment,
    }


def signature_attributes(sig: Signature) -> dict[str, Any]:
    """The pgp.signature attributes of one signature packet."""
    return {
        "issuer_key_id": sig.issuer_key_id,
        "issuer_fingerprint": sig.issuer_fingerprint,
        "signature_type": sig.type_name,
        "created": iso_time(sig.created) if sig.created else None,
        "hash_algorithm": sig.hash_name,
        "version": sig.version,
    }


def issued_by_primary(sig: Signature, primary: KeyPacket) -> bool:
    """True when the signature's issuer subpacket (fingerprint, else key ID) names ``primary``.

    A signature naming no issuer is not taken as the key's own: gpg does not either.
    """
    if sig.issuer_fingerprint and primary.fingerprint:
        return sig.issuer_fingerprint == primary.fingerprint
    return bool(sig.issuer_key_id) and sig.issuer_key_id == primary.key_id


def _is_self_binding(sig: Signature, primary: KeyPacket, sig_types: tuple[int, ...]) -> bool:
    """Whether ``sig`` is a self-signature of one of ``sig_types`` that gpg would accept.

    Signatures are not verified: a binding is a signature of the right type whose issuer
    is the primary key itself. That is what separates a key's own user IDs and subkeys
    from ones a third party (or a forger) attached, which is enough to agree with
    ``gpg --show-keys`` on unmodified keys, but a forger who also copies the issuer
    subpacket is not detected. MD5 self-signatures on v4+ keys do not count because
    GnuPG 2.1 and later reject them, leaving such user IDs and subkeys unlisted; v3 (PGP
    2) keys can only carry MD5 signatures and current gpg does not list them at all.
    """
    if sig.hash_algorithm in _REJECTED_HASHES and (primary.version or 0) >= 4:
        return False
    return sig.sig_type in sig_types and issued_by_primary(sig, primary)


def _apply_signature(key: PgpKey, sig: Signature, target: str | KeyPacket | None) -> None:
    """Record what one signature in a key block says about ``target``.

    ``target`` is the user ID or subkey packet the signature follows, or None for the
    primary key itself (and for user attributes and packets over the caps).
    """
    primary = key.primary
    if isinstance(target, KeyPacket):
        if target.fingerprint and _is_self_binding(sig, primary, _SUBKEY_BINDINGS):
            key.bound_subkeys.add(target.fingerprint)
        # Like gpg, a subkey the key revoked stays revoked whatever binding comes later.
        if target.fingerprint and _is_self_binding(sig, primary, (_SUBKEY_REVOCATION,)):
            key.revoked_subkeys.add(target.fingerprint)
        return
    if sig.sig_type == 0x20:
        key._revocations.append(sig)
        return
    if isinstance(target, str) and _is_self_binding(sig, primary, _UID_CERTIFICATIONS):
        key.certified_user_ids.add(target)
    if sig.revocation_keys and issued_by_primary(sig, primary):
        key.designated_revokers.extend(
            fpr for fpr in sig.revocation_keys if fpr not in key.designated_revokers)
    # Expiry comes only from self-signatures gpg accepts (no MD5, the key named as issuer).
    # The newest counts; of two made in the same second, the later packet.
    if target is None and _is_self_binding(sig, primary, (_DIRECT_KEY,)):
        if key._direct_sig is None or (sig.created or 0) >= (key._direct_sig.created or 0):
            key._direct_sig = sig
    elif isinstance(target, str) and _is_self_binding(
            sig, primary, (*_UID_CERTIFICATIONS, _UID_REVOCATION)):
        # A certification newer than a revocation makes the user ID valid again (gpg
        # allows this: an address may be given up and taken back).
        latest = key._uid_sigs.get(target)
        if latest is None or (sig.created or 0) >= (latest.created or 0):
            key._uid_sigs[target] = sig


def key_expiry(key: PgpKey) -> int | None:
    """When the primary key expires (Unix time), by the rule gpg applies to self-signatures.

    The newest direct-key self-signature decides when it carries a key expiration time
    (subpacket 9, non-zero). Otherwise the newest self-certification of each user ID is
    looked at and, of those that set an expiration time, the newest one decides (user IDs
    whose newest self-signature revokes them are left out). So a direct-key signature
    without subpacket 9 (e.g. one that only names a revoker) leaves the user IDs' expiry
    in force, as ``gpg --list-keys`` shows it.
    """
    created = key.primary.created
    direct = key._direct_sig
    if direct is not None and direct.key_expires_after:
        return created + direct.key_expires_after
    expires: int | None = None
    newest = -1
    for sig in key._uid_sigs.values():
        if sig.sig_type == _UID_REVOCATION:
            continue
        if sig.key_expires_after and (sig.created or 0) > newest:
            newest = sig.created or 0
            expires = created + sig.key_expires_after
    return expires


def _revoked_by_owner(key: PgpKey, sig: Signature) -> bool:
    """Whether a key revocation was issued by the key itself or a revoker it designated.

    Designated revokers (subpacket 12 on a self-signature) are matched by fingerprint or
    by the key ID a v4 fingerprint ends in. Like every signature here, the revocation is
    not verified; gpg marks a key revoked by a designated revoker only when it also holds
    (and verifies with) the revoker's key, so it may still list such a key as valid.
    """
    if issued_by_primary(sig, key.primary):
        return True
    for revoker in key.designated_revokers:
        if sig.issuer_fingerprint == revoker:
            return True
        if not sig.issuer_fingerprint and len(revoker) == 40 and sig.issuer_key_id == revoker[-16:]:
            return True
    return False


def _finish_key(key: PgpKey) -> None:
    # A revocation may precede the direct-key signature naming its designated revoker.
    key.revocation = next((sig for sig in key._revocations if _revoked_by_owner(key, sig)), None)
    key.revoked = key.revocation is not None
    _apply_self_signatures(key)


def _apply_self_signatures(key: PgpKey) -> None:
    """Set expiry and revoked user IDs from the newest self-signatures collected."""
    key.expires = key_expiry(key)
    key.revoked_user_ids = {uid for uid, sig in key._uid_sigs.items()
                            if sig.sig_type == _UID_REVOCATION}


def merge_self_signatures(key: PgpKey, other: PgpKey) -> None:
    """Add what ``other`` (the same key read from another keyring) says about itself.

    The newest self-signature per user ID and the newest direct-key signature win across
    both, as if gpg read one keyblock holding the signatures of both; subkey revocations
    add up.
    """
    for uid, sig in other._uid_sigs.items():
        mine = key._uid_sigs.get(uid)
        if mine is None or (sig.created or 0) > (mine.created or 0):
            key._uid_sigs[uid] = sig
    direct = other._direct_sig
    if direct is not None and (key._direct_sig is None
                               or (direct.created or 0) > (key._direct_sig.created or 0)):
        key._direct_sig = direct
    key.revoked_subkeys |= other.revoked_subkeys
    _apply_self_signatures(key)


def _parse_pkesk(body: bytes, info: MessageInfo) -> None:
    if not body:
        return
    if body[0] == 3 and len(body) >= 9:
        info.recipients.append(body[1:9].hex().upper())
    elif body[0] == 6 and len(body) >= 2:
        size = body[1]
        if size == 0:
            info.recipients.append("0000000000000000")
        elif len(body) >= 2 + size and size >= 21:
            fpr = body[3 : 2 + size].hex().upper()
            info.recipient_fingerprints.append(fpr)
            info.recipients.append(fpr[-16:] if len(fpr) == 40 else fpr[:16])


def _parse_one_pass(body: bytes, info: MessageInfo) -> None:
    if len(body) >= 13 and body[0] == 3:
        info.signer_key_ids.append(body[4:12].hex().upper())
    elif len(body) >= 5 and body[0] == 6:
        salt = body[4]
        fpr = body[5 + salt : 5 + salt + 32]
        if len(fpr) == 32:
            info.signer_fingerprints.append(fpr.hex().upper())
            info.signer_key_ids.append(fpr[:8].hex().upper())


def _inflate(body: bytes, limit: int) -> bytes | None:
    """At most ``limit`` bytes of a compressed packet's content (None when damaged)."""
    if not body:
        return None
    algo = body[0]
    try:
        if algo == 0:
            return body[1 : 1 + limit]
        if algo in (1, 2):
            inflater = zlib.decompressobj(-15 if algo == 1 else 15)
            return inflater.decompress(body[1:], limit)
        if algo == 3:
            import bz2

            return bz2.BZ2Decompressor().decompress(body[1:], limit)
    except (zlib.error, OSError, ValueError, EOFError):
        return None
    return None


def _add_signer(info: MessageInfo, sig: Signature) -> None:
    if sig.issuer_key_id and sig.issuer_key_id not in info.signer_key_ids:
        info.signer_key_ids.append(sig.issuer_key_id)
    fpr = sig.issuer_fingerprint
    if fpr and fpr not in info.signer_fingerprints:
        info.signer_fingerprints.append(fpr)


def _walk_message(data: bytes, info: MessageInfo, warnings: list[str], depth: int,
                  budget: list[int]) -> None:
    """Note what the packets of a message say; ``budget`` holds the bytes that the
    compressed packets may still inflate to, shared by all of them."""
    for packet, warning in pk.iter_packets(data):
        if warning:
            warnings.append(warning)
        if packet is None:
            continue
        tag = packet.tag
        if tag == pk.TAG_PKESK:
            _parse_pkesk(packet.body, info)
        elif tag == pk.TAG_SKESK:
            info.passphrase_encrypted = True
        elif tag in (pk.TAG_SYM_ENCRYPTED, pk.TAG_SEIPD, pk.TAG_AEAD):
            info.encrypted = True
        elif tag == pk.TAG_ONE_PASS_SIG:
            _parse_one_pass(packet.body, info)
        elif tag == pk.TAG_SIGNATURE:
            sig = parse_signature(packet.body)
            if sig is not None:
                _add_signer(info, sig)
        elif tag == pk.TAG_COMPRESSED and depth < 2:
            if budget[0] <= 0:
                warnings.append(f"compressed packets beyond {MAX_INFLATE} inflated bytes in"
                                " all not inflated (a compression bomb, or a large message)")
                return
            inner = _inflate(packet.body, budget[0])
            if inner is None:
                warnings.append(f"compressed packet at offset {packet.offset} could not be inflated")
            else:
                budget[0] -= max(len(inner), 1)
                _walk_message(inner, info, warnings, depth + 1, budget)


def _compressed_keyring(packets: list[pk.Packet]) -> OpenPgpContent | None:
    """The keyring inside a stream that is one compressed packet holding key packets
    (marker packets aside), read whole up to :data:`MAX_KEYRING_INFLATE` bytes; None for
    anything else (a compressed message, with its literal data and signatures)."""
    data_packets = [p for p in packets if p.tag != pk.TAG_MARKER]
    if len(data_packets) != 1 or data_packets[0].tag != pk.TAG_COMPRESSED:
        return None
    packet = data_packets[0]
    head = _inflate(packet.body, KEYRING_SNIFF)
    if not head or key_packet_at(head) is None:
        return None
    inner = _inflate(packet.body, MAX_KEYRING_INFLATE + 1) or b""
    keyring = parse_openpgp(inner[:MAX_KEYRING_INFLATE], nested=True)
    if not keyring.keys:
        return None
    where = f"in the compressed packet at offset {packet.offset}"
    keyring.warnings = [f"{where}: {warning}" for warning in keyring.warnings]
    if len(inner) > MAX_KEYRING_INFLATE:
        keyring.warnings.append(f"{where}: keyring beyond {MAX_KEYRING_INFLATE} inflated"
                                " bytes not read")
    for key in keyring.keys:
        key.offset = packet.offset
    keyring.signatures = [(packet.offset, sig) for _, sig in keyring.signatures]
    return keyring


def _start_key(packet: pk.Packet, content: OpenPgpContent) -> PgpKey | None:
    try:
        primary = parse_key_packet(packet.body, secret=packet.tag == pk.TAG_SECRET_KEY,
                                   cut=packet.truncated)
    except KeyParseError as exc:
        content.warnings.append(f"key packet at offset {packet.offset}: {exc}")
        return None
    content.warnings.extend(f"key at offset {packet.offset}: {w}" for w in primary.warnings)
    return PgpKey(primary, packet.offset)


def _read_resynchronising(data: bytes, content: OpenPgpContent) -> list[pk.Packet]:
    """Frame the packets of ``data``; after damage, go on at the next key packet.

    Framing stops at the first bytes that are not a packet (junk before a keyring, a
    damaged header, a length running past the end). The next plausible primary key
    packet (see :mod:`sniff`) is then looked for, from :data:`RESYNC_BACK` bytes before
    the damage (junk may frame as packets that run over a real key) to
    :data:`RESYNC_WINDOW` bytes past it, and reading goes on there, with a
    warning saying what was skipped; at most :data:`MAX_RESYNCS` times and
    :data:`RESYNC_BUDGET` bytes searched in all. Packets that overlap the key found were
    misframed and are dropped; so is a stretch that did not itself begin with a key
    packet (junk that happened to frame), with its framing warnings.
    """
    packets: list[pk.Packet] = []
    segment = 0
    budget = RESYNC_BUDGET
    for round_ in range(MAX_RESYNCS + 1):
        stream = pk.read_packets(data, segment)
        failed = stream.stopped_at
        found = None
        if failed is not None and round_ < MAX_RESYNCS and budget > 0:
            framed = {p.offset for p in stream.packets}
            start = max(segment + 1, failed - RESYNC_BACK)
            stop = min(len(data), failed + 1 + min(RESYNC_WINDOW, budget))
            found = next((at for at in iter_key_packets(data, start, stop)
                          if at not in framed), None)
            budget -= (found if found is not None else stop) - start
        if found is None:
            packets.extend(stream.packets)
            content.warnings.extend(stream.warnings)
            break
        trusted = key_packet_at(data, segment) is not None
        kept = ([p for p, end in zip(stream.packets, stream.ends, strict=True) if end <= found]
                if trusted else [])
        packets.extend(kept)
        if trusted:
            content.warnings.extend(stream.warnings)
        skipped_from = max((end for end in stream.ends[: len(kept)]), default=segment)
        primaries = [p for p in packets if p.tag in (pk.TAG_PUBLIC_KEY, pk.TAG_SECRET_KEY)]
        block = (f"; the key block of the key packet at offset {primaries[-1].offset} may "
                 "have lost packets" if primaries else "")
        content.warnings.append(
            f"{found - skipped_from} bytes at offset {skipped_from} are not OpenPGP packets "
            f"(damaged or foreign data): skipped, reading resumed at the key packet at "
            f"offset {found}{block}")
        segment = found
    return packets


def parse_openpgp(data: bytes, nested: bool = False) -> OpenPgpContent:
    """Read keys, standalone signatures and message structure from OpenPGP bytes.

    A compressed packet that holds a keyring (``gpg --export`` with compression, as gpg
    writes some backups) is read as that keyring, as ``gpg --show-keys`` reads it; the
    keys' offsets are then the compressed packet's (``nested`` marks that inner read).
    """
    content = OpenPgpContent()
    stream = pk.PacketStream(packets=_read_resynchronising(data, content))
    current: PgpKey | None = None
    in_key_block = False
    on_subkey = False
    target: str | KeyPacket | None = None
    is_message = False
    loose_sigs: list[tuple[int, Signature]] = []
    for packet in stream.packets:
        tag = packet.tag
        if tag in (pk.TAG_PUBLIC_KEY, pk.TAG_SECRET_KEY):
            current = _start_key(packet, content)
            in_key_block, on_subkey, target = True, False, None
            if current is not None:
                content.keys.append(current)
        elif tag in (pk.TAG_PUBLIC_SUBKEY, pk.TAG_SECRET_SUBKEY):
            # Signatures after a subkey that is not kept must not land on the primary key.
            on_subkey, target = True, None
            if current is None or len(current.subkeys) >= MAX_SUBKEYS:
                continue
            try:
                sub = parse_key_packet(packet.body, secret=packet.tag == pk.TAG_SECRET_SUBKEY,
                                       cut=packet.truncated)
            except KeyParseError as exc:
                content.warnings.append(f"subkey packet at offset {packet.offset}: {exc}")
                continue
            current.subkeys.append(sub)
            target = sub
        elif tag == pk.TAG_USER_ID:
            on_subkey, target = False, None
            if current is not None and len(current.user_ids) < MAX_USER_IDS:
                # Bytes that are not UTF-8 stay distinct here (two user IDs differing only
                # in them keep their own certifications); they are shown as U+FFFD.
                target = packet.body[:2048].decode("utf-8", "surrogateescape")
                current.user_ids.append(target)
        elif tag == pk.TAG_USER_ATTRIBUTE:
            on_subkey, target = False, None
        elif tag == pk.TAG_SIGNATURE:
            sig = parse_signature(packet.body)
            if sig is None:
                content.warnings.append(f"unreadable signature packet at offset {packet.offset}")
            elif in_key_block:
                if current is not None and (target is not None or not on_subkey):
                    _apply_signature(current, sig, target)
            else:
                loose_sigs.append((packet.offset, sig))
        elif tag in _MESSAGE_TAGS and not in_key_block:
            is_message = True
        elif tag not in pk.KNOWN_TAGS and in_key_block:
            # gpg refuses the whole keyring ("invalid packet"); we keep what is readable,
            # but what followed the damaged packet (a subkey's binding) is not bound to
            # anything, and the loss is said.
            on_subkey, target = True, None
            owner = f" (key {current.primary.fingerprint})" if current is not None else ""
            content.warnings.append(
                f"packet with unknown tag {tag} at offset {packet.offset} in a key "
                f"block{owner}: damaged or unsupported, skipped with the signatures after it")
    for key in content.keys:
        _finish_key(key)
    if is_message and not content.keys and not nested:
        keyring = _compressed_keyring(stream.packets)
        if keyring is not None:
            return keyring
    if is_message:
        info = MessageInfo(offset=stream.packets[0].offset if stream.packets else 0)
        extra: list[str] = []
        _walk_message(data, info, extra, 0, [MAX_INFLATE])
        content.warnings.extend(w for w in extra if w not in content.warnings)
        content.message = info
    else:
        content.signatures = loose_sigs
    return content
