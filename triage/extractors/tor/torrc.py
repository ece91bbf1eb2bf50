"""Parse a torrc (tor's configuration file) into its directives and the settings that matter.

Format (tor manual, "THE CONFIGURATION FILE FORMAT"): one ``Keyword value`` per line,
keywords case-insensitive, ``#`` starts a comment, a trailing backslash continues the
line, ``%include PATH`` pulls in another file or folder. Windows paths keep their
backslashes literally, so only a line-final backslash is special.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Upper bound on lines read from one torrc; real ones have a few hundred at most.
MAX_LINES = 100_000
#: Directives kept verbatim in the finding (the summary fields cover the important ones).
MAX_DIRECTIVES_KEPT = 500


@dataclass
class TorrcConfig:
    """What a torrc says: the raw directives plus a summary of the forensically relevant ones."""

    directives: list[tuple[str, str]] = field(default_factory=list)
    hidden_services: list[dict[str, Any]] = field(default_factory=list)
    bridges: list[str] = field(default_factory=list)
    use_bridges: bool | None = None
    transport_plugins: list[dict[str, Any]] = field(default_factory=list)
    socks_ports: list[str] = field(default_factory=list)
    control_ports: list[str] = field(default_factory=list)
    hashed_control_passwords: list[str] = field(default_factory=list)
    cookie_authentication: bool | None = None
    data_directory: str | None = None
    hidserv_auth: list[dict[str, str]] = field(default_factory=list)
    client_onion_auth_dir: str | None = None
    includes: list[str] = field(default_factory=list)
    relay: dict[str, str] = field(default_factory=dict)
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
            "relay": self.relay,
            "directive_count": len(self.directives),
            "directives": [[k, v] for k, v in self.directives[:MAX_DIRECTIVES_KEPT]],
        }


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join continuation lines and drop comments; return (first line number, line) pairs."""
    out: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines()[:MAX_LINES], start=1):
        line = raw.rstrip()
        if not pending:
            start = number
        stripped = line.lstrip()
        if stripped.startswith("#"):
            # A comment inside a continued line is skipped without ending the continuation.
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if full:
            out.append((start, full))
    if pending.strip():
        out.append((start, pending.strip()))
    return out


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        return inner.replace('\\"', '"').replace("\\\\", "\\")
    return value


def _as_bool(value: str) -> bool | None:
    head = value.split()[0] if value.split() else ""
    if head in ("1", "0"):
        return head == "1"
    return None


_RELAY_KEYS = {
    "orport": "or_port",
    "nickname": "nickname",
    "contactinfo": "contact_info",
    "exitrelay": "exit_relay",
    "exitpolicy": "exit_policy",
    "bridgerelay": "bridge_relay",
    "dirport": "dir_port",
}


def parse_torrc(data: bytes) -> TorrcConfig:
    """Parse torrc bytes; never raises, records problems in ``warnings``."""
    config = TorrcConfig()
    text = data.decode("utf-8", errors="replace")
    if "\x00" in text:
        config.warnings.append("torrc contains NUL bytes; read as far as it is text")
        text = text.replace("\x00", "\n")
    current_service: dict[str, Any] | None = None
    for number, line in _logical_lines(text):
        keyword, _, value = line.partition(" ")
        if "\t" in keyword:
            keyword, _, rest = keyword.partition("\t")
            value = rest + " " + value
        value = _unquote(value.strip())
        config.directives.append((keyword, value))
        key = keyword.lower()
        if key == "%include":
            config.includes.append(value)
        elif key == "hiddenservicedir":
            current_service = {"dir": value, "ports": [], "version": None, "line": number}
            config.hidden_services.append(current_service)
        elif key.startswith("hiddenservice") and current_service is not None:
            if key == "hiddenserviceport":
                current_service["ports"].append(value)
            elif key == "hiddenserviceversion":
                current_service["version"] = value
            else:
                current_service.setdefault("options", []).append([keyword, value])
        elif key.startswith("hiddenservice"):
            config.warnings.append(f"line {number}: {keyword} before any HiddenServiceDir")
        elif key == "bridge":
            config.bridges.append(value)
        elif key == "usebridges":
            config.use_bridges = _as_bool(value)
        elif key == "clienttransportplugin":
            names, _, command = value.partition(" ")
            mode, _, program = command.strip().partition(" ")
            config.transport_plugins.append(
                {"transports": names.split(","), "mode": mode, "command": program.strip()}
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
                {"onion": parts[0] if parts else "", "cookie": parts[1] if len(parts) > 1 else ""}
            )
        elif key == "clientonionauthdir":
            config.client_onion_auth_dir = value
        elif key in _RELAY_KEYS:
            config.relay[_RELAY_KEYS[key]] = value
    return config


def looks_like_torrc(data: bytes) -> bool:
    """Cheap check that text is a torrc: at least one known tor keyword starts a line."""
    head = data[:65536].lower()
    keywords = (
        b"socksport", b"controlport", b"datadirectory", b"hiddenservicedir", b"usebridges",
        b"clienttransportplugin", b"geoipfile", b"orport", b"avoiddiskwrites", b"%include",
        b"log ", b"cookieauthentication", b"bridge ", b"exitpolicy", b"runasdaemon", b"user ",
    )
    for line in head.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(keywords):
            return True
    return False
