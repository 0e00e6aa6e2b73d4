#!/usr/bin/env bash
# tests/memory/bench.sh - memory-image scan benchmark, side by side with the yara CLI
# (make bench calls it). A generated raw memory image (KK_BENCH_MEM_MIB, default 512 MiB:
# zero, random, text, code-like and UTF-16 pages) is scanned with the whole
# signature-base rule set by
#   - the yara CLI (one file: one scan, one thread),
#   - kaketsuke scan --memory -j 2, and -j 1,
# all with the same compiled rules (yarac, one namespace per file, the external variables
# kaketsuke defines set to ""), the page cache warm. Prints wall and CPU seconds and the
# ratio lines:
#   memory -j2 vs yara: R      (target <= 0.6 on 2 cores)
#   memory -j2 vs -j1: R
# Environment: KAKETSUKE (binary), CACHE (kept between runs: image, compiled rules),
# CORPORA, KK_BENCH_RULES (rule directory), KK_BENCH_MEM_MIB, KK_BENCH_RUNS (rounds; the
# best of each is kept, default 3). Exit 0 unless a tool fails; a missed target is reported, not fatal.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
KAKETSUKE=${KAKETSUKE:-$BUILD/kaketsuke}
CACHE=${CACHE:-$ROOT/build/cache}
CORPORA=${CORPORA:-$(cd "$ROOT/.." && pwd)/shared/corpora}
RULES=${KK_BENCH_RULES:-$CORPORA/signature-base/yara}
MIB=${KK_BENCH_MEM_MIB:-512}
RUNS=${KK_BENCH_RUNS:-3}
DIR=$CACHE/memory
mkdir -p "$DIR"

die() { echo "memory bench: $*" >&2; exit 2; }
[ -x "$KAKETSUKE" ] || die "kaketsuke binary not found: $KAKETSUKE (run make)"
command -v yara >/dev/null && command -v yarac >/dev/null || die "yara/yarac not installed (apt-get install yara)"
[ -d "$RULES" ] || die "rule directory not found: $RULES"

EXT=(-d filename= -d filepath= -d extension= -d filetype= -d owner=)

# --- compiled rules, cached by the rule files' hash
mapfile -t files < <(cd "$RULES" && find . -type f \( -name '*.yar' -o -name '*.yara' \) | sed 's|^\./||' | LC_ALL=C sort)
[ ${#files[@]} -gt 0 ] || die "no .yar/.yara files in $RULES"
key=$(cd "$RULES" && cat "${files[@]}" | sha256sum | cut -c1-16)
YARC=$DIR/rules-$key.yarc
if [ ! -s "$YARC" ]; then
	args=()
	for f in "${files[@]}"; do
		# index files made only of include lines are left out, as kaketsuke does
		grep -qvE '^[[:space:]]*(include[[:space:]].*)?$|^[[:space:]]*//' "$RULES/$f" || continue
		args+=("$f:$f")
	done
	if ! (cd "$RULES" && yarac -w "${EXT[@]}" "${args[@]}" "$YARC.part") 2>"$DIR/yarac.log"; then
		# some file does not compile with this YARA: keep the ones that do
		good=()
		for a in "${args[@]}"; do
			(cd "$RULES" && yarac -w "${EXT[@]}" "$a" /dev/null) 2>/dev/null && good+=("$a")
		done
		echo "memory bench: $(( ${#args[@]} - ${#good[@]} )) rule files do not compile with yarac; left out"
		(cd "$RULES" && yarac -w "${EXT[@]}" "${good[@]}" "$YARC.part") || die "yarac failed (see $DIR/yarac.log)"
	fi
	mv "$YARC.part" "$YARC"
fi

# --- the image
IMG=$DIR/bench-$MIB.raw
if [ ! -s "$IMG" ]; then
	python3 "$ROOT/tests/memory/gen.py" bench "$IMG" "$MIB" || die "cannot generate $IMG"
fi
cat "$IMG" >/dev/null # warm the page cache for everyone

# run NAME CMD...: one timed run; keeps the best wall time in T_NAME and its CPU time
# (user + sys) in U_NAME
run() {
	local name=$1 t w u s best
	shift
	t=$( { TIMEFORMAT='%R %U %S'; time "$@" >"$DIR/bench.$name.out" 2>"$DIR/bench.$name.err"; } 2>&1 )
	read -r w u s <<<"$t"
	local v="T_$name"
	best=${!v:-}
	if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN{exit !(a<b)}'; then
		printf -v "T_$name" '%s' "$w"
		printf -v "U_$name" '%s' "$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')"
	fi
}

nrules=$(cd "$RULES" && cat "${files[@]}" | grep -cE '^[[:space:]]*(private[[:space:]]+|global[[:space:]]+)*rule[[:space:]]')
echo "memory bench: $MIB MiB raw image, signature-base ($RULES: ${#files[@]} files, ~$nrules rules), $(nproc) cores"

# rounds interleave the three so that a burst of load elsewhere hits them alike
for ((round = 0; round < RUNS; round++)); do
	run yara yara -C "$YARC" "$IMG"
	run kk2 "$KAKETSUKE" scan --memory --quiet -j 2 -r "$YARC" -o "$DIR/bench.kk2.jsonl" --force "$IMG"
	run kk1 "$KAKETSUKE" scan --memory --quiet -j 1 -r "$YARC" -o "$DIR/bench.kk1.jsonl" --force "$IMG"
done
[ -s "$DIR/bench.yara.err" ] && { sed 's/^/  yara: /' "$DIR/bench.yara.err" | head -5; }
for n in kk2 kk1; do
	tail -1 "$DIR/bench.$n.jsonl" 2>/dev/null | grep -q '"type":"summary"' ||
		die "kaketsuke -j ${n#kk} failed: $(head -3 "$DIR/bench.$n.err")"
done

mibs() { awk -v m="$MIB" -v t="$1" 'BEGIN{printf "%.1f", (t > 0 ? m / t : 0)}'; }
printf '  %-34s %7s s wall %7s s cpu %8s MiB/s\n' "yara CLI (1 file, 1 thread)" "$T_yara" "$U_yara" "$(mibs "$T_yara")"
printf '  %-34s %7s s wall %7s s cpu %8s MiB/s\n' "kaketsuke scan --memory -j 1" "$T_kk1" "$U_kk1" "$(mibs "$T_kk1")"
printf '  %-34s %7s s wall %7s s cpu %8s MiB/s\n' "kaketsuke scan --memory -j 2" "$T_kk2" "$U_kk2" "$(mibs "$T_kk2")"
yrules=$(grep -cv '^0x' "$DIR/bench.yara.out")
krules=$(grep -c '"type":"match"' "$DIR/bench.kk2.jsonl")
echo "  matches: yara $yrules rule hits on the whole file; kaketsuke $krules match records (per chunk)"
ratio=$(awk -v a="$T_kk2" -v b="$T_yara" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}')
echo "memory -j2 vs yara: $ratio"
echo "memory -j2 vs -j1: $(awk -v a="$T_kk2" -v b="$T_kk1" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}')"
awk -v r="$ratio" 'BEGIN{exit !(r <= 0.6)}' && echo "  target memory -j2 vs yara <= 0.6: met" ||
	echo "  target memory -j2 vs yara <= 0.6: NOT met (load: $(cut -d' ' -f1-3 /proc/loadavg))"
exit 0
