#!/bin/bash
# Fuzz corpora as regression tests: each harness's replay binary (built by make test as
# $(FUZZ_REPLAY), see tests/fuzz/fuzz.mk) runs LLVMFuzzerTestOneInput over every input
# in tests/fuzz/corpus/<harness>/ -- with SANITIZE=1 under ASan/UBSan -- and, for the
# image harness, over the seed images made by tests/fuzz/make-image-seeds.sh.
# A crash, a failed invariant or (ASan) a leak fails the harness; the failing inputs
# are named.
. "$ROOT/tests/lib.sh"

BIN=$(dirname "$KAKETSUKE")/tests
# libtsk's own leaks and memory errors are suppressed (tests/lsan.supp, which tests/run
# names in LSAN_OPTIONS; tests/fuzz/asan.supp)
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
case ${ASAN_OPTIONS:-} in
*suppressions=*) ;;
*) export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}suppressions=$ROOT/tests/fuzz/asan.supp" ;;
esac
unset KK_FUZZ_LENIENT

SEEDS=$CACHE/fuzz-image-seeds
if ! "$ROOT/tests/fuzz/make-image-seeds.sh" "$SEEDS" > "$T/seeds.log" 2>&1; then
	sed 's/^/#   /' "$T/seeds.log" | head -10
fi

for h in ioc filetype text image field; do
	bin=$BIN/replay_$h
	if [ ! -x "$bin" ]; then
		fail "fuzz replay $h: $bin not built (make test builds \$(FUZZ_REPLAY))"
		continue
	fi
	dirs=("$ROOT/tests/fuzz/corpus/$h")
	[ "$h" = image ] && [ -d "$SEEDS" ] && dirs+=("$SEEDS")
	rc=0
	{ timeout 600 "$bin" "${dirs[@]}" > "$T/$h.out" 2> "$T/$h.err"; } 2>/dev/null || rc=$?
	if [ "$rc" = 0 ]; then
		ok "fuzz replay $h ($(tail -1 "$T/$h.out"))"
	else
		fail "fuzz replay $h (exit $rc: $(tail -1 "$T/$h.out" 2>/dev/null))"
		grep '^replay: FAILED' "$T/$h.err" | sed 's/^replay: /#   /'
		grep -v '^replay: ' "$T/$h.err" | grep -v '^    #[1-9][0-9]' | head -25 | sed 's/^/#   /'
	fi
done
finish
