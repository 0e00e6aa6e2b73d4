#!/bin/bash
# tests/fuzz/run.sh HARNESS [SECONDS] [libFuzzer options...]
#   Build the libFuzzer binaries (make fuzz) and fuzz one harness (ioc, filetype, text,
#   image) for SECONDS (default 60). New inputs go to build/fuzz/corpus/HARNESS/
#   (seeded from tests/fuzz/corpus/HARNESS/ and, for image, generated seed images);
#   crashes to build/fuzz/artifacts/HARNESS/. To keep a crash as a regression test:
#   minimise it (build/fuzz/fuzz_HARNESS -minimize_crash=1 -runs=10000 CRASH), report the
#   bug, and copy the minimised file to tests/fuzz/corpus/HARNESS/.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
H=${1:?usage: run.sh HARNESS [SECONDS] [libFuzzer options...]}
SECS=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
cd "$ROOT"
make --no-print-directory fuzz >/dev/null
BIN=build/fuzz/fuzz_$H
[ -x "$BIN" ] || { echo "run.sh: no harness '$H'" >&2; exit 2; }
CORPUS=build/fuzz/corpus/$H
ART=build/fuzz/artifacts/$H
mkdir -p "$CORPUS" "$ART"
SEEDS=("tests/fuzz/corpus/$H")
MAXLEN=65536
case $H in
image)
	"$ROOT/tests/fuzz/make-image-seeds.sh" build/fuzz/seeds-image
	SEEDS+=(build/fuzz/seeds-image)
	MAXLEN=131072
	;;
esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:suppressions=$ROOT/tests/fuzz/asan.supp}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
DICT=()
[ -f "tests/fuzz/$H.dict" ] && DICT=(-dict="tests/fuzz/$H.dict")
exec "$BIN" "$CORPUS" "${SEEDS[@]}" -max_total_time="$SECS" -max_len="$MAXLEN" -timeout=20 \
	-rss_limit_mb=2048 -artifact_prefix="$ART/" -print_final_stats=1 \
	"${DICT[@]}" "$@"
