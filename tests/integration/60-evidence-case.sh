#!/bin/bash
# Case folder: init/set/note/add, refusals, the hash-chained custody log (checked with
# sed + sha256sum alone), hostile attachment names.
source "$ROOT/tests/lib.sh"
# third-party leaks (libtsk's image probes) under make SANITIZE=1
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/evidence/lsan.supp:print_suppressions=0}
K=$KAKETSUKE
C=$T/case1

check "case init creates the folder" $K case init "$C"
for d in artifacts samples attachments memory timeline report; do
	[ -d "$C/$d" ] || fail "case init: $d/ missing"
done
check_eq "case.json is a kaketsuke case" "kaketsuke-case Asia/Tokyo" "$(jq -r '.format + " " + .timezone' "$C/case.json")"
check_exit "case init refuses an existing case" 2 $K case init "$C"

check "case set known keys" $K case set "$C" case_id=2024-0042 client="株式会社テスト" site="Osaka HQ" \
	engineer="Sato" personal_data=Unknown arrived_at="2024-05-01T10:30" lang=ja
check_eq "time without zone is taken in Asia/Tokyo" "2024-05-01T10:30:00+09:00" "$(jq -r .arrived_at "$C/case.json")"
check_eq "personal_data normalised" "unknown" "$(jq -r .personal_data "$C/case.json")"
check_eq "UTF-8 value kept" "株式会社テスト" "$(jq -r .client "$C/case.json")"
check "case set with explicit zone" $K case set "$C" departed_at=2024-05-01T05:00:00Z
check_eq "explicit UTC time shown in the case zone" "2024-05-01T14:00:00+09:00" "$(jq -r .departed_at "$C/case.json")"
check "timezone and a time in one call" $K case set "$C" discovered_at="2024-04-30 23:00" timezone=Europe/Berlin
check_eq "the time uses the new zone" "2024-04-30T23:00:00+02:00" "$(jq -r .discovered_at "$C/case.json")"
check "back to Tokyo" $K case set "$C" timezone=Asia/Tokyo

before=$(sha256sum < "$C/case.json")
$K case set "$C" colour=red > "$T/out" 2>&1; rc=$?
check_eq "unknown key refused (exit 2)" 2 "$rc"
grep -q "unknown key 'colour'" "$T/out" && ok "unknown key named in the message" || fail "unknown key message: $(cat "$T/out")"
check_exit "malformed time refused" 2 $K case set "$C" arrived_at=2024-02-30T10:00
check_exit "malformed time refused (garbage)" 2 $K case set "$C" requested_at=yesterday
check_exit "bad personal_data refused" 2 $K case set "$C" personal_data=maybe
check_exit "bad lang refused" 2 $K case set "$C" lang=fr
check_exit "bad timezone refused" 2 $K case set "$C" timezone=Mars/Olympus
check_exit "path-like timezone refused" 2 $K case set "$C" timezone=../../etc/passwd
check_exit "control character refused" 2 $K case set "$C" client=$'a\x1b[31mb'
check_exit "all or nothing: one bad assignment" 2 $K case set "$C" site=Kyoto lang=xx
check_exit "missing '='" 2 $K case set "$C" client
check_eq "refused assignments changed nothing" "$before" "$(sha256sum < "$C/case.json")"

check "case note" $K case note "$C" "LAN cable unplugged"
check "case note --at" $K case note "$C" --at "2024-05-01 10:35" "power left on, screen photographed"
check_eq "note times" "2024-05-01T10:35:00+09:00" "$(jq -r '.actions[1].time' "$C/case.json")"
check_exit "note with a bad time refused" 2 $K case note "$C" --at "10:35" "x"

printf 'ransom note photo\n' > "$T/photo 1.jpg"
head -c 200000 /dev/urandom > "$T/memdump.raw"
bad=$'evil\nname\x01\xff..'
printf 'hostile\n' > "$T/$bad"
check "case add files" $K case add "$C" --note "from the client's PC" "$T/photo 1.jpg" "$T/memdump.raw" "$T/$bad"
check "case add the same name again" $K case add "$C" "$T/photo 1.jpg"
check_eq "attachments stored" 4 "$(ls "$C/attachments" | wc -l)"
check_eq "second copy renamed, not replaced" "attachments/photo 1~2.jpg" "$(jq -r '.attachments[3].name' "$C/case.json")"
check_eq "attachment hash" "$(sha256sum < "$T/memdump.raw" | cut -d' ' -f1)" \
	"$(jq -r '.attachments[] | select(.name=="attachments/memdump.raw") | .sha256' "$C/case.json")"
hn=$(jq -r '.attachments[2].name' "$C/case.json")
case "$hn" in
	attachments/evil%0Aname%01%FF.%2E) ok "hostile attachment name stored safely" ;;
	*) fail "hostile name stored as '$hn'" ;;
esac
[ -f "$C/$hn" ] && ok "hostile attachment inside attachments/" || fail "hostile attachment missing"
check_exit "case add a folder refused" 2 $K case add "$C" "$T"
check_exit "case add a missing file" 2 $K case add "$C" "$T/nope"
check_exit "case set on a non-case folder" 2 $K case set "$T" client=x

# custody chain, checked with stock tools only
n=$(wc -l < "$C/custody.jsonl")
[ "$n" -ge 8 ] && ok "custody log has one entry per command ($n)" || fail "custody entries: $n"
good=1
for i in $(seq 2 "$n"); do
	want=$(sed -n "$((i-1))p" "$C/custody.jsonl" | sha256sum | cut -d' ' -f1)
	got=$(sed -n "${i}p" "$C/custody.jsonl" | jq -r .prev)
	[ "$want" = "$got" ] || good=0
done
check_eq "each entry chains to the one before (sed + sha256sum)" 1 "$good"
check_eq "first entry prev is zeros" "$(printf '0%.0s' $(seq 64))" "$(head -1 "$C/custody.jsonl" | jq -r .prev)"
check_eq "entries carry tool, version, user, time, command" "kaketsuke true true case init" \
	"$(head -1 "$C/custody.jsonl" | jq -r '[.tool, (.version|length>0), (.time|test("\\+09:00$")), .command] | join(" ")')"
check_eq "refused commands are not logged" "$n" "$(wc -l < "$C/custody.jsonl")"

# a damaged log is never extended
cp "$C/custody.jsonl" "$T/custody.bak"
sed -i '3s/case set/case xet/' "$C/custody.jsonl"
$K case note "$C" "after tampering" > "$T/out" 2>&1; rc=$?
[ $rc -ne 0 ] && grep -q "custody log .* is damaged" "$T/out" && ok "a tampered custody log is refused" \
	|| fail "tampered custody log accepted (rc $rc): $(cat "$T/out")"
cp "$T/custody.bak" "$C/custody.jsonl"

check "case show" $K case show "$C"
$K case show "$C" --json | jq -e '.case_id == "2024-0042"' > /dev/null && ok "case show --json" || fail "case show --json"
check "help case" $K help case
finish
