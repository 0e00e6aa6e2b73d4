#!/usr/bin/env bash
# triage end to end on the demo disk (a ransomware story): reports in both languages,
# verdict and reasons, a sealed bundle that verifies with kaketsuke and stock tools, the
# receipt's hash, and the image unchanged.
source "$ROOT/tests/lib.sh"
export DEMO_OUT=$T/demo KAKETSUKE_KEY=$T/key.pem KAKETSUKE_KEY_PASS=
BUILD=$(dirname "$KAKETSUKE") "$ROOT/tests/demo/run" > "$T/demo.out" 2>&1
rc=$?
check_eq "make demo's triage runs (exit 0)" 0 "$rc"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T/demo.out" | tail -20
C=$DEMO_OUT/case
for f in report.html report.pdf report.json report.txt en/report.html en/report.pdf; do
  check "report: $f" test -s "$C/report/$f"
done
check_eq "verdict: ransomware" ransomware "$(jq -r .verdict.value "$C/report/report.json")"
check "the reasons name the deciding findings" jq -e '.verdict.reasons | length > 0 and (map(.findings | length) | add) > 0' "$C/report/report.json"
check "Japanese report by default" jq -e '.lang == "ja"' "$C/report/report.json"
check "scope counts the encrypted documents" jq -e '[.scope.volumes[].encrypted_files] | add >= 13' "$C/report/report.json"
check "recovery steps are given" jq -e '.steps | length >= 5' "$C/report/report.json"
check "PPC deadlines (personal_data=unknown)" jq -e '.ppc.applies == true and .ppc.final.days == 60' "$C/report/report.json"
check "the triage scan logged itself in the custody log" grep -q '"command":"scan"' "$C/custody.jsonl"
check "findings were collected as samples" bash -c "ls '$C/samples' | grep -q ."
check "the timeline was written" test -s "$C/timeline/timeline.jsonl"
check "mactime reads the body file" bash -c "mactime -b '$C/timeline/bodyfile.txt' -z UTC | grep -q akira"
Z=$DEMO_OUT/case.zip
check_exit "kaketsuke verify: the bundle is intact" 0 "$KAKETSUKE" verify "$Z"
mkdir -p "$T/x" && (cd "$T/x" && unzip -q "$Z")
check "stock tools: sha256sum -c" bash -c "cd '$T/x' && sha256sum -c --quiet SHA256SUMS"
check "stock tools: openssl verifies the signature" \
  openssl pkeyutl -verify -pubin -inkey "$T/x/signer.pub" -rawin -in "$T/x/manifest.json" -sigfile "$T/x/manifest.json.sig"
check "the bundle holds the reports" test -s "$T/x/report/report.pdf"
check "the receipt names the bundle's SHA-256" grep -q "$(sha256sum < "$Z" | cut -d' ' -f1)" "$DEMO_OUT/case.receipt.txt"
check "the receipt PDF exists" test -s "$DEMO_OUT/case.receipt.pdf"
before=$(evidence_hash "$DEMO_OUT/sample-disk.raw")
check_exit "triage refuses to replace the bundle without --force" 2 \
  "$KAKETSUKE" triage --quiet "$DEMO_OUT/sample-disk.raw" --case "$C"
check_eq "the image is unchanged by triage" "$before" "$(evidence_hash "$DEMO_OUT/sample-disk.raw")"
check_exit "report renders again from the bundle" 0 "$KAKETSUKE" report --quiet --lang en "$Z" -o "$T/rr"
check "report from the bundle: English HTML" test -s "$T/rr/report.html"
check_exit "report refuses to replace files without --force" 2 "$KAKETSUKE" report --quiet --lang en "$Z" -o "$T/rr"
finish
