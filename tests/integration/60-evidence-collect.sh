#!/bin/bash
# collect: artifacts from generated Windows-like (NTFS, or FAT without ntfsedit) and
# Linux-like (ext4) images; every collected file checked against TSK's icat; hostile
# names; matched files into samples/; then bundle + verify with kaketsuke and stock tools.
source "$ROOT/tests/lib.sh"
# third-party leaks (libtsk's image probes) under make SANITIZE=1
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/evidence/lsan.supp:print_suppressions=0}
K=$KAKETSUKE
export HOME=$T/home
unset KAKETSUKE_KEY KAKETSUKE_KEY_PASS
I=$T/img
if ! "$ROOT/tests/evidence/mkimages.sh" "$I" > "$T/mk.log" 2>&1; then
	fail "tests/evidence/mkimages.sh"; sed 's/^/#   /' "$T/mk.log" | tail -20; finish
fi
WIN=$I/windows.ntfs
[ -f "$WIN" ] || WIN=$I/windows.fat
LIN=$I/linux.ext4
C=$T/case

# ---- targets
check "collect --list-targets" $K collect --list-targets
n=$($K collect --list-targets | wc -l)
[ "$n" -ge 15 ] && ok "at least 15 targets shipped ($n)" || fail "targets: $n"
check_exit "unknown target refused" 2 $K collect "$WIN" --case "$C" --targets windows-registry,nosuch
[ ! -e "$C" ] && ok "a refused collect creates no case" || fail "case created by a refused run"
mkdir "$T/badt" && printf 'target: x\npath: relative/path\n' > "$T/badt/a.target"
$K collect "$WIN" --case "$C" --targets-dir "$T/badt" > "$T/out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "a.target:2" "$T/out" && ok "a bad target file is refused with file:line" || fail "bad target file (rc $rc)"

# ---- Windows
$K collect "$WIN" --case "$C" --hash-source > "$T/out" 2>&1; rc=$?
check_eq "collect Windows image: exit 0" 0 "$rc"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T/out" | head
img_sha=$(sha256sum < "$WIN" | cut -d' ' -f1)
check_eq "--hash-source before = after = sha256sum of the image" "$img_sha $img_sha" \
	"$(jq -r '.sources[0].hashes[0] | .sha256_before + " " + .sha256_after' "$C/case.json")"
check_eq "source recorded with its format and size" "image $(stat -c %s "$WIN")" \
	"$(jq -r '.sources[0] | .kind + " " + (.size|tostring)' "$C/case.json")"
grep -v -e '/cmd.exe$' -e '/notes.txt$' -e '/\$RAB12CD.docx$' -e '/invoice.exe$' "$I/windows.list" | sort > "$T/want"
case $WIN in *.ntfs)
	printf '%s\n' '/$Boot' '/$LogFile' '/$MFT' '/$Secure:$SDS' '/Windows/Prefetch/GONE.EXE-0000.pf' >> "$T/want"
	sort -o "$T/want" "$T/want" ;;
esac
jq -r 'select(.source.image | endswith("'"${WIN##*/}"'")) | .source.path' "$C/collected.jsonl" | sort > "$T/got"
if diff "$T/want" "$T/got" > "$T/diff"; then ok "Windows: exactly the target files collected ($(wc -l < "$T/got"))"
else fail "Windows: collected set differs"; sed 's/^/#   /' "$T/diff" | head -20; fi
grep -q '^/Users/Bob/ntuser.dat$' "$T/got" && grep -qi '^/Users/Bob/AppData/Local/Microsoft/Windows/usrclass.DAT$' "$T/got" \
	&& ok "case-insensitive match on the Windows volume" || fail "ntuser.dat / usrclass.DAT not matched"
case $WIN in *.ntfs)
	check_eq "deleted file collected with deleted: true" "true" \
		"$(jq -r 'select(.source.path=="/Windows/Prefetch/GONE.EXE-0000.pf") | .source.deleted' "$C/collected.jsonl")"
	check_eq "NTFS metadata collected (\$MFT target)" "windows-ntfs-metadata" \
		"$(jq -r 'select(.source.path=="/$MFT") | .target' "$C/collected.jsonl")" ;;
esac

# every collected file: stored bytes = recorded hashes = what icat gives
icat_check() { # image
	local img=$1 bad=0 n=0 name off ino sha md5 size
	while IFS=$'\t' read -r name off ino sha md5 size; do
		n=$((n+1))
		local st ic
		st=$(sha256sum < "$C/$name" | cut -d' ' -f1)
		ic=$(icat -o $((off / 512)) "$img" "$ino" | sha256sum | cut -d' ' -f1)
		if [ "$st" != "$sha" ] || [ "$ic" != "$sha" ] || [ "$(md5sum < "$C/$name" | cut -d' ' -f1)" != "$md5" ] \
			|| [ "$(stat -c %s "$C/$name")" != "$size" ]; then
			bad=$((bad+1)); echo "#   mismatch: $name ($ino)"
		fi
	done < <(jq -r 'select(.source.image=="'"$img"'") | [.name, .source.fs_offset, .source.inode, .sha256, .md5, .size] | @tsv' "$C/collected.jsonl")
	check_eq "$2: $n collected files equal icat output (SHA-256, MD5, size)" 0 "$bad"
}
icat_check "$WIN" "Windows"
check_eq "records carry MAC(B) times" "true" \
	"$(jq -r 'select(.source.path=="/Windows/System32/config/SYSTEM") | .source | (has("mtime") and has("atime") and has("ctime"))' "$C/collected.jsonl")"
check_eq "large hive streamed whole" "$(jq -r 'select(.source.path=="/Windows/System32/config/SOFTWARE") | .size' "$C/collected.jsonl")" \
	"$(stat -c %s "$C/$(jq -r 'select(.source.path=="/Windows/System32/config/SOFTWARE") | .name' "$C/collected.jsonl")")"

# ---- Linux
$K collect "$LIN" --case "$C" > "$T/out" 2>&1; rc=$?
check_eq "collect Linux image: exit 0" 0 "$rc"
icat_check "$LIN" "Linux"
jq -r 'select(.source.image=="'"$LIN"'") | .target' "$C/collected.jsonl" | sort -u > "$T/tg"
for t in linux-accounts linux-cron linux-systemd linux-auth-logs linux-journal linux-shell-history linux-ssh linux-web-logs; do
	grep -qx "$t" "$T/tg" || fail "Linux: nothing collected for $t"
done
ok "Linux: every Linux target collected something"
for p in /etc/passwd /etc/shadow /etc/sudoers /etc/sudoers.d/alice /etc/cron.d/evil /var/spool/cron/crontabs/alice \
	/etc/systemd/system/backdoor.service /var/log/auth.log /var/log/journal/0123456789abcdef/system.journal \
	/home/alice/.bash_history /root/.bash_history /home/alice/.ssh/authorized_keys /root/.ssh/authorized_keys \
	/var/log/nginx/access.log; do
	grep -qxF "$p" <(jq -r '.source.path' "$C/collected.jsonl") || fail "Linux: $p not collected"
done
ok "Linux: the expected files are there"
grep -qx /usr/bin/ls <(jq -r '.source.path' "$C/collected.jsonl") && fail "a non-target file was collected" || ok "non-target files left alone"
# hostile names
check_eq "hostile home folders: all 11 histories collected" 11 \
	"$(jq -r 'select(.source.path | test("^/home/(alice|bob)/") | not) | select(.target=="linux-shell-history" and (.source.path|startswith("/home/"))) | .name' "$C/collected.jsonl" | wc -l)"
escaped=0
while IFS= read -r -d '' f; do
	case "$f" in "$C"/artifacts/*) ;; *) escaped=$((escaped+1)) ;; esac
done < <(find "$C" -type f -print0)
outside=$(find "$C" -type f ! -path "$C/artifacts/*" ! -path "$C/samples/*" ! -name '*.json' ! -name '*.jsonl' | wc -l)
check_eq "every collected file stays under artifacts/" 0 "$outside"
check_eq "stored names hold no control characters or backslashes" 0 \
	"$(find "$C/artifacts" -name '*[[:cntrl:]]*' -o -name '*\\*' -o -name '*:*' | wc -l)"
jq -s -e 'map(select(.source.path=="/home/new\nline/.bash_history")) | length == 1' "$C/collected.jsonl" > /dev/null \
	&& ok "the original path is kept in the record" || fail "original hostile path lost"
check_eq "names stored as the manifest says" 0 "$(jq -r '.name' "$C/collected.jsonl" | while IFS= read -r n; do [ -f "$C/$n" ] || echo x; done | wc -l)"

# ---- again: nothing twice
before=$(wc -l < "$C/collected.jsonl")
$K collect "$LIN" --case "$C" > "$T/out" 2>&1
check_eq "a second collect copies nothing again" "$before" "$(wc -l < "$C/collected.jsonl")"
grep -q "already in the case" "$T/out" && ok "second collect says so" || fail "second collect output: $(cat "$T/out")"

# ---- selection
$K collect "$WIN" --case "$T/sel" --targets windows-prefetch > /dev/null 2>&1
check_eq "--targets windows-prefetch collects Prefetch only" "windows-prefetch" "$(jq -r .target "$T/sel/collected.jsonl" | sort -u)"

# ---- matched files: findings of a scan of this case
$K scan --quiet -r "$ROOT/tests/evidence/marker.yar" "$WIN" -o "$C/findings.jsonl" > /dev/null 2>&1
$K scan --quiet -r "$ROOT/tests/evidence/marker.yar" "$LIN" -o "$C/findings-2.jsonl" > /dev/null 2>&1
check_eq "the scans matched the markers" 2 "$(cat "$C"/findings*.jsonl | jq -r 'select(.type=="match") | .path' | grep -c -e invoice.exe -e dropper.sh)"
$K collect "$WIN" --case "$C" --targets matched > /dev/null 2>&1
$K collect "$LIN" --case "$C" --targets matched > /dev/null 2>&1
check_eq "matched files went to samples/" "/Users/alice/Downloads/invoice.exe /tmp/dropper.sh" \
	"$(jq -r 'select(.kind=="sample" and (.source.path|test("invoice|dropper"))) | .source.path' "$C/collected.jsonl" | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "sample records name the rule" "KK_Evidence_Marker" \
	"$(jq -r 'select(.source.path=="/tmp/dropper.sh") | .rules[0]' "$C/collected.jsonl")"
ls "$C"/samples/linux.ext4/0/tmp/dropper.sh > /dev/null 2>&1 && ok "sample stored under samples/LABEL/FS_OFFSET/PATH" || fail "sample location"

# ---- custody and bundle
check_eq "every collect is in the custody log" 5 "$(jq -r 'select(.command=="collect")' "$C/custody.jsonl" | jq -s length)"
check_eq "custody entry holds counts and the source hashes" "true" \
	"$(head -1 "$C/custody.jsonl" | jq -r '(.counts.artifacts > 0) and (.source_sha256_before == .source_sha256_after) and (.sources|length==1)')"
$K key new > /dev/null 2>&1
check "bundle the collected case" $K bundle --quiet "$C" -o "$T/case.zip"
check "verify the bundle" $K verify "$T/case.zip"
mkdir "$T/x" && unzip -q "$T/case.zip" -d "$T/x"
check "sha256sum -c on the extracted bundle" bash -c "cd '$T/x' && sha256sum -c --quiet SHA256SUMS"
check "openssl verifies the manifest" openssl pkeyutl -verify -pubin -inkey "$T/x/signer.pub" -rawin -in "$T/x/manifest.json" -sigfile "$T/x/manifest.json.sig"
check_eq "manifest carries the origin of collected files" "$(jq -c 'select(.source.path=="/Windows/System32/config/SAM") | .source' "$C/collected.jsonl")" \
	"$(jq -c '.members[] | select(.source.path=="/Windows/System32/config/SAM") | .source' "$T/x/manifest.json")"
check_eq "manifest lists the samples with their origin" 2 \
	"$(jq -r '.members[] | select(.name=="samples.zip") | .samples[] | select(.source.path|test("invoice|dropper")) | .sha256' "$T/x/manifest.json" | wc -l)"
inv=$(jq -r 'select(.source.path=="/Users/alice/Downloads/invoice.exe") | .sha256' "$C/collected.jsonl")
check_eq "no matched file in clear in the bundle" "" "$(cd "$T/x" && find . -type f -exec sha256sum {} + | grep "$inv" || true)"
finish
