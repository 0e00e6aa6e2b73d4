#!/bin/bash
# tests/images/build.sh OUTDIR — generate the test disk images, without any mount.
#
# Writes into OUTDIR (see OUTDIR/MANIFEST.txt for what each image holds):
#   mbr.raw        MBR disk: FAT32 (primary), FAT16 (primary), and in an extended
#                  partition NTFS (holds \Windows\System32, so it is C:) and ext4
#   gpt.raw        GPT disk: FAT32 (C:), ext4, NTFS (D:); no Windows tree
#   ntfs.raw, fat16.raw, ext4.raw
#                  unpartitioned copies of mbr.raw's NTFS, FAT16 and ext4 volumes
#   mbr.E01        mbr.raw as EWF (one segment, compressed)
#   mbr-split.E01 .E02 ...  mbr.raw as EWF in several small segments
#   mbr.vmdk       mbr.raw as VMDK (monolithic sparse)
#   mbr.vhd        mbr.raw as VHD (dynamic)
#   mbr-split.000 .001 ...  mbr.raw as split raw
#   negative cases: mbr.qcow2 (unsupported format), truncated.E01 (first half
#                  of mbr.E01), random.bin (1 MiB of pseudo-random bytes)
#
# Files carry harmless marker strings matched by the rules in tests/data/rules/.
# Deterministic in content and layout (names, sizes, inodes, offsets); not
# byte-identical between runs (time stamps, NTFS serial numbers, EWF dates).
# Needs: dosfstools mtools ntfs-3g e2fsprogs fdisk gdisk qemu-utils ewf-tools
# python3 (any), and the test helper ntfsedit (env NTFSEDIT, default build/tests/ntfsedit;
# `make build/tests/ntfsedit`). Nothing here needs root, loop devices or FUSE.
# Skips all work when OUTDIR/.stamp is newer than this script and ntfsedit.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
OUT=$1
SCRIPT=$(readlink -f "$0")
ROOT=$(cd "$(dirname "$SCRIPT")/../.." && pwd)
NTFSEDIT=${NTFSEDIT:-$ROOT/build/tests/ntfsedit}
PATH=$PATH:/usr/sbin:/sbin

if [ ! -x "$NTFSEDIT" ]; then
	echo "build.sh: ntfsedit helper not found at '$NTFSEDIT' (make build/tests/ntfsedit, or set NTFSEDIT)" >&2
	exit 2
fi
if [ -f "$OUT/.stamp" ] && [ -f "$OUT/MANIFEST.txt" ] && [ "$OUT/.stamp" -nt "$SCRIPT" ] &&
	[ "$OUT/.stamp" -nt "$NTFSEDIT" ]; then
	exit 0
fi

missing=
for tool in mkfs.fat mcopy mmd mdel mkntfs mke2fs debugfs sfdisk sgdisk qemu-img ewfacquire iconv split python3; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "build.sh: missing tools:$missing (apt-get install dosfstools mtools ntfs-3g e2fsprogs fdisk gdisk qemu-utils ewf-tools)" >&2
	exit 2
fi

export LC_ALL=C.UTF-8 TZ=UTC MTOOLS_SKIP_CHECK=1 MTOOLS_NO_VFAT=0
export SOURCE_DATE_EPOCH=1700000000 E2FSPROGS_FAKE_TIME=1700000000
FIXED_TIME=@1700000000

mkdir -p "$OUT"
rm -f "$OUT/.stamp"
W=$OUT/.work
rm -rf "$W"
mkdir -p "$W/src"
trap 'rm -rf "$W"' EXIT

SECTOR=512
MIB=$((1024 * 1024))

# ---------------------------------------------------------------- file contents
S=$W/src
mk() { # mk NAME TEXT...: a small text file
	local n=$1; shift
	printf '%s\n' "$@" >"$S/$n"
}
mk marker1.txt "This file carries KAKETSUKE-TEST-MARKER-1 for the tests."
mk marker2.txt "This file carries KAKETSUKE-TEST-MARKER-2 for the tests."
mk marker3.txt "Deep inside: KAKETSUKE-TEST-MARKER-3"
mk deleted.txt "Deleted but recoverable: KAKETSUKE-DELETED-MARKER"
mk drive.txt "KAKETSUKE-DRIVE-MARKER: which drive letter am I on?"
mk included.txt "KAKETSUKE-INCLUDED-MARKER"
mk plain.txt "Just a plain file without any marker."
printf '[ZoneTransfer]\r\nZoneId=3\r\nKAKETSUKE-ADS-MARKER\r\n' >"$S/zone.txt"
{ printf 'MZ\x90\x00'; head -c 60 /dev/zero; printf 'KAKETSUKE-SYS32-MARKER\n'; } >"$S/kkevil.dll"
{ printf 'MZ\x90\x00'; head -c 60 /dev/zero; printf 'KAKETSUKE-EXT-MARKER\n'; } >"$S/invoice.exe"
printf 'Write-Host "KAKETSUKE-TEMP-MARKER"\r\n' >"$S/dropper.ps1"
printf 'KAKETSUKE-WIDE-MARKER' | iconv -f UTF-8 -t UTF-16LE >"$S/wide.txt"
# the standard EICAR anti-virus test string (harmless), built in two halves
eicar_a='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR'
eicar_b='-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
printf '%s%s' "$eicar_a" "$eicar_b" >"$S/eicar.com"
# one string at 5000 offsets
printf 'KKMANY!%.0s' $(seq 5000) >"$S/many.bin"
# 1.5 MiB, the marker straddles the 1 MiB boundary
{ head -c $((MIB - 10)) /dev/zero; printf 'KAKETSUKE-TAIL-MARKER'; head -c $((MIB / 2)) /dev/zero; } >"$S/big.bin"
: >"$S/empty.txt"
printf '127.0.0.1 localhost\r\n' >"$S/hosts"
touch -d "$FIXED_TIME" "$S"/*

# ---------------------------------------------------------------- volumes
# A volume is built as its own file-system image, then copied into disks.
# Per volume: TYPE (fat32|fat16|ntfs|ext4), SIZE (MiB), LABEL, and the list of
# entries for MANIFEST.txt: "state<TAB>path<TAB>rules" lines in $W/ID.entries.
declare -A VTYPE VSIZE VLABEL
newvol() { # newvol ID TYPE SIZE_MIB LABEL
	local id=$1
	VTYPE[$id]=$2
	VSIZE[$id]=$3
	VLABEL[$id]=$4
	: >"$W/$id.entries"
	case $2 in
	ext4) mkdir -p "$W/$id.d" && : >"$W/$id.debugfs" ;;
	ntfs) : >"$W/$id.batch" ;;
	fat32 | fat16) ;;
	*) echo "build.sh: bad type $2" >&2 && exit 3 ;;
	esac
}
# mkfs for volumes whose contents are added in place (FAT, NTFS); HIDDEN is the
# partition start in sectors (0 for the stand-alone copies).
mkfs_vol() { # mkfs_vol ID HIDDEN
	local id=$1 img=$W/$1.img
	rm -f "$img"
	truncate -s $((VSIZE[$1] * MIB)) "$img"
	case ${VTYPE[$id]} in
	fat32) mkfs.fat -F 32 -s 1 -n "${VLABEL[$id]}" -i 4b4b3332 -h "$2" "$img" >/dev/null ;;
	fat16) mkfs.fat -F 16 -n "${VLABEL[$id]}" -i 4b4b3136 -h "$2" "$img" >/dev/null ;;
	ntfs) mkntfs -F -q -Q -T -s 512 -c 4096 -p "$2" -H 255 -S 63 -L "${VLABEL[$id]}" "$img" >/dev/null 2>&1 ;;
	esac
}
record() { # record ID STATE PATH RULES
	printf '%s\t%s\t%s\n' "$2" "$3" "$4" >>"$W/$1.entries"
}
fat_mkdir_p() { # fat_mkdir_p IMG /a/b/c
	local img=$1 p='' part
	local IFS=/
	for part in $2; do
		[ -z "$part" ] && continue
		p="$p/$part"
		mmd -i "$img" "::$p" 2>/dev/null || true
	done
}
mkd() { # mkd ID /dir
	local id=$1
	case ${VTYPE[$id]} in
	fat*) fat_mkdir_p "$W/$id.img" "$2" ;;
	ntfs) printf 'mkdir\t%s\n' "$2" >>"$W/$id.batch" ;;
	ext4) mkdir -p "$W/$id.d$2" ;;
	esac
	record "$id" dir "$2" -
}
put() { # put ID /path SRCNAME RULES  (RULES: comma list, - for none)
	local id=$1 path=$2 src=$S/$3
	case ${VTYPE[$id]} in
	fat*)
		fat_mkdir_p "$W/$id.img" "$(dirname "$path")"
		mcopy -m -D o -i "$W/$id.img" "$src" "::$path"
		;;
	ntfs) printf 'put\t%s\t%s\n' "$path" "$src" >>"$W/$id.batch" ;;
	ext4)
		mkdir -p "$W/$id.d$(dirname "$path")"
		cp -p "$src" "$W/$id.d$path"
		;;
	esac
	record "$id" alloc "$path" "$4"
}
ads() { # ads ID /path STREAM SRCNAME RULES  (NTFS only)
	printf 'ads\t%s\t%s\t%s\n' "$2" "$3" "$S/$4" >>"$W/$1.batch"
	record "$1" ads "$2:$3" "$5"
}
del() { # del ID /path FSPATH RULES: delete /path; FSPATH is the name TSK shows
	local id=$1
	case ${VTYPE[$id]} in
	fat*) mdel -i "$W/$id.img" "::$2" ;;
	ntfs) printf 'rm\t%s\n' "$2" >>"$W/$id.batch" ;;
	ext4) printf 'rm %s\n' "$2" >>"$W/$id.debugfs" ;;
	esac
	# the alloc entry goes, a deleted one comes (FAT changes the first letter)
	# (an NTFS file's streams are deleted with it: TSK lists them as deleted)
	awk -F'\t' -v OFS='\t' -v p="$2" '$1 == "alloc" && $2 == p { next }
		$1 == "ads" && index($2, p ":") == 1 { $1 = "deleted" } { print }' \
		"$W/$id.entries" >"$W/$id.entries.tmp"
	mv "$W/$id.entries.tmp" "$W/$id.entries"
	record "$id" deleted "$3" "$4"
}
symlink() { # symlink ID /path TARGET  (ext4 only)
	ln -s "$3" "$W/$1.d$2"
	record "$1" symlink "$2" -
}
hardlink() { # hardlink ID /newpath /existing RULES  (ext4 only)
	ln "$W/$1.d$3" "$W/$1.d$2"
	record "$1" alloc "$2" "$4"
}
finish_vol() { # finish_vol ID HIDDEN: write the remaining contents
	local id=$1
	case ${VTYPE[$id]} in
	ntfs) "$NTFSEDIT" "$W/$id.img" batch "$W/$id.batch" ;;
	ext4)
		rm -f "$W/$id.img"
		truncate -s $((VSIZE[$id] * MIB)) "$W/$id.img"
		find "$W/$id.d" -exec touch -h -d "$FIXED_TIME" {} +
		mke2fs -q -F -t ext4 -L "${VLABEL[$id]}" \
			-U 4b4b6578-7434-4000-8000-00000000000${#id} \
			-E hash_seed=4b4b6578-7434-4000-8000-000000000000,root_owner=0:0 \
			-d "$W/$id.d" "$W/$id.img"
		if [ -s "$W/$id.debugfs" ]; then
			debugfs -w -f "$W/$id.debugfs" "$W/$id.img" >/dev/null 2>&1
		fi
		;;
	esac
}

# Drive-marker rules depend on the letter a volume gets in a given image: the
# entries say @DRIVEROOT (drive.txt in the root), @DRIVE (drive.txt elsewhere)
# or @LETTER (the letter rule alone), expanded per image in MANIFEST.txt.

# --- NTFS "n1": the Windows volume (C: in mbr.raw)
newvol n1 ntfs 12 KKNTFS
# --- FAT32 "f32", FAT16 "f16", ext4 "e4" (mbr.raw)
newvol f32 fat32 36 KKFAT32
newvol f16 fat16 16 KKFAT16
newvol e4 ext4 8 kkext4
# --- gpt.raw: FAT32 "g32" (C:), ext4 "ge4", NTFS "gn" (D:): no Windows volume
newvol g32 fat32 36 KKGPTFAT
newvol ge4 ext4 8 kkgptext4
newvol gn ntfs 12 KKGPTNTFS

# MBR layout (sectors): p1 FAT32, p2 FAT16, p3 extended with p5 NTFS, p6 ext4
P1=2048 P2=$((P1 + 36 * 2048)) P3=$((P2 + 16 * 2048))
P5=$((P3 + 2048)) P6=$((P5 + 12 * 2048 + 2048))
MBR_SECTORS=$((P6 + 8 * 2048 + 2048))
# GPT layout
G1=2048 G2=$((G1 + 36 * 2048)) G3=$((G2 + 8 * 2048))
GPT_SECTORS=$((G3 + 12 * 2048 + 2048))

mkfs_vol n1 "$P5"
mkfs_vol f32 "$P1"
mkfs_vol f16 "$P2"
mkfs_vol g32 "$G1"
mkfs_vol gn "$G3"

# ---- n1: NTFS with a Windows-like tree
U=/Users/alice
mkd n1 /Windows/System32/drivers/etc
put n1 /Windows/System32/drivers/etc/hosts hosts -
put n1 /Windows/System32/kkevil.dll kkevil.dll KK_Ext_System32_Dll
put n1 $U/AppData/Local/Temp/dropper.ps1 dropper.ps1 KK_Ext_Temp_Script
put n1 $U/Documents/report.txt marker1.txt KK_Marker_1
ads n1 $U/Documents/report.txt Zone.Identifier zone.txt KK_ADS_Marker,KK_ADS_Zone_Identifier
put n1 "$U/Documents/秘密.txt" marker1.txt KK_Marker_1,KK_Name_NonAscii
put n1 "$U/Documents/<script>x.txt" marker1.txt KK_Marker_1,KK_Hostile_Name
put n1 "$U/Documents/=cmd.txt" marker1.txt KK_Marker_1,KK_Hostile_Name
put n1 $U/Documents/a/b/c/d/e/deep.txt marker3.txt KK_Nested_Marker_3
put n1 $U/Documents/wide.txt wide.txt KK_Wide_Marker
put n1 $U/Documents/many.bin many.bin KK_Many_Offsets
put n1 $U/Documents/big.bin big.bin KK_Tail_Marker
put n1 $U/Documents/included.txt included.txt KK_Included_Rule,KK_Uses_Included
put n1 $U/Documents/empty.txt empty.txt -
put n1 $U/Documents/plain.txt plain.txt -
put n1 $U/Downloads/INVOICE.PDF.EXE invoice.exe KK_Ext_Upper_Extension
put n1 $U/Downloads/eicar.com eicar.com KK_EICAR_Test_String
put n1 /drive.txt drive.txt @DRIVEROOT
put n1 $U/drive.txt drive.txt @DRIVE
put n1 $U/Documents/deleted_secret.txt deleted.txt KK_Deleted_Marker
del n1 $U/Documents/deleted_secret.txt $U/Documents/deleted_secret.txt KK_Deleted_Marker
put n1 $U/Downloads/setup.txt plain.txt -
ads n1 $U/Downloads/setup.txt Zone.Identifier zone.txt KK_ADS_Marker,KK_ADS_Zone_Identifier
del n1 $U/Downloads/setup.txt $U/Downloads/setup.txt -
finish_vol n1

# ---- f32: FAT32 (D: in mbr.raw)
put f32 /drive.txt drive.txt @DRIVEROOT
put f32 /Temp/payload.bat marker2.txt KK_Marker_2
put f32 "/Temp/秘密.txt" marker2.txt KK_Marker_2,KK_Name_NonAscii
put f32 /=cmd.txt marker2.txt KK_Marker_2,KK_Hostile_Name
put f32 /Deep/a/b/c/d/deep.txt marker3.txt KK_Nested_Marker_3
put f32 /Users/bob/AppData/Local/Temp/run.ps1 dropper.ps1 KK_Ext_Temp_Script
put f32 /Users/bob/drive.txt drive.txt @DRIVE
put f32 /Users/bob/eicar.com eicar.com KK_EICAR_Test_String
put f32 /Temp/plain.txt plain.txt -
put f32 /Temp/deleted.txt deleted.txt KK_Deleted_Marker
del f32 /Temp/deleted.txt /Temp/_eleted.txt KK_Deleted_Marker

# ---- f16: FAT16 (E: in mbr.raw), 8.3 names only
put f16 /drive.txt drive.txt @DRIVEROOT
put f16 /DOCS/MARKER2.TXT marker2.txt KK_Marker_2
put f16 /DOCS/SUB/DRIVE.TXT drive.txt @LETTER,KK_Name_Upper_Drive
put f16 /DOCS/PLAIN.TXT plain.txt -

# ---- e4: ext4 (no letter: slash paths)
H=/home/bob
put e4 /drive.txt drive.txt @DRIVEROOT
put e4 $H/drive.txt drive.txt @DRIVE
hardlink e4 $H/hardlink.txt $H/drive.txt KK_Path_Unix
symlink e4 $H/link.txt drive.txt
put e4 "$H/<script>x.txt" marker1.txt KK_Marker_1,KK_Hostile_Name
put e4 "$H/=cmd.txt" marker1.txt KK_Marker_1,KK_Hostile_Name
put e4 "$H/秘密.txt" marker1.txt KK_Marker_1,KK_Name_NonAscii
put e4 $H/deep/a/b/c/deep.txt marker3.txt KK_Nested_Marker_3
put e4 $H/big.bin big.bin KK_Tail_Marker
put e4 $H/included.txt included.txt KK_Included_Rule,KK_Uses_Included
put e4 $H/plain.txt plain.txt -
put e4 $H/deleted.txt deleted.txt KK_Deleted_Marker
del e4 $H/deleted.txt $H/deleted.txt KK_Deleted_Marker
finish_vol e4

# ---- gpt.raw volumes: g32 (C:), ge4, gn (D:)
put g32 /drive.txt drive.txt @DRIVEROOT
put g32 /EFI/BOOT/marker2.txt marker2.txt KK_Marker_2
put g32 /EFI/BOOT/deleted.txt deleted.txt KK_Deleted_Marker
del g32 /EFI/BOOT/deleted.txt /EFI/BOOT/_eleted.txt KK_Deleted_Marker
put ge4 /drive.txt drive.txt @DRIVEROOT
put ge4 /srv/www/marker1.txt marker1.txt KK_Marker_1
put gn /drive.txt drive.txt @DRIVEROOT
put gn /Data/report.txt marker1.txt KK_Marker_1
ads gn /Data/report.txt Zone.Identifier zone.txt KK_ADS_Marker,KK_ADS_Zone_Identifier
put gn /Data/deleted.txt deleted.txt KK_Deleted_Marker
del gn /Data/deleted.txt /Data/deleted.txt KK_Deleted_Marker
finish_vol ge4
finish_vol gn

# ---------------------------------------------------------------- disks
place() { # place DISK ID START_SECTOR
	dd if="$W/$2.img" of="$1" bs=$MIB seek=$(($3 * SECTOR)) oflag=seek_bytes conv=notrunc status=none
}
MBR=$OUT/mbr.raw
rm -f "$MBR"
truncate -s $((MBR_SECTORS * SECTOR)) "$MBR"
sfdisk --no-reread --no-tell-kernel -q "$MBR" >/dev/null <<EOF
label: dos
label-id: 0x4b4b5453
unit: sectors

start=$P1, size=$((36 * 2048)), type=c
start=$P2, size=$((16 * 2048)), type=6
start=$P3, size=$((MBR_SECTORS - P3)), type=5
start=$P5, size=$((12 * 2048)), type=7
start=$P6, size=$((8 * 2048)), type=83
EOF
place "$MBR" f32 $P1
place "$MBR" f16 $P2
place "$MBR" n1 $P5
place "$MBR" e4 $P6

GPT=$OUT/gpt.raw
rm -f "$GPT"
truncate -s $((GPT_SECTORS * SECTOR)) "$GPT"
sgdisk -o -U 4b4b4750-5400-4000-8000-000000000000 \
	-n 1:$G1:+36M -t 1:0700 -c 1:KKFAT32 -u 1:4b4b4750-5400-4000-8000-000000000001 \
	-n 2:$G2:+8M -t 2:8300 -c 2:kkext4 -u 2:4b4b4750-5400-4000-8000-000000000002 \
	-n 3:$G3:+12M -t 3:0700 -c 3:KKNTFS -u 3:4b4b4750-5400-4000-8000-000000000003 \
	"$GPT" >/dev/null
place "$GPT" g32 $G1
place "$GPT" ge4 $G2
place "$GPT" gn $G3

# check that the partition tables say what we placed
check_starts() { # check_starts DISK START...
	local disk=$1; shift
	local got
	got=$(sfdisk -d "$disk" | sed -n 's/.*start= *\([0-9]*\),.*/\1/p' | tr '\n' ' ')
	if [ "$got" != "$* " ]; then
		echo "build.sh: $disk: partition starts '$got', want '$* '" >&2
		exit 3
	fi
}
check_starts "$MBR" $P1 $P2 $P3 $P5 $P6
check_starts "$GPT" $G1 $G2 $G3

# the stand-alone volumes (NTFS and FAT16 rebuilt with hidden sectors 0 would
# differ; the copies keep the partition's boot-sector values, as dd would)
cp "$W/n1.img" "$OUT/ntfs.raw"
cp "$W/f16.img" "$OUT/fat16.raw"
cp "$W/e4.img" "$OUT/ext4.raw"

# ---------------------------------------------------------------- other formats
rm -f "$OUT"/mbr.E* "$OUT"/mbr-split.* "$OUT"/mbr.vmdk "$OUT"/mbr.vhd "$OUT"/mbr.qcow2 \
	"$OUT"/truncated.E01 "$OUT"/random.bin
EWF_META=(-C KK-CASE-1 -D "kaketsuke test image" -e tests -E KK-EV-1 -N "generated by tests/images/build.sh")
ewfacquire -u -q -t "$OUT/mbr" -c best -f encase6 "${EWF_META[@]}" "$MBR" >/dev/null
ewfacquire -u -q -t "$OUT/mbr-split" -c empty-block -S 1MiB -f encase6 "${EWF_META[@]}" "$MBR" >/dev/null
qemu-img convert -q -f raw -O vmdk "$MBR" "$OUT/mbr.vmdk"
qemu-img convert -q -f raw -O vpc -o subformat=dynamic,force_size=on "$MBR" "$OUT/mbr.vhd"
qemu-img convert -q -f raw -O qcow2 "$MBR" "$OUT/mbr.qcow2"
split -b $((20 * MIB)) -d -a 3 "$MBR" "$OUT/mbr-split."
e01size=$(stat -c %s "$OUT/mbr.E01")
head -c $((e01size / 2)) "$OUT/mbr.E01" >"$OUT/truncated.E01"
# deterministic pseudo-random bytes (not a disk image)
python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(20261122).randbytes(1 << 20))' >"$OUT/random.bin"

# ---------------------------------------------------------------- MANIFEST.txt
# image, fs_offset (bytes), TSK fs type, drive letter (- = slash paths), volume id
VOLUMES="mbr.raw $((P1 * SECTOR)) FAT32 D: f32
mbr.raw $((P2 * SECTOR)) FAT16 E: f16
mbr.raw $((P5 * SECTOR)) NTFS C: n1
mbr.raw $((P6 * SECTOR)) Ext4 - e4
gpt.raw $((G1 * SECTOR)) FAT32 C: g32
gpt.raw $((G2 * SECTOR)) Ext4 - ge4
gpt.raw $((G3 * SECTOR)) NTFS D: gn
ntfs.raw 0 NTFS C: n1
fat16.raw 0 FAT16 C: f16
ext4.raw 0 Ext4 - e4"
{
	cat <<'EOF'
# kaketsuke generated test images, written by tests/images/build.sh
# Tab-separated records (lines starting with # are comments):
#   image     NAME  FORMAT  DESCRIPTION
#   copy      NAME  OF  FORMAT  FILES (space-separated segment names)
#   negative  NAME  WHY
#   volume    IMAGE  FS_OFFSET_BYTES  TSK_FS_TYPE  DRIVE_LETTER (- = slash paths)  LABEL
#   entry     IMAGE  FS_OFFSET_BYTES  STATE  PATH  RULES
# STATE: alloc (regular file), deleted (fls lists it with *, content readable),
# ads (NTFS alternate data stream, PATH = file:stream), dir, symlink.
# RULES: the rules of tests/data/rules that match the entry (comma list, - none).
# A copy holds the same bytes as OF, so the same volumes and entries.
# Drive letters: C: for the volume holding \Windows\System32, then D:, E:, ...
# for the other FAT/NTFS/exFAT volumes in partition order; C:, D:, ... in
# partition order when no volume holds \Windows\System32 (slash paths elsewhere).
# Markers: KAKETSUKE-TEST-MARKER-1/2/3, -DELETED-, -ADS-, -SYS32-, -TEMP-, -EXT-,
# -DRIVE-, -WIDE- (UTF-16LE), -TAIL- (across the 1 MiB boundary of a 1.5 MiB
# file), -INCLUDED-, KKMANY! (5000 times), and the EICAR test string.
EOF
	printf 'image\tmbr.raw\traw\tMBR: p1 FAT32 (sector %s), p2 FAT16 (%s), p3 extended: p5 NTFS (%s, Windows tree), p6 ext4 (%s)\n' $P1 $P2 $P5 $P6
	printf 'image\tgpt.raw\traw\tGPT: p1 FAT32 (sector %s), p2 ext4 (%s), p3 NTFS (%s)\n' $G1 $G2 $G3
	printf 'image\tntfs.raw\traw\tunpartitioned NTFS (the NTFS volume of mbr.raw)\n'
	printf 'image\tfat16.raw\traw\tunpartitioned FAT16 (the FAT16 volume of mbr.raw)\n'
	printf 'image\text4.raw\traw\tunpartitioned ext4 (the ext4 volume of mbr.raw)\n'
	printf 'copy\tmbr.E01\tmbr.raw\tewf\t%s\n' "$(cd "$OUT" && echo mbr.E[0-9][0-9])"
	printf 'copy\tmbr-split.E01\tmbr.raw\tewf\t%s\n' "$(cd "$OUT" && echo mbr-split.E[0-9A-Z][0-9A-Z])"
	printf 'copy\tmbr.vmdk\tmbr.raw\tvmdk\tmbr.vmdk\n'
	printf 'copy\tmbr.vhd\tmbr.raw\tvhd\tmbr.vhd\n'
	printf 'copy\tmbr-split.000\tmbr.raw\tsplitraw\t%s\n' "$(cd "$OUT" && echo mbr-split.[0-9][0-9][0-9])"
	printf 'negative\tmbr.qcow2\tQCOW2 copy of mbr.raw: a format TSK cannot open\n'
	printf 'negative\ttruncated.E01\tthe first half of mbr.E01: a damaged EWF file\n'
	printf 'negative\trandom.bin\t1 MiB of pseudo-random bytes: no volume system, no file system\n'
	while read -r img off fstype letter id; do
		printf 'volume\t%s\t%s\t%s\t%s\t%s\n' "$img" "$off" "$fstype" "$letter" "${VLABEL[$id]}"
	done <<<"$VOLUMES"
	while read -r img off fstype letter id; do
		if [ "$letter" = - ]; then
			lrule=KK_Path_Unix
			drive=KK_Path_Unix,KK_Name_Drive_Txt
			root=KK_Path_Unix,KK_Path_Root_Unix,KK_Name_Drive_Txt
		else
			lrule=KK_Drive_Letter_${letter%:}
			drive=KK_Drive_Letter_${letter%:},KK_Name_Drive_Txt
			root=KK_Drive_Letter_${letter%:},KK_Path_Root_Windows,KK_Name_Drive_Txt
		fi
		while IFS=$'\t' read -r state path rules; do
			rules=${rules//@DRIVEROOT/$root}
			rules=${rules//@DRIVE/$drive}
			rules=${rules//@LETTER/$lrule}
			printf 'entry\t%s\t%s\t%s\t%s\t%s\n' "$img" "$off" "$state" "$path" "$rules"
		done <"$W/$id.entries"
	done <<<"$VOLUMES"
} >"$OUT/MANIFEST.txt"

touch "$OUT/.stamp"
