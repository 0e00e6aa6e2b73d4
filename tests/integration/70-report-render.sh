#!/bin/bash
# Report rendering (src/report/render*.c, docs/report.md) from the hand-written models in
# tests/report/: a Japanese ransomware case, an English web-shell case, a sparse clean case
# and a hostile model (<script>, =HYPERLINK, ESC/C1/bidi controls, \xNN bytes, NUL, wrong
# types), each in every format and language, with LANG=C and no Japanese locale.
# Oracles: jq (JSON), headless Chromium (the DOM of the HTML: no script element, no
# attribute set by a planted script, no console message; A4 print), pdftotext / pdffonts /
# pdfinfo (Japanese headings, evidence hashes, page header and footer, fonts embedded, A4),
# python3's csv module (no cell a spreadsheet would run), GNU gettext (kk_tr agrees with it).
source "$ROOT/tests/lib.sh"
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/reports/lsan.supp:print_suppressions=0}
R=$(dirname "$KAKETSUKE")/tests/kk-render
FX=$ROOT/tests/report
if [ ! -x "$R" ]; then skip "report rendering" "no $R (built by make test)"; finish; fi
for c in jq python3 pdftotext pdffonts pdfinfo msgfmt xgettext gettext; do
	command -v $c > /dev/null || { skip "report rendering" "$c is not installed"; finish; }
done
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

# Run everything as on a responder's laptop without a Japanese locale.
export LANG=C LC_ALL=C
unset LANGUAGE LC_MESSAGES KAKETSUKE_LOCALEDIR
if locale -a 2> /dev/null | grep -qi '^ja_JP'; then
	echo "# note: a ja_JP locale is installed here; the tests still run with LC_ALL=C"
fi

O=$T/out
mkdir -p "$O"
fixtures="ransomware-ja webshell-en clean-ja hostile"

# ---- 1. every fixture, format and language renders ------------------------------------
bad=""
for fx in $fixtures; do
	for l in ja en; do
		for f in html pdf json txt csv; do
			"$R" "$FX/$fx.json" $f $l "$O/$fx.$l.$f" 2> "$T/err" || bad="$bad $fx.$l.$f($(head -c 200 "$T/err"))"
			[ -s "$O/$fx.$l.$f" ] || bad="$bad $fx.$l.$f(empty)"
			[ -e "$O/$fx.$l.$f.part" ] && bad="$bad $fx.$l.$f(.part left)"
		done
	done
done
check_eq "every fixture renders in html, pdf, json, txt, csv, ja and en" "" "$bad"

# ---- 2. Japanese without a Japanese locale ----------------------------------------------
check "ja report in Japanese under LC_ALL=C" grep -q '事故調査報告書' "$O/ransomware-ja.ja.txt"
check "ja labels: 証拠一覧, 個人情報保護委員会への報告, 速報, 確報" \
	bash -c "grep -q 証拠一覧 '$O/ransomware-ja.ja.txt' && grep -q 個人情報保護委員会への報告 '$O/ransomware-ja.ja.txt' && grep -q 速報 '$O/ransomware-ja.ja.txt' && grep -q 確報 '$O/ransomware-ja.ja.txt'"
check "en report in English" grep -q 'Incident Investigation Report' "$O/webshell-en.en.txt"
check "no Japanese label in the en report of the English model" \
	bash -c "! grep -q '事故調査報告書\|証拠一覧' '$O/webshell-en.en.txt'"
check "PPC deadlines with their rule next to them (ja)" \
	bash -c "grep -q '2024年6月6日(木) ～ 2024年6月8日(土)' '$O/ransomware-ja.ja.txt' && grep -q '2024年8月2日(金)（60日以内）' '$O/ransomware-ja.ja.txt' && grep -q '概ね3～5日以内' '$O/ransomware-ja.ja.txt'"
check "no PPC section when it does not apply" bash -c "! grep -q 個人情報保護委員会への報告 '$O/clean-ja.ja.txt'"
check "hours on site, cost total" bash -c "grep -q '7.5 時間' '$O/ransomware-ja.ja.txt' && grep -q '392,200円' '$O/ransomware-ja.ja.txt'"
check "do-not steps marked" grep -q '\[!! 禁止 !!\] 身代金を支払わない' "$O/ransomware-ja.ja.txt"

# the catalog is found next to the binary; a copy of the tool elsewhere says what is missing
mkdir -p "$T/lone"
cp "$R" "$T/lone/kk-render"
check_exit "ja without a catalog: clear error" 3 env KAKETSUKE_LOCALEDIR=/nonexistent "$T/lone/kk-render" "$FX/clean-ja.json" txt ja "$T/lone.txt"
check "the error names the catalog" grep -q "no 'ja' catalog kaketsuke.mo found" "$T/last.out"
check_exit "en needs no catalog" 0 env KAKETSUKE_LOCALEDIR=/nonexistent "$T/lone/kk-render" "$FX/clean-ja.json" txt en "$T/lone.txt"
check_exit "KAKETSUKE_LOCALEDIR is honoured" 0 env KAKETSUKE_LOCALEDIR="$(dirname "$KAKETSUKE")/locale" "$T/lone/kk-render" "$FX/clean-ja.json" txt ja "$T/lone.txt"

# ---- 3. catalogs: complete, and kk_tr agrees with GNU gettext -----------------------------
check "ja.po compiles (msgfmt --check)" msgfmt --check -o "$T/ja.mo" "$ROOT/reports/po/ja.po"
xgettext --from-code=UTF-8 --language=C -k -kkk_tr:2 -kN_ -kT -o "$T/all.pot" "$ROOT"/src/report/*.c 2> /dev/null
missing=$(msgcmp "$ROOT/reports/po/ja.po" "$T/all.pot" 2>&1 | grep -c 'this message is used but not defined' || true)
# (ja.po also holds the commands' messages; the report strings must all be translated)
msgmerge -q --no-fuzzy-matching -o "$T/report-only.po" "$ROOT/reports/po/ja.po" "$T/all.pot" 2> /dev/null
untr=$(msgattrib --untranslated --no-obsolete "$T/report-only.po" 2> /dev/null | grep -c '^msgid "[^"]' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$ROOT/reports/po/ja.po" 2> /dev/null | grep -c '^msgid "[^"]' || true)
check_eq "every string of src/report is in ja.po, translated, not fuzzy" "0 0 0" "$missing $untr $fuzzy"
[ "$missing" = 0 ] || msgcmp "$ROOT/reports/po/ja.po" "$T/all.pot" 2>&1 | head -10 | sed 's/^/#   /'
locdir=$(dirname "$KAKETSUKE")/locale
if [ -f "$locdir/ja/LC_MESSAGES/kaketsuke.mo" ] && locale -a 2> /dev/null | grep -qi '^C\.utf-\?8$'; then
	# every single-line msgid without a format directive, looked up both ways
	python3 - "$ROOT/reports/po/ja.po" > "$T/ids" << 'EOF'
import re, sys
for m in re.finditer(r'^msgid "((?:[^"\\]|\\.)+)"\nmsgstr ', open(sys.argv[1], encoding='utf-8').read(), re.M):
    s = m.group(1)
    if '%' not in s and '\\' not in s:
        print(s)
EOF
	diffs=0 n=0
	while IFS= read -r id; do
		a=$(LANGUAGE=ja LC_ALL=C.UTF-8 TEXTDOMAINDIR="$locdir" gettext -d kaketsuke -- "$id")
		b=$("$R" --tr ja "$id")
		n=$((n + 1))
		[ "$a" = "$b" ] || { diffs=$((diffs + 1)); echo "#   '$id': gettext '$a', kk_tr '$b'"; }
	done < "$T/ids"
	check_eq "kk_tr = GNU gettext for all $n plain msgids" 0 "$diffs"
else
	skip "kk_tr vs GNU gettext" "no C.UTF-8 locale or no built catalog"
fi

# ---- 4. JSON ----------------------------------------------------------------------------
for fx in ransomware-ja webshell-en clean-ja; do
	check_eq "$fx: JSON output is the model" "$(jq -S . "$FX/$fx.json" | sha256sum)" "$(jq -S . "$O/$fx.ja.json" | sha256sum)"
done
check "hostile: JSON parses" jq -e .case.case_id "$O/hostile.ja.json"
check_eq "hostile JSON: no raw </script>" 0 "$(grep -c '</script>' "$O/hostile.ja.json")"
check "hostile JSON: <\\/script> and \\u001b escapes" bash -c "grep -qF '<\\/script>' '$O/hostile.ja.json' && grep -qiF '\\u001b' '$O/hostile.ja.json'"
check "hostile: NUL in a path written as \\x00 text" bash -c "jq -r '.findings[3].path' '$O/hostile.ja.json' | grep -qF 'fdp.exe\\x00.exe'"

# ---- 5. text: terminal-safe -------------------------------------------------------------
badtxt=""
for f in "$O"/*.txt; do
	LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]' "$f" && badtxt="$badtxt $(basename "$f")"
	iconv -f UTF-8 -t UTF-8 "$f" > /dev/null 2>&1 || badtxt="$badtxt $(basename "$f")(utf8)"
	python3 -c 'import sys; t=open(sys.argv[1],encoding="utf-8").read(); sys.exit(any(0x80<=ord(c)<=0x9f or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" for c in t))' "$f" || badtxt="$badtxt $(basename "$f")(c1/bidi)"
done
check_eq "text outputs: no control, C1 or bidi characters, valid UTF-8" "" "$badtxt"
check "hostile text shows the escapes literally" \
	bash -c "grep -qF '\\x1b[2J' '$O/hostile.ja.txt' && grep -qF 'invoice\\u202efdp.exe' '$O/hostile.ja.txt' && grep -qF 'bad-\\xff\\xfe-bytes' '$O/hostile.ja.txt' && grep -qF '<script>alert(1)</script>' '$O/hostile.ja.txt'"

# ---- 6. CSV: no cell a spreadsheet would evaluate ----------------------------------------
check "CSV cells: none starts with = + - @ (also after spaces, full width)" python3 - "$O"/*.csv << 'EOF'
import csv, sys
bad = []
for path in sys.argv[1:]:
    with open(path, encoding='utf-8-sig', newline='') as f:
        for row in csv.reader(f):
            for c in row:
                s = c.lstrip(' ')
                if s[:1] in ('=', '+', '-', '@', '\t', '\r', '\uff1d', '\uff0b', '\uff0d', '\uff20'):
                    bad.append((path, c))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
check "CSV keeps the hostile names (neutralised, not dropped)" grep -qF "\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\"" "$O/hostile.ja.csv"
check "CSV lists every evidence hash" bash -c "for h in \$(jq -r '.evidence[].sha256' '$FX/ransomware-ja.json'); do grep -q \$h '$O/ransomware-ja.ja.csv' || exit 1; done"

# ---- 7. HTML: self-contained, scripts never run ------------------------------------------
badhtml=""
for f in "$O"/*.html; do
	grep -qiP '<(script|link|iframe|object|embed|img|base|meta http-equiv="refresh")|@import|url\(|<[a-z][^>]*\s(on[a-z]+|src|srcdoc|formaction)\s*=' "$f" && badhtml="$badhtml $(basename "$f")"
	grep -q 'Content-Security-Policy' "$f" || badhtml="$badhtml $(basename "$f")(csp)"
	grep -q '@page{size:A4' "$f" || badhtml="$badhtml $(basename "$f")(@page)"
	grep -q 'href="javascript' "$f" && badhtml="$badhtml $(basename "$f")(js link)"
done
check_eq "HTML: no script, external resource or event attribute; CSP and A4 @page" "" "$badhtml"
check "HTML: charts are inline SVG" bash -c "[ \$(grep -o '<svg' '$O/ransomware-ja.ja.html' | wc -l) -ge 3 ]"
chrome() { # chrome ARGS... : headless Chromium, own profile, no network
	local prof
	prof=$(mktemp -d "$T/chrome.XXXXXX")
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --disable-extensions \
		--user-data-dir="$prof" --enable-logging=stderr --v=0 "$@"
}
if [ -n "$CHROMIUM" ]; then
	for fx in hostile ransomware-ja; do
		chrome --virtual-time-budget=3000 --dump-dom "file://$O/$fx.ja.html" > "$T/$fx.dom" 2> "$T/$fx.chrome.err"
		check "chromium loads $fx.ja.html" grep -q '</html>' "$T/$fx.dom"
		check_eq "$fx: no script element in the DOM" 0 "$(grep -ci '<script' "$T/$fx.dom")"
		check_eq "$fx: no attribute set by a planted script" 0 "$(grep -c 'data-pwned="' "$T/$fx.dom")"
		check_eq "$fx: no console message (errors, CSP violations)" 0 "$(grep -c 'CONSOLE' "$T/$fx.chrome.err")"
	done
	check "hostile: the planted <script> shows as text" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/hostile.dom"
	check "hostile: =HYPERLINK shows as text" grep -qF '=HYPERLINK("http://x","click")' "$T/hostile.dom"
	# the oracle itself: a page whose script does run is caught by the same checks
	printf '<!DOCTYPE html><html><body><script>console.log("ran");document.documentElement.setAttribute("data-pwned","1")</script></body></html>' > "$T/control.html"
	chrome --virtual-time-budget=3000 --dump-dom "file://$T/control.html" > "$T/control.dom" 2> "$T/control.err"
	check "control: a running script is detected (attribute and console)" \
		bash -c "grep -q 'data-pwned=\"1\"' '$T/control.dom' && grep -q CONSOLE '$T/control.err'"
	chrome --no-pdf-header-footer --print-to-pdf="$T/print.pdf" "file://$O/ransomware-ja.ja.html" > /dev/null 2>&1
	check "HTML prints on A4" bash -c "pdfinfo '$T/print.pdf' | grep -q 'Page size:.*(A4)'"
	check "HTML print: header with the case number, footer N / M" \
		bash -c "pdftotext -f 2 -l 2 '$T/print.pdf' - | grep -q 'KK-2024-0612' && pdftotext -f 2 -l 2 '$T/print.pdf' - | grep -q '^2 */ *[0-9]'"
	chrome --hide-scrollbars --window-size=900,1400 --screenshot="$T/shot.png" "file://$O/ransomware-ja.ja.html" > /dev/null 2>&1
	check "HTML screenshot" test -s "$T/shot.png"
else
	skip "HTML in Chromium" "chromium is not installed"
fi

# ---- 8. PDF -----------------------------------------------------------------------------
badpdf=""
for f in "$O"/*.pdf; do
	pdffonts "$f" > "$T/fonts" 2>&1 || { badpdf="$badpdf $(basename "$f")(pdffonts)"; continue; }
	# every font row: the "emb" column (third from the right) is yes
	awk 'NR > 2 { if ($(NF-4) != "yes") bad = 1 } END { exit bad }' "$T/fonts" || badpdf="$badpdf $(basename "$f")(font not embedded)"
	[ "$(tail -n +3 "$T/fonts" | wc -l)" -ge 1 ] || badpdf="$badpdf $(basename "$f")(no font)"
	pdfinfo "$f" > "$T/info" 2>&1 || badpdf="$badpdf $(basename "$f")(pdfinfo)"
	grep -q 'Page size: *595.276 x 841.89' "$T/info" || badpdf="$badpdf $(basename "$f")(not A4)"
	grep -q 'JavaScript: *no' "$T/info" || badpdf="$badpdf $(basename "$f")(javascript)"
done
check_eq "PDF: every font embedded, A4, no JavaScript" "" "$badpdf"
pdftotext -layout "$O/ransomware-ja.ja.pdf" "$T/r.txt"
check "PDF: Japanese headings" bash -c "grep -q 事故調査報告書 '$T/r.txt' && grep -q 調査結果の概要 '$T/r.txt' && grep -q 証拠一覧 '$T/r.txt' && grep -q 復旧手順 '$T/r.txt' && grep -q 個人情報保護委員会への報告 '$T/r.txt'"
check "PDF: every evidence hash and the signer fingerprint" \
	bash -c "for h in \$(jq -r '.evidence[].sha256, .signer.fingerprint' '$FX/ransomware-ja.json'); do grep -q \$h '$T/r.txt' || { echo missing \$h; exit 1; }; done"
pages=$(pdfinfo "$O/ransomware-ja.ja.pdf" | awk '/^Pages:/ {print $2}')
check "PDF: several pages" test "${pages:-0}" -ge 3
check "PDF: header with the case number and footer N / M on page 2" \
	bash -c "pdftotext -f 2 -l 2 '$O/ransomware-ja.ja.pdf' - | grep -q 'KK-2024-0612' && pdftotext -f 2 -l 2 '$O/ransomware-ja.ja.pdf' - | grep -q '2 */ *$pages'"
check "PDF: title in the metadata" bash -c "pdfinfo '$O/ransomware-ja.ja.pdf' | grep -q 'Title: *事故調査報告書 KK-2024-0612'"
pdftotext "$O/hostile.ja.pdf" "$T/h.txt"
check "PDF: hostile strings shown as text" \
	bash -c "grep -qF '<script>alert(1)</script>' '$T/h.txt' && grep -qF '\\x1b[2J' '$T/h.txt'"
pdftotext "$O/webshell-en.en.pdf" "$T/w.txt"
check "PDF (en): English headings and hashes" \
	bash -c "grep -q 'Evidence list' '$T/w.txt' && grep -q 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 '$T/w.txt'"

# ---- 9. receipts --------------------------------------------------------------------------
check_exit "receipt ja (txt + pdf)" 0 "$R" --receipt "$FX/receipt-ja.json" ja "$O/rc.txt" "$O/rc.pdf"
sha=$(jq -r .bundle_sha256 "$FX/receipt-ja.json")
check "receipt text: title, SHA-256, fingerprint, size" \
	bash -c "grep -q 証拠データ受領書 '$O/rc.txt' && grep -q $sha '$O/rc.txt' && grep -q \$(jq -r .signer_fingerprint '$FX/receipt-ja.json') '$O/rc.txt' && grep -q '1,843,220,317' '$O/rc.txt'"
check_eq "receipt PDF: one page" 1 "$(pdfinfo "$O/rc.pdf" | awk '/^Pages:/ {print $2}')"
check "receipt PDF: title and SHA-256" bash -c "pdftotext '$O/rc.pdf' - | grep -q 証拠データ受領書 && pdftotext '$O/rc.pdf' - | grep -q $sha"
check "receipt PDF: fonts embedded" bash -c "pdffonts '$O/rc.pdf' | awk 'NR > 2 { if (\$(NF-4) != \"yes\") b = 1 } END { exit b }'"
check_exit "receipt hostile" 0 "$R" --receipt "$FX/receipt-hostile.json" en "$O/rch.txt" "$O/rch.pdf"
check "receipt hostile: terminal-safe" bash -c "! LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]' '$O/rch.txt'"
check_exit "receipt: text only" 0 "$R" --receipt "$FX/receipt-ja.json" en "$O/rc-en.txt" -
check "receipt en" grep -q 'Evidence hand-over receipt' "$O/rc-en.txt"

# ---- 10. errors ---------------------------------------------------------------------------
check_exit "unknown format refused" 2 "$R" "$FX/clean-ja.json" docx ja "$T/x.docx"
check_exit "unwritable output: error" 3 "$R" "$FX/clean-ja.json" txt ja /nonexistent-dir/x.txt
finish
