#!/usr/bin/env bash
# --priority scans the suspicious places first without losing or repeating anything;
# --quick scans only them. On an image and on a directory.
source "$ROOT/tests/lib.sh"
K=$KAKETSUKE
R=$ROOT/tests/data/rules
IMG=$TEST_IMAGES/mbr.raw
[ -f "$IMG" ] || { fail "test image missing"; finish; }
key() { jq -r 'select(.type=="match") | "\(.fs_offset) \(.path) \(.rule)"' "$1"; }
"$K" scan --quiet -j 1 -r "$R" -o "$T/all.jsonl" "$IMG"
"$K" scan --quiet -j 1 --priority -r "$R" -o "$T/prio.jsonl" "$IMG"
files_same "image: the same findings with and without --priority" <(key "$T/all.jsonl" | sort) <(key "$T/prio.jsonl" | sort)
check_eq "image: no file is scanned twice" "$(tail -1 "$T/all.jsonl" | jq .files)" "$(tail -1 "$T/prio.jsonl" | jq .files)"
first=$(jq -r 'select(.type=="match") | .path' "$T/prio.jsonl" | head -1)
check "image: the first finding comes from a priority place ($first)" bash -c "[[ '$first' == */AppData/Local/Temp/* || '$first' == */Downloads/* ]]"
"$K" scan --quiet -j 1 --quick -r "$R" -o "$T/quick.jsonl" "$IMG"
check "image: --quick reports only priority places" bash -c \
  "! jq -r 'select(.type==\"match\") | .path' '$T/quick.jsonl' | grep -Ev '^/(Users/[^/]+/(AppData|Downloads|Desktop|Documents)|home|tmp|Users/Public)/'"
check "image: --quick scans fewer files" test "$(tail -1 "$T/quick.jsonl" | jq .files)" -lt "$(tail -1 "$T/all.jsonl" | jq .files)"

mkdir -p "$T/srv/var/www/html" "$T/srv/opt/app" "$T/srv/tmp"
echo "KAKETSUKE-TEST-MARKER-1" > "$T/srv/opt/app/a.txt"
echo "KAKETSUKE-TEST-MARKER-1" > "$T/srv/tmp/b.txt"
echo "KAKETSUKE-TEST-MARKER-1" > "$T/srv/var/www/html/c.php"
"$K" scan --quiet -j 1 --priority -r "$R" -o "$T/d.jsonl" "$T/srv"
check_eq "directory: priority places first, then the rest" "tmp/b.txt var/www/html/c.php opt/app/a.txt" \
  "$(jq -r 'select(.type=="match") | .path' "$T/d.jsonl" | sed "s|^$(realpath "$T/srv")/||" | awk '!s[$0]++' | tr '\n' ' ' | sed 's/ $//')"
"$K" scan --quiet -j 1 --quick -r "$R" -o "$T/dq.jsonl" "$T/srv"
check_eq "directory: --quick leaves the rest out" 2 "$(tail -1 "$T/dq.jsonl" | jq .files)"
finish
