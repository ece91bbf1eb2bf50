"""Opening an evidence item: container detection, media reads and the volume listing."""

from __future__ import annotations

import os
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

import pytsk3

from triage.evidence import containers
from triage.evidence.byte_ranges import merge_spans, subtract_spans
from triage.evidence.detect import detect_format, split_segments
from triage.evidence.errors import TSK_ERRORS, EvidenceError, FileSystemError
from triage.evidence.ewf_checksum import EwfChecksumErrors, MediaDamage
from triage.evidence.filesystem import FileSystem
from triage.evidence.folder_filesystem import FolderFileSystem
from triage.evidence.fs_signatures import HEAD_BYTES, file_system_signature
from triage.evidence.gpt_types import NO_FILE_SYSTEM_TYPES, gpt_partition_types
from triage.evidence.partition_salvage import SECTOR, logical_partitions, salvage_partitions

_SCHEMES = {
    int(pytsk3.TSK_VS_TYPE_DOS): "dos",
    int(pytsk3.TSK_VS_TYPE_GPT): "gpt",
    int(pytsk3.TSK_VS_TYPE_MAC): "mac",
    int(pytsk3.TSK_VS_TYPE_BSD): "bsd",
    int(pytsk3.TSK_VS_TYPE_SUN): "sun",
}
_PART_ALLOC = int(pytsk3.TSK_VS_PART_FLAG_ALLOC)
_PART_META = int(pytsk3.TSK_VS_PART_FLAG_META)
#: Volume systems with more slots than this are treated as corrupt.
MAX_VOLUMES = 1024
_HASH_NAMES = {"md5": "MD5", "sha1": "SHA1", "sha256": "SHA256"}


#: Partition descriptions (The Sleuth Kit's, lower case: an MBR type's name, a GPT
#: partition's own name) of types that hold no file system.
_NO_FILE_SYSTEM_TYPES = ("microsoft reserved", "bios boot", "linux swap", "apple_partition_map")


@dataclass
class Volume:
    """One slot of the evidence's volume system (or the whole disk when there is none).

    ``start`` and ``length`` are in bytes. ``kind`` is ``partition``, ``unallocated``
    (gaps and unpartitioned space), ``whole`` (no volume system) or ``meta`` (the
    partition tables themselves).
    """

    index: int
    start: int
    length: int
    kind: str
    description: str
    scheme: str | None
    evidence: Evidence | None = field(default=None, repr=False, compare=False)
    #: A GPT partition's type GUID (upper case); None for other schemes and slots.
    partition_type: str | None = None

    @property
    def expects_no_file_system(self) -> bool:
        """True for partition types that hold none (Microsoft reserved, BIOS boot, swap,
        an Apple partition map's own slot):
        a failed open is then no finding, and the bytes are scanned whole as for any
        volume without a file system."""
        if self.partition_type in NO_FILE_SYSTEM_TYPES:
            return True
        description = self.description.lower()
        return any(kind in description for kind in _NO_FILE_SYSTEM_TYPES)

    def open_filesystem(self) -> FileSystem | None:
        """Open this volume's file system; ``None`` for unallocated and meta slots.

        Raises :class:`FileSystemError` when no file system pytsk3 knows is there.
        """
        if self.kind in ("unallocated", "meta") or self.evidence is None:
            return None
        if self.evidence.format == "folder":
            return FolderFileSystem(self.evidence.path, self.index)
        from triage.evidence.tsk_filesystem import TskFileSystem

        label = f"{self.evidence.path}: volume {self.index} ({self.description}) at byte {self.start}"
        return TskFileSystem(self.evidence.img_info(), self.start, self.index, label)


class Evidence:
    """An opened, read-only evidence item (a disk image container or a logical folder)."""

    def __init__(
        self,
        path: str,
        format: str,
        size: int,
        segments: list[str],
        img: containers.MediaImage | None,
        ewf_handle: Any = None,
    ) -> None:
        self.path = path
        self.format = format
        self.size = size
        self.segments = segments
        self._img = img
        self._ewf = ewf_handle
        self._checksum_errors = EwfChecksumErrors(ewf_handle) if ewf_handle is not None else None
        self._volumes: list[Volume] | None = None
        #: Problems found while listing the volumes, for the scan's warnings.
        self.volume_warnings: list[str] = []
        if self._checksum_errors is not None and not self._checksum_errors.available:
            self.volume_warnings.append(
                "this libewf cannot name chunks whose checksum fails (read as zeros);"
                " run `triage verify` to check the image")
        self._native: pytsk3.Img_Info | bool | None = None

    def __repr__(self) -> str:
        return f"<Evidence {self.format} {self.path!r} {self.size}B>"

    def __enter__(self) -> Evidence:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def read(self, offset: int, size: int) -> bytes:
        """Return media bytes at ``offset`` (short at the end of the media)."""
        if self._img is None:
            raise EvidenceError(f"{self.path}: folder evidence has no media bytes")
        if offset < 0 or size < 0:
            raise EvidenceError(f"{self.path}: invalid read at offset {offset} size {size}")
        try:
            return self._img.read(offset, size)
        except (*TSK_ERRORS, AttributeError) as error:
            raise EvidenceError(f"{self.path}: read error at offset {offset}") from error

    @property
    def reports_media_errors(self) -> bool:
        """True when damaged parts of the media read so far can be named
        (:meth:`take_media_errors`): EWF chunks whose checksum failed, and bytes inside
        the media a container did not return."""
        return self._img is not None

    @property
    def media_sector_size(self) -> int:
        """Bytes per sector of the media, as the container records it (512 otherwise)."""
        errors = self._checksum_errors
        return errors.sector_size if errors is not None and errors.available else 512

    def take_media_errors(self, force: bool = False) -> list[MediaDamage]:
        """Damaged parts of the media met since the last call (read as zeros), each part
        once. Cheap unless something changed; ``force`` makes sure nothing found so far
        is left out (see :meth:`EwfChecksumErrors.take_new`)."""
        found = self._img.missing.take_new() if self._img is not None else []
        errors = self._checksum_errors
        if errors is not None and errors.available:
            found += errors.take_new(force)
        return found

    def img_info(self) -> pytsk3.Img_Info:
        """Return the pytsk3 image over this container.

        A single-file raw image is opened by The Sleuth Kit's own raw reader (read-only),
        so its many small metadata reads stay in C instead of calling back into Python;
        every other container goes through the Python image object.
        """
        if self._img is None:
            raise EvidenceError(f"{self.path}: folder evidence has no disk image")
        if self.format == "raw" and len(self.segments) == 1:
            if self._native is None and not _utf8(self.segments[0]):
                # pytsk3 takes the path as UTF-8 text: a name that is not (a Latin-1 folder
                # name, say) is read through the Python image instead.
                self._native = False
            if self._native is None:
                try:
                    native = pytsk3.Img_Info(url=self.segments[0])
                    self._native = native if native.get_size() == self.size else False
                except TSK_ERRORS:
                    self._native = False
            if self._native:
                return self._native
        return self._img

    def volumes(self) -> list[Volume]:
        """Return the volume slots (a single 'whole' volume without a table).

        The slots are in disk order, except that logical partitions The Sleuth Kit did
        not list (past its 128 extended tables) follow its slots, so that the indexes of
        those it lists do not depend on it; ``index`` is always the position in the list.
        """
        if self._volumes is None:
            self._volumes = self._list_volumes()
        return list(self._volumes)

    def _list_volumes(self) -> list[Volume]:
        if self._img is None:
            return [Volume(0, 0, 0, "whole", "logical folder", None, self)]
        whole = [Volume(0, 0, self.size, "whole", "whole disk (no volume system)", None, self)]
        try:
            volume_system = pytsk3.Volume_Info(self._img)
        except TSK_ERRORS:
            return self._salvaged_volumes() or whole
        sector = int(volume_system.info.block_size) or 512
        scheme = _SCHEMES.get(int(volume_system.info.vstype))
        out: list[Volume] = []
        has_partition = capped = False
        try:
            types = gpt_partition_types(self.read, sector) if scheme == "gpt" else {}
        except EvidenceError:
            types = {}
        try:
            for part in volume_system:
                if len(out) >= MAX_VOLUMES:
                    # A hostile or damaged table; the first slots are still scanned.
                    self.volume_warnings.append(_too_many_slots())
                    capped = True
                    break
                flags = int(part.flags)
                if flags & _PART_META:
                    kind = "meta"
                elif flags & _PART_ALLOC:
                    kind = "partition"
                    has_partition = True
                else:
                    kind = "unallocated"
                description = part.desc.decode("utf-8", "replace").strip()
                start, length = int(part.start) * sector, int(part.len) * sector
                if kind == "partition" and start + length > self.size:
                    self.volume_warnings.append(
                        f"partition {description} at byte {start} holds"
                        f" {max(0, self.size - start)} of its {length} bytes: the image is"
                        " truncated")
                out.append(Volume(len(out), start, length, kind, description, scheme, self,
                                  types.get(start) if kind == "partition" else None))
        except TSK_ERRORS:
            return whole
        partitions = [v for v in out if v.kind == "partition"]
        if partitions and all("(0xee)" in v.description for v in partitions):
            # Only GPT's protective entry: TSK fell back to the DOS table because it could
            # not read the GPT (a truncated image loses the backup copy and may cut entries).
            protective_warnings = self.volume_warnings[:]
            self.volume_warnings.clear()
            salvaged = self._salvaged_volumes()
            if salvaged:
                return salvaged
            self.volume_warnings[:] = protective_warnings
        if scheme == "dos" and sector == SECTOR and not capped:
            out = self._with_missed_logicals(out)
            has_partition = has_partition or any(v.kind == "partition" for v in out)
        return out if has_partition else whole

    def _with_missed_logicals(self, out: list[Volume]) -> list[Volume]:
        """TSK's DOS slots plus the logical partitions it did not list.

        The Sleuth Kit stops following the extended-partition chain after 128 tables
        without a word; the chain is read again without it and each partition it dropped
        is added, with a warning. TSK's slots keep their indexes: an unallocated slot that
        such partitions split gives its index to the piece at its start, and the other
        pieces and partitions follow TSK's slots in disk order.
        """
        problems: list[str] = []
        try:
            chain = logical_partitions(self.read, self.size, problems.append)
        except EvidenceError as error:
            self.volume_warnings.append(f"extended partition chain unreadable: {error}")
            return out
        self.volume_warnings.extend(problems)
        listed = {(v.start, v.length) for v in out if v.kind == "partition"}
        dropped = {(p.start, p.length): p for p in chain if (p.start, p.length) not in listed}
        if not dropped:
            return out
        self.volume_warnings.append(
            f"The Sleuth Kit dropped {len(dropped)} of the {len(chain)} logical partitions"
            " of the extended-partition chain (it follows at most 128 tables); they were read"
            " without it")
        added = []
        for partition in sorted(dropped.values(), key=lambda p: (p.start, p.length)):
            have = partition.held(self.size)
            description = partition.description
            if have == 0:
                self.volume_warnings.append(
                    f"{description} partition at byte {partition.start} ({partition.length}"
                    f" bytes) lies beyond the end of the image ({self.size} bytes): the image"
                    " is truncated; not scanned")
                continue
            if have < partition.length:
                self.volume_warnings.append(
                    f"{description} partition at byte {partition.start} holds {have} of its"
                    f" {partition.length} bytes: the image is truncated")
                description += " (cut short by the end of the image)"
            added.append((partition.start, partition.length, "partition", description))
        result = list(out)
        extra = []
        placed: set[int] = set()
        starts = [piece[0] for piece in added]
        taken = merge_spans([(piece[0], piece[0] + piece[1]) for piece in added])
        for slot, volume in enumerate(out):
            if volume.kind != "unallocated":
                continue
            end = volume.start + volume.length
            inside = range(bisect_left(starts, volume.start), bisect_left(starts, end))
            free = subtract_spans(volume.start, end, taken)
            if not inside and free == [(volume.start, end)]:
                continue
            pieces = sorted([added[i] for i in inside]
                            + [(start, stop - start, "unallocated", "Unallocated")
                               for start, stop in free])
            if not pieces:
                # Wholly inside a partition that starts before it: its bytes are that
                # partition's, walked and scanned there; scanning them again as free space
                # would give every hit twice. The slot keeps its index.
                result[slot] = Volume(slot, volume.start, volume.length, "meta",
                                      "inside a logical partition read without TSK",
                                      volume.scheme, self)
                continue
            placed.update(inside)
            start, length, kind, description = pieces[0]
            result[slot] = Volume(slot, start, length, kind, description, volume.scheme, self)
            extra += pieces[1:]
        extra += [piece for i, piece in enumerate(added) if i not in placed]
        extra.sort()
        room = MAX_VOLUMES - len(result)
        if len(extra) > room:
            # Not every piece fits: TSK's slots stay as they were (their free space is
            # scanned whole, so the bytes of partitions left out are not lost) and the
            # first partitions that fit are added.
            self.volume_warnings.append(_too_many_slots())
            result = list(out)
            extra = sorted(added)[:MAX_VOLUMES - len(out)]
        for start, length, kind, description in extra:
            result.append(Volume(len(result), start, length, kind, description, "dos", self))
        return result

    def _salvaged_volumes(self) -> list[Volume]:
        """Volumes of a partition table TSK refused (a truncated image), read without it.

        Partitions the image holds (whole or in part) are listed, the space between them
        as unallocated; each problem is added to :attr:`volume_warnings`.
        """
        problems: list[str] = []
        try:
            found = salvage_partitions(self.read, self.size, problems.append)
        except EvidenceError:
            return []
        held = [p for p in found if p.held(self.size) > 0]
        if not held:
            return []
        self.volume_warnings.extend(problems)
        out = [Volume(0, 0, SECTOR, "meta", "partition table (read without TSK)",
                      held[0].scheme, self)]
        position = SECTOR
        for partition in found:
            have = partition.held(self.size)
            if have == 0:
                self.volume_warnings.append(
                    f"{partition.description} partition at byte {partition.start}"
                    f" ({partition.length} bytes) lies beyond the end of the image"
                    f" ({self.size} bytes): the image is truncated; not scanned")
                continue
            if partition.start > position:
                out.append(Volume(len(out), position, partition.start - position,
                                  "unallocated", "unallocated", partition.scheme, self))
            description = partition.description
            if have < partition.length:
                description += " (cut short by the end of the image)"
                self.volume_warnings.append(
                    f"{partition.description} partition at byte {partition.start} holds"
                    f" {have} of its {partition.length} bytes: the image is truncated")
            out.append(Volume(len(out), partition.start, partition.length, "partition",
                              description, partition.scheme, self))
            position = max(position, partition.start + have)
        if position < self.size:
            out.append(Volume(len(out), position, self.size - position, "unallocated",
                              "unallocated", held[0].scheme, self))
        self.volume_warnings.insert(
            0, "The Sleuth Kit could not read the partition table (is the image truncated?);"
            " it was read without it")
        return out

    def _table_beyond_the_end(self) -> list[Volume]:
        """The volumes of a truncated image that kept only its partition table: every
        partition the table lists starts past the end (the rest of the image is one
        unallocated volume). [] when the first sector holds no plausible table."""
        problems: list[str] = []
        try:
            found = salvage_partitions(self.read, self.size, problems.append)
            boot = self.read(0, SECTOR)
        except EvidenceError:
            return []
        if not found or any(p.held(self.size) for p in found):
            return []
        # Boot code read as a table gives boot flags other than 0 and 0x80 (TSK's test).
        if found[0].scheme == "dos" and any(boot[446 + 16 * i] not in (0, 0x80)
                                            for i in range(4)):
            return []
        self.volume_warnings.append(
            "The Sleuth Kit could not read the partition table (is the image truncated?);"
            " it was read without it")
        self.volume_warnings.extend(problems)
        for partition in found:
            self.volume_warnings.append(
                f"{partition.description} partition at byte {partition.start}"
                f" ({partition.length} bytes) lies beyond the end of the image"
                f" ({self.size} bytes): the image is truncated; not scanned")
        out = [Volume(0, 0, min(SECTOR, self.size), "meta",
                      "partition table (read without TSK)", found[0].scheme, self)]
        if self.size > SECTOR:
            out.append(Volume(1, SECTOR, self.size - SECTOR, "unallocated", "unallocated",
                              found[0].scheme, self))
        return out

    def stored_hashes(self) -> dict[str, str]:
        """Return the acquisition hashes stored in an EWF image (lower-case hex)."""
        if self._ewf is None:
            return {}
        out = {}
        for key, name in _HASH_NAMES.items():
            try:
                value = self._ewf.get_hash_value(name)
            except (OSError, KeyError, RuntimeError):
                value = None
            if value:
                out[key] = value.strip().lower()
        return out

    def media_info(self) -> dict[str, str]:
        """Return the EWF header values (case number, examiner, acquiry date, ...)."""
        if self._ewf is None:
            return {}
        try:
            values = self._ewf.get_header_values()
        except (OSError, RuntimeError):
            return {}
        return {str(key): str(value) for key, value in values.items() if value}

    def close(self) -> None:
        """Close the container (idempotent)."""
        img, self._img = self._img, None
        native, self._native = self._native, None
        self._ewf = None
        self._checksum_errors = None
        if img is not None:
            img.close()
        if native:
            native.close()


def _utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _too_many_slots() -> str:
    return (f"the partition table lists more than {MAX_VOLUMES} slots; only the first"
            f" {MAX_VOLUMES} are scanned")


def open_evidence(path: str | os.PathLike[str]) -> Evidence:
    """Open the evidence at ``path`` read-only, detecting its container.

    Raises :class:`EvidenceError` (one line, ``"<path>: <what is wrong>"``) for unknown,
    corrupt or truncated input and missing segments.
    """
    path = os.fspath(path)
    try:
        return _open(path)
    except containers.LIBYAL_ERRORS as error:
        lines = str(error).strip().splitlines() or [type(error).__name__]
        raise EvidenceError(f"{path}: cannot open ({lines[-1]})") from error


def _open(path: str) -> Evidence:
    kind = detect_format(path)
    if kind == "folder":
        return Evidence(path, "folder", 0, [path], None)
    if kind == "ewf":
        img, size, handle, segments = containers.open_ewf(path)
        return _checked(Evidence(path, "ewf", size, segments, img, handle))
    if kind == "vmdk":
        img, size, segments = containers.open_vmdk(path)
        return _checked(Evidence(path, "vmdk", size, segments, img))
    if kind in ("vhd", "vhdx"):
        img, size, segments = containers.open_vhd(path)
        return _checked(Evidence(path, kind, size, segments, img))
    if kind == "qcow2":
        img, size, segments = containers.open_qcow(path)
        return _checked(Evidence(path, "qcow2", size, segments, img))
    segments = split_segments(path)
    img, size, short = containers.open_raw(segments)
    evidence = Evidence(path, "split_raw" if len(segments) > 1 else "raw", size, segments, img)
    segment_size = os.path.getsize(segments[0]) if short else 0
    for segment, held in short:
        evidence.volume_warnings.append(
            f"split image segment {os.path.basename(segment)} holds {held} of the"
            f" {segment_size} bytes of every other segment but the last (damaged or cut-off"
            " copy?): its missing bytes read as zeros")
    _require_known_content(evidence)
    return evidence


def _checked(evidence: Evidence) -> Evidence:
    """Make sure the first sector of a container decodes (catches truncated images)."""
    if evidence.size <= 0:
        evidence.close()
        raise EvidenceError(f"{evidence.path}: the image holds no media data")
    try:
        evidence.read(0, 512)
        if evidence._img is not None and evidence._img.missing.overlaps(0, 512):
            raise EvidenceError(f"{evidence.path}: first sector missing")
    except EvidenceError as error:
        evidence.close()
        raise EvidenceError(f"{evidence.path}: media data unreadable (truncated?)") from error
    return evidence


def _require_known_content(evidence: Evidence) -> None:
    """A raw file is only evidence when it holds a volume system or a file system, or
    the boot sector or superblock of one The Sleuth Kit cannot open (a damaged volume is
    scanned byte by byte, as it is inside a container)."""
    volumes = evidence.volumes()
    if volumes[0].kind != "whole":
        return
    try:
        filesystem = volumes[0].open_filesystem()
    except FileSystemError:
        filesystem = None
    if filesystem is None:
        table_only = evidence._table_beyond_the_end()
        if table_only:
            evidence._volumes = table_only
            return
        signature = file_system_signature(evidence.read(0, HEAD_BYTES))
        if signature is not None:
            evidence.volume_warnings.append(
                f"{signature} boot sector or superblock found at the start of the image, but"
                " no file system could be read there (damaged?): only the byte-level"
                " detectors see its bytes")
            return
        evidence.close()
        raise EvidenceError(
            f"{evidence.path}: no partition table or file system found (not a disk image?)"
        )
    filesystem.close()
