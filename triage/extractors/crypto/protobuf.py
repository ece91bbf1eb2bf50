"""A minimal, bounded protocol-buffers wire-format reader (no schema, no code generation)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_FIELDS = 100_000


class ProtobufError(ValueError):
    """The bytes are not a well-formed protocol-buffers message."""


@dataclass(frozen=True)
class Field:
    """One field: its number, wire type (0 varint, 1 fixed64, 2 bytes, 5 fixed32) and value."""

    number: int
    wire_type: int
    value: int | bytes


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """Read a base-128 varint at ``pos``; return (value, next position)."""
    result = 0
    for shift in range(0, 70, 7):
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
    raise ProtobufError("varint too long")


def parse_message(data: bytes, max_fields: int = MAX_FIELDS) -> list[Field]:
    """Split a message into its top-level fields; raise ProtobufError if malformed."""
    fields: list[Field] = []
    pos = 0
    while pos < len(data):
        if len(fields) >= max_fields:
            raise ProtobufError("too many fields")
        key, pos = read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise ProtobufError("field number 0")
        value: int | bytes
        if wire_type == 0:
            value, pos = read_varint(data, pos)
        elif wire_type == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire_type == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
        elif wire_type == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ProtobufError(f"unsupported wire type {wire_type}")
        if pos > len(data):
            raise ProtobufError("truncated field")
        fields.append(Field(number, wire_type, value))
    return fields


def first(fields: list[Field], number: int) -> int | bytes | None:
    """Value of the first field with this number, or None."""
    for item in fields:
        if item.number == number:
            return item.value
    return None
