#!/usr/bin/env bash
# Build tests/data/images/seized_laptop.E01, the "seized laptop" acceptance and demo image.
#
# Needs root (the NTFS partition is filled through an ntfs-3g FUSE mount of a scratch
# image) and: mkntfs ntfs-3g mke2fs debugfs sfdisk dd exiftool ewfacquire.
# Run from anywhere:  sudo bash tests/data/images/seized_laptop/build.sh
#
# Only self-made samples are staged: the trees next to this script (ntfs/, ext4/,
# outside/) and the generated samples under tests/data/{pgp,crypto,tor,metadata}/ (all
# self-made, see their SOURCES.md). Nothing from ../shared/corpus goes in.
# EXPECTED.md lists what is planted where; the offsets below are repeated in
# tests/test_acceptance.py (which checks them against the image with libewf).
#
# Disk (512-byte sectors, 15 MiB, MBR):
#   sectors     0 ..  2047  MBR + empty gap
#   sectors  2048 .. 18431  partition 1, NTFS "Windows" (8 MiB)
#   sectors 18432 .. 20479  gap (1 MiB): gap_note.txt at byte GAP_NOTE_OFFSET
#   sectors 20480 .. 28671  partition 2, ext4 "Linux server" (4 MiB)
#   sectors 28672 .. 30719  unpartitioned tail (1 MiB): tail_note.txt at TAIL_NOTE_OFFSET
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="$(cd "$HERE/../.." && pwd)"          # tests/data
OUT="$(cd "$HERE/.." && pwd)"              # tests/data/images
EPOCH="${SOURCE_DATE_EPOCH:-1559840000}"   # 2019-06-06, the laptop's "last used" day
STAMP="$(date -u -d "@$EPOCH" +%Y%m%d%H%M.%S)"
export E2FSPROGS_FAKE_TIME="$EPOCH" SOURCE_DATE_EPOCH="$EPOCH"

GAP_NOTE_OFFSET=9441403     # inside the gap between the partitions (not sector-aligned)
TAIL_NOTE_OFFSET=14745607   # inside the unpartitioned tail

WORK="$(mktemp -d)"
MNT="$WORK/mnt"
mkdir -p "$MNT"
cleanup() {
    mountpoint -q "$MNT" && umount "$MNT"
    rm -rf "$WORK"
}
trap cleanup EXIT

# -- generated sample: a GPS JPEG hidden as a DLL ---------------------------------------
# Made from the self-made IMG_0001.jpg with other camera and coordinates (exiftool writes
# the same bytes for the same input), committed so the tests can read it with exiftool.
# exiftool refuses to write a file named .dll, hence the detour through a .jpg.
exiftool -q -o "$WORK/hidden.jpg" -Make=HiddenCam -Model=HC-7 \
    -GPSLatitude=48.858222 -GPSLatitudeRef=N -GPSLongitude=2.2945 -GPSLongitudeRef=E \
    "$DATA/metadata/photos/IMG_0001.jpg"
mv "$WORK/hidden.jpg" "$HERE/ntfs/Windows/System32/wmphoto32.dll"

# -- the NTFS "Windows" tree ----------------------------------------------------------------
W="$WORK/ntfs"
A="$W/Users/alice"
mkdir -p "$W"
cp -a "$HERE/ntfs/." "$W/"
mkdir -p "$A/AppData/Roaming/gnupg" "$A/Pictures" "$A/AppData/Roaming/Electrum/wallets" \
    "$A/AppData/Roaming/Ethereum/keystore" "$A/AppData/Roaming/Exodus" "$A/AppData/Roaming/tor" \
    "$W/Windows/Prefetch"
cp -a "$DATA/pgp/home2/.gnupg/." "$A/AppData/Roaming/gnupg/"
cp "$DATA/pgp/vendor-mail.eml" "$A/Documents/vendor-mail.eml"
cp "$HERE/outside/gap_note.txt" "$A/Documents/contact-card.txt"
cp "$DATA/metadata/documents/report.docx" "$DATA/metadata/documents/invoice.pdf" "$A/Documents/"
cp "$DATA/metadata/photos/IMG_0001.jpg" "$DATA/metadata/photos/IMG_0002.heic" \
    "$DATA/metadata/photos/scan_0003.tif" "$A/Pictures/"
CT="$DATA/crypto/tree"
cp "$CT/home/alice/.electrum/wallets/default_wallet" "$A/AppData/Roaming/Electrum/wallets/"
cp "$CT"/home/alice/.ethereum/keystore/UTC--* "$A/AppData/Roaming/Ethereum/keystore/"
cp -a "$CT/home/alice/.config/Exodus/exodus.wallet" "$A/AppData/Roaming/Exodus/"
cp -a "$CT/Users/bob/AppData/." "$A/AppData/"        # Chrome extension vault, Bither, mSIGNA
cp -a "$DATA/tor/laptop/Users/bob/AppData/Roaming/tor/onion-auth" "$A/AppData/Roaming/tor/"
cp "$DATA/tor/laptop/Users/bob/Documents/notes-utf16.txt" "$A/Documents/"
cp "$DATA"/tor/laptop/Windows/Prefetch/*.pf "$W/Windows/Prefetch/"
TBP="$A/Desktop/Tor Browser/Browser/TorBrowser/Data/Browser/profile.default"
cp "$DATA/tor/profile/places.sqlite" "$DATA/tor/profile/sessionstore.jsonlz4" "$TBP/"
# Hostile names for the HTML-escaping check (made here: they cannot be checked out on Windows).
mkdir -p "$A/Downloads/<script>alert(1)<"
printf 'mirror http://rnq3366blkkefikari3iilgxq65oucjkr4clv7b42p252o22mvpzg7qd.onion/\n' \
    > "$A/Downloads/<script>alert(1)</script>"
printf 'see http://25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion/\n' \
    > "$A/Downloads/<img src=x onerror=alert(1)>.txt"
# A download with its Mark-of-the-Web stream.
printf 'MZ\x90\x00 placeholder installer for the seized-laptop test image\n' \
    > "$A/Downloads/torbrowser-install-win64-8.5.1_en-US.exe"
printf '[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://www.torproject.org/download/\r\nHostUrl=https://www.torproject.org/dist/torbrowser/8.5.1/torbrowser-install-win64-8.5.1_en-US.exe\r\n' \
    > "$WORK/zone.identifier"
find "$W" -exec touch -h -t "$STAMP" {} +

make_ntfs() {
    local image="$1"
    rm -f "$image"
    truncate -s 8M "$image"
    mkntfs -q -F -T -s 512 -L Windows -p 2048 -H 255 -S 63 "$image" >/dev/null
    ntfs-3g -o streams_interface=windows "$image" "$MNT"
    (cd "$W" && find . -mindepth 1 -type d | sort | while read -r d; do mkdir -p "$MNT/$d"; done)
    (cd "$W" && find . -type f | sort | while read -r f; do cp "$f" "$MNT/$f"; done)
    cat "$WORK/zone.identifier" \
        > "$MNT/Users/alice/Downloads/torbrowser-install-win64-8.5.1_en-US.exe:Zone.Identifier"
    # The deleted armored secret key: written, flushed, deleted (its MFT record stays).
    cp "$DATA/pgp/alice-secret.asc" "$MNT/Users/alice/Documents/backup-secret-key.asc"
    sync
    rm "$MNT/Users/alice/Documents/backup-secret-key.asc"
    sync
    umount "$MNT"
}

# -- the ext4 "Linux server" tree -----------------------------------------------------------
L="$WORK/ext4"
B="$L/home/bob"
mkdir -p "$L"
cp -a "$HERE/ext4/." "$L/"
mkdir -p "$B/.gnupg" "$B/wallets" "$B/.electrum/wallets" "$B/.armory" "$L/var/lib/tor"
cp "$DATA/pgp/home1/gnupg-classic/pubring.gpg" "$DATA/pgp/home1/gnupg-classic/secring.gpg" "$B/.gnupg/"
TS="$DATA/tor/server/var/lib/tor"
cp -a "$TS/market_v3" "$L/var/lib/tor/hidden_service_v3"
cp -a "$TS/legacy_v2" "$L/var/lib/tor/hidden_service_v2"
cp "$TS/state" "$L/var/lib/tor/state"
cp "$CT/home/alice/MultiBit/multibit.wallet" "$B/wallets/multibit.wallet"
cp -a "$CT/home/alice/Monero" "$B/Monero"
cp "$CT/home/alice/.armory/armory_2xCdCyG3_.wallet" "$B/.armory/"
cp "$CT/home/alice/.electrum/wallets/default_wallet" "$B/.electrum/wallets/default_wallet"
cp "$HERE/outside/tail_note.txt" "$B/notes/handover.txt"
find "$L" -exec touch -h -t "$STAMP" {} +

make_ext4() {
    local image="$1"
    rm -f "$image"
    mke2fs -q -F -t ext4 -b 1024 -L "Linux server" -U 5e12ed1a-0000-4000-8000-000000000001 \
        -E hash_seed=5e12ed1a-0000-4000-8000-000000000002,lazy_itable_init=0 \
        -d "$L" "$image" 4M >/dev/null
    # Deleted wallets: debugfs on the unmounted image keeps the inodes' block maps.
    debugfs -w -R "rm /home/bob/.armory/armory_2xCdCyG3_.wallet" "$image" >/dev/null 2>&1
    debugfs -w -R "rm /home/bob/.electrum/wallets/default_wallet" "$image" >/dev/null 2>&1
}

# -- the disk ---------------------------------------------------------------------------------
DISK="$WORK/seized_laptop.raw"
truncate -s 15M "$DISK"
printf 'label: dos\nlabel-id: 0x5e12ed1a\nunit: sectors\n\nstart=2048, size=16384, type=7, bootable\nstart=20480, size=8192, type=83\n' |
    sfdisk -q "$DISK"
make_ntfs "$WORK/p1.raw"
make_ext4 "$WORK/p2.raw"
dd if="$WORK/p1.raw" of="$DISK" bs=512 seek=2048 conv=notrunc status=none
dd if="$WORK/p2.raw" of="$DISK" bs=512 seek=20480 conv=notrunc status=none
dd if="$HERE/outside/gap_note.txt" of="$DISK" bs=1 seek="$GAP_NOTE_OFFSET" conv=notrunc status=none
dd if="$HERE/outside/tail_note.txt" of="$DISK" bs=1 seek="$TAIL_NOTE_OFFSET" conv=notrunc status=none

rm -f "$OUT/seized_laptop.E01"
ewfacquire -u -q -t "$OUT/seized_laptop" -d sha1 -c deflate:best -f encase6 \
    -C "CASE-2019-0606" -E "LAPTOP-01" -e "Test Examiner" -D "seized laptop acceptance image" \
    -N "built by tests/data/images/seized_laptop/build.sh" -m fixed -M physical "$DISK" >/dev/null
if [ -n "${KEEP_RAW:-}" ]; then
    cp "$DISK" "$OUT/seized_laptop.raw"
fi
echo "written: $OUT/seized_laptop.E01 ($(stat -c %s "$OUT/seized_laptop.E01") bytes)"
