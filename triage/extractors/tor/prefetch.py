"""Windows prefetch files (``TOR.EXE-*.pf``, ``FIREFOX.EXE-*.pf``): when a program ran.

libscca-python (``pyscca``) reads every version, including Windows 10/11's
MAM-compressed files. Without it, the uncompressed formats (version 17 XP/2003,
23 Vista/7, 26 Windows 8.1, 30 early Windows 10 when stored uncompressed) are read from
the documented header fields; compressed ones are reported as unreadable.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

try:
    import pyscca
except ImportError:  # pragma: no cover - depends on the optional libscca-python
    pyscca = None

SCCA_SIGNATURE = b"SCCA"
MAM_SIGNATURE = b"MAM\x04"
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
MAX_FILENAMES = 10_000
#: Version -> (offset of the last-run FILETIMEs, how many, offset of the run count).
_LAYOUTS = {17: (120, 1, 144), 23: (128, 1, 152), 26: (128, 8, 208), 30: (128, 8, 208)}
_TOR_BROWSER_MARKERS = ("\\TOR BROWSER\\", "\\TORBROWSER\\", "\\TOR-BROWSER", "TOR BROWSER.APP")


@dataclass
class PrefetchInfo:
    """What a prefetch file tells about one program's runs."""

    executable: str | None = None
    prefetch_hash: str | None = None
    format_version: int | None = None
    compressed: bool = False
    run_count: int | None = None
    last_run_times: list[str] = field(default_factory=list)
    filenames: list[str] = field(default_factory=list)
    volumes: list[dict[str, Any]] = field(default_factory=list)
    parser: str | None = None
    warnings: list[str] = field(default_factory=list)

    def executable_path(self) -> str | None:
        """The loaded-file entry that is the executable itself, when listed."""
        if not self.executable:
            return None
        suffix = "\\" + self.executable.upper()
        for name in self.filenames:
            if name.upper().endswith(suffix):
                return name
        return None

    def tor_browser_paths(self) -> list[str]:
        """Loaded-file entries that lie inside a Tor Browser folder."""
        return [n for n in self.filenames if any(m in n.upper() for m in _TOR_BROWSER_MARKERS)]

    def attributes(self) -> dict[str, Any]:
        """Return the finding attributes for ``tor.execution``."""
        return {
            "executable": self.executable,
            "executable_path": self.executable_path(),
            "run_count": self.run_count,
            "last_run": self.last_run_times[0] if self.last_run_times else None,
            "last_run_times": self.last_run_times,
            "prefetch_hash": self.prefetch_hash,
            "format_version": self.format_version,
            "compressed": self.compressed,
            "tor_browser_paths": self.tor_browser_paths()[:20],
            "volumes": self.volumes,
            "parser": self.parser,
        }


def filetime_to_iso(value: int) -> str | None:
    """Return a Windows FILETIME (100 ns ticks since 1601) as ISO 8601 UTC, None for 0/bad."""
    if value <= 0:
        return None
    try:
        return (_FILETIME_EPOCH + timedelta(microseconds=value // 10)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    except OverflowError:
        return None


def _read_utf16_strings(blob: bytes) -> list[str]:
    names: list[str] = []
    for chunk in blob.decode("utf-16-le", errors="replace").split("\x00"):
        if chunk:
            names.append(chunk)
        if len(names) >= MAX_FILENAMES:
            break
    return names


def parse_uncompressed(data: bytes) -> PrefetchInfo:
    """Read an uncompressed prefetch file's header fields; never raises."""
    info = PrefetchInfo(parser="builtin")
    if len(data) < 84 or data[4:8] != SCCA_SIGNATURE:
        info.warnings.append("not an uncompressed prefetch file (no SCCA signature)")
        return info
    version = struct.unpack_from("<I", data, 0)[0]
    info.format_version = version
    info.executable = data[16:76].decode("utf-16-le", errors="replace").split("\x00")[0] or None
    info.prefetch_hash = f"{struct.unpack_from('<I', data, 76)[0]:08X}"
    layout = _LAYOUTS.get(version)
    if layout is None:
        info.warnings.append(f"prefetch format version {version} is not known")
        return info
    times_at, time_count, count_at = layout
    if len(data) < count_at + 4:
        info.warnings.append("prefetch header is truncated")
        return info
    for index in range(time_count):
        (ticks,) = struct.unpack_from("<Q", data, times_at + 8 * index)
        stamp = filetime_to_iso(ticks)
        if stamp:
            info.last_run_times.append(stamp)
    info.run_count = struct.unpack_from("<I", data, count_at)[0]
    strings_offset, strings_size = struct.unpack_from("<II", data, 100)
    if 0 < strings_offset < len(data):
        end = min(len(data), strings_offset + strings_size)
        info.filenames = _read_utf16_strings(data[strings_offset:end])
    return info


def _parse_with_pyscca(data: bytes) -> PrefetchInfo:
    info = PrefetchInfo(parser="libscca", compressed=data.startswith(MAM_SIGNATURE))
    handle = pyscca.file()
    handle.open_file_object(io.BytesIO(data))
    try:
        info.format_version = handle.format_version
        info.executable = handle.executable_filename
        info.prefetch_hash = f"{handle.prefetch_hash:08X}"
        info.run_count = handle.run_count
        for index in range(8):
            try:
                ticks = handle.get_last_run_time_as_integer(index)
            except (OSError, IndexError):
                break
            stamp = filetime_to_iso(ticks or 0)
            if stamp:
                info.last_run_times.append(stamp)
        for index in range(min(handle.number_of_filenames, MAX_FILENAMES)):
            info.filenames.append(handle.get_filename(index))
        for index in range(min(handle.number_of_volumes, 32)):
            volume = handle.get_volume_information(index)
            info.volumes.append(
                {
                    "device_path": volume.device_path,
                    "serial_number": f"{volume.serial_number:08X}",
                    "created": filetime_to_iso(volume.get_creation_time_as_integer()),
                }
            )
    finally:
        handle.close()
    return info


def parse_prefetch(data: bytes) -> PrefetchInfo:
    """Parse a prefetch file with libscca when available, else the built-in reader."""
    if pyscca is not None:
        try:
            return _parse_with_pyscca(data)
        except (OSError, ValueError, TypeError, OverflowError) as error:
            fallback = parse_uncompressed(data) if data[4:8] == SCCA_SIGNATURE else None
            if fallback is not None:
                fallback.warnings.insert(0, f"libscca could not read the prefetch file: {error}")
                return fallback
            info = PrefetchInfo(parser="libscca", compressed=data.startswith(MAM_SIGNATURE))
            info.warnings.append(f"libscca could not read the prefetch file: {error}")
            return info
    if data.startswith(MAM_SIGNATURE):
        info = PrefetchInfo(compressed=True)
        info.warnings.append(
            "compressed (Windows 10+) prefetch file needs libscca-python, which is not installed"
        )
        return info
    return parse_uncompressed(data)
