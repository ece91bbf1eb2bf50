"""Onion-service folders linked to the torrc that configures them (HiddenServiceDir/Port)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.extractor_harness import LocalFolderContext, run_extractor
from tests.extractors.tor.conftest import DATA
from triage.extractors.interface import FileView
from triage.extractors.tor import TorExtractor
from triage.extractors.tor.service_config import (
    MAX_TORRC_FILES,
    TorrcCache,
    describe_port,
    find_service_config,
    service_dir_candidates,
    service_dir_in_volume,
)

V3_SAMPLE = DATA / "server/var/lib/tor/market_v3"
V2_SAMPLE = DATA / "server/var/lib/tor/legacy_v2"


def _torrc_blocks(text: str) -> dict[str, list[str]]:
    """Oracle: HiddenServiceDir -> its HiddenServicePort values, read with a plain regex."""
    blocks: dict[str, list[str]] = {}
    current = None
    for keyword, value in re.findall(r"^(HiddenService\w+)\s+(.+?)\s*$", text, re.MULTILINE):
        if keyword == "HiddenServiceDir":
            current = value.rstrip("/")
            blocks[current] = []
        elif keyword == "HiddenServicePort" and current:
            blocks[current].append(value)
    return blocks


def _services(root: Path) -> dict[str, dict]:
    result = run_extractor(TorExtractor(), root)
    services = result.of_type("tor.onion_service")
    paths = [f.path.lower() for f in services]
    assert len(paths) == len(set(paths)), "a service was reported twice"
    return {f.path: f.attributes for f in services}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# -- the server sample: /etc/tor/torrc names both folders ----------------------------------
def test_server_services_carry_their_torrc_block(tmp_path):
    shutil.copytree(DATA / "server", tmp_path, dirs_exist_ok=True)
    torrc_text = (tmp_path / "etc/tor/torrc").read_text()
    blocks = _torrc_blocks(torrc_text)
    services = _services(tmp_path)
    for folder in ("/var/lib/tor/market_v3", "/var/lib/tor/legacy_v2"):
        attrs = services[folder]
        assert attrs["hostname"] is not None
        assert attrs["configured_in"] == "/etc/tor/torrc"
        virtual, target = blocks[folder][0].split()
        assert attrs["ports"] == [f"{virtual} -> {target}"]
    # The configured folder without key files is reported once, from the torrc.
    assert set(services) == {"/var/lib/tor/market_v3", "/var/lib/tor/legacy_v2",
                             "/var/lib/tor/removed_service"}


def test_service_without_any_torrc_stays_unlinked(tmp_path):
    shutil.copytree(V3_SAMPLE, tmp_path / "srv/hs")
    (attrs,) = _services(tmp_path).values()
    assert attrs["configured_in"] is None and attrs["ports"] == []
    assert attrs["hostname_matches_key"] is True


def test_torrc_naming_another_folder_does_not_link(tmp_path):
    shutil.copytree(V3_SAMPLE, tmp_path / "var/lib/tor/hs")
    _write(tmp_path / "etc/tor/torrc",
           "HiddenServiceDir /var/lib/tor/hs_other\nHiddenServicePort 80\n"
           "HiddenServiceDir /var/lib/tor/h\nHiddenServicePort 81\n")
    services = _services(tmp_path)
    assert services["/var/lib/tor/hs"]["configured_in"] is None
    assert services["/var/lib/tor/hs_other"]["configured_in"] == "/etc/tor/torrc"


def test_comment_after_the_folder_does_not_make_a_phantom_service(tmp_path):
    shutil.copytree(V3_SAMPLE, tmp_path / "var/lib/tor/hs1")
    _write(tmp_path / "etc/tor/torrc",
           "HiddenServiceDir /var/lib/tor/hs1/  # main site\n"
           "HiddenServicePort 80 127.0.0.1:8080 # web\n")
    services = _services(tmp_path)
    assert set(services) == {"/var/lib/tor/hs1"}
    assert services["/var/lib/tor/hs1"]["configured_in"] == "/etc/tor/torrc"
    assert services["/var/lib/tor/hs1"]["ports"] == ["80 -> 127.0.0.1:8080"]


# -- %include: a file, a folder, a pattern -------------------------------------------------
def test_include_of_a_torrc_d_folder(tmp_path):
    shutil.copytree(V3_SAMPLE, tmp_path / "srv/onion/market")
    _write(tmp_path / "etc/tor/torrc", "SocksPort 0\n%include /etc/tor/torrc.d/\n")
    _write(tmp_path / "etc/tor/torrc.d/.hidden", "HiddenServiceDir /srv/onion/market\n")
    _write(tmp_path / "etc/tor/torrc.d/50-market.conf",
           "HiddenServiceDir /srv/onion/./market//\n"
           "HiddenServicePort 443 127.0.0.1:8443\nHiddenServicePort 80 8080\n"
           "HiddenServicePort 8000\n")
    result = run_extractor(TorExtractor(), tmp_path)
    (service,) = result.of_type("tor.onion_service")
    assert service.path == "/srv/onion/market"
    assert service.attributes["configured_in"] == "/etc/tor/torrc.d/50-market.conf"
    assert service.attributes["ports"] == ["443 -> 127.0.0.1:8443", "80 -> 127.0.0.1:8080",
                                           "8000 -> 127.0.0.1:8000"]
    roles = {f.attributes["role"] for f in result.of_type("tor.config")}
    assert "include" in roles


def test_include_with_a_pattern_and_a_relative_file(tmp_path):
    shutil.copytree(V3_SAMPLE, tmp_path / "srv/a")
    shutil.copytree(V2_SAMPLE, tmp_path / "srv/b")
    _write(tmp_path / "usr/local/etc/tor/torrc",
           '%include "services.inc"\n%include /usr/local/etc/tor/conf/*.conf\n')
    _write(tmp_path / "usr/local/etc/tor/services.inc",
           "HiddenServiceDir /srv/a\nHiddenServicePort 80 127.0.0.1:1\n")
    _write(tmp_path / "usr/local/etc/tor/conf/b.txt", "HiddenServiceDir /srv/b\n")
    _write(tmp_path / "usr/local/etc/tor/conf/b.conf",
           "HiddenServiceDir /srv/b\nHiddenServicePort 22\n")
    services = _services(tmp_path)
    assert services["/srv/a"]["configured_in"] == "/usr/local/etc/tor/services.inc"
    assert services["/srv/b"]["configured_in"] == "/usr/local/etc/tor/conf/b.conf"
    assert services["/srv/b"]["ports"] == ["22 -> 127.0.0.1:22"]


def test_settings_of_included_files_are_the_torrcs_own(tmp_path):
    shutil.copytree(V3_SAMPLE, tmp_path / "srv/hs6")
    _write(tmp_path / "etc/tor/torrc",
           "%include /etc/tor/conf\n%include /etc/tor/torrc\n%include /etc/hostname\n"
           "SocksPort 9050\n")
    bridge = "obfs4 198.51.100.7:443 AAAABBBBCCCCDDDDEEEEFFFF0000111122223333 cert=xyz iat-mode=0"
    _write(tmp_path / "etc/tor/conf/bridges.conf",
           f"UseBridges 1\nBridge {bridge}\nClientTransportPlugin obfs4 exec /usr/bin/obfs4proxy\n")
    # One block split over two files (tor reads them in lexical order, as one stream).
    _write(tmp_path / "etc/tor/conf/hs6a.conf", "HiddenServiceDir /srv/hs6\n")
    _write(tmp_path / "etc/tor/conf/hs6b.conf", "HiddenServicePort 81 127.0.0.1:6000\n")
    _write(tmp_path / "etc/tor/conf/loop.conf",
           "%include /etc/tor/conf\nHiddenServiceDir /srv/gone\nHiddenServicePort 22\n")
    result = run_extractor(TorExtractor(), tmp_path)
    (config,) = result.of_type("tor.config")
    attrs = config.attributes
    conf = "/etc/tor/conf/"
    assert attrs["included_files"] == [conf + name for name in
                                       ("bridges.conf", "hs6a.conf", "hs6b.conf", "loop.conf")]
    assert attrs["use_bridges"] is True and attrs["bridges"] == [bridge]
    assert attrs["transport_plugins"] == [{"transports": ["obfs4"], "mode": "exec",
                                           "command": "/usr/bin/obfs4proxy",
                                           "file": conf + "bridges.conf"}]
    assert attrs["socks_ports"] == ["9050"]
    assert ["UseBridges", "1", conf + "bridges.conf"] in attrs["directives"]
    assert ["SocksPort", "9050"] in attrs["directives"]
    assert [svc["dir"] for svc in attrs["hidden_services"]] == ["/srv/hs6", "/srv/gone"]
    # The loops (the torrc itself, the folder from loop.conf) are cut and said so.
    loops = [message for message, _ in result.warnings if "%include loop" in message]
    assert len(loops) == 2
    services = {f.path: f.attributes for f in result.of_type("tor.onion_service")}
    assert set(services) == {"/srv/hs6", "/srv/gone"}
    assert services["/srv/hs6"]["configured_in"] == conf + "hs6a.conf"
    assert services["/srv/hs6"]["ports"] == ["81 -> 127.0.0.1:6000"]
    assert services["/srv/gone"]["configured_in"] == conf + "loop.conf"
    assert services["/srv/gone"]["ports"] == ["22 -> 127.0.0.1:22"]


def test_service_of_an_included_torrc_d_file_is_reported_once(tmp_path):
    _write(tmp_path / "etc/tor/torrc", "%include /etc/tor/torrc.d/\n")
    _write(tmp_path / "etc/tor/torrc.d/50-old.conf",
           "HiddenServiceDir /var/lib/tor/old\nHiddenServicePort 22\n")
    result = run_extractor(TorExtractor(), tmp_path)
    (service,) = result.of_type("tor.onion_service")
    assert service.attributes["configured_in"] == "/etc/tor/torrc.d/50-old.conf"
    configs = {f.attributes["role"]: f.attributes for f in result.of_type("tor.config")}
    assert configs["config"]["hidden_service_dirs"] == ["/var/lib/tor/old"]
    assert configs["include"]["hidden_service_dirs"] == ["/var/lib/tor/old"]


def test_include_cycle_and_depth_are_bounded(tmp_path):
    shutil.copytree(V3_SAMPLE, tmp_path / "srv/deep")
    _write(tmp_path / "etc/tor/torrc", "%include /etc/tor/torrc\n%include /etc/tor/l0\n")
    for level in range(12):
        _write(tmp_path / f"etc/tor/l{level}", f"%include /etc/tor/l{level + 1}\n")
    _write(tmp_path / "etc/tor/l12", "HiddenServiceDir /srv/deep\n")
    ctx = LocalFolderContext(tmp_path)
    assert find_service_config(ctx, "/srv/deep") is None
    result = run_extractor(TorExtractor(), tmp_path)
    assert any("nested deeper" in message for message, _ in result.warnings)


# -- Tor Browser and relative paths --------------------------------------------------------
def test_tor_browser_torrc_with_a_windows_path(tmp_path):
    shutil.copytree(V3_SAMPLE, tmp_path / "Users/alice/Documents/Site")
    data = tmp_path / "Users/alice/Desktop/Tor Browser/Browser/TorBrowser/Data/Tor"
    # Written as the user typed it (NTFS ignores case); a final backslash would continue
    # the line in a torrc, so Windows users end folder paths without one.
    _write(data / "torrc", "DataDirectory C:\\Users\\alice\\Desktop\\Tor Browser\\Data\\Tor\n"
           "HiddenServiceDir C:\\users\\Alice\\documents\\SITE\nHiddenServicePort 80 127.0.0.1:80\n")
    services = _services(tmp_path)
    assert len(services) == 1
    attrs = services["/Users/alice/Documents/Site"]
    assert attrs["configured_in"] == (
        "/Users/alice/Desktop/Tor Browser/Browser/TorBrowser/Data/Tor/torrc")
    assert attrs["ports"] == ["80 -> 127.0.0.1:80"]


def test_relative_dir_in_an_ancestor_torrc(tmp_path):
    shutil.copytree(V2_SAMPLE, tmp_path / "opt/tor/data/hs")
    _write(tmp_path / "opt/tor/torrc", "HiddenServiceDir data/hs\nHiddenServicePort 80 [::1]:80\n")
    services = _services(tmp_path)
    assert services["/opt/tor/data/hs"]["configured_in"] == "/opt/tor/torrc"
    assert services["/opt/tor/data/hs"]["ports"] == ["80 -> [::1]:80"]



@pytest.mark.parametrize("base", ["", "projects/site"])
def test_relative_dir_in_an_ancestor_dot_torrc(tmp_path, base):
    # The tutorial layout: ``tor -f .torrc`` run in the project folder.
    shutil.copytree(V3_SAMPLE, tmp_path / base / "tor/hidden_service")
    _write(tmp_path / base / ".torrc",
           "HiddenServiceDir ./tor/hidden_service/\nHiddenServicePort 80 127.0.0.1:80\n")
    folder = f"/{base}/tor/hidden_service".replace("//", "/")
    attrs = _services(tmp_path)[folder]
    assert attrs["configured_in"] == f"/{base}/.torrc".replace("//", "/")
    assert attrs["ports"] == ["80 -> 127.0.0.1:80"]

# -- helpers, against the tor manual -------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("80", "80 -> 127.0.0.1:80"),
    ("80 8080", "80 -> 127.0.0.1:8080"),
    ("80 192.0.2.1:8080", "80 -> 192.0.2.1:8080"),
    ("80 unix:/run/site.sock", "80 -> unix:/run/site.sock"),
    ("", ""),
])
def test_describe_port(value, expected):
    assert describe_port(value) == expected


@pytest.mark.parametrize(("folder", "value", "expected"), [
    ("/etc/tor", "/var/lib/tor/hs/", ["/var/lib/tor/hs"]),
    ("/etc/tor", "/var/lib/tor/../tor/./hs//", ["/var/lib/tor/hs"]),
    ("/opt/tor", "hs", ["/opt/tor/hs"]),
    ("/x", "C:\\Users\\a\\hs\\", ["/Users/a/hs"]),
    # The evidence may be the Tor Browser folder: its torrc's folder names are found in
    # the drive path, which may be taken from there.
    ("/Browser/TorBrowser/Data/Tor", "E:\\Tor Browser\\Browser\\TorBrowser\\Data\\Tor\\hs",
     ["/Tor Browser/Browser/TorBrowser/Data/Tor/hs", "/Browser/TorBrowser/Data/Tor/hs"]),
    ("/Tor Browser/Browser/TorBrowser/Data/Tor",
     "E:\\Tor Browser\\Browser\\TorBrowser\\Data\\Tor\\hs",
     ["/Tor Browser/Browser/TorBrowser/Data/Tor/hs"]),
    ("/Data/Tor", "E:\\services\\hs", ["/services/hs"]),  # elsewhere on the drive
    ("/Tor", "E:\\tor\\hs", ["/tor/hs", "/Tor/hs"]),
    ("/x", "  ", []),
])
def test_service_dir_candidates(folder, value, expected):
    assert service_dir_candidates(folder, value) == expected
    chosen = service_dir_in_volume(folder, value, lambda path: path == expected[-1])
    assert chosen == (expected[-1] if expected else None)
    assert service_dir_in_volume(folder, value, lambda path: False) == (
        expected[0] if expected else None)


def test_a_name_shared_by_chance_does_not_move_a_service(tmp_path):
    """The audit's finding: a torrc in C:\\Tor naming a service under
    ...\\Roaming\\tor\\hidden_service was re-rooted to /Tor/hidden_service, which made a
    second, phantom service beside the real one."""
    real = tmp_path / "Users/bob/AppData/Roaming/tor/hidden_service"
    shutil.copytree(V3_SAMPLE, real)
    _write(tmp_path / "Tor/torrc",
           "HiddenServiceDir C:\\Users\\bob\\AppData\\Roaming\\tor\\hidden_service\n"
           "HiddenServicePort 80 127.0.0.1:8080\n")
    services = _services(tmp_path)
    assert list(services) == ["/Users/bob/AppData/Roaming/tor/hidden_service"]
    assert services["/Users/bob/AppData/Roaming/tor/hidden_service"]["has_private_key"]


def test_the_tor_browser_folder_alone_still_finds_its_service(tmp_path):
    data = tmp_path / "Browser/TorBrowser/Data/Tor"
    shutil.copytree(V3_SAMPLE, data / "hs")
    _write(data / "torrc", "HiddenServiceDir E:\\Tor Browser\\Browser\\TorBrowser\\Data"
           "\\Tor\\hs\nHiddenServicePort 80 127.0.0.1:80\n")
    services = _services(tmp_path)
    assert list(services) == ["/Browser/TorBrowser/Data/Tor/hs"]
    assert services["/Browser/TorBrowser/Data/Tor/hs"]["configured_in"] == (
        "/Browser/TorBrowser/Data/Tor/torrc")


# -- hostile configurations ----------------------------------------------------------------
class _DictContext:
    """A file system of a few torrc files held in a dict; counts the reads."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.reads = 0

    def warn(self, message: str, path: str | None = None) -> None:
        pass

    def listdir(self, path: str) -> list[FileView]:
        prefix = path.rstrip("/") + "/"
        names: dict[str, str] = {}
        for full in self.files:
            if full.startswith(prefix):
                head, _, rest = full[len(prefix):].partition("/")
                names[head] = "dir" if rest else "file"
        return [FileView(prefix + n, n, 1, kind) for n, kind in sorted(names.items())]

    def read(self, path: str, max_bytes: int = 1 << 20) -> bytes | None:
        self.reads += 1
        return self.files.get(path, None)

    def stat(self, path: str) -> FileView | None:
        if path in self.files:
            return FileView(path, path.rsplit("/", 1)[-1], 1)
        return FileView(path, "d", 0, "dir") if self.listdir(path) else None

    def cancelled(self) -> bool:
        return False


_NAMES = ["/etc/tor/torrc", "/etc/tor/torrc.d/a", "/etc/tor/torrc.d/b", "/etc/tor/x"]
_LINES = st.sampled_from([
    "%include /etc/tor/torrc", "%include /etc/tor/torrc.d", "%include /etc/tor/torrc.d/*",
    "%include x", "%include /etc/tor/x", "%include ../../../..", "%include \"\"",
    "HiddenServiceDir /srv/hs", "HiddenServiceDir /srv/other/", "HiddenServicePort 80",
    "HiddenServicePort", "HiddenServiceDir", "%include /etc/tor/torrc.d/[",
]) | st.text(max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(_NAMES), st.lists(_LINES, max_size=6), min_size=1))
def test_fuzz_find_service_config(contents):
    files = {path: "\n".join(lines).encode() for path, lines in contents.items()}
    ctx = _DictContext(files)
    found = find_service_config(ctx, "/srv/hs")
    assert ctx.reads <= MAX_TORRC_FILES
    if found is not None:
        assert found.torrc_path in files
        assert any(line.rstrip() == "HiddenServiceDir /srv/hs"
                   for line in files[found.torrc_path].decode("utf-8", "replace").splitlines())


# -- each torrc read once per scan ---------------------------------------------------------
def test_cache_reads_each_torrc_once_per_file_system():
    torrc = "".join(f"HiddenServiceDir /srv/s{n}\nHiddenServicePort {n}\n" for n in range(3))
    files = {"/etc/tor/torrc": torrc.encode(), "/etc/tor/torrc.d/a": b"SocksPort 0\n"}
    ctx, cache = _DictContext(dict(files)), TorrcCache()
    for n in range(40):
        found = find_service_config(ctx, f"/srv/s{n % 5}", cache)
        assert (found.ports if found else None) == (
            [f"{n % 5} -> 127.0.0.1:{n % 5}"] if n % 5 < 3 else None)
    assert ctx.reads == len(files)
    # Another file system with the same paths is read on its own.
    other = _DictContext({"/etc/tor/torrc": b"HiddenServiceDir /srv/s4\nHiddenServicePort 9\n"})
    assert find_service_config(other, "/srv/s4", cache).ports == ["9 -> 127.0.0.1:9"]
    assert find_service_config(ctx, "/srv/s4", cache) is None


def test_extractor_parses_the_torrc_once_for_all_services(tmp_path, monkeypatch):
    from triage.extractors.tor import service_config

    for n in range(12):
        shutil.copytree(V3_SAMPLE, tmp_path / f"srv/s{n}")
    _write(tmp_path / "etc/tor/torrc", "HiddenServiceDir /srv/s3\nHiddenServicePort 80\n")
    parsed: list[str] = []
    real = service_config.parse_torrc
    monkeypatch.setattr(service_config, "parse_torrc",
                        lambda data, path=None, reader=None: parsed.append(path) or real(data, path, reader))
    services = _services(tmp_path)
    assert services["/srv/s3"]["ports"] == ["80 -> 127.0.0.1:80"]
    assert sum(s["configured_in"] is None for s in services.values()) == 11
    assert parsed == ["/etc/tor/torrc"]
