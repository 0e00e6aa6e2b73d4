#!/usr/bin/env bash
# kaketsuke rules check / pack / update: lint problems, signed offline rule packs, refusal
# of unsigned, tampered, unknown-key, unsafe and non-compiling packs (previous set kept).
source "$ROOT/tests/lib.sh"
K=$KAKETSUKE
PY=/usr/bin/python3

check_exit "bundled signatures: no problems" 0 "$K" rules check "$ROOT/signatures/rules"
check "bundled signatures: says 0 problems" grep -q ": 0 problems" "$T/last.out"

mkdir -p "$T/lint"
cat > "$T/lint/a.yar" <<'Y'
rule good { meta: category = "test" family = "x" score = 10 description = "d" description_ja = "説明" reference = "r" author = "a" date = "2026-11-22" strings: $a = "abcdef" condition: $a }
rule no_meta { strings: $a = "ghijkl" condition: $a }
rule bad_score { meta: category = "test" family = "x" score = 150 description = "d" description_ja = "d" reference = "r" author = "a" date = "d" condition: false }
rule bad_cat { meta: category = "virus" family = "x" score = 10 description = "d" description_ja = "d" reference = "r" author = "a" date = "d" condition: false }
Y
cat > "$T/lint/b.yar" <<'Y'
rule good { meta: category = "test" family = "x" score = 10 description = "d" description_ja = "d" reference = "r" author = "a" date = "d" condition: false }
rule slow { meta: category = "test" family = "x" score = 10 description = "d" description_ja = "d" reference = "r" author = "a" date = "d" strings: $s = /a.*b/ condition: $s }
Y
printf 'rule broken { condition: nothere }\n' > "$T/lint/c.yar"
check_exit "problems give exit 1" 1 "$K" rules check "$T/lint"
out=$T/last.out
check "missing meta reported" grep -q "a.yar:no_meta: missing meta 'description_ja'" "$out"
check "invalid score reported" grep -q "bad_score: meta 'score' must be an integer from 0 to 100" "$out"
check "unknown category reported" grep -q "unknown category 'virus'" "$out"
check "duplicate names reported" grep -q "rule good is defined in a.yar and in b.yar" "$out"
check "slow rules reported with file:line" grep -q "b.yar:2: .*slow" "$out"
check "a file that does not compile is reported with file:line" grep -q "c.yar:1: .*nothere" "$out"
check_exit "--json output" 1 "$K" rules check --json "$T/lint"
check "--json lists the problems" jq -e '.ok == false and (.problems | length) >= 6' "$T/last.out"
check_exit "missing path: exit 2" 2 "$K" rules check "$T/nope"

# --- packs ---------------------------------------------------------------------------
openssl genpkey -algorithm ed25519 -out "$T/pack.key" 2>/dev/null
openssl pkey -in "$T/pack.key" -pubout -out "$T/pack.pem" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$T/other.key" 2>/dev/null
cp -r "$ROOT/signatures" "$T/sig"; rm -rf "$T/sig/.previous" "$T/sig/.staging"
mkdir -p "$T/sig/keys"; cp "$T/pack.pem" "$T/sig/keys/test-release.pem"
export KAKETSUKE_SIGNATURES=$T/sig
mkdir -p "$T/src/rules/web" "$T/src/iocs"
cat > "$T/src/rules/web/new.yar" <<'Y'
rule KK_Pack_Test { meta: category = "test" family = "pack" score = 30 description = "pack test" description_ja = "パックの試験" reference = "-" author = "kaketsuke" date = "2026-11-22" strings: $m = "RULE-PACK-MARKER-2026" condition: $m }
Y
printf '# none\n' > "$T/src/iocs/hash-iocs.txt"
check_exit "pack: built and signed" 0 "$K" rules pack "$T/src" -o "$T/pack.zip" --version 2026.11.22 --key "$T/pack.key"
check "pack: holds the signed manifest" bash -c "unzip -l '$T/pack.zip' | grep -q pack.json.sig"
tree_hash() { (cd "$1" && find rules iocs -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); }
before=$(tree_hash "$T/sig")
check_exit "update: installed" 0 "$K" rules update "$T/pack.zip"
check "update: the new rules are in place" test -f "$T/sig/rules/web/new.yar"
check "update: the previous set is kept" test -f "$T/sig/.previous/rules/ransomware.yar"
check "update: the installed version is recorded" jq -e '.version == "2026.11.22"' "$T/sig/pack.json"
echo "RULE-PACK-MARKER-2026" > "$T/marker.txt"
check_exit "update: scan uses the new rules" 1 "$K" scan --quiet "$T/marker.txt"
installed=$(tree_hash "$T/sig")

refused() { # DESC PACK PATTERN
  check_exit "$1: refused with exit 2" 2 "$K" rules update "$2"
  check "$1: the message says why" grep -q "$3" "$T/last.out"
  check_eq "$1: the installed rules are unchanged" "$installed" "$(tree_hash "$T/sig")"
}
# tampered member
$PY - "$T/pack.zip" "$T/tampered.zip" <<'P'
import sys, zipfile
src, dst = sys.argv[1:]
with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w") as b:
    for i in a.infolist():
        d = a.read(i)
        if i.filename == "rules/web/new.yar":
            d = d.replace(b"score = 30", b"score = 31")
        b.writestr(i, d)
P
refused "tampered member" "$T/tampered.zip" "was altered"
# no signature
$PY -c 'import sys,zipfile
a=zipfile.ZipFile(sys.argv[1]); b=zipfile.ZipFile(sys.argv[2],"w")
[b.writestr(i,a.read(i)) for i in a.infolist() if i.filename!="pack.json.sig"]; b.close()' "$T/pack.zip" "$T/unsigned.zip"
refused "unsigned pack" "$T/unsigned.zip" "is not signed"
# signed by another key
check_exit "pack with an unknown key" 0 "$K" rules pack "$T/src" -o "$T/other.zip" --version x --key "$T/other.key"
refused "unknown signer" "$T/other.zip" "matches none of the 1 trusted key"
# extra member not in the manifest
cp "$T/pack.zip" "$T/extra.zip"; (cd "$T" && mkdir -p rules && echo 'rule x { condition: true }' > rules/extra.yar && zip -q extra.zip rules/extra.yar)
refused "member outside the manifest" "$T/extra.zip" "not in the signed manifest"
# a correctly signed pack whose rules do not compile / whose names escape
mk_signed() { # OUT NAME CONTENT: a pack signed with the trusted key, built by hand
  $PY - "$T/pack.key" "$@" <<'P'
import hashlib, json, subprocess, sys, zipfile
key, out, name, content = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].encode()
m = json.dumps({"format": "kaketsuke-rules-pack", "version": "evil", "created": "2026-11-22T00:00:00Z",
                "signer": "-", "files": [{"name": name, "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest()}]}).encode()
open(out + ".m", "wb").write(m)
subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", out + ".m",
                "-out", out + ".s"], check=True)
with zipfile.ZipFile(out, "w") as z:
    z.writestr("pack.json", m); z.writestr("pack.json.sig", open(out + ".s", "rb").read())
    z.writestr(name, content)
P
}
mk_signed "$T/broken.zip" rules/bad.yar 'rule bad { condition: nothere }'
refused "signed pack with a broken rule" "$T/broken.zip" "do not compile"
mk_signed "$T/escape.zip" ../../escape.yar 'rule e { condition: true }'
refused "member name escaping the folder" "$T/escape.zip" "unsafe or malformed member name"
check "nothing was written outside the signatures" test ! -e "$T/escape.yar"
head -c 3000 /dev/urandom > "$T/junk.zip"
refused "not a zip" "$T/junk.zip" "not a zip file or corrupt"
finish
