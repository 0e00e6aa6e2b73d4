# Helpers shared by tests/integration/20-images-*.sh and 30-differential-*.sh
# (sourced after tests/lib.sh; uses ROOT, T, CACHE, TEST_IMAGES, KAKETSUKE).

ORACLE=$ROOT/tests/oracle/tsk_yara.py
TO_TSV=$ROOT/tests/oracle/jsonl_to_tsv.sh
: "${CACHE:=$ROOT/build/cache}"
mkdir -p "$CACHE/oracle"

# need_tools TOOL...: print the missing ones (empty when all are there)
need_tools() {
	local t missing=
	for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done
	echo "$missing"
}

# ensure_images: make sure $TEST_IMAGES holds the generated images (runs
# tests/images/build.sh, which returns at once when they are up to date).
ensure_images() {
	if [ -z "${TEST_IMAGES:-}" ]; then
		fail "TEST_IMAGES is not set"
		return 1
	fi
	if ! NTFSEDIT=${NTFSEDIT:-$ROOT/build/tests/ntfsedit} \
		"$ROOT/tests/images/build.sh" "$TEST_IMAGES" >"$T/.build.log" 2>&1; then
		fail "tests/images/build.sh $TEST_IMAGES"
		sed 's/^/#   /' "$T/.build.log" | head -20
		return 1
	fi
	[ -f "$TEST_IMAGES/MANIFEST.txt" ] || { fail "no $TEST_IMAGES/MANIFEST.txt"; return 1; }
}

# kk_available: 0 when $KAKETSUKE is an executable file
kk_available() { [ -n "${KAKETSUKE:-}" ] && [ -x "$KAKETSUKE" ] && [ -f "$KAKETSUKE" ]; }

# tree_sha DIR: one hash over the names and contents of the files below DIR
tree_sha() {
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

# evidence_sig FILE...: a fingerprint to show a scan left the evidence alone:
# the SHA-256 of each file up to 256 MiB; for larger (sparse, unpacked) files
# their size, mtime and ctime (any write changes them), to save time.
evidence_sig() {
	local f
	for f in "$@"; do
		if [ "$(stat -c %s "$f")" -le $((256 * 1024 * 1024)) ]; then
			sha256sum <"$f"
		else
			stat -c '%n %s %.9Y %.9Z' "$f"
		fi
	done | sha256sum | cut -d' ' -f1
}

# oracle_cached OUT IMAGE_HASH RULESDIR IMAGE [TSK ARGS...]: the oracle's TSV
# (run with --with-meta: metadata files under /$ included) into OUT, cached in
# $CACHE/oracle by image hash, rules, oracle and TSK args.
# Returns the oracle's exit status (0 ok).
oracle_cached() {
	local out=$1 ihash=$2 rules=$3 image=$4
	shift 4
	local key
	key=$( { echo "$ihash"; tree_sha "$rules"; sha256sum <"$ORACLE"; echo "$*"; \
		fls -V 2>&1; } | sha256sum | cut -d' ' -f1)
	local c=$CACHE/oracle/$key.tsv
	if [ -f "$c" ]; then
		cp "$c" "$out"
		return 0
	fi
	local args=()
	[ $# -gt 0 ] && args=(--tsk-args "$@")
	if "$ORACLE" --with-meta "$image" "$rules" "${args[@]}" >"$out.tmp" 2>"$out.err"; then
		mv "$out.tmp" "$out"
		cp "$out" "$c.tmp" && mv "$c.tmp" "$c"
		return 0
	fi
	sed 's/^/#   oracle: /' "$out.err" | head -10
	return 1
}

# kk_scan_tsv OUT_TSV RULESDIR IMAGE: run kaketsuke scan, convert to TSV.
# Sets KK_RC to kaketsuke's exit status and KK_JSONL to its output file.
kk_scan_tsv() {
	local out=$1 rules=$2 image=$3
	KK_JSONL=$T/kk.$$.$RANDOM.jsonl
	rm -f "$KK_JSONL" "$KK_JSONL.part"
	"$KAKETSUKE" scan "$image" -r "$rules" --quiet -o "$KK_JSONL" >"$T/.kk.stdout" 2>"$T/.kk.stderr"
	KK_RC=$?
	if [ -f "$KK_JSONL" ]; then
		"$TO_TSV" "$KK_JSONL" >"$out" 2>"$T/.kk.jq" || echo "(jq failed: $(head -c 200 "$T/.kk.jq"))" >"$out"
	else
		echo "(no output file; exit $KK_RC: $(head -c 300 "$T/.kk.stderr"))" >"$out"
	fi
}

# split_meta TSV: TSV.files (paths not under /$) and TSV.meta (under /$)
split_meta() {
	grep -v $'^[^\t]*\t/\$' "$1" >"$1.files"
	grep $'^[^\t]*\t/\$' "$1" >"$1.meta"
}

# compare_scan LABEL ORACLE_TSV KK_TSV [optional]: kaketsuke's matches equal
# the oracle's. Regular files (paths not under /$) must agree. Metadata files
# (/$MFT, /$OrphanFiles/OrphanFile-N, ...) are outside the contract: they are
# compared for information only (equal: ok; different or not scanned: a skip
# that says how many lines differ). With "optional", a mismatch on regular
# files is a skip too. Also checks the exit status (1 when the output has
# matches, else 0).
compare_scan() {
	local label=$1 o=$2 k=$3 opt=${4:-}
	split_meta "$o"
	split_meta "$k"
	local n
	n=$(wc -l <"$o.files")
	if [ "$opt" = optional ] && ! cmp -s "$o.files" "$k.files"; then
		skip "scan $label = oracle" "optional: $(diff "$o.files" "$k.files" | grep -c '^[<>]') lines differ"
	else
		files_same "scan $label = oracle ($n matches)" "$o.files" "$k.files"
	fi
	local want=0
	if [ -s "$k.meta" ]; then
		local d
		d="scan $label: metadata files (/\$...) = oracle --with-meta ($(wc -l <"$o.meta") matches)"
		if cmp -s "$o.meta" "$k.meta"; then
			ok "$d"
		else
			skip "$d" "informational: $(diff "$o.meta" "$k.meta" | grep -c '^[<>]') lines differ, e.g. $(diff "$o.meta" "$k.meta" | grep -m1 '^[<>]' | cut -f1-3 | tr '\t' ' ')"
		fi
	else
		[ -s "$o.meta" ] && skip "scan $label: metadata files (/\$...)" \
			"kaketsuke reports none; the oracle has $(wc -l <"$o.meta") matches"
	fi
	# exit 1 when kaketsuke reported findings (its own output), 0 when none
	[ -s "$k" ] && want=1
	check_eq "scan $label exit status (findings: $want)" "$want" "$KK_RC"
}
