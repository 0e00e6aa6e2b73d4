#!/usr/bin/env bash
# scan --case DIR: findings into the case, sources recorded, custody log, --hash-source,
# a second scan never replaces the first findings.
source "$ROOT/tests/lib.sh"
K=$KAKETSUKE
IMG=$TEST_IMAGES/mbr.raw
[ -f "$IMG" ] || { fail "test image $IMG missing"; finish; }
before=$(evidence_hash "$IMG")
check_exit "scan --case creates the case and reports findings" 1 \
  "$K" scan --quiet --case "$T/case" --hash-source -r "$ROOT/tests/data/rules" "$IMG"
check "findings are in DIR/findings.jsonl" test -s "$T/case/findings.jsonl"
check_eq "the summary is the last line" summary "$(tail -1 "$T/case/findings.jsonl" | jq -r .type)"
check "the source is recorded with its format and size" \
  jq -e --arg s "$IMG" '.sources[] | select(.source == $s) | .size > 0 and (.format | length) > 0' "$T/case/case.json"
sha=$(sha256sum < "$IMG" | cut -d' ' -f1)
check_eq "--hash-source: SHA-256 before and after equal sha256sum" "$sha $sha true" \
  "$(jq -r '.sources[0].hashes[-1] | "\(.sha256_before) \(.sha256_after) \(.same)"' "$T/case/case.json")"
check_eq "custody log: one entry for the scan" "scan" "$(jq -r .command "$T/case/custody.jsonl")"
check_eq "custody log: rules hash and counts" \
  "$(tail -1 "$T/case/findings.jsonl" | jq -r '"\(.rules_sha256) \(.matches)"')" \
  "$(jq -r '"\(.rules_sha256) \(.counts.matches)"' "$T/case/custody.jsonl")"
check_exit "a second scan of the case" 1 "$K" scan --quiet --case "$T/case" -r "$ROOT/tests/data/rules" "$IMG"
check "the second scan writes findings-2.jsonl, the first is kept" test -s "$T/case/findings-2.jsonl"
check_eq "custody log: two chained entries" "2 2" \
  "$(wc -l < "$T/case/custody.jsonl") $(sed -n 2p "$T/case/custody.jsonl" | jq -r .seq)"
check_exit "the case still verifies after bundling" 0 bash -c \
  "KAKETSUKE_KEY='$T/k.pem' KAKETSUKE_KEY_PASS= '$K' key new >/dev/null && KAKETSUKE_KEY='$T/k.pem' '$K' bundle '$T/case' -o '$T/case.zip' >/dev/null && '$K' verify '$T/case.zip'"
check_eq "the image is unchanged" "$before" "$(evidence_hash "$IMG")"
finish
