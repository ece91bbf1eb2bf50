"""OpenPGP packet framing (RFC 4880 / RFC 9580): old and new headers, partial lengths.

The reader is deliberately forgiving: it yields every packet it can frame and stops with
a warning at the first header it cannot make sense of, so a truncated or corrupt keyring
still gives the packets in front of the damage. It never allocates more than the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

#: Tags of packets this package understands or expects inside keyrings and messages.
KNOWN_TAGS = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 17, 18, 19, 20, 21, 60, 61})

TAG_PKESK = 1
TAG_SIGNATURE = 2
TAG_SKESK = 3
TAG_ONE_PASS_SIG = 4
TAG_SECRET_KEY = 5
TAG_PUBLIC_KEY = 6
TAG_SECRET_SUBKEY = 7
TAG_COMPRESSED = 8
TAG_SYM_ENCRYPTED = 9
TAG_LITERAL = 11
TAG_TRUST = 12
TAG_USER_ID = 13
TAG_PUBLIC_SUBKEY = 14
TAG_USER_ATTRIBUTE = 17
TAG_SEIPD = 18
TAG_AEAD = 20
TAG_MARKER = 10

#: Upper bound on packets read from one buffer, so hostile input cannot make us loop long.
MAX_PACKETS = 200_000
#: Smallest partial body chunk accepted (see read_packet).
MIN_PARTIAL_CHUNK = 512
#: The packets whose length may be left open (old format's indeterminate length, new
#: format's partial body lengths): compressed, encrypted and literal data (RFC 4880
#: 4.2.2.4, RFC 9580 4.2.1). A key, user ID or signature header claiming one is damage.
OPEN_LENGTH_TAGS = frozenset({TAG_COMPRESSED, TAG_SYM_ENCRYPTED, TAG_LITERAL, TAG_SEIPD,
                              TAG_AEAD})


@dataclass
class Packet:
    """One framed packet: its tag, body and where its header starts in the buffer."""

    tag: int
    body: bytes
    offset: int
    new_format: bool = True
    truncated: bool = False


@dataclass
class PacketStream:
    """The packets framed from a buffer plus what went wrong on the way."""

    packets: list[Packet] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    end: int = 0
    #: Where framing stopped before the end of the buffer (a header that is not one, a
    #: packet cut short, tag 0), or None when every byte was framed.
    stopped_at: int | None = None
    #: Where each packet of ``packets`` ends (a cut one: at the end of the buffer).
    ends: list[int] = field(default_factory=list)


def _new_length(data: bytes, pos: int) -> tuple[int, int, bool] | None:
    """Decode a new-format length at ``pos``: (length, header bytes used, is_partial)."""
    if pos >= len(data):
        return None
    first = data[pos]
    if first < 192:
        return first, 1, False
    if first < 224:
        if pos + 1 >= len(data):
            return None
        return ((first - 192) << 8) + data[pos + 1] + 192, 2, False
    if first == 255:
        if pos + 4 >= len(data):
            return None
        return int.from_bytes(data[pos + 1 : pos + 5], "big"), 5, False
    return 1 << (first & 0x1F), 1, True


def read_packet(data: bytes, pos: int) -> tuple[Packet | None, int, str | None]:
    """Frame the packet whose header starts at ``pos``.

    Returns (packet or None, position after it, warning or None). A body that runs past
    the end of the buffer is returned shortened with ``truncated`` set.
    """
    if pos >= len(data):
        return None, pos, None
    ctb = data[pos]
    if not ctb & 0x80:
        return None, pos, f"not an OpenPGP packet header at offset {pos} (0x{ctb:02x})"
    if ctb & 0x40:
        tag = ctb & 0x3F
        chunks: list[bytes] = []
        cursor = pos + 1
        while True:
            decoded = _new_length(data, cursor)
            if decoded is None:
                return None, len(data), f"truncated packet length at offset {pos}"
            length, used, partial = decoded
            if partial and tag not in OPEN_LENGTH_TAGS:
                return None, pos, (f"partial body length for packet type {tag} at offset"
                                   f" {pos}: only data packets have one (damaged header)")
            if partial and length < MIN_PARTIAL_CHUNK:
                # RFC 4880 4.2.2.4 asks at least 512 octets of the first; implementations
                # write every partial chunk that large. Tiny ones only make framing slow.
                return None, len(data), (f"partial body chunk of {length} bytes in the packet"
                                         f" at offset {pos}: not OpenPGP framing; stopping")
            start = cursor + used
            chunk = data[start : start + length]
            chunks.append(chunk)
            cursor = start + length
            if len(chunk) < length:
                packet = Packet(tag, b"".join(chunks), pos, True, truncated=True)
                return packet, len(data), f"packet (tag {tag}) at offset {pos} is truncated"
            if not partial:
                break
        return Packet(tag, b"".join(chunks), pos, True), cursor, None
    tag = (ctb >> 2) & 0x0F
    length_type = ctb & 0x03
    if length_type == 3:
        if tag not in OPEN_LENGTH_TAGS:
            return None, pos, (f"indeterminate length for packet type {tag} at offset {pos}:"
                               " only data packets have one (damaged header)")
        # Indeterminate length: the packet runs to the end of the buffer.
        return Packet(tag, data[pos + 1 :], pos, False), len(data), None
    size = 1 << length_type
    if pos + 1 + size > len(data):
        return None, len(data), f"truncated packet length at offset {pos}"
    length = int.from_bytes(data[pos + 1 : pos + 1 + size], "big")
    start = pos + 1 + size
    body = data[start : start + length]
    if len(body) < length:
        packet = Packet(tag, body, pos, False, truncated=True)
        return packet, len(data), f"packet (tag {tag}) at offset {pos} is truncated"
    return Packet(tag, body, pos, False), start + length, None


def iter_packets(data: bytes, start: int = 0) -> Iterator[tuple[Packet | None, str | None]]:
    """Yield (packet, None) for each framed packet and (None, warning) where framing fails."""
    pos = start
    for _ in range(MAX_PACKETS):
        if pos >= len(data):
            return
        packet, pos_after, warning = read_packet(data, pos)
        if packet is not None:
            if packet.tag == 0:
                yield None, f"reserved packet tag 0 at offset {pos}: stopping"
                return
            yield packet, warning
        elif warning:
            yield None, warning
        if packet is None or pos_after <= pos:
            return
        pos = pos_after
    yield None, f"more than {MAX_PACKETS} packets: stopping"


def read_packets(data: bytes, start: int = 0) -> PacketStream:
    """Frame every packet from ``start``; collect warnings instead of raising.

    The same walk as :func:`iter_packets`, also telling where it stopped early.
    """
    stream = PacketStream()
    pos = start
    for _ in range(MAX_PACKETS):
        if pos >= len(data):
            return stream
        packet, pos_after, warning = read_packet(data, pos)
        if packet is not None and packet.tag == 0:
            stream.warnings.append(f"reserved packet tag 0 at offset {pos}: stopping")
            stream.stopped_at = pos
            return stream
        if packet is not None:
            stream.packets.append(packet)
            stream.ends.append(max(pos_after, pos + 1))
            stream.end = packet.offset
        if warning:
            stream.warnings.append(warning)
        if packet is None or packet.truncated or pos_after <= pos:
            stream.stopped_at = pos
            return stream
        pos = pos_after
    stream.warnings.append(f"more than {MAX_PACKETS} packets: stopping")
    return stream


def fixed_length_header(data: bytes, pos: int = 0) -> tuple[int, int, int] | None:
    """(tag, header size, declared body length) of the packet header at ``pos``.

    None when there is no packet header there, when it is cut, or when its length is not
    fixed (partial or indeterminate), so the body's full size is not known from it.
    """
    if pos >= len(data) or not data[pos] & 0x80:
        return None
    ctb = data[pos]
    if ctb & 0x40:
        decoded = _new_length(data, pos + 1)
        if decoded is None or decoded[2]:
            return None
        return ctb & 0x3F, 1 + decoded[1], decoded[0]
    length_type = ctb & 0x03
    if length_type == 3:
        return None
    size = 1 << length_type
    if pos + 1 + size > len(data):
        return None
    return (ctb >> 2) & 0x0F, 1 + size, int.from_bytes(data[pos + 1 : pos + 1 + size], "big")


def looks_like_packets(data: bytes) -> bool:
    """Cheap check that ``data`` starts with a plausible OpenPGP packet header."""
    if not data or not data[0] & 0x80:
        return False
    packet, _, warning = read_packet(data, 0)
    return packet is not None and warning is None and packet.tag in KNOWN_TAGS and len(packet.body) > 0
