#!/bin/bash
# 20-images-build.sh — the images made by tests/images/build.sh hold what their
# MANIFEST.txt says, according to The Sleuth Kit (mmls, fsstat, fls, icat);
# and the oracle (tests/oracle/tsk_yara.py) finds exactly the rule matches
# MANIFEST.txt expects. Does not need the kaketsuke binary.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/oracle/common.sh"

missing=$(need_tools mmls fsstat fls icat img_stat jq)
if [ -n "$missing" ]; then
	fail "missing tools:$missing (apt-get install sleuthkit jq)"
	finish
fi
ensure_images || finish
I=$TEST_IMAGES
M=$I/MANIFEST.txt
RULES=$ROOT/tests/data/rules

# --- every file MANIFEST names exists
nfiles=0 absent=
while IFS=$'\t' read -r kind name _ _ files; do
	case $kind in
	image | negative) set -- "$name" ;;
	copy) read -r -a segs <<<"$files" && set -- "${segs[@]}" ;;
	*) continue ;;
	esac
	for f in "$@"; do
		nfiles=$((nfiles + 1))
		[ -s "$I/$f" ] || absent="$absent $f"
	done
done < <(grep -v '^#' "$M")
check_eq "MANIFEST files exist ($nfiles)" "" "$absent"

# --- partition tables: mmls sees the same starts in mbr.raw and in its copies
mmls_starts() { mmls "$1" 2>/dev/null | awk '$2 ~ /^[0-9]+:[0-9]+$|^[0-9]+$/ {print $3+0}' | tr '\n' ' '; }
want=$(mmls_starts "$I/mbr.raw")
check_eq "mbr.raw partitions (mmls)" "2048 75776 110592 137216 " "$want"
check_eq "gpt.raw partitions (mmls)" "2048 75776 92160 " "$(mmls_starts "$I/gpt.raw")"
check_eq "gpt.raw is GPT" "GUID Partition Table (EFI)" "$(mmls "$I/gpt.raw" | head -1)"
while IFS=$'\t' read -r kind name of fmt files; do
	[ "$kind" = copy ] || continue
	check_eq "$name ($fmt) partitions equal $of's" "$want" "$(mmls_starts "$I/$name")"
	check_eq "$name media size" "$(stat -c %s "$I/$of")" \
		"$(img_stat "$I/$name" | sed -n 's/^Size[^:]*:[[:space:]]*\([0-9]*\).*/\1/p' | head -1)"
done < <(grep '^copy' "$M")

# --- negative cases
check_exit "random.bin: mmls finds no volume system" 1 mmls "$I/random.bin"
check_exit "random.bin: fsstat finds no file system" 1 fsstat "$I/random.bin"
check_exit "mbr.qcow2: TSK cannot read it (no file system at 0)" 1 fsstat "$I/mbr.qcow2"
check_exit "mbr.qcow2: TSK finds no partition table" 1 mmls "$I/mbr.qcow2"
check_exit "truncated.E01: unreadable" 1 fsstat "$I/truncated.E01"

# --- volumes: file-system type at each offset, and one fls listing each
declare -A FLS
vi=0
while IFS=$'\t' read -r kind img off fstype _ _; do
	[ "$kind" = volume ] || continue
	oargs=()
	[ "$off" != 0 ] && oargs=(-o $((off / 512)))
	got=$(fsstat "${oargs[@]}" "$I/$img" 2>&1 | sed -n 's/^File System Type: //p')
	check_eq "$img @$off is $fstype" "$fstype" "$got"
	vi=$((vi + 1))
	fls -r -p "${oargs[@]}" "$I/$img" >"$T/fls.$vi" 2>&1
	FLS[$img@$off]=$T/fls.$vi
done < <(grep '^volume' "$M")

# --- entries: fls lists each path with the promised state
bad=0 n=0
while IFS=$'\t' read -r kind img off state path rules; do
	[ "$kind" = entry ] || continue
	n=$((n + 1))
	f=${FLS[$img@$off]:-}
	rel=${path#/}
	case $state in
	alloc) pat='^r/r [0-9][^*]*:' ;;
	ads) pat='^r/r [0-9]+-128-[0-9]+:' ;;
	deleted) pat='^[-r]/r \* [0-9][^(]*:' ;;
	dir) pat='^d/d [0-9][^*]*:' ;;
	symlink) pat='^l/l [0-9][^*]*:' ;;
	*) pat=NEVER ;;
	esac
	if [ -z "$f" ] || ! awk -F'\t' -v p="$rel" -v pat="$pat" \
		'$2 == p && $1 ~ pat { found = 1 } END { exit !found }' "$f"; then
		fail "fls lists $img @$off $state $path"
		bad=$((bad + 1))
	fi
done < <(grep '^entry' "$M")
[ "$bad" = 0 ] && ok "fls lists all $n MANIFEST entries with their state"

# specific TSK facts the scanner must match
n1=${FLS[mbr.raw@56623104]}
check "NTFS ADS listed as name:stream" grep -q $'^r/r [0-9]*-128-[0-9]*:\tUsers/alice/Documents/report.txt:Zone.Identifier$' "$n1"
check "NTFS deleted file listed as -/r *" grep -q $'^-/r \\* [0-9]*-128-[0-9]*:\tUsers/alice/Documents/deleted_secret.txt$' "$n1"
e4=${FLS[mbr.raw@70254592]}
check "ext4 deleted file listed as r/r *" grep -q $'^r/r \\* [0-9]*:\thome/bob/deleted.txt$' "$e4"
check "ext4 hard link listed under both names" test "$(grep -c -E $'\thome/bob/(drive|hardlink).txt$' "$e4")" = 2
ino=$(awk -F'\t' '$2 == "home/bob/deleted.txt" { split($1, a, " "); print a[3] }' "$e4" | tr -d ':')
check "ext4 deleted file content recoverable (icat $ino)" \
	sh -c "icat -o 137216 '$I/mbr.raw' '$ino' | grep -q KAKETSUKE-DELETED-MARKER"
f32=${FLS[mbr.raw@1048576]}
ino=$(awk -F'\t' '$2 == "Temp/_eleted.txt" { split($1, a, " "); print a[3] }' "$f32" | tr -d ':')
check "FAT deleted file content recoverable (icat $ino)" \
	sh -c "icat -o 2048 '$I/mbr.raw' '$ino' | grep -q KAKETSUKE-DELETED-MARKER"
check "Japanese name on FAT32 (LFN)" grep -q $'\tTemp/秘密.txt$' "$f32"
check "Japanese name on NTFS" grep -q $'\tUsers/alice/Documents/秘密.txt$' "$n1"
check "HTML-hostile name on NTFS" grep -q $'\tUsers/alice/Documents/<script>x.txt$' "$n1"
check "HTML-hostile name on ext4" grep -q $'\thome/bob/<script>x.txt$' "$e4"

# --- the oracle agrees with MANIFEST's expected rules, image by image
for img in mbr.raw gpt.raw ntfs.raw fat16.raw ext4.raw; do
	awk -F'\t' -v img="$img" '$1 == "entry" && $2 == img && $6 != "-" {
		n = split($6, r, ",")
		for (i = 1; i <= n; i++) print $3 "\t" $5 "\t" r[i] "\t" ($4 == "deleted" ? "true" : "false")
	}' "$M" | LC_ALL=C sort >"$T/want.$img"
	if "$ORACLE" "$I/$img" "$RULES" >"$T/oracle.$img" 2>"$T/oracle.$img.err"; then
		files_same "oracle matches on $img = MANIFEST" "$T/want.$img" "$T/oracle.$img"
	else
		fail "oracle on $img"
		sed 's/^/#   /' "$T/oracle.$img.err" | head
	fi
done
# drive letters: the oracle gives each volume the letter MANIFEST says
while IFS=$'\t' read -r kind img off fstype letter _; do
	[ "$kind" = volume ] || continue
	want="$off:$fstype"
	[ "$letter" != - ] && want="$want=$letter"
	check "oracle: $img @$off is $fstype ${letter/-/(no letter)}" \
		grep -qE "[ (]$want(,|\)| )" "$T/oracle.$img.err"
done < <(grep '^volume' "$M")
check "oracle skips the index file" grep -q 'skipping index file index.yar' "$T/oracle.mbr.raw.err"

finish
