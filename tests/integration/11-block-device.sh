#!/usr/bin/env bash
# A block device (a read-only loop device over a test image; never mounted) is scanned
# like the image itself, and is left unchanged.
source "$ROOT/tests/lib.sh"
K=$KAKETSUKE
IMG=$TEST_IMAGES/mbr.raw
[ -f "$IMG" ] || { fail "test image missing"; finish; }
cp "$IMG" "$T/disk.raw"
DEV=$(losetup -f --show -r "$T/disk.raw" 2>/dev/null) || { skip "block device" "no loop device available here"; finish; }
trap 'losetup -d "$DEV" 2>/dev/null' EXIT
before=$(evidence_hash "$T/disk.raw")
"$K" info --json "$DEV" > "$T/info.json"
check_eq "info: a device with its partition table" "device DOS Partition Table" \
  "$(jq -r '"\(.kind) \(.partition_table)"' "$T/info.json")"
key() { jq -r 'select(.type=="match") | "\(.fs_offset) \(.path) \(.rule) \(.sha256)"' "$1" | sort; }
"$K" scan --quiet -r "$ROOT/tests/data/rules" -o "$T/dev.jsonl" "$DEV"
"$K" scan --quiet -r "$ROOT/tests/data/rules" -o "$T/img.jsonl" "$T/disk.raw"
check "the device has findings" test "$(key "$T/dev.jsonl" | wc -l)" -gt 10
files_same "the device gives the same findings as its image" <(key "$T/img.jsonl") <(key "$T/dev.jsonl")
check_eq "the device's content is unchanged" "$before" "$(evidence_hash "$DEV")"
finish
