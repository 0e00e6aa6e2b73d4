#!/bin/bash
# bootable/iso/test-target.sh — kaketsuke-target's listing and refusals, without a VM: a fake
# sysfs tree (KAKETSUKE_SYSFS) and image files named like devices (KAKETSUKE_DEVDIR). No root,
# no loop device, no mount: the `use` action (which mounts to read the free space) and the
# partitioning itself are exercised by make iso-check in qemu.
# TAP lines through tests/lib.sh; runs standalone (T = a temp dir) or from tests/run.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${ROOT:-$(cd "$HERE/../.." && pwd)}
if [ -z "${T:-}" ]; then
	T=$(mktemp -d)
	trap 'rm -rf "$T"' EXIT
fi
# shellcheck source=../../tests/lib.sh
. "$ROOT/tests/lib.sh"
PATH=$PATH:/usr/sbin:/sbin
for tool in blkid sfdisk mkfs.fat mke2fs; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		skip "kaketsuke-target listing" "$tool missing"
		finish
	fi
done

TGT=$HERE/kaketsuke-target
S=$T/sys
D=$T/dev
mkdir -p "$S/block" "$S/class/block" "$D"
export KAKETSUKE_SYSFS=$S KAKETSUKE_DEVDIR=$D KAKETSUKE_KITDEV=sdb

# disk NAME SYSFS_PARENT REMOVABLE BYTES VENDOR MODEL: the sysfs entry; the image is $D/NAME
disk() {
	local dir=$S/devices/$2/$1
	mkdir -p "$dir/device"
	echo "$3" >"$dir/removable"
	echo $(($4 / 512)) >"$dir/size"
	echo 0 >"$dir/ro"
	printf '%s\n' "$5" >"$dir/device/vendor"
	printf '%s\n' "$6" >"$dir/device/model"
	ln -s "$dir" "$S/block/$1"
	ln -s "$dir" "$S/class/block/$1"
	[ -e "$D/$1" ] || truncate -s "$4" "$D/$1"
}
# parts NAME: sysfs entries and image files for the partitions sfdisk finds in $D/NAME
parts() {
	local name=$1 dir n start size
	dir=$(cd -P "$S/block/$name" && pwd)
	while read -r n start size; do
		mkdir -p "$dir/$name$n"
		echo "$n" >"$dir/$name$n/partition"
		echo "$start" >"$dir/$name$n/start"
		echo "$size" >"$dir/$name$n/size"
		ln -s "$dir/$name$n" "$S/class/block/$name$n"
		dd if="$D/$name" of="$D/$name$n" bs=512 skip="$start" count="$size" status=none
	done < <(sfdisk -d "$D/$name" | sed -n 's/^[^:]*[^0-9]\([0-9]*\) : start= *\([0-9]*\), size= *\([0-9]*\),.*/\1 \2 \3/p')
}
PCI=pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block
USB=pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block

# sda: internal SATA disk with a FAT32 volume (would be a `use` candidate if it were external)
truncate -s 64M "$D/sda"
printf 'label: dos\nstart=2048, type=c\n' | sfdisk -q "$D/sda" >/dev/null
mkfs.fat -F 32 --offset 2048 "$D/sda" $(((64 * 1048576 / 512 - 2048) / 2)) >/dev/null 2>&1
disk sda "$PCI" 0 $((64 * 1048576)) ATA "Internal SSD"
parts sda
# nvme0n1: internal NVMe disk, blank (never offered for formatting)
disk nvme0n1 pci0000:00/0000:00:06.0/nvme/nvme0 0 $((128 * 1048576)) "" "NVMe Internal"
# mmcblk0: internal eMMC, blank
disk mmcblk0 platform/80860F14:00/mmc_host/mmc0/mmc0:0001/block 0 $((32 * 1048576)) "" eMMC
# sdb: the kit stick: the hybrid image's layout (partition 1 from sector 64 holds the image,
# the EFI partition 2 inside it), 128 MiB in all: free space after the image
# (the overlapping entries are written as xorriso does: sfdisk would refuse them)
truncate -s 128M "$D/sdb"
/usr/bin/python3 - "$D/sdb" <<'PY'
import struct, sys
def entry(boot, ptype, start, size):
    return struct.pack('<B3sB3sII', boot, b'\xfe\xff\xff', ptype, b'\xfe\xff\xff', start, size)
with open(sys.argv[1], 'r+b') as f:
    f.seek(440)
    f.write(struct.pack('<I', 0x4b4b4954) + b'\0\0' + entry(0x80, 0x00, 64, 40000) +
            entry(0, 0xef, 740, 10368) + bytes(32) + b'\x55\xaa')
PY
disk sdb "$USB" 0 $((128 * 1048576)) Kioxia "TransMemory"
parts sdb
# sdc: a blank USB disk (zeros)
disk sdc "${USB//2-1/2-2}" 1 $((256 * 1048576)) SanDisk "Ultra Fit"
# sdd: a USB disk with no signature but random data at the start (e.g. an encrypted container)
truncate -s 64M "$D/sdd"
head -c 65536 /dev/urandom | dd of="$D/sdd" bs=64k seek=3 conv=notrunc status=none
disk sdd "${USB//2-1/2-3}" 1 $((64 * 1048576)) Generic "Random Data"
# sde: a USB disk holding an ext4 file system (not exFAT/FAT: not offered)
truncate -s 64M "$D/sde"
mke2fs -q -F -t ext4 "$D/sde" >/dev/null 2>&1
disk sde "${USB//2-1/2-4}" 0 $((64 * 1048576)) Generic "Linux Disk"
# sdf: a blank USB disk whose model text has a tab and a newline (untrusted text)
disk sdf "${USB//2-1/2-5}" 1 $((96 * 1048576)) $'Evil\tVendor' $'Model\nInjected'
# sdg: a USB stick with one FAT32 partition: offered for use
truncate -s 64M "$D/sdg"
printf 'label: dos\nstart=2048, type=c\n' | sfdisk -q "$D/sdg" >/dev/null
mkfs.fat -F 32 -n STICK --offset 2048 "$D/sdg" $(((64 * 1048576 / 512 - 2048) / 2)) >/dev/null 2>&1
disk sdg "${USB//2-1/2-6}" 1 $((64 * 1048576)) Buffalo "USB Flash"
parts sdg
# sdh: a computer's GPT disk in a USB dock: an EFI system partition (FAT) and a FAT data
# partition: evidence, never offered
truncate -s 96M "$D/sdh"
printf 'label: gpt\nstart=2048, size=65536, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\nstart=67584, size=65536, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n' |
	sfdisk -q "$D/sdh" >/dev/null
mkfs.fat -F 32 --offset 2048 "$D/sdh" 32768 >/dev/null 2>&1
mkfs.fat -F 32 --offset 67584 "$D/sdh" 32768 >/dev/null 2>&1
disk sdh "${USB//2-1/2-7}" 0 $((96 * 1048576)) JMicron "USB Dock"
parts sdh
# sdi: a USB disk with a FAT partition and an ext4 one (a Linux disk): never offered
truncate -s 96M "$D/sdi"
printf 'label: dos\nstart=2048, size=65536, type=c\nstart=67584, size=65536, type=83\n' | sfdisk -q "$D/sdi" >/dev/null
mkfs.fat -F 32 --offset 2048 "$D/sdi" 32768 >/dev/null 2>&1
mke2fs -q -F -t ext4 -E offset=$((67584 * 512)) "$D/sdi" 32M >/dev/null 2>&1
disk sdi "${USB//2-1/2-8}" 0 $((96 * 1048576)) Generic "Mixed Disk"
parts sdi
export KAKETSUKE_FREE=12345678
# sr0 (optical) and loop0 (virtual): never candidates
disk sr0 pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0/block 1 $((1 * 1048576)) QEMU DVD
disk loop0 virtual/block 0 $((16 * 1048576)) "" ""

# --- list -------------------------------------------------------------------------------------
check_exit "list exits 0" 0 "$TGT" list
LIST=$T/list.txt
cp "$T/last.out" "$LIST"
sed 's/^/#   /' "$LIST"
check_eq "every line has six TAB-separated fields" "" "$(awk -F'\t' 'NF != 6' "$LIST")"
check_eq "candidates: kit stick create, sdc and sdf format, sdg1 use (in this order)" \
	"$D/sdb create
$D/sdc format
$D/sdf format
$D/sdg1 use" "$(cut -f1,2 "$LIST" | tr '\t' ' ')"
check_eq "use: SIZE, FREE, the label, vendor and model" \
	"66060288 12345678 STICK Buffalo USB Flash" "$(awk -F'\t' '$1 ~ /sdg1$/ { print $3, $4, $5, $6 }' "$LIST")"
check_eq "a computer's disk in a USB dock (EFI system partition) is not offered" "" "$(grep /sdh "$LIST")"
check_eq "a USB disk with a FAT and an ext4 partition is not offered" "" "$(grep /sdi "$LIST")"
check_eq "internal disks are never listed" "" "$(grep -E "/(sda|nvme0n1|mmcblk0)" "$LIST")"
check_eq "the kit stick's image partitions are never listed" "" "$(grep -E "/sdb[0-9]" "$LIST")"
check_eq "a disk with random data at its start is not blank" "" "$(grep /sdd "$LIST")"
check_eq "an ext4 disk is not offered" "" "$(grep /sde "$LIST")"
check_eq "format: SIZE = FREE = the disk, no label, vendor and model" \
	"268435456 268435456 - SanDisk Ultra Fit" "$(awk -F'\t' '$1 ~ /sdc$/ { print $3, $4, $5, $6 }' "$LIST")"
line=$(awk -F'\t' '$2 == "create"' "$LIST")
size=$(echo "$line" | cut -f3)
check "create: SIZE = FREE, the space after the image (>= 64 MiB, <= 128 MiB - image)" \
	test "$size" = "$(echo "$line" | cut -f4)" -a "$size" -ge $((64 * 1048576)) \
	-a "$size" -le $((128 * 1048576 - 40064 * 512))
check_eq "create: label KK-EVIDENCE, described as the kit stick" "KK-EVIDENCE Kioxia TransMemory (kit stick)" \
	"$(echo "$line" | cut -f5,6 | tr '\t' ' ')"
check_eq "untrusted model text stays on one line without tabs" "Evil Vendor Model Injected" \
	"$(awk -F'\t' '$1 ~ /sdf$/ { print $6 }' "$LIST")"

# --- kitdev, internal ------------------------------------------------------------------------
check_eq "kitdev names the kit stick" "$D/sdb" "$("$TGT" kitdev)"
check_eq "internal lists the internal disks" "$D/mmcblk0 $D/nvme0n1 $D/sda" \
	"$("$TGT" internal | cut -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "kitdev is empty when not booted from the kit" "" \
	"$(KAKETSUKE_KITDEV= "$TGT" kitdev 2>/dev/null)"

# --- prepare refuses, and changes nothing -----------------------------------------------------
before=$(cat "$D"/* | sha256sum)
check_exit "prepare refuses an internal disk" 1 "$TGT" prepare "$D/sda"
check "  ... saying why" grep -q "internal disk" "$T/last.out"
check_exit "prepare refuses an internal disk's partition" 1 "$TGT" prepare "$D/sda1"
check_exit "prepare refuses a blank internal disk" 1 "$TGT" prepare "$D/nvme0n1"
check_exit "prepare refuses the kit stick's image partition" 1 "$TGT" prepare "$D/sdb1"
check "  ... as not a target" grep -q "not an evidence target" "$T/last.out"
check_exit "prepare refuses a disk that is not blank" 1 "$TGT" prepare "$D/sdd"
check_exit "prepare refuses an ext4 disk" 1 "$TGT" prepare "$D/sde"
check_exit "prepare refuses the EFI partition of a docked computer disk" 1 "$TGT" prepare "$D/sdh1"
check_exit "prepare refuses the FAT partition of a docked computer disk" 1 "$TGT" prepare "$D/sdh2"
check_exit "prepare refuses an optical drive" 1 "$TGT" prepare "$D/sr0"
check_exit "prepare refuses a path that is not a device" 1 "$TGT" prepare "$T/nothing"
check_exit "prepare needs exactly one ID" 1 "$TGT" prepare
check_eq "refusals wrote nothing" "$before" "$(cat "$D"/* | sha256sum)"
check_exit "an unknown command is a usage error" 2 "$TGT" frobnicate
finish
