#!/usr/bin/env bash
# scan --assess / --bodyfile: encrypted-looking files, intact documents, volume stats, and
# a TSK body file that mactime reads, on a host directory and on a FAT image.
source "$ROOT/tests/lib.sh"
K=$KAKETSUKE
D=$T/pc/Users/tanaka/Documents
mkdir -p "$D"
(printf 'PK\x03\x04'; head -c 6000 /dev/urandom) > "$D/intact.docx"
(printf '%%PDF-1.7\n'; head -c 6000 /dev/urandom) > "$D/intact.pdf"
head -c 6000 /dev/urandom > "$D/locked.docx"
head -c 6000 /dev/urandom > "$D/sales.xlsx.akira"
for i in $(seq 300); do echo "議事録 line $i"; done > "$D/minutes.txt"
head -c 4000 /dev/urandom > "$D/memo.txt"
head -c 100 /dev/urandom > "$D/tiny.txt"             # too small to judge by entropy
(printf 'PK\x03\x04'; head -c 6000 /dev/urandom) > "$D/backup.zip.lockbit"
"$K" scan --quiet --assess --bodyfile "$T/body.txt" -r "$ROOT/tests/data/scan/hostile.yar" -o "$T/a.jsonl" "$T/pc"
enc=$(jq -r 'select(.type=="encrypted") | "\(.path | split("/") | last):\(.reason):\(.family)"' "$T/a.jsonl" | sort | tr '\n' ' ')
check_eq "encrypted-looking files and why" \
  "backup.zip.lockbit:extension:LockBit locked.docx:entropy: memo.txt:entropy: sales.xlsx.akira:both:Akira " "$enc"
check_eq "volume stats: documents, intact, encrypted" "8 4 4" \
  "$(jq -r 'select(.type=="volume_stats") | "\(.documents) \(.documents_intact) \(.encrypted_files)"' "$T/a.jsonl")"
check "encrypted records carry entropy and times" \
  jq -e -s '[.[] | select(.type=="encrypted")] | all(.entropy > 7.2 and has("mtime"))' "$T/a.jsonl"
check_eq "body file: one line per file" 8 "$(wc -l < "$T/body.txt")"
check "mactime reads the body file" bash -c "mactime -b '$T/body.txt' -z UTC > '$T/mactime.txt' && grep -q 'locked.docx' '$T/mactime.txt'"
check_eq "no record without --assess" 0 \
  "$("$K" scan --quiet -r "$ROOT/tests/data/scan/hostile.yar" "$T/pc" | jq -s '[.[] | select(.type=="encrypted" or .type=="volume_stats")] | length')"

# the same on a FAT image: drive letters in the body file, stats per file system
truncate -s 40M "$T/disk.raw"
printf 'label: dos\nstart=2048, type=c\n' | sfdisk -q "$T/disk.raw" >/dev/null
mkfs.fat -F 16 --offset 2048 "$T/disk.raw" 39936 >/dev/null
M="$T/disk.raw@@1048576"
mmd -i "$M" ::/Users ::/Users/tanaka ::/Users/tanaka/Documents
mcopy -i "$M" "$D/locked.docx" "$D/intact.pdf" "$D/sales.xlsx.akira" ::/Users/tanaka/Documents/
before=$(evidence_hash "$T/disk.raw")
"$K" scan --quiet --assess --bodyfile "$T/body2.txt" -r "$ROOT/tests/data/scan/hostile.yar" -o "$T/b.jsonl" "$T/disk.raw"
check_eq "image: stats for the FAT volume with its drive letter" "1048576 C: 3 1 2" \
  "$(jq -r 'select(.type=="volume_stats") | "\(.fs_offset) \(.drive) \(.documents) \(.documents_intact) \(.encrypted_files)"' "$T/b.jsonl")"
check "image: body file names carry the drive letter" grep -q '^0|C:/Users/tanaka/Documents/LOCKED.DOCX\|^0|C:/Users/tanaka/Documents/locked.docx' "$T/body2.txt"
check "image: mactime reads it" bash -c "mactime -b '$T/body2.txt' -z UTC | grep -qi 'sales.xlsx.akira'"
check_eq "image unchanged" "$before" "$(evidence_hash "$T/disk.raw")"
finish
