"""Find the torrc that configures an onion-service folder, on the folder's own file system.

An onion service is found from its folder (``hostname`` plus keys); the ``HiddenServiceDir``
and ``HiddenServicePort`` lines that name that folder live in a torrc elsewhere. This
module looks at the places tor and Tor Browser read their configuration from (system
torrc, ``torrc.d`` folders, per-user and Tor Browser torrc files, ``torrc`` and
``.torrc`` files in the folder's ancestors) and follows ``%include``, all through the
:class:`ExtractionContext` and within fixed bounds.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from triage.extractors.interface import ExtractionContext, FileView
from triage.extractors.tor.torrc import IncludeReader, parse_torrc

#: Where tor and Tor Browser keep a torrc; ``*`` matches one path component (any case).
TORRC_LOCATIONS = (
    "/etc/tor/torrc",
    "/usr/local/etc/tor/torrc",
    "/opt/homebrew/etc/tor/torrc",
    "/usr/share/tor/tor-service-defaults-torrc",
    "/etc/tor/torrc.d/*",
    "/etc/torrc.d/*",
    "/usr/local/etc/tor/torrc.d/*",
    "/home/*/.torrc",
    "/root/.torrc",
    "/users/*/appdata/roaming/tor/torrc",
    "/documents and settings/*/application data/tor/torrc",
    "/users/*/library/application support/torbrowser-data/tor/torrc",
    "/users/*/desktop/tor browser/browser/torbrowser/data/tor/torrc",
    "/program files/tor browser/browser/torbrowser/data/tor/torrc",
    "/program files (x86)/tor browser/browser/torbrowser/data/tor/torrc",
    "/home/*/tor-browser*/browser/torbrowser/data/tor/torrc",
    "/home/*/desktop/tor-browser*/browser/torbrowser/data/tor/torrc",
    "/home/*/.local/share/torbrowser/tbb/*/tor-browser*/browser/torbrowser/data/tor/torrc",
)
#: Names of a torrc looked for in an onion-service folder's ancestors.
ANCESTOR_TORRC_NAMES = ("torrc", ".torrc")
#: Upper bound on torrc files read while looking for one folder's configuration.
MAX_TORRC_FILES = 64
#: Upper bound on directory entries matched by one ``*`` in a location.
MAX_MATCHES_PER_LEVEL = 200
MAX_TORRC_BYTES = 1024 * 1024
#: Bounds on what a :class:`TorrcCache` keeps: torrc files, and service blocks (a few
#: hundred bytes each) plus included-file names over all of them.
MAX_CACHED_TORRCS = 256
MAX_CACHED_BLOCKS = 50_000
_DRIVE = re.compile(r"^[A-Za-z]:[/\\]")
_GLOB_CHARS = frozenset("*?[")


@dataclass
class ServiceConfig:
    """The torrc block that configures one onion-service folder."""

    torrc_path: str
    configured_dir: str
    ports: list[str]
    version: str | None = None


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def _parent(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[0] or "/"


def service_dir_candidates(torrc_folder: str, configured: str) -> list[str]:
    """The paths in the torrc's file system a ``HiddenServiceDir`` value may name, likeliest
    first; empty for an empty value.

    Trailing slashes and ``.``/``..`` are normalised away. POSIX absolute paths are taken
    as they are; relative ones are resolved against the torrc's folder. tor resolves them
    against its working directory ("Path for HiddenServiceDir (...) is relative and will
    resolve to <cwd>/..."), which the evidence does not record; setups with relative paths
    start tor in the torrc's folder (``tor -f torrc``, ``tor -f .torrc``), so that folder
    is the likeliest working directory. A Windows drive path keeps its path below the
    drive letter: the volume's drive letter is unknown, so this assumes the torrc and the
    service share a volume. When the torrc's own folder (its last two names or more, or
    all of it) also appears in that path, the path taken from there comes second: the
    evidence may hold only part of the drive, such as the Tor Browser folder itself,
    whose torrc says ``E:\\Tor Browser\\...\\Data\\Tor\\hs``.
    """
    value = configured.strip().replace("\\", "/")
    if not value:
        return []
    if _DRIVE.match(value):
        literal = _normalise(value[2:]) or "/"
        rerooted = _rerooted(torrc_folder, literal)
        return [literal] if rerooted == literal else [literal, rerooted]
    if value.startswith("/"):
        return [_normalise(value)]
    return [_normalise(torrc_folder.rstrip("/") + "/" + value)]


def service_dir_in_volume(torrc_folder: str, configured: str,
                          exists: Callable[[str], bool] | None = None) -> str | None:
    """The path in the torrc's file system a ``HiddenServiceDir`` value names: the first
    of :func:`service_dir_candidates` that ``exists`` in the evidence, else the first
    (the drive path as written); None for an empty value.

    A drive path re-rooted under the torrc's folder is taken only when the path as
    written is not there and the re-rooted one is: a name shared by chance (a torrc in
    ``C:\\Tor`` and a service under ``...\\Roaming\\tor\\``) must not invent a service.
    """
    candidates = service_dir_candidates(torrc_folder, configured)
    if not candidates:
        return None
    if exists is not None:
        for candidate in candidates:
            if exists(candidate):
                return candidate
    return candidates[0]


def _rerooted(torrc_folder: str, path: str) -> str:
    """``path`` (a drive path without its letter) moved under ``torrc_folder`` when the
    names of that folder, or its last two or more, occur in it (without case)."""
    folder = [name for name in torrc_folder.split("/") if name]
    names = [name for name in path.split("/") if name]
    lowered = [name.lower() for name in names]
    for size in range(len(folder), 1 if len(folder) > 1 else 0, -1):
        tail = [name.lower() for name in folder[len(folder) - size :]]
        for end in range(len(names) - 1, size - 2, -1):
            if lowered[end - size + 1 : end + 1] == tail:
                rest = names[end + 1 :]
                return "/" + "/".join(folder + rest) if folder or rest else "/"
    return path


def is_windows_path(value: str) -> bool:
    """True for a drive-letter path (``C:\\...`` or ``C:/...``)."""
    return bool(_DRIVE.match(value.lstrip()))


def real_spelling(ctx: ExtractionContext, path: str) -> str | None:
    """Return ``path`` as the file system spells it, matching names without case, or None."""
    current = "/"
    for component in [c for c in path.split("/") if c][:64]:
        wanted = component.lower()
        match = next((child.name for child in ctx.listdir(current)
                      if child.kind == "dir" and child.name.lower() == wanted), None)
        if match is None:
            return None
        current = current.rstrip("/") + "/" + match
    return current


def same_folder(configured: str, folder: str, windows: bool) -> bool:
    """Compare two normalised folder paths (without case for Windows paths)."""
    if windows:
        return configured.lower() == folder.lower()
    return configured == folder


def describe_port(value: str) -> str:
    """Render a ``HiddenServicePort`` value as ``virtual port -> target``.

    The target defaults to the same port on 127.0.0.1 and a bare port means 127.0.0.1
    (tor manual, HiddenServicePort).
    """
    parts = value.split()
    if not parts:
        return value
    virtual = parts[0]
    target = parts[1] if len(parts) > 1 else virtual
    if target.isdigit():
        target = f"127.0.0.1:{target}"
    return f"{virtual} -> {target}"


class _Listings:
    """``ctx.listdir`` remembered for one search (every location starts at the root)."""

    def __init__(self, ctx: ExtractionContext) -> None:
        self._ctx = ctx
        self._cache: dict[str, list[FileView]] = {}

    def __call__(self, path: str) -> list[FileView]:
        if path not in self._cache:
            self._cache[path] = self._ctx.listdir(path)
        return self._cache[path]


def _expand(ctx: ExtractionContext, listdir: _Listings, pattern: str) -> Iterator[str]:
    """Yield existing files matching ``pattern`` (``*`` within one component, any case).

    Names are matched by listing each level, so the real spelling of a name on a
    case-insensitive file system ends up in the path.
    """
    paths = ["/"]
    components = [c for c in pattern.split("/") if c]
    for index, component in enumerate(components):
        wanted_kind = "file" if index == len(components) - 1 else "dir"
        matched: list[str] = []
        for base in paths:
            if ctx.cancelled():
                return
            for child in listdir(base):
                if len(matched) >= MAX_MATCHES_PER_LEVEL:
                    break
                if child.name in (".", ".."):
                    continue
                if child.kind == wanted_kind and fnmatch.fnmatchcase(
                    child.name.lower(), component.lower()
                ):
                    matched.append(base.rstrip("/") + "/" + child.name)
        paths = matched
        if not paths:
            return
    yield from paths


def _include_targets(ctx: ExtractionContext, torrc_path: str, value: str) -> list[str]:
    """Files an ``%include`` names: a file, every non-dot file of a folder, or a pattern."""
    def exists(path: str) -> bool:
        if _GLOB_CHARS & set(path.rsplit("/", 1)[-1]):
            path = _parent(path)
        return ctx.stat(path) is not None

    target = service_dir_in_volume(_parent(torrc_path), value.strip('"'), exists)
    if target is None:
        return []
    name = target.rsplit("/", 1)[-1]
    if _GLOB_CHARS & set(name):
        folder, pattern = _parent(target), name
    else:
        entry = ctx.stat(target)
        if entry is None:
            return []
        if entry.kind == "file":
            return [target]
        if entry.kind != "dir":
            return []
        folder, pattern = target, "*"
    return sorted(
        folder.rstrip("/") + "/" + child.name
        for child in ctx.listdir(folder)
        if child.kind == "file" and not child.name.startswith(".")
        and fnmatch.fnmatchcase(child.name, pattern)
    )[:MAX_TORRC_FILES]


def candidate_torrcs(ctx: ExtractionContext, folder: str) -> Iterator[str]:
    """Yield the torrc files worth reading for ``folder``, most authoritative first."""
    listdir = _Listings(ctx)
    for location in TORRC_LOCATIONS:
        yield from _expand(ctx, listdir, location)
    # A torrc in one of the folder's ancestors (a Tor Browser's Data/Tor, a custom setup,
    # a project folder run with ``tor -f .torrc``).
    ancestor = _parent(folder)
    for _ in range(64):
        for name in ANCESTOR_TORRC_NAMES:
            path = ancestor.rstrip("/") + "/" + name
            entry = ctx.stat(path)
            if entry is not None and entry.kind == "file":
                yield path
        if ancestor == "/":
            break
        ancestor = _parent(ancestor)


def include_reader(ctx: ExtractionContext) -> IncludeReader:
    """An ``%include`` reader for :func:`parse_torrc` that reads inside the evidence only.

    Paths are resolved on the including file's own file system (never the host's), as
    :func:`_include_targets` does; each file is read up to :data:`MAX_TORRC_BYTES`.
    """

    def read(torrc_path: str, value: str) -> list[tuple[str, bytes]]:
        found: list[tuple[str, bytes]] = []
        for path in _include_targets(ctx, torrc_path, value):
            data = ctx.read(path, MAX_TORRC_BYTES)
            if data is not None:
                found.append((path, data))
        return found

    return read


@dataclass
class TorrcBlocks:
    """What :func:`find_service_config` needs of one torrc read with its includes: its
    service blocks by configured folder (first one wins) and the files it included."""

    #: Normalised folder -> (position in the file, block), for POSIX-style paths.
    exact: dict[str, tuple[int, ServiceConfig]]
    #: The same for Windows drive paths, by lower-case folder (NTFS ignores case).
    folded: dict[str, tuple[int, ServiceConfig]]
    included_files: list[str]

    @property
    def weight(self) -> int:
        """Rough size, in entries, for the cache's bound."""
        return 1 + len(self.exact) + len(self.folded) + len(self.included_files)

    def block_for(self, folder: str) -> ServiceConfig | None:
        """The first block configuring ``folder`` (a normalised path), or None."""
        found = [hit for hit in (self.exact.get(folder), self.folded.get(folder.lower())) if hit]
        return min(found, key=lambda hit: hit[0])[1] if found else None


def read_torrc_blocks(ctx: ExtractionContext, path: str) -> TorrcBlocks | None:
    """Read the torrc at ``path`` with its ``%include`` files and index its service blocks;
    None when it cannot be read."""
    data = ctx.read(path, MAX_TORRC_BYTES)
    if not data:
        return None
    config = parse_torrc(data, path, include_reader(ctx))
    blocks = TorrcBlocks({}, {}, config.included_files)
    for position, service in enumerate(config.hidden_services):
        source = service.get("file", path)
        block = ServiceConfig(
            torrc_path=source,
            configured_dir=service["dir"],
            ports=[describe_port(port) for port in service["ports"]],
            version=service["version"],
        )
        # Every place the value may name: the block is looked up by a folder found on
        # disk, so a candidate that is not there matches nothing.
        for configured in service_dir_candidates(_parent(source), service["dir"]):
            index, key = ((blocks.folded, configured.lower()) if is_windows_path(service["dir"])
                          else (blocks.exact, configured))
            index.setdefault(key, (position, block))
    return blocks


class TorrcCache:
    """Indexed torrc files (with their includes), so each is read and parsed once per scan.

    Entries are keyed by file system and path. The file system is the context's
    ``filesystem`` (the engine's context has one) or else the context itself, held
    weakly and given a number never reused, so a later file system (even one at the same
    address) never sees another's entries. Least recently used entries go past :data:`MAX_CACHED_TORRCS`
    files or :data:`MAX_CACHED_BLOCKS` blocks (the newest stays, however large). The
    evidence is read-only, so a cached entry is what reading the file again would give.
    """

    def __init__(self) -> None:
        #: id(file system) -> (weak reference to it, its number).
        self._scopes: dict[int, tuple[weakref.ref[Any], int]] = {}
        self._numbers = itertools.count()
        self._entries: OrderedDict[tuple[int, str], TorrcBlocks | None] = OrderedDict()
        self._weight = 0

    def read(self, ctx: ExtractionContext, path: str) -> TorrcBlocks | None:
        """Return :func:`read_torrc_blocks` of ``path`` on ``ctx``'s file system, read once."""
        scope = self._scope(ctx)
        if scope is None:
            return read_torrc_blocks(ctx, path)
        key = (scope, path)
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        blocks = self._entries[key] = read_torrc_blocks(ctx, path)
        self._weight += blocks.weight if blocks else 1
        while len(self._entries) > 1 and (len(self._entries) > MAX_CACHED_TORRCS
                                          or self._weight > MAX_CACHED_BLOCKS):
            _, dropped = self._entries.popitem(last=False)
            self._weight -= dropped.weight if dropped else 1
        return blocks

    def _scope(self, ctx: ExtractionContext) -> int | None:
        """The number of ``ctx``'s file system (by identity: contexts need not hash)."""
        for owner in (getattr(ctx, "filesystem", None), ctx):
            if owner is None:
                continue
            known = self._scopes.get(id(owner))
            if known is not None and known[0]() is owner:
                return known[1]
            try:
                ref = weakref.ref(owner)
            except TypeError:  # not weakly referable: try the next, or do not cache
                continue
            if len(self._scopes) >= 64:
                self._scopes = {key: value for key, value in self._scopes.items()
                                if value[0]() is not None}
            number = next(self._numbers)
            self._scopes[id(owner)] = (ref, number)
            return number
        return None


def find_service_config(
    ctx: ExtractionContext, folder: str, cache: TorrcCache | None = None
) -> ServiceConfig | None:
    """Return the torrc block whose ``HiddenServiceDir`` is ``folder``, or None.

    Files are read in :func:`candidate_torrcs` order, each with its ``%include`` files
    where tor reads them (a block may begin in one included file and go on in the next);
    the first matching block wins and names the file its ``HiddenServiceDir`` is in. A
    file already read, on its own or included, is not read again as a candidate. With a
    ``cache``, files read for an earlier folder are not read again.
    """
    target = _normalise(folder)
    seen: set[str] = set()
    for path in candidate_torrcs(ctx, folder):
        if len(seen) >= MAX_TORRC_FILES or ctx.cancelled():
            break
        if path in seen:
            continue
        seen.add(path)
        blocks = cache.read(ctx, path) if cache is not None else read_torrc_blocks(ctx, path)
        if blocks is None:
            continue
        seen.update(blocks.included_files)
        block = blocks.block_for(target)
        if block is not None:
            return block
    return None
