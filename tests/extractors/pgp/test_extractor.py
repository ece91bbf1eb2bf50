"""End to end over a folder laid out like a seized disk, checked against gpg."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.extractor_harness import LocalFolderContext, run_extractor
from tests.extractors.pgp.oracle import CORPUS, DATA, list_home, show_key_views, show_keys
from triage.extractors.interface import FileView
from triage.extractors.pgp.armor import find_armored
from triage.extractors.pgp.extractor import PgpExtractor
from triage.extractors.pgp.homedir import analyse_homedir


@pytest.fixture()
def disk(tmp_path: Path) -> Path:
    root = tmp_path / "disk"
    shutil.copytree(DATA / "home2/.gnupg", root / "home/alice/.gnupg")
    shutil.copytree(DATA / "home1/gnupg-classic", root / "backup/gnupg-classic")
    (root / "home/alice/Mail").mkdir(parents=True)
    shutil.copy(DATA / "vendor-mail.eml", root / "home/alice/Mail/1.eml")
    shutil.copy(DATA / "bob-secret.asc", root / "home/alice/bob.key")
    shutil.copy(DATA / "order.txt.gpg", root / "home/alice/order.txt.gpg")
    shutil.copy(DATA / "order.txt.sig.asc", root / "home/alice/order.txt.sig")
    (root / "home/alice/notes.key").write_bytes(b"Keynote-ish binary \x00\x01 not pgp")
    pkf = CORPUS / "gnupg/derived/migrations/extended-pkf"
    if pkf.exists():
        shutil.copytree(pkf, root / "Users/bob/AppData/Roaming/gnupg")
    return root


def _by_path(result, artefact_type: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for path, finding in result.findings:
        if finding.type == artefact_type:
            out.setdefault(path, []).append(finding.attributes)
    return out


def test_every_key_and_secret_found(disk: Path, tmp_path: Path) -> None:
    result = run_extractor(PgpExtractor(), disk)
    keys = _by_path(result, "pgp.key")
    alice_home = disk / "home/alice/.gnupg"
    copy = tmp_path / "oracle-home"
    shutil.copytree(alice_home, copy)
    copy.chmod(0o700)
    public, secret = list_home(copy), list_home(copy, secret=True)
    kbx = {a["fingerprint"]: a for a in keys["/home/alice/.gnupg/pubring.kbx"]}
    assert sorted(kbx) == sorted(public.primaries)
    assert sorted(f for f, a in kbx.items() if a["has_secret"]) == sorted(secret.secret_primaries)
    # Bob's key is passphrase-protected, Alice's is not (make_samples.sh).
    protected = {a["user_ids"][0].split()[0]: a["secret_protected"] for a in kbx.values()}
    assert protected == {"Alice": False, "Bob": True}

    classic = {a["fingerprint"]: a for a in keys["/backup/gnupg-classic/pubring.gpg"]}
    oracle = show_keys(disk / "backup/gnupg-classic/pubring.gpg", tmp_path / "g1")
    secring = show_keys(disk / "backup/gnupg-classic/secring.gpg", tmp_path / "g2")
    assert sorted(classic) == sorted(oracle.primaries)
    assert sorted(f for f, a in classic.items() if a["has_secret"]) == sorted(
        secring.secret_primaries)
    assert "/backup/gnupg-classic/secring.gpg" not in keys  # merged into the home, not twice

    (mail_key,) = keys["/home/alice/Mail/1.eml"]
    assert mail_key["fingerprint"] in public.primaries and not mail_key["has_secret"]
    (loose,) = keys["/home/alice/bob.key"]
    assert loose["has_secret"] and loose["secret_protected"] and loose["source_format"] == "armored"
    assert "/home/alice/notes.key" not in keys
    assert not [w for w in result.warnings if "notes.key" in str(w[1])]

    homes = _by_path(result, "pgp.homedir")
    (home2,) = homes["/home/alice/.gnupg"]
    assert home2["generation"] == "2.1+"
    assert sorted(home2["own_key_fingerprints"]) == sorted(public.primaries)
    (home1,) = homes["/backup/gnupg-classic"]
    assert home1["generation"] == "1.x"

    messages = _by_path(result, "pgp.message")["/home/alice/order.txt.gpg"]
    bob = next(f for f, a in kbx.items() if a["user_ids"][0].startswith("Bob"))
    bob_subkey_ids = [s[-16:] for s in kbx[bob]["subkeys"]]
    assert messages[0]["recipient_key_ids"] == bob_subkey_ids
    (sig,) = _by_path(result, "pgp.signature")["/home/alice/order.txt.sig"]
    alice = next(f for f, a in kbx.items() if a["user_ids"][0].startswith("Alice"))
    assert sig["issuer_fingerprint"] == alice


def test_portable_home_with_corpus_agent_keys(disk: Path, tmp_path: Path) -> None:
    home = disk / "Users/bob/AppData/Roaming/gnupg"
    if not home.exists():
        pytest.skip("extended-pkf: corpus absent")
    copy = tmp_path / "pkf"
    shutil.copytree(home, copy)
    copy.chmod(0o700)
    secret = list_home(copy, secret=True)
    result = run_extractor(PgpExtractor(), disk)
    keys = _by_path(result, "pgp.key")["/Users/bob/AppData/Roaming/gnupg/pubring.kbx"]
    assert sorted(a["fingerprint"] for a in keys if a["has_secret"]) == sorted(
        secret.secret_primaries)


class _DeletingContext(LocalFolderContext):
    """Reports one file as deleted, as the engine does for unallocated directory entries."""

    deleted_name = ""

    def listdir(self, path: str) -> list[FileView]:
        return [replace(e, deleted=e.name == self.deleted_name) for e in super().listdir(path)]


def test_deleted_agent_key_still_counts(tmp_path: Path) -> None:
    root = tmp_path / "disk"
    shutil.copytree(DATA / "home2/.gnupg", root / ".gnupg")
    grips = sorted(p.name for p in (root / ".gnupg/private-keys-v1.d").iterdir())
    ctx = _DeletingContext(root)
    ctx.deleted_name = grips[0]
    findings = analyse_homedir("/.gnupg", ctx)
    agent = [f for f in findings if f.type == "pgp.agent_key"]
    deleted = [f for f in agent if f.attributes["deleted"]]
    assert len(deleted) == 1 and deleted[0].path.endswith(grips[0])
    owner = deleted[0].attributes["fingerprint"]
    (key,) = [f for f in findings if f.type == "pgp.key" and f.attributes["fingerprint"] == owner]
    assert key.attributes["has_secret"] and key.attributes["deleted_secret_files"] == [
        deleted[0].path]


def test_one_damaged_agent_key_file_costs_only_itself(tmp_path: Path) -> None:
    """The PGP helper's finding: a key file whose S-expression holds a 5,000-digit length
    raised out of the parser and the whole home (keys, secrets) was lost."""
    whole = analyse_homedir("/.gnupg", LocalFolderContext(DATA / "home3"))
    copy = tmp_path / "home3"
    shutil.copytree(DATA / "home3", copy)
    (copy / ".gnupg/private-keys-v1.d" / ("AB" * 20 + ".key")).write_bytes(
        b"(11:private-key(3:rsa(1:n" + b"9" * 5000 + b":x)))")
    context = LocalFolderContext(copy)
    damaged = analyse_homedir("/.gnupg", context)
    assert {f.key for f in whole} <= {f.key for f in damaged}
    assert [f.attributes["has_secret"] for f in damaged if f.type == "pgp.key"] == [
        f.attributes["has_secret"] for f in whole if f.type == "pgp.key"]


def test_curve_home_secrets_and_keygrips_match_gpg(tmp_path: Path) -> None:
    """Found by an audit: brainpool and secp256k1 keys never showed their secret."""
    copy = tmp_path / "home3"
    shutil.copytree(DATA / "home3/.gnupg", copy)
    copy.chmod(0o700)
    public, secret = list_home(copy), list_home(copy, secret=True)
    assert len(public.primaries) == 4 and len(public.grips) == 8
    findings = analyse_homedir("/.gnupg", LocalFolderContext(DATA / "home3"))
    keys = {f.attributes["fingerprint"]: f.attributes for f in findings if f.type == "pgp.key"}
    assert sorted(keys) == sorted(public.primaries)
    assert sorted(f for f, a in keys.items() if a["has_secret"]) == sorted(secret.secret_primaries)
    # Every key and subkey gpg lists has its agent file linked (gpg -K shows them with '+').
    linked = {fpr for a in keys.values() for fpr in a["secret_keys"]}
    assert linked == set(secret.grips)
    agent = [f.attributes for f in findings if f.type == "pgp.agent_key"]
    assert {a["keygrip"]: a["fingerprint"] is not None for a in agent} == {
        grip: True for grip in public.grips.values()}
    # Curve key sizes as gpg gives them (256 for brainpoolP256r1 and secp256k1, ...).
    assert {fpr: a["bits"] for fpr, a in keys.items()} == {
        fpr: public.bits[fpr] for fpr in public.primaries}


def test_home_keeps_revoked_user_ids_and_subkeys_across_keyrings(tmp_path: Path) -> None:
    home = tmp_path / "disk/gnupg"
    home.mkdir(parents=True)
    for armored, keyring in (("carol.asc", "pubring.gpg"), ("carol-secret.asc", "secring.gpg")):
        (home / keyring).write_bytes(next(find_armored((DATA / armored).read_bytes())).data)
    gpg = show_key_views(DATA / "carol.asc", tmp_path / "g")
    (fpr,) = gpg
    findings = analyse_homedir("/gnupg", LocalFolderContext(tmp_path / "disk"))
    (key,) = [f.attributes for f in findings if f.type == "pgp.key"]
    assert key["fingerprint"] == fpr and key["source_format"] == "binary_keyring"
    assert key["revoked_user_ids"] == gpg[fpr].revoked_user_ids
    assert key["revoked_subkeys"] == gpg[fpr].revoked_subkeys
    assert key["expires"] == gpg[fpr].expires
    assert set(key["revoked_subkeys"]) <= set(key["secret_keys"])


def test_backup_keyrings_are_read_with_their_home(tmp_path: Path) -> None:
    """gpg keeps pubring.kbx~ beside the keyring; read apart, it repeated every key with
    has_secret false although the home holds their secrets (PGP auditor)."""
    root = tmp_path / "disk"
    home = root / "home/alice/.gnupg"
    shutil.copytree(DATA / "home2/.gnupg", home)
    shutil.copy(home / "pubring.kbx", home / "pubring.kbx~")
    # (The armored keys of openpgp-revocs.d's certificates are reported apart, as text.)
    keys = [(path, f.attributes) for path, f in run_extractor(PgpExtractor(), root).findings
            if f.type == "pgp.key" and "/openpgp-revocs.d/" not in path]
    fingerprints = [k["fingerprint"] for _, k in keys]
    assert len(fingerprints) == len(set(fingerprints))
    assert {path for path, _ in keys} == {"/home/alice/.gnupg/pubring.kbx"}
    secret = list_home(home, secret=True).secret_primaries
    assert secret and sorted(k["fingerprint"] for _, k in keys if k["has_secret"]) == sorted(secret)
    # A key left only in the backup (deleted from the keyring since) is still reported.
    shutil.copy(DATA / "home3/.gnupg/pubring.kbx", home / "pubring.kbx~")
    only_backup = set(list_home(DATA / "home3/.gnupg").primaries) - set(fingerprints)
    assert only_backup
    found = {f.attributes["fingerprint"]: path for path, f in
             run_extractor(PgpExtractor(), root).findings if f.type == "pgp.key"}
    assert only_backup <= set(found)
    assert all(found[fpr].endswith("/pubring.kbx~") for fpr in only_backup)
