#!/usr/bin/env bash
# Rebuild the tiny self-test samples in this folder and record their oracle values.
#
#   bash resources/selftest/make_samples.sh      (from the repository root, Linux)
#
# Needs mkfs.fat + mtools, ewfacquire (libewf-tools), gpg, exiftool and the project's
# virtualenv (PySide6 writes the JPEG). Every value the self-test compares against is
# taken from these independent tools and written to expected.json.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC

# 1. An armored OpenPGP public key (ed25519: the smallest).
export GNUPGHOME="$WORK/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-gen-key 'Self Test <selftest@triage.invalid>' ed25519 sign never
gpg --batch --armor --export selftest@triage.invalid >"$HERE/key.asc"
FPR="$(gpg --batch --with-colons --show-keys "$HERE/key.asc" | awk -F: '$1=="fpr"{print $10; exit}')"

# 2. A tiny JPEG with a GPS position (Qt draws it, exiftool tags it).
QT_QPA_PLATFORM=offscreen "$PY" - "$HERE/photo.jpg" <<'PYEOF'
import sys
from PySide6.QtGui import QColor, QGuiApplication, QImage
app = QGuiApplication([])
image = QImage(8, 8, QImage.Format.Format_RGB32)
image.fill(QColor(40, 120, 200))
assert image.save(sys.argv[1], "JPEG", 50)
PYEOF
exiftool -q -overwrite_original -all= \
    -GPSLatitude=48.8584 -GPSLatitudeRef=N -GPSLongitude=2.2945 -GPSLongitudeRef=E \
    -Make=triage -Model=selftest "$HERE/photo.jpg"
LAT="$(exiftool -n -s3 -GPSLatitude "$HERE/photo.jpg")"
LON="$(exiftool -n -s3 -GPSLongitude "$HERE/photo.jpg")"

# 3. A 64 KiB FAT12 image holding a text file, and its EWF (E01) conversion.
printf 'triage self-test sample\n' >"$WORK/hello.txt"
rm -f "$HERE/fat12.img" "$HERE/fat12.E01"
mkfs.fat -C -F 12 -n SELFTEST -i 7E1F7E57 "$HERE/fat12.img" 64 >/dev/null
mcopy -i "$HERE/fat12.img" -m "$WORK/hello.txt" ::/HELLO.TXT
ewfacquire -u -q -t "$HERE/fat12" -c best -f encase6 -S 0 -C selftest -D selftest \
    -E 1 -e triage -N selftest "$HERE/fat12.img" >/dev/null

"$PY" - "$HERE" "$FPR" "$LAT" "$LON" "$WORK/hello.txt" <<'PYEOF'
import hashlib, json, sys
from pathlib import Path
here, fpr, lat, lon, hello = sys.argv[1:]
expected = {
    "image": "fat12.img",
    "ewf": "fat12.E01",
    "image_sha256": hashlib.sha256(Path(here, "fat12.img").read_bytes()).hexdigest(),
    "file_path": "/HELLO.TXT",
    "file_sha256": hashlib.sha256(Path(hello).read_bytes()).hexdigest(),
    "key": "key.asc",
    "key_fingerprint": fpr,
    "photo": "photo.jpg",
    "photo_mime": "image/jpeg",
    "gps_latitude": float(lat),
    "gps_longitude": float(lon),
}
Path(here, "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
PYEOF
ls -l "$HERE"
