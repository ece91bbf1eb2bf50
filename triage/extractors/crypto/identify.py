"""Identify one candidate string as an address, extended key or private key of a coin.

Every function here takes a single token (already cut out of the text by the scanner's
regular expressions) and decides its family from its *shape* (alphabet, length, version
bytes, human-readable part), then verifies the family's checksum. A token whose shape
fits but whose checksum fails is returned with ``checksum_valid=False`` so callers can
keep it flagged; a token that fits no shape gives None.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base58 import RIPPLE_ALPHABET, b58decode, monero_b58decode
from .bech32 import bech32_decode, cashaddr_decode, convertbits
from .hashes import keccak256, sha256d
from .secp256k1 import ORDER, decompress

ADDRESS = "crypto.address"
EXTENDED_KEY = "crypto.extended_key"
PRIVATE_KEY = "crypto.private_key"


@dataclass(frozen=True)
class Identified:
    """What a token is: artefact type, coin, kind, network and whether its checksum holds.

    ``checksum_valid`` is None for forms that carry no checksum (all-lower-case Ethereum).
    ``payload`` is the decoded body (hash, key or program) when the checksum holds.
    """

    type: str
    coin: str
    kind: str
    network: str
    checksum_valid: bool | None
    value: str
    payload: bytes = b""


# version byte of a 21-byte Base58Check address -> (coin, kind, network)
BASE58_ADDRESS_VERSIONS: dict[int, tuple[str, str, str]] = {
    0x00: ("BTC", "p2pkh", "main"),
    0x05: ("BTC", "p2sh", "main"),
    0x6F: ("BTC", "p2pkh", "test"),
    0xC4: ("BTC", "p2sh", "test"),
    0x30: ("LTC", "p2pkh", "main"),
    0x32: ("LTC", "p2sh", "main"),
    0x1E: ("DOGE", "p2pkh", "main"),
    0x16: ("DOGE", "p2sh", "main"),
    0x4C: ("DASH", "p2pkh", "main"),
    0x10: ("DASH", "p2sh", "main"),
    0x41: ("TRX", "p2pkh", "main"),
}

# version byte of a WIF private key -> (coin, network)
WIF_VERSIONS: dict[int, tuple[str, str]] = {
    0x80: ("BTC", "main"),
    0xEF: ("BTC", "test"),
    0xB0: ("LTC", "main"),
    0x9E: ("DOGE", "main"),
    0xCC: ("DASH", "main"),
}

# 4-byte version of a BIP32 extended key -> (prefix, coin, kind, network)
EXTENDED_KEY_VERSIONS: dict[bytes, tuple[str, str, str, str]] = {
    bytes.fromhex(hexv): info
    for hexv, info in {
        "0488b21e": ("xpub", "BTC", "xpub", "main"),
        "0488ade4": ("xprv", "BTC", "xprv", "main"),
        "049d7cb2": ("ypub", "BTC", "ypub", "main"),
        "049d7878": ("yprv", "BTC", "yprv", "main"),
        "04b24746": ("zpub", "BTC", "zpub", "main"),
        "04b2430c": ("zprv", "BTC", "zprv", "main"),
        "0295b43f": ("Ypub", "BTC", "Ypub", "main"),
        "0295b005": ("Yprv", "BTC", "Yprv", "main"),
        "02aa7ed3": ("Zpub", "BTC", "Zpub", "main"),
        "02aa7a99": ("Zprv", "BTC", "Zprv", "main"),
        "043587cf": ("tpub", "BTC", "tpub", "test"),
        "04358394": ("tprv", "BTC", "tprv", "test"),
        "044a5262": ("upub", "BTC", "upub", "test"),
        "044a4e28": ("uprv", "BTC", "uprv", "test"),
        "045f1cf6": ("vpub", "BTC", "vpub", "test"),
        "045f18bc": ("vprv", "BTC", "vprv", "test"),
        "019da462": ("Ltub", "LTC", "Ltub", "main"),
        "019d9cfe": ("Ltpv", "LTC", "Ltpv", "main"),
        "01b26ef6": ("Mtub", "LTC", "Mtub", "main"),
        "01b26792": ("Mtpv", "LTC", "Mtpv", "main"),
        "02facafd": ("dgub", "DOGE", "dgub", "main"),
        "02fac398": ("dgpv", "DOGE", "dgpv", "main"),
    }.items()
}

# segwit human-readable part -> (coin, network)
SEGWIT_HRPS: dict[str, tuple[str, str]] = {
    "bc": ("BTC", "main"),
    "tb": ("BTC", "test"),
    "bcrt": ("BTC", "regtest"),
    "ltc": ("LTC", "main"),
    "tltc": ("LTC", "test"),
}

# Monero network byte -> (kind, network)
MONERO_PREFIXES: dict[int, tuple[str, str]] = {
    18: ("standard", "main"),
    19: ("integrated", "main"),
    42: ("subaddress", "main"),
    53: ("standard", "test"),
    54: ("integrated", "test"),
    63: ("subaddress", "test"),
    24: ("standard", "stagenet"),
    25: ("integrated", "stagenet"),
    36: ("subaddress", "stagenet"),
}



def _split_checksum(raw: bytes) -> tuple[bytes, bool]:
    return raw[:-4], sha256d(raw[:-4])[:4] == raw[-4:]


def identify_base58(text: str) -> Identified | None:
    """Identify a Bitcoin-alphabet Base58 token: address, WIF, BIP38, or extended key."""
    raw = b58decode(text)
    if raw is None:
        return None
    size = len(raw)
    if size == 25:
        info = BASE58_ADDRESS_VERSIONS.get(raw[0])
        if info is None:
            return None
        payload, ok = _split_checksum(raw)
        return Identified(ADDRESS, *info, ok, text, payload[1:] if ok else b"")
    if size in (37, 38):
        wif = WIF_VERSIONS.get(raw[0])
        if wif is None:
            return None
        payload, ok = _split_checksum(raw)
        secret = int.from_bytes(raw[1:33], "big")
        if ok and ((size == 38 and raw[33] != 1) or not 0 < secret < ORDER):
            return None
        kind = "wif_compressed" if size == 38 else "wif"
        return Identified(PRIVATE_KEY, wif[0], kind, wif[1], ok, text, raw[1:33] if ok else b"")
    if size == 43 and raw[0] == 0x01 and raw[1] in (0x42, 0x43):
        payload, ok = _split_checksum(raw)
        return Identified(PRIVATE_KEY, "BTC", "bip38", "main", ok, text)
    if size == 82:
        ext = EXTENDED_KEY_VERSIONS.get(raw[:4])
        if ext is None:
            return None
        payload, ok = _split_checksum(raw)
        if ok and not _extended_key_well_formed(payload, ext[2].endswith(("prv", "pv"))):
            return None
        return Identified(EXTENDED_KEY, ext[1], ext[2], ext[3], ok, text, payload if ok else b"")
    return None


def _extended_key_well_formed(payload: bytes, private: bool) -> bool:
    """BIP-32's rules for a serialised key (its test vector 5 lists keys breaking each):
    a depth-0 key has no parent fingerprint and index 0; a private key is 0x00 and a
    number from 1 to n-1; a public key is a compressed point on secp256k1."""
    depth, parent, index, key = payload[4], payload[5:9], payload[9:13], payload[45:78]
    if depth == 0 and (any(parent) or any(index)):
        return False
    if private:
        return key[0] == 0 and 0 < int.from_bytes(key[1:], "big") < ORDER
    return decompress(key) is not None


def identify_ripple(text: str) -> Identified | None:
    """Identify an XRP classic address (Ripple alphabet, version 0, double-SHA-256)."""
    raw = b58decode(text, RIPPLE_ALPHABET)
    if raw is None or len(raw) != 25 or raw[0] != 0:
        return None
    payload, ok = _split_checksum(raw)
    return Identified(ADDRESS, "XRP", "classic", "main", ok, text, payload[1:] if ok else b"")


def identify_segwit(text: str) -> Identified | None:
    """Identify a bech32/bech32m segwit address of a known chain (BIP173/BIP350 rules)."""
    lowered = text.lower()
    hrp = lowered[: lowered.rfind("1")] if "1" in lowered else ""
    coin_net = SEGWIT_HRPS.get(hrp)
    if coin_net is None:
        return None
    decoded = bech32_decode(text)
    if decoded is None:
        return Identified(ADDRESS, coin_net[0], "segwit", coin_net[1], False, text)
    _, data, encoding = decoded
    if not data or data[0] > 16:
        return None
    program = convertbits(data[1:], 5, 8, False)
    version = data[0]
    if program is None or not 2 <= len(program) <= 40:
        return None
    if version == 0 and len(program) not in (20, 32):
        return None
    if (version == 0) != (encoding == "bech32"):
        return Identified(ADDRESS, coin_net[0], "segwit", coin_net[1], False, text)
    if version == 0:
        kind = "p2wpkh" if len(program) == 20 else "p2wsh"
    elif version == 1 and len(program) == 32:
        kind = "p2tr"
    else:
        kind = f"witness_v{version}"
    return Identified(ADDRESS, coin_net[0], kind, coin_net[1], True, text, bytes(program))


def identify_cashaddr(text: str) -> Identified | None:
    """Identify a Bitcoin Cash cashaddr (with or without ``bitcoincash:``)."""
    lowered = text.lower()
    prefix = "bitcoincash"
    body = lowered
    if ":" in lowered:
        prefix, _, body = lowered.rpartition(":")
        if prefix not in ("bitcoincash", "bchtest", "bchreg"):
            return None
    if len(body) != 42 or body[0] not in "qp":
        return None
    network = {"bitcoincash": "main", "bchtest": "test", "bchreg": "regtest"}[prefix]
    decoded = cashaddr_decode(f"{prefix}:{body}")
    if decoded is None:
        return Identified(ADDRESS, "BCH", "cashaddr", network, False, text)
    kind = "p2pkh" if decoded.kind == 0 else "p2sh" if decoded.kind == 1 else "cashaddr"
    return Identified(ADDRESS, "BCH", kind, network, True, text, decoded.hash)


def eip55_checksum(address_hex: str) -> str:
    """Return the EIP-55 mixed-case form of a 40-hex-digit address (no ``0x``)."""
    lowered = address_hex.lower()
    digest = keccak256(lowered.encode("ascii")).hex()
    return "".join(
        char.upper() if char.isalpha() and int(digest[i], 16) >= 8 else char
        for i, char in enumerate(lowered)
    )


def identify_ethereum(text: str) -> Identified | None:
    """Identify an Ethereum address; all-lower/upper case carries no checksum (None)."""
    if len(text) != 42 or text[:2] not in ("0x", "0X"):
        return None
    body = text[2:]
    try:
        raw = bytes.fromhex(body)
    except ValueError:
        return None
    if body == body.lower() or body == body.upper():
        return Identified(ADDRESS, "ETH", "unchecksummed", "main", None, text, raw)
    ok = eip55_checksum(body) == body
    return Identified(ADDRESS, "ETH", "eip55", "main", ok, text, raw if ok else b"")


def identify_monero(text: str) -> Identified | None:
    """Identify a Monero standard, integrated or subaddress (Keccak-256 checksum)."""
    if len(text) not in (95, 106):
        return None
    raw = monero_b58decode(text)
    if raw is None or len(raw) not in (69, 77):
        return None
    info = MONERO_PREFIXES.get(raw[0])
    if info is None or (info[0] == "integrated") != (len(raw) == 77):
        return None
    ok = keccak256(raw[:-4])[:4] == raw[-4:]
    return Identified(ADDRESS, "XMR", info[0], info[1], ok, text, raw[1:-4] if ok else b"")


def identify(text: str) -> Identified | None:
    """Try every family on one token; the first whose shape fits decides."""
    if text[:2] in ("0x", "0X"):
        return identify_ethereum(text)
    if len(text) in (95, 106):
        # Main (4, 8), test (9, A, B) and stage (5, 7) networks: no other family is
        # this long, so a token that is not Monero falls through to nothing.
        found = identify_monero(text)
        if found is not None:
            return found
    if ":" in text or (len(text) == 42 and text[:1] in "qpQP"):
        found = identify_cashaddr(text)
        if found is not None:
            return found
    if "1" in text and text.lower().split("1", 1)[0] in SEGWIT_HRPS:
        found = identify_segwit(text)
        if found is not None:
            return found
    if text[:1] == "r":
        found = identify_ripple(text)
        if found is not None:
            return found
    return identify_base58(text)
