#!/bin/bash
# 30-differential-corpora.sh — kaketsuke scan against the TSK + python3-yara
# oracle (tests/oracle/tsk_yara.py) on real-world images: dfvfs (ext2 as raw,
# split raw, E01, split E01, VMDK, VHD; MBR; HFS+; ISO9660; a non-ASCII file
# name; older images), dfir_ntfs (FAT12/16/32, exFAT, NTFS edge cases; gzipped,
# unpacked once into $CACHE/corpora), ColinFinck's NTFS testfs1, ntfs-samples
# (Windows 10 NTFS), and Debian's forensics-samples images when installed. Rules: tests/data/rules-corpora
# (generic rules that match what these images hold). For each image the oracle
# must find something (unless the image is a negative case), kaketsuke must
# report the same matches, and the image must be unchanged by the scan.
#
# Environment: CORPORA (../shared/corpora), CACHE, KAKETSUKE, T, ROOT.
#   KK_CORPORA_SLOW=0  leave out the 512 MiB sparse fat32_full_test image and
#                      ntfs-samples/ntfs-2m.raw (1 GiB, rejected by TSK).
# Not used: ntfs-samples/ntfs.tgz (64 GiB sparse).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/oracle/common.sh"

missing=$(need_tools mmls fsstat fls icat jq gzip tar xz)
if [ -n "$missing" ]; then
	fail "missing tools:$missing (apt-get install sleuthkit jq gzip tar xz-utils)"
	finish
fi
RULES=$ROOT/tests/data/rules-corpora
FS_SAMPLES=/usr/share/forensics-samples

have_kk=1
if ! kk_available; then
	fail "kaketsuke binary not found or not executable: '${KAKETSUKE:-}' (build it with make)"
	have_kk=0
fi
if [ -z "${CORPORA:-}" ] || [ ! -d "$CORPORA" ]; then
	skip "corpora images" "CORPORA not set or missing ('${CORPORA:-}')"
fi

UNPACK=$CACHE/corpora
mkdir -p "$UNPACK"

# unpack KIND SRC NAME: decompress SRC (gz, tgz member NAME, tar member NAME,
# xz) into $UNPACK/NAME once (sparse), and print the path
unpack() {
	local kind=$1 src=$2 name=$3 dst=$UNPACK/$3
	if [ -f "$dst" ] && [ "$dst" -nt "$src" ]; then
		echo "$dst"
		return 0
	fi
	mkdir -p "$(dirname "$dst")"
	rm -f "$dst" "$dst.tmp"
	case $kind in
	gz | xz)
		local z=gzip
		[ "$kind" = xz ] && z=xz
		"$z" -dc "$src" | dd of="$dst.tmp" bs=64k conv=sparse status=none
		[ "${PIPESTATUS[0]}" = 0 ] || { rm -f "$dst.tmp"; return 1; }
		;;
	tgz | tar)
		local d=$UNPACK/.tar.$$
		rm -rf "$d" && mkdir -p "$d"
		tar -x --no-same-owner -C "$d" -f "$src" "$(basename "$name")" && mv "$d/$(basename "$name")" "$dst.tmp"
		rm -rf "$d"
		;;
	esac || return 1
	[ -f "$dst.tmp" ] || return 1
	touch "$dst.tmp" && mv "$dst.tmp" "$dst" && echo "$dst"
}

# image_files IMAGE: the files that make up IMAGE (its segments)
image_files() {
	local img=$1 base
	case $img in
	*.E01) base=${img%.E01}; ls "$base".E[0-9][0-9] 2>/dev/null ;;
	*.000) base=${img%.000}; ls "$base".[0-9][0-9][0-9] 2>/dev/null ;;
	*) echo "$img" ;;
	esac
}

# one_image LABEL IMAGE FLAGS [TSK ARGS...]
#   FLAGS: comma list of: empty (a negative case: the oracle finds nothing),
#          optional (a mismatch is reported as a skip, not a failure)
one_image() {
	local label=$1 img=$2 flags=$3
	shift 3
	local files before tag=${label//[^A-Za-z0-9._-]/_}
	if [ ! -f "$img" ]; then
		fail "$label: image missing ($img)"
		return
	fi
	mapfile -t files < <(image_files "$img")
	before=$(evidence_sig "${files[@]}")
	if ! oracle_cached "$T/o.$tag" "$before" "$RULES" "$img" "$@"; then
		fail "$label: oracle failed"
		return
	fi
	split_meta "$T/o.$tag"
	local n
	n=$(wc -l <"$T/o.$tag.files")
	case ,$flags, in
	*,empty,*) check_eq "$label: oracle finds nothing in regular files (negative case)" 0 "$n" ;;
	*) if [ "$n" -gt 0 ]; then ok "$label: oracle finds $n matches"; else fail "$label: oracle finds nothing"; fi ;;
	esac
	[ "$have_kk" = 1 ] || return
	kk_scan_tsv "$T/k.$tag" "$RULES" "$img"
	if [ "${KK_RC:-}" -gt 2 ] 2>/dev/null; then
		fail "$label: kaketsuke exit $KK_RC (crash or internal error)"
		sed 's/^/#   /' "$T/.kk.stderr" | head -5
	fi
	case ,$flags, in
	*,optional,*) compare_scan "$label" "$T/o.$tag" "$T/k.$tag" optional ;;
	*,empty,*)
		# negative: no crash; exit 0 (nothing), 1 (metadata matches) or 2 (unusable)
		if [ "$KK_RC" = 2 ]; then
			ok "scan $label: unusable source (exit 2)"
		else
			compare_scan "$label" "$T/o.$tag" "$T/k.$tag"
		fi
		;;
	*) compare_scan "$label" "$T/o.$tag" "$T/k.$tag" ;;
	esac
	check_eq "$label unchanged by the scan" "$before" "$(evidence_sig "${files[@]}")"
}

SECONDS=0
if [ -n "${CORPORA:-}" ] && [ -d "$CORPORA" ]; then
	V=$CORPORA/dfvfs/test_data
	H=$CORPORA/dfvfs/test_data_history
	for f in ext2.raw ext2.splitraw.000 ext2.E01 ext2.split.E01 ext2.vmdk ext2.vhd mbr.raw \
		image.vhd hfsplus.raw iso9660.raw ímynd.dd; do
		one_image "dfvfs/$f" "$V/$f" ""
	done
	one_image "dfvfs/apfs.raw (-P apfs -B 107)" "$V/apfs.raw" optional -P apfs -B 107
	for f in bogus.001 ext2.qcow2 image-differential.vhd; do
		one_image "dfvfs/$f" "$V/$f" empty
	done
	for f in 1c2cc4a83d22/image.E01 1c2cc4a83d22/image.raw.000 1c2cc4a83d22/image.vmdk \
		a1f83ea9ff09/iso9660-level1.raw; do
		one_image "dfvfs-history/$f" "$H/$f" ""
	done
	for f in 1c2cc4a83d22/image-split.E01 204e0d0bdd44/tsk_volume_system.raw \
		f0752482b5a5/tsk_volume_system.raw; do
		one_image "dfvfs-history/$f" "$H/$f" empty
	done

	D=$CORPORA/dfir_ntfs/test_data
	for f in ntfs3 ntfs3_attrlist ntfs_index fat12 fat16 fat16_moved fat32_loop \
		fat_deleted_dir fat_deleted_dir_2 fat_lfn_test fat_unusual_cluster \
		fat_unusual_label exfat_win win_exfat_7 exfat_lin_part exfat_encrypted \
		fat_noloop fat_dir exfat_orphan; do
		img=$(unpack gz "$D/$f.raw.gz" "dfir_ntfs/$f.raw") || { fail "unpack $f.raw.gz"; continue; }
		flags=
		case $f in fat_noloop | fat_dir | exfat_orphan) flags=empty ;; esac # directories only
		one_image "dfir_ntfs/$f.raw" "$img" "$flags"
	done
	img=$(unpack gz "$D/fat32_small.raw.gz" dfir_ntfs/fat32_small.raw) &&
		one_image "dfir_ntfs/fat32_small.raw (-f fat32)" "$img" "" -f fat32
	for f in fat64.raw gpt-512-3p.raw gpt-512-0p.raw mbr-512-p1e2.bin mbr-4096-p1e1.bin; do
		img=$(unpack gz "$D/$f.gz" "dfir_ntfs/$f") && one_image "dfir_ntfs/$f" "$img" empty
	done
	img=$(unpack tar "$D/mbr-win-512.raw.tgz" dfir_ntfs/mbr-win-512.raw) &&
		one_image "dfir_ntfs/mbr-win-512.raw" "$img" empty
	if [ "${KK_CORPORA_SLOW:-1}" = 1 ]; then
		img=$(unpack tgz "$D/fat32_full_test.tgz" dfir_ntfs/fat32_full_test.raw) &&
			one_image "dfir_ntfs/fat32_full_test.raw" "$img" ""
	else
		skip "dfir_ntfs/fat32_full_test.raw" "512 MiB sparse image; set KK_CORPORA_SLOW=1"
	fi

	one_image "ColinFinck-ntfs/testfs1" "$CORPORA/ColinFinck-ntfs/testdata/testfs1" ""

	# ntfs-samples: NTFS made by Windows 10 (256 MiB and 1 GiB sparse images;
	# ramslack has NTFS compression). ntfs-2m (TSK rejects it) only when slow.
	N=$CORPORA/ntfs-samples
	for f in ntfs-lastaccess ntfs-si-vs-fn ntfs-ramslack ntfs-ptrn; do
		img=$(unpack gz "$N/$f.raw.gz" "ntfs-samples/$f.raw") || { fail "unpack $f.raw.gz"; continue; }
		one_image "ntfs-samples/$f.raw" "$img" ""
	done
	if [ "${KK_CORPORA_SLOW:-1}" = 1 ]; then
		img=$(unpack gz "$N/ntfs-2m.raw.gz" ntfs-samples/ntfs-2m.raw) &&
			one_image "ntfs-samples/ntfs-2m.raw" "$img" empty
	fi
fi

# Debian forensics-samples-* (apt-get install forensics-samples-all)
if [ -d "$FS_SAMPLES" ]; then
	for fs in ntfs exfat vfat ext2 ext4 multiple btrfs; do
		src=$FS_SAMPLES/fs.$fs.xz
		if [ ! -f "$src" ]; then
			skip "forensics-samples fs.$fs" "package forensics-samples-$fs not installed"
			continue
		fi
		flags=
		[ "$fs" = btrfs ] && flags=empty # TSK 4.11 has no btrfs
		img=$(unpack xz "$src" "forensics-samples/fs.$fs") || { fail "unpack $src"; continue; }
		one_image "forensics-samples/fs.$fs" "$img" "$flags"
	done
else
	skip "forensics-samples images" "not installed (apt-get install forensics-samples-all)"
fi
echo "# corpora: ${SECONDS}s"

finish
