#!/bin/bash
# 50-memory-bad.sh - memory images that are malformed, hostile or refused
# (tests/memory/gen.py bad): truncated headers, ranges past the end of the file,
# overlapping ranges, absurd sizes and addresses, unsupported and refused formats
# (hibernation, AVML, page file, 32-bit and triage crash dumps), and what --memory
# changes. Nothing may crash: an unusable image exits 2 with a clear message; a partly
# usable one reports `error` records and scans the rest.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$ROOT/tests/lib.sh"
: "${T:=$(mktemp -d)}"
RULES=$ROOT/tests/memory/rules/mem.yar
for tool in python3 jq; do
	command -v $tool >/dev/null || { fail "missing tool $tool (make deps)"; finish; }
done
[ -x "${KAKETSUKE:-}" ] || { fail "kaketsuke binary not found: '${KAKETSUKE:-}'"; finish; }
B=$T/bad
python3 "$ROOT/tests/memory/gen.py" bad "$B" || { fail "generator failed"; finish; }
export KAKETSUKE_MEM_CHUNK=4K KAKETSUKE_MEM_OVERLAP=1K

# run NAME [ARGS...]: scan $B/NAME; sets RC, OUT (jsonl), ERR (stderr text)
run() {
	local name=$1
	shift
	OUT=$T/$name.jsonl
	"$KAKETSUKE" scan -r "$RULES" --quiet -o "$OUT" --force "$@" "$B/$name" 2>"$T/$name.err"
	RC=$?
	ERR=$(cat "$T/$name.err")
}

# refused NAME PATTERN [ARGS...]: exit 2, the message on stderr matches PATTERN
refused() {
	local name=$1 pat=$2
	shift 2
	run "$name" "$@"
	if [ "$RC" = 2 ] && grep -qiE "$pat" <<<"$ERR"; then
		ok "$name${*:+ $*}: refused (exit 2): $pat"
	else
		fail "$name${*:+ $*}: want exit 2 and /$pat/, got exit $RC: $ERR"
	fi
}

# partial NAME PATTERN ADDRESSES: exit 1, an error record matching PATTERN, and the
# markers found at exactly these physical addresses (space separated, sorted)
partial() {
	local name=$1 pat=$2 want=$3
	run "$name"
	check_eq "$name: partly usable (exit 1)" 1 "$RC"
	if jq -e --arg p "$pat" -s 'any(.[]; .type == "error" and .what == "parse" and (.message | test($p)) and (.offset | type == "number"))' \
		"$OUT" >/dev/null 2>&1; then
		ok "$name: error record /$pat/"
	else
		fail "$name: no error record /$pat/"
		head -3 "$OUT" | cut -c1-300 | sed 's/^/#   /'
	fi
	check_eq "$name: markers at the addresses still mapped" "$want" \
		"$(jq -r 'select(.type == "match") | .strings[].address' "$OUT" 2>/dev/null | sort -n | tr '\n' ' ' | sed 's/ $//')"
	check_eq "$name: summary counts the error" "$(jq -s '[.[] | select(.type == "error")] | length' "$OUT")" \
		"$(tail -1 "$OUT" | jq .errors)"
}

refused lime-trunc-header.lime "LiME.*truncated header"
refused lime-version2.lime "version 2 is not supported"
refused elf-trunc-phdrs.elf "program headers.*past the end.*truncated"
refused elf-absurd-phnum.elf "absurd number of program headers"
refused elf-no-load.elf "no PT_LOAD"
refused crash-trunc.dmp "crash dump.*truncated header"
refused crash-runs-absurd.dmp "absurd number of memory runs"
refused crash-bitmap-absurd.dmp "absurd bitmap size"
refused crash-bitmap-trunc.dmp "bitmap.*past the end"
refused crash-bitmap-nofirst.dmp "first page offset"
refused crash-triage.dmp "minidump.*no physical memory"
refused crash-triage.dmp "minidump.*no physical memory" --memory
refused crash-type9.dmp "dump type 9 is not supported"
refused crash32.dmp "32-bit.*PAGEDU64"
refused hiberfil.bin "hibernation file.*--memory"
refused image.avml "AVML.*compressed.*--memory"
refused pagefile.sys "page file.*--memory"
refused empty.raw "empty" --memory

partial lime-trunc-second.lime "truncated LiME header" "100"
partial lime-past-end.lime "extends past the end of the file" "1048676"
partial lime-overlap.lime "overlaps another range" "100 20480"
partial lime-end-before-start.lime "ends .* before it starts" "100"
partial lime-absurd.lime "absurd size" "100"
partial lime-absurd-addr.lime "beyond 2.52" "100"
partial lime-garbage-after.lime "no valid LiME header" "100"
partial elf-load-past-end.elf "PT_LOAD 1 .*extends past the end" "100 1048776"
partial elf-absurd-paddr.elf "PT_LOAD 0 .*beyond 2.52" "200"
partial crash-runs-past-end.dmp "memory run 0 .*extends past the end" "100"

# --memory forces a raw scan of refused formats and of headerless files
for name in hiberfil.bin image.avml pagefile.sys crash32.dmp plain.bin process.core; do
	run "$name" --memory
	check_eq "$name --memory: scanned raw (exit 1, marker at its file offset)" "1 $(grep -abo KKMEM-TEXT-MARKER "$B/$name" | head -1 | cut -d: -f1)" \
		"$RC $(jq -r 'select(.type == "match") | .address' "$OUT" 2>/dev/null | head -1)"
done
# without --memory a headerless file and a process core dump are files, not memory
for name in plain.bin process.core; do
	run "$name"
	check_eq "$name: scanned as a file (a path, no address)" "1 $B/$name null" \
		"$RC $(jq -r 'select(.type == "match") | "\(.path) \(.address)"' "$OUT" 2>/dev/null | head -1)"
done

# a carve directory that cannot be made is a usage problem, before any scan
run lime-trunc-second.lime --carve-dir "$B/plain.bin/x"
check_eq "--carve-dir under a file: exit 2" 2 "$RC"

# bad chunk settings
KAKETSUKE_MEM_CHUNK=12 run lime-trunc-second.lime
check_eq "KAKETSUKE_MEM_CHUNK below 4K: exit 2" "2 1" "$RC $(grep -c 'chunk size' <<<"$ERR")"
KAKETSUKE_MEM_CHUNK=banana run lime-trunc-second.lime
check_eq "KAKETSUKE_MEM_CHUNK not a size: exit 2" "2 1" "$RC $(grep -c 'invalid KAKETSUKE_MEM_CHUNK' <<<"$ERR")"
KAKETSUKE_MEM_CHUNK=4K KAKETSUKE_MEM_OVERLAP=8K run lime-trunc-second.lime
check_eq "overlap larger than the chunk: exit 2" 2 "$RC"

# fuzz-style: every truncation of a valid LiME and crash dump header, and random bytes
# after each magic, must not crash (exit 0, 1 or 2)
python3 - "$B" <<'EOF'
import os, random, struct, sys
d = sys.argv[1]
rng = random.Random(3)
lime = struct.pack("<IIQQQ", 0x4C694D45, 1, 0, 0x1fff, 0) + bytes(0x2000)
dmp = bytearray(0x2000); dmp[0:8] = b"PAGEDU64"; struct.pack_into("<I", dmp, 0xF98, 5)
bm = bytearray(0x38); bm[0:8] = b"FDMPDUMP"; struct.pack_into("<QQQ", bm, 0x20, 0x3000, 2, 16)
dmp = bytes(dmp) + bytes(bm) + b"\x03\x00" + bytes(0x3000 - 0x203a) + bytes(0x2000)
i = 0
for base in (lime, dmp):
    for cut in sorted(set([0, 1, 4, 8, 31, 32, 33, 100, 0xf98, 0x1fff, 0x2000, 0x2030, 0x2039, 0x3000, 0x3fff])):
        open(os.path.join(d, "fz%03d.mem" % i), "wb").write(base[:cut]); i += 1
for magic in (b"EMiL", b"PAGEDU64", b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x04\x00"):
    for _ in range(12):
        open(os.path.join(d, "fz%03d.mem" % i), "wb").write(magic + rng.randbytes(rng.choice([10, 100, 5000, 20000]))); i += 1
EOF
crashed=
for f in "$B"/fz*.mem; do
	"$KAKETSUKE" scan -r "$RULES" --quiet -o "$T/fz.jsonl" --force "$f" >/dev/null 2>"$T/fz.err"
	rc=$?
	[ $rc -le 2 ] || crashed="$crashed $(basename "$f"):$rc"
	"$KAKETSUKE" scan -r "$RULES" --quiet --memory -o "$T/fz.jsonl" --force "$f" >/dev/null 2>"$T/fz.err"
	rc=$?
	[ $rc -le 2 ] || crashed="$crashed $(basename "$f")--memory:$rc"
done
check_eq "truncated and random headers: no crash ($(ls "$B"/fz*.mem | wc -l) files, with and without --memory)" "" "$crashed"
finish
