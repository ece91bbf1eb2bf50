"""The Tor extractor: Tor Browser installations, tor's state and torrc, onion services
hosted on the machine, onion addresses in text and browser data, and prefetch traces."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from triage.extractors.interface import (
    ArtefactType,
    AttributeSpec,
    DetectorWarning,
    ExtractionContext,
    Extractor,
    FileView,
    Finding,
)
from triage.extractors.sqlite_image import database_image
from triage.extractors.tor.browser import (
    INSTALL_NAME,
    describe_installation,
    find_layout,
    find_renamed_layout,
    renamed_install_root,
)
from triage.extractors.tor.client_auth import parse_auth_private
from triage.extractors.tor.mozilla_json import bookmark_pages, session_pages
from triage.extractors.tor.mozlz4 import LZ4Error, read_mozlz4
from triage.extractors.tor.onion import (
    MAX_HITS_PER_BUFFER,
    OnionHit,
    printable_context,
    scan_onion_addresses,
)
from triage.extractors.tor.onion_service import (
    MAX_KEY_FILE,
    SERVICE_FILES,
    ServiceFiles,
    analyse_service,
)
from triage.extractors.tor.places import read_onion_places
from triage.extractors.tor.prefetch import parse_prefetch
from triage.extractors.tor.service_config import (
    TorrcCache,
    describe_port,
    find_service_config,
    include_reader,
    is_windows_path,
    real_spelling,
    service_dir_in_volume,
)
from triage.extractors.tor.state import looks_like_state, parse_state
from triage.extractors.tor.timefmt import epoch_to_iso
from triage.extractors.tor.torrc import looks_like_torrc, parse_torrc

_A = AttributeSpec
ARTEFACT_TYPES = (
    ArtefactType(
        "tor.browser",
        "Tor Browser installation",
        "Tor",
        (
            _A("install_path", "text", "Install path"),
            _A("platform"),
            _A("torbrowser_version", "text", "Tor Browser version"),
            _A("version_source"),
            _A("firefox_version", "text", "Firefox version"),
            _A("build_id", "text", "Build ID"),
            _A("tor_version"),
            _A("tor_binary"),
            _A("profile_path"),
            _A("security_level"),
            _A("security_slider", "integer"),
            _A("bridges_enabled", "bool"),
            _A("bridge_type"),
            _A("bridges", "list"),
            _A("transport_plugins", "list"),
            _A("homepage"),
            _A("history_enabled", "bool"),
            _A("tor_data_path"),
            _A("state_last_written", "datetime", "Tor last ran (state written)"),
            _A("profile_created", "datetime", "Browser profile created"),
            _A("last_started", "datetime", "Browser last started"),
            _A("session_count", "integer", "Browser sessions"),
            _A("tor_prefs", "json", "Tor preferences"),
        ),
        ("install_path", "torbrowser_version", "tor_version", "state_last_written",
         "security_level", "bridges_enabled"),
    ),
    ArtefactType(
        "tor.state",
        "tor state file",
        "Tor",
        (
            _A("tor_version"),
            _A("tor_version_line"),
            _A("last_written", "datetime", "Last written (UTC)"),
            _A("last_written_local", "text", "Last written (local time)"),
            _A("utc_offset_minutes", "integer", "UTC offset (minutes)"),
            _A("guard_count", "integer"),
            _A("guards", "json"),
            _A("guard_times_note", "text", "Guard times (randomised by tor)"),
            _A("transport_proxies", "list"),
            _A("bandwidth", "json", "Bandwidth history"),
            _A("minutes_since_user_activity", "integer"),
            _A("dormant"),
            _A("total_build_times", "integer"),
            _A("last_rotated_onion_key", "datetime"),
            _A("hs_rev_counters", "integer", "Onion-service revision counters"),
            _A("file_modified", "datetime"),
            _A("file_accessed", "datetime"),
            _A("file_changed", "datetime"),
            _A("file_created", "datetime"),
        ),
        ("tor_version", "last_written", "guard_count", "file_modified"),
    ),
    ArtefactType(
        "tor.config",
        "torrc configuration",
        "Tor",
        (
            _A("role", "text", "Role"),
            _A("hidden_service_dirs", "list", "HiddenServiceDir"),
            _A("hidden_services", "json"),
            _A("use_bridges", "bool"),
            _A("bridges", "list"),
            _A("transport_plugins", "json", "ClientTransportPlugin"),
            _A("socks_ports", "list", "SocksPort"),
            _A("control_ports", "list", "ControlPort"),
            _A("hashed_control_passwords", "list", "HashedControlPassword"),
            _A("cookie_authentication", "bool"),
            _A("data_directory", "text", "DataDirectory"),
            _A("hidserv_auth", "json", "HidServAuth"),
            _A("client_onion_auth_dir", "text", "ClientOnionAuthDir"),
            _A("includes", "list", "%include"),
            _A("included_files", "list", "Included files"),
            _A("relay", "json", "Relay settings"),
            _A("hidden_service_non_anonymous_mode", "bool", "HiddenServiceNonAnonymousMode"),
            _A("hidden_service_single_hop_mode", "bool", "HiddenServiceSingleHopMode"),
            _A("hidden_service_statistics", "bool", "HiddenServiceStatistics"),
            _A("directive_count", "integer"),
            _A("directives", "json"),
        ),
        ("role", "hidden_service_dirs", "hidden_service_non_anonymous_mode", "use_bridges",
         "socks_ports", "control_ports", "data_directory"),
    ),
    ArtefactType(
        "tor.onion_service",
        "Onion service hosted here",
        "Onion services",
        (
            _A("hostname"),
            _A("version", "integer"),
            _A("has_private_key", "bool"),
            _A("has_public_key", "bool"),
            _A("key_address", "text", "Address derived from key"),
            _A("hostname_matches_key", "bool", "Hostname matches every key"),
            _A("hostname_matches_public_key", "bool"),
            _A("hostname_matches_private_key", "bool", "Private key belongs to hostname"),
            _A("keys_consistent", "bool", "Secret and public key agree"),
            _A("hostname_checksum_valid", "bool"),
            _A("authorized_clients", "list"),
            _A("has_client_keys", "bool"),
            _A("configured_in", "text", "Configured in torrc"),
            _A("ports", "list", "HiddenServicePort"),
        ),
        ("hostname", "version", "has_private_key", "hostname_matches_key", "authorized_clients"),
    ),
    ArtefactType(
        "tor.onion_address",
        "Onion address",
        "Onion addresses",
        (
            _A("address"),
            _A("version", "integer"),
            _A("checksum_valid", "bool"),
            _A("source", "text", "Found in"),
            _A("encoding"),
            _A("url", "text", "URL"),
            _A("title"),
            _A("visit_count", "integer"),
            _A("last_visit", "datetime"),
            _A("first_visit", "datetime"),
            _A("visit_times", "list", "Visits"),
            _A("bookmarked", "bool"),
            _A("bookmark_titles", "list"),
            _A("bookmark_added", "datetime"),
            _A("bookmark_modified", "datetime"),
            _A("tab_last_accessed", "datetime", "Tab last used"),
            _A("tab_current", "bool", "Page the tab showed"),
            _A("tab_closed_at", "datetime", "Tab closed"),
            _A("client_auth_key_type", "text", "Client auth key type"),
        ),
        ("address", "version", "checksum_valid", "source", "url", "last_visit"),
    ),
    ArtefactType(
        "tor.execution",
        "Tor program execution (prefetch)",
        "Tor",
        (
            _A("executable"),
            _A("executable_path"),
            _A("run_count", "integer"),
            _A("last_run", "datetime"),
            _A("last_run_times", "list"),
            _A("prefetch_hash"),
            _A("format_version", "integer"),
            _A("compressed", "bool"),
            _A("tor_browser_paths", "list"),
            _A("volumes", "json"),
            _A("parser"),
        ),
        ("executable", "executable_path", "run_count", "last_run"),
    ),
)

_PREFETCH_NAME = re.compile(r"^(tor|firefox)\.exe-[0-9a-f]{8}\.pf$", re.IGNORECASE)
_TORRC_NAME = re.compile(r"^(\.?torrc(-defaults)?(\.orig\.\d+)?|torrc\.sample)$", re.IGNORECASE)
_MOZLZ4_EXTENSIONS = frozenset({"jsonlz4", "baklz4", "mozlz4"})
#: Firefox's copy of the session store kept at an upgrade: upgrade.jsonlz4-<build id>.
_MOZLZ4_UPGRADE_GLOB = "*.jsonlz4-*"
_RAW_SCAN_SQLITE = frozenset({"cookies.sqlite", "formhistory.sqlite", "favicons.sqlite",
                              "places.sqlite-wal", "cookies.sqlite-wal"})
_MAX_CONTEXT = 120
#: ServiceFiles field -> file name inside an onion-service folder.
_SERVICE_FIELDS = {
    "hostname": "hostname",
    "public_key": "hs_ed25519_public_key",
    "secret_key": "hs_ed25519_secret_key",
    "rsa_private_key": "private_key",
    "client_keys": "client_keys",
}


def _clip(text: str) -> str:
    return text[:_MAX_CONTEXT]


class TorExtractor(Extractor):
    """Tor Browser, tor's state and torrc, hosted onion services, onion addresses."""

    NAME = "tor"
    VERSION = "1.9"
    DESCRIPTION = (
        "Tor Browser installations and settings, tor state (last run, guards) and torrc, "
        "onion services hosted on the machine (hostname checked against keys), onion "
        "addresses in text, history, sessions and client-auth files, prefetch traces."
    )
    ARTEFACT_TYPES = ARTEFACT_TYPES
    FILENAMES = frozenset(
        {"state", "torrc", "torrc-defaults", ".torrc", "places.sqlite", *SERVICE_FILES,
         *_RAW_SCAN_SQLITE}
    )
    EXTENSIONS = frozenset({"auth_private", "pf", *_MOZLZ4_EXTENSIONS})
    PATH_GLOBS = ("*/torrc.orig.*", "*/torrc.d/*", _MOZLZ4_UPGRADE_GLOB)
    DIRECTORY_NAMES = frozenset({"tor browser", "tor browser.app", "torbrowser-data"})
    DIRECTORY_GLOBS = ("*/tor-browser*", "*/tor browser (*)")
    SCANS_TEXT = True
    WANTS_BY_NAME_NARROWS = True

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        # Every onion-service folder looks for its torrc among the same files.
        self._torrcs = TorrcCache()

    # -- declarations refined beyond the name lists ----------------------------------
    def wants_by_name(self, entry: FileView) -> bool:
        """Like the base class, but only Tor's prefetch files among all *.pf."""
        if entry.extension == "pf":
            return bool(_PREFETCH_NAME.match(entry.name))
        return super().wants_by_name(entry)

    def wants_directory(self, entry: FileView) -> bool:
        """The installation's own folder, not every folder below a 'tor-browser*' one.

        Also the ``Browser/TorBrowser`` folder of an installation under another name: the
        renamed folder, or the evidence root when the installation is the evidence.
        """
        return bool(INSTALL_NAME.match(entry.name)) or renamed_install_root(entry.path) is not None

    def extract_searches_bytes(self, entry: FileView) -> bool:
        """Browser databases: :meth:`extract` scans their raw bytes itself (deleted rows
        in free pages), leaving out the addresses it reports with their history."""
        name = entry.name.lower()
        return name == "places.sqlite" or name in _RAW_SCAN_SQLITE

    @property
    def include_invalid(self) -> bool:
        """Whether v3 look-alikes with a bad checksum are reported too (option)."""
        return bool(self.options.get("include_invalid", False))

    # -- hooks -------------------------------------------------------------------------
    def extract(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterable[Finding]:
        """Dispatch on the file's name to the parser that reads it."""
        name = entry.name.lower()
        try:
            if name == "state":
                yield from self._state(entry, data, ctx)
            elif _TORRC_NAME.match(name) or _in_torrc_d(entry):
                yield from self._torrc(entry, data, ctx)
            elif name in SERVICE_FILES:
                yield from self._service_from_file(entry, ctx)
            elif name == "places.sqlite":
                yield from self._places(entry, data, ctx)
            elif name in _RAW_SCAN_SQLITE:
                yield from self._onion_hits(data, source=f"{name} (raw)", packed=True)
            elif entry.extension in _MOZLZ4_EXTENSIONS or fnmatch.fnmatch(
                    name, _MOZLZ4_UPGRADE_GLOB):
                yield from self._mozlz4(entry, data, ctx)
            elif entry.extension == "auth_private":
                yield from self._auth_private(entry, data, ctx)
            elif entry.extension == "pf":
                yield from self._prefetch(entry, data, ctx)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError, RecursionError,
                MemoryError) as error:
            # Parsers are written not to raise; this is the last guard for the engine.
            ctx.warn(f"tor: could not parse {entry.name}: {type(error).__name__}: {error}",
                     entry.path)

    def extract_directory(self, entry: FileView, ctx: ExtractionContext) -> Iterable[Finding]:
        """Describe a Tor Browser installation found by its folder name or layout."""
        root = renamed_install_root(entry.path)
        if root is None:
            root = entry.path
            layout = find_layout(ctx, root, entry.name)
        else:
            layout = find_renamed_layout(ctx, root)
        if layout is None:
            return
        report = describe_installation(ctx, layout)
        for warning in report.warnings:
            ctx.warn(f"tor browser: {warning}", root)
        yield Finding("tor.browser", report.attributes, path=root, key=f"browser|{root}")

    def scan_bytes(self, data: bytes) -> Iterator[Finding]:
        """Onion host names in arbitrary bytes (text files, carved unallocated chunks)."""
        return self._onion_hits(data, source="text")

    # -- per-format handlers -----------------------------------------------------------
    def _onion_hits(self, data: bytes, source: str, packed: bool = False) -> Iterator[Finding]:
        hits = scan_onion_addresses(data, max_hits=MAX_HITS_PER_BUFFER, packed=packed)
        for hit in hits:
            if hit.exportable or self.include_invalid:
                yield self._address_finding(hit, data, source)
        if len(hits) >= MAX_HITS_PER_BUFFER:
            yield DetectorWarning(f"more than {MAX_HITS_PER_BUFFER} onion address candidates in"
                                  " these bytes; only the first were reported")

    def _address_finding(
        self, hit: OnionHit, data: bytes, source: str, extra: dict[str, Any] | None = None
    ) -> Finding:
        attributes = {
            "address": hit.address,
            "version": hit.version,
            "checksum_valid": hit.checksum_valid,
            "source": source,
            "encoding": hit.encoding,
            **(extra or {}),
        }
        context = printable_context(data, hit.offset, hit.offset + hit.length)
        return Finding("tor.onion_address", attributes, offset=hit.offset,
                       context=_clip(context), key=f"onion|{hit.address}")

    def _state(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterator[Finding]:
        if not looks_like_state(data):
            return
        state = parse_state(data)
        for warning in state.warnings:
            ctx.warn(f"tor state: {warning}", entry.path)
        if not state.recognised:
            return
        attributes = state.attributes()
        attributes.update(
            file_modified=epoch_to_iso(entry.mtime),
            file_accessed=epoch_to_iso(entry.atime),
            file_changed=epoch_to_iso(entry.ctime),
            file_created=epoch_to_iso(entry.crtime),
        )
        yield Finding("tor.state", attributes)

    def _torrc(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterator[Finding]:
        if not looks_like_torrc(data):
            if data.strip():
                ctx.warn("torrc-named file has no tor directives", entry.path)
            return
        # tor reads %include files as if written in place, so their settings are this
        # file's too; they are read inside the evidence only (include_reader).
        config = parse_torrc(data, entry.path, include_reader(ctx))
        for warning in config.warnings:
            ctx.warn(f"torrc: {warning}", entry.path)
        attributes = config.attributes()
        attributes["role"] = _torrc_role(entry)
        yield Finding("tor.config", attributes)
        for service in config.hidden_services:
            if "file" in service and self._reads_itself(service["file"]):
                continue
            yield from self._configured_service(service.get("file", entry.path), service, ctx)

    def _reads_itself(self, path: str) -> bool:
        """True for a torrc this extractor is handed on its own (a torrc.d file, ...)."""
        name = path.rsplit("/", 1)[-1]
        view = FileView(path=path, name=name, size=0)
        return self.wants_by_name(view) and bool(
            _TORRC_NAME.match(name.lower()) or _in_torrc_d(view))

    def _configured_service(
        self, torrc_path: str, service: dict[str, Any], ctx: ExtractionContext
    ) -> Iterator[Finding]:
        """Report a torrc HiddenServiceDir whose folder holds no key or hostname file.

        Folders that do hold them are reported from their own files (wherever they are),
        so the same service is not listed twice; so are services configured in included
        torrc files that are reported on their own. ``torrc_path`` is the file the
        ``HiddenServiceDir`` line is in.
        """
        windows = is_windows_path(service["dir"])

        def exists(path: str) -> bool:
            if windows:
                return real_spelling(ctx, path) is not None
            entry = ctx.stat(path)
            return entry is not None and entry.kind == "dir"

        folder = service_dir_in_volume(torrc_path.rsplit("/", 1)[0] or "/", service["dir"],
                                       exists)
        if folder is not None and windows:
            # Windows paths ignore case; the folder's own spelling is the one to report.
            folder = real_spelling(ctx, folder) or folder
        if folder is not None and _service_files_present(ctx, folder):
            return
        attributes = {
            "hostname": None,
            "version": int(service["version"]) if str(service["version"]).isdigit() else None,
            "has_private_key": False,
            "has_public_key": False,
            "key_address": None,
            "hostname_matches_key": None,
            "hostname_matches_public_key": None,
            "hostname_matches_private_key": None,
            "keys_consistent": None,
            "hostname_checksum_valid": None,
            "authorized_clients": [],
            "has_client_keys": False,
            "configured_in": torrc_path,
            "ports": [describe_port(port) for port in service["ports"]],
        }
        yield Finding("tor.onion_service", attributes, path=folder or torrc_path,
                      key=f"service|{folder or service['dir']}")

    def _service_from_file(self, entry: FileView, ctx: ExtractionContext) -> Iterator[Finding]:
        folder = entry.parent
        present = {child.name: child for child in ctx.listdir(folder) if child.kind == "file"}
        # One finding per folder, from its first service file that holds bytes: the engine
        # hands no empty file to an extractor, so an empty hostname cannot report it.
        first = next((name for name in SERVICE_FILES if present.get(name) and present[name].size),
                     None)
        if first != entry.name:
            return
        files = ServiceFiles(
            **{
                field_name: ctx.read(_child(folder, file_name), MAX_KEY_FILE)
                if file_name in present
                else None
                for field_name, file_name in _SERVICE_FIELDS.items()
            }
        )
        if files.rsa_private_key is not None and b"PRIVATE KEY-----" not in files.rsa_private_key:
            files.rsa_private_key = None
        has_v3_keys = files.public_key is not None or files.secret_key is not None
        # Without tor's own key files, only a hostname holding an onion address counts: a
        # lone "hostname" is /etc/hostname & co., a lone "private_key" any RSA key.
        if not has_v3_keys and (files.hostname is None or not _looks_like_hostname(files.hostname)):
            return
        auth_dir = _child(folder, "authorized_clients")
        files.authorized_clients = sorted(
            child.name[: -len(".auth")] if child.name.endswith(".auth") else child.name
            for child in ctx.listdir(auth_dir)
            if child.kind == "file"
        )[:1000]
        service = analyse_service(files)
        for warning in service.warnings:
            ctx.warn(f"onion service: {warning}", folder)
        config = find_service_config(ctx, folder, self._torrcs)
        attributes = {
            **service.attributes,
            "configured_in": config.torrc_path if config else None,
            "ports": config.ports if config else [],
        }
        yield Finding("tor.onion_service", attributes, path=folder, key=f"service|{folder}")

    def _places(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterator[Finding]:
        rows = read_onion_places(database_image(entry.path, data, ctx))
        for warning in rows.warnings:
            ctx.warn(f"places: {warning}", entry.path)
        reported: set[str] = set()
        for row in rows.rows:
            url = row["url"]
            encoded = url.encode("utf-8", errors="replace")
            for hit in scan_onion_addresses(encoded, max_hits=16):
                if not (hit.exportable or self.include_invalid):
                    continue
                reported.add(hit.address)
                finding = self._address_finding(hit, encoded, "places", {
                    "url": url[:2048],
                    "title": row["title"],
                    "visit_count": row["visit_count"],
                    "last_visit": row["last_visit"],
                    "first_visit": row["first_visit"],
                    "visit_times": row["visit_times"],
                    "bookmarked": row["bookmarked"],
                    "bookmark_titles": row["bookmark_titles"],
                    "bookmark_added": row["bookmark_added"],
                })
                finding.offset = None
                finding.context = _clip(url)
                finding.key = f"places|{url}"
                yield finding
        # Records deleted from moz_places survive in free pages: scan the raw file too.
        for finding in self._onion_hits(data, source="places.sqlite (raw)"):
            if finding.attributes.get("address") not in reported:
                yield finding

    def _mozlz4(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterator[Finding]:
        try:
            text = read_mozlz4(data)
        except LZ4Error as error:
            ctx.warn(f"mozLz4: {error}", entry.path)
            return
        backup = "bookmark" in entry.path.lower()
        source = "bookmark backup" if backup else "session"
        reported: set[str] = set()
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            document = None
            ctx.warn(f"{source}: not JSON after decompression; its text was searched", entry.path)
        pages = bookmark_pages(document) if backup else session_pages(document)
        for page in pages:
            encoded = page.url.encode("utf-8", errors="replace")
            for hit in scan_onion_addresses(encoded, max_hits=16):
                if not (hit.exportable or self.include_invalid):
                    continue
                reported.add(hit.address)
                finding = self._address_finding(hit, encoded, source,
                                                {"url": page.url[:2048], **page.attributes})
                finding.offset = None
                finding.context = _clip(page.url)
                finding.key = f"{source}|{page.url}"
                yield finding
        # Addresses elsewhere in the JSON (form data, a closed window's title...).
        for finding in self._onion_hits(text, source=source):
            if finding.attributes.get("address") not in reported:
                # Offsets would point into the decompressed text, not the file.
                finding.offset = None
                yield finding

    def _auth_private(
        self, entry: FileView, data: bytes, ctx: ExtractionContext
    ) -> Iterator[Finding]:
        parsed = parse_auth_private(data)
        for warning in parsed.warnings:
            ctx.warn(f"onion client auth: {warning}", entry.path)
        for item in parsed.entries:
            if item.version is None:
                ctx.warn("onion client auth: entry without a valid onion address", entry.path)
                continue
            if not (item.version == 2 or item.checksum_valid or self.include_invalid):
                continue
            yield Finding(
                "tor.onion_address",
                {
                    "address": item.address,
                    "version": item.version,
                    "checksum_valid": item.checksum_valid,
                    "source": "client_auth",
                    "encoding": "ascii",
                    "client_auth_key_type": item.key_type,
                },
                offset=item.offset,
                context=_clip(item.line),
                key=f"onion|{item.address}",
            )

    def _prefetch(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterator[Finding]:
        info = parse_prefetch(data)
        for warning in info.warnings:
            ctx.warn(f"prefetch: {warning}", entry.path)
        executable = (info.executable or entry.name.split("-")[0]).upper()
        if executable == "FIREFOX.EXE" and not info.tor_browser_paths():
            return
        attributes = info.attributes()
        attributes["executable"] = info.executable or entry.name.rsplit("-", 1)[0]
        yield Finding("tor.execution", attributes)


def _child(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


def _looks_like_hostname(data: bytes) -> bool:
    return bool(scan_onion_addresses(data[:4096], max_hits=1))


def _service_files_present(ctx: ExtractionContext, folder: str) -> bool:
    """Whether the folder holds a service file with bytes in it (one that reports it)."""
    names = {child.name for child in ctx.listdir(folder) if child.kind == "file" and child.size}
    return any(name in names for name in SERVICE_FILES)


def _in_torrc_d(entry: FileView) -> bool:
    """A file in a ``torrc.d`` folder (tor reads them through ``%include``)."""
    return entry.parent.lower().endswith("/torrc.d") and not entry.name.startswith(".")


def _torrc_role(entry: FileView) -> str:
    name = entry.name.lower()
    if "defaults" in name:
        return "defaults"
    if ".orig." in name:
        return "previous"
    if _in_torrc_d(entry) and not _TORRC_NAME.match(name):
        return "include"
    return "config"
