#!/bin/bash
# 30-differential-generated.sh — kaketsuke scan against the TSK + python3-yara
# oracle (tests/oracle/tsk_yara.py) on every image made by tests/images/build.sh
# (raw MBR/GPT disks, unpartitioned volumes, E01, split E01, VMDK, VHD, split
# raw), with the rules of tests/data/rules. Each image must be unchanged by the
# scan. Also: the negative cases (random bytes, QCOW2, truncated E01) must not
# crash the scanner.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$ROOT/tests/lib.sh"
source "$ROOT/tests/oracle/common.sh"

missing=$(need_tools mmls fsstat fls icat jq)
if [ -n "$missing" ]; then
	fail "missing tools:$missing (apt-get install sleuthkit jq)"
	finish
fi
ensure_images || finish
I=$TEST_IMAGES
RULES=$ROOT/tests/data/rules

have_kk=1
if ! kk_available; then
	fail "kaketsuke binary not found or not executable: '${KAKETSUKE:-}' (build it with make)"
	have_kk=0
fi

# segments NAME: the files that make up image NAME (from MANIFEST.txt)
segments() {
	local segs
	segs=$(awk -F'\t' -v n="$1" '$1 == "copy" && $2 == n { print $5 }' "$I/MANIFEST.txt")
	[ -n "$segs" ] || segs=$1
	local s
	for s in $segs; do printf '%s\n' "$I/$s"; done
}

# jsonl_valid DESC FILE: every line is a JSON object with type and source, and
# the last one is the summary
jsonl_valid() {
	if jq -e -s 'length > 0 and all(.[]; type == "object" and has("type") and has("source"))
	             and (.[-1].type == "summary")' "$2" >/dev/null 2>"$T/.jq.err"; then
		ok "$1"
	else
		fail "$1"
		sed 's/^/#   /' "$T/.jq.err" | head -5
		tail -3 "$2" | cut -c1-300 | sed 's/^/#   /'
	fi
}

IMAGES="mbr.raw gpt.raw ntfs.raw fat16.raw ext4.raw mbr.E01 mbr-split.E01 mbr.vmdk mbr.vhd mbr-split.000"
for img in $IMAGES; do
	mapfile -t files < <(segments "$img")
	before=$(evidence_hash "${files[@]}")
	if ! oracle_cached "$T/oracle.$img" "$before" "$RULES" "$I/$img"; then
		fail "oracle on $img"
		continue
	fi
	if [ "$img" != mbr.raw ] && [ "${img#mbr}" != "$img" ]; then
		files_same "oracle: $img reads like mbr.raw" "$T/oracle.mbr.raw" "$T/oracle.$img"
	fi
	[ "$have_kk" = 1 ] || continue
	kk_scan_tsv "$T/kk.$img" "$RULES" "$I/$img"
	compare_scan "$img" "$T/oracle.$img" "$T/kk.$img"
	[ -f "$KK_JSONL" ] && jsonl_valid "scan $img output is JSON Lines ending in a summary" "$KK_JSONL"
	check_eq "$img unchanged by the scan" "$before" "$(evidence_hash "${files[@]}")"
done

# negative cases: no crash (exit 0, 1 or 2), evidence unchanged
if [ "$have_kk" = 1 ]; then
	for img in random.bin mbr.qcow2 truncated.E01; do
		before=$(evidence_hash "$I/$img")
		KK_JSONL=$T/neg.$img.jsonl
		"$KAKETSUKE" scan "$I/$img" -r "$RULES" --quiet -o "$KK_JSONL" >"$T/.neg.out" 2>&1
		rc=$?
		case $rc in
		0 | 1 | 2) ok "scan $img exits $rc (no crash)" ;;
		*) fail "scan $img exits $rc"; sed 's/^/#   /' "$T/.neg.out" | head -10 ;;
		esac
		if [ "$rc" != 2 ] && [ -f "$KK_JSONL" ]; then
			jsonl_valid "scan $img output is JSON Lines ending in a summary" "$KK_JSONL"
		fi
		check_eq "$img unchanged by the scan" "$before" "$(evidence_hash "$I/$img")"
	done
	# a damaged E01 is an unusable source (exit 2) or yields error records
	if [ -f "$T/neg.truncated.E01.jsonl" ] && jq -e 'select(.type == "error")' "$T/neg.truncated.E01.jsonl" >/dev/null 2>&1; then
		ok "truncated.E01 reported as an error record"
	else
		"$KAKETSUKE" scan "$I/truncated.E01" -r "$RULES" --quiet -o "$T/neg2.truncated.jsonl" >/dev/null 2>&1
		check_eq "truncated.E01 is an unusable source (exit 2) when no error record" 2 "$?"
	fi
	# random bytes are no disk image: scanned as a single file, nothing matches
	if [ -f "$T/neg.random.bin.jsonl" ]; then
		check_eq "random.bin: no match" 0 "$(jq -s '[.[] | select(.type == "match")] | length' "$T/neg.random.bin.jsonl")"
	fi
fi

finish
