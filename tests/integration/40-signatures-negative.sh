#!/bin/bash
# Bundled signatures, negative side: zero matches over a corpus of ordinary files.
#   - the files of a fixed list of installed Debian packages (coreutils, util-linux,
#     bash, Python's standard library, OpenSSH client, systemd, procps, the
#     forensics-samples original files)
#   - the files of packages that are only unpacked, never installed (WordPress:
#     PHP; debian-reference-ja and manpages-ja: Japanese documents; nsis-common and
#     grub-efi-amd64-bin: Windows PE/EFI executables), fetched once with
#     'apt-get download' into $CACHE
#   - the forensics-samples images (NTFS, exFAT, vfat, ext2/4, btrfs, multi-partition)
#     and the dfvfs images: raw bytes with the yara CLI, and the files TSK extracts
#     from them (tsk_recover -e: allocated and deleted) with their own names
# Files are scanned with python3-yara and per-file externals (filename, filepath,
# extension, filetype, owner); directories and raw images with 'yara -r -C' and
# the externals defined.  Also: no rule makes libyara warn about slow scanning.
# Needs Debian packages: yara python3-yara sleuthkit xz-utils forensics-samples-all
#   (the -files, -tools and image packages); apt access once for the unpacked ones.
source "$ROOT/tests/lib.sh"

SIG="$ROOT/tests/signatures"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if ! command -v yara >/dev/null || ! "$PY" -c 'import yara' 2>/dev/null; then
    skip "signatures negative corpus" "yara CLI or python3-yara missing (apt-get install yara python3-yara)"
    finish
fi
start=$(date +%s)
NEG="${CACHE:-$ROOT/build/cache}/signatures-negative"
mkdir -p "$NEG/debs" "$NEG/pkg" "$NEG/images" "$NEG/extract"
LIST="$T/files.txt"
: > "$LIST"

# --- installed packages: their regular files
INSTALLED="coreutils util-linux bash libpython3.11-stdlib libpython3.11-minimal openssh-client systemd procps forensics-samples-files"
missing=""
for p in $INSTALLED; do
    if dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed'; then
        dpkg -L "$p" | while IFS= read -r f; do
            [ -f "$f" ] && [ ! -L "$f" ] && printf '%s\n' "$f"
        done >> "$LIST"
    else
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then skip "installed packages in the negative corpus:$missing" "not installed"; fi

# --- unpacked-only packages (kept in the cache; apt-get download needs the apt lists)
UNPACK="wordpress debian-reference-ja manpages-ja nsis-common grub-efi-amd64-bin"
for p in $UNPACK; do
    if [ ! -f "$NEG/pkg/$p.done" ]; then
        rm -rf "$NEG/pkg/$p"
        if ( cd "$NEG/debs" && ls "${p}"_*.deb >/dev/null 2>&1 || apt-get download "$p" >/dev/null 2>&1 ) \
           && dpkg-deb -x "$(ls "$NEG/debs/${p}"_*.deb | head -1)" "$NEG/pkg/$p"; then
            touch "$NEG/pkg/$p.done"
        fi
    fi
    if [ -f "$NEG/pkg/$p.done" ]; then
        printf '%s\n' "$NEG/pkg/$p" >> "$LIST"
    else
        skip "package $p in the negative corpus" "cannot download it (no apt lists or no network)"
    fi
done

# --- images: forensics-samples (xz) and dfvfs
IMAGES=()
for x in /usr/share/forensics-samples/fs.*.xz; do
    [ -f "$x" ] || continue
    name=$(basename "$x" .xz)
    if [ ! -f "$NEG/images/$name.raw" ]; then
        xz -dc "$x" > "$NEG/images/$name.raw.part" && mv "$NEG/images/$name.raw.part" "$NEG/images/$name.raw"
    fi
    [ -f "$NEG/images/$name.raw" ] && IMAGES+=("$NEG/images/$name.raw")
done
[ ${#IMAGES[@]} -gt 0 ] || skip "forensics-samples images in the negative corpus" "forensics-samples-all not installed"
DFVFS="${CORPORA:-}/dfvfs/test_data"
if [ -d "$DFVFS" ]; then
    for f in "$DFVFS"/*.raw "$DFVFS"/*.dd; do [ -f "$f" ] && IMAGES+=("$f"); done
else
    skip "dfvfs images in the negative corpus" "corpora not found"
fi

# files inside the images, extracted once with TSK (every partition mmls finds)
if command -v tsk_recover >/dev/null; then
    for img in "${IMAGES[@]}"; do
        key=$(printf '%s' "$img" | sha256sum | cut -c1-16)
        out="$NEG/extract/$(basename "$img")-$key"
        if [ ! -f "$out.done" ]; then
            rm -rf "$out"; mkdir -p "$out"
            offs=$(mmls "$img" 2>/dev/null | awk '$2 ~ /^[0-9]+:/ && $6 !~ /Unallocated|Table|Meta/ && $3 ~ /^[0-9]+$/ {print $3+0}')
            [ -n "$offs" ] || offs=0
            for o in $offs; do
                tsk_recover -e -o "$o" "$img" "$out/p$o" >/dev/null 2>&1 || true
            done
            touch "$out.done"
        fi
        printf '%s\n' "$out" >> "$LIST"
    done
else
    skip "files inside the images" "sleuthkit (tsk_recover) not installed"
fi

nfiles=$(wc -l < "$LIST")
check "negative corpus assembled ($nfiles entries, ${#IMAGES[@]} images)" test "$nfiles" -gt 0

# --- 0. canary: the same scan commands must report a planted kaketsuke test marker,
# so a silently broken scan cannot pass as "no matches"
mkdir -p "$T/canary"
printf 'KAKETSUKE-SIGNATURE-TEST-7c2e91d4-not-malware\n' > "$T/canary/marker.txt"
printf '%s\n' "$T/canary" > "$T/canary.lst"
"$PY" "$SIG/check_negative.py" -j 2 "$T/canary.lst" > "$T/canary.out" 2>&1
if [ $? -eq 1 ] && grep -q '^MATCH test.yar:Test_Kaketsuke_Marker ' "$T/canary.out"; then
    ok "negative scan reports a planted test marker (python3-yara)"
else
    fail "negative scan reports a planted test marker (python3-yara)"; sed 's/^/#   /' "$T/canary.out" | head
fi

# --- 1. per-file scan with python3-yara and per-file externals
"$PY" "$SIG/check_negative.py" -j 2 "$LIST" > "$T/neg-files.out" 2>&1
rc=$?
summary=$(grep '^negative:' "$T/neg-files.out")
if [ $rc -eq 0 ]; then
    ok "no rule matches ordinary files (python3-yara, per-file externals): $summary"
else
    fail "no rule matches ordinary files (python3-yara, per-file externals, exit $rc): $summary"
    grep -v '^negative:' "$T/neg-files.out" | head -60 | sed 's/^/#   /'
fi

# --- 2. yara CLI: every rule file in its own namespace, compiled once
ns=()
for f in "$ROOT"/signatures/rules/*.yar; do ns+=("$(basename "$f"):$f"); done
EXT=(-d filename= -d filepath= -d extension= -d filetype= -d owner=)
if yarac "${EXT[@]}" "${ns[@]}" "$T/all.yarc" > "$T/yarac.out" 2>&1 && [ ! -s "$T/yarac.out" ]; then
    ok "yarac compiles all rule files without warnings"
else
    fail "yarac compiles all rule files without warnings"; sed 's/^/#   /' "$T/yarac.out" | head -20
fi
if yara -C -e -r -p 2 "${EXT[@]}" "$T/all.yarc" "$T/canary" 2>&1 | grep -q '^test.yar:Test_Kaketsuke_Marker '; then
    ok "yara CLI run reports a planted test marker"
else
    fail "yara CLI run reports a planted test marker"
fi
# raw image bytes, each with its own name in the externals
: > "$T/neg-raw.out"
for img in "${IMAGES[@]}"; do
    n=$(basename "$img")
    yara -C -e -p 2 -d filename="$n" -d filepath="$(dirname "$img")" -d extension=".${n##*.}" \
         -d filetype= -d owner= "$T/all.yarc" "$img" >> "$T/neg-raw.out" 2>&1
done
if [ ! -s "$T/neg-raw.out" ]; then
    ok "no rule matches the raw bytes of ${#IMAGES[@]} images (yara CLI)"
else
    fail "no rule matches the raw bytes of the images (yara CLI)"; head -30 "$T/neg-raw.out" | sed 's/^/#   /'
fi
# directory trees with yara -r (externals defined, empty)
dirs=()
while IFS= read -r p; do [ -d "$p" ] && dirs+=("$p"); done < "$LIST"
dirs+=(/usr/lib/python3.11)
: > "$T/neg-dirs.out"
for d in "${dirs[@]}"; do
    yara -C -e -r -p 2 "${EXT[@]}" "$T/all.yarc" "$d" 2>&1 | grep -v 'could not open file' >> "$T/neg-dirs.out"
done
if [ ! -s "$T/neg-dirs.out" ]; then
    ok "no rule matches the unpacked packages and extracted image files (yara -r)"
else
    fail "no rule matches the unpacked packages and extracted image files (yara -r)"; head -30 "$T/neg-dirs.out" | sed 's/^/#   /'
fi
echo "# negative corpus test took $(( $(date +%s) - start )) s"
finish
