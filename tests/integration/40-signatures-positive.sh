#!/bin/bash
# Bundled signatures, positive side: lint the rule set, build a harmless sample
# for every rule from the rule's own strings (tests/signatures/samples/*.txt),
# and check with the yara CLI (and python3-yara) that each sample matches its rule.
# Also: the hash IOCs recompute from their test contents, and real attack event
# logs in the corpora are found by the rules meant for them.
# Needs: yara (yara, yarac), python3-yara (Debian packages).
source "$ROOT/tests/lib.sh"

SIG="$ROOT/tests/signatures"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

if ! command -v yara >/dev/null || ! command -v yarac >/dev/null; then
    skip "signature tests" "yara CLI not installed (apt-get install yara)"
    finish
fi

# 1. lint: meta, names, formats, no yarac warnings
check "signatures lint (meta, unique names, IOC formats, no yarac warnings)" "$PY" "$SIG/lint.py"

# 2. lint must notice problems: a rule with missing meta, a duplicate name and a slow string
mkdir -p "$T/badrules"
cat > "$T/badrules/bad.yar" <<'YAR'
rule Bad_One
{
    meta:
        category = "nonsense"
        score = 300
    strings:
        $a = /a.*b/
    condition:
        $a
}
YAR
cp "$T/badrules/bad.yar" "$T/badrules/bad2.yar"
"$PY" "$SIG/lint.py" "$T/badrules" >"$T/lint-bad.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "category 'nonsense'" "$T/lint-bad.out" && grep -q "already used" "$T/lint-bad.out" \
   && grep -q "slow down scanning" "$T/lint-bad.out" && grep -q "description_ja appears 0 times" "$T/lint-bad.out"; then
    ok "lint rejects bad meta, duplicate names and slow strings"
else
    fail "lint rejects bad meta, duplicate names and slow strings (exit $rc)"; sed 's/^/#   /' "$T/lint-bad.out" | head -20
fi

# 3. positive samples, one per rule, generated now (never stored in the repo)
if "$PY" "$SIG/samples.py" "$T/samples" >"$T/samples.out" 2>&1; then
    ok "positive samples generated for every rule ($(wc -l < "$T/samples/manifest.tsv") rules)"
    "$PY" "$SIG/check_positive.py" "$T/samples" >"$T/positive.out" 2>&1
    while read -r verdict rule rest; do
        case "$verdict" in
            PASS) ok "sample matches $rule${rest:+ $rest}" ;;
            FAIL) fail "sample matches $rule: $rest" ;;
            positive:) echo "# positive: $rule $rest" ;;
            *) fail "check_positive: $verdict $rule $rest" ;;
        esac
    done < "$T/positive.out"
else
    fail "positive samples generated for every rule"; sed 's/^/#   /' "$T/samples.out" | head -40
fi

# 4. the generator must fail loudly when a rule has no recipe
mkdir -p "$T/norecipe/signatures/rules" "$T/norecipe/tests/signatures/samples"
cp "$SIG"/*.py "$T/norecipe/tests/signatures/"
cp "$ROOT/signatures/rules/test.yar" "$T/norecipe/signatures/rules/"
grep -v -e '^\[Test_Kaketsuke_Marker\]' -e '^put: \$marker' -e '^name: marker.txt' \
    "$SIG/samples/test.txt" > "$T/norecipe/tests/signatures/samples/test.txt"
if "$PY" "$T/norecipe/tests/signatures/samples.py" "$T/norecipe/out" >"$T/norecipe.out" 2>&1; then
    fail "sample generator fails when a rule has no recipe"
else
    if grep -q "Test_Kaketsuke_Marker.*has no sample recipe" "$T/norecipe.out"; then
        ok "sample generator fails when a rule has no recipe"
    else
        fail "sample generator fails when a rule has no recipe (wrong message)"; sed 's/^/#   /' "$T/norecipe.out"
    fi
fi

# 5. hash IOCs: every listed hash recomputes from the content it names
check "hash IOCs recompute (EICAR, kaketsuke test file)" "$PY" "$SIG/check_iocs.py"

# 6. real attack traces (EVTX-ATTACK-SAMPLES in the corpora: event logs, not malware)
EV="${CORPORA:-}/artifacts/EVTX-ATTACK-SAMPLES"
if [ -d "$EV" ]; then
    while IFS=$'\t' read -r rel rule; do
        case "$rel" in ''|'#'*) continue ;; esac
        f="$EV/$rel"
        if [ ! -f "$f" ]; then skip "real attack log $rel matches $rule" "file missing"; continue; fi
        "$PY" "$SIG/scan_one.py" "$f" > "$T/scan_one.out" 2>&1
        if grep -qx "$rule" "$T/scan_one.out"; then
            ok "real attack log matches $rule ($rel)"
        else
            fail "real attack log matches $rule ($rel)"
        fi
    done < "$SIG/realworld-expect.tsv"
else
    skip "real attack logs match their rules" "corpora not found"
fi
finish
