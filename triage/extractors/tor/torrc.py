"""Parse a torrc (tor's configuration file) into its directives and the settings that matter.

Format (tor's doc/torrc_format.txt and the manual, "THE CONFIGURATION FILE FORMAT"): one
``Keyword value`` per line, keywords case-insensitive and optionally flagged ``+`` or ``/``,
``#`` starts a comment, a quoted value is a C string, a line-final backslash continues
the entry, ``%include PATH`` pulls in another file or folder. Windows paths keep their
backslashes literally, so only a line-final backslash is special.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from triage.extractors.tor.options import CURRENT, OLDER, OPTION_NAMES

#: Upper bound on lines read from one torrc; real ones have a few hundred at most.
MAX_LINES = 100_000
#: Directives kept verbatim in the finding (the summary fields cover the important ones).
MAX_DIRECTIVES_KEPT = 500
#: tor itself allows 31 levels of %include; real configurations use one or two.
MAX_INCLUDE_DEPTH = 8
#: Upper bounds on the files, and their bytes, read through %include for one torrc.
MAX_INCLUDED_FILES = 64
MAX_INCLUDED_BYTES = 8 * 1024 * 1024
#: A key ends at white space or a comment (torrc_format.txt, KC).
_KEY_END = re.compile(r"[\s#]")
#: A plain value's text before its comment: a backslash and the next character are copied
#: as they are, and a line-final backslash is kept for the caller to see.
_PLAIN_BODY = re.compile(r"(?:[^\\#]+|\\.)*+\\?")
#: A quoted value: the C string, then what follows the closing quote.
_QUOTED = re.compile(r'"((?:[^"\\]+|\\.)*+)"(.*)\Z')
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|([0-7]{1,3})|(.))")
_SIMPLE_ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", "'": b"'", '"': b'"'}
#: Bytes and entries of a file looked at to tell whether it is a torrc.
RECOGNITION_BYTES = 65536
RECOGNITION_ENTRIES = 200
#: An entry's key, after an optional flag (for :func:`looks_like_torrc`).
_KEY_BYTES = re.compile(rb"[+/]?([^\s#]*)")
_TORRC_KEYS = frozenset({name.encode("ascii") for name in OPTION_NAMES} | {b"%include"})
#: Option names that are ordinary words, so weak evidence of a torrc on their own.
_PLAIN_WORD_KEYS = frozenset(
    name.lower().encode("ascii") for name in (*CURRENT, *OLDER) if re.fullmatch("[A-Z][a-z]+", name)
)
#: Prefixes of a key that are flags, not part of it: ``+`` appends to a list option,
#: ``/`` clears it (torrc_format.txt, OptMagic).
_FLAGS = "+/"


#: Reads what an ``%include`` names: (path of the including file, value) -> the included
#: files as ``(path, content)``, in the order tor reads them.
IncludeReader = Callable[[str, str], list[tuple[str, bytes]]]


@dataclass
class TorrcConfig:
    """What a torrc says: the raw directives plus a summary of the forensically relevant ones."""

    #: (key as written, value), plus the file's path for entries of an included file.
    directives: list[tuple[str, ...]] = field(default_factory=list)
    hidden_services: list[dict[str, Any]] = field(default_factory=list)
    bridges: list[str] = field(default_factory=list)
    use_bridges: bool | None = None
    transport_plugins: list[dict[str, Any]] = field(default_factory=list)
    socks_ports: list[str] = field(default_factory=list)
    control_ports: list[str] = field(default_factory=list)
    hashed_control_passwords: list[str] = field(default_factory=list)
    cookie_authentication: bool | None = None
    data_directory: str | None = None
    hidserv_auth: list[dict[str, Any]] = field(default_factory=list)
    client_onion_auth_dir: str | None = None
    includes: list[str] = field(default_factory=list)
    included_files: list[str] = field(default_factory=list)
    relay: dict[str, str] = field(default_factory=dict)
    hidden_service_non_anonymous_mode: bool | None = None
    hidden_service_single_hop_mode: bool | None = None
    hidden_service_statistics: bool | None = None
    warnings: list[str] = field(default_factory=list)

    def attributes(self) -> dict[str, Any]:
        """Return the finding attributes (JSON-serialisable) for ``tor.config``."""
        return {
            "hidden_service_dirs": [svc["dir"] for svc in self.hidden_services],
            "hidden_services": self.hidden_services,
            "use_bridges": self.use_bridges,
            "bridges": self.bridges,
            "transport_plugins": self.transport_plugins,
            "socks_ports": self.socks_ports,
            "control_ports": self.control_ports,
            "hashed_control_passwords": self.hashed_control_passwords,
            "cookie_authentication": self.cookie_authentication,
            "data_directory": self.data_directory,
            "hidserv_auth": self.hidserv_auth,
            "client_onion_auth_dir": self.client_onion_auth_dir,
            "includes": self.includes,
            "included_files": self.included_files,
            "relay": self.relay,
            "hidden_service_non_anonymous_mode": self.hidden_service_non_anonymous_mode,
            "hidden_service_single_hop_mode": self.hidden_service_single_hop_mode,
            "hidden_service_statistics": self.hidden_service_statistics,
            "directive_count": len(self.directives),
            "directives": [list(entry) for entry in self.directives[:MAX_DIRECTIVES_KEPT]],
        }


def _lines(text: str) -> list[str]:
    """Split on LF only, as tor does (a CRLF file's CR is dropped with the LF)."""
    return text.replace("\r\n", "\n").split("\n")[:MAX_LINES]


def _entries(lines: list[str]) -> Iterator[tuple[int, str, str, str | None]]:
    """Yield ``(first line number, key as written, value, problem)`` for every entry.

    Follows tor's doc/torrc_format.txt: blank and comment lines are skipped; the key
    runs to the first white space or ``#``; a backslash ending a line continues the
    entry; the value is a quoted C string or a plain (possibly continued) value.
    """
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index].lstrip(" \t")
        index += 1
        if not line.strip() or line.startswith("#"):
            continue
        end = _KEY_END.search(line)
        key = line[: end.start()] if end else line
        rest = line[len(key) :]
        continued = end is None and key.endswith("\\")
        if continued:
            key = key[:-1]
        # Between key and value: spaces, or a backslash-newline and the next line's spaces.
        while True:
            rest = rest.lstrip(" \t")
            if not (continued or rest == "\\") or index >= len(lines):
                break
            rest, index, continued = lines[index], index + 1, False
        if rest == "\\":
            rest = ""
        if rest.startswith('"'):
            value, problem = _quoted_value(rest)
        else:
            first = index
            value, index = _plain_value(lines, rest, index)
            problem = _swallowed_option(lines[first:index])
        if key:
            yield number, key, value, problem


def _swallowed_option(joined: list[str]) -> str | None:
    """A problem when a line-final backslash joined a line that reads as an option of its
    own ("HiddenServiceDir C:\\tor\\hs\\" then "HiddenServicePort 80 ..."): tor joins
    it too, but a Windows path ending in a backslash was more likely meant."""
    for line in joined:
        words = line.split(maxsplit=1)
        if words and words[0].lstrip("+/").lower() in OPTION_NAMES:
            return (f"a line-final backslash joined the next line ({words[0]} ...) to this"
                    " value, as tor reads it; a path ending in a backslash?")
    return None


def _plain_value(lines: list[str], text: str, index: int) -> tuple[str, int]:
    """Read a plain or continued value starting with ``text``; return it and the next line.

    In a continued value each line's final backslash is removed and the parts are joined
    as they are; a comment inside it does not end the entry (torrc_format.txt,
    ContinuedVal), so comment lines and comments after a part are skipped.
    """
    parts: list[str] = []
    continued = False
    while True:
        body = _plain_body(text)
        commented = len(body) < len(text)
        if not commented and body.endswith("\\"):
            parts.append(body[:-1])
            continued = True
        else:
            parts.append(body)
            if not (continued and commented):
                break
        if index >= len(lines):
            break
        text, index = lines[index], index + 1
    return "".join(parts).rstrip(), index


def _plain_body(text: str) -> str:
    """The part of a line before its comment; ``\\X`` pairs are copied, so ``\\#`` is no comment."""
    if "\\" not in text:
        return text.partition("#")[0]
    match = _PLAIN_BODY.match(text)
    return match.group() if match else ""


def _quoted_value(text: str) -> tuple[str, str | None]:
    """Decode a quoted value (a C string, then only spaces and a comment may follow)."""
    match = _QUOTED.match(text)
    if match is None:
        return text.partition("#")[0].rstrip(), "unterminated quoted value"
    problem = None
    tail = match.group(2).lstrip(" \t")
    if tail and not tail.startswith("#"):
        problem = "text after a quoted value"
    decoded = c_unescape(match.group(1))
    if decoded is None:
        return match.group(1), "bad escape in a quoted value"
    return decoded, problem


def c_unescape(body: str) -> str | None:
    """Decode the C escapes of a quoted torrc value; None when an escape is invalid.

    Accepted (torrc_format.txt, QVBody): ``\\n \\r \\t \\\\ \\' \\"``, ``\\x`` with two
    hex digits and one to three octal digits. Escaped bytes are read as UTF-8 with the
    text around them.
    """
    if "\\" not in body:
        return body
    out = bytearray()
    position = 0
    for match in _ESCAPE.finditer(body):
        out += body[position : match.start()].encode("utf-8")
        position = match.end()
        hex_digits, octal, char = match.groups()
        if hex_digits is not None:
            out.append(int(hex_digits, 16))
        elif octal is not None:
            if int(octal, 8) > 255:
                return None
            out.append(int(octal, 8))
        elif char in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[char]
        else:
            return None
    out += body[position:].encode("utf-8")
    return out.decode("utf-8", errors="replace")


def _as_bool(value: str) -> bool | None:
    head = value.split()[0] if value.split() else ""
    if head in ("1", "0"):
        return head == "1"
    return None


#: Options named HiddenService* that are not per service but global (tor manual): they
#: neither belong to the HiddenServiceDir before them nor need one.
_GLOBAL_HIDDEN_SERVICE_KEYS = {
    "hiddenservicenonanonymousmode": "hidden_service_non_anonymous_mode",
    "hiddenservicesinglehopmode": "hidden_service_single_hop_mode",
    "hiddenservicestatistics": "hidden_service_statistics",
}

_RELAY_KEYS = {
    "orport": "or_port",
    "nickname": "nickname",
    "contactinfo": "contact_info",
    "exitrelay": "exit_relay",
    "exitpolicy": "exit_policy",
    "bridgerelay": "bridge_relay",
    "dirport": "dir_port",
}


def parse_torrc(
    data: bytes, path: str | None = None, read_include: IncludeReader | None = None
) -> TorrcConfig:
    """Parse torrc bytes; never raises, records problems in ``warnings``.

    With ``read_include``, the files an ``%include`` names are parsed where the
    ``%include`` stands, as tor does; what they set is tagged with their path where the
    finding has room for it (directives, hidden services, transport plugins, HidServAuth).
    Inclusion is bounded (:data:`MAX_INCLUDE_DEPTH`, :data:`MAX_INCLUDED_FILES`,
    :data:`MAX_INCLUDED_BYTES`); a file including itself, directly or not, is skipped, and
    a file is merged once however often it is included.
    """
    parser = _Parser(read_include)
    parser.parse(data, path, None, (path,) if path else ())
    return parser.config


class _Parser:
    """One torrc and the files it includes, read as one stream of entries."""

    def __init__(self, read_include: IncludeReader | None) -> None:
        self.config = TorrcConfig()
        self.read_include = read_include
        self.current_service: dict[str, Any] | None = None
        self.included_bytes = 0

    def warn(self, source: str | None, message: str) -> None:
        self.config.warnings.append(f"{source}: {message}" if source else message)

    def parse(self, data: bytes, path: str | None, source: str | None,
              chain: tuple[str, ...]) -> None:
        """Apply the entries of one file; ``source`` is its path when it was included."""
        text = data.decode("utf-8", errors="replace")
        if "\x00" in text:
            self.warn(source, "torrc contains NUL bytes; read as far as it is text")
            text = text.replace("\x00", "\n")
        for number, written, value, problem in _entries(_lines(text)):
            if problem:
                self.warn(source, f"line {number}: {written}: {problem}")
            self.config.directives.append((written, value) if source is None
                                          else (written, value, source))
            flag = written[0] if len(written) > 1 and written[0] in _FLAGS else ""
            if flag == "/":
                # The entry empties the option in tor; it names no value to report.
                continue
            keyword = written[len(flag) :]
            if keyword.lower() == "%include":
                self.config.includes.append(value)
                self.include(path, source, value, chain)
            else:
                self.apply(keyword, value, number, source)

    def include(self, path: str | None, source: str | None, value: str,
                chain: tuple[str, ...]) -> None:
        """Parse the files an ``%include`` in ``path`` names, within the bounds."""
        if self.read_include is None or path is None:
            return
        if len(chain) > MAX_INCLUDE_DEPTH:
            self.warn(source, f"%include nested deeper than {MAX_INCLUDE_DEPTH} levels")
            return
        for child, data in self.read_include(path, value):
            if child in chain:
                self.warn(source, f"%include loop: {child} is already being read")
                continue
            if child in self.config.included_files:
                # Read once: a second copy adds no setting, only duplicates.
                self.warn(source, f"%include: {child} was read already")
                continue
            if (len(self.config.included_files) >= MAX_INCLUDED_FILES
                    or self.included_bytes + len(data) > MAX_INCLUDED_BYTES):
                self.warn(source, "%include: too many included files or bytes; rest skipped")
                return
            self.config.included_files.append(child)
            self.included_bytes += len(data)
            self.parse(data, child, child, (*chain, child))

    def apply(self, keyword: str, value: str, number: int, source: str | None) -> None:
        """Record one entry's setting in the summary fields."""
        config = self.config
        key = keyword.lower()
        origin = {"file": source} if source else {}
        if key in _GLOBAL_HIDDEN_SERVICE_KEYS:
            setattr(config, _GLOBAL_HIDDEN_SERVICE_KEYS[key], _as_bool(value))
        elif key == "hiddenservicedir":
            self.current_service = {"dir": value, "ports": [], "version": None,
                                    "line": number, **origin}
            config.hidden_services.append(self.current_service)
        elif key.startswith("hiddenservice") and self.current_service is not None:
            if key == "hiddenserviceport":
                self.current_service["ports"].append(value)
            elif key == "hiddenserviceversion":
                self.current_service["version"] = value
            else:
                self.current_service.setdefault("options", []).append([keyword, value])
        elif key.startswith("hiddenservice"):
            self.warn(source, f"line {number}: {keyword} before any HiddenServiceDir")
        elif key == "bridge":
            config.bridges.append(value)
        elif key == "usebridges":
            config.use_bridges = _as_bool(value)
        elif key == "clienttransportplugin":
            names, mode, program = (value.split(None, 2) + ["", "", ""])[:3]
            config.transport_plugins.append(
                {"transports": names.split(","), "mode": mode, "command": program.strip(),
                 **origin}
            )
        elif key == "socksport":
            config.socks_ports.append(value)
        elif key == "controlport":
            config.control_ports.append(value)
        elif key == "hashedcontrolpassword":
            config.hashed_control_passwords.append(value)
        elif key == "cookieauthentication":
            config.cookie_authentication = _as_bool(value)
        elif key == "datadirectory":
            config.data_directory = value
        elif key == "hidservauth":
            parts = value.split()
            config.hidserv_auth.append(
                {"onion": parts[0] if parts else "", "cookie": parts[1] if len(parts) > 1 else "",
                 **origin}
            )
        elif key == "clientonionauthdir":
            config.client_onion_auth_dir = value
        elif key in _RELAY_KEYS:
            config.relay[_RELAY_KEYS[key]] = value


def looks_like_torrc(data: bytes) -> bool:
    """Cheap check that text is a torrc: its entries start with tor's option names.

    Keys are compared without case against tor's option names (current and older ones,
    see :mod:`triage.extractors.tor.options`) and ``%include``; a ``+`` or ``/`` flag may
    precede them and spaces or tabs follow them. One entry with a compound name
    (``SocksPort``, ``ExitNodes``) is enough; names that are plain words (``Log``,
    ``User``, ``Bridge``) count only when they start more than half the entries, so a
    note with a line starting "User" or "Log" is not taken for a torrc.
    """
    known = entries = 0
    for line in data[:RECOGNITION_BYTES].splitlines():
        stripped = line.lstrip(b" \t")
        if not stripped.strip() or stripped.startswith(b"#"):
            continue
        entries += 1
        if entries > RECOGNITION_ENTRIES:
            break
        key = _KEY_BYTES.match(stripped).group(1).lower()  # type: ignore[union-attr]
        if key in _TORRC_KEYS:
            if key not in _PLAIN_WORD_KEYS:
                return True
            known += 1
    return known * 2 > min(entries, RECOGNITION_ENTRIES)
