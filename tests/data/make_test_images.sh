#!/usr/bin/env bash
# Build the small disk images under tests/data/images/ used by the evidence-layer tests.
#
# Needs root (the NTFS images are filled through an ntfs-3g FUSE mount of a scratch
# image) and: mkntfs ntfs-3g mkfs.fat mtools mkfs.exfat mke2fs debugfs genisoimage
# sfdisk ewfacquire python3 qemu-img qemu-io (qemu-utils, for chain/ only).
#
# File trees come from tests/data/images/staging/<image>/ (two_partitions uses
# two_partitions.p1 for the NTFS and two_partitions.p2 for the ext4 partition).
# Staging conventions:
#   deleted_*                    written, then deleted (leaves a deleted entry)
#   <file>__ads__<stream>        NTFS only: becomes alternate data stream <stream> of <file>
#                                (ignored on other file systems)
#   <file>__links__              NTFS only: each line names another hard link to <file>
#   <file>__dos__                NTFS only: its content becomes <file>'s short (DOS) name,
#                                a second $FILE_NAME as Windows writes for long names
#
# Usage: make_test_images.sh [IMAGE ...]   (default: every image; e.g. "hardlinks.raw")
# Timestamps are pinned (SOURCE_DATE_EPOCH) where the tools allow; NTFS content written
# through ntfs-3g still carries the build time.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/images"
STAGING="$OUT/staging"
EPOCH="${SOURCE_DATE_EPOCH:-1700000000}"
STAMP="$(date -u -d "@$EPOCH" +%Y%m%d%H%M.%S)"
export MTOOLS_SKIP_CHECK=1 E2FSPROGS_FAKE_TIME="$EPOCH" SOURCE_DATE_EPOCH="$EPOCH"

WORK="$(mktemp -d)"
MNT="$WORK/mnt"
mkdir -p "$MNT"
cleanup() {
    mountpoint -q "$MNT" && umount "$MNT"
    rm -rf "$WORK"
}
trap cleanup EXIT

ONLY=("$@")
# True when the image named $1 is to be built (all of them when none is named).
want() {
    [ ${#ONLY[@]} -eq 0 ] && return 0
    local name
    for name in "${ONLY[@]}"; do [ "$name" = "$1" ] && return 0; done
    return 1
}

# Copy a staging tree to $WORK/<name> without ADS helper files and with pinned times.
stage() {
    local name="$1" dest="$WORK/$1"
    rm -rf "$dest"
    mkdir -p "$dest"
    if [ -d "$STAGING/$name" ]; then
        cp -a "$STAGING/$name/." "$dest/"
    fi
    find "$dest" \( -name '*__ads__*' -o -name '*__links__' -o -name '*__dos__' \) -delete
    find "$dest" -exec touch -h -t "$STAMP" {} +
    echo "$dest"
}

# NTFS: format, fill through ntfs-3g (streams_interface=windows lets us write file:stream),
# then delete the deleted_* files so their MFT records stay behind unallocated.
make_ntfs() {
    local image="$1" name="$2" size="$3" start_sector="${4:-0}"
    rm -f "$image"
    truncate -s "$size" "$image"
    mkntfs -q -F -T -s 512 -L "${name%%.*}" -p "$start_sector" -H 255 -S 63 "$image" >/dev/null
    ntfs-3g -o streams_interface=windows "$image" "$MNT"
    local src="$STAGING/$name"
    if [ -d "$src" ]; then
        (cd "$src" && find . -mindepth 1 -type d | sort | while read -r d; do mkdir -p "$MNT/$d"; done)
        (cd "$src" && find . -type f ! -name '*__ads__*' ! -name '*__links__' ! -name '*__dos__' |
            sort | while read -r f; do cp "$f" "$MNT/$f"; done)
        # Short names first: ntfs-3g gives none to a file with several links.
        (cd "$src" && find . -type f -name '*__dos__' | sort | while read -r f; do
            python3 -c 'import os, sys; os.setxattr(sys.argv[1], "system.ntfs_dos_name", open(sys.argv[2], "rb").read())' \
                "$MNT/${f%__dos__}" "$f"
        done)
        (cd "$src" && find . -type f -name '*__links__' | sort | while read -r f; do
            target="${f%__links__}"
            while read -r link; do
                mkdir -p "$MNT/$(dirname "$link")"
                ln "$MNT/$target" "$MNT/$link"
            done < "$f"
        done)
        (cd "$src" && find . -type f -name '*__ads__*' | sort | while read -r f; do
            base="${f%%__ads__*}"
            stream="${f##*__ads__}"
            cat "$f" > "$MNT/$base:$stream"
        done)
        sync
        (cd "$MNT" && find . -type f -name 'deleted_*' -delete)
    fi
    umount "$MNT"
}

make_fat() {
    local image="$1" name="$2" bits="$3" size="$4" serial="$5"
    rm -f "$image"
    truncate -s "$size" "$image"
    mkfs.fat -F "$bits" -s 1 -S 512 -i "$serial" --invariant -n "${name^^}" "$image" >/dev/null
    local tree
    tree="$(stage "$name")"
    if [ -n "$(ls -A "$tree")" ]; then
        mcopy -s -m -i "$image" "$tree"/* ::/
    fi
    (cd "$tree" && find . -type f -name 'deleted_*' | sort | while read -r f; do
        mdel -i "$image" "::/${f#./}"
    done)
}

make_ext4() {
    local image="$1" name="$2" size="$3"
    rm -f "$image"
    local tree
    tree="$(stage "$name")"
    mke2fs -q -F -t ext4 -b 1024 -L "${name:0:16}" -U 0b1c7a5e-0000-4000-8000-000000000001 \
        -E hash_seed=0b1c7a5e-0000-4000-8000-000000000002,lazy_itable_init=0 \
        -d "$tree" "$image" "$size" >/dev/null
    (cd "$tree" && find . -type f -name 'deleted_*' | sort | while read -r f; do
        debugfs -w -R "rm /${f#./}" "$image" >/dev/null 2>&1
    done)
}

mkdir -p "$OUT"

want ntfs.raw && make_ntfs "$OUT/ntfs.raw" ntfs 4M
want hardlinks.raw && make_ntfs "$OUT/hardlinks.raw" hardlinks 4M
want fat16.raw && make_fat "$OUT/fat16.raw" fat16 16 4M 16161616
want fat32.raw && make_fat "$OUT/fat32.raw" fat32 32 34M 32323232
want ext4.raw && make_ext4 "$OUT/ext4.raw" ext4 4M

# A 1 MiB ext2 from a tree written here (pinned times and ids; NUMBER picks the ids).
make_small_ext2() {
    local image="$1" tree="$2" number="$3"
    rm -f "$image"
    find "$tree" -exec touch -h -d "@$EPOCH" {} +
    mke2fs -q -F -t ext2 -b 1024 -L "$(basename "$image" .raw)" \
        -U "0b1c7a5e-0000-4000-8000-00000000000$number" \
        -E "hash_seed=0b1c7a5e-0000-4000-8000-00000000001$number" -d "$tree" "$image" 1M >/dev/null
}

# ext2 whose names are not UTF-8 (made here, not staged: a checkout cannot hold such
# names portably): directory "dir\xff" holding "note\xc3.txt", and a plain file.
if want odd_names.raw; then
    odd="$WORK/odd_names"
    mkdir -p "$odd/dir$(printf '\377')"
    printf 'pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now\n' > "$odd/dir$(printf '\377')/note$(printf '\303').txt"
    printf 'plain\n' > "$odd/plain.txt"
    make_small_ext2 "$OUT/odd_names.raw" "$odd" 3
fi

# ext2 whose directory /a/sub has a second name /b/again (as an HFS+ directory hard link or
# a damaged file system gives) and whose /a/sub/deep/up names /a again (a loop); debugfs
# "link" writes the extra entries, which the kernel would refuse.
if want crosslinked.raw; then
    cross="$WORK/crosslinked"
    mkdir -p "$cross/a/sub/deep" "$cross/b"
    printf 'pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now\n' > "$cross/a/sub/f.txt"
    printf 'two\n' > "$cross/a/sub/deep/g.txt"
    printf 'three\n' > "$cross/b/h.txt"
    make_small_ext2 "$OUT/crosslinked.raw" "$cross" 8
    debugfs -w -R "link /a/sub /b/again" "$OUT/crosslinked.raw" >/dev/null 2>&1
    debugfs -w -R "link /a /a/sub/deep/up" "$OUT/crosslinked.raw" >/dev/null 2>&1
fi

# ext2 holding a file whose recorded size (64 MiB) its 1 MiB file system cannot hold, as
# damaged or hostile metadata gives (tests lower the engine's floor for such sizes to match).
if want oversized.raw; then
    big="$WORK/oversized"
    mkdir -p "$big"
    printf 'small\n' > "$big/claims_64_mib.bin"
    printf 'plain\n' > "$big/plain.txt"
    make_small_ext2 "$OUT/oversized.raw" "$big" 5
    debugfs -w -R "sif /claims_64_mib.bin size 67108864" "$OUT/oversized.raw" >/dev/null 2>&1
fi

# ext4 (256-byte inodes, no journal) whose times end a few nanoseconds before a whole
# second: a double rounds .999999999 s up, and whole-second views must not show it.
if want nanoseconds.raw; then
    nano="$WORK/nanoseconds"
    mkdir -p "$nano"
    printf 'late\n' > "$nano/late.txt"
    printf 'later\n' > "$nano/later.txt"
    printf 'plain\n' > "$nano/plain.txt"
    find "$nano" -exec touch -h -d "@$EPOCH" {} +
    rm -f "$OUT/nanoseconds.raw"
    mke2fs -q -F -t ext4 -O ^has_journal -I 256 -b 1024 -L nanoseconds \
        -U "0b1c7a5e-0000-4000-8000-000000000007" \
        -E "hash_seed=0b1c7a5e-0000-4000-8000-000000000017" -d "$nano" "$OUT/nanoseconds.raw" 1M >/dev/null
    # *_extra holds nanoseconds << 2 (the low two bits extend the epoch).
    for field in mtime atime ctime crtime; do
        debugfs -w -R "sif /late.txt $field 1700000000" "$OUT/nanoseconds.raw" >/dev/null 2>&1
        debugfs -w -R "sif /late.txt ${field}_extra $((999999999 << 2))" "$OUT/nanoseconds.raw" >/dev/null 2>&1
        debugfs -w -R "sif /later.txt $field 1700000000" "$OUT/nanoseconds.raw" >/dev/null 2>&1
        debugfs -w -R "sif /later.txt ${field}_extra $((999999750 << 2))" "$OUT/nanoseconds.raw" >/dev/null 2>&1
    done
fi

# exFAT: no exFAT writer is available without a kernel driver, so this is an empty,
# freshly formatted volume (content-bearing exFAT tests use go-exfat's test.exfat).
if want exfat.raw; then
    rm -f "$OUT/exfat.raw"
    truncate -s 4M "$OUT/exfat.raw"
    mkfs.exfat -L exfat "$OUT/exfat.raw" >/dev/null
fi

if want iso9660.iso; then
    rm -f "$OUT/iso9660.iso"
    genisoimage -quiet -R -J -V ISO9660 -o "$OUT/iso9660.iso" "$(stage iso9660)"
fi

# Two partitions on an MBR disk: NTFS at 1 MiB (3 MiB long), ext4 at 5 MiB (2 MiB long),
# a 1 MiB gap between them and 512 KiB unpartitioned at the end.
if want two_partitions.E01 || want two_partitions.raw; then
    DISK="$OUT/two_partitions.raw"
    rm -f "$DISK"
    truncate -s 8704K "$DISK"
    printf 'label: dos\nlabel-id: 0x54524941\nunit: sectors\n\nstart=2048, size=6144, type=7\nstart=10240, size=4096, type=83\n' |
        sfdisk -q "$DISK"
    make_ntfs "$WORK/p1.raw" two_partitions.p1 3M 2048
    make_ext4 "$WORK/p2.raw" two_partitions.p2 2M
    dd if="$WORK/p1.raw" of="$DISK" bs=512 seek=2048 conv=notrunc,sparse status=none
    dd if="$WORK/p2.raw" of="$DISK" bs=512 seek=10240 conv=notrunc,sparse status=none

    rm -f "$OUT/two_partitions.E01"
    ewfacquire -u -q -t "$OUT/two_partitions" -d sha1 -c deflate:best -f encase6 \
        -C "CASE-0001" -E "EV-01" -e "Test Examiner" -D "two partitions test disk" \
        -N "built by make_test_images.sh" -m fixed -M physical "$DISK" >/dev/null
fi

# 140 logical partitions: The Sleuth Kit follows only 128 extended tables. sfdisk cannot
# write such a table (libfdisk stops at 60 partitions), so the tables are written here:
# an extended partition at sector 64 whose tables each precede their partition (3
# sectors; logicals 2, 135 and 140 hold a 64 KiB FAT12 with one file), then primary
# partition 2 (FAT12) on the next 32 KiB boundary after it and 32 KiB unpartitioned.
if want ebr_chain.raw; then
    for part in ebr_l2 ebr_l135 ebr_l140 ebr_p2; do
        make_fat "$WORK/$part.raw" "$part" 12 64K 45425231
    done
    rm -f "$OUT/ebr_chain.raw"
    python3 - "$OUT/ebr_chain.raw" "$WORK" <<'PY'
import struct
import sys

out, work = sys.argv[1], sys.argv[2]
SECTOR, EXTENDED, LOGICALS, SMALL, FAT = 512, 64, 140, 3, 128
filled = {2: "ebr_l2", 135: "ebr_l135", 140: "ebr_l140"}


def entry(kind, first, count):
    # CHS fields say "use LBA": every reader here takes the LBA fields.
    return struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", kind, b"\xfe\xff\xff", first, count)


def table(entries, signature=0):
    sector = bytearray(SECTOR)
    if signature:
        sector[440:444] = struct.pack("<I", signature)
    for slot, data in enumerate(entries):
        sector[446 + 16 * slot:462 + 16 * slot] = data
    sector[510:512] = b"\x55\xaa"
    return bytes(sector)


logicals, cursor = [], EXTENDED
for number in range(1, LOGICALS + 1):
    name = filled.get(number)
    logicals.append((cursor, FAT if name else SMALL, name))
    cursor += 1 + logicals[-1][1]
primary2 = -(-cursor // 64) * 64
with open(out, "wb") as disk:
    disk.truncate((primary2 + FAT + 64) * SECTOR)

    def put(sector, data):
        disk.seek(sector * SECTOR)
        disk.write(data)

    put(0, table([entry(0x05, EXTENDED, cursor - EXTENDED), entry(0x01, primary2, FAT)],
                 signature=0x45425231))
    for number, (ebr, size, name) in enumerate(logicals, 1):
        entries = [entry(0x01 if name else 0x83, 1, size)]
        if number < LOGICALS:
            following, following_size, _ = logicals[number]
            entries.append(entry(0x05, following - EXTENDED, 1 + following_size))
        put(ebr, table(entries))
        if name:
            put(ebr + 1, open(f"{work}/{name}.raw", "rb").read())
    put(primary2, open(f"{work}/ebr_p2.raw", "rb").read())
PY
fi

# Differencing images: fat16.raw as a QCOW2 base with an overlay and as a VMDK base with
# two delta disks (one sparse file; a descriptor with its extent beside it); each child changes 4 KiB at 1 MiB. chain/flat.sha256 holds the SHA-256 of
# what qemu-img reads through each child (the oracle; the tests do not need qemu).
if want chain; then
    CHAIN="$OUT/chain"
    rm -rf "$CHAIN" && mkdir -p "$CHAIN"
    (
        cd "$CHAIN"
        qemu-img convert -O qcow2 "$OUT/fat16.raw" base.qcow2
        qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 overlay.qcow2
        qemu-io -c "write -P 0x5a 1048576 4096" overlay.qcow2 >/dev/null
        qemu-img convert -O vmdk "$OUT/fat16.raw" base.vmdk
        qemu-img create -q -f vmdk -b base.vmdk -F vmdk delta.vmdk
        qemu-io -c "write -P 0x5a 1048576 4096" delta.vmdk >/dev/null
        # A delta disk as a descriptor file with a separate extent, over the sparse base.
        qemu-img create -q -f vmdk -b base.vmdk -F vmdk -o subformat=twoGbMaxExtentSparse \
            split_delta.vmdk
        qemu-io -c "write -P 0x5a 1048576 4096" split_delta.vmdk >/dev/null
        for child in overlay.qcow2 delta.vmdk split_delta.vmdk; do
            qemu-img convert -O raw "$child" "$WORK/flat.raw"
            echo "$(sha256sum < "$WORK/flat.raw" | cut -d' ' -f1)  $child"
        done > flat.sha256
    )
fi

echo "images written to $OUT"
