#!/usr/bin/env bash
# collect from a real Windows 10 NTFS image (ntfs-samples ntfs.tgz: 64 GiB sparse, MBR,
# NTFS at sector 2048): the NTFS metadata targets ($MFT, $LogFile, $UsnJrnl:$J, ...) are
# collected through TSK and each file equals what icat gives.
source "$ROOT/tests/lib.sh"
TGZ=$CORPORA/ntfs-samples/ntfs.tgz
[ -f "$TGZ" ] || { skip "ntfs-samples ntfs.tgz" "corpora missing"; finish; }
D=$CACHE/corpora/ntfs-samples-tgz
if [ ! -f "$D/ntfs.raw" ]; then mkdir -p "$D" && tar xzf "$TGZ" -C "$D"; fi
IMG=$D/ntfs.raw
# (hashing 64 GiB of mostly sparse zeros takes minutes: any write changes mtime/ctime)
before=$(stat -c '%Y %Z %s' "$IMG")
check_exit "collect the NTFS metadata of a real Windows volume" 0 \
  "$KAKETSUKE" collect --quiet "$IMG" --case "$T/case" --targets windows-ntfs-metadata
for p in '/$MFT' '/$LogFile' '/$Extend/$UsnJrnl:$J'; do
  rec=$(jq -c --arg p "$p" 'select(.source.path == $p)' "$T/case/collected.jsonl")
  inode=$(jq -r .source.inode <<<"$rec")
  check_eq "$p: collected with the SHA-256 icat gives" "$(icat -o 2048 "$IMG" "$inode" | sha256sum | cut -d' ' -f1)" \
    "$(jq -r .sha256 <<<"$rec")"
  check_eq "$p: the stored copy has that hash" "$(jq -r .sha256 <<<"$rec")" \
    "$(sha256sum < "$T/case/$(jq -r .name <<<"$rec")" | cut -d' ' -f1)"
done
check "origin recorded: image, fs_offset, inode, times" \
  jq -e -s 'all(.[]; .source.fs_offset == 1048576 and (.source.inode | length) > 0 and (.source.mtime | length) > 0)' "$T/case/collected.jsonl"
check_eq "the image is untouched (size, mtime, ctime)" "$before" "$(stat -c '%Y %Z %s' "$IMG")"
finish
