"""Keygrips for OpenPGP key packets whose algorithm gpg 2.2 cannot list (checked against
the file names gpg-agent gave the matching private-keys-v1.d files)."""

from __future__ import annotations

from tests.extractors.pgp.oracle import corpus
from triage.extractors.pgp.agentkey import _extended_fields
from triage.extractors.pgp.armor import find_armored
from triage.extractors.pgp.keygrip import openpgp_keygrip
from triage.extractors.pgp.sexp import atom_value, parse_sexp

X448_FILE = "gnupg/tests/openpgp/privkeys/8F9ABF3E5BBFC50D168DD524EB8F7263E7B33859.key"


def test_x448_point_from_a_key_packet_names_its_agent_file() -> None:
    tree = parse_sexp(_extended_fields(corpus(X448_FILE).read_bytes())["key"])
    q = atom_value(tree[1], b"q")
    assert q is not None and len(q) == 56
    # GnuPG's own sample key carries the same bare 56-byte point in its key packet, the
    # form RFC 9580 gives X448 (algorithm 26) keys.
    sample = corpus("gnupg/tests/openpgp/samplekeys/pqc-sample-2.key.asc").read_bytes()
    assert q in next(find_armored(sample)).data
    grip = "8F9ABF3E5BBFC50D168DD524EB8F7263E7B33859"
    assert openpgp_keygrip(26, "cv448", (q,)) == grip
    assert openpgp_keygrip(18, "cv448", (bytes.fromhex("2b656f"), q)) == grip
    # Ed448 constants have no agent file to be checked against: no keygrip rather than a guess.
    assert openpgp_keygrip(28, "ed448", (b"\x00" * 57,)) is None
