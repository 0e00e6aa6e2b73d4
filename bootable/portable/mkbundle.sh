#!/bin/bash
# bootable/portable/mkbundle.sh BINARY LOCALEDIR VERSION OUT.tar.gz — the portable tarball
# (called by `make portable`, see bootable/portable.mk; the layout is in README.md next to it).
#
# BINARY is the kaketsuke binary linked for the bundle; LOCALEDIR holds LANG/LC_MESSAGES/
# kaketsuke.mo; env STATIC lists the -l flags linked statically (for the license notice).
# Bundles: the binary, every shared library ldd finds plus the loader, signatures, magic.mgc,
# the .mo catalogs, one Noto CJK font with a fontconfig file, the zoneinfo tree, docs, the
# copyright files of every package a bundled or static library (or data file) comes from, and
# SHA256SUMS over every file. Reproducible: fixed owner, mode and mtime (SOURCE_DATE_EPOCH, else
# the last commit's time), sorted names, gzip without a time stamp. Writes OUT.part, then renames.
set -euo pipefail
export LC_ALL=C

if [ $# -ne 4 ]; then
	echo "usage: $0 BINARY LOCALEDIR VERSION OUT.tar.gz" >&2
	exit 2
fi
BIN=$1 LOCALES=$2 VERSION=$3 OUT=$4
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
HERE=$ROOT/bootable/portable
NAME=kaketsuke-portable-$VERSION-x86_64
STATIC=${STATIC:--lyara -ltsk -lmagic -ljansson -lpcre2-8}
MAGIC_DB=${MAGIC_DB:-/usr/lib/file/magic.mgc}
FONT=${FONT:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
ZONEINFO=${ZONEINFO:-/usr/share/zoneinfo}
EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 1700000000)}

die() { echo "mkbundle.sh: $*" >&2; exit 1; }
for f in "$BIN" "$MAGIC_DB" "$FONT" "$ZONEINFO/Asia/Tokyo" "$HERE/kaketsuke" "$HERE/fonts.conf" "$HERE/README.md"; do
	[ -e "$f" ] || die "missing $f"
done
ls "$LOCALES"/*/LC_MESSAGES/kaketsuke.mo >/dev/null 2>&1 || die "no catalogs under $LOCALES"

WORK=$(mktemp -d "$(cd "$(dirname "$OUT")" && pwd)/.portable.XXXXXX")
trap 'rm -rf "$WORK" "$OUT.part"' EXIT
trap 'echo "mkbundle.sh: failed at line $LINENO" >&2' ERR
S=$WORK/$NAME
mkdir -p "$S/bin" "$S/lib" "$S/share/misc" "$S/share/fonts" "$S/share/fontconfig" "$S/share/locale" \
	"$S/LICENSES"

# --- the launcher and the binary (debug sections dropped: build paths, size)
install -m 755 "$HERE/kaketsuke" "$S/kaketsuke"
objcopy --strip-debug "$BIN" "$S/bin/kaketsuke"
chmod 755 "$S/bin/kaketsuke"

# --- shared libraries: what ldd resolves, under the name the binary asks for, and the loader
declare -A SRC_OF # bundled file -> the host file it came from (for the package lookup)
while read -r line; do
	case $line in
	linux-vdso* | "") ;;
	*"=> not found"*) die "ldd: $line" ;;
	*"=> /"*)
		soname=${line%% =>*}
		path=${line#*=> }
		path=${path% (0x*}
		cp -L "$path" "$S/lib/$soname"
		SRC_OF[lib/$soname]=$path
		;;
	/*ld-linux-x86-64.so.2*)
		path=${line% (0x*}
		cp -L "$path" "$S/lib/ld-linux-x86-64.so.2"
		SRC_OF[lib/ld-linux-x86-64.so.2]=$path
		;;
	*) die "ldd: unexpected line '$line'" ;;
	esac
done < <(ldd "$BIN")
[ -f "$S/lib/ld-linux-x86-64.so.2" ] || die "ldd named no loader"
[ -f "$S/lib/libc.so.6" ] || die "ldd named no libc.so.6"
chmod 644 "$S"/lib/*.so.*
chmod 755 "$S/lib/ld-linux-x86-64.so.2"

# --- data
cp -RL "$ROOT/signatures" "$S/signatures"
cp -L "$MAGIC_DB" "$S/share/misc/magic.mgc"
SRC_OF[share/misc/magic.mgc]=$MAGIC_DB
for mo in "$LOCALES"/*/LC_MESSAGES/kaketsuke.mo; do
	lang=$(basename "$(dirname "$(dirname "$mo")")")
	mkdir -p "$S/share/locale/$lang/LC_MESSAGES"
	cp "$mo" "$S/share/locale/$lang/LC_MESSAGES/kaketsuke.mo"
done
cp -L "$FONT" "$S/share/fonts/$(basename "$FONT")"
SRC_OF[share/fonts/$(basename "$FONT")]=$FONT
cp "$HERE/fonts.conf" "$S/share/fontconfig/fonts.conf"
# zoneinfo: every TZif file of the host's tree (glibc finds them through TZDIR), without the
# right/ and posix/ duplicates and localtime (the build host's zone); links become plain copies
mkdir -p "$S/share/zoneinfo"
(
	cd "$ZONEINFO"
	find -L . \( -path ./right -o -path ./posix -o -path ./localtime \) -prune -o -type f -printf '%P\n' | sort |
		while IFS= read -r z; do
			m=
			IFS= read -r -n 4 m <"$z" || true
			if [ "$m" = TZif ]; then printf '%s\0' "$z"; fi
		done | xargs -0 cp -L --parents -t "$S/share/zoneinfo"
)
[ -f "$S/share/zoneinfo/Asia/Tokyo" ] && [ -f "$S/share/zoneinfo/UTC" ] || die "zoneinfo incomplete"
SRC_OF[share/zoneinfo/Asia/Tokyo]=$ZONEINFO/Asia/Tokyo
(cd "$ROOT" && find docs -type f -name '*.md' -print0 | sort -z | xargs -0 cp --parents -t "$S")
cp "$ROOT/README.md" "$S/README.md"
cp "$HERE/README.md" "$S/PORTABLE.md"

# --- LICENSES: the copyright file of every package something bundled comes from
pkg_of() { # host file -> Debian package (usrmerge: dpkg may know either spelling)
	local f=$1 c
	for c in "$f" "$(readlink -f "$f")" "${f#/usr}" "/usr$f" "$(readlink -f "$f" | sed 's|^/usr||')"; do
		dpkg -S "$c" 2>/dev/null | head -1 | cut -d: -f1 && return 0
	done
	return 1
}
declare -A WHY # package -> what of it is in the bundle
for f in "${!SRC_OF[@]}"; do
	p=$(pkg_of "${SRC_OF[$f]}") || die "no Debian package owns ${SRC_OF[$f]}"
	WHY[$p]="${WHY[$p]:-}${WHY[$p]:+, }$f"
done
for l in $STATIC; do
	a=$(${CC:-cc} -print-file-name="lib${l#-l}.a")
	[ -f "$a" ] || die "static library lib${l#-l}.a not found"
	p=$(pkg_of "$a") || die "no Debian package owns $a"
	# the -dev package's copyright is the library's (same source package)
	WHY[$p]="${WHY[$p]:-}${WHY[$p]:+, }$(basename "$a") (linked into bin/kaketsuke)"
done
{
	echo "kaketsuke portable $VERSION: third-party software in this folder"
	echo
	echo "bin/kaketsuke is kaketsuke itself, linked with the static libraries listed below."
	echo "Every other file under lib/, and share/misc, share/fonts and share/zoneinfo, comes"
	echo "unchanged from the Debian package named. Each package's copyright and license terms"
	echo "are in LICENSES/<package>.copyright (Debian's /usr/share/doc/<package>/copyright)."
	echo "Sources: https://sources.debian.org/ (package and version below)."
	echo
	for p in $(printf '%s\n' "${!WHY[@]}" | sort); do
		v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo '?')
		src=$(dpkg-query -W -f='${source:Package}' "$p" 2>/dev/null || echo "$p")
		printf '%s %s (source %s)\n    %s\n' "$p" "$v" "$src" "${WHY[$p]}"
		c=/usr/share/doc/$p/copyright
		[ -f "$c" ] || c=/usr/share/doc/${p%-dev}/copyright
		[ -f "$c" ] || die "no copyright file for $p"
		cp -L "$c" "$S/LICENSES/$p.copyright"
	done
} >"$S/LICENSES/README.txt"

# --- fixed modes, the checksum list, the tarball
find "$S" -type d -exec chmod 755 {} +
find "$S" -type f ! -perm -u+x -exec chmod 644 {} +
find "$S" -type f -perm -u+x -exec chmod 755 {} +
(cd "$S" && find . -type f ! -name SHA256SUMS -printf '%P\0' | sort -z | xargs -0 sha256sum) >"$WORK/SHA256SUMS"
mv "$WORK/SHA256SUMS" "$S/SHA256SUMS"
chmod 644 "$S/SHA256SUMS"
tar -C "$WORK" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$EPOCH" --format=gnu \
	-cf - "$NAME" | gzip -n -6 >"$OUT.part"
mv "$OUT.part" "$OUT"
echo "$OUT: $(du -h "$OUT" | cut -f1), $(find "$S" -type f | wc -l) files"
