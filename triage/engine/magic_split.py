"""libmagic over its own database split by the content's first byte: the same answers, less work.

libmagic tries the top-level tests of its compiled database one after another, in
strength order, until one matches; content it cannot type ("data") pays for all of
them, about half a millisecond per file. Most binary tests compare a fixed value at
offset 0, so the content's first byte rules them out before libmagic looks. This module
reads the compiled database (``magic.mgc``, format version 18 of file 5.3x-5.4x), keeps
every test that the first byte cannot rule out, and gives libmagic one smaller database
per group of first-byte values (built when first needed, loaded from memory with
``magic_load_buffers``). The order of the remaining tests is unchanged, and a removed
test could not have matched, so the answer is the one the whole database gives.

Three things keep that true:

* only binary tests are filtered: libmagic also runs the text tests on a converted copy
  of text (UTF-16 decoded, a byte-order mark dropped) whose first byte differs, so every
  text test stays in every part;
* named test groups (``use``) are kept when any remaining test refers to them, directly
  or through another named group;
* an ``indirect`` test runs the whole database again at another offset, where another
  first byte applies. In the parts it is replaced by a test that always matches and
  prints a marker; when the marker shows, the content is typed again with the whole
  database.

Whatever cannot be read this way (another database version, byte order or several
databases to load) gets the ordinary python-magic object, so the answers never depend on
this module. ``tests/engine/test_magic_split.py`` compares both on thousands of buffers.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import magic

MAGIC_NUMBER = 0xF11E041C
#: The compiled-database format this reader understands (file 5.33 to 5.45).
SUPPORTED_VERSION = 18
#: sizeof(struct magic) for that format.
ENTRY_SIZE = 376
#: The database groups first bytes into this many parts (a part per byte costs memory
#: for little gain: the tests no first byte can rule out dominate every part).
PART_COUNT = 8

# struct magic fields (file.h): offsets within one entry.
_CONT_LEVEL = struct.Struct("<H")
_HEAD = struct.Struct("<HBBBBBBBBBBiiI")
_NUM_MASK = struct.Struct("<Q")
_STR_FLAGS = struct.Struct("<I")
_VALUE = 32
_VALUE_SIZE = 128
_DESC = 160
_DESC_SIZE = 64
_MIME = 224
_MIME_SIZE = 80

# struct magic flag bits.
_INDIR, _OFFADD, _INDIROFFADD, _BINTEST, _TEXTTEST, _OFFNEGATIVE = 0x01, 0x02, 0x04, 0x20, 0x40, 0x80
_OFFSET_FLAGS = _INDIR | _OFFADD | _INDIROFFADD | _OFFNEGATIVE

# Test types (file.h FILE_*).
_BYTE, _STRING, _SEARCH, _INDIRECT, _NAME, _USE = 1, 5, 20, 41, 45, 46
#: Numeric types: (size in bytes, big-endian). SHORT/LONG/QUAD are the host's order.
_NUMERIC = {
    1: (1, False), 2: (2, False), 4: (4, False), 24: (8, False),
    7: (2, True), 8: (4, True), 26: (8, True),
    10: (2, False), 11: (4, False), 25: (8, False),
}

# String flags (file.h STRING_*).
_COMPACT_WHITESPACE, _COMPACT_OPTIONAL_WHITESPACE = 1 << 0, 1 << 1
_IGNORE_LOWERCASE, _IGNORE_UPPERCASE = 1 << 2, 1 << 3
_STRING_TEXTTEST, _STRING_BINTEST, _FULL_WORD = 1 << 5, 1 << 6, 1 << 14
_UNDERSTOOD_STRING_FLAGS = (
    _COMPACT_WHITESPACE | _COMPACT_OPTIONAL_WHITESPACE | _IGNORE_LOWERCASE
    | _IGNORE_UPPERCASE | _STRING_TEXTTEST | _STRING_BINTEST | _FULL_WORD
)
#: C isspace() in every locale libmagic may run under.
_C_SPACE = frozenset(b" \t\n\v\f\r")

ALL_BYTES = (1 << 256) - 1
#: Searches over at least this many positions (or the whole content) get a guard.
GUARDED_SEARCH_RANGE = 1024
#: At most this many guards (each doubles the parts that may be built).
MAX_GUARDS = 4
#: A typer reads and splits the database only after this many calls: a scan that types
#: a handful of files (the quick profile) spares the 60 ms and the memory.
SPLIT_AFTER_CALLS = 64

#: What the replacement of an ``indirect`` test prints (description and MIME type).
FALLBACK_DESCRIPTION = b"TRIAGE-MAGIC-SPLIT-INDIRECT"
FALLBACK_MIME = b"application/x-triage-magic-split-indirect"


class UnsupportedDatabase(Exception):
    """The compiled database cannot be split; use libmagic's own loading."""


def _byte_mask(values: Iterable[int]) -> int:
    mask = 0
    for value in values:
        mask |= 1 << value
    return mask


def first_byte_mask(entry: bytes) -> int:
    """The first bytes of content a top-level binary test can match (bit ``b`` for byte ``b``).

    ``ALL_BYTES`` when the test does not fix its first byte: text tests, other offsets,
    indirect offsets, other relations than ``=``, searches, regular expressions, dates,
    unusual string flags.
    """
    (_, flag, _, reln, vallen, kind, _, _, mask_op, cond, _, offset, _, _) = _HEAD.unpack_from(entry)
    if flag & (_TEXTTEST | _OFFSET_FLAGS) or offset != 0 or reln != ord("=") or cond:
        return ALL_BYTES
    if kind in _NUMERIC:
        if mask_op:
            return ALL_BYTES
        size, big_endian = _NUMERIC[kind]
        shift = 8 * (size - 1) if big_endian else 0
        value = _NUM_MASK.unpack_from(entry, _VALUE)[0]
        mask = _NUM_MASK.unpack_from(entry, 24)[0]
        wanted = (value >> shift) & 0xFF
        byte_mask = (mask >> shift) & 0xFF if mask else 0xFF
        if wanted & ~byte_mask:
            return ALL_BYTES  # can never match; not worth reasoning about
        if byte_mask == 0xFF:
            return 1 << wanted
        return _byte_mask(b for b in range(256) if b & byte_mask == wanted)
    if kind == _STRING:
        flags = _STR_FLAGS.unpack_from(entry, 28)[0]
        if vallen == 0 or flags & ~_UNDERSTOOD_STRING_FLAGS:
            return ALL_BYTES
        first = entry[_VALUE]
        if flags & (_COMPACT_WHITESPACE | _COMPACT_OPTIONAL_WHITESPACE) and first in _C_SPACE:
            return ALL_BYTES
        if flags & (_IGNORE_LOWERCASE | _IGNORE_UPPERCASE):
            if first >= 0x80 or first in b"iI":
                return ALL_BYTES  # locale-dependent case (Turkish dotted I, Latin-1 letters)
            if flags & _IGNORE_LOWERCASE and 0x61 <= first <= 0x7A:
                return _byte_mask((first, first - 0x20))
            if flags & _IGNORE_UPPERCASE and 0x41 <= first <= 0x5A:
                return _byte_mask((first, first + 0x20))
        return 1 << first
    return ALL_BYTES


@dataclass(frozen=True)
class SearchGuard:
    """A substring the content must hold for a long binary search test to match.

    ``folded`` means the test ignores case (``literal`` is lower-case and ASCII letters
    of the content match either case); ``window`` is how much of the content's start
    the match can reach (0: all of it).
    """

    literal: bytes
    folded: bool
    window: int

    @functools.cached_property
    def _pattern(self) -> re.Pattern[bytes]:
        # The regular-expression engine finds a short literal faster than bytes.find.
        return re.compile(re.escape(self.literal), re.IGNORECASE if self.folded else 0)

    def may_match(self, content: bytes) -> bool:
        """False when the test cannot match ``content``."""
        end = self.window or len(content)
        return self._pattern.search(content, 0, end) is not None


def search_guard(entry: bytes) -> SearchGuard | None:
    """The guard of a top-level ``search`` test at offset 0 over a long range, if it has one."""
    (_, flag, _, reln, vallen, kind, _, _, _, cond, _, offset, _, _) = _HEAD.unpack_from(entry)
    if kind != _SEARCH or not flag & _BINTEST or flag & _OFFSET_FLAGS or offset or cond:
        return None
    if reln != ord("=") or vallen == 0:
        return None
    search_range, flags = struct.unpack_from("<II", entry, 24)
    if flags & ~_UNDERSTOOD_STRING_FLAGS or 0 < search_range < GUARDED_SEARCH_RANGE:
        return None
    pattern = entry[_VALUE : _VALUE + min(vallen, _VALUE_SIZE)]
    if max(pattern) >= 0x80:
        return None  # locale-dependent case and spaces (Latin-1 letters, NBSP)
    folded = bool(flags & (_IGNORE_LOWERCASE | _IGNORE_UPPERCASE))
    if folded and (b"i" in pattern or b"I" in pattern):
        return None  # locale-dependent case (Turkish dotted and dotless I)
    if flags & (_COMPACT_WHITESPACE | _COMPACT_OPTIONAL_WHITESPACE):
        # A space in the pattern matches a run of spaces, so only the part before the
        # first space keeps its place: it starts where the match starts.
        if pattern[:1].isspace():
            return None
        pattern = pattern.split()[0]
    window = search_range - 1 + len(pattern) if search_range else 0
    return SearchGuard(pattern.lower() if folded else pattern, folded, window)


def _set_bits(mask: int) -> list[int]:
    bits = []
    while mask:
        low = mask & -mask
        bits.append(low.bit_length() - 1)
        mask ^= low
    return bits


def _c_string(entry: bytes, start: int, size: int) -> bytes:
    return entry[start : start + size].split(b"\0", 1)[0]


def _used_names(entries: Iterable[bytes]) -> set[bytes]:
    names = set()
    for entry in entries:
        if entry[6] == _USE:
            names.add(_c_string(entry, _VALUE, _VALUE_SIZE).lstrip(b"^"))
    return names


def _fallback_entry(entry: bytes) -> bytes:
    """An entry at the same level that always matches and prints the fallback marker."""
    out = bytearray(ENTRY_SIZE)
    out[0:2] = entry[0:2]  # cont_level
    out[2] = entry[2] & ~_OFFSET_FLAGS
    out[4] = ord("x")
    out[6] = _BYTE
    out[_DESC : _DESC + len(FALLBACK_DESCRIPTION)] = FALLBACK_DESCRIPTION
    out[_MIME : _MIME + len(FALLBACK_MIME)] = FALLBACK_MIME
    return bytes(out)


@dataclass(frozen=True)
class _TestGroup:
    """A top-level test with its continuations, as stored (``indirect`` already replaced).

    ``guard`` indexes the database's search guards (-1: none). ``text_only`` is the
    group with its binary flag cleared, for the parts where the guard rules out the
    binary pass but the text pass (over converted text) must still see it.
    """

    entries: bytes
    first_bytes: int
    names: frozenset[bytes]
    guard: int = -1
    text_only: bytes | None = None


def _split_groups(entries: list[bytes]) -> list[list[bytes]]:
    groups: list[list[bytes]] = []
    for entry in entries:
        if _CONT_LEVEL.unpack_from(entry)[0] == 0 or not groups:
            groups.append([entry])
        else:
            groups[-1].append(entry)
    return groups


def _group(entries: list[bytes], first_bytes: int, guard: int = -1) -> _TestGroup:
    stored = b"".join(_fallback_entry(e) if e[6] == _INDIRECT else e for e in entries)
    text_only = None
    if guard >= 0 and stored[2] & _TEXTTEST:
        text_only = stored[:2] + bytes([stored[2] & ~_BINTEST]) + stored[3:]
    return _TestGroup(stored, first_bytes, frozenset(_used_names(entries)), guard, text_only)


class SplitDatabase:
    """A compiled libmagic database read into test groups, split on demand by first byte."""

    def __init__(self, data: bytes, part_count: int = PART_COUNT) -> None:
        if len(data) < ENTRY_SIZE or len(data) % ENTRY_SIZE:
            raise UnsupportedDatabase("size is not a whole number of entries")
        number, version, binary_count, named_count = struct.unpack_from("<IIII", data)
        if number != MAGIC_NUMBER:
            raise UnsupportedDatabase("not a compiled database in this machine's byte order")
        if version != SUPPORTED_VERSION:
            raise UnsupportedDatabase(f"format version {version}, not {SUPPORTED_VERSION}")
        if 1 + binary_count + named_count != len(data) // ENTRY_SIZE:
            raise UnsupportedDatabase("entry counts do not match the size")
        self.header = data[:ENTRY_SIZE]
        entries = [data[i : i + ENTRY_SIZE] for i in range(ENTRY_SIZE, len(data), ENTRY_SIZE)]
        tests = entries[:binary_count]
        if tests and _CONT_LEVEL.unpack_from(tests[0])[0] != 0:
            raise UnsupportedDatabase("the first test is a continuation")
        self.guards: list[SearchGuard] = []
        self.groups = []
        for group in _split_groups(tests):
            guard = search_guard(group[0]) if len(self.guards) < MAX_GUARDS else None
            if guard is not None:
                self.guards.append(guard)
            index = len(self.guards) - 1 if guard is not None else -1
            self.groups.append(_group(group, first_byte_mask(group[0]), index))
        self.named: dict[bytes, _TestGroup] = {}
        for group in _split_groups(entries[binary_count:]):
            if group[0][6] != _NAME:
                raise UnsupportedDatabase("a named test group does not start with a name")
            name = _c_string(group[0], _VALUE, _VALUE_SIZE)
            self.named.setdefault(name, _group(group, ALL_BYTES))
        self.part_of_byte = self._assign_parts(part_count)
        self._parts: dict[tuple[int, int], ctypes.Array[ctypes.c_char]] = {}

    def _assign_parts(self, part_count: int) -> list[int]:
        """Spread the first bytes over the parts so that each holds about as many tests."""
        weight = [0] * 256
        for group in self.groups:
            if group.first_bytes != ALL_BYTES:
                for b in _set_bits(group.first_bytes):
                    weight[b] += len(group.entries)
        load = [0] * part_count
        part_of_byte = [0] * 256
        for b in sorted(range(256), key=lambda b: (-weight[b], b)):
            part = min(range(part_count), key=load.__getitem__)
            part_of_byte[b] = part
            load[part] += weight[b]
        return part_of_byte

    def guard_bits(self, content: bytes) -> int:
        """Bit ``i`` set when search guard ``i`` may match ``content``."""
        bits = 0
        for index, guard in enumerate(self.guards):
            if guard.may_match(content):
                bits |= 1 << index
        return bits

    def part_bytes(self, part: int, guard_bits: int = -1) -> bytes:
        """The compiled database of one part: the tests its first bytes may match, in order.

        Guarded searches whose bit is clear in ``guard_bits`` keep only their text pass.
        """
        first_bytes = _byte_mask(b for b in range(256) if self.part_of_byte[b] == part)
        kept = []
        stored = []
        for group in self.groups:
            if group.first_bytes & first_bytes and (
                group.guard < 0 or guard_bits >> group.guard & 1
            ):
                kept.append(group)
                stored.append(group.entries)
            elif group.text_only is not None:
                kept.append(group)
                stored.append(group.text_only)
        names: set[bytes] = set()
        pending = set().union(*(g.names for g in kept))
        while pending:
            name = pending.pop()
            if name in names or name not in self.named:
                continue
            names.add(name)
            pending |= self.named[name].names - names
        named = [g for n, g in self.named.items() if n in names]
        binary = b"".join(stored)
        named_data = b"".join(g.entries for g in named)
        header = bytearray(self.header)
        struct.pack_into("<II", header, 8, len(binary) // ENTRY_SIZE, len(named_data) // ENTRY_SIZE)
        return bytes(header) + binary + named_data

    def part_buffer(self, key: tuple[int, int]) -> ctypes.Array[ctypes.c_char]:
        """The database of ``(part, guard bits)`` in memory libmagic keeps (it does not copy)."""
        buffer = self._parts.get(key)
        if buffer is None:
            data = self.part_bytes(*key)
            # setdefault is atomic: threads that build the same part at once all get the
            # one that is kept, so no cookie is left over memory that was freed.
            buffer = self._parts.setdefault(key, ctypes.create_string_buffer(data, len(data)))
        return buffer


@functools.cache
def _load_buffers_function() -> Callable[..., int] | None:
    function = getattr(magic.libmagic, "magic_load_buffers", None)
    if function is None:
        return None
    function.restype = ctypes.c_int
    function.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t),
        ctypes.c_size_t,
    ]
    return function  # type: ignore[no-any-return]


def _comment_only(path: str) -> bool:
    """True when a magic source file holds no tests (blank and comment lines only)."""
    try:
        with open(path, "rb") as source:
            return all(not line.strip() or line.lstrip().startswith(b"#") for line in source)
    except OSError:
        return False


def compiled_database_path(magic_file: str | None) -> str | None:
    """The one compiled database libmagic loads for ``magic_file`` (None: its default).

    None when libmagic would load anything else as well (a source file with tests, a
    directory, several compiled databases), so the split would not see every test.
    """
    if magic_file is None:
        getpath = magic.libmagic.magic_getpath
        getpath.restype = ctypes.c_char_p
        getpath.argtypes = [ctypes.c_char_p, ctypes.c_int]
        found = getpath(None, 0)
        if not found:
            return None
        magic_file = os.fsdecode(found)
    compiled = []
    for component in magic_file.split(os.pathsep):
        if not component:
            continue
        if os.path.isfile(component + ".mgc"):
            compiled.append(component + ".mgc")
        elif component.endswith(".mgc") and os.path.isfile(component):
            compiled.append(component)
        elif os.path.isfile(component):
            if not _comment_only(component):
                return None
        elif os.path.exists(component):
            return None
    return compiled[0] if len(compiled) == 1 else None


@functools.cache
def split_database(path: str) -> SplitDatabase | None:
    """The split form of the compiled database at ``path`` (None when it cannot be split)."""
    if _load_buffers_function() is None:
        return None
    try:
        return SplitDatabase(Path(path).read_bytes())
    except (OSError, UnsupportedDatabase, struct.error):
        return None


class SplitMagic:
    """A python-magic-like typer (``from_buffer``) over the parts of a split database.

    One instance per thread, like ``magic.Magic``. ``whole`` is the ordinary typer: it
    types what the parts must not (content where an ``indirect`` test was reached), and
    everything when the database at ``path`` cannot be split. The first ``split_after``
    calls go to ``whole`` too; the database is read and split at the next one.
    """

    def __init__(self, path: str, whole: magic.Magic, split_after: int = SPLIT_AFTER_CALLS) -> None:
        self._path = path
        self._whole = whole
        self._calls_left = split_after
        self._flags = whole.flags
        self._database: SplitDatabase | None = None
        self._resolved = False
        self._cookies: dict[tuple[int, int], int] = {}
        self._buffers: list[ctypes.Array[ctypes.c_char]] = []
        mime = bool(self._flags & magic.MAGIC_MIME_TYPE)
        self._marker = FALLBACK_MIME if mime else FALLBACK_DESCRIPTION

    @property
    def split(self) -> bool:
        """Whether the split database is in use (False: every call goes to ``whole``)."""
        if not self._resolved:
            self._database = split_database(self._path)
            self._resolved = True
        return self._database is not None

    def _cookie(self, key: tuple[int, int]) -> int:
        cookie = self._cookies.get(key)
        if cookie is None:
            assert self._database is not None
            buffer = self._database.part_buffer(key)
            cookie = magic.magic_open(self._flags)
            if not cookie:
                raise MemoryError("libmagic could not open a cookie")
            buffers = (ctypes.c_void_p * 1)(ctypes.cast(buffer, ctypes.c_void_p))
            sizes = (ctypes.c_size_t * 1)(ctypes.sizeof(buffer))
            load = _load_buffers_function()
            if load is None or load(cookie, buffers, sizes, 1) != 0:
                message = magic.magic_error(cookie)
                magic.magic_close(cookie)
                raise magic.MagicException(message)
            # As python-magic does for its own objects (python-magic issue 190).
            try:
                magic.magic_setparam(cookie, magic.MAGIC_PARAM_NAME_MAX, 64)
            except Exception:  # noqa: BLE001 (older libmagic: keep its default)
                pass
            self._cookies[key] = cookie
            self._buffers.append(buffer)  # libmagic reads it for as long as the cookie lives
        return cookie

    def from_buffer(self, buffer: bytes) -> str:
        """Type ``buffer`` as ``magic.Magic.from_buffer`` with the whole database would."""
        if self._calls_left > 0:
            self._calls_left -= 1
            return str(self._whole.from_buffer(buffer))
        if not buffer or not self.split:
            return str(self._whole.from_buffer(buffer))
        database = self._database
        assert database is not None
        cookie = self._cookie((database.part_of_byte[buffer[0]], database.guard_bits(buffer)))
        result = magic.magic_buffer(cookie, buffer)
        if self._marker in result:
            return str(self._whole.from_buffer(buffer))
        return result.decode("utf-8", "backslashreplace")

    def close(self) -> None:
        """Release the libmagic cookies of the parts (the database stays cached)."""
        for cookie in self._cookies.values():
            magic.magic_close(cookie)
        self._cookies.clear()
        self._buffers.clear()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 (interpreter shutdown)
            pass


def open_magic(mime: bool, magic_file: str | None = None,
               split_after: int = SPLIT_AFTER_CALLS) -> magic.Magic | SplitMagic:
    """A typer for ``magic_file`` (None: libmagic's default), split when the database allows."""
    whole = magic.Magic(mime=mime, magic_file=magic_file)
    path = compiled_database_path(magic_file)
    return SplitMagic(path, whole, split_after) if path else whole
