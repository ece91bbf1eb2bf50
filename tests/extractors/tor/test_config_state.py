"""torrc and state parsers on tor's own sample files, the used Tor Browser and our samples."""

from __future__ import annotations

import re

import pytest

from tests.extractors.tor.conftest import DATA, TOR_BROWSER, TOR_SOURCE, corpus_path
from triage.extractors.tor.state import looks_like_state, parse_state
from triage.extractors.tor.torrc import MAX_INCLUDED_FILES, looks_like_torrc, parse_torrc


def _active_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_large_torrc_from_tor_tests():
    path = corpus_path(TOR_SOURCE / "src" / "test" / "conf_examples" / "large_1" / "torrc")
    text = path.read_text()
    config = parse_torrc(text.encode())
    assert len(config.directives) == len(_active_lines(text))
    assert config.socks_ports == ["9099"] and config.control_ports == ["9058"]
    assert config.data_directory == "/data/dir"
    assert config.bridges == ["128.66.1.10:80"]
    assert config.cookie_authentication is True
    assert config.relay["nickname"] == "nickname"


def test_sample_torrc_is_all_comments():
    path = corpus_path(TOR_SOURCE / "src" / "config" / "torrc.sample.in")
    config = parse_torrc(path.read_bytes())
    assert config.directives == []
    assert looks_like_torrc(path.read_bytes()) is False


def test_include_directive():
    path = corpus_path(TOR_SOURCE / "src" / "test" / "conf_examples" / "include_1" / "torrc")
    assert parse_torrc(path.read_bytes()).includes == ["included.inc"]


def test_tor_browser_torrc_defaults_transports():
    path = corpus_path(TOR_BROWSER / "Browser" / "TorBrowser" / "Data" / "Tor" / "torrc-defaults")
    config = parse_torrc(path.read_bytes())
    names = [name for plugin in config.transport_plugins for name in plugin["transports"]]
    expected = []
    for line in path.read_text().splitlines():
        if line.startswith("ClientTransportPlugin "):
            expected += line.split()[1].split(",")
    assert names == expected and "obfs4" in names and "meek" in names


def test_server_torrc_hidden_services():
    config = parse_torrc((DATA / "server" / "etc" / "tor" / "torrc").read_bytes())
    dirs = [svc["dir"] for svc in config.hidden_services]
    assert dirs == ["/var/lib/tor/market_v3/", "/var/lib/tor/legacy_v2/",
                    "/var/lib/tor/removed_service/"]
    assert config.hidden_services[0]["ports"] == ["80 127.0.0.1:8080"]
    assert config.hidden_services[1]["version"] == "2"
    assert config.use_bridges is True and config.bridges[0].startswith("obfs4 192.0.2.10:443")
    assert config.hashed_control_passwords[0].startswith("16:")


def test_continuation_and_quotes():
    config = parse_torrc(b'SocksPort \\\n 9150\n# c\nDataDirectory "C:\\\\Tor Data"\nHiddenServicePort 80\n')
    assert config.socks_ports == ["9150"]
    assert config.data_directory == "C:\\Tor Data"
    assert config.warnings and "before any HiddenServiceDir" in config.warnings[0]


# torrc_format.txt, "4.1. Syntax examples": (text, key, value).
@pytest.mark.parametrize(("text", "key", "value"), [
    ("Foo Bar\n", "Foo", "Bar"),
    ("Foo    Bar    Baz    \n", "Foo", "Bar    Baz"),
    ("Hello\\\nWorld\n", "Hello", "World"),
    ("Hello World   #today\n", "Hello", "World"),
    ("Hello World#tomorrow\n", "Hello", "World"),
    ('Hello "World!"\n', "Hello", "World!"),
    ('Hello "\\"World\\"\\nand\\nuniverse"\n', "Hello", '"World"\nand\nuniverse'),
    ("Hello\\\nWorld\\\nand\\\nfriends\n", "Hello", "Worldandfriends"),
    ("Bridge\tobfs4 192.0.2.1:443  # home\n", "Bridge", "obfs4 192.0.2.1:443"),
    ("Key   # nothing\n", "Key", ""),
])
def test_torrc_format_examples(text, key, value):
    assert parse_torrc(text.encode()).directives == [(key, value)]


def test_comments_inside_a_continued_value_are_skipped():
    # torrc_format.txt: a comment does not end a continued entry, with or without a
    # backslash after it; the two spellings are the same entry.
    with_backslashes = "This entry \\\n # has comments \\\n and some \\\n are # generally \\\n silly\n"
    without = "This entry \\\n # has comments\n and some \\\n are # generally\n silly\n"
    first = parse_torrc(with_backslashes.encode()).directives
    assert first == parse_torrc(without.encode()).directives
    ((key, value),) = first
    assert key == "This" and value.split() == ["entry", "and", "some", "are", "silly"]
    assert value.endswith("are  silly")
    # A blank line ends a continuation.
    assert parse_torrc(b"SocksPort 9050\\\n\nControlPort 9051\n").socks_ports == ["9050"]


def test_quoted_values_decode_c_escapes():
    config = parse_torrc(b'HiddenServiceDir "/srv/my hs" # web\n'
                         b'DataDirectory "/d/\\x68\\151\\\\\\t\\\'x\\""\n'
                         b'ControlPort "9051\\q"\n')
    assert config.hidden_services[0]["dir"] == "/srv/my hs"
    assert config.data_directory == "/d/hi\\\t\'x\""
    assert any("bad escape" in warning for warning in config.warnings)


def test_flags_before_a_keyword():
    config = parse_torrc(b"+Bridge obfs4 192.0.2.1:443 FP cert=x\n/SocksPort\n+SocksPort 9150\n")
    assert config.bridges == ["obfs4 192.0.2.1:443 FP cert=x"]
    assert config.socks_ports == ["9150"]
    # The raw directives keep the keys as written.
    assert [key for key, _ in config.directives] == ["+Bridge", "/SocksPort", "+SocksPort"]


def test_comments_do_not_leak_into_values():
    config = parse_torrc(b"HiddenServiceDir /var/lib/tor/hs1/  # main site\n"
                         b"HiddenServicePort 80 127.0.0.1:8080 # web\n"
                         b"Bridge obfs4 192.0.2.1:443 FP cert=x iat-mode=0 # office\n"
                         b"SocksPort 9050 # local only\n")
    assert config.hidden_services == [{"dir": "/var/lib/tor/hs1/", "ports": ["80 127.0.0.1:8080"],
                                       "version": None, "line": 1}]
    assert config.bridges == ["obfs4 192.0.2.1:443 FP cert=x iat-mode=0"]
    assert config.socks_ports == ["9050"]


@pytest.mark.parametrize("text", [
    b"ExitNodes {us},{de}\nExcludeNodes {ru}\nStrictNodes 1\n",
    b"HashedControlPassword 16:872860B76453A77D60CA2BB8C1A7042072093276A3D701AD684053EC4C\n",
    b"Socks5Proxy 192.0.2.1:1080\n",
    b"HTTPSProxy proxy.example:443\n",
    b"ReachableAddresses *:80,*:443\n",
    b"Sandbox 1\n",
    b"ClientOnly 1\n",
    b"Bridge\tobfs4 192.0.2.1:443 0123456789ABCDEF0123456789ABCDEF01234567 cert=x\n",
    b"  +bridge obfs4 192.0.2.1:443\n",
    b"# written by hand\nUser debian-tor\nLog notice file /var/log/tor/notices.log\n",
    b"HidServAuth abcdefghijklmnop.onion xyz\n",  # an option removed from tor since
])
def test_torrcs_recognised_by_tor_option_names(text):
    assert looks_like_torrc(text)


@pytest.mark.parametrize("text", [
    b"",
    b"# only a comment\n",
    b"Hello world\nnothing to see\n",
    b"User guide\nThis is a note about my day.\nIt was long.\n",
    b"socksport=9050\n",
    b"l notice stderr\n",
])
def test_other_text_is_not_a_torrc(text):
    assert not looks_like_torrc(text)


def test_global_hidden_service_options_are_settings_of_the_config():
    config = parse_torrc(b"HiddenServiceNonAnonymousMode 1\nHiddenServiceSingleHopMode 1\n"
                         b"HiddenServiceDir /var/lib/tor/hs\nHiddenServicePort 80\n"
                         b"HiddenServiceStatistics 0\n")
    assert config.warnings == []
    assert config.hidden_services == [{"dir": "/var/lib/tor/hs", "ports": ["80"],
                                       "version": None, "line": 3}]
    attributes = config.attributes()
    assert attributes["hidden_service_non_anonymous_mode"] is True
    assert attributes["hidden_service_single_hop_mode"] is True
    assert attributes["hidden_service_statistics"] is False
    assert parse_torrc(b"SocksPort 0\n").attributes()["hidden_service_non_anonymous_mode"] is None


def test_included_files_are_bounded():
    files = {f"/etc/tor/d/{n:03}": f"Bridge 192.0.2.{n}:443\n".encode() for n in range(100)}

    def read(torrc_path, value):
        return sorted(files.items()) if value == "/etc/tor/d" else []

    config = parse_torrc(b"%include /etc/tor/d\n", "/etc/tor/torrc", read)
    assert len(config.included_files) == len(config.bridges) == MAX_INCLUDED_FILES
    assert any("too many included files" in warning for warning in config.warnings)
    # Without a path or a reader, %include is only recorded.
    assert parse_torrc(b"%include /etc/tor/d\n").included_files == []


def test_tor_browser_state_against_the_file():
    path = corpus_path(TOR_BROWSER / "Browser" / "TorBrowser" / "Data" / "Tor" / "state")
    text = path.read_text()
    state = parse_state(text.encode())
    assert looks_like_state(text.encode())
    assert state.tor_version == re.search(r"^TorVersion Tor (\S+)", text, re.M).group(1) == "0.3.5.8"
    written = re.search(r"^LastWritten (\S+) (\S+)", text, re.M)
    assert state.last_written == f"{written.group(1)}T{written.group(2)}Z" == "2019-06-06T17:17:19Z"
    guard_lines = [line for line in text.splitlines() if line.startswith("Guard ")]
    assert len(state.guards) == len(guard_lines) == 26
    first = state.guards[0]
    assert first["nickname"] == "martasy"
    assert first["fingerprint"] == "50B7F45654D71527E16527CC3DEF87500188FF8D"
    assert first["sampled_on"] == "2019-02-18T16:48:23Z" and first["listed"] is False
    assert state.utc_offset_minutes == 0
    assert state.total_build_times == 685


def test_old_format_state_sample(expected):
    state = parse_state((DATA / "server" / "var" / "lib" / "tor" / "state").read_bytes())
    want = expected["server_state"]
    assert state.tor_version == want["tor_version"]
    assert state.last_written == want["last_written"]
    assert state.utc_offset_minutes == want["utc_offset_minutes"]
    assert len(state.guards) == want["guards"]
    assert state.guards[0]["chosen_on"] == "2016-02-10T08:00:00Z"
    assert state.guards[1]["down_since"] == "2016-02-28T10:00:00Z"
    assert state.bandwidth["Read"]["total_bytes"] == want["read_total"]
    assert state.transport_proxies == ["obfs4 127.0.0.1:40001"]
    assert state.minutes_since_user_activity == 42 and state.dormant == "0"
    assert state.hs_rev_counters == 1


def test_state_written_by_tor_itself(tmp_path):
    """A state file freshly written by the tor binary, when it is installed."""
    import shutil
    import subprocess
    import time

    import pytest

    if shutil.which("tor") is None:
        pytest.skip("tor binary absent")
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    proc = subprocess.Popen(
        ["tor", "--RunAsDaemon", "0", "--DataDirectory", str(data_dir), "--SocksPort", "0",
         "--DisableNetwork", "1", "--Log", "err stderr"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.5)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    raw = (data_dir / "state").read_bytes()
    version = subprocess.run(["tor", "--version"], capture_output=True, text=True).stdout
    state = parse_state(raw)
    assert state.tor_version and state.tor_version in version
    assert state.last_written is not None and state.utc_offset_minutes is not None


def test_not_a_state_file():
    state = parse_state(b"random words\nnothing here\n")
    assert not state.recognised and state.warnings
    assert not looks_like_state(b"[state]\nfoo=bar\n")


def test_guard_times_are_not_presented_as_when_the_guard_was_added():
    """tor writes sampled_on and confirmed_on randomised up to GUARD_LIFETIME/10 earlier
    (the 2019 Tor Browser's UseMoaBandwidth: confirmed three days before sampled)."""
    raw = (b"TorVersion Tor 0.3.5.8\n"
           b"Guard in=default rsa_id=5B2E6B1C1C4C2B1D0E7E3C0B8D1F0A2E3C4D5E6F "
           b"nickname=UseMoaBandwidth sampled_on=2019-02-25T10:15:11 sampled_idx=7 "
           b"sampled_by=0.3.5.8 listed=1 confirmed_on=2019-02-22T22:25:23 confirmed_idx=2\n")
    state = parse_state(raw)
    (guard,) = state.guards
    assert "added" not in guard
    assert guard["sampled_on"] == "2019-02-25T10:15:11Z"
    assert guard["confirmed_on"] == "2019-02-22T22:25:23Z"
    assert (guard["sampled_idx"], guard["confirmed_idx"]) == (7, 2)
    note = state.attributes()["guard_times_note"]
    assert "GUARD_LIFETIME/10" in note and "12 days" in note
    assert parse_state(b"TorVersion Tor 0.4.8.9\n").attributes()["guard_times_note"] is None


def test_a_backslash_that_swallows_the_next_option_is_warned_about():
    """A Windows path ending in a backslash continues the line, as tor reads it: the
    HiddenServicePort line becomes part of the directory. Read as tor does, but said."""
    config = parse_torrc(b"HiddenServiceDir C:\\Users\\jdoe\\hs\\\r\n"
                         b"HiddenServicePort 80 127.0.0.1:80\r\n")
    assert config.hidden_services[0]["dir"] == "C:\\Users\\jdoe\\hsHiddenServicePort 80 127.0.0.1:80"
    assert config.warnings == [
        "line 1: HiddenServiceDir: a line-final backslash joined the next line"
        " (HiddenServicePort ...) to this value, as tor reads it; a path ending in a backslash?"]
    # A continuation meant as one (a long ExcludeNodes list) is no problem.
    assert parse_torrc(b"ExcludeNodes {us},\\\n  {ru}\n").warnings == []
