"""A file system on one volume, read through pytsk3 (The Sleuth Kit)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytsk3

from triage.evidence.errors import TSK_ERRORS, EvidenceError, FileSystemError
from triage.evidence.filesystem import (
    DirectoryTask,
    FileEntry,
    FileSystem,
    WarnCallback,
    ignore_warning,
    posix_time,
    warn_undecodable_name,
)

# fls's one-letter codes, indexed by TSK's TSK_FS_NAME_TYPE_ENUM / TSK_FS_META_TYPE_ENUM.
_NAME_TYPE_CODES = "-pcdbrlshwvV"
_META_TYPE_CODES = "-rdpcblshwvV"
_META_KINDS = ("other", "file", "dir", "other", "other", "other", "link",
               "other", "other", "other", "file", "dir")
_NAME_KINDS = ("other", "other", "other", "dir", "other", "file", "link",
               "other", "other", "other", "file", "dir")
_NAME_DIR_TYPES = (int(pytsk3.TSK_FS_NAME_TYPE_DIR), int(pytsk3.TSK_FS_NAME_TYPE_VIRT_DIR),
                   int(pytsk3.TSK_FS_NAME_TYPE_UNDEF))
_NAME_UNALLOC = int(pytsk3.TSK_FS_NAME_FLAG_UNALLOC)
_META_UNALLOC = int(pytsk3.TSK_FS_META_FLAG_UNALLOC)
_ATTR_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA)
_ATTR_UNIX_INDIR = int(pytsk3.TSK_FS_ATTR_TYPE_UNIX_INDIR)
#: Names of the NTFS attribute types a file's stored bytes can be in, besides $DATA.
_NTFS_ATTRIBUTE_NAMES = {0x20: "$ATTRIBUTE_LIST", 0x50: "$SECURITY_DESCRIPTOR",
                         0xA0: "$INDEX_ALLOCATION", 0xB0: "$BITMAP", 0xC0: "$REPARSE_POINT",
                         0xE0: "$EA", 0x100: "$LOGGED_UTILITY_STREAM"}
_ATTR_FNAME_TYPE = pytsk3.TSK_FS_ATTR_TYPE_NTFS_FNAME
_ATTR_FNAME = int(_ATTR_FNAME_TYPE)
#: $FILE_NAME: byte 65 holds the name space; 2 is a short (DOS) alias of a Win32 name.
_FNAME_NAMESPACE_AT = 65
_DOS_NAMESPACE = 2
_ATTR_IDXROOT = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_IDXROOT)
_ATTR_DEFAULT = pytsk3.TSK_FS_ATTR_TYPE_DEFAULT
_ATTR_HFS_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_HFS_DATA)
_ATTR_HFS_RSRC = int(pytsk3.TSK_FS_ATTR_TYPE_HFS_RSRC)
_ATTR_HFS_XATTR = int(pytsk3.TSK_FS_ATTR_TYPE_HFS_EXT_ATTR)
_ATTR_COMPRESSED = int(pytsk3.TSK_FS_ATTR_COMP)
#: HFS+ file compression keeps the data in the resource fork, described by this attribute.
_DECMPFS = "com.apple.decmpfs"
_ATTR_NONRESIDENT = int(pytsk3.TSK_FS_ATTR_NONRES)

FS_TYPE_NAMES = {
    int(pytsk3.TSK_FS_TYPE_NTFS): "ntfs",
    int(pytsk3.TSK_FS_TYPE_FAT12): "fat12",
    int(pytsk3.TSK_FS_TYPE_FAT16): "fat16",
    int(pytsk3.TSK_FS_TYPE_FAT32): "fat32",
    int(pytsk3.TSK_FS_TYPE_EXFAT): "exfat",
    int(pytsk3.TSK_FS_TYPE_EXT2): "ext2",
    int(pytsk3.TSK_FS_TYPE_EXT3): "ext3",
    int(pytsk3.TSK_FS_TYPE_EXT4): "ext4",
    int(pytsk3.TSK_FS_TYPE_HFS): "hfs+",
    int(pytsk3.TSK_FS_TYPE_ISO9660): "iso9660",
    int(pytsk3.TSK_FS_TYPE_FFS1): "ufs1",
    int(pytsk3.TSK_FS_TYPE_FFS1B): "ufs1",
    int(pytsk3.TSK_FS_TYPE_FFS2): "ufs2",
    int(pytsk3.TSK_FS_TYPE_YAFFS2): "yaffs2",
}
for _name in ("TSK_FS_TYPE_APFS", "TSK_FS_TYPE_XFS", "TSK_FS_TYPE_BTRFS"):
    if hasattr(pytsk3, _name):
        FS_TYPE_NAMES[int(getattr(pytsk3, _name))] = _name.rsplit("_", 1)[1].lower()

#: Partial reads of damaged content fall back to pieces of this size.
_SALVAGE_PIECE = 4096


def _type_code(name_type: int, meta_type: int) -> str:
    """fls's "name/meta" type letters."""
    return (_NAME_TYPE_CODES[name_type] if name_type < 12 else "-") + "/" + (
        _META_TYPE_CODES[meta_type] if meta_type < 12 else "-"
    )


_TYPE_CODES = {(n, m): _type_code(n, m) for n in range(12) for m in range(12)}


class TskFileEntry(FileEntry):
    """A :class:`FileEntry` backed by a pytsk3 ``File`` (and one of its attributes)."""

    __slots__ = ("_file", "_attr_type", "_attr_id")

    # Positional all the way: a walk builds one entry per name, and keyword passing cost
    # more than the rest of the entry's Python work.
    def __init__(self, file: Any, attr_type: Any, attr_id: int, path: str, name: str,
                 inode: str, size: int, kind: str, deleted: bool, mtime: float | None = None,
                 atime: float | None = None, ctime: float | None = None,
                 crtime: float | None = None, mode: int | None = None, uid: int | None = None,
                 gid: int | None = None, stream: str | None = None,
                 meta_type: str = "r/r", allocated: bool | None = None) -> None:
        FileEntry.__init__(self, path, name, inode, size, kind, deleted,
                           not deleted if allocated is None else allocated, mtime,
                           atime, ctime, crtime, mode, uid, gid, stream, meta_type)
        self._file = file
        self._attr_type = attr_type
        self._attr_id = attr_id

    def stream_entry(self, attr_type: Any, attr_id: int, stream: str, inode: str,
                     size: int) -> TskFileEntry:
        """Return the entry of one of this file's alternate data streams."""
        return TskFileEntry(
            self._file, attr_type, attr_id, f"{self.path}:{stream}", f"{self.name}:{stream}",
            inode, size, "file", self.deleted, self.mtime, self.atime, self.ctime,
            self.crtime, self.mode, self.uid, self.gid, stream, self.meta_type, self.allocated,
        )

    def read(self, offset: int, size: int) -> bytes:
        """Return up to ``size`` bytes from ``offset``.

        Damaged content yields what could be read before the damage; a deleted entry never
        raises, an allocated one raises :class:`EvidenceError` when nothing is readable.
        """
        if self.kind == "dir" or offset < 0 or size <= 0 or offset >= self.size:
            return b""
        size = min(size, self.size - offset)
        if self.kind == "link":
            # TSK reads short (inline) ext4 link targets as zeros; its metadata has the target.
            meta = self._file.info.meta
            target = meta.link if meta is not None else None
            if target:
                return bytes(target)[offset : offset + size]
        try:
            return self._file.read_random(offset, size, self._attr_type, self._attr_id)
        except TSK_ERRORS:
            data = self._salvage(offset, size)
        if not data and not self.deleted:
            raise EvidenceError(f"{self.path}: unreadable content at offset {offset}")
        return data

    def content_key(self) -> tuple[Any, ...] | None:
        """Names of an inode with more than one link (hard links) share the inode's
        streams: the same inode, stream and size."""
        if self.kind != "file":
            return None
        try:
            meta = self._file.info.meta
            if meta is None or int(meta.nlink) < 2 or self._names() < 2:
                return None
        except TSK_ERRORS:
            return None
        return (self.inode, int(self._attr_type), self._attr_id, self.size)

    def _names(self) -> int:
        """How many names the inode has. NTFS counts a long name's short (DOS) alias as a
        link, so most files of a Windows volume have two: there only $FILE_NAME
        attributes outside the DOS name space count."""
        names = 0
        ntfs = False
        for attr in self._file:
            info = attr.info
            if int(info.type) != _ATTR_FNAME:
                continue
            ntfs = True
            head = self._file.read_random(0, _FNAME_NAMESPACE_AT + 1, _ATTR_FNAME_TYPE,
                                          int(info.id))
            if len(head) <= _FNAME_NAMESPACE_AT or head[_FNAME_NAMESPACE_AT] != _DOS_NAMESPACE:
                names += 1
        return names if ntfs else int(self._file.info.meta.nlink)

    def unreadable_by_design(self) -> bool:  # noqa: D102 (see FileEntry)
        # Only while it has no runs: clusters marked bad are a place to hide data.
        return (self.stream == "$Bad" and self.path == "/$BadClus:$Bad"
                and self.short_read_reason() is not None)

    def short_read_reason(self) -> str | None:
        """A non-resident stream without data runs (NTFS ``$BadClus:$Bad``, a sparse file
        never written) has a size but nothing The Sleuth Kit can read."""
        if self.size <= 0:
            return None
        try:
            for attr in self._file:
                info = attr.info
                if int(info.type) != int(self._attr_type) or (
                        self._attr_id >= 0 and int(info.id) != self._attr_id):
                    continue
                if int(info.flags) & _ATTR_NONRESIDENT and not any(True for _ in attr):
                    return "the stream has no data runs (sparse or never written)"
                return None
        except TSK_ERRORS:
            return None
        return None

    def _salvage(self, offset: int, size: int) -> bytes:
        pieces = []
        end = offset + size
        while offset < end:
            take = min(_SALVAGE_PIECE - offset % _SALVAGE_PIECE, end - offset)
            try:
                piece = self._file.read_random(offset, take, self._attr_type, self._attr_id)
            except TSK_ERRORS:
                break
            if not piece:
                break
            pieces.append(piece)
            offset += len(piece)
        return b"".join(pieces)


class TskFileSystem(FileSystem):
    """A pytsk3 file system at ``offset`` bytes into an evidence item's image."""

    def __init__(
        self, img: pytsk3.Img_Info, offset: int, volume_index: int | None, label: str
    ) -> None:
        try:
            self._fs = pytsk3.FS_Info(img, offset=offset)
        except TSK_ERRORS as error:
            raise FileSystemError(f"{label}: no file system found that can be read") from error
        info = self._fs.info
        self._img = img
        self._known_image_size: int | None = None
        self.offset = offset
        self.volume_index = volume_index
        self.fs_type = FS_TYPE_NAMES.get(int(info.ftype), f"tsk-{int(info.ftype):#x}")
        self.block_size = int(info.block_size)
        self.block_count = int(info.block_count)
        self.root_inum = int(info.root_inum)
        self._is_ntfs = self.fs_type == "ntfs"
        self._is_hfs = self.fs_type == "hfs+"

    @property
    def tsk(self) -> Any:
        """The underlying ``pytsk3.FS_Info`` (for the allocation readers)."""
        return self._fs

    def data_spans(self, inode: int) -> list[tuple[int, int, str]]:
        """Where an inode's stored bytes lie in the image: ``(start, end, stream)`` byte
        spans of its non-resident attributes ('' for the default data, else the stream
        or attribute name). Sparse and filler runs hold no bytes and are left out;
        resident data lies inside the file system's own metadata. [] when the inode
        cannot be opened."""
        if not self._safe_to_load(inode):
            return []  # damaged ext metadata: loading it could walk gigabytes of block map
        try:
            file = self._fs.open_meta(inode=inode)
        except TSK_ERRORS:
            return []
        spans = []
        skip = int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE) | int(pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER)
        try:
            for attribute in file:
                info = attribute.info
                if not int(info.flags) & int(pytsk3.TSK_FS_ATTR_NONRES):
                    continue
                name = info.name.decode("utf-8", "replace") if info.name else ""
                kind = int(info.type)
                if kind == _ATTR_UNIX_INDIR:
                    stream = "(indirect blocks)"  # the file system's block map, not data
                elif kind == _ATTR_DATA or not self._is_ntfs:
                    stream = name
                else:
                    label = _NTFS_ATTRIBUTE_NAMES.get(kind, f"attribute type {kind:#x}")
                    stream = f"{name} ({label})" if name else label
                for run in attribute:
                    if int(run.flags) & skip or not run.len:
                        continue
                    start = self.offset + int(run.addr) * self.block_size
                    spans.append((start, start + int(run.len) * self.block_size, stream))
        except TSK_ERRORS:
            pass
        return spans

    # -- entries -----------------------------------------------------------------
    def _entries(self, file: Any, parent: str) -> tuple[list[TskFileEntry], Any | None]:
        """Build the entries of one TSK file (itself plus NTFS streams).

        Returns ``(entries, directory)``: ``directory`` is the file a walk descends into, or
        ``None`` (it descends into a directory whose name is allocated, or whose name and
        inode are both unallocated, as TSK's own directory walk does).
        """
        info = file.info
        name_info = info.name
        meta = info.meta
        name_flags = int(name_info.flags)
        name_deleted = bool(name_flags & _NAME_UNALLOC)
        if meta is None and name_deleted:
            meta_addr = int(name_info.meta_addr)
            if meta_addr and self._safe_to_load(meta_addr):
                # pytsk3 drops the metadata of a deleted name whose MFT sequence number
                # moved on (NTFS bumps it on deletion); fls shows that record, so load it
                # by address.
                try:
                    file = self._fs.open_meta(inode=meta_addr)
                    meta = file.info.meta
                except TSK_ERRORS:
                    meta = None
        name = name_info.name.decode("utf-8", "replace")
        path = f"{parent}/{name}" if parent != "/" else f"/{name}"
        name_type = int(name_info.type)
        if meta is None:
            # No readable metadata (a damaged record): deleted only if its name is, as
            # fls marks it; its content and size are unknown.
            kind = _NAME_KINDS[name_type] if name_type < len(_NAME_KINDS) else "other"
            code = _NAME_TYPE_CODES[name_type] if name_type < 12 else "-"
            entry = TskFileEntry(
                file, _ATTR_DEFAULT, -1, path, name, str(int(name_info.meta_addr)), 0, kind,
                name_deleted, meta_type=f"{code}/-", allocated=False,
            )
            return [entry], None
        meta_type = int(meta.type)
        # As fls: a name is deleted when it is unallocated; an allocated name whose inode
        # is free ("realloc") is not deleted, but not allocated either.
        gone = name_deleted or bool(int(meta.flags) & _META_UNALLOC)
        kind = _META_KINDS[meta_type] if meta_type < len(_META_KINDS) else "other"
        code = _TYPE_CODES.get((name_type, meta_type)) or _type_code(name_type, meta_type)
        seconds = meta.mtime
        mtime = posix_time(seconds, meta.mtime_nano) if seconds else None
        seconds = meta.atime
        atime = posix_time(seconds, meta.atime_nano) if seconds else None
        seconds = meta.ctime
        ctime = posix_time(seconds, meta.ctime_nano) if seconds else None
        seconds = meta.crtime
        crtime = posix_time(seconds, meta.crtime_nano) if seconds else None
        entry = TskFileEntry(
            file, _ATTR_DEFAULT, -1, path, name, str(meta.addr), int(meta.size), kind,
            name_deleted, mtime, atime, ctime, crtime, int(meta.mode), int(meta.uid),
            int(meta.gid), None, code, not gone,
        )
        recurse = kind == "dir" and name_type in _NAME_DIR_TYPES and (
            not name_deleted or gone
        )
        directory = file if recurse else None
        if self._is_ntfs:
            return self._ntfs_entries(file, entry), directory
        if self._is_hfs and kind == "file":
            return self._hfs_entries(file, entry), directory
        return [entry], directory

    def _safe_to_load(self, addr: int) -> bool:
        """Whether loading inode ``addr`` by address is bounded (see ext_inode_size)."""
        if self.fs_type not in ("ext2", "ext3", "ext4"):
            return True
        from triage.evidence.allocation import ext_inode_size

        size = ext_inode_size(self, addr)
        return size is not None and size <= self.block_count * self.block_size

    @staticmethod
    def _ntfs_entries(file: Any, entry: TskFileEntry) -> list[TskFileEntry]:
        """Like fls: one entry per $DATA / $INDEX_ROOT attribute; the unnamed $DATA (or the
        $I30 index) is ``entry`` itself, every other named one an alternate stream."""
        base: TskFileEntry | None = None
        streams: list[TskFileEntry] = []
        qualifying = False
        try:
            attributes = list(file)
        except TSK_ERRORS:
            attributes = []
        for attr in attributes:
            attr_info = attr.info
            attr_type = int(attr_info.type)
            if attr_type != _ATTR_DATA and attr_type != _ATTR_IDXROOT:
                continue
            qualifying = True
            raw_name = attr_info.name
            stream = raw_name.decode("utf-8", "replace") if raw_name else ""
            if not stream or (attr_type == _ATTR_IDXROOT and stream == "$I30"):
                if base is None:
                    base = entry
                    entry._attr_type = attr_info.type
                    entry._attr_id = int(attr_info.id)
                    entry.size = int(attr_info.size)
                continue
            attr_id = int(attr_info.id)
            streams.append(entry.stream_entry(
                attr_info.type, attr_id, stream, f"{entry.inode}-{attr_type}-{attr_id}",
                int(attr_info.size),
            ))
        if base is not None:
            streams.insert(0, base)
        elif not qualifying:
            streams.append(entry)
        return streams

    @staticmethod
    def _hfs_entries(file: Any, entry: TskFileEntry) -> list[TskFileEntry]:
        """The file (its data fork), then its resource fork (stream ``rsrc``) and extended
        attributes (streams named as they are, ``com.apple.quarantine`` say), like NTFS
        alternate data streams; ``icat`` reads them as ``inode-type-id``.

        An empty resource fork is left out, and so are the resource fork and
        ``com.apple.decmpfs`` of a compressed file: they hold the file's own content,
        compressed, which the file's entry already gives.
        """
        try:
            attributes = [attr.info for attr in file]
        except TSK_ERRORS:
            return [entry]
        compressed = any(
            (int(info.type) == _ATTR_HFS_DATA and int(info.flags) & _ATTR_COMPRESSED)
            or (int(info.type) == _ATTR_HFS_XATTR and info.name == _DECMPFS.encode())
            for info in attributes)
        entries = [entry]
        for info in attributes:
            attr_type, size = int(info.type), int(info.size)
            if attr_type == _ATTR_HFS_RSRC:
                if compressed or size == 0:
                    continue
                stream = "rsrc"
            elif attr_type == _ATTR_HFS_XATTR:
                stream = (info.name or b"").decode("utf-8", "replace")
                if not stream or stream == _DECMPFS:
                    continue
            else:
                continue
            attr_id = int(info.id)
            entries.append(entry.stream_entry(
                info.type, attr_id, stream, f"{entry.inode}-{attr_type}-{attr_id}", size))
        return entries

    # -- walking -----------------------------------------------------------------
    # The walk itself is FileSystem.walk: depth-first over these two methods. Deleted
    # names, orphan files (under /$OrphanFiles) and NTFS streams are included; "." and
    # ".." are skipped; symbolic links are not followed; unreadable directories are
    # reported through ``warn`` and skipped.
    def root_task(self, warn: WarnCallback = ignore_warning) -> DirectoryTask | None:
        """Return the root directory's task (None, with a warning, when implausible)."""
        if not self._safe_to_load(self.root_inum):
            warn("root directory inode is implausible (larger than the volume); not read", "/")
            return None
        return DirectoryTask(self.root_inum, "/", self.root_inum)

    def list_directory(
        self, task: DirectoryTask, warn: WarnCallback = ignore_warning
    ) -> Iterator[tuple[FileEntry, DirectoryTask | None]]:
        """Yield the entries of one directory, each with the task to descend into it."""
        parent = task.path
        addr = int(task.locator)
        if addr != self.root_inum and not self._safe_to_load(addr):
            warn("directory inode is implausible (larger than the volume); not entered", parent)
            return
        try:
            children = iter(self._fs.open_dir(inode=addr))
        except TSK_ERRORS as error:
            if addr == self.root_inum:
                warn(f"cannot read the root directory ({_reason(error)})", "/")
            else:
                warn(f"cannot read directory ({_reason(error)})", parent)
            return
        while True:
            try:
                file = next(children)
            except StopIteration:
                return
            except TSK_ERRORS as error:
                warn(f"directory listing stopped early ({_reason(error)})", parent)
                return
            raw = file.info.name.name
            if raw == b"." or raw == b"..":
                continue
            try:
                entries, subdirectory = self._entries(file, parent)
            except (*TSK_ERRORS, AttributeError, ValueError) as error:
                warn(f"unreadable entry skipped ({_reason(error)})", parent)
                continue
            if "\ufffd" in entries[0].name:
                warn_undecodable_name(raw, entries[0].path, warn)
            last = len(entries) - 1
            for index, entry in enumerate(entries):
                if index < last or subdirectory is None:
                    yield entry, None
                    continue
                sub_addr = int(subdirectory.info.meta.addr)
                name = raw.decode("utf-8", "replace")
                dir_path = f"{parent}/{name}" if parent != "/" else f"/{name}"
                yield entry, DirectoryTask(sub_addr, dir_path, sub_addr)

    def open_path(self, path: str) -> FileEntry | None:
        """Return the entry at ``path`` (``'/dir/file'`` or ``'/dir/file:stream'``)."""
        path = "/" + path.strip("/")
        parent, _, leaf = path.rpartition("/")
        parent = parent or "/"
        stream = None
        file = None
        if self._is_ntfs and ":" in leaf:
            base, _, stream = leaf.partition(":")
            file = self._open(f"{parent.rstrip('/')}/{base}")
        if file is None:
            stream = None
            file = self._open(path)
        if file is None:
            return None
        try:
            entries, _ = self._entries(file, parent)
        except (*TSK_ERRORS, AttributeError, ValueError):
            return None
        for entry in entries:
            if entry.stream == stream:
                return entry
        return entries[0] if stream is None and entries else None

    def _open(self, path: str) -> Any | None:
        try:
            if path == "/":
                return self._fs.open_meta(inode=self.root_inum)
            return self._fs.open(path)
        except TSK_ERRORS:
            if "\ufffd" in path:
                return self._open_by_listing(path)
            return None

    def _open_by_listing(self, path: str) -> Any | None:
        """Open a path whose names hold U+FFFD, as a walk shows bytes that are not UTF-8:
        TSK looks names up by their bytes, so each directory is listed and the first name
        shown the same way is taken."""
        file = None
        addr = self.root_inum
        for part in [part for part in path.split("/") if part]:
            if file is not None:
                meta = file.info.meta
                if meta is None or int(meta.type) != int(pytsk3.TSK_FS_META_TYPE_DIR):
                    return None
                addr = int(meta.addr)
            try:
                children = self._fs.open_dir(inode=addr)
                file = next((child for child in children
                             if child.info.name.name.decode("utf-8", "replace") == part), None)
            except TSK_ERRORS:
                return None
            if file is None:
                return None
        return file

    def listdir(self, path: str) -> list[FileEntry]:
        """Return the entries directly inside the directory ``path`` (incl. deleted)."""
        path = "/" + path.strip("/")
        try:
            directory = self._fs.open_dir(path=path)
        except TSK_ERRORS:
            found = self._open_by_listing(path) if "\ufffd" in path else None
            meta = found.info.meta if found is not None else None
            if meta is None:
                return []
            try:
                directory = self._fs.open_dir(inode=int(meta.addr))
            except TSK_ERRORS:
                return []
        out: list[FileEntry] = []
        try:
            for file in directory:
                raw = file.info.name.name
                if raw == b"." or raw == b"..":
                    continue
                try:
                    out.extend(self._entries(file, path)[0])
                except (*TSK_ERRORS, AttributeError, ValueError):
                    continue
        except TSK_ERRORS:
            pass
        return out

    def unallocated_ranges(
        self, warn: WarnCallback = ignore_warning
    ) -> Iterator[tuple[int, int]]:
        """Yield merged ``(absolute offset, length)`` runs of unallocated blocks."""
        from triage.evidence.allocation import unallocated_runs

        return unallocated_runs(self, warn)

    def read_volume(self, offset: int, size: int) -> bytes:
        """Read ``size`` bytes at ``offset`` relative to the start of the file system."""
        if size <= 0:
            return b""
        if offset < 0:
            raise EvidenceError(f"read before the start of the file system (offset {offset})")
        if self.offset + offset >= self._image_size():
            # Damaged metadata pointing anywhere (a 64-bit block number from garbage).
            raise EvidenceError(f"read past the end of the image (offset {self.offset + offset})")
        try:
            return self._img.read(self.offset + offset, size)
        except (*TSK_ERRORS, OverflowError) as error:
            raise EvidenceError(f"read error at offset {self.offset + offset}") from error

    def _image_size(self) -> int:
        # Asked on every raw read (ext inodes are checked this way during a walk): once.
        if self._known_image_size is None:
            try:
                self._known_image_size = int(self._img.get_size())
            except (*TSK_ERRORS, AttributeError):
                self._known_image_size = 1 << 62
        return self._known_image_size

    def extent(self) -> tuple[int, int] | None:
        """Absolute ``(start, end)`` of the bytes this file system spans (its blocks);
        None for types whose blocks are not all ``block_size`` bytes of the image
        (yaffs2 pages carry spare bytes) or not checked against ``fsstat``."""
        if self.fs_type not in _EXTENT_CHECKED:
            return None
        return self.offset, self.offset + self.block_count * self.block_size


#: File system types whose extent (offset + blocks × block size) was checked against fsstat.
_EXTENT_CHECKED = frozenset({"ntfs", "fat12", "fat16", "fat32", "exfat", "ext2", "ext3",
                             "ext4", "iso9660"})


def _reason(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[-1].strip() if lines else type(error).__name__
