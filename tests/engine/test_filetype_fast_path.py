"""The plain-text fast path must give exactly what libmagic gives, or defer to it."""

from __future__ import annotations

import random
from pathlib import Path

import magic
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.engine.filetype import HEAD_SIZE, FileTyper, plain_text_type

_MIME = magic.Magic(mime=True)
_DESCRIPTION = magic.Magic()
_WORDS = ("the of and to in is you that it was for on are as with his they at be this have "
          "from or one had by word but not what all were we when your can said there use an "
          "each which she do how élan naïve café Zürich £ € ✓").split()


def _libmagic(block: bytes) -> tuple[str, str]:
    return _MIME.from_buffer(block), _DESCRIPTION.from_buffer(block)


def _prose(rng: random.Random, size: int, newline: str, line_words: int) -> bytes:
    words = []
    for index in range(size // 5):
        words.append(rng.choice(_WORDS))
        if line_words and index % line_words == line_words - 1:
            words.append(newline)
    text = " ".join(words).replace(f" {newline} ", newline)
    return text.encode("utf-8")[:size]


def test_fast_path_agrees_with_libmagic_on_generated_prose():
    rng = random.Random(7)
    fired = 0
    for case in range(400):
        newline = rng.choice(["\n", "\r\n", "\r", ""])
        block = _prose(rng, rng.choice([1, 20, 300, 2000, HEAD_SIZE]), newline,
                       rng.choice([0, 5, 12, 80, 400]))
        fast = plain_text_type(block)
        if fast is not None:
            fired += 1
            assert fast == _libmagic(block), (case, block[:80])
    assert fired > 200  # the fast path must actually serve ordinary prose


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=600).map(lambda t: t.encode("utf-8")))
def test_fast_path_never_contradicts_libmagic(block):
    fast = plain_text_type(block)
    if fast is not None:
        assert fast == _libmagic(block)


def test_fast_path_serves_prose_that_starts_with_a_lower_case_from():
    rng = random.Random(11)
    for first in ("from", "from the", "use", "each"):
        block = (first + " " + _prose(rng, 3000, "", 0).decode("utf-8")).encode("utf-8")
        fast = plain_text_type(block)
        assert fast is not None and fast == _libmagic(block)


def test_fast_path_defers_on_markup_code_and_mail():
    for block in (b"<html><body>hi</body></html>\n", b"#!/bin/sh\necho hi\n", b'{"a": 1}\n',
                  b"From alice Mon Jan 1\nSubject: x\n\nbody\n", b"import os\nprint(os)\n",
                  b"text\nFrom bob Tue Jan 2\n", b"from: alice\nto: bob\n",
                  b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n", b"a,b,c\n1,2,3\n\x00",
                  # Leading magic tokens of capitals, digits or signs (GPT, Photoshop,
                  # Axon, Lisp, TI calculators): hypothesis found the first.
                  b"EFI PART", b"8BPS and more text\n", b"ABF and more text\n",
                  b"(defun and more\n", b"**TI83** and more\n", b"0 HEAD and more\n"):
        assert plain_text_type(block) is None


def test_typer_results_equal_libmagic_on_repository_text_files():
    typer = FileTyper()
    root = Path(__file__).parents[1] / "data"
    checked = 0
    for path in sorted(root.rglob("*.txt"))[:200]:
        block = path.read_bytes()[:HEAD_SIZE]
        if not block:
            continue
        assert typer.type_bytes(block) == _libmagic(block), path
        checked += 1
    assert checked >= 3


def test_data_shortcut_matches_libmagic_mime():
    rng = random.Random(3)
    typer = FileTyper()
    for _ in range(20):
        block = rng.randbytes(4096)
        assert typer.type_bytes(block) == _libmagic(block)
