#!/usr/bin/env bash
# A corrupt directory inside a good image becomes an error record naming it, the walk goes
# on; a file whose content cannot be read becomes an error record and is counted skipped.
source "$ROOT/tests/lib.sh"
K=$KAKETSUKE
R=$ROOT/tests/data/rules/markers.yar
mkdir -p "$T/src/good" "$T/src/bad" "$T/src/worse"
echo KAKETSUKE-TEST-MARKER-1 > "$T/src/good/a.txt"
echo KAKETSUKE-TEST-MARKER-1 > "$T/src/bad/b.txt"
head -c 20000 /dev/zero | tr '\0' 'x' > "$T/src/worse/big.txt"
echo KAKETSUKE-TEST-MARKER-1 >> "$T/src/worse/big.txt"
truncate -s 8M "$T/img.raw"
mke2fs -q -t ext2 -b 1024 -d "$T/src" "$T/img.raw"
debugfs -w -R "sif /bad block[0] 9999999" "$T/img.raw" >/dev/null 2>&1        # directory data out of the image
debugfs -w -R "sif /worse/big.txt block[2] 9999999" "$T/img.raw" >/dev/null 2>&1  # a file block out of the image
before=$(evidence_hash "$T/img.raw")
"$K" scan --quiet -r "$R" -o "$T/o.jsonl" "$T/img.raw"; rc=$?
check_eq "the scan finishes with findings (exit 1)" 1 "$rc"
check "the corrupt directory is an error record naming it" \
  jq -e -s 'any(.[]; .type=="error" and .what=="filesystem" and .path=="/bad")' "$T/o.jsonl"
check "the walk goes on: the good directory's file is found" \
  jq -e -s 'any(.[]; .type=="match" and .path=="/good/a.txt")' "$T/o.jsonl"
check "the unreadable file is an error record naming it" \
  jq -e -s 'any(.[]; .type=="error" and .what=="read" and .path=="/worse/big.txt")' "$T/o.jsonl"
check_eq "and it is counted as skipped" 1 "$(tail -1 "$T/o.jsonl" | jq .skipped.unreadable)"
check_eq "the summary counts the errors" 2 "$(tail -1 "$T/o.jsonl" | jq .errors)"
check_eq "the image is unchanged" "$before" "$(evidence_hash "$T/img.raw")"
finish
