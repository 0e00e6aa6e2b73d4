#!/bin/bash
# Signing key, bundle, verify (kaketsuke and stock tools), tampering, hostile names,
# interrupted and failing writes, CMS encryption to a recipient.
source "$ROOT/tests/lib.sh"
# third-party leaks (libtsk's image probes) under make SANITIZE=1
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/evidence/lsan.supp:print_suppressions=0}
K=$KAKETSUKE
export HOME=$T/home
unset KAKETSUKE_KEY KAKETSUKE_KEY_PASS

# ---- key new
out=$($K key new 2>&1) && ok "key new (default path)" || fail "key new: $out"
KEY=$HOME/.config/kaketsuke/signing.key
check_eq "key file mode 0600" 600 "$(stat -c %a "$KEY")"
check_eq "key is PKCS#8 PEM" "-----BEGIN PRIVATE KEY-----" "$(head -1 "$KEY")"
fpr=$(echo "$out" | sed -n 's/^fingerprint: //p')
want=$(openssl pkey -in "$KEY" -pubout -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)
check_eq "fingerprint = SHA-256 of the raw public key" "$want" "$fpr"
check_exit "key new refuses to replace" 2 $K key new
KAKETSUKE_KEY_PASS=s3cret $K key new --key "$T/enc.key" > /dev/null 2>&1 && ok "key new with passphrase" || fail "key new with passphrase"
check_eq "encrypted PKCS#8" "-----BEGIN ENCRYPTED PRIVATE KEY-----" "$(head -1 "$T/enc.key")"
check "openssl opens the encrypted key" openssl pkey -in "$T/enc.key" -passin pass:s3cret -noout

# ---- a case
C=$T/case
$K case init "$C" case_id=T-1 engineer=Sato > /dev/null
head -c 3000000 /dev/urandom > "$T/dump.bin"
printf 'photo\n' > "$T/photo.jpg"
$K case add "$C" "$T/dump.bin" "$T/photo.jpg" > /dev/null
mkdir -p "$C/artifacts/img/0/Windows" "$C/samples/img/0/Users/a" "$C/report"
printf 'regf hive\n' > "$C/artifacts/img/0/Windows/SYSTEM"
printf 'X5O!P%%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*\n' > "$C/samples/img/0/Users/a/eicar.com"
printf 'second sample\n' > "$C/samples/img/0/Users/a/b.exe"
# hostile names placed directly in the case folder
for n in $'nl\nname' 'back\slash' $'\xff\xfe' $'esc\x1b[2J' 'CON' ' lead' 'x:y' "$(printf 'N%.0s' $(seq 1 200))" 'manifest.json'; do
	printf 'h\n' > "$C/report/$n"
done
printf 'collision\n' > "$C/manifest.json"
ln -s /etc/passwd "$C/report/link"

$K bundle "$C" -o "$T/b.zip" > "$T/out" 2> "$T/err"; rc=$?
check_eq "bundle exits 0" 0 "$rc"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T/err"
grep -q "symbolic links are not followed" "$T/err" && ok "symlink left out with a warning" || fail "symlink warning"
check_exit "bundle refuses an existing output" 2 $K bundle "$C" -o "$T/b.zip"
check "verify OK" $K verify "$T/b.zip"
$K verify "$T/b.zip" | grep -q "^OK: .*2 samples in samples.zip checked" && ok "verify prints OK and checks samples" || fail "verify OK line"
$K verify "$T/b.zip" | grep -q "signed by: $fpr" && ok "verify prints the fingerprint" || fail "fingerprint line"
check "verify --signer right key" $K verify --signer "$fpr" "$T/b.zip"
check_exit "verify --signer wrong key" 1 $K verify --signer "$(printf 'a%.0s' $(seq 64))" "$T/b.zip"

# ---- stock tools only
X=$T/x
mkdir "$X"
check "unzip extracts the bundle" unzip -q "$T/b.zip" -d "$X"
check "sha256sum -c SHA256SUMS" bash -c "cd '$X' && sha256sum -c --quiet SHA256SUMS"
check "openssl verifies the signature" openssl pkeyutl -verify -pubin -inkey "$X/signer.pub" -rawin \
	-in "$X/manifest.json" -sigfile "$X/manifest.json.sig"
check_eq "every member is in SHA256SUMS" "$(cd "$X" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | sort)" \
	"$(cut -c67- "$X/SHA256SUMS" | sort)"
check_eq "manifest lists every member" "$(jq -r '.members[].name' "$X/manifest.json" | sort)" \
	"$(cd "$X" && find . -type f ! -path ./SHA256SUMS ! -path ./manifest.json ! -path ./manifest.json.sig | sed 's|^\./||' | sort)"
check_eq "no sample travels in clear" "" "$(cd "$X" && grep -rl EICAR . || true)"
[ ! -d "$X/samples" ] && ok "samples/ is packed, not extracted in clear" || fail "samples/ in clear"
check_eq "samples.zip entries are AES encrypted (unzip cannot read them)" 1 \
	"$(unzip -p "$X/samples.zip" >/dev/null 2>&1 && echo 0 || echo 1)"
check_eq "manifest: sample plaintext hashes" "$(sha256sum < "$C/samples/img/0/Users/a/eicar.com" | cut -d' ' -f1)" \
	"$(jq -r '.members[] | select(.name=="samples.zip") | .samples[] | select(.name|endswith("eicar.com")) | .sha256' "$X/manifest.json")"
if command -v 7z > /dev/null; then
	mkdir "$T/s7" && (cd "$T/s7" && 7z x -pinfected "$X/samples.zip" > /dev/null) && \
		cmp -s "$T/s7/img/0/Users/a/eicar.com" "$C/samples/img/0/Users/a/eicar.com" && ok "7z opens samples.zip with 'infected'" || fail "7z samples.zip"
else
	skip "7z opens samples.zip" "7z not installed (p7zip-full)"
fi
# the steps of docs/insurer-verify.md
check_eq "insurer: fingerprint from signer.pub with openssl" "$fpr" \
	"$(openssl pkey -pubin -in "$X/signer.pub" -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)"
check "insurer: the signed manifest's hashes check with sha256sum" \
	bash -c "cd '$X' && jq -r '.members[] | \"\\(.sha256)  \\(.name)\"' manifest.json | sha256sum -c --quiet"
check_eq "insurer: custody head = manifest custody.head_sha256" "$(jq -r .custody.head_sha256 "$X/manifest.json")" \
	"$(tail -n 1 "$X/custody.jsonl" | sha256sum | cut -d' ' -f1)"
$K verify --json "$T/b.zip" | jq -e '.ok and .signature_ok and .samples_checked' > /dev/null && ok "verify --json" || fail "verify --json"
# hostile names: stored safely, nothing outside the extraction folder, originals kept
check_eq "nothing escaped the extraction folder" "$(ls -A "$T" | sort)" "$(ls -A "$T" | sort)"
bad=$(cd "$X" && find . -name '*[[:cntrl:]]*' -o -name '*\\*' -o -name '*:*' | wc -l)
check_eq "no control characters, backslashes or colons in stored names" 0 "$bad"
[ -f "$X/report/%43ON" ] && [ -f "$X/report/nl%0Aname" ] && [ -f "$X/report/%20lead" ] && ok "hostile names encoded" || fail "hostile names: $(ls "$X/report" | head)"
jq -e '.members[] | select(.name=="report/nl%0Aname") | .original == "report/nl\nname"' "$X/manifest.json" > /dev/null \
	&& ok "original name kept in the manifest" || fail "original name in manifest"
[ -f "$X/manifest~2.json" ] && jq -e '.members[] | select(.name=="manifest~2.json")' "$X/manifest.json" > /dev/null \
	&& ok "a case file named manifest.json does not replace the real one" || fail "manifest.json collision"
long=$(cd "$X/report" && ls | awk '{ print length($0) }' | sort -n | tail -1)
[ "$long" -le 120 ] && ok "overlong name shortened ($long bytes)" || fail "long name $long"
check_eq "custody log ends with the bundle entry" "bundle sealing" "$(tail -1 "$X/custody.jsonl" | jq -r '.command + " " + .result')"

# ---- tampering: verify fails and names the member
expect_fail() { # expect_fail DESC PATTERN
	$K verify "$T/t.zip" > "$T/v" 2>&1; local rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$2" "$T/v"; then ok "$1"; else fail "$1 (rc $rc)"; sed 's/^/#   /' "$T/v" | head -8; fi
}
rewrite() { # extract b.zip into $T/rw; the caller changes files there and zips them back
	rm -rf "$T/rw" && mkdir "$T/rw" && unzip -q "$T/b.zip" -d "$T/rw"
}
# 1. one byte of a member, in the zip itself (CRC no longer matches)
cp "$T/b.zip" "$T/t.zip"
python3 - "$T/t.zip" attachments/dump.bin <<'EOF'
import sys, zipfile, struct
p, name = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(p); i = z.getinfo(name); z.close()
with open(p, 'r+b') as f:
    f.seek(i.header_offset + 26); n, m = struct.unpack('<HH', f.read(4))
    off = i.header_offset + 30 + n + m + i.compress_size // 2
    f.seek(off); b = f.read(1); f.seek(off); f.write(bytes([b[0] ^ 1]))
EOF
expect_fail "one flipped byte in a member is found" "attachments/dump.bin"
# 2. a member replaced with recomputed CRC (re-zipped)
rewrite; printf 'changed\n' >> "$T/rw/artifacts/img/0/Windows/SYSTEM"
cp "$T/b.zip" "$T/t.zip"; (cd "$T/rw" && zip -q "$T/t.zip" artifacts/img/0/Windows/SYSTEM)
expect_fail "a re-zipped altered member is named" "artifacts/img/0/Windows/SYSTEM.*altered"
# 3. one byte of the manifest
rewrite; sed -i 's/"case_id": "T-1"/"case_id": "T-2"/' "$T/rw/manifest.json"
cp "$T/b.zip" "$T/t.zip"; (cd "$T/rw" && zip -q "$T/t.zip" manifest.json)
expect_fail "an altered manifest breaks the signature" "signature does not match"
# 4. one byte of the signature
rewrite; printf '\x01' | dd of="$T/rw/manifest.json.sig" bs=1 seek=10 conv=notrunc 2>/dev/null
cp "$T/b.zip" "$T/t.zip"; (cd "$T/rw" && zip -q "$T/t.zip" manifest.json.sig)
expect_fail "an altered signature is found" "signature does not match"
check_exit "openssl also rejects the altered signature" 1 openssl pkeyutl -verify -pubin -inkey "$T/rw/signer.pub" -rawin -in "$T/rw/manifest.json" -sigfile "$T/rw/manifest.json.sig"
# 5. a deleted member
cp "$T/b.zip" "$T/t.zip"; zip -q -d "$T/t.zip" attachments/photo.jpg
expect_fail "a deleted member is named" "attachments/photo.jpg.*missing"
# 6. an added member
cp "$T/b.zip" "$T/t.zip"; printf 'x\n' > "$T/added.txt"; (cd "$T" && zip -q t.zip added.txt)
expect_fail "an added member is named" "added.txt.*not in the manifest"
# 7. the signing key swapped (attacker re-signs with their own key)
rewrite; sed -i 's/"case_id": "T-1"/"case_id": "T-9"/' "$T/rw/manifest.json"
openssl genpkey -algorithm ed25519 -out "$T/evil.key" 2>/dev/null
openssl pkey -in "$T/evil.key" -pubout -out "$T/rw/signer.pub"
openssl pkeyutl -sign -inkey "$T/evil.key" -rawin -in "$T/rw/manifest.json" -out "$T/rw/manifest.json.sig"
cp "$T/b.zip" "$T/t.zip"; (cd "$T/rw" && zip -q "$T/t.zip" manifest.json signer.pub manifest.json.sig)
$K verify --signer "$fpr" "$T/t.zip" > "$T/v" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "not by the expected" "$T/v" && ok "a re-signed bundle fails --signer" || fail "re-signed bundle (rc $rc)"
# 8. custody log cut short
rewrite; sed -i '$d' "$T/rw/custody.jsonl"
cp "$T/b.zip" "$T/t.zip"; (cd "$T/rw" && zip -q "$T/t.zip" custody.jsonl)
expect_fail "a shortened custody log is found" "custody.jsonl"
check_exit "not a zip: exit 2" 2 $K verify "$T/dump.bin"
check_exit "missing file: exit 2" 2 $K verify "$T/nope.zip"
check_exit "wrong sample password is reported" 1 $K verify --sample-password wrong "$T/b.zip"
# a hostile zip (path traversal names) is only read, never extracted
python3 - "$T/evil.zip" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w')
z.writestr('../../escape.txt', 'x'); z.writestr('/abs.txt', 'y'); z.close()
EOF
check_exit "a hostile zip fails verification" 1 $K verify "$T/evil.zip"
[ ! -e "$T/../escape.txt" ] && [ ! -e /abs.txt ] && ok "verify writes nothing from a hostile zip" || fail "hostile zip wrote files"

# ---- crash safety: kill the bundle step at random moments
head -c 20000000 /dev/urandom > "$T/big.bin"
$K case add "$C" "$T/big.bin" > /dev/null
bad=0
for i in $(seq 1 8); do
	rm -f "$T/k.zip"
	$K bundle --quiet "$C" -o "$T/k.zip" > /dev/null 2>&1 &
	pid=$!
	sleep "0.$(( (RANDOM % 9) + 1 ))$(( RANDOM % 10 ))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if [ -e "$T/k.zip" ] && ! $K verify "$T/k.zip" > /dev/null 2>&1; then bad=$((bad+1)); fi
done
check_eq "killed at random moments: never an incomplete file named like the bundle" 0 "$bad"
check "bundle after crashes (stale temporary files around)" $K bundle --quiet --force "$C" -o "$T/k.zip"
check "that bundle verifies" $K verify "$T/k.zip"
check "custody chain still intact after the crashes" bash -c "unzip -p '$T/k.zip' custody.jsonl > '$T/cj' && n=\$(wc -l < '$T/cj') && for i in \$(seq 2 \$n); do [ \"\$(sed -n \"\$((i-1))p\" '$T/cj' | sha256sum | cut -d' ' -f1)\" = \"\$(sed -n \"\${i}p\" '$T/cj' | jq -r .prev)\" ] || exit 1; done"
ls "$T"/k.zip.part* > /dev/null 2>&1 && ok "crashed runs left only .part files" || ok "crashed runs left no temporary files"

# ---- full or failing output device
if mkdir -p "$T/small" && mount -t tmpfs -o size=4m tmpfs "$T/small" 2> /dev/null; then
	$K bundle --quiet "$C" -o "$T/small/full.zip" > "$T/out" 2>&1; rc=$?
	check_eq "full device: exit 3" 3 "$rc"
	grep -qi "no space left" "$T/out" && ok "full device: clear message" || fail "full device message: $(cat "$T/out")"
	check_eq "full device: nothing left behind" "" "$(ls -A "$T/small")"
	umount "$T/small"
else
	skip "bundle onto a full tmpfs" "cannot mount tmpfs here"
fi
( ulimit -f 2000; trap '' XFSZ; exec $K bundle --quiet "$C" -o "$T/fsz.zip" ) > "$T/out" 2>&1; rc=$?
check_eq "injected write failure (file size limit): exit 3" 3 "$rc"
grep -qi "cannot write\|too large" "$T/out" && ok "injected write failure: clear message" || fail "write failure message: $(cat "$T/out")"
[ ! -e "$T/fsz.zip" ] && ok "injected write failure: no bundle file" || fail "a bundle file was left"

# ---- encrypted key, and CMS to a recipient
C2=$T/case2
$K case init "$C2" > /dev/null
check_exit "encrypted key without passphrase: exit 2" 2 $K bundle --key "$T/enc.key" "$C2" -o "$T/c2.zip"
KAKETSUKE_KEY_PASS=s3cret check "bundle with an encrypted key" $K bundle --key "$T/enc.key" "$C2" -o "$T/c2.zip"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ins.key" -out "$T/ins.pem" -subj /CN=insurer -days 30 2> /dev/null
check "bundle --recipient" $K bundle --recipient "$T/ins.pem" "$C2" -o "$T/c3.zip"
[ -s "$T/c3.zip.p7m" ] && ok "FILE.zip.p7m written" || fail "no .p7m"
check "verify --decrypt-key" $K verify --decrypt-key "$T/ins.key" "$T/c3.zip.p7m"
check "openssl cms opens the .p7m" openssl cms -decrypt -binary -inform DER -in "$T/c3.zip.p7m" -inkey "$T/ins.key" -out "$T/c3.dec.zip"
files_same "the decrypted bundle is the bundle" "$T/c3.zip" "$T/c3.dec.zip"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/other.key" -out "$T/other.pem" -subj /CN=other -days 30 2> /dev/null
check_exit "verify with the wrong key: exit 2" 2 $K verify --decrypt-key "$T/other.key" "$T/c3.zip.p7m"
check_exit ".p7m without --decrypt-key: exit 2" 2 $K verify "$T/c3.zip.p7m"
check_exit "bad recipient certificate" 2 $K bundle --force --recipient "$T/dump.bin" "$C2" -o "$T/c3.zip"
finish
