"""Build an NTFS image shaped like a Windows system folder: binaries with a second name.

Windows keeps one copy of each system binary under ``Windows/WinSxS`` and hard-links it
into ``Windows/System32`` and elsewhere, so tens of thousands of MFT records carry two or
more names. The benchmark image has no hard links; this one measures what they cost.

usage: python benchmarks/make_hardlink_image.py OUT.raw [--linked N] [--single N] [--seed S]

Needs root and FUSE (mkntfs, ntfs-3g). The same arguments give the same file contents.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path


def populate(root: Path, linked: int, single: int, seed: int) -> int:
    """Write the files; return the bytes written (each linked file once)."""
    rng = random.Random(seed)
    written = 0
    for index in range(linked):
        component = root / "Windows" / "WinSxS" / f"amd64_component{index % 400:03d}_10.0"
        component.mkdir(parents=True, exist_ok=True)
        target = component / f"lib{index:05d}.dll"
        data = b"MZ" + rng.randbytes(rng.randrange(16 << 10, 256 << 10))
        target.write_bytes(data)
        written += len(data)
        system32 = root / "Windows" / "System32" / f"sub{index % 40:02d}"
        system32.mkdir(parents=True, exist_ok=True)
        os.link(target, system32 / target.name)
    for index in range(single):
        folder = root / "Users" / "user" / "AppData" / f"d{index % 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        data = rng.randbytes(rng.randrange(16 << 10, 256 << 10))
        (folder / f"cache{index:05d}.bin").write_bytes(data)
        written += len(data)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--linked", type=int, default=5000, help="files with two names")
    parser.add_argument("--single", type=int, default=5000, help="files with one name")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    size_mb = int((args.linked + args.single) * 140 * 1024 / 2**20 * 1.3) + 64
    args.out.unlink(missing_ok=True)
    subprocess.run(["truncate", "-s", f"{size_mb}M", str(args.out)], check=True)
    subprocess.run(["mkntfs", "-F", "-q", "-f", str(args.out)], check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as scratch:
        mount = Path(scratch) / "mnt"
        mount.mkdir()
        subprocess.run(["ntfs-3g", str(args.out), str(mount)], check=True)
        try:
            written = populate(mount, args.linked, args.single, args.seed)
        finally:
            subprocess.run(["fusermount", "-u", str(mount)], check=False)
    print(f"{args.out}: {size_mb} MiB, {args.linked} files with two names,"
          f" {args.single} with one, {written / 2**20:.0f} MiB of content")
    return 0


if __name__ == "__main__":
    sys.exit(main())
