"""Recognise a Tor Browser installation (or its remains) from its folder tree.

Layouts (Tor Browser bundles since 2014):

* Windows / Linux: ``<root>/Browser/firefox[.exe]``, ``Browser/application.ini``,
  ``Browser/TorBrowser/Tor/tor[.exe]``, ``Browser/TorBrowser/Data/Tor/{state,torrc}``,
  ``Browser/TorBrowser/Data/Browser/profile.default``,
  ``Browser/TorBrowser/Docs/sources/versions``, ``Browser/tbb_version.json`` (Linux).
* macOS: the app ``Tor Browser.app/Contents/{MacOS,Resources}`` and the data folder
  ``~/Library/Application Support/TorBrowser-Data/{Browser,Tor}``.

Everything is read through the :class:`ExtractionContext`; missing parts are reported
as absent, unreadable ones as warnings.
"""

from __future__ import annotations

import configparser
import json
import re
from dataclasses import dataclass, field
from typing import Any

from triage.extractors.interface import ExtractionContext
from triage.extractors.tor.prefs import SECURITY_LEVELS, parse_prefs
from triage.extractors.tor.state import parse_state
from triage.extractors.tor.timefmt import epoch_to_iso
from triage.extractors.tor.torrc import parse_torrc

#: Folder names that may hold a Tor Browser ("Tor Browser", "tor-browser_en-US", ...).
INSTALL_NAME = re.compile(
    r"^(tor browser( \(\d+\))?|tor browser\.app|tor-browser([_-][\w.@-]*)?|torbrowser-data)$",
    re.IGNORECASE,
)
MAX_TEXT = 1024 * 1024
_TOR_BINARIES = ("tor.exe", "tor", "tor.real")


@dataclass
class Layout:
    """Where the parts of one installation live (paths in the evidence file system)."""

    platform: str
    root: str
    browser_dir: str | None = None
    resources_dir: str | None = None
    data_dir: str | None = None
    tor_binary_dir: str | None = None
    docs_dir: str | None = None


@dataclass
class BrowserReport:
    """The ``tor.browser`` attributes of one installation and the problems met."""

    attributes: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _join(*parts: str) -> str:
    head = parts[0].rstrip("/")
    return "/".join([head, *(p.strip("/") for p in parts[1:])])


def _is_dir(ctx: ExtractionContext, path: str) -> bool:
    entry = ctx.stat(path)
    return entry is not None and entry.kind == "dir"


def _exists(ctx: ExtractionContext, path: str) -> bool:
    return ctx.stat(path) is not None


def find_layout(ctx: ExtractionContext, path: str, name: str) -> Layout | None:
    """Return the layout of the installation at ``path``, or None when it is not one."""
    if name.lower() == "torbrowser-data":
        if _is_dir(ctx, _join(path, "Browser")) or _is_dir(ctx, _join(path, "Tor")):
            return Layout("macos", path, data_dir=path)
        return None
    if name.lower().endswith(".app"):
        contents = _join(path, "Contents")
        if _is_dir(ctx, _join(contents, "MacOS")):
            return Layout(
                "macos",
                path,
                browser_dir=_join(contents, "MacOS"),
                resources_dir=_join(contents, "Resources"),
                tor_binary_dir=_join(contents, "MacOS", "Tor"),
                docs_dir=_join(contents, "Resources", "TorBrowser", "Docs"),
            )
        return None
    return _bundle_layout(ctx, path)


def renamed_install_root(path: str) -> str | None:
    """Return the installation folder of a ``<root>/Browser/TorBrowser`` folder, or None.

    None too when ``<root>`` has an installation's name: that folder is recognised by
    its name. ``<root>`` may be the evidence root (``/``), which no extractor is offered.
    """
    parts = path.rstrip("/").split("/")
    # The names as the bundle spells them: the layout below is looked up by them.
    if len(parts) < 3 or parts[-1] != "TorBrowser" or parts[-2] != "Browser":
        return None
    if INSTALL_NAME.match(parts[-3]):
        return None
    return "/".join(parts[:-2]) or "/"


def find_renamed_layout(ctx: ExtractionContext, root: str) -> Layout | None:
    """Return the Windows or Linux layout at ``root`` whatever the folder's name, or None.

    Without the name as a hint the folder must hold tor under ``Browser/TorBrowser/Tor``
    or tor's data under ``Browser/TorBrowser/Data/Tor``: a folder merely called
    ``Browser`` with a ``firefox`` in it is not taken for Tor Browser.
    """
    tor_browser = _join(root, "Browser", "TorBrowser")
    if not any(_exists(ctx, _join(tor_browser, "Tor", name)) for name in _TOR_BINARIES) and (
        not _is_dir(ctx, _join(tor_browser, "Data", "Tor"))
    ):
        return None
    return _bundle_layout(ctx, root)


def _bundle_layout(ctx: ExtractionContext, path: str) -> Layout | None:
    """The Windows or Linux bundle layout: ``Browser`` with firefox and ``TorBrowser``."""
    browser = _join(path, "Browser")
    if not _is_dir(ctx, browser):
        return None
    tor_browser = _join(browser, "TorBrowser")
    windows = _exists(ctx, _join(browser, "firefox.exe")) or _exists(
        ctx, _join(tor_browser, "Tor", "tor.exe")
    )
    if not windows and not _is_dir(ctx, tor_browser) and not _exists(ctx, _join(browser, "firefox")):
        return None
    return Layout(
        "windows" if windows else "linux",
        path,
        browser_dir=browser,
        resources_dir=browser,
        data_dir=_join(tor_browser, "Data"),
        tor_binary_dir=_join(tor_browser, "Tor"),
        docs_dir=_join(tor_browser, "Docs"),
    )


def _read_text(ctx: ExtractionContext, path: str | None) -> str | None:
    if path is None:
        return None
    data = ctx.read(path, MAX_TEXT)
    return data.decode("utf-8", errors="replace") if data is not None else None


def _ini(text: str) -> configparser.ConfigParser | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser


def _versions_file(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines()[:200]:
        key, sep, value = line.partition("=")
        if sep and key.strip().isupper():
            values[key.strip()] = value.strip().strip("'\"")
    return values


def _profile_dir(ctx: ExtractionContext, browser_data: str) -> str | None:
    text = _read_text(ctx, _join(browser_data, "profiles.ini"))
    parser = _ini(text) if text else None
    if parser is not None:
        for section in parser.sections():
            if not section.lower().startswith("profile"):
                continue
            rel = parser.get(section, "Path", fallback=None)
            if rel:
                relative = parser.get(section, "IsRelative", fallback="1") == "1"
                candidate = _join(browser_data, rel) if relative else rel.replace("\\", "/")
                if _is_dir(ctx, candidate):
                    return candidate
    fallback = _join(browser_data, "profile.default")
    return fallback if _is_dir(ctx, fallback) else None


def _tor_binary(ctx: ExtractionContext, layout: Layout) -> str | None:
    if layout.tor_binary_dir is None:
        return None
    for name in _TOR_BINARIES:
        candidate = _join(layout.tor_binary_dir, name)
        if _exists(ctx, candidate):
            return candidate
    return None


def describe_installation(ctx: ExtractionContext, layout: Layout) -> BrowserReport:
    """Collect the ``tor.browser`` attributes for an installation; never raises on bad files."""
    warnings: list[str] = []
    attrs: dict[str, Any] = {
        "install_path": layout.root,
        "platform": layout.platform,
        "torbrowser_version": None,
        "version_source": None,
        "firefox_version": None,
        "build_id": None,
        "tor_version": None,
        "tor_binary": _tor_binary(ctx, layout),
        "profile_path": None,
        "security_level": None,
        "security_slider": None,
        "bridges_enabled": None,
        "bridge_type": None,
        "bridges": [],
        "transport_plugins": [],
        "homepage": None,
        "history_enabled": None,
        "tor_data_path": None,
        "state_last_written": None,
        "profile_created": None,
        "last_started": None,
        "session_count": None,
        "tor_prefs": {},
    }
    if layout.resources_dir:
        text = _read_text(ctx, _join(layout.resources_dir, "application.ini"))
        parser = _ini(text) if text else None
        if text and parser is None:
            warnings.append("application.ini is not readable as INI")
        if parser is not None:
            attrs["firefox_version"] = parser.get("App", "Version", fallback=None)
            attrs["build_id"] = parser.get("App", "BuildID", fallback=None)
    if layout.docs_dir:
        text = _read_text(ctx, _join(layout.docs_dir, "sources", "versions"))
        if text:
            version = _versions_file(text).get("TORBROWSER_VERSION")
            if version:
                attrs["torbrowser_version"], attrs["version_source"] = version, "versions"
    if layout.browser_dir and not attrs["torbrowser_version"]:
        text = _read_text(ctx, _join(layout.browser_dir, "tbb_version.json"))
        if text:
            try:
                version = json.loads(text).get("version")
            except (ValueError, AttributeError):
                version = None
                warnings.append("tbb_version.json is not valid JSON")
            if isinstance(version, str):
                attrs["torbrowser_version"], attrs["version_source"] = version, "tbb_version.json"
    if layout.data_dir:
        _describe_data(ctx, layout.data_dir, attrs, warnings)
    return BrowserReport(attrs, warnings)


#: prefs.js entries Firefox keeps about the profile's use: POSIX seconds and a count.
_PROFILE_CREATED = "browser.laterrun.bookkeeping.profileCreationTime"
_LAST_STARTED = "toolkit.startup.last_success"
_SESSION_COUNT = "browser.laterrun.bookkeeping.sessionCount"


def profile_usage(prefs: dict[str, Any]) -> dict[str, Any]:
    """When the profile was made, when the browser last started up fully and how many
    times it was started (Firefox's own bookkeeping in prefs.js)."""

    def number(name: str) -> int | None:
        value = prefs.get(name)
        # A bool is an int to Python; these prefs are plain integers.
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    created, started = number(_PROFILE_CREATED), number(_LAST_STARTED)
    return {
        "profile_created": epoch_to_iso(created) if created and created > 0 else None,
        "last_started": epoch_to_iso(started) if started and started > 0 else None,
        "session_count": number(_SESSION_COUNT),
    }


def _describe_data(
    ctx: ExtractionContext, data_dir: str, attrs: dict[str, Any], warnings: list[str]
) -> None:
    browser_data = _join(data_dir, "Browser")
    profile = _profile_dir(ctx, browser_data) if _is_dir(ctx, browser_data) else None
    attrs["profile_path"] = profile
    if profile:
        raw = ctx.read(_join(profile, "prefs.js"), 8 * 1024 * 1024)
        if raw is not None:
            prefs = parse_prefs(raw)
            warnings.extend(f"prefs.js: {w}" for w in prefs.warnings)
            if not attrs["torbrowser_version"] and prefs.torbrowser_version:
                attrs["torbrowser_version"] = prefs.torbrowser_version
                attrs["version_source"] = "prefs.js"
            slider = prefs.security_slider
            attrs["security_slider"] = slider
            # Tor Browser's default is "standard"; the pref is only written once changed.
            attrs["security_level"] = SECURITY_LEVELS.get(slider, "unknown") if slider else "standard"
            attrs["bridges_enabled"] = prefs.bridges_enabled()
            attrs["bridge_type"] = prefs.bridge_type()
            attrs["bridges"] = prefs.bridges()
            homepage = prefs.prefs.get("browser.startup.homepage")
            attrs["homepage"] = homepage if isinstance(homepage, str) else None
            history = prefs.prefs.get("places.history.enabled")
            attrs["history_enabled"] = history if isinstance(history, bool) else None
            attrs["tor_prefs"] = prefs.tor_prefs()
            attrs.update(profile_usage(prefs.prefs))
    tor_data = _join(data_dir, "Tor")
    if not _is_dir(ctx, tor_data):
        return
    attrs["tor_data_path"] = tor_data
    raw_state = ctx.read(_join(tor_data, "state"), 8 * 1024 * 1024)
    if raw_state is not None:
        state = parse_state(raw_state)
        attrs["tor_version"] = state.tor_version
        attrs["state_last_written"] = state.last_written
    raw_torrc = ctx.read(_join(tor_data, "torrc"), 8 * 1024 * 1024)
    if raw_torrc is not None:
        torrc = parse_torrc(raw_torrc)
        if torrc.use_bridges is not None:
            attrs["bridges_enabled"] = torrc.use_bridges
        for line in torrc.bridges:
            if line not in attrs["bridges"]:
                attrs["bridges"].append(line)
        attrs["transport_plugins"] = sorted(
            {name for plugin in torrc.transport_plugins for name in plugin["transports"]}
        )
