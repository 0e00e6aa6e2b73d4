#!/bin/bash
# The report model (docs/assessment.md, docs/formats/report.md) on case folders made here:
# ransomware-, webshell-, miner-like and clean cases scanned with the bundled signatures
# (harmless samples from tests/signatures/samples.py, random bytes as "encrypted" files):
# verdict and the findings behind it, recovery steps, damage scope and encryption window,
# PPC deadlines (late-night discovery in Asia/Tokyo vs UTC, month ends), cost lines and
# totals, the timeline (mactime -b reads it; Timesketch fields), and the model of the
# sealed bundle.
source "$ROOT/tests/lib.sh"
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/evidence/lsan.supp:print_suppressions=0}
K=$KAKETSUKE
TOOL=$(dirname "$K")/tests/test_report_model
export HOME=$T/home
unset KAKETSUKE_KEY KAKETSUKE_KEY_PASS
if [ ! -x "$TOOL" ]; then skip "report model" "no $TOOL (built by make test)"; finish; fi
for c in jq python3 mactime; do
	command -v $c > /dev/null || { skip "report model" "$c is not installed"; finish; }
done

S=$T/samples
python3 "$ROOT/tests/signatures/samples.py" "$S" > /dev/null || fail "samples.py"
sample() { find "$S/$1" -type f | head -1; }
model() { # model CASE|ZIP LANG -> $T/m.json
	if "$TOOL" --dump "$1" "$2" > "$T/m.json" 2> "$T/m.err"; then :; else
		fail "model of $1: $(cat "$T/m.err")"; echo '{}' > "$T/m.json"; fi
}
q() { jq -r "$1" "$T/m.json"; }
has_step() { [ "$(jq -r --arg i "$1" '[.steps[] | select(.id == $i)] | length' "$T/m.json")" = 1 ]; }
step_text() { jq -r --arg i "$1" '.steps[] | select(.id == $i) | .text' "$T/m.json"; }
steps_ok() { # DESC ID... (an ID with a leading ! must be absent)
	local d=$1 bad=""; shift
	for i in "$@"; do
		case $i in !*) has_step "${i#!}" && bad="$bad $i" ;; *) has_step "$i" || bad="$bad $i" ;; esac
	done
	[ -z "$bad" ] && ok "$d" || { fail "$d:$bad"; q '[.steps[].id] | join(" ")' | sed 's/^/#   steps: /'; }
}

# ==== 1. ransomware-like ==================================================================
D=$T/rw/pc1
mkdir -p "$D/Users/taro/Desktop" "$D/Users/taro/Documents/経理" "$D/Users/hanako/Documents" "$D/Users/taro/notes"
cp "$(sample Ransom_Note_Akira)" "$D/Users/taro/Desktop/akira_readme.txt"
touch -d @1714534800 "$D/Users/taro/Desktop/akira_readme.txt"                # 2024-05-01T03:40Z
base=1714525200                                                              # 2024-05-01T01:00Z
for i in $(seq 1 12); do
	f="$D/Users/taro/Documents/経理/report$i.xlsx.akira"
	head -c 6000 /dev/urandom > "$f"; touch -d @$((base + i * 600)) "$f"
done
for i in 1 2 3 4; do                                                         # encrypted in place
	f="$D/Users/hanako/Documents/memo$i.docx"
	head -c 5000 /dev/urandom > "$f"; touch -d @$((base + 7200 + i * 450)) "$f"  # last: 03:30Z
done
touch -d @$base "$D/Users/taro/Documents/経理/report1.xlsx.akira"            # first: 01:00Z
for i in 1 2 3 4 5; do
	printf '打ち合わせのメモ %s\nlunch at noon\n' $i > "$D/Users/taro/notes/n$i.txt"
	touch -d 2023-01-01T00:00:00Z "$D/Users/taro/notes/n$i.txt"
done
C=$T/rw/case
check "case init (ransomware case)" $K case init "$C" case_id=RW-1 client="株式会社テスト" personal_data=unknown \
	discovered_at=2024-05-01T23:30 lang=ja
check_exit "scan --case finds the ransomware" 1 $K scan "$D" --case "$C" --quiet
check "cost: dispatch (駆付け) with hours and note" $K case cost "$C" 駆付け 55,000 3.5 "夜間の駆付け"
check "cost: investigation with hours" $K case cost "$C" 調査 120000 2
check "cost: recovery without hours" $K case cost "$C" recovery 80000 - "復旧作業"
check_exit "cost: unknown category refused" 2 $K case cost "$C" lunch 1000
check_exit "cost: negative amount refused" 2 $K case cost "$C" dispatch -5
check_exit "cost: decimal yen refused" 2 $K case cost "$C" dispatch 100.5
check_exit "cost: bad hours refused" 2 $K case cost "$C" dispatch 100 1,5
check_eq "cost lines in case.json" "3 dispatch 55000 3.5" "$(jq -r '"\(.costs|length) \(.costs[0].category) \(.costs[0].amount) \(.costs[0].hours)"' "$C/case.json")"
grep -q '"command":"case cost"' "$C/custody.jsonl" && ok "case cost is in the custody log" || fail "case cost not logged"

model "$C" ja
check_eq "verdict ransomware" ransomware "$(q .verdict.value)"
check_eq "first reason is a ransomware reason" ransomware "$(q '.verdict.reasons[0].level')"
check_eq "reasons name ransom-note/ransomware findings" true \
	"$(jq '[.verdict.reasons[0].findings[] as $id | .findings[] | select(.id == $id) | .category] | length > 0 and all(. == "ransom-note" or . == "ransomware")' "$T/m.json")"
check_eq "encrypted-files reason (16 >= 10)" 1 "$(jq '[.verdict.reasons[] | select(.level == "ransomware" and (.text | test("16 件")))] | length' "$T/m.json")"
check_eq "findings ordered by score, ids F1.." "F1" "$(q '.findings[0].id')"
check_eq "severity of an 85 finding" high "$(q '[.findings[] | select(.score == 85)][0].severity')"
check_eq "Japanese description from the rule" "Akira の脅迫文(akira_readme.txt)" "$(q '[.findings[] | select(.rule == "Ransom_Note_Akira")][0].description')"
check_eq "scope: encrypted files" 16 "$(q .scope.encrypted_files)"
check_eq "scope: known extension files" 12 "$(q '.scope.volumes[0].known_extension_files')"
check_eq "scope: ransom notes" 1 "$(q .scope.ransom_notes)"
check_eq "scope: documents intact (5 notes + the ransom note text)" 6 "$(q '.scope.volumes[0].documents_intact')"
check_eq "scope: top directory (three levels below the root)" "$D/Users/taro/Documents 12" "$(q '.scope.volumes[0].top_dirs[0] | "\(.path) \(.files)"')"
check_eq "scope: family and extension" "Akira .akira 12" "$(q '.scope.families[0] | "\(.family) \(.extension) \(.files)"')"
check_eq "encryption window in Asia/Tokyo" "2024-05-01T10:00:00+09:00 2024-05-01T12:30:00+09:00" \
	"$(q '.scope.encryption_window | "\(.first) \(.last)"')"
check_eq "PPC applies (personal data unknown)" true "$(q .ppc.applies)"
check_eq "PPC preliminary 3-5 days after 2024-05-01 (23:30 JST)" "2024-05-04 2024-05-06" "$(q '.ppc.preliminary | "\(.from) \(.to)"')"
check_eq "PPC final: 60 days (unauthorised access)" "2024-06-30 60" "$(q '.ppc.final | "\(.due) \(.days)"')"
check_eq "PPC rule text in Japanese" true "$(jq '.ppc.final.rule | test("60日以内")' "$T/m.json")"
check_eq "costs total" "255000 5.5 3" "$(q '.costs | "\(.total_amount) \(.total_hours) \(.lines|length)"')"
check_eq "cost label in Japanese" "駆付け" "$(q '.costs.lines[0].label')"
steps_ok "ransomware steps" isolate dont-reboot rw-dont-pay dont-wipe capture-memory rw-photo-note rw-scope \
	rw-backups rw-shadow-copies rw-decryptor rw-entry reset-credentials rw-rebuild report-police-ipa report-ppc \
	monitor '!cl-result' '!su-review'
check_eq "steps sorted by order" true "$(jq '[.steps[].order] | . == sort' "$T/m.json")"
check_eq "don't-steps flagged" "true true true" "$(jq -r '[.steps[] | select(.id == "rw-dont-pay" or .id == "dont-reboot" or .id == "dont-wipe") | .dont] | join(" ")' "$T/m.json")"
step_text rw-decryptor | grep -q 'Akira' && step_text rw-decryptor | grep -q '\.akira' && ok "decryptor step names family and extension" || fail "decryptor step: $(step_text rw-decryptor)"
step_text rw-photo-note | grep -qF "$D/Users/taro/Desktop/akira_readme.txt" && ok "photo step names the note's path" || fail "photo step: $(step_text rw-photo-note)"
step_text report-ppc | grep -q '2024-05-04〜2024-05-06' && step_text report-ppc | grep -q '2024-06-30' && ok "PPC step carries the dates" || fail "PPC step: $(step_text report-ppc)"
step_text reset-credentials | grep -q 'taro' && ok "credential step names the accounts" || fail "credential step: $(step_text reset-credentials)"
check_eq "No More Ransom cited" 1 "$(jq '[.steps[] | select(.id == "rw-decryptor") | .refs[] | select(.url | test("nomoreransom"))] | length' "$T/m.json")"
check_eq "no model errors" "[]" "$(q '.errors | tostring')"

# timeline
if "$TOOL" --timeline "$C" > "$T/tl.json" 2> "$T/tl.err"; then ok "timeline written"; else fail "timeline: $(cat "$T/tl.err")"; fi
check_eq "timeline selection: 16 encrypted + note in the window, 13 matched" "17 13 17" \
	"$(jq -r '"\(.files) \(.selection.matched) \(.selection.in_window)"' "$T/tl.json")"
check_eq "selected.body lines" 17 "$(wc -l < "$C/timeline/selected.body")"
if mactime -b "$C/timeline/selected.body" -d -z UTC > "$T/mactime.out" 2>&1; then ok "mactime -b reads selected.body"; else fail "mactime: $(head -3 "$T/mactime.out")"; fi
grep -q 'akira_readme.txt' "$T/mactime.out" && grep -q '2024' "$T/mactime.out" && ok "mactime lists the note in 2024" || fail "mactime output: $(head -5 "$T/mactime.out")"
mactime -b "$C/timeline/bodyfile.txt" -d > /dev/null 2>&1 && ok "mactime -b reads the full bodyfile" || fail "mactime on bodyfile.txt"
check_eq "timeline.jsonl: every line has the Timesketch fields" 0 \
	"$(jq -c 'select((.message|type) != "string" or (.datetime|type) != "string" or (.timestamp_desc|type) != "string" or (.timestamp|type) != "number")' "$C/timeline/timeline.jsonl" | wc -l)"
check_eq "timeline.jsonl: the note's modification in UTC" 1 \
	"$(jq -c 'select((.path|endswith("akira_readme.txt")) and .datetime == "2024-05-01T03:40:00+00:00")' "$C/timeline/timeline.jsonl" | wc -l)"
model "$C" en
check_eq "model points at the written timeline" "timeline/selected.body timeline/timeline.jsonl" "$(q '.timeline | "\(.selected) \(.jsonl)"')"
check_eq "histogram events add up" "$(q .timeline.events)" "$(q '[.timeline.histogram[].events] | add')"
events=$(q .timeline.events)
check_eq "English reasons" true "$(jq '.verdict.reasons[0].text | test("ransomware trace")' "$T/m.json")"
check_eq "English steps" "Disconnect from the network, but keep the power on" "$(q '.steps[0].title')"

# bundle: the same model from the sealed zip
if $K key new > "$T/key.out" 2>&1; then
	fpr=$(sed -n 's/^fingerprint: //p' "$T/key.out")
	if $K bundle "$C" > "$T/b.out" 2>&1; then
		model "$C.zip" ja
		check_eq "bundle model: same verdict" ransomware "$(q .verdict.value)"
		check_eq "bundle model: signer" "$fpr" "$(q .signer.fingerprint)"
		check_eq "bundle model: findings.jsonl hash from the manifest" "$(sha256sum < "$C/findings.jsonl" | cut -d' ' -f1)" \
			"$(q '.evidence[] | select(.path == "findings.jsonl") | .sha256')"
		check_eq "bundle model: encryption window" "2024-05-01T10:00:00+09:00" "$(q .scope.encryption_window.first)"
		check_eq "bundle model: timeline read from the zip" "$events timeline/selected.body" "$(q '"\(.timeline.events) \(.timeline.selected)"')"
		model "$C" ja
		check_eq "folder model after sealing: signer from the custody log" "$fpr" "$(q .signer.fingerprint)"
	else
		fail "bundle: $(cat "$T/b.out")"
	fi
else
	fail "key new: $(cat "$T/key.out")"
fi

# ==== 2. webshell-like; discovery late in the evening UTC ====================================
D=$T/ws/srv/var/www/html
mkdir -p "$D/wp-content/uploads"
cp "$(sample Webshell_PHP_Eval_Request_Input)" "$D/wp-content/uploads/wp-conf.php"
printf '<?php echo "hello"; ?>\n' > "$D/index.php"
C=$T/ws/case
check "case init (webshell case, UTC)" $K case init "$C" timezone=UTC personal_data=yes discovered_at=2024-05-31T20:00 lang=en
check_exit "scan finds the web shell" 1 $K scan "$T/ws/srv" --case "$C" --quiet
model "$C" en
check_eq "verdict compromised" compromised "$(q .verdict.value)"
check_eq "compromised reason names the rule" true "$(jq '.verdict.reasons[0] | .level == "compromised" and (.text | test("Webshell_PHP_Eval_Request_Input"))' "$T/m.json")"
steps_ok "webshell steps" ws-preserve ws-contain ws-logs ws-others ws-data ws-update ws-restore isolate report-ppc '!rw-dont-pay' '!mn-stop'
step_text ws-preserve | grep -qF "wp-content/uploads/wp-conf.php" && ok "web shell step names the file" || fail "ws step: $(step_text ws-preserve)"
check_eq "UTC: discovered 2024-05-31, final due 60 days later" "2024-05-31 2024-07-30" "$(q '"\(.ppc.discovered_date) \(.ppc.final.due)"')"
check "the case moves to Asia/Tokyo" $K case set "$C" timezone=Asia/Tokyo
model "$C" en
check_eq "Tokyo: the same instant is 2024-06-01 05:00" "2024-06-01T05:00:00+09:00 2024-06-01" "$(q '"\(.ppc.discovered_at) \(.ppc.discovered_date)"')"
check_eq "Tokyo: preliminary and final dates move a day" "2024-06-04 2024-06-06 2024-07-31" "$(q '.ppc | "\(.preliminary.from) \(.preliminary.to) \(.final.due)"')"

# ==== 3. miner-like ===========================================================================
D=$T/mn/srv
mkdir -p "$D/tmp/.x" "$D/etc"
cp "$(sample Miner_XMRig_Binary)" "$D/tmp/.x/xmrig"
cp "$(sample Miner_Pool_Config)" "$D/tmp/.x/config.json"
printf 'root:x:0:0:root:/root:/bin/bash\n' > "$D/etc/passwd"
C=$T/mn/case
check "case init (miner case)" $K case init "$C" personal_data=no discovered_at=2024-02-28T10:00
check_exit "scan finds the miner" 1 $K scan "$D" --case "$C" --quiet
model "$C" ja
check_eq "verdict compromised (XMRig scores 75)" compromised "$(q .verdict.value)"
check_eq "miner category counted" true "$(jq '.counts.by_category.miner >= 2' "$T/m.json")"
steps_ok "miner steps" mn-stop mn-persistence mn-entry mn-more mn-keys mn-rebuild '!report-ppc' '!rw-decryptor'
check_eq "no personal data: PPC does not apply" "false null" "$(q '"\(.ppc.applies) \(.ppc.final)"')"
check_eq "no encryption window" null "$(q .scope.encryption_window)"

# ==== 4. clean; month end in a leap year ===================================================
D=$T/cl/pc
mkdir -p "$D/docs"
for i in 1 2 3; do printf 'quarterly figures %s\n' $i > "$D/docs/r$i.txt"; done
C=$T/cl/case
check "case init (clean case)" $K case init "$C" discovered_at=2024-01-31T10:00 lang=ja
check_exit "scan finds nothing" 0 $K scan "$D" --case "$C" --quiet
model "$C" ja
check_eq "verdict clean" clean "$(q .verdict.value)"
check_eq "clean reason, no findings" "clean 0" "$(q '"\(.verdict.reasons[0].level) \(.findings|length)"')"
steps_ok "clean steps" cl-result cl-basics cl-ask-again '!isolate' '!su-review'
check_eq "PPC with personal data unset: 30 days from Jan 31 is Mar 1" "true 2024-02-03 2024-02-05 2024-03-01 30" \
	"$(q '.ppc | "\(.applies) \(.preliminary.from) \(.preliminary.to) \(.final.due) \(.final.days)"')"
check_eq "scope: nothing encrypted, documents intact" "0 3" "$(q '"\(.scope.encrypted_files) \(.scope.documents_intact)"')"

# ==== 5. suspicious: a remote administration tool and a test file ===========================
D=$T/su/pc
mkdir -p "$D"
cp "$(sample Test_Kaketsuke_Marker)" "$D/marker.txt"
C=$T/su/case
$K case init "$C" > /dev/null
check_exit "scan finds the test marker" 1 $K scan "$D" --case "$C" --quiet
model "$C" en
check_eq "verdict suspicious (test files never decide more)" suspicious "$(q .verdict.value)"
steps_ok "suspicious steps" su-review su-test-files su-keep-records '!isolate' '!su-remote-tools'

finish
