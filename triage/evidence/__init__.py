"""The evidence layer: disk image containers, volumes and read-only file systems.

``open_evidence(path)`` detects the container (raw, split raw, EWF, VMDK, VHD/VHDX, QCOW2
or a logical folder) and returns an :class:`Evidence`; its :meth:`Evidence.volumes` list
the partitions, gaps and tables, and :meth:`Volume.open_filesystem` gives a
:class:`FileSystem` whose :meth:`FileSystem.walk` yields :class:`FileEntry` objects.
"""

from triage.evidence.errors import EvidenceError, FileSystemError
from triage.evidence.evidence import Evidence, Volume, open_evidence
from triage.evidence.filesystem import DirectoryTask, FileEntry, FileSystem

__all__ = [
    "DirectoryTask",
    "Evidence",
    "EvidenceError",
    "FileEntry",
    "FileSystem",
    "FileSystemError",
    "Volume",
    "open_evidence",
]
