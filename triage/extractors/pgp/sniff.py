"""Whether bytes hold a plausible OpenPGP key packet: to resynchronise after damage in a
keyring and to recognise key files by content whatever their name.

The checks are those of a real key packet, cheapest first: a key packet's header byte
(eight values), a fixed length, a known version and algorithm, a first parameter that
fits (an MPI whose bit count matches its top byte, a known curve OID, a native key's
size), the whole packet parsed with nothing left over, and what follows it a packet a
key block holds. Random bytes pass about once in 10^10 positions (see the tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from triage.extractors.pgp.keypacket import ALGORITHMS, CURVES, KeyParseError, parse_key_packet
from triage.extractors.pgp.packets import fixed_length_header

_MPI_ALGORITHMS = frozenset({1, 2, 3, 16, 17, 20})
_OID_ALGORITHMS = frozenset({18, 19, 22})
#: Public key sizes of the RFC 9580 native algorithms (X25519, X448, Ed25519, Ed448).
_NATIVE_SIZES = {25: 32, 26: 56, 27: 32, 28: 57}


def plausible_key_start(body: bytes, declared: int, secret: bool) -> bool:
    """Whether a (cut) key packet body starts as a real one: version, algorithm, first field.

    The declared size must fit what the start says (a v5/v6 key material length, a native
    key's fixed size), and the first public parameter must look right (an MPI whose bit
    count matches its top byte, or a known curve OID), so random bytes behind a key-like
    header rarely pass.
    """
    if not body:
        return False
    version = body[0]
    if version in (2, 3):
        algo_at, params_at = 7, 8
    elif version in (4, 5, 6):
        algo_at, params_at = 5, 6 if version == 4 else 10
    else:
        return False
    if len(body) < params_at + 3 or body[algo_at] not in ALGORITHMS:
        return False
    algo = body[algo_at]
    if version in (2, 3) and algo not in (1, 2, 3):
        return False
    if version in (5, 6):
        # The public part's size is explicit: a public packet is exactly that long.
        public = params_at + int.from_bytes(body[6:10], "big")
        if public > declared or (not secret and public != declared):
            return False
    if algo in _MPI_ALGORITHMS:
        bits = int.from_bytes(body[params_at : params_at + 2], "big")
        top = body[params_at + 2]
        return 0 < bits <= 16384 and top.bit_length() == (bits - 1) % 8 + 1
    if algo in _OID_ALGORITHMS:
        size = body[params_at]
        return body[params_at + 1 : params_at + 1 + size].hex() in CURVES
    if algo in _NATIVE_SIZES:
        public = params_at + _NATIVE_SIZES[algo]
        return public < declared if secret else public == declared
    return version in (5, 6)



#: Header bytes of a primary key packet: old format tag 6 / tag 5 with a 1-, 2- or
#: 4-byte length, new format tag 6 / tag 5.
KEY_CTBS = frozenset({0x94, 0x95, 0x96, 0x98, 0x99, 0x9A, 0xC5, 0xC6})
_KEY_CTB_RE = re.compile(b"[" + re.escape(bytes(sorted(KEY_CTBS))) + b"]")
#: Largest key packet taken (an RSA-16384 secret key is about 5 KB).
MAX_KEY_PACKET = 64 * 1024
#: Packets that may follow a primary key packet in a key block (or export).
_FOLLOWERS = frozenset({2, 5, 6, 7, 12, 13, 14, 17, 61})


def _tag_of(ctb: int) -> int | None:
    if not ctb & 0x80:
        return None
    return ctb & 0x3F if ctb & 0x40 else (ctb >> 2) & 0x0F


def key_packet_at(data: bytes, pos: int = 0) -> int | None:
    """Where the plausible primary key packet (public or secret) at ``pos`` ends, or None.

    The packet must lie whole in ``data``; the byte after it, if any, must start a packet
    a key block holds (a user ID, a signature, a subkey, a trust packet, the next key).
    """
    if pos >= len(data) or data[pos] not in KEY_CTBS:
        return None
    header = fixed_length_header(data, pos)
    if header is None:
        return None
    tag, header_size, declared = header
    if tag not in (5, 6) or not 6 <= declared <= MAX_KEY_PACKET:
        return None
    start = pos + header_size
    end = start + declared
    if end > len(data):
        return None
    secret = tag == 5
    # The start decides for nearly every candidate: copy the whole body (up to 64 KiB)
    # only for one that passes, as a resynchronising search meets many.
    if not plausible_key_start(data[start:min(end, start + 320)], declared, secret):
        return None
    body = data[start:end]
    try:
        key = parse_key_packet(body, secret=secret)
    except KeyParseError:
        return None
    if key.warnings:
        return None
    public = len(key.public_body)
    if secret:
        if public >= declared:
            return None
        usage = body[public]
        if not (usage in (0, 253, 254, 255) or 1 <= usage <= 13):
            return None
    elif public != declared:
        return None
    if end < len(data) and _tag_of(data[end]) not in _FOLLOWERS:
        return None
    return end


def iter_key_packets(data: bytes, start: int, stop: int) -> Iterator[int]:
    """Offsets of the plausible primary key packets starting in ``data[start:stop]``."""
    for match in _KEY_CTB_RE.finditer(data, start, min(stop, len(data))):
        if key_packet_at(data, match.start()) is not None:
            yield match.start()


def next_key_packet(data: bytes, start: int, stop: int) -> int | None:
    """Offset of the first plausible primary key packet in ``data[start:stop]``, or None."""
    return next(iter_key_packets(data, start, stop), None)
