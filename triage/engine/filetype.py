"""Content typing with libmagic and the extension-versus-content mismatch rules.

:class:`FileTyper` wraps python-magic for one thread (libmagic cookies are not safe to
share between threads). :func:`extension_mismatch` decides whether a detected MIME type
contradicts a file's extension in a way an examiner cares about: an image, archive,
database, executable, document or audio/video file stored under an extension that
belongs to another family (a JPEG named ``.dll``). Containers that legitimately share a
format (Office files as zip, Android packages as zip, Thumbs.db as OLE2), text under any
extension and catch-all extensions (``.tmp``, ``.dat``, ``.bin``) never fire.
"""

from __future__ import annotations

import functools
import re

import magic

from triage.engine.magic_setup import magic_file as bundled_magic_file
from triage.engine.magic_split import SplitMagic, open_magic

#: What libmagic reports when it cannot type the content (or fails).
UNKNOWN_MIME = "application/octet-stream"
UNKNOWN_DESCRIPTION = "data"

#: Bytes of a file's start that libmagic (and the plain-text fast path) look at.
HEAD_SIZE = 16384

IMAGE = "image"
ARCHIVE = "archive"
DATABASE = "database"
EXECUTABLE = "executable"
DOCUMENT = "document"
MEDIA = "audio/video"
TEXT = "text"

_EXTENSION_FAMILIES: dict[str, frozenset[str]] = {
    IMAGE: frozenset(
        "jpg jpeg jpe jfif thm png apng gif bmp dib tif tiff webp heic heif avif ico cur "
        "psd jp2 j2k jxl cr2 cr3 nef nrw arw srf sr2 dng orf rw2 raf pef srw x3f tga pcx".split()
    ),
    ARCHIVE: frozenset(
        "zip 7z rar gz tgz bz2 tbz tbz2 xz txz lz lzma zst tar cab iso arj cpio z".split()
    ),
    DATABASE: frozenset("sqlite sqlite3 sqlitedb db db3 s3db sl3 mdb accdb edb kdbx".split()),
    EXECUTABLE: frozenset(
        "exe dll sys ocx scr cpl drv efi com mui ax acm tsp pyd msi msp so dylib elf".split()
    ),
    DOCUMENT: frozenset(
        "pdf ai doc docx docm dot dotx xls xlsx xlsm xlsb xlt xltx ppt pptx pptm pps ppsx pot "
        "potx odt ods odp odg ott ots otp rtf epub xps oxps pub vsd vsdx one msg".split()
    ),
    MEDIA: frozenset(
        "mp3 mp4 m4a m4v m4b mov qt avi mkv mka webm wav flac ogg oga ogv opus wma wmv asf 3gp "
        "3g2 mpg mpeg mpe vob ts mts m2ts aac aif aiff amr mid midi flv".split()
    ),
    TEXT: frozenset(
        "txt text log ini cfg conf csv tsv md json xml html htm css js yaml yml".split()
    ),
}

#: Catch-all extensions: anything may live under them.
_HARMLESS_EXTENSIONS = frozenset(
    "tmp temp dat bin bak old part partial crdownload download cache blob raw".split()
)

_MIME_FAMILIES_EXACT: dict[str, str] = {
    "application/zip": ARCHIVE,
    "application/x-zip-compressed": ARCHIVE,
    "application/x-7z-compressed": ARCHIVE,
    "application/x-rar": ARCHIVE,
    "application/x-rar-compressed": ARCHIVE,
    "application/vnd.rar": ARCHIVE,
    "application/gzip": ARCHIVE,
    "application/x-gzip": ARCHIVE,
    "application/x-bzip2": ARCHIVE,
    "application/x-xz": ARCHIVE,
    "application/x-lzma": ARCHIVE,
    "application/x-lzip": ARCHIVE,
    "application/zstd": ARCHIVE,
    "application/x-zstd": ARCHIVE,
    "application/x-tar": ARCHIVE,
    "application/x-gtar": ARCHIVE,
    "application/x-cpio": ARCHIVE,
    "application/x-arj": ARCHIVE,
    "application/x-compress": ARCHIVE,
    "application/vnd.ms-cab-compressed": ARCHIVE,
    "application/x-iso9660-image": ARCHIVE,
    "application/java-archive": ARCHIVE,
    "application/vnd.android.package-archive": ARCHIVE,
    "application/x-chrome-extension": ARCHIVE,
    "application/x-xpinstall": ARCHIVE,
    "application/vnd.sqlite3": DATABASE,
    "application/x-sqlite3": DATABASE,
    "application/x-msaccess": DATABASE,
    "application/x-ms-ese": DATABASE,
    "application/x-dosexec": EXECUTABLE,
    "application/x-msdownload": EXECUTABLE,
    "application/vnd.microsoft.portable-executable": EXECUTABLE,
    "application/x-executable": EXECUTABLE,
    "application/x-sharedlib": EXECUTABLE,
    "application/x-pie-executable": EXECUTABLE,
    "application/x-mach-binary": EXECUTABLE,
    "application/x-elf": EXECUTABLE,
    "application/x-msi": EXECUTABLE,
    "application/x-ms-installer": EXECUTABLE,
    "application/pdf": DOCUMENT,
    "application/msword": DOCUMENT,
    "application/vnd.ms-excel": DOCUMENT,
    "application/vnd.ms-powerpoint": DOCUMENT,
    "application/vnd.ms-outlook": DOCUMENT,
    "application/vnd.ms-publisher": DOCUMENT,
    "application/vnd.visio": DOCUMENT,
    "application/x-ole-storage": DOCUMENT,
    "application/cdfv2": DOCUMENT,
    "application/epub+zip": DOCUMENT,
    "application/vnd.ms-xpsdocument": DOCUMENT,
    "application/oxps": DOCUMENT,
    "application/ogg": MEDIA,
}

_MIME_FAMILY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("image/", IMAGE),
    ("audio/", MEDIA),
    ("video/", MEDIA),
    ("application/vnd.openxmlformats-officedocument.", DOCUMENT),
    ("application/vnd.oasis.opendocument.", DOCUMENT),
    ("application/vnd.ms-word", DOCUMENT),
    ("application/vnd.ms-excel", DOCUMENT),
    ("application/vnd.ms-powerpoint", DOCUMENT),
)

#: Extensions of zip-based formats (besides the document and archive families).
_ZIP_CONTAINER_EXTENSIONS = frozenset(
    "jar war ear aar apk xapk aab ipa xpi crx whl egg nupkg vsix appx appxbundle msix "
    "msixbundle kmz ora 3mf sketch xmind odb cbz usdz".split()
)
#: Extensions of OLE2 (Compound File) based formats besides documents and databases.
_OLE2_CONTAINER_EXTENSIONS = frozenset("msi msp mst msm oft mpp vsd xlsb suo".split())
#: Documents that are ZIP packages (Office Open XML, OpenDocument, EPUB, XPS): a ZIP
#: under one of these is normal, under .pdf, .doc or .rtf it is not.
_ZIP_DOCUMENT_EXTENSIONS = frozenset(
    "docx docm dotx dotm xlsx xlsm xltx xltm xlsb xlam pptx pptm ppsx ppsm potx potm "
    "odt ods odp odg odf odc ott ots otp otg epub xps oxps vsdx vsdm".split()
)
#: Documents that are OLE2 compound files, and Office Open XML ones, which Office
#: stores as an OLE2 file when a password encrypts them.
_OLE2_DOCUMENT_EXTENSIONS = frozenset(
    "doc dot xls xlt xla ppt pps pot pub vsd msg".split()
) | _ZIP_DOCUMENT_EXTENSIONS
#: Extensions under which gzip data is normal.
_GZIP_CONTAINER_EXTENSIONS = frozenset("svgz emz wmz".split())
#: Extensions under which a PDF is normal besides the document family.
_PDF_CONTAINER_EXTENSIONS = frozenset("ai ait".split())
#: ISO base media files (MP4, QuickTime) hold still images too (HEIF, AVIF, Canon CR3).
_ISOBMFF_IMAGE_EXTENSIONS = frozenset("heic heif avif cr3".split())

_ZIP_MIMES = frozenset({"application/zip", "application/x-zip-compressed"})
_OLE2_MIMES = frozenset({"application/x-ole-storage", "application/cdfv2"})


def family_of_extension(extension: str) -> str | None:
    """Return the family an extension promises (None for unknown extensions)."""
    ext = extension.lower().lstrip(".")
    for family, extensions in _EXTENSION_FAMILIES.items():
        if ext in extensions:
            return family
    return None


@functools.lru_cache(maxsize=4096)
def family_of_mime(mime: str) -> str | None:
    """Return the family of a detected MIME type (None for text, unknown or empty)."""
    mime = (mime or "").split(";", 1)[0].strip().lower()
    if mime in _MIME_FAMILIES_EXACT:
        return _MIME_FAMILIES_EXACT[mime]
    if mime.endswith(("+xml", "+json")):
        return None
    for prefix, family in _MIME_FAMILY_PREFIXES:
        if mime.startswith(prefix):
            return family
    return None


def _compatible(ext: str, expected: str, mime: str, detected: str) -> bool:
    """True when the content legitimately lives under this extension despite the families."""
    is_zip_based = (
        mime in _ZIP_MIMES
        or mime.startswith(
            (
                "application/vnd.openxmlformats-officedocument.",
                "application/vnd.oasis.opendocument.",
            )
        )
        or mime
        in (
            "application/epub+zip",
            "application/java-archive",
            "application/vnd.android.package-archive",
        )
    )
    if is_zip_based and (expected == ARCHIVE or ext in _ZIP_DOCUMENT_EXTENSIONS
                         or ext in _ZIP_CONTAINER_EXTENSIONS):
        return True
    if mime in _OLE2_MIMES or mime in ("application/x-msi", "application/x-ms-installer"):
        # Thumbs.db and other OLE2 stores live under database names.
        if (expected == DATABASE or ext in _OLE2_DOCUMENT_EXTENSIONS
                or ext in _OLE2_CONTAINER_EXTENSIONS):
            return True
    if detected == ARCHIVE and ext in _GZIP_CONTAINER_EXTENSIONS:
        return True
    if mime == "application/pdf" and ext in _PDF_CONTAINER_EXTENSIONS:
        return True
    if detected == MEDIA and ext in _ISOBMFF_IMAGE_EXTENSIONS:
        return True
    if (
        detected == IMAGE
        and expected == MEDIA
        and mime in ("image/heic", "image/heif", "image/avif")
    ):
        # An ISO media movie sometimes types as its first still-image brand.
        return True
    return False


@functools.lru_cache(maxsize=8192)
def extension_mismatch(extension: str, mime: str) -> bool:
    """True when ``mime`` contradicts ``extension`` in a way an examiner cares about.

    ``extension`` is given with or without the leading dot. Files without an extension,
    unknown extensions, catch-all extensions (``.tmp``, ``.dat``, ``.bin``, ...), text,
    empty and untyped content never fire.
    """
    ext = (extension or "").lower().lstrip(".")
    if not ext or ext in _HARMLESS_EXTENSIONS:
        return False
    mime = (mime or "").split(";", 1)[0].strip().lower()
    detected = family_of_mime(mime)
    expected = family_of_extension(ext)
    if detected is None or expected is None or detected == expected:
        return False
    return not _compatible(ext, expected, mime, detected)


# Plain prose goes through the fast path only when none of these occur: markup and code
# characters anywhere, and mail, armour, script and code markers at a line start, which
# libmagic's soft magic tells apart from prose. Checked with bytes.find and translate,
# which run at memory speed where a regular expression would crawl.
_MARKUP_BYTES = (b"<", b">", b"{", b"}", b"[", b"]", b"\\")
_LINE_START_MARKERS = (
    *(bytes([c]) for c in b"#%@$;!=./\"'-"),
    b"from:", b"return-path", b"received:", b"mime-version", b"subject:", b"date:",
    b"message-id", b"begin:", b"import ", b"package ", b"def ", b"class ", b"function",
    b"var ", b"const ", b"using ", b"export ", b"module ", b"program ", b"procedure ",
    b"begin", b"select ", b"insert ", b"create ", b"update ",
)
# Starting with a literal newline lets the regex engine jump from line to line.
_LINE_START = re.compile(
    b"\n[ \t]*(?:" + b"|".join(re.escape(m) for m in _LINE_START_MARKERS) + b")"
)
#: Bytes allowed in plain text: printable ASCII, tab, LF, form feed, CR and all high bytes.
_TEXT_BYTES = bytes([9, 10, 12, 13, *range(0x20, 0x7F), *range(0x80, 0x100)])
#: C1 control characters (U+0080 to U+009F) as UTF-8.
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
#: libmagic calls a line "very long" beyond this many characters (file 5.x MAXLINELEN).
_LONG_LINE = 300


def _has_mbox_line(block: bytes) -> bool:
    """True when a line starts with "From " as written (prose often starts with "from ")."""
    # Single bytes are found with memchr; short strings far more slowly, so look for
    # their first byte before the string itself.
    if b"F" not in block:
        return False
    index = block.find(b"From ")
    while index >= 0:
        line_start = max(block.rfind(b"\n", 0, index), block.rfind(b"\r", 0, index)) + 1
        if not block[line_start:index].strip(b" \t"):
            return True
        index = block.find(b"From ", index + 1)
    return False


def _has_markers(block: bytes) -> bool:
    if any(marker in block for marker in _MARKUP_BYTES):
        return True
    if b"#" in block and b"#!" in block:
        return True
    if _has_mbox_line(block):
        return True
    return _LINE_START.search(b"\n" + block.lower().replace(b"\r", b"\n")) is not None


_FIRST_WORD = re.compile(rb"[A-Za-z][a-z]{0,7} ")


def plain_text_type(block: bytes) -> tuple[str, str] | None:
    """Type plain prose the way libmagic would, without running its soft magic.

    libmagic spends most of its time on text, running every text test of its database;
    for prose with no markup, code or mail markers the answer is always ``text/plain``
    with an encoding and line-ending description. Anything else returns ``None`` and
    goes to libmagic. A differential test checks this against libmagic.

    Known difference: libmagic names some prose by its first word alone ("Draw ..." is
    "RISC OS Draw file data", "core ..." a Xenix core file); such text is typed
    ``text/plain`` here, which is what it is.
    """
    # Binary content usually shows a non-text byte at once: test a short prefix first.
    if len(block) < 8 or block[:256].translate(None, _TEXT_BYTES):
        return None
    if block.translate(None, _TEXT_BYTES) or _has_markers(block):
        return None
    # Magic strings at offset 0 are long tokens ("vhdxfile", "conectix"), header words
    # ending in a colon, or short tokens of capitals, digits and signs ("EFI PART",
    # "8BPS", "ABF ", "(defun", "**TI83**"); prose starts with a short word of letters,
    # lower-case after the first.
    if _FIRST_WORD.match(block) is None:
        return None
    try:
        text = block.decode("ascii")
        encoding = "ASCII text"
    except UnicodeDecodeError:
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut by the end of the block is still UTF-8.
            if error.start < len(block) - 3 or error.reason != "unexpected end of data":
                return None
            text = block[: error.start].decode("utf-8")
        if _C1_UTF8.search(block):
            return None
        encoding = "Unicode text, UTF-8 text"
    if not any(ch.isalnum() for ch in text[:256]):
        return None
    crlf = block.count(b"\r\n") if b"\r" in block else 0
    cr = block.count(b"\r") - crlf
    lf = block.count(b"\n") - crlf
    kinds = [name for name, count in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if count]
    if len(kinds) > 1:
        return None
    # libmagic measures lines in characters, not bytes.
    separator = {"CRLF": "\r\n", "CR": "\r"}.get(kinds[0], "\n") if kinds else None
    longest = max(map(len, text.split(separator))) if separator else len(text)
    description = encoding
    if longest > _LONG_LINE:
        description += f", with very long lines ({longest})"
    if not kinds:
        description += ", with no line terminators"
    elif kinds[0] != "LF":
        description += f", with {kinds[0]} line terminators"
    return "text/plain", description


# Unambiguous leading signatures and the MIME type libmagic gives them (or, for the
# container formats, one of its family). The quick profile uses them to decide, from a
# small head and without libmagic, whether a file deserves a closer look.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (4, b"ftypheic", "image/heic"),
    (4, b"ftypheix", "image/heic"),
    (4, b"ftypmif1", "image/heif"),
    (4, b"ftypisom", "video/mp4"),
    (4, b"ftypmp42", "video/mp4"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"Rar!\x1a\x07", "application/x-rar"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"BZh", "application/x-bzip2"),
    (0, b"\xfd7zXZ\x00", "application/x-xz"),
    (0, b"MZ", "application/x-dosexec"),
    (0, b"\x7fELF", "application/x-executable"),
    (0, b"SQLite format 3\x00", "application/vnd.sqlite3"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
)


def _signature_groups() -> tuple[tuple[int, int, frozenset[int], dict[bytes, str]], ...]:
    groups: dict[tuple[int, int], dict[bytes, str]] = {}
    for offset, magic_bytes, mime in _SIGNATURES:
        groups.setdefault((offset, len(magic_bytes)), {}).setdefault(magic_bytes, mime)
    return tuple((offset, offset + size, frozenset(m[0] for m in table), table)
                 for (offset, size), table in groups.items())


#: The signatures grouped by place, each group with the bytes that can start one of its
#: signatures: one byte test, then one slice and dictionary look-up, per group.
_SIGNATURE_GROUPS = _signature_groups()


def signature_mime(head: bytes) -> str | None:
    """Return the MIME type of a strong leading signature in ``head``, or None."""
    size = len(head)
    for offset, end, first_bytes, table in _SIGNATURE_GROUPS:
        if offset < size and head[offset] in first_bytes:
            mime = table.get(head[offset:end])
            if mime is not None:
                return mime
    return None


class FileTyper:
    """libmagic typing of a file's first block; use one instance per thread.

    ``magic_file`` points libmagic at a compiled database (a frozen build bundles one);
    by default the system database is used. libmagic runs over the database split by
    the content's first byte (:mod:`triage.engine.magic_split`), which gives the same
    answers for less work.
    """

    def __init__(self, magic_file: str | None = None) -> None:
        magic_file = magic_file or bundled_magic_file()
        self._mime: magic.Magic | SplitMagic = open_magic(True, magic_file)
        self._description: magic.Magic | SplitMagic = open_magic(False, magic_file)

    def mime(self, head: bytes) -> str:
        """Return the MIME type of ``head`` (first :data:`HEAD_SIZE` bytes are used)."""
        if not head:
            return "application/x-empty"
        try:
            return str(self._mime.from_buffer(bytes(head[:HEAD_SIZE]))) or UNKNOWN_MIME
        except Exception:  # libmagic raises MagicException and, rarely, others on bad input
            return UNKNOWN_MIME

    def type_bytes(self, head: bytes) -> tuple[str, str]:
        """Return ``(mime, description)`` of ``head``; unknown content gives octet-stream/data."""
        if not head:
            return "application/x-empty", "empty"
        block = bytes(head[:HEAD_SIZE])
        fast = plain_text_type(block)
        if fast is not None:
            return fast
        try:
            description = str(self._description.from_buffer(block)) or UNKNOWN_DESCRIPTION
            if description == UNKNOWN_DESCRIPTION:
                # libmagic's "data" is always application/octet-stream: spare the second pass.
                return UNKNOWN_MIME, UNKNOWN_DESCRIPTION
            mime = str(self._mime.from_buffer(block)) or UNKNOWN_MIME
        except Exception:  # see mime(): never let libmagic trouble escape
            return UNKNOWN_MIME, UNKNOWN_DESCRIPTION
        return mime, description
