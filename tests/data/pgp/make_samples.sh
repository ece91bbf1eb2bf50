#!/bin/sh
# Regenerate the self-made PGP samples in this folder (needs gpg 2.2+; no network).
# Keys are fresh each run, so tests compare against gpg's own listing, not fixed values.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'gpgconf --homedir "$WORK/g" --kill gpg-agent 2>/dev/null || true; rm -rf "$WORK"' EXIT
G="$WORK/g"
mkdir -m 700 "$G"
gpg_() { gpg --homedir "$G" --batch --pinentry-mode loopback "$@"; }

# Alice: ed25519 primary + cv25519 subkey, no passphrase (a vendor key).
gpg_ --passphrase '' --quick-gen-key 'Alice Vendor <alice@example.org>' ed25519 cert,sign 2y
ALICE=$(gpg --homedir "$G" --with-colons --list-keys alice@example.org | awk -F: '/^fpr/{print $10; exit}')
gpg_ --passphrase '' --quick-add-key "$ALICE" cv25519 encr 2y
# Bob: RSA 2048 with RSA subkey, passphrase-protected.
gpg_ --passphrase 'secret' --quick-gen-key 'Bob Buyer <bob@example.net>' rsa2048 cert,sign never
BOB=$(gpg --homedir "$G" --with-colons --list-keys bob@example.net | awk -F: '/^fpr/{print $10; exit}')
gpg_ --passphrase 'secret' --quick-add-key "$BOB" rsa2048 encr never

rm -rf "$HERE/home2" "$HERE/home1"
mkdir -p "$HERE/home2/.gnupg" "$HERE/home1/gnupg-classic"
# GnuPG 2.x home as it lies on disk (without sockets and the random seed).
cp "$G/pubring.kbx" "$G/trustdb.gpg" "$HERE/home2/.gnupg/"
cp -r "$G/private-keys-v1.d" "$G/openpgp-revocs.d" "$HERE/home2/.gnupg/"
# GnuPG 1.x style home: binary pubring.gpg + secring.gpg (Bob only) in an unusual folder name.
gpg_ --export "$ALICE" "$BOB" > "$HERE/home1/gnupg-classic/pubring.gpg"
gpg_ --passphrase 'secret' --export-secret-keys "$BOB" > "$HERE/home1/gnupg-classic/secring.gpg"

# Loose artefacts.
gpg_ --armor --export "$ALICE" > "$WORK/alice.pub.asc"
{
  printf 'From: Alice <alice@example.org>\r\nTo: buyer@example.net\r\nSubject: my key\r\n'
  printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nHi, encrypt your address to this:\r\n\r\n'
  sed 's/$/\r/' "$WORK/alice.pub.asc"
  printf '\r\nthanks\r\n'
} > "$HERE/vendor-mail.eml"
gpg_ --armor --passphrase '' --export-secret-keys "$ALICE" > "$HERE/alice-secret.asc"
gpg_ --armor --passphrase 'secret' --export-secret-keys "$BOB" > "$HERE/bob-secret.asc"
printf 'ship to: 1 Example Street\n' > "$WORK/order.txt"
gpg_ --armor --trust-model always -r "$BOB" -r "$ALICE" --encrypt -o "$HERE/order.txt.asc" "$WORK/order.txt"
gpg_ --trust-model always -r "$BOB" --encrypt -o "$HERE/order.txt.gpg" "$WORK/order.txt"
gpg_ --passphrase '' -u "$ALICE" --armor --detach-sign -o "$HERE/order.txt.sig.asc" "$WORK/order.txt"
gpg_ --passphrase '' -u "$ALICE" --clearsign -o "$HERE/announce.txt" "$WORK/order.txt"
echo "alice=$ALICE bob=$BOB"
