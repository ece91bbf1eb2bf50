"""Micro-benchmark of the crypto text scanner: MB/s on prose, random, zeros and mixed data,
and on two hostile inputs (echoes of one long run of list words; lines of list words).

Run from the repository root: ``python benchmarks/crypto_scan.py [--mib N] [--repeat R]
[--compare]``. Every input is generated from a fixed seed so figures are comparable between
runs; the best of ``R`` runs is printed. Time is this process's CPU time
(``time.process_time``), i.e. single-core throughput that other load on the machine does
not dilute. ``--compare`` also times the previous per-word scanner kept as a test oracle
(``tests/extractors/crypto/reference_text_scan.py``) and checks both give the same findings.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from triage.extractors.crypto.bip39_english import WORDS  # noqa: E402
from triage.extractors.crypto.text_scan import scan_text  # noqa: E402

#: The most frequent English words, most frequent first (drawn with Zipf weights 1/rank so
#: the text has real prose's mix of short function words, list words and long words).
PROSE_WORDS = (
    "the of and to a in is it you that he was for on are with as I his they be at one have "
    "this from or had by hot word but what some we can out other were all there when up use "
    "your how said an each she which do their time if will way about many then them write "
    "would like so these her long make thing see him two has look more day could go come did "
    "number sound no most people my over know water than call first who may down side been "
    "now find any new work part take get place made live where after back little only round "
    "man year came show every good me give our under name very through just form sentence "
    "great think say help low line differ turn cause much mean before move right boy old too "
    "same tell does set three want air well also play small end put home read hand port large "
    "spell add even land here must big high such follow act why ask men change went light "
    "kind off need house picture try us again animal point mother world near build self earth "
    "father information government development something different important understand "
    "everything wallet address bitcoin network transaction signature software"
).split()
PROSE_WEIGHTS = [1 / rank for rank in range(1, len(PROSE_WORDS) + 1)]

#: A few real hits to plant in the prose (one every ~64 KiB), so the slow paths run too.
PLANTED = (
    "19uMPEqUGkxwf92ixFPkybcfHLdNorNWka",
    "bc1qfst6dphujlk97fqmh0jw367hr2kw8huujjnxm7",
    "0xC69EA13227bACE6e1F8a06364d93F4A6F0463243",
    "prepare harsh combine snap ski gauge army cabin virus laugh grief opinion",
)


def make_prose(size: int, rng: random.Random) -> bytes:
    """English-like text: sentences of common words, punctuation, line breaks, rare hits."""
    parts: list[str] = []
    length = 0
    next_plant = 65536
    while length < size:
        words = rng.choices(PROSE_WORDS, PROSE_WEIGHTS, k=rng.randrange(6, 20))
        sentence = " ".join(words).capitalize() + rng.choice([". ", ", ", ".\n", "; ", "? "])
        if length >= next_plant:
            sentence += f"Send to {rng.choice(PLANTED)} now.\n"
            next_plant += 65536
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts).encode("ascii")[:size]


def make_mixed(size: int, rng: random.Random) -> bytes:
    """Disk-like data: 4 KiB blocks of zeros, random bytes, prose and BIP-39 word salad."""
    block = 4096
    prose = make_prose(size, rng)
    salad = " ".join(rng.choices(WORDS, k=size // 4)).encode("ascii")
    out = bytearray()
    while len(out) < size:
        kind = rng.randrange(4)
        if kind == 0:
            out += bytes(block)
        elif kind == 1:
            out += rng.randbytes(block)
        elif kind == 2:
            start = rng.randrange(0, len(prose) - block)
            out += prose[start : start + block]
        else:
            start = rng.randrange(0, len(salad) - block)
            out += salad[start : start + block]
    return bytes(out[:size])


def make_echoes(size: int) -> bytes:
    """Hostile: one long run of list words, then the same 12 words again and again as
    short runs, each found inside the long one (quadratic if each search rebuilt it)."""
    phrase = " ".join(WORDS[:12])
    count = size // (2 * len(phrase) + 8)
    return ((phrase + " ") * count + "zzzz " + (phrase + " zzzz ") * count).encode()[:size]


def make_list_lines(size: int, rng: random.Random) -> bytes:
    """Hostile: lines of 12 to 26 random list words in runs of hundreds of lines (a word
    list laid out in lines, or a list of seeds), each run ended by a word off the list."""
    out: list[str] = []
    length = 0
    while length < size:
        lines = [" ".join(rng.choices(WORDS, k=rng.randrange(12, 27)))
                 for _ in range(rng.randrange(50, 500))]
        block = "\n".join(lines) + "\nzzzz\n"
        out.append(block)
        length += len(block)
    return "".join(out).encode("ascii")[:size]


def inputs(size: int) -> dict[str, bytes]:
    """The benchmark inputs, each ``size`` bytes, from a fixed seed."""
    rng = random.Random(20240601)
    return {
        "prose": make_prose(size, rng),
        "random": rng.randbytes(size),
        "zeros": bytes(size),
        "mixed": make_mixed(size, rng),
        "echoes": make_echoes(size),
        "lines": make_list_lines(size, rng),
    }


def best_rate(function: Callable[[bytes], object], data: bytes, repeat: int) -> float:
    """Best throughput of ``function(data)`` over ``repeat`` runs, in MB/s (10**6 bytes)."""
    best = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        function(data)
        best = min(best, time.process_time() - began)
    return len(data) / best / 1e6


def _findings(found: list) -> list[tuple]:
    return [(f.type, f.offset, f.context, sorted(f.attributes.items())) for f in found]


def main() -> None:
    """Parse options, run every input and print one line per input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=16, help="size of each input in MiB")
    parser.add_argument("--repeat", type=int, default=3, help="runs per input (best is kept)")
    parser.add_argument("--compare", action="store_true", help="also time the old scanner")
    options = parser.parse_args()
    old_scan = None
    if options.compare:
        from tests.extractors.crypto.reference_text_scan import scan_text as old_scan
    for name, data in inputs(options.mib * 1024 * 1024).items():
        found = scan_text(data)
        rate = best_rate(scan_text, data, options.repeat)
        line = f"{name:8s} {len(data) / 1e6:7.1f} MB {rate:9.1f} MB/s  {len(found):5d} hits"
        if old_scan is not None:
            same = _findings(old_scan(data)) == _findings(found)
            old_rate = best_rate(old_scan, data, 1)
            line += f"   old {old_rate:7.1f} MB/s  x{rate / old_rate:5.1f}  same={same}"
        print(line)


if __name__ == "__main__":
    main()
