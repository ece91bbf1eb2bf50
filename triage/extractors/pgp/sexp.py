"""S-expressions as GnuPG's agent stores keys: canonical ('(3:rsa(1:n3:...') and advanced.

The advanced form (tokens, #hex#, "quoted", |base64|) is what the newer extended key
format ('Key: (private-key (ecc ...))') uses. Lists become Python lists of bytes atoms.
"""

from __future__ import annotations

import base64
import binascii

Sexp = list["Sexp | bytes"]

MAX_DEPTH = 64
MAX_ATOMS = 100_000
_TOKEN_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-./_:*+=")
_SPACE = frozenset(b" \t\r\n\f\v")


#: Digits a verbatim atom's length may have: no key file holds anything near 10**12
#: bytes, and Python refuses to read integers of more than 4,300 digits.
MAX_LENGTH_DIGITS = 12

class SexpError(ValueError):
    """Malformed or oversized S-expression."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.atoms = 0

    def _skip_space(self) -> None:
        data = self.data
        while self.pos < len(data) and data[self.pos] in _SPACE:
            self.pos += 1

    def _take(self, end_char: int) -> bytes:
        end = self.data.find(bytes([end_char]), self.pos)
        if end < 0:
            raise SexpError("unterminated atom")
        value = self.data[self.pos : end]
        self.pos = end + 1
        return value

    def _quoted(self) -> bytes:
        out = bytearray()
        data = self.data
        while self.pos < len(data):
            char = data[self.pos]
            self.pos += 1
            if char == 0x22:
                return bytes(out)
            if char == 0x5C and self.pos < len(data):
                escaped = data[self.pos]
                self.pos += 1
                out.append({0x6E: 10, 0x72: 13, 0x74: 9}.get(escaped, escaped))
            else:
                out.append(char)
        raise SexpError("unterminated quoted string")

    def atom(self) -> bytes:
        data = self.data
        char = data[self.pos]
        if 0x30 <= char <= 0x39:
            start = self.pos
            while self.pos < len(data) and 0x30 <= data[self.pos] <= 0x39:
                self.pos += 1
            if self.pos < len(data) and data[self.pos] == 0x3A:
                if self.pos - start > MAX_LENGTH_DIGITS:
                    raise SexpError("verbatim atom length has too many digits")
                length = int(data[start : self.pos])
                begin = self.pos + 1
                if begin + length > len(data):
                    raise SexpError("verbatim atom runs past the end")
                self.pos = begin + length
                return data[begin : self.pos]
            if self.pos < len(data) and data[self.pos] in b'#"|':
                char = data[self.pos]
            else:
                self.pos = start
        if char == 0x23:  # '#'
            self.pos += 1
            raw = bytes(b for b in self._take(0x23) if b not in _SPACE)
            try:
                return binascii.unhexlify(raw)
            except (binascii.Error, ValueError) as exc:
                raise SexpError("bad hex atom") from exc
        if char == 0x22:  # '"'
            self.pos += 1
            return self._quoted()
        if char == 0x7C:  # '|'
            self.pos += 1
            raw = bytes(b for b in self._take(0x7C) if b not in _SPACE)
            try:
                return base64.b64decode(raw + b"=" * (-len(raw) % 4))
            except (binascii.Error, ValueError) as exc:
                raise SexpError("bad base64 atom") from exc
        start = self.pos
        while self.pos < len(data) and data[self.pos] in _TOKEN_CHARS:
            self.pos += 1
        if self.pos == start:
            raise SexpError(f"unexpected byte 0x{char:02x} at {start}")
        return data[start : self.pos]

    def parse(self) -> Sexp:
        self._skip_space()
        if self.pos >= len(self.data) or self.data[self.pos] != 0x28:
            raise SexpError("S-expression does not start with '('")
        self.pos += 1
        root: Sexp = []
        stack: list[Sexp] = [root]
        while stack:
            self._skip_space()
            if self.pos >= len(self.data):
                raise SexpError("unterminated list")
            char = self.data[self.pos]
            if char == 0x28:
                if len(stack) >= MAX_DEPTH:
                    raise SexpError("S-expression nested too deeply")
                self.pos += 1
                child: Sexp = []
                stack[-1].append(child)
                stack.append(child)
            elif char == 0x29:
                self.pos += 1
                stack.pop()
            else:
                self.atoms += 1
                if self.atoms > MAX_ATOMS:
                    raise SexpError("too many atoms")
                stack[-1].append(self.atom())
        return root


def parse_sexp(data: bytes) -> Sexp:
    """Parse one S-expression (canonical or advanced) at the start of ``data``."""
    return _Reader(data).parse()


def find_list(node: Sexp, name: bytes) -> Sexp | None:
    """The first direct child list of ``node`` whose head atom is ``name``."""
    for child in node:
        if isinstance(child, list) and child and child[0] == name:
            return child
    return None


def atom_value(node: Sexp, name: bytes) -> bytes | None:
    """The second element of the child list named ``name`` when it is an atom."""
    child = find_list(node, name)
    if child is not None and len(child) > 1 and isinstance(child[1], bytes):
        return child[1]
    return None
