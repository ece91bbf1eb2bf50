#!/bin/sh
# Regenerate carol.asc (and carol-secret.asc, no passphrase): a key whose parts gpg revoked
# after the fact (needs gpg 2.2+; no network). Keys are fresh on each run: tests compare
# with gpg --show-keys.
#   * 'Carol Back' is revoked (0x30) and later certified again (gpg lets the newer
#     self-signature win), in a second home whose signatures are merged back;
#   * 'Carol Old' is revoked after that;
#   * the signing subkey is revoked (0x28);
#   * Dave is made a designated revoker: a direct-key signature (0x1F) without a key
#     expiration time, made after the user IDs' self-signatures that set one (3 years).
# And latin1-uids.gpg: one key with two user IDs that are not UTF-8 and differ in one
# byte ("Ren\351", "Ren\350": Latin-1 e-acute and e-grave), the second revoked.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'for h in a b; do gpgconf --homedir "$WORK/$h" --kill gpg-agent 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
A="$WORK/a"
B="$WORK/b"
mkdir -m 700 "$A" "$B"
in_() { home=$1; shift; gpg --homedir "$home" --batch --pinentry-mode loopback --passphrase '' "$@"; }
edit() { in_ "$1" --command-fd 0 --status-fd 2 --edit-key "$2" 2>/dev/null; }

in_ "$A" --quick-gen-key 'Carol Courier <carol@example.org>' ed25519 cert,sign 3y
CAROL=$(gpg --homedir "$A" --with-colons --list-keys carol@example.org | awk -F: '/^fpr/{print $10; exit}')
in_ "$A" --quick-gen-key 'Dave Revoker <dave@example.org>' ed25519 cert,sign never
DAVE=$(gpg --homedir "$A" --with-colons --list-keys dave@example.org | awk -F: '/^fpr/{print $10; exit}')
in_ "$A" --quick-add-uid "$CAROL" 'Carol Old <carol@old.example>'
in_ "$A" --quick-add-uid "$CAROL" 'Carol Back <carol@back.example>'
in_ "$A" --quick-add-key "$CAROL" cv25519 encr 3y
in_ "$A" --quick-add-key "$CAROL" ed25519 sign 3y
# Second home: the key as it was before any revocation.
in_ "$A" --export-secret-keys "$CAROL" > "$WORK/carol.sec"
in_ "$B" --import "$WORK/carol.sec"
sleep 2
in_ "$A" --quick-revoke-uid "$CAROL" 'Carol Back <carol@back.example>'
printf 'key 2\nrevkey\ny\n0\n\ny\nsave\n' | edit "$A" "$CAROL"
sleep 2
# A newer self-certification of every user ID (setting the expiry again re-signs them),
# made where 'Carol Back' is not revoked, then merged back.
in_ "$B" --quick-set-expire "$CAROL" 3y
in_ "$B" --export "$CAROL" > "$WORK/carol.b"
in_ "$A" --import "$WORK/carol.b"
sleep 2
in_ "$A" --quick-revoke-uid "$CAROL" 'Carol Old <carol@old.example>'
printf 'addrevoker\n%s\ny\nsave\n' "$DAVE" | edit "$A" "$CAROL"
in_ "$A" --armor --export "$CAROL" > "$HERE/carol.asc"
in_ "$A" --armor --export-secret-keys "$CAROL" > "$HERE/carol-secret.asc"
in_ "$A" --quick-gen-key "$(printf 'Ren\351 <r@x.org>')" ed25519 cert,sign never
RENE=$(gpg --homedir "$A" --with-colons --list-keys r@x.org | awk -F: '/^fpr/{print $10; exit}')
in_ "$A" --utf8-strings --quick-add-uid "$RENE" "$(printf 'Ren\350 <r@x.org>')"
in_ "$A" --utf8-strings --quick-revoke-uid "$RENE" "$(printf 'Ren\350 <r@x.org>')"
in_ "$A" --export "$RENE" > "$HERE/latin1-uids.gpg"
echo "carol=$CAROL dave=$DAVE rene=$RENE"
