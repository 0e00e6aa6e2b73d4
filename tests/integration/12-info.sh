#!/usr/bin/env bash
# kaketsuke info: formats, partitions, file systems, drive letters, unreadable volumes;
# scan of images holding an encrypted (BitLocker) volume.
source "$ROOT/tests/lib.sh"
K=$KAKETSUKE
C=$CORPORA/dfvfs/test_data

if [ -d "$C" ]; then
  "$K" info --json "$C/mbr.raw" > "$T/mbr.json"
  check_eq "MBR: partition table named" "DOS Partition Table" "$(jq -r .partition_table "$T/mbr.json")"
  check_eq "MBR with a logical partition: both file systems at mmls offsets" "512:ext2 67072:ext4" \
    "$(jq -r '[.filesystems[] | "\(.fs_offset):\(.type)"] | join(" ")' "$T/mbr.json")"
  "$K" info --json "$C/ext2.E01" > "$T/e01.json"
  check_eq "E01: format and media size" "ewf 4194304" "$(jq -r '"\(.format_name) \(.size)"' "$T/e01.json")"
  "$K" info --json "$C/ext2.vmdk" > "$T/vmdk.json"
  check_eq "VMDK: format" vmdk "$(jq -r .format_name "$T/vmdk.json")"
  "$K" info --json "$C/ext2.vhd" > "$T/vhd.json"
  check_eq "VHD: format" vhd "$(jq -r .format_name "$T/vhd.json")"
  "$K" info --json "$C/apfs.raw" > "$T/apfs.json"
  check_eq "APFS through the pool API" "apfs" "$(jq -r '.filesystems[0].type' "$T/apfs.json")"
  check_exit "text output" 0 "$K" info "$C/mbr.raw"
  check "text output lists the volumes" grep -q "ext4" "$T/last.out"
  check_exit "QCOW2 refused" 2 "$K" info "$C/ext2.qcow2"
  check_exit "random bytes: not an image" 2 "$K" info "$C/bogus.001"
else
  skip "dfvfs corpus" "corpora missing"
fi
D=$CORPORA/dfir_ntfs/test_data
if [ -f "$D/fat32_small.raw.gz" ]; then
  zcat "$D/fat32_small.raw.gz" > "$T/fat32_small.raw"
  "$K" info --json "$T/fat32_small.raw" > "$T/f32.json"
  check_eq "FAT32 that autodetection refuses is opened with an explicit type" "fat32" \
    "$(jq -r '.filesystems[0].type' "$T/f32.json")"
fi

# A disk with a BitLocker volume (a -FVE-FS- boot sector) and a FAT volume.
truncate -s 40M "$T/bl.raw"
printf 'label: dos\nstart=2048, size=20480, type=7\nstart=22528, size=59392, type=c\n' | sfdisk -q "$T/bl.raw" >/dev/null
printf '\xeb\x58\x90-FVE-FS-' | dd of="$T/bl.raw" bs=512 seek=2048 conv=notrunc status=none
mkfs.fat -F 16 -n DATA --offset 22528 "$T/bl.raw" $((59392 / 2)) >/dev/null
echo "HOSTILE-NAME-CONTENT" > "$T/x.txt"
mcopy -i "$T/bl.raw@@$((22528 * 512))" "$T/x.txt" ::/x.txt
before=$(evidence_hash "$T/bl.raw")
"$K" info --json "$T/bl.raw" > "$T/bl.json"
check_eq "BitLocker volume reported as not readable, with the reason" "bitlocker false" \
  "$(jq -r '.volumes[] | select(.encryption) | "\(.encryption) \(.readable)"' "$T/bl.json")"
check "BitLocker explanation mentions the recovery key" jq -e '.volumes[] | select(.encryption) | .explanation | test("recovery key")' "$T/bl.json"
check_exit "scan goes on past the encrypted volume" 1 "$K" scan --quiet -r "$ROOT/tests/data/scan/hostile.yar" -o "$T/bl.jsonl" "$T/bl.raw"
check "encrypted volume: warning record" jq -e -s 'any(.[]; .type=="warning" and .what=="volume" and (.message|test("BitLocker")))' "$T/bl.jsonl"
check_eq "encrypted volume: counted as skipped" 1 "$(tail -1 "$T/bl.jsonl" | jq .skipped.encrypted)"
check_eq "the FAT volume gets drive letter C: (no Windows folder on any volume)" "C:" "$(jq -r '.filesystems[0].drive' "$T/bl.json")"
check_eq "info and scan never modify the image" "$before" "$(evidence_hash "$T/bl.raw")"
# LUKS and LVM signatures are named too
cp "$T/bl.raw" "$T/luks.raw"
dd if=/dev/zero of="$T/luks.raw" bs=512 seek=2048 count=8 conv=notrunc status=none
printf 'LUKS\xba\xbe\x00\x01' | dd of="$T/luks.raw" bs=512 seek=2048 conv=notrunc status=none
check_eq "LUKS volume reported as not readable" "luks false" \
  "$("$K" info --json "$T/luks.raw" | jq -r '.volumes[] | select(.encryption) | "\(.encryption) \(.readable)"')"
cp "$T/bl.raw" "$T/lvm.raw"
dd if=/dev/zero of="$T/lvm.raw" bs=512 seek=2048 count=8 conv=notrunc status=none
printf 'LABELONE' | dd of="$T/lvm.raw" bs=512 seek=2049 conv=notrunc status=none
check "LVM physical volume explained" bash -c \
  "'$K' info --json '$T/lvm.raw' | jq -e '.volumes[] | select(.encryption == \"lvm\") | .explanation | test(\"vgchange\")'"
"$K" scan --quiet -r "$ROOT/tests/data/scan/hostile.yar" -o "$T/lvm.jsonl" "$T/lvm.raw"
check_eq "LVM volume counted as unsupported, the FAT volume still scanned" "1 1" \
  "$(tail -1 "$T/lvm.jsonl" | jq -r '"\(.skipped.unsupported) \(.matches)"')"
dd if=/dev/zero of="$T/bl.raw" bs=512 seek=22528 count=64 conv=notrunc status=none
check_exit "only an encrypted volume left: exit 2" 2 "$K" scan --quiet -r "$ROOT/tests/data/scan/hostile.yar" -o "$T/bl2.jsonl" "$T/bl.raw"
check "and the message says why" grep -q "encrypted or unsupported volumes" "$T/last.out"
check "an error record names the unreadable partition" jq -e -s 'any(.[]; .type=="error" and .what=="volume" and (.message|test("partition 2")))' "$T/bl2.jsonl"
finish
