"""How the words of a written-down seed phrase are set apart, for every word list."""

from __future__ import annotations

import re

#: What may stand between two words of a written-down phrase: white space or a comma,
#: optionally with list numbering ("1.", "2)", "#3", "4 -"), dashes or quotes. Atomic: a
#: long gap before a byte that ends the run is not tried again at every split.
SEED_GAP = rb"(?>[\s,;'\"|#-]*(?:\d{1,2}[.):-]?)?[\s,;'\"|-]*)"
#: Words joined by such separators (each whole gap must be one, as ``fullmatch`` would say).
PHRASE_RUN_RE = re.compile(rb"[A-Za-z]++(?:" + SEED_GAP + rb"[A-Za-z]++)*+")
#: One word of a phrase.
WORD_RE = re.compile(rb"[A-Za-z]+")
