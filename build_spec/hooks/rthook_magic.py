"""PyInstaller runtime hook: make python-magic load the bundled libmagic and database.

python-magic finds libmagic with ``ctypes.util.find_library("magic")`` when it is first
imported; PyInstaller cannot see that dependency, so the spec bundles the library and
``magic.mgc`` explicitly and this hook (run before the application) answers that lookup
with the bundled file. ``MAGIC`` names the bundled database for any ``magic.Magic()``
created without an explicit ``magic_file``; the compiled-in default path points at the
build machine.
"""

import ctypes.util
import os
import sys

_BUNDLE = getattr(sys, "_MEIPASS", None)
# The library names python-magic asks find_library for, per platform.
_MAGIC_NAMES = frozenset({"magic", "magic1", "libmagic", "libmagic-1", "cygmagic-1", "msys-magic-1"})
# File names the spec may have bundled the library under.
_BUNDLED_FILES = ("libmagic.so.1", "libmagic.1.dylib", "libmagic.dylib", "libmagic-1.dll",
                  "magic1.dll", "libmagic.dll")


def _bundled_library() -> str | None:
    for name in _BUNDLED_FILES:
        candidate = os.path.join(_BUNDLE, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def _install() -> None:
    if not _BUNDLE:
        return
    database = os.path.join(_BUNDLE, "resources", "magic", "magic.mgc")
    if os.path.isfile(database):
        os.environ["MAGIC"] = database
    library = _bundled_library()
    if library is None:
        return
    original = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        if name in _MAGIC_NAMES:
            return library
        return original(name)

    ctypes.util.find_library = find_library


_install()
