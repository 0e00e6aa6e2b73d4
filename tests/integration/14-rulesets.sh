#!/usr/bin/env bash
# The real rule sets in ../shared/corpora load and run, and on host directories kaketsuke
# reports exactly what python3-yara reports with the same external variables.
source "$ROOT/tests/lib.sh"
K=$KAKETSUKE
C=$CORPORA
[ -d "$C/signature-base" ] || { skip "rule sets" "corpora missing"; finish; }
FT=$ROOT/signatures/filetypes.txt
ORACLE=$ROOT/tests/oracle/host_yara.py

compare() { # DESC RULES DIR
  local d=$1 rules=$2 dir=$3
  /usr/bin/python3 "$ORACLE" "$dir" "$FT" "$rules" > "$T/oracle.tsv" 2>/dev/null
  "$K" scan --quiet -j 2 -r "$rules" -o "$T/k.jsonl" --force "$dir"
  jq -r 'select(.type=="match") | "\(.path)\t\(.namespace)\t\(.rule)"' "$T/k.jsonl" | sort -u > "$T/k.tsv"
  files_same "$d ($(wc -l < "$T/oracle.tsv") matches)" "$T/oracle.tsv" "$T/k.tsv"
}

compare "signature-base on real artifacts = python3-yara" "$C/signature-base/yara" "$C/artifacts"
check_eq "signature-base: no rule file left out" 0 \
  "$(jq -s '[.[] | select(.type=="warning" and .what=="rules")] | length' "$T/k.jsonl")"
check_eq "signature-base: every rule loaded (python3-yara counts 5883)" 5883 "$(tail -1 "$T/k.jsonl" | jq .rules)"
compare "signature-base on the dfvfs images as files = python3-yara" "$C/signature-base/yara" "$C/dfvfs/test_data"
check "signature-base finds SUSP_VHD_Suspicious_Small_Size on the dfvfs VHDs" grep -q "ext2.vhd.*SUSP_VHD_Suspicious_Small_Size" "$T/k.tsv"
compare "ReversingLabs on real artifacts = python3-yara" "$C/reversinglabs-yara-rules/yara" "$C/artifacts"
check_eq "ReversingLabs: 1204 rules" 1204 "$(tail -1 "$T/k.jsonl" | jq .rules)"
compare "Yara-Rules on the dfvfs data = python3-yara" "$C/Yara-Rules" "$C/dfvfs/test_data"
jq -r 'select(.type=="warning" and .what=="rules") | .message' "$T/k.jsonl" > "$T/w.txt"
check_eq "Yara-Rules: only the 46 androguard files are left out" 46 "$(grep -c 'left out' "$T/w.txt")"
check "Yara-Rules: each left-out file is a deprecated Android rule needing androguard" \
  bash -c "! grep 'left out' '$T/w.txt' | grep -v 'deprecated/Android.*androguard'"
check "Yara-Rules: files using is__elf from 000_common_rules.yar load" \
  bash -c "! grep -q is__elf '$T/w.txt'"
check "Yara-Rules: slow-rule warnings are reported with file:line" grep -q 'yar:[0-9]*: .*slow' "$T/w.txt"
finish
