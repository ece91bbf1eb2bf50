"""Copy the benchmark image and delete part of its files, as on a used disk.

The benchmark image's free space is the zeros of a fresh file system, which the
unallocated scan skips; a seized disk's free space holds what was deleted. This copy
deletes every file under ``Users/alice/Videos`` and every ``d<NN>`` folder with an even
number, so its free space holds deleted media, notes, databases and photos (their MFT
records stay, as deleted entries).

usage: python benchmarks/make_deleted_image.py BENCH.raw OUT.raw

Needs root and FUSE (ntfs-3g) and an NTFS benchmark image from
``../shared/bench/make_bench_image.py --fs ntfs``. The source image is only read.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def delete_part(root: Path) -> int:
    """Delete the videos and the even-numbered ``d<NN>`` folders; return files deleted."""
    doomed = [root / "Users" / "alice" / "Videos"]
    doomed += [folder for folder in sorted(root.glob("Users/*/**/d[0-9][0-9]"))
               if folder.is_dir() and int(folder.name[1:]) % 2 == 0]
    deleted = 0
    for folder in doomed:
        if folder.is_dir():
            deleted += sum(1 for path in folder.rglob("*") if path.is_file())
            shutil.rmtree(folder)
    return deleted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench", type=Path, help="the NTFS benchmark image (read only)")
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.out.resolve() == args.bench.resolve():
        parser.error("OUT must not be the benchmark image")
    shutil.copyfile(args.bench, args.out)
    with tempfile.TemporaryDirectory() as scratch:
        mount = Path(scratch) / "mnt"
        mount.mkdir()
        subprocess.run(["ntfs-3g", str(args.out), str(mount)], check=True)
        try:
            deleted = delete_part(mount)
        finally:
            subprocess.run(["fusermount", "-u", str(mount)], check=False)
    print(f"{args.out}: {deleted} files deleted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
