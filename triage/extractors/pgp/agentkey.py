"""gpg-agent key files (``private-keys-v1.d/<keygrip>.key``): old S-expression and 'Key:' forms.

The old form is one canonical S-expression ('(11:private-key(3:rsa(1:n...'); the newer
extended form is a name-value file ('Created: ...', 'Key: (private-key (ecc ...))') with
continuation lines starting with white space. The top-level list says whether the secret
is in the clear (private-key), passphrase-protected (protected-private-key) or lives on a
smartcard (shadowed-private-key, no secret present).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from triage.extractors.pgp.keygrip import (
    KEM_ALGORITHMS,
    ecc_keygrip,
    generic_keygrip,
    kem_keygrip,
    rsa_keygrip,
)
from triage.extractors.pgp.sexp import Sexp, SexpError, atom_value, parse_sexp

MAX_KEY_FILE = 1024 * 1024
_NAME_VALUE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:")
_KINDS = {b"private-key": "private", b"protected-private-key": "protected",
          b"shadowed-private-key": "shadowed"}
_ALGORITHMS = {b"rsa": "RSA", b"dsa": "DSA", b"elg": "ElGamal", b"ecc": "ECC", b"ecdsa": "ECDSA",
               b"ecdh": "ECDH", b"eddsa": "EdDSA"}


@dataclass
class AgentKey:
    """What a private-keys-v1.d file holds."""

    file_format: str  # "sexp" or "extended"
    kind: str | None = None  # "private", "protected", "shadowed"
    algorithm: str | None = None
    bits: int | None = None
    curve: str | None = None
    keygrip: str | None = None
    created: str | None = None
    description: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def has_secret(self) -> bool:
        """True when secret material (clear or protected) is in the file."""
        return self.kind in ("private", "protected")

    @property
    def secret_protected(self) -> bool | None:
        """Passphrase protection of the secret (None when absent or unknown)."""
        return {"private": False, "protected": True}.get(self.kind or "")


def looks_like_agent_key(data: bytes) -> bool:
    """Cheap check for either agent key file form."""
    head = data[:64].lstrip()
    if head.startswith(b"(") and b"private-key" in head:
        return True
    return bool(_NAME_VALUE.match(head)) and b"\nKey:" in b"\n" + data[:MAX_KEY_FILE]


def _extended_fields(data: bytes) -> dict[str, bytes]:
    fields: dict[str, bytes] = {}
    name: str | None = None
    for raw in data.split(b"\n"):
        line = raw.rstrip(b"\r")
        if line[:1] in (b" ", b"\t") and name is not None:
            fields[name] += b"\n" + line.strip()
        elif _NAME_VALUE.match(line):
            key, _, value = line.partition(b":")
            name = key.decode("ascii").lower()
            if name not in fields:
                fields[name] = value.strip()
            else:
                name = None  # only the first of repeated names matters here
        elif line.startswith(b"#") or not line.strip():
            name = None
    return fields


def _describe_key(tree: Sexp, key: AgentKey) -> None:
    if not tree or not isinstance(tree[0], bytes):
        key.warnings.append("key S-expression has no type")
        return
    key.kind = _KINDS.get(tree[0])
    if key.kind is None:
        key.warnings.append(f"unknown key S-expression type {tree[0][:40]!r}")
        return
    params = next((child for child in tree[1:] if isinstance(child, list) and child), None)
    if params is None or not isinstance(params[0], bytes):
        key.warnings.append("key S-expression without parameters")
        return
    algo = params[0]
    key.algorithm = _ALGORITHMS.get(algo, algo[:20].decode("ascii", "replace"))
    if algo == b"rsa":
        n = atom_value(params, b"n")
        if n:
            key.bits = int.from_bytes(n, "big").bit_length()
            key.keygrip = rsa_keygrip(n)
    elif algo.decode("ascii", "replace") in KEM_ALGORITHMS:
        name = algo.decode("ascii")
        key.algorithm = "Kyber"
        key.bits = int(name.removeprefix("kyber"))
        p = atom_value(params, b"p")
        if p:
            key.keygrip = kem_keygrip(name, p)
    elif algo in (b"dsa", b"elg"):
        names = b"pqgy" if algo == b"dsa" else b"pgy"
        values = [atom_value(params, bytes([name])) for name in names]
        if all(values):
            key.bits = int.from_bytes(values[0] or b"", "big").bit_length()
            key.keygrip = generic_keygrip(algo.decode(), tuple(v or b"" for v in values))
    else:
        curve = atom_value(params, b"curve")
        q = atom_value(params, b"q")
        if curve:
            key.curve = curve[:40].decode("ascii", "replace")
            if q:
                key.keygrip = ecc_keygrip(key.curve, q)


def parse_agent_key(data: bytes) -> AgentKey:
    """Parse a private-keys-v1.d file; problems go to ``warnings``, never raised."""
    data = data[:MAX_KEY_FILE]
    stripped = data.lstrip()
    if stripped.startswith(b"("):
        key = AgentKey("sexp")
        sexp_bytes = stripped
    else:
        key = AgentKey("extended")
        fields = _extended_fields(data)
        sexp_bytes = fields.get("key", b"")
        if "created" in fields:
            key.created = _created_iso(fields["created"])
        if "label" in fields or "description" in fields:
            raw = fields.get("label") or fields.get("description") or b""
            key.description = raw[:200].decode("utf-8", "replace")
        if not sexp_bytes:
            key.warnings.append("extended key file without a 'Key:' entry")
            return key
    try:
        tree = parse_sexp(sexp_bytes)
        _describe_key(tree, key)
    except (SexpError, ValueError, IndexError, KeyError, TypeError, OverflowError,
            RecursionError) as exc:
        # One damaged file must not cost the rest of its GnuPG home.
        key.warnings.append(f"unreadable key S-expression: {exc}")
    return key


def _created_iso(value: bytes) -> str | None:
    match = re.fullmatch(rb"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})", value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (part.decode() for part in match.groups())
    return f"{year}-{month}-{day}T{hour}:{minute}:{second}Z"
