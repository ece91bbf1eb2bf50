#!/usr/bin/env bash
# Build the small images used by tests/engine/test_unallocated.py (self-made, CC0).
#
# Needs: gpg (only when note.txt is absent), mkfs.fat, mtools, mkfs.ext4, debugfs, sfdisk.
#
#   note.txt         a payment note: a Bitcoin address, an onion v3 address and an armored
#                    OpenPGP public key (generated once with gpg, then kept so the images
#                    and the note agree).
#   fat_deleted.raw  1 MiB FAT12 file system: NOTE.TXT written, deleted with mdel, and its
#                    directory slot reused by empty files, so only free clusters hold it.
#   two_parts.raw    7 MiB MBR disk: partition 1 (1-3 MiB) FAT12 with a live NOTE.TXT,
#                    partition 2 (4-6 MiB) ext4 with a live note.txt and a deleted copy
#                    (blocks freed by debugfs rm), the note dd'ed into the gap between the
#                    partitions at GAP_OFFSET and after the last one at TAIL_OFFSET.
#   fat_agent_key.raw 1 MiB FAT12 file system: a GnuPG agent private key (extended key
#                    format, from tests/data/pgp/home2; its file name is its keygrip)
#                    written and deleted, its directory slot reused, as for NOTE.TXT.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EPOCH=1700000000
export MTOOLS_SKIP_CHECK=1 E2FSPROGS_FAKE_TIME="$EPOCH" SOURCE_DATE_EPOCH="$EPOCH"
MIB=$((1024 * 1024))
# Absolute byte offsets of the two copies outside any partition (the tests read them here).
GAP_OFFSET=$((3 * MIB + 5000))
TAIL_OFFSET=$((6 * MIB + 65536 - 100))  # straddles a 64 KiB chunk edge of the tail gap

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

NOTE="$HERE/note.txt"
if [ ! -f "$NOTE" ]; then
    export GNUPGHOME="$WORK/gnupg"
    mkdir -m 700 "$GNUPGHOME"
    gpg --batch --quiet --passphrase '' \
        --quick-gen-key 'Unallocated Test <unallocated@example.org>' ed25519 sign never
    {
        printf 'Payment note - deleted before seizure\n'
        printf 'Pay to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\n'
        printf 'Shop: duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion\n'
        printf 'Vendor key:\n'
        gpg --batch --armor --export unallocated@example.org
    } > "$NOTE"
fi

# -- 1: a FAT file system whose only copy of the note is in free clusters --------------
FAT="$HERE/fat_deleted.raw"
rm -f "$FAT"
truncate -s $MIB "$FAT"
mkfs.fat -F 12 -s 8 -S 512 -i 1234abcd --invariant -n DELETED "$FAT" >/dev/null
printf 'nothing to see here\n' > "$WORK/README.TXT"
cp "$NOTE" "$WORK/NOTE.TXT"
touch -d "@$EPOCH" "$WORK/README.TXT" "$WORK/NOTE.TXT"
mcopy -m -i "$FAT" "$WORK/README.TXT" ::/README.TXT
mcopy -m -i "$FAT" "$WORK/NOTE.TXT" ::/NOTE.TXT
mdel -i "$FAT" ::/NOTE.TXT
# Empty files take directory slots but no clusters: the deleted entry is overwritten
# while the freed cluster keeps the note.
for name in A B C D; do
    : > "$WORK/$name.TXT"
    touch -d "@$EPOCH" "$WORK/$name.TXT"
    mcopy -m -i "$FAT" "$WORK/$name.TXT" "::/$name.TXT"
done

# -- 2: an MBR disk with two partitions and the note outside them ------------------------
DISK="$HERE/two_parts.raw"
rm -f "$DISK"
truncate -s $((7 * MIB)) "$DISK"
sfdisk --quiet "$DISK" <<PARTS
label: dos
label-id: 0x0badcafe
start=2048, size=4096, type=e
start=8192, size=4096, type=83
PARTS

P1="$WORK/p1.img"
truncate -s $((2 * MIB)) "$P1"
mkfs.fat -F 12 -s 8 -S 512 -h 2048 -i 5678abcd --invariant -n LIVE "$P1" >/dev/null
mcopy -m -i "$P1" "$WORK/NOTE.TXT" ::/NOTE.TXT

P2="$WORK/p2.img"
mkdir "$WORK/p2tree"
cp "$NOTE" "$WORK/p2tree/note.txt"
cp "$NOTE" "$WORK/p2tree/deleted_note.txt"
touch -d "@$EPOCH" "$WORK/p2tree"/* "$WORK/p2tree"
mkfs.ext4 -q -F -b 1024 -O ^has_journal -U 6d2a1c4e-1111-4222-8333-944455556666 \
    -E root_owner=0:0,hash_seed=6d2a1c4e-1111-4222-8333-944455556666 -d "$WORK/p2tree" "$P2" 2048 >/dev/null
printf "set_current_time %s\nrm /deleted_note.txt\n" "$(date -u -d "@$EPOCH" +%Y%m%d%H%M%S)" | debugfs -w -f - "$P2" >/dev/null 2>&1

dd if="$P1" of="$DISK" bs=512 seek=2048 conv=notrunc status=none
dd if="$P2" of="$DISK" bs=512 seek=8192 conv=notrunc status=none
dd if="$NOTE" of="$DISK" bs=1 seek=$GAP_OFFSET conv=notrunc status=none
dd if="$NOTE" of="$DISK" bs=1 seek=$TAIL_OFFSET conv=notrunc status=none
echo "$GAP_OFFSET $TAIL_OFFSET" > "$HERE/outside_offsets.txt"

# -- 3: a deleted GnuPG agent key in free clusters ----------------------------------------
AGENT_KEY="$HERE/../pgp/home2/.gnupg/private-keys-v1.d/15AF6E23B220A0BFA1C1F8F1A41F2BC02CAC409A.key"
KEYFAT="$HERE/fat_agent_key.raw"
rm -f "$KEYFAT"
truncate -s $MIB "$KEYFAT"
mkfs.fat -F 12 -s 8 -S 512 -i 4e7a11ce --invariant -n AGENTKEY "$KEYFAT" >/dev/null
cp "$AGENT_KEY" "$WORK/KEY.KEY"
touch -d "@$EPOCH" "$WORK/KEY.KEY"
mcopy -m -i "$KEYFAT" "$WORK/README.TXT" ::/README.TXT
mcopy -m -i "$KEYFAT" "$WORK/KEY.KEY" ::/KEY.KEY
mdel -i "$KEYFAT" ::/KEY.KEY
for name in A B C D; do
    mcopy -m -i "$KEYFAT" "$WORK/$name.TXT" "::/$name.TXT"
done
