"""A GnuPG home folder as a whole: its keyrings, agent key files and revocation certificates.

Keys from pubring.kbx / pubring.gpg / secring.gpg are merged by fingerprint, then each
key and subkey is linked to ``private-keys-v1.d/<keygrip>.key`` by its keygrip, so
``has_secret`` is true on the right primary key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from triage.extractors.interface import ExtractionContext, FileView, Finding
from triage.extractors.pgp import packets as pk
from triage.extractors.pgp.agentkey import AgentKey, parse_agent_key
from triage.extractors.pgp.armor import find_armored
from triage.extractors.pgp.findings import agent_key_attributes
from triage.extractors.pgp.keybox import is_keybox, parse_keybox
from triage.extractors.pgp.keygrip import openpgp_keygrip
from triage.extractors.pgp.openpgp import PgpKey, merge_self_signatures, parse_openpgp
from triage.extractors.pgp.signature import parse_signature

KEYRING_FILES = ("pubring.kbx", "pubring.gpg", "secring.gpg")
#: The copies gpg keeps of each keyring before it rewrites one: read with the home, since
#: a key deleted from the keyring may be left only there.
BACKUP_KEYRING_FILES = tuple(f"{name}~" for name in KEYRING_FILES)
AGENT_DIR = "private-keys-v1.d"
REVOCS_DIR = "openpgp-revocs.d"
MAX_AGENT_FILES = 10_000
_HEX_NAME = re.compile(r"^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})\.(key|rev)$")


@dataclass
class _KeyAtHome:
    key: PgpKey
    path: str
    offset: int
    formats: list[str] = field(default_factory=list)
    agent_secrets: list[tuple[str, AgentKey, str, bool]] = field(default_factory=list)


def _join(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


def _entries(ctx: ExtractionContext, folder: str) -> dict[str, FileView]:
    """Children by lower-cased name, allocated entries winning over deleted namesakes."""
    out: dict[str, FileView] = {}
    for entry in ctx.listdir(folder):
        name = entry.name.lower()
        if name not in out or (out[name].deleted and not entry.deleted):
            out[name] = entry
    return out


def is_homedir(ctx: ExtractionContext, folder: str) -> bool:
    """True when the folder holds a keyring or an agent key folder."""
    names = _entries(ctx, folder)
    return any(name in names for name in (*KEYRING_FILES, AGENT_DIR))


def _merge(keys: dict[str, _KeyAtHome], key: PgpKey, path: str, offset: int, fmt: str) -> None:
    fpr = key.primary.fingerprint
    if fpr is None:
        return
    known = keys.get(fpr)
    if known is None:
        keys[fpr] = _KeyAtHome(key, path, offset, [fmt])
        return
    if fmt not in known.formats:
        known.formats.append(fmt)
    # Keep the public certificate's user IDs but learn secrets from secring packets.
    by_fpr = {sub.fingerprint: sub for sub in known.key.all_keys()}
    for other in key.all_keys():
        mine = by_fpr.get(other.fingerprint)
        if mine is None and other is not key.primary:
            known.key.subkeys.append(other)
        elif mine is not None and other.secret and not mine.secret:
            mine.secret, mine.secret_protected, mine.secret_stub = (
                True, other.secret_protected, other.secret_stub)
    for uid in key.user_ids:
        if uid not in known.key.user_ids:
            known.key.user_ids.append(uid)
    known.key.certified_user_ids |= key.certified_user_ids
    known.key.bound_subkeys |= key.bound_subkeys
    merge_self_signatures(known.key, key)
    known.key.designated_revokers.extend(
        fpr for fpr in key.designated_revokers if fpr not in known.key.designated_revokers)
    known.key.revoked = known.key.revoked or key.revoked
    known.key.revocation = known.key.revocation or key.revocation


def _read_keyrings(ctx: ExtractionContext, folder: str, names: dict[str, FileView],
                   keys: dict[str, _KeyAtHome]) -> list[str]:
    present = []
    for name in (*KEYRING_FILES, *BACKUP_KEYRING_FILES):
        entry = names.get(name)
        if entry is None or entry.kind != "file":
            continue
        present.append(entry.name)
        path = _join(folder, entry.name)
        data = ctx.read(path)
        if not data:
            continue
        if is_keybox(data):
            box = parse_keybox(data)
            for warning in box.warnings:
                ctx.warn(f"pgp: {warning}", path)
            blocks = box.keyblocks
            fmt = "keybox"
        else:
            blocks = [(0, data)]
            fmt = "binary_keyring"
        for base, block in blocks:
            content = parse_openpgp(block)
            for warning in content.warnings[:50]:
                ctx.warn(f"pgp: {warning}", path)
            for key in content.keys:
                _merge(keys, key, path, base + key.offset, fmt)
    return present


def _read_agent_keys(ctx: ExtractionContext, folder: str) -> list[tuple[str, AgentKey, str, bool]]:
    """(keygrip, parsed key, path, deleted) for every agent key file, deleted ones too."""
    out = []
    for entry in ctx.listdir(folder)[:MAX_AGENT_FILES]:
        if entry.kind != "file" or not entry.name.lower().endswith(".key"):
            continue
        path = _join(folder, entry.name)
        data = ctx.read(path, 1024 * 1024)
        if not data:
            continue
        key = parse_agent_key(data)
        for warning in key.warnings:
            ctx.warn(f"pgp: {warning}", path)
        match = _HEX_NAME.match(entry.name)
        grip = match.group(1).upper() if match else key.keygrip
        if grip:
            out.append((grip, key, path, entry.deleted))
    return out


def _read_revocations(ctx: ExtractionContext, folder: str) -> list[str]:
    fingerprints: list[str] = []
    for entry in ctx.listdir(folder)[:MAX_AGENT_FILES]:
        if entry.kind != "file" or not entry.name.lower().endswith(".rev"):
            continue
        match = _HEX_NAME.match(entry.name)
        fpr = match.group(1).upper() if match else None
        data = ctx.read(_join(folder, entry.name), 1024 * 1024) or b""
        for block in find_armored(data):
            for packet, _ in pk.iter_packets(block.data):
                sig = parse_signature(packet.body) if packet and packet.tag == 2 else None
                if sig is not None and sig.issuer_fingerprint:
                    fpr = sig.issuer_fingerprint
        if fpr and fpr not in fingerprints:
            fingerprints.append(fpr)
    return fingerprints


def _link_secrets(keys: dict[str, _KeyAtHome], agent: list[tuple[str, AgentKey, str, bool]]) -> None:
    by_grip: dict[str, list[tuple[str, AgentKey, str, bool]]] = {}
    for item in agent:
        by_grip.setdefault(item[0], []).append(item)
    for home_key in keys.values():
        for sub in home_key.key.all_keys():
            grip = openpgp_keygrip(sub.algorithm_id, sub.curve, sub.params)
            for item in by_grip.get(grip or "", []):
                if item[1].has_secret:
                    home_key.agent_secrets.append((sub.fingerprint or "", *item[1:]))


def _key_attributes(home_key: _KeyAtHome, homedir: str, own: list[str]) -> dict[str, Any]:
    key = home_key.key
    attributes = key.attributes("+".join(home_key.formats))
    secret_fprs = list(attributes["secret_keys"])
    states = [] if attributes["secret_protected"] is None else [attributes["secret_protected"]]
    deleted_sources = []
    for fpr, agent_key, path, deleted in home_key.agent_secrets:
        if fpr not in secret_fprs:
            secret_fprs.append(fpr)
        states.append(agent_key.secret_protected)
        if deleted:
            deleted_sources.append(path)
    attributes["has_secret"] = bool(secret_fprs)
    attributes["secret_keys"] = secret_fprs
    if False in states:
        attributes["secret_protected"] = False
    elif states and all(state is True for state in states):
        attributes["secret_protected"] = True
    else:
        attributes["secret_protected"] = None
    attributes["secret_files"] = [item[2] for item in home_key.agent_secrets]
    if deleted_sources:
        attributes["deleted_secret_files"] = deleted_sources
    attributes["homedir"] = homedir
    attributes["own_key"] = key.primary.fingerprint in own
    return attributes


def analyse_homedir(folder: str, ctx: ExtractionContext) -> list[Finding]:
    """Findings for one GnuPG home: pgp.key per key, pgp.agent_key per file, pgp.homedir."""
    names = _entries(ctx, folder)
    keys: dict[str, _KeyAtHome] = {}
    keyrings = _read_keyrings(ctx, folder, names, keys)
    agent = _read_agent_keys(ctx, _join(folder, AGENT_DIR)) if AGENT_DIR in names else []
    own = _read_revocations(ctx, _join(folder, REVOCS_DIR)) if REVOCS_DIR in names else []
    _link_secrets(keys, agent)
    findings: list[Finding] = []
    linked_grips: dict[str, str] = {}
    for fpr, home_key in keys.items():
        attributes = _key_attributes(home_key, folder, own)
        findings.append(Finding("pgp.key", attributes, offset=home_key.offset, path=home_key.path))
        for item in home_key.agent_secrets:
            linked_grips[item[2]] = fpr
    for grip, agent_key, path, deleted in agent:
        attributes = agent_key_attributes(agent_key, grip)
        attributes["fingerprint"] = linked_grips.get(path)
        attributes["deleted"] = deleted
        findings.append(Finding("pgp.agent_key", attributes, path=path))
    generations = []
    if "pubring.kbx" in names or AGENT_DIR in names:
        generations.append("2.1+")
    if "pubring.gpg" in names or "secring.gpg" in names:
        generations.append("1.x")
    secret = [f.attributes["fingerprint"] for f in findings
              if f.type == "pgp.key" and f.attributes["has_secret"]]
    findings.append(Finding("pgp.homedir", {
        "generation": "+".join(generations) or None,
        "keyrings": keyrings,
        "fingerprints": list(keys),
        "secret_fingerprints": secret,
        "own_key_fingerprints": own,
        "agent_key_files": len(agent),
        "trustdb": "trustdb.gpg" in names,
    }, path=folder))
    return findings
