#!/bin/sh
# Regenerate home3/: a GnuPG 2.2 home with keys on the brainpool curves and secp256k1
# (needs gpg 2.2+; no network). Keys are fresh on each run: tests compare with gpg -K.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'gpgconf --homedir "$WORK/g" --kill gpg-agent 2>/dev/null || true; rm -rf "$WORK"' EXIT
G="$WORK/g"
mkdir -m 700 "$G"
gpg_() { gpg --homedir "$G" --batch --pinentry-mode loopback --passphrase '' "$@"; }

for CURVE in brainpoolP256r1 brainpoolP384r1 brainpoolP512r1 secp256k1; do
  gpg_ --quick-gen-key "Curve $CURVE <$CURVE@example.org>" "$CURVE" cert,sign never
  FPR=$(gpg --homedir "$G" --with-colons --list-keys "$CURVE@example.org" | awk -F: '/^fpr/{print $10; exit}')
  gpg_ --quick-add-key "$FPR" "$CURVE" encr never
done

rm -rf "$HERE/home3"
mkdir -p "$HERE/home3/.gnupg"
cp "$G/pubring.kbx" "$HERE/home3/.gnupg/"
cp -r "$G/private-keys-v1.d" "$HERE/home3/.gnupg/"
