#!/usr/bin/env bash
# scan on host directories and files: exit codes, JSON Lines contract, external
# variables, large files in overlapping windows, IOC files, excludes, hostile names,
# bad input, atomic output.
source "$ROOT/tests/lib.sh"
K=$KAKETSUKE
D=$ROOT/tests/data/scan
PY=/usr/bin/python3

# --- exit codes and the record contract ---------------------------------------------
mkdir -p "$T/clean" "$T/dirty/sub/dir"
echo "nothing here" > "$T/clean/a.txt"
printf '<?php echo 1; ?>' > "$T/dirty/shell.PHP"
printf 'MZ\x90\x00this is not a real program' > "$T/dirty/prog.bin"
echo "OWNER-CHECK" > "$T/dirty/owned.txt"
echo "PATH-CHECK" > "$T/dirty/sub/dir/p.txt"
check_exit "clean directory exits 0" 0 "$K" scan --quiet -r "$D/externals.yar" -o "$T/c.jsonl" "$T/clean"
check_exit "findings exit 1" 1 "$K" scan --quiet -r "$D/externals.yar" -o "$T/d.jsonl" "$T/dirty"
check "every line is a JSON object with type and source" \
  jq -e -s 'all(.[]; has("type") and has("source"))' "$T/d.jsonl"
check_eq "summary is the last line" summary "$(tail -1 "$T/d.jsonl" | jq -r .type)"
check_eq "summary counts files" 4 "$(tail -1 "$T/d.jsonl" | jq -r .files)"
got=$(jq -r 'select(.type=="match") | .rule' "$T/d.jsonl" | sort | tr '\n' ' ')
check_eq "externals filename/extension/filetype/owner/filepath" \
  "host_filepath host_filetype_exe host_filetype_php host_owner_root " "$got"
check_eq "match carries sha256 of the file" "$(sha256sum < "$T/dirty/shell.PHP" | cut -d' ' -f1)" \
  "$(jq -r 'select(.rule=="host_filetype_php") | .sha256' "$T/d.jsonl")"
check_eq "match carries filetype and libmagic text" "PHP|PHP script, ASCII text, with no line terminators" \
  "$(jq -r 'select(.rule=="host_filetype_php") | .filetype + "|" + .magic' "$T/d.jsonl")"
check_eq "host paths are absolute host paths" "$(realpath "$T/dirty")/shell.PHP" \
  "$(jq -r 'select(.rule=="host_filetype_php") | .path' "$T/d.jsonl")"
check_exit "existing output is refused without --force" 2 "$K" scan --quiet -r "$D/externals.yar" -o "$T/d.jsonl" "$T/dirty"
check_exit "existing output is replaced with --force" 1 "$K" scan --quiet --force -r "$D/externals.yar" -o "$T/d.jsonl" "$T/dirty"
check "no .part left after a complete run" test ! -e "$T/d.jsonl.part"
check_exit "single file source" 1 "$K" scan --quiet -r "$D/externals.yar" -o "$T/f.jsonl" "$T/dirty/shell.PHP"
check_eq "single file: one match" 1 "$(jq -s '[.[]|select(.type=="match")]|length' "$T/f.jsonl")"

# --- large files: windows with overlap, a marker across each edge --------------------
M=KAKETSUKE-WINDOW-EDGE-MARKER-0123456789   # 39 bytes
$PY - "$T/big.bin" "$M" <<'PY'
import sys
path, m = sys.argv[1], sys.argv[2].encode()
W, O = 1 << 20, 64 << 10          # --window 1M --overlap 64K: windows start every W-O bytes
data = bytearray(b'.' * (5 * W + 12345))
step = W - O
for k in range(1, 5):              # across the end of window k-1 (= inside the overlap)
    edge = (k - 1) * step + W
    data[edge - 20: edge - 20 + len(m)] = m
data[-len(m):] = m                 # at the very end
for i in range(10):                # repeats (count condition across windows)
    data[100000 + i * 50: 100000 + i * 50 + 14] = b'REPEATED-TOKEN'
open(path, 'wb').write(data)
PY
yara -s -d filename= -d filepath= -d extension= -d filetype= -d owner= "$D/window.yar" "$T/big.bin" \
  | grep '^0x[0-9a-f]*:\$m:' | cut -d: -f1 | sort -u > "$T/yara.offs"
"$K" scan --quiet -r "$D/window.yar" --window 1M --overlap 64K --max-strings 0 -o "$T/w.jsonl" "$T/big.bin"
jq -r 'select(.type=="match" and .rule=="window_marker") | .strings[] | .offset' "$T/w.jsonl" \
  | while read o; do printf '0x%x\n' "$o"; done | sort -u > "$T/k.offs"
files_same "every marker across a window edge is found once, at yara's offsets" "$T/yara.offs" "$T/k.offs"
check_eq "one record per rule and file" 1 "$(jq -s '[.[]|select(.rule=="window_marker")]|length' "$T/w.jsonl")"
check_eq "no duplicate string matches from overlaps" "$(wc -l < "$T/k.offs")" \
  "$(jq '[.strings[]]|length' <(grep window_marker "$T/w.jsonl"))"
check_eq "sha256 of a windowed file is of the whole file" "$(sha256sum < "$T/big.bin" | cut -d' ' -f1)" \
  "$(jq -r 'select(.rule=="window_marker") | .sha256' "$T/w.jsonl")"
check_eq "count condition within one window" window_many \
  "$(jq -r 'select(.rule=="window_many") | .rule' "$T/w.jsonl")"
"$K" scan --quiet -r "$D/window.yar" -o "$T/w16.jsonl" "$T/big.bin"
check_eq "default window scans the file as one buffer: same offsets" "$(cat "$T/yara.offs" | wc -l)" \
  "$(jq -s '[.[] | select(.rule=="window_marker") | .strings[]] | length' "$T/w16.jsonl")"
"$K" scan --quiet -r "$D/window.yar" --max-strings 2 -o "$T/ms.jsonl" "$T/big.bin"
check_eq "--max-strings caps string matches and says so" "2 true" \
  "$(jq -r 'select(.rule=="window_marker") | "\(.strings|length) \(.strings_truncated)"' "$T/ms.jsonl")"

# --- --timeout: a scan that takes too long is an error record and counted -------------------
printf 'rule slow_loop { condition: for all i in (0..filesize) : (uint8(i) == 0x41 or true) }\n' > "$T/slow.yar"
mkdir -p "$T/slow"; head -c 60000000 /dev/zero | tr '\0' 'A' > "$T/slow/big.bin"
"$K" scan --quiet --timeout 1 -r "$T/slow.yar" -o "$T/to.jsonl" "$T/slow"
check "timeout: an error record names the file and says timeout" \
  jq -e -s 'any(.[]; .type=="error" and .what=="scan" and (.path|endswith("big.bin")) and (.message|test("timeout")))' "$T/to.jsonl"
check_eq "timeout: counted as skipped" 1 "$(tail -1 "$T/to.jsonl" | jq .skipped.timeout)"
rm -rf "$T/slow"

# --- IOCs ------------------------------------------------------------------------------
echo "ioc content" > "$T/dirty/dropper.exe"
sha=$(sha256sum < "$T/dirty/dropper.exe" | cut -d' ' -f1)
md5=$(md5sum < "$T/dirty/sub/dir/p.txt" | cut -d' ' -f1)
mkdir -p "$T/iocs"
printf '# test\n%s;Test dropper hash\n%s;Test md5 entry\n' "$sha" "$md5" > "$T/iocs/hash.txt"
printf '# REGEX;SCORE;FP\n/sub/dir/p\\.txt$;70\n\\.exe$;60;dropper\\.exe$\n# owned files\n(?i)/owned\\.TXT$;50\n/OWNED\\.txt$;50\n' > "$T/iocs/names.txt"
"$K" scan --quiet -r "$D/hostile.yar" --ioc "$T/iocs" -o "$T/i.jsonl" "$T/dirty"; rc=$?
check_eq "IOC hits alone give exit 1" 1 "$rc"
check_eq "sha256 hash IOC" "sha256 Test dropper hash" \
  "$(jq -r 'select(.type=="ioc" and .kind=="sha256") | "\(.kind) \(.desc)"' "$T/i.jsonl")"
check_eq "md5 hash IOC (md5 computed because the list needs it)" "$md5" \
  "$(jq -r 'select(.type=="ioc" and .kind=="md5") | .ioc' "$T/i.jsonl")"
check_eq "filename IOCs: regex, score, false-positive regex, (?i)" "(?i)/owned\\.TXT$:50 /sub/dir/p\\.txt$:70" \
  "$(jq -r 'select(.type=="ioc" and .kind=="filename") | "\(.ioc):\(.score)"' "$T/i.jsonl" | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "filename IOC description: the comment line above it" "owned files" \
  "$(jq -r 'select(.type=="ioc" and .score==50) | .desc' "$T/i.jsonl")"
printf 'not an ioc line at all\n' > "$T/bad-ioc.txt"
"$K" scan --quiet -r "$D/hostile.yar" --ioc "$T/bad-ioc.txt" -o "$T/bi.jsonl" "$T/clean"
check "a malformed IOC line becomes a warning naming file:line" \
  jq -e -s 'any(.[]; .type=="warning" and .what=="ioc" and (.message|test("bad-ioc.txt:1")))' "$T/bi.jsonl"

# --- excludes --------------------------------------------------------------------------
"$K" scan --quiet -r "$D/externals.yar" --exclude '*.PHP' --exclude '*/sub/*' -o "$T/x.jsonl" "$T/dirty"
check_eq "excluded files are left out and counted" "2 3" \
  "$(jq -r 'select(.type=="summary") | "\(.skipped.excluded) \(.files)"' "$T/x.jsonl")"
check "an aggregate skip record for excluded files" \
  jq -e -s 'any(.[]; .type=="skip" and .reason=="excluded" and .count==2)' "$T/x.jsonl"

# --- hostile names -------------------------------------------------------------------
mkdir -p "$T/hostile"
for n in $'esc\e[31mred.txt' $'bad\xff\xfename.txt' '<img src=x onerror=alert(1)>.txt' '=HYPERLINK("x").txt'; do
  echo HOSTILE-NAME-CONTENT > "$T/hostile/$n"
done
"$K" scan --quiet -r "$D/hostile.yar" -o "$T/h.jsonl" "$T/hostile"
check_eq "all hostile names reported" 4 "$(jq -s '[.[]|select(.type=="match")]|length' "$T/h.jsonl")"
check "output is valid UTF-8 JSON with no raw control bytes" \
  $PY -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1],encoding="utf-8",errors="strict")]; d=open(sys.argv[1],"rb").read(); sys.exit(any(b<32 and b!=10 for b in d))' "$T/h.jsonl"
check "invalid UTF-8 bytes are written as \\xNN" grep -q 'bad\\\\xff\\\\xfename' "$T/h.jsonl"
"$K" scan -r "$D/hostile.yar" -o "$T/h2.jsonl" "$T/hostile/nope" 2> "$T/err.txt"
check "error messages on the terminal carry no escape sequences" bash -c "! grep -q $'\e' '$T/err.txt'"

# --- bad input ---------------------------------------------------------------------------
check_exit "missing source: exit 2" 2 "$K" scan --quiet -r "$D/hostile.yar" -o "$T/m.jsonl" "$T/does-not-exist"
check "missing source: the message names the object" grep -q "does-not-exist" "$T/last.out"
head -c 100000 /dev/urandom > "$T/junk.raw"
check_exit "not an image (image name, random bytes): exit 2" 2 "$K" scan --quiet -r "$D/hostile.yar" -o "$T/j.jsonl" "$T/junk.raw"
check "not an image: says so" grep -q "no partition table or file system" "$T/last.out"
[ -f "$CORPORA/dfvfs/test_data/ext2.qcow2" ] && {
  check_exit "QCOW2: exit 2" 2 "$K" scan --quiet -r "$D/hostile.yar" -o "$T/q.jsonl" "$CORPORA/dfvfs/test_data/ext2.qcow2"
  check "QCOW2: unsupported, with the conversion command" grep -q "QCOW2 images are not supported.*qemu-img" "$T/last.out"
}
printf 'rule broken { condition: nosuchthing }\n' > "$T/broken.yar"
check_exit "broken rule named directly: exit 2" 2 "$K" scan --quiet -r "$T/broken.yar" -o "$T/b.jsonl" "$T/clean"
check "broken rule: file and line named" grep -q "broken.yar:1:" "$T/last.out"
mkdir -p "$T/rd"; cp "$T/broken.yar" "$D/hostile.yar" "$T/rd/"
check_exit "broken file inside a rule directory: left out, scan goes on" 1 "$K" scan --quiet -r "$T/rd" -o "$T/rd.jsonl" "$T/hostile"
check "broken file inside a directory: warning with file:line" \
  jq -e -s 'any(.[]; .type=="warning" and .what=="rules" and (.message|test("broken.yar:1")))' "$T/rd.jsonl"
check_exit "bad option value: exit 2" 2 "$K" scan --threads 0 "$T/clean"
check_exit "unknown command: exit 2" 2 "$K" nosuchcommand
check_exit "help works" 0 "$K" help scan
check_exit "--help works" 0 "$K" scan --help
check_exit "unwritable output device: exit 3" 3 "$K" scan --quiet -r "$D/hostile.yar" -o /dev/full "$T/hostile"
check "unwritable output: clear message" grep -q "cannot write output '/dev/full'" "$T/last.out"

# --- progress on a terminal: files and bytes of the total, findings as they come ---------
script -qec "'$K' scan -r '$D/hostile.yar' -o '$T/tty.jsonl' '$T/hostile'" /dev/null > "$T/tty.txt" 2>&1
check "progress line: files done of total, bytes, rate, ETA, findings" \
  grep -aq 'scan: 4/4 files, .* of .*MiB/s, ETA .*4 findings' "$T/tty.txt"
check "findings are shown as they are found" grep -aq 'FOUND hostile_name (score 75)' "$T/tty.txt"
check "hostile names reach the terminal without escape sequences" bash -c "! grep -aq \$'\\e\\[31m' '$T/tty.txt'"
script -qec "'$K' scan --quiet -r '$D/hostile.yar' -o '$T/tty2.jsonl' '$T/hostile'" /dev/null > "$T/tty2.txt" 2>&1
check_eq "--quiet: nothing on the terminal" 0 "$(wc -c < "$T/tty2.txt")"

# --- messages in Japanese on a Japanese system (without the ja_JP locale installed) -------
env -u LC_ALL -u LANGUAGE LANG=ja_JP.UTF-8 "$K" scan --quiet -o "$T/ja.jsonl" "$T/does-not-exist" 2> "$T/ja.err"
check "Japanese locale: the error message is in Japanese" grep -q "検査対象「.*does-not-exist」を開けません" "$T/ja.err"
env -u LC_ALL -u LANGUAGE LANG=ja_JP.UTF-8 "$K" scan --quiet -r "$D/hostile.yar" -o "$T/ja2.jsonl" \
  "$CORPORA/dfvfs/test_data/ext2.qcow2" 2> "$T/ja2.err"
check "Japanese locale: the QCOW2 refusal tells what to do, in Japanese" grep -q "qemu-img convert -O raw」で変換" "$T/ja2.err"
script -qec "env -u LC_ALL -u LANGUAGE LANG=ja_JP.UTF-8 '$K' scan -r '$D/hostile.yar' -o '$T/ja3.jsonl' '$T/hostile'" /dev/null > "$T/ja3.txt" 2>&1
check "Japanese locale: progress line and live findings in Japanese" \
  bash -c "grep -aq '検査: 4/4 ファイル' '$T/ja3.txt' && grep -aq '（スコア 75）' '$T/ja3.txt'"
"$K" scan --quiet -o "$T/en.jsonl" "$T/does-not-exist" 2> "$T/en.err"
check "English otherwise" grep -q "cannot open source" "$T/en.err"

# --- interrupted run keeps FILE.part only ------------------------------------------------
mkdir -p "$T/many"
head -c 200000 /dev/urandom > "$T/many/f0"
for i in $(seq 1 800); do ln "$T/many/f0" "$T/many/f$i"; done
echo HOSTILE-NAME-CONTENT > "$T/many/a-first"
"$K" scan --quiet -j 1 -r "$CORPORA/signature-base/yara" -o "$T/int.jsonl" "$T/many" &
pid=$!
for i in $(seq 1 200); do [ -e "$T/int.jsonl.part" ] && break; sleep 0.05; done
sleep 0.3; kill -INT $pid; wait $pid; rc=$?
check "interrupted: no complete-looking output" test ! -e "$T/int.jsonl"
check "interrupted: the lines so far are kept in FILE.part" test -s "$T/int.jsonl.part"
check_eq "interrupted: exit 3 and summary says so" "3 true" "$rc $(tail -1 "$T/int.jsonl.part" | jq -r .interrupted)"
finish
