#!/bin/sh
# Regenerate latin1-uids.gpg (needs gpg 2.2+; no network): one ed25519 key with two user
# IDs that are not UTF-8 and differ in one byte ("Ren\351" and "Ren\350", Latin-1
# e-acute and e-grave), the second revoked. Tests compare with gpg --show-keys.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'gpgconf --homedir "$WORK/g" --kill gpg-agent 2>/dev/null || true; rm -rf "$WORK"' EXIT
G="$WORK/g"
mkdir -m 700 "$G"
gpg_() { gpg --homedir "$G" --batch --pinentry-mode loopback "$@"; }
gpg_ --passphrase '' --quick-gen-key "$(printf 'Ren\351 <r@x.org>')" ed25519 cert,sign never
FPR=$(gpg --homedir "$G" --with-colons --list-keys | awk -F: '/^fpr/{print $10; exit}')
gpg_ --utf8-strings --quick-add-uid "$FPR" "$(printf 'Ren\350 <r@x.org>')"
gpg_ --utf8-strings --quick-revoke-uid "$FPR" "$(printf 'Ren\350 <r@x.org>')"
gpg_ --export "$FPR" > "$HERE/latin1-uids.gpg"
