"""Micro-benchmark of ``parse_exif`` on the corpus JPEGs, with and without the fast reader.

Run from the repository root: ``python benchmarks/exif_speed.py [--corpus DIR] [--rounds R]
[--repeat N]``. Every JPEG under the corpus folder (found by content, recursively) is parsed
``N`` times per round; the per-photo time of a round is the total over all photos divided
by their number, and the median of ``R`` rounds is printed, for ExifRead alone and for the
fast reader with ExifRead as its fallback. Time is this process's CPU time
(``time.process_time``), so other load on the machine does not dilute it. The script also
says how many photos the fast reader answered itself and checks that both paths give the
same results.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import exifread  # noqa: E402

from triage.extractors.metadata import exif  # noqa: E402
from triage.extractors.metadata.result import MetadataResult  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_jpegs(corpus: Path) -> list[tuple[str, bytes]]:
    """Return (relative path, bytes) of every JPEG under ``corpus``."""
    photos = []
    for path in sorted(corpus.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                if handle.read(3) != b"\xff\xd8\xff":
                    continue
            photos.append((str(path.relative_to(corpus)), path.read_bytes()))
    return photos


def time_per_photo(photos: list[bytes], fast: bool, rounds: int, repeat: int) -> float:
    """Median over ``rounds`` of the CPU milliseconds per photo of ``parse_exif``."""
    exif.USE_FAST_READER = fast
    figures = []
    try:
        for _ in range(rounds):
            started = time.process_time()
            for _ in range(repeat):
                for data in photos:
                    exif.parse_exif(data)
            elapsed = time.process_time() - started
            figures.append(elapsed * 1000 / (repeat * len(photos)))
    finally:
        exif.USE_FAST_READER = True
    return statistics.median(figures)


def fallbacks(photos: list[tuple[str, bytes]]) -> list[str]:
    """Return the photos the fast reader declined (ExifRead read them)."""
    declined = []
    original = exifread.process_file
    for name, data in photos:
        calls = []

        def spy(*args: object, _calls: list[int] = calls, **kwargs: object) -> object:
            _calls.append(1)
            return original(*args, **kwargs)

        exifread.process_file = spy  # type: ignore[assignment]
        try:
            exif.parse_exif(data)
        finally:
            exifread.process_file = original
        if calls:
            declined.append(name)
    return declined


def same_results(photos: list[tuple[str, bytes]]) -> list[str]:
    """Return the photos whose results differ between the two paths (should be none)."""
    differ = []
    for name, data in photos:
        exif.USE_FAST_READER = False
        slow: MetadataResult = exif.parse_exif(data)
        exif.USE_FAST_READER = True
        if exif.parse_exif(data) != slow:
            differ.append(name)
    return differ


def main() -> int:
    """Time the corpus JPEGs and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    photos = corpus_jpegs(args.corpus)
    if not photos:
        print(f"no JPEG under {args.corpus}", file=sys.stderr)
        return 1
    blobs = [data for _, data in photos]
    time_per_photo(blobs, True, 1, 2)  # warm imports and caches
    slow = time_per_photo(blobs, False, args.rounds, args.repeat)
    fast = time_per_photo(blobs, True, args.rounds, args.repeat)
    declined = fallbacks(photos)
    differ = same_results(photos)
    print(f"corpus: {args.corpus} ({len(photos)} JPEGs)")
    print(f"rounds: {args.rounds} x {args.repeat} passes, median CPU time per photo")
    print(f"ExifRead only:          {slow:.3f} ms/photo")
    print(f"fast reader + fallback: {fast:.3f} ms/photo ({slow / fast:.1f}x faster)")
    print(f"fast path: {len(photos) - len(declined)} of {len(photos)}; ExifRead fallback: "
          f"{len(declined)}{' (' + ', '.join(declined) + ')' if declined else ''}")
    print(f"results differing between the paths: {len(differ)}"
          f"{' (' + ', '.join(differ) + ')' if differ else ''}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
