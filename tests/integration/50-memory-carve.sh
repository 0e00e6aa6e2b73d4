#!/bin/bash
# 50-memory-carve.sh - evidence from memory images: a hit inside a PE image mapped in
# memory (MZ + PE headers at a page boundary at or before the hit, the hit within
# SizeOfImage) names that module, and --carve-dir saves it (headers and sections up to
# SizeOfImage) with its SHA-256; hits outside a module, after a bare "MZ", past
# SizeOfImage or after a header that is not on a page boundary name none. Also: a
# string that matches too often gives one warning record naming the rule (no crash, no
# flood), and an unwritable carve directory gives error records, not a failed scan.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$ROOT/tests/lib.sh"
: "${T:=$(mktemp -d)}"
RULES=$ROOT/tests/memory/rules/mem.yar
for tool in python3 jq sha256sum; do
	command -v $tool >/dev/null || { fail "missing tool $tool (make deps)"; finish; }
done
[ -x "${KAKETSUKE:-}" ] || { fail "kaketsuke binary not found: '${KAKETSUKE:-}'"; finish; }
G=$T/gen
python3 "$ROOT/tests/memory/gen.py" carve "$G" || { fail "generator failed"; finish; }
IMG=$G/carve.raw

# 64 KiB chunks: module B's header (0x200000) and its hit (0x22f000) are 3 chunks apart
export KAKETSUKE_MEM_CHUNK=64K KAKETSUKE_MEM_OVERLAP=4K
"$KAKETSUKE" scan --memory -r "$RULES" --quiet --carve-dir "$T/carved" -o "$T/c.jsonl" "$IMG" 2>"$T/c.err"
check_eq "scan with --carve-dir: exit 1" 1 $?
check_eq "5 match records" 5 "$(jq -s '[.[] | select(.type == "match")] | length' "$T/c.jsonl")"

python3 - "$T/c.jsonl" "$G/carve.json" "$IMG" <<'EOF' >"$T/verify.txt"
import hashlib, json, os, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
exp = json.load(open(sys.argv[2]))
flat = open(sys.argv[3], "rb").read()
bad = 0
def no(msg):
    global bad
    bad += 1
    print("not ok - " + msg)
for r in recs:
    if r["type"] != "match":
        continue
    a = r["address"]
    m = r.get("module")
    if str(a) in exp["modules"]:
        e = exp["modules"][str(a)]
        if not m:
            no("hit at 0x%x: no module named" % a); continue
        for k, v in (("address", e["base"]), ("size_of_image", e["size"]), ("name", e["name"]), ("size", e["size"])):
            if m.get(k) != v:
                no("hit at 0x%x: module %s = %r, want %r" % (a, k, m.get(k), v))
        f = m.get("file", "")
        if not os.path.isfile(f):
            no("hit at 0x%x: carved file %r missing" % (a, f)); continue
        data = open(f, "rb").read()
        if data != flat[e["base"]:e["base"] + e["size"]]:
            no("hit at 0x%x: carved bytes differ from the image" % a)
        if hashlib.sha256(data).hexdigest() != m.get("sha256"):
            no("hit at 0x%x: sha256 in the record is not the file's" % a)
        if m.get("sha256", "")[:16] not in os.path.basename(f):
            no("hit at 0x%x: file name lacks the hash" % a)
        print("ok - hit at 0x%x names and carves %s (%d bytes at 0x%x)" % (a, e["name"], e["size"], e["base"]))
    elif a in exp["no_module"]:
        if m:
            no("hit at 0x%x: names module at 0x%x but should not" % (a, m["address"]))
        else:
            print("ok - hit at 0x%x names no module" % a)
    else:
        no("unexpected hit at 0x%x" % a)
sys.exit(1 if bad else 0)
EOF
cat "$T/verify.txt"
grep -q '^not ok' "$T/verify.txt" && _fails=$((_fails + 1))
check_eq "two modules carved" 2 "$(ls "$T/carved" | wc -l)"
jq -e -s '[.[] | select(.type == "match") | .["module"] | select(.)] | all(.pe_time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$"))' \
	"$T/c.jsonl" >/dev/null && ok "module pe_time is ISO 8601" || fail "module pe_time"

# a second run into the same directory: same files, no error
"$KAKETSUKE" scan --memory -r "$RULES" --quiet --carve-dir "$T/carved" -o "$T/c2.jsonl" "$IMG" 2>/dev/null
check_eq "second run into the same carve directory: exit 1, no error records" "1 0" \
	"$? $(jq -s '[.[] | select(.type == "error")] | length' "$T/c2.jsonl")"
check_eq "second run: still two files" 2 "$(ls "$T/carved" | wc -l)"

# without --carve-dir the module is still named, nothing is written
"$KAKETSUKE" scan --memory -r "$RULES" --quiet -o "$T/n.jsonl" "$IMG" 2>/dev/null
check_eq "without --carve-dir: modules named, no file field" "kkmoda.dll,kkmodb.dll false" \
	"$(jq -r -s '[.[] | select(.type == "match") | .["module"].name | select(.)] | sort | join(",")' "$T/n.jsonl") $(jq -s 'any(.[]; .type == "match" and (.["module"].file != null))' "$T/n.jsonl")"

# -j 1 and -j 3: the same records
for j in 1 3; do
	"$KAKETSUKE" scan --memory -r "$RULES" --quiet -j $j -o "$T/j$j.jsonl" "$IMG" 2>/dev/null
	files_same "-j $j: the same records as -j 2" <(grep -v '"summary"' "$T/n.jsonl") <(grep -v '"summary"' "$T/j$j.jsonl")
done

# an unwritable carve directory: error records (what carve), the scan goes on
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$T/ro" && chmod 555 "$T/ro"
	"$KAKETSUKE" scan --memory -r "$RULES" --quiet --carve-dir "$T/ro" -o "$T/ro.jsonl" "$IMG" 2>/dev/null
	check_eq "read-only carve directory: exit 1, carve errors" "1 2" \
		"$? $(jq -s '[.[] | select(.type == "error" and .what == "carve")] | length' "$T/ro.jsonl")"
else
	skip "read-only carve directory" "running as root"
fi

# too many matches: a string matching more than YARA's 1,000,000 times in a chunk
head -c $((3 << 20)) /dev/zero >"$T/zeros.raw"
cat >"$T/z.yar" <<'EOF'
rule kk_zeros { strings: $z = { 00 00 00 00 } condition: $z }
rule kk_zeros2 { strings: $y = { 00 00 00 00 00 00 } $x = { 00 00 00 00 00 } condition: $x and $y }
EOF
KAKETSUKE_MEM_CHUNK=1M KAKETSUKE_MEM_OVERLAP=64K "$KAKETSUKE" scan --memory -r "$T/z.yar" --quiet -o "$T/z.jsonl" "$T/zeros.raw" 2>"$T/z.err"
check_eq "too many matches: exit 1 (no crash)" 1 $?
check_eq "too many matches: one warning per rule (two strings overflow in kk_zeros2, in 3 chunks)" "kk_zeros kk_zeros2" \
	"$(jq -r 'select(.type == "warning" and .what == "too_many_matches") | .rule' "$T/z.jsonl" | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "too many matches: the summary counts the warning records" \
	"$(jq -s '[.[] | select(.type == "warning")] | length' "$T/z.jsonl")" "$(tail -1 "$T/z.jsonl" | jq .warnings)"
check "too many matches: records stay small (strings capped)" \
	jq -e -s '[.[] | select(.type == "match") | .strings | group_by(.id)[] | length] | all(. <= 16)' "$T/z.jsonl"
finish
