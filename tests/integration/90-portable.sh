#!/usr/bin/env bash
# make portable end to end. The tarball: one folder, fixed owners and mtimes, reproducible,
# SHA256SUMS complete and right, the static libraries linked in, every shared library the
# binary and the bundled libraries need present, a license file per package. Then, as root,
# inside a minimal Debian chroot (debootstrap --variant=minbase bookworm, cached in
# /var/cache/kaketsuke/chroot-minbase) that has none of the libraries: unpacked in a folder with
# a space in its name and run directly, through symlinks and by PATH: version, info and scan of a
# generated EWF image (the same output as the host build), Japanese messages, the demo's triage
# (a ransomware disk) with Japanese and English PDFs, verify; images unchanged, nothing
# written outside the kit and the work folder. Skipped only when not root (chroot part) or when
# debootstrap cannot reach the mirror.
source "$ROOT/tests/lib.sh"
CHROOT=${KAKETSUKE_CHROOT:-/var/cache/kaketsuke/chroot-minbase}
MIRROR=${KAKETSUKE_MIRROR:-http://deb.debian.org/debian}
K=$KAKETSUKE

# --- the tarball, built from a normal (never sanitized) build dir ---------------------------
PB=$(dirname "$K")
case $PB in */sanitize) PB=$(dirname "$PB") ;; esac
PB=${PB#"$ROOT"/}
case $PB in /*) PBA=$PB ;; *) PBA=$ROOT/$PB ;; esac
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE make -C "$ROOT" --no-print-directory \
  portable BUILD="$PB" > "$T/make.out" 2>&1
rc=$?
check_eq "make portable (BUILD=$PB)" 0 "$rc"
[ $rc -eq 0 ] || { tail -20 "$T/make.out" | sed 's/^/#   /'; finish; }
VER=$(sed -n 's/^#define KK_VERSION "\(.*\)"/\1/p' "$ROOT/src/cli/cli.h")
NAME=kaketsuke-portable-$VER-x86_64
TGZ=$PBA/$NAME.tar.gz
check "the tarball is $NAME.tar.gz" test -s "$TGZ"
check "no .part left" test ! -e "$TGZ.part"
check_eq "one top folder $NAME/" "" "$(tar -tzf "$TGZ" | grep -v "^$NAME/" | head -3)"
check_eq "owners 0/0" "0/0" "$(tar --numeric-owner -tvzf "$TGZ" | awk '{print $2}' | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_eq "one fixed mtime" 1 "$(tar --full-time -tvzf "$TGZ" | awk '{print $4 $5}' | sort -u | wc -l)"
check_eq "no symlinks or special files (a FAT stick keeps it whole)" "" \
  "$(tar -tvzf "$TGZ" | grep -v '^[-d]' | head -3)"
SOURCE_DATE_EPOCH=$(cat "$PBA/portable/epoch") STATIC="-lyara -ltsk -lmagic -ljansson -lpcre2-8" CC=${CC:-cc} \
  "$ROOT/bootable/portable/mkbundle.sh" \
  "$PBA/portable/kaketsuke" "$PBA/locale" "$VER" "$T/again.tar.gz" > "$T/again.out" 2>&1
check "reproducible: bundling again gives the same bytes" cmp "$TGZ" "$T/again.tar.gz"
rm -f "$T/again.tar.gz"

H=$T/host
mkdir -p "$H" && tar -xzf "$TGZ" -C "$H"
P=$H/$NAME
check "SHA256SUMS verifies" bash -c "cd '$P' && sha256sum -c --quiet --strict SHA256SUMS"
check_eq "SHA256SUMS lists every file" "$(cd "$P" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | sort)" \
  "$(sed 's/^[0-9a-f]*  //' "$P/SHA256SUMS" | sort)"
for f in kaketsuke bin/kaketsuke lib/ld-linux-x86-64.so.2 lib/libc.so.6 share/misc/magic.mgc \
  share/locale/ja/LC_MESSAGES/kaketsuke.mo share/fonts/NotoSansCJK-Regular.ttc share/fontconfig/fonts.conf \
  share/zoneinfo/Asia/Tokyo share/zoneinfo/UTC signatures/rules signatures/iocs signatures/data \
  signatures/targets signatures/playbooks signatures/keys docs/README.md docs/en/user-guide.md \
  docs/ja/user-guide.md README.md PORTABLE.md LICENSES/README.txt LICENSES/libc6.copyright; do
  check "bundled: $f" test -e "$P/$f"
done
check "the launcher is a POSIX sh script" bash -c "head -1 '$P/kaketsuke' | grep -qx '#!/bin/sh' && sh -n '$P/kaketsuke'"
if command -v checkbashisms >/dev/null; then check "no bashisms in the launcher" checkbashisms "$P/kaketsuke"; fi
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
check_eq "libyara, libtsk, libmagic, libjansson, libpcre2-8 linked in statically" "" \
  "$(needed "$P/bin/kaketsuke" | grep -E '^lib(yara|tsk|magic|jansson|pcre2-8)\.' | tr '\n' ' ')"
missing=
for f in "$P/bin/kaketsuke" "$P"/lib/*.so*; do
  for n in $(needed "$f"); do [ -e "$P/lib/$n" ] || missing="$missing $(basename "$f"):$n"; done
done
check_eq "every NEEDED library of the binary and of lib/ is bundled" "" "$missing"
check "the signatures are the repository's" diff -r "$ROOT/signatures" "$P/signatures"
check "the Japanese catalog is the build's" cmp "$PBA/locale/ja/LC_MESSAGES/kaketsuke.mo" \
  "$P/share/locale/ja/LC_MESSAGES/kaketsuke.mo"
npkg=$(grep -c '^[a-z0-9][^ ]* [^ ]* (source ' "$P/LICENSES/README.txt")
check_eq "a copyright file for each package in LICENSES/README.txt" "$npkg" \
  "$(find "$P/LICENSES" -name '*.copyright' | wc -l)"
for l in libyara libtsk libmagic libjansson libpcre2-8 libzip libcairo libpango libfontconfig libewf \
  libcrypto NotoSansCJK magic.mgc; do
  check "LICENSES names $l" grep -q "$l" "$P/LICENSES/README.txt"
done

# --- the minimal chroot ------------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
  skip "portable build in a minimal Debian chroot" "needs root (debootstrap, chroot, mount)"
  finish
fi
if [ ! -x "$CHROOT/bin/sh" ]; then
  command -v debootstrap >/dev/null || { fail "debootstrap is not installed (make deps)"; finish; }
  mkdir -p "$(dirname "$CHROOT")"
  tmp=$(mktemp -d "$CHROOT.tmp.XXXXXX")
  if debootstrap --variant=minbase bookworm "$tmp" "$MIRROR" > "$T/debootstrap.log" 2>&1; then
    chmod 755 "$tmp"   # mktemp made it 0700: other users could not enter the chroot
    mv -T "$tmp" "$CHROOT" 2>/dev/null || rm -rf "$tmp"   # another run may have won the race
  else
    rm -rf "$tmp"
    if grep -qiE "Failed getting release|Couldn't download|Temporary failure|Could not resolve|Connection (refused|timed out)|Failure trying to run.*wget|unable to connect" "$T/debootstrap.log"; then
      skip "portable build in a minimal Debian chroot" "debootstrap cannot reach $MIRROR"
      finish
    fi
    fail "debootstrap --variant=minbase bookworm $CHROOT"
    tail -15 "$T/debootstrap.log" | sed 's/^/#   /'
    finish
  fi
fi
found=$(find "$CHROOT/usr/lib" "$CHROOT/usr/local" -regextype egrep \
  -regex '.*/lib(yara|tsk|magic|jansson|zip|cairo|pango[^/]*|fontconfig|ewf|vmdk|vhdi|afflib)\.so.*' 2>/dev/null | head -5)
check_eq "the chroot has none of the libraries" "" "$found"
check_eq "the chroot has no fonts, no magic database, no kaketsuke" "" \
  "$(ls -d "$CHROOT"/usr/share/fonts "$CHROOT"/usr/lib/file/magic.mgc "$CHROOT"/usr/share/misc/magic* \
    "$CHROOT"/usr/local/bin/kaketsuke "$CHROOT"/usr/bin/kaketsuke 2>/dev/null)"

W=$(mktemp -d "$CHROOT/tmp/kk-portable.XXXXXX")
WI=/${W#"$CHROOT"/}               # the same folder as seen inside the chroot
PROC_MOUNTED= PTS_MOUNTED=
cleanup() {
  [ -n "$PROC_MOUNTED" ] && { umount "$CHROOT/proc" || umount -l "$CHROOT/proc"; }
  [ -n "$PTS_MOUNTED" ] && { umount "$CHROOT/dev/pts" || umount -l "$CHROOT/dev/pts"; }
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
if ! mountpoint -q "$CHROOT/proc"; then
  mount -t proc proc "$CHROOT/proc" && PROC_MOUNTED=1
fi
# pseudo-terminals (the guide runs the triage on one), as a live system has them
if ! mountpoint -q "$CHROOT/dev/pts"; then
  mount --bind /dev/pts "$CHROOT/dev/pts" && PTS_MOUNTED=1
fi
root_cache_before=$(ls -d "$CHROOT/root/.cache" "$CHROOT/root/.fontconfig" 2>/dev/null)
IN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
inch() { chroot "$CHROOT" /usr/bin/env -i PATH="$WI/bin:$IN_PATH" HOME=/root TERM=dumb "$@"; }

mkdir -p "$W/field kit" "$W/bin" "$W/img"
cp "$TGZ" "$W/"
check_exit "the tarball unpacks inside the chroot (its own tar) into 'field kit'" 0 \
  inch tar -xzf "$WI/$NAME.tar.gz" -C "$WI/field kit"
KD="$WI/field kit/$NAME"
KIT=$KD/kaketsuke
ln -s "../field kit/$NAME/kaketsuke" "$W/bin/kaketsuke"   # relative symlink, found by PATH
ln -s "$KIT" "$W/bin/kk-abs"                              # absolute symlink
ln -s kk-abs "$W/bin/kk-chain"                            # a symlink to a symlink

inch "$KIT" version > "$T/v.out" 2> "$T/v.err"
check_eq "version in the chroot (exit 0)" 0 "$?"
check "version names $VER" grep -q "^kaketsuke $VER" "$T/v.out"
check_eq "version: nothing on stderr" "" "$(cat "$T/v.err")"
for how in kaketsuke "$WI/bin/kk-abs" "$WI/bin/kk-chain"; do
  check_eq "through a symlink ($how)" "$(cat "$T/v.out")" "$(inch "$how" version 2>&1)"
done
check_eq "from another directory by a relative path" "$(cat "$T/v.out")" \
  "$(inch sh -c 'cd "$1" && exec ./"$2"/kaketsuke version' sh "$WI/field kit" "$NAME" 2>&1)"
inch env LANG=ja_JP.UTF-8 "$KIT" no-such-command > "$T/ja.out" 2>&1
check "Japanese messages from the bundled catalog" grep -q 'というコマンドはありません' "$T/ja.out"
inch "$KIT" help > "$T/help.out" 2>&1
check_eq "help (exit 0)" 0 "$?"
if "$P/kaketsuke" guide --help > /dev/null 2>&1; then   # the guide command is recent
  check_exit "guide --help in the chroot" 0 inch "$KIT" guide --help
fi

# --- info and scan of a generated EWF image: the same output as the host build ------------
IMG=$TEST_IMAGES/mbr.E01
if [ -f "$IMG" ]; then
  cp "$IMG" "$W/img/"
  cp -r "$ROOT/tests/data/rules" "$W/rules"
  before=$(evidence_hash "$W/img/mbr.E01")
  inch "$KIT" info --json "$WI/img/mbr.E01" > "$T/info.in" 2> "$T/info.err"
  check_eq "info --json on mbr.E01 (exit 0)" 0 "$?"
  "$K" info --json "$IMG" > "$T/info.host" 2>&1
  check_eq "info: the same as the host build" "$(jq -S 'del(.source)' "$T/info.host")" \
    "$(jq -S 'del(.source)' "$T/info.in" 2>&1)"
  inch kaketsuke scan --quiet -r "$WI/rules" -o "$WI/scan.jsonl" "$WI/img/mbr.E01" > "$T/scan.err" 2>&1
  check_eq "scan of mbr.E01 finds matches (exit 1)" 1 "$?"
  "$K" scan --quiet -r "$ROOT/tests/data/rules" -o "$T/scan.host" "$IMG" > /dev/null 2>&1
  norm() { jq -c 'select(.type == "match") | del(.source)' "$1" | sort; }
  check "scan: matches found" test "$(norm "$W/scan.jsonl" | wc -l)" -gt 20
  check_eq "scan: the same matches as the host build (paths, hashes, magic, times)" \
    "$(norm "$T/scan.host" | sha256sum)" "$(norm "$W/scan.jsonl" | sha256sum)"
  check_eq "scan: the same file count" "$(jq -s 'map(select(.type=="summary"))[0].files' "$T/scan.host")" \
    "$(jq -s 'map(select(.type=="summary"))[0].files' "$W/scan.jsonl")"
  check_eq "mbr.E01 unchanged by info and scan" "$before" "$(evidence_hash "$W/img/mbr.E01")"
else
  fail "no generated images in $TEST_IMAGES (tests/images/build.sh)"
fi

# --- the demo (tests/demo/run) with every kaketsuke call run in the chroot -----------------
# A wrapper stands in for $BUILD/kaketsuke: host paths under the chroot become chroot paths.
mkdir -p "$T/wrap"
cat > "$T/wrap/kaketsuke" <<EOF
#!/bin/bash
CH='$CHROOT'
args=()
for a in "\$@"; do case \$a in "\$CH"/*) a=/\${a#"\$CH"/} ;; esac; args+=("\$a"); done
key=\${KAKETSUKE_KEY:-}; case \$key in "\$CH"/*) key=/\${key#"\$CH"/} ;; esac
exec chroot "\$CH" /usr/bin/env -i PATH='$WI/bin:$IN_PATH' HOME=/root TERM=dumb \\
  KAKETSUKE_KEY="\$key" KAKETSUKE_KEY_PASS="\${KAKETSUKE_KEY_PASS-}" kaketsuke "\${args[@]}"
EOF
chmod +x "$T/wrap/kaketsuke"
D=$W/demo
DEMO_OUT=$D KAKETSUKE_KEY=$W/key.pem KAKETSUKE_KEY_PASS='' BUILD=$T/wrap "$ROOT/tests/demo/run" > "$T/demo.out" 2>&1
rc=$?
check_eq "the demo (info, case, triage --lang ja,en) in the chroot (exit 0)" 0 "$rc"
[ $rc -eq 0 ] || tail -20 "$T/demo.out" | sed 's/^/#   /'
check_eq "no loader, fontconfig or library complaints" "" \
  "$(grep -iE 'fontconfig|ld\.so|ld-linux|shared object|cannot open|GLib|Pango|cairo' "$T/demo.out" | head -5)"
C=$D/case
check_eq "verdict: ransomware" ransomware "$(jq -r .verdict.value "$C/report/report.json" 2>&1)"
check "custody log: the user (NSS in the bundled libc) and Tokyo time (bundled zoneinfo)" \
  jq -e -s '.[0].user == "root" and (.[0].time | endswith("+09:00"))' "$C/custody.jsonl"
for f in report.pdf en/report.pdf report.html; do check "report: $f" test -s "$C/report/$f"; done
check "the PDF embeds the bundled Noto Sans CJK" bash -c \
  "pdffonts '$C/report/report.pdf' | grep -E 'NotoSansCJK' | grep -q ' yes '"
pdftotext "$C/report/report.pdf" "$T/ja.txt" 2>/dev/null
check "Japanese PDF: translated title and the client's name" bash -c \
  "grep -q '事故調査報告書' '$T/ja.txt' && grep -q '株式会社サンプル商事' '$T/ja.txt'"
pdftotext "$C/report/en/report.pdf" "$T/en.txt" 2>/dev/null
check "English PDF: the English title" grep -q 'Incident Investigation Report' "$T/en.txt"
check_exit "verify the bundle in the chroot" 0 inch "$KIT" verify "$WI/demo/case.zip"
check_exit "the host build verifies it too" 0 "$K" verify "$D/case.zip"
disk=$(evidence_hash "$D/sample-disk.raw")
inch "$KIT" scan --quiet -o "$WI/demo.jsonl" "$WI/demo/sample-disk.raw" > "$T/dscan.err" 2>&1
check_eq "scan of the demo disk with the bundled signatures finds it (exit 1)" 1 "$?"
"$K" scan --quiet -o "$T/demo.host.jsonl" "$D/sample-disk.raw" > /dev/null 2>&1
check "the bundled signatures match the ransom note" bash -c \
  "jq -r 'select(.type==\"match\") | .rule' '$W/demo.jsonl' | grep -qi akira"
check_eq "the same findings as the host build with the repository's signatures" \
  "$(jq -c 'select(.type == "match") | [.rule, .path, .sha256]' "$T/demo.host.jsonl" | sort | sha256sum)" \
  "$(jq -c 'select(.type == "match") | [.rule, .path, .sha256]' "$W/demo.jsonl" | sort | sha256sum)"
check_eq "the demo disk unchanged by the scan" "$disk" "$(evidence_hash "$D/sample-disk.raw")"
# a host without zoneinfo (an empty tmpfs over the chroot's, in a private mount namespace):
# the bundled zone tree serves the case's zone
nozone() {
  unshare -m --propagation private sh -c 'mount -t tmpfs kk-no-zoneinfo "$0/usr/share/zoneinfo" &&
    exec chroot "$0" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root "$@"' "$CHROOT" "$@"
}
nozone "$KIT" case init "$WI/tzcase" > "$T/tz.out" 2>&1 &&
  nozone "$KIT" case set "$WI/tzcase" timezone=Asia/Kolkata >> "$T/tz.out" 2>&1
check_eq "no zoneinfo on the host: case set timezone=Asia/Kolkata (exit 0)" 0 "$?"
check_eq "  the custody times in Tokyo, then in Kolkata" "+09:00 +05:30" \
  "$(jq -r '.time[-6:]' "$W/tzcase/custody.jsonl" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
check "  the private mount is gone, the chroot's zoneinfo untouched" bash -c \
  "test -f '$CHROOT/usr/share/zoneinfo/Asia/Tokyo' && ! mountpoint -q '$CHROOT/usr/share/zoneinfo'"

# the guided mode through the launcher: it starts `kaketsuke triage` as a child, which must be
# the launcher again (KAKETSUKE_SELF), not /proc/self/exe (the bundled loader). A fake sysfs
# tree with one SATA disk whose device node is a copy of the demo disk.
GS=$W/sys; GD=$W/gdev; SATA=pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0
mkdir -p "$GS/devices/$SATA/block/sda/sda1" "$GS/block" "$GS/dev/block" "$GD" "$W/gev"
echo 131072 > "$GS/devices/$SATA/block/sda/size"; echo 0 > "$GS/devices/$SATA/block/sda/removable"
echo 1 > "$GS/devices/$SATA/block/sda/ro"; ln -s ../.. "$GS/devices/$SATA/block/sda/device"
echo 'Field Disk' > "$GS/devices/$SATA/model"; echo 'ATA' > "$GS/devices/$SATA/vendor"
echo 1 > "$GS/devices/$SATA/block/sda/sda1/partition"; echo 2048 > "$GS/devices/$SATA/block/sda/sda1/start"
echo 129024 > "$GS/devices/$SATA/block/sda/sda1/size"
ln -s "../devices/$SATA/block/sda" "$GS/block/sda"
ln -s "../../devices/$SATA/block/sda" "$GS/dev/block/201:0"
cp "$D/sample-disk.raw" "$GD/sda"
gdisk_before=$(evidence_hash "$GD/sda")
printf '\n1\n\nポータブル商事\n本社\n佐藤\n03-0000-0000\n\n1\n\n' |
  chroot "$CHROOT" /usr/bin/env -i PATH="$WI/bin:$IN_PATH" HOME=/root TERM=dumb \
    KAKETSUKE_SYSFS="$WI/sys" KAKETSUKE_DEVDIR="$WI/gdev" KAKETSUKE_KEY="$WI/gkey.pem" KAKETSUKE_KEY_PASS= \
    kaketsuke guide --lang ja --target "$WI/gev" > "$T/guide.out" 2>&1
grc=$?
check_eq "guide through the launcher in the chroot: triage ran (exit 1, findings)" 1 "$grc"
[ $grc -eq 1 ] || tail -20 "$T/guide.out" | sed 's/^/#   /'
gzip_=$(ls "$W"/gev/*.zip 2>/dev/null | head -1)
check "  a bundle on the target" test -s "$gzip_"
check "  the verdict in Japanese" grep -q "ランサムウェア" "$T/guide.out"
check "  the SHA-256 read out is the bundle's" grep -q "SHA-256: $(sha256sum "$gzip_" 2>/dev/null | cut -c1-64)" "$T/guide.out"
check_exit "  the bundle verifies (host build)" 0 "$K" verify "$gzip_"
check_eq "  the disk unchanged by the guided triage" "$gdisk_before" "$(evidence_hash "$GD/sda")"

# another user, the kit not writable (owned by root): the font cache goes to $TMPDIR
chmod 755 "$W" && mkdir -m 1777 "$W/tmp" && chmod a+r "$D/case.zip"
chroot --userspec=nobody:nogroup "$CHROOT" /usr/bin/env -i PATH="$IN_PATH" HOME=/nonexistent \
  TMPDIR="$WI/tmp" "$KIT" report --quiet --lang ja "$WI/demo/case.zip" -o "$WI/tmp/r" > "$T/nobody.out" 2>&1
check_eq "another user renders the report from the bundle (exit 0)" 0 "$?"
check_eq "  without any complaint" "" "$(cat "$T/nobody.out")"
check "  Japanese PDF with the bundled font" bash -c "pdffonts '$W/tmp/r/report.pdf' | grep -q NotoSansCJK"
check "  its font cache in \$TMPDIR/kaketsuke-<uid>" bash -c "ls '$W/tmp/kaketsuke-'*/fontconfig | grep -q cache"
check "the font cache went to the kit's folder" bash -c "ls '$CHROOT$KD/cache/fontconfig/' | grep -q cache"
check_eq "nothing written to the chroot's home" "$root_cache_before" \
  "$(ls -d "$CHROOT/root/.cache" "$CHROOT/root/.fontconfig" 2>/dev/null)"
finish
