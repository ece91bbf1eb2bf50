"""The PGP / GnuPG extractor plug-in: keys, GnuPG homes, messages and signatures.

Who reports what, so nothing is reported twice:

* A folder named ``.gnupg`` or ``gnupg`` goes to :meth:`PgpExtractor.extract_directory`,
  which reads the whole home; the file hook skips files inside such a folder.
* A keyring in a folder with another name (a copied or portable home) makes the file hook
  analyse that folder as a home, once, from its first keyring file.
* Armored text in text-like files is left to :meth:`scan_bytes` (the engine runs it on
  every text-like file); the file hook only decodes armor in files that are not text-like.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from triage.engine.text import is_text_like
from triage.extractors.interface import (
    ArtefactType,
    AttributeSpec,
    ExtractionContext,
    Extractor,
    FileView,
    Finding,
)
from triage.extractors.pgp.findings import binary_findings, scan_armored
from triage.extractors.pgp.homedir import (
    AGENT_DIR,
    BACKUP_KEYRING_FILES,
    KEYRING_FILES,
    REVOCS_DIR,
    analyse_homedir,
)
from triage.extractors.pgp.sniff import KEY_CTBS, key_packet_at

_HOME_NAMES = frozenset({".gnupg", "gnupg"})

_KEY_ATTRIBUTES = (
    AttributeSpec("kind", "text"),
    AttributeSpec("fingerprint", "text"),
    AttributeSpec("key_id", "text", "Key ID"),
    AttributeSpec("version", "integer"),
    AttributeSpec("algorithm", "text"),
    AttributeSpec("bits", "integer"),
    AttributeSpec("curve", "text"),
    AttributeSpec("created", "datetime"),
    AttributeSpec("expires", "datetime"),
    AttributeSpec("user_ids", "list", "User IDs"),
    AttributeSpec("unbound_user_ids", "list", "User IDs without self-certification"),
    AttributeSpec("self_certified", "bool", "Has self-certified user ID"),
    AttributeSpec("emails", "list", "E-mails"),
    AttributeSpec("subkeys", "list"),
    AttributeSpec("unbound_subkeys", "list", "Subkeys without binding by this key"),
    AttributeSpec("revoked_user_ids", "list", "User IDs revoked by this key"),
    AttributeSpec("revoked_subkeys", "list", "Subkeys revoked by this key"),
    AttributeSpec("revoked", "bool"),
    AttributeSpec("revoked_at", "datetime", "Revoked at"),
    AttributeSpec("revocation_reason_code", "integer"),
    AttributeSpec("revocation_reason", "text"),
    AttributeSpec("revocation_comment", "text"),
    AttributeSpec("issuer_key_id", "text", "Revocation issuer key ID"),
    AttributeSpec("issuer_fingerprint", "text", "Revocation issuer fingerprint"),
    AttributeSpec("designated_revokers", "list"),
    AttributeSpec("has_secret", "bool", "Secret key present"),
    AttributeSpec("secret_protected", "bool", "Passphrase-protected"),
    AttributeSpec("secret_keys", "list", "Keys with secret present"),
    AttributeSpec("secret_files", "list", "Agent key files"),
    AttributeSpec("deleted_secret_files", "list"),
    AttributeSpec("source_format", "text"),
    AttributeSpec("homedir", "text", "GnuPG home"),
    AttributeSpec("own_key", "bool", "Has revocation certificate in home"),
    AttributeSpec("armor", "text"),
    AttributeSpec("crc_ok", "bool", "Armor CRC OK"),
    AttributeSpec("warnings", "list"),
)

PGP_KEY = ArtefactType(
    "pgp.key", "PGP key", "PGP keys", _KEY_ATTRIBUTES,
    columns=("fingerprint", "user_ids", "has_secret", "secret_protected", "algorithm", "created",
             "source_format"),
)
PGP_AGENT_KEY = ArtefactType(
    "pgp.agent_key", "GnuPG agent key file", "PGP keys",
    (
        AttributeSpec("keygrip", "text"),
        AttributeSpec("computed_keygrip", "text"),
        AttributeSpec("fingerprint", "text", "Linked key fingerprint"),
        AttributeSpec("file_format", "text"),
        AttributeSpec("kind", "text"),
        AttributeSpec("algorithm", "text"),
        AttributeSpec("bits", "integer"),
        AttributeSpec("curve", "text"),
        AttributeSpec("created", "datetime"),
        AttributeSpec("has_secret", "bool", "Secret key present"),
        AttributeSpec("secret_protected", "bool", "Passphrase-protected"),
        AttributeSpec("deleted", "bool"),
    ),
    columns=("keygrip", "fingerprint", "kind", "algorithm", "curve", "bits"),
)
PGP_HOMEDIR = ArtefactType(
    "pgp.homedir", "GnuPG home", "PGP",
    (
        AttributeSpec("generation", "text", "GnuPG generation"),
        AttributeSpec("keyrings", "list"),
        AttributeSpec("fingerprints", "list"),
        AttributeSpec("secret_fingerprints", "list", "Keys with secret"),
        AttributeSpec("own_key_fingerprints", "list", "Revocation certificates for"),
        AttributeSpec("agent_key_files", "integer"),
        AttributeSpec("trustdb", "bool", "trustdb.gpg present"),
    ),
    columns=("generation", "fingerprints", "secret_fingerprints", "own_key_fingerprints"),
)
PGP_MESSAGE = ArtefactType(
    "pgp.message", "PGP message", "PGP",
    (
        AttributeSpec("encrypted", "bool"),
        AttributeSpec("recipient_key_ids", "list", "Recipient key IDs"),
        AttributeSpec("recipient_fingerprints", "list"),
        AttributeSpec("passphrase_encrypted", "bool"),
        AttributeSpec("signer_key_ids", "list", "Signer key IDs"),
        AttributeSpec("signer_fingerprints", "list"),
        AttributeSpec("armor", "text"),
        AttributeSpec("crc_ok", "bool", "Armor CRC OK"),
        AttributeSpec("warnings", "list"),
    ),
    columns=("recipient_key_ids", "signer_key_ids", "encrypted", "passphrase_encrypted"),
)
PGP_SIGNATURE = ArtefactType(
    "pgp.signature", "PGP signature", "PGP",
    (
        AttributeSpec("issuer_key_id", "text", "Issuer key ID"),
        AttributeSpec("issuer_fingerprint", "text"),
        AttributeSpec("signature_type", "text"),
        AttributeSpec("created", "datetime"),
        AttributeSpec("hash_algorithm", "text"),
        AttributeSpec("version", "integer"),
        AttributeSpec("cleartext_signed", "bool"),
        AttributeSpec("armor", "text"),
        AttributeSpec("crc_ok", "bool", "Armor CRC OK"),
        AttributeSpec("warnings", "list"),
    ),
    columns=("issuer_key_id", "issuer_fingerprint", "signature_type", "created"),
)


def _home_role(entry: FileView) -> tuple[str, bool]:
    """(folder a home analysis would start from, whether that analysis covers this file)."""
    parent = entry.parent
    head, _, last = parent.rpartition("/")
    if last.lower() in (AGENT_DIR, REVOCS_DIR):
        return head or "/", True
    return parent, entry.name.lower() in (*KEYRING_FILES, *BACKUP_KEYRING_FILES, "trustdb.gpg")


class PgpExtractor(Extractor):
    """Finds OpenPGP keys (with secret presence), GnuPG homes, messages and signatures."""

    NAME = "pgp"
    VERSION = "1.4"
    DESCRIPTION = (
        "OpenPGP keys in keyrings, keyboxes, agent key files and armored text, GnuPG homes "
        "(which keys have their secret half present), encrypted messages and signatures."
    )
    ARTEFACT_TYPES = (PGP_KEY, PGP_AGENT_KEY, PGP_HOMEDIR, PGP_MESSAGE, PGP_SIGNATURE)

    FILENAMES = frozenset({*KEYRING_FILES, "trustedkeys.gpg", "trustedkeys.kbx"})
    EXTENSIONS = frozenset({"asc", "gpg", "pgp", "key", "sig", "kbx", "rev", "pkr", "skr"})
    PATH_GLOBS = ("*/private-keys-v1.d/*", "*/openpgp-revocs.d/*")
    MIME_TYPES = frozenset({"application/pgp-keys", "application/pgp-encrypted",
                            "application/pgp-signature", "application/x-gnupg-keyring",
                            "application/vnd.gnupg.keybox"})
    SIGNATURES = ((8, b"KBXf"),)
    DIRECTORY_NAMES = _HOME_NAMES
    SCANS_TEXT = True
    TEXT_MARKERS = (b"-----BEGIN PGP",)

    def wants_by_content(self, entry: FileView, head: bytes, mime: str | None) -> bool:
        """The declared signatures and MIME types, and any file that starts with a
        plausible OpenPGP key packet: binary key exports under any name (``backup.dat``,
        a bare packet file), which neither the extension nor the quick profile's typing
        tells. One byte decides for all but about 3% of files; see :mod:`sniff`."""
        if super().wants_by_content(entry, head, mime):
            return True
        return bool(head) and head[0] in KEY_CTBS and key_packet_at(head) is not None

    def extract(self, entry: FileView, data: bytes, ctx: ExtractionContext) -> Iterable[Finding]:
        """Parse a keyring, keybox, agent key file, binary message/signature or armored file."""
        home, covered = _home_role(entry)
        if covered:
            if home.rsplit("/", 1)[-1].lower() in _HOME_NAMES:
                return []  # extract_directory reads this home
            anchor = self._home_anchor(home, ctx)
            if anchor is not None:
                is_anchor = entry.parent == home and entry.name.lower() == anchor
                return analyse_homedir(home, ctx) if is_anchor else []
        try:
            findings, warnings = binary_findings(data)
            if not findings and not warnings and not is_text_like(entry.mime, data[:4096]):
                findings = list(scan_armored(data))
                warnings = [w for f in findings for w in f.attributes.get("warnings", [])]
        except (ValueError, IndexError, OverflowError, RecursionError) as exc:
            ctx.warn(f"pgp: could not parse {entry.name}: {exc}", entry.path)
            return []
        for warning in warnings[:50]:
            ctx.warn(f"pgp: {warning}", entry.path)
        return findings

    @staticmethod
    def _home_anchor(home: str, ctx: ExtractionContext) -> str | None:
        """The keyring (lower-case name) from which a home folder is analysed, if any."""
        entries = [e for e in ctx.listdir(home) if e.name.lower() in KEYRING_FILES]
        if not entries:
            return None
        entries.sort(key=lambda e: (e.deleted, KEYRING_FILES.index(e.name.lower())))
        return entries[0].name.lower()

    def extract_directory(self, entry: FileView, ctx: ExtractionContext) -> Iterable[Finding]:
        """Analyse a '.gnupg' / 'gnupg' folder as a GnuPG home (nothing if it is not one)."""
        names = {e.name.lower() for e in ctx.listdir(entry.path)}
        if not names & {*KEYRING_FILES, AGENT_DIR, REVOCS_DIR}:
            return []
        try:
            return analyse_homedir(entry.path, ctx)
        except (ValueError, IndexError, OverflowError, RecursionError) as exc:
            ctx.warn(f"pgp: could not analyse GnuPG home: {exc}", entry.path)
            return []

    def scan_bytes(self, data: bytes) -> Iterator[Finding]:
        """Armored OpenPGP blocks (all kinds) anywhere in ``data``, each with its offset."""
        try:
            yield from scan_armored(data)
        except (ValueError, IndexError, OverflowError, RecursionError):
            return
