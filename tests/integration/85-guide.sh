#!/usr/bin/env bash
# kaketsuke guide end to end, driven through a pipe: a fake sysfs tree (KAKETSUKE_SYSFS)
# and device folder (KAKETSUKE_DEVDIR) holding the demo's infected disk image as "sda" and
# a disk with a BitLocker volume as "sdb"; Japanese and English runs into --target folders;
# --kit mode with a fake kaketsuke-target (list/prepare/kitdev) including a `format`
# target that needs the typed "yes"; the clock check; no internal disk behind an RST/VMD controller;
# EOF at a question; a target on the examined disk; a target that is too small.
source "$ROOT/tests/lib.sh"
K=$KAKETSUKE
export KAKETSUKE_KEY=$T/key.pem KAKETSUKE_KEY_PASS=

# ---- the disks -------------------------------------------------------------------------
export DEMO_OUT=$T/demo
BUILD=$(dirname "$K") "$ROOT/tests/demo/run" > "$T/demo.out" 2>&1 || { sed 's/^/#   /' "$T/demo.out" | tail -20; }
DEV=$T/dev
mkdir -p "$DEV"
cp "$DEMO_OUT/sample-disk.raw" "$DEV/sda"
rm -rf "$DEMO_OUT/case" "$DEMO_OUT/case.zip"
# sdb: a BitLocker volume (a -FVE-FS- boot sector) and a FAT16 volume (as in 12-info.sh)
truncate -s 40M "$DEV/sdb"
printf 'label: dos\nstart=2048, size=20480, type=7\nstart=22528, size=59392, type=c\n' | sfdisk -q "$DEV/sdb" >/dev/null
printf '\xeb\x58\x90-FVE-FS-' | dd of="$DEV/sdb" bs=512 seek=2048 conv=notrunc status=none
mkfs.fat -F 16 -n DATA --offset 22528 "$DEV/sdb" $((59392 / 2)) >/dev/null
before=$(evidence_hash "$DEV/sda" "$DEV/sdb")

# ---- the fake sysfs --------------------------------------------------------------------
# mkdisk SYS NAME DEVPATH SECTORS REMOVABLE RO MODEL VENDOR [PART:START:SIZE ...]
mkdisk() {
  local S=$1 name=$2 path=$3 sectors=$4 rem=$5 ro=$6 model=$7 vendor=$8; shift 8
  local D=$S/devices/$path/block/$name
  mkdir -p "$D" "$S/block" "$S/dev/block"
  echo "$sectors" > "$D/size"; echo "$rem" > "$D/removable"; echo "$ro" > "$D/ro"
  ln -s "../.." "$D/device"   # the SCSI device folder above block/NAME
  printf '%b' "$model" > "$S/devices/$path/model"; printf '%-8s\n' "$vendor" > "$S/devices/$path/vendor"
  ln -s "../devices/$path/block/$name" "$S/block/$name"
  local maj=$(( $(ls "$S/block" | wc -l) + 200 )) i=0
  ln -s "../../devices/$path/block/$name" "$S/dev/block/$maj:0"
  for p in "$@"; do
    i=$((i + 1))
    IFS=: read -r pn ps pz <<< "$p"
    mkdir -p "$D/$pn"; echo "$i" > "$D/$pn/partition"; echo "$ps" > "$D/$pn/start"; echo "$pz" > "$D/$pn/size"
    echo "$ro" > "$D/$pn/ro"
    ln -s "../../devices/$path/block/$name/$pn" "$S/dev/block/$maj:$i"
  done
}
SYS=$T/sys
SATA=pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0
mkdisk "$SYS" sda "$SATA" 131072 0 1 'Evil\033[2J\033]0;pwn\007Disk\x9b31m 860' 'ATA' sda1:2048:129024
mkdisk "$SYS" sdb pci0000:00/0000:00:17.0/ata2/host1/target1:0:0/1:0:0:0 81920 0 0 'WDC WD10EZEX' 'ATA' \
  sdb1:2048:20480 sdb2:22528:59392
mkdisk "$SYS" sdc pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0 30031872 1 0 'Cruzer Blade' 'SanDisk'
mkdisk "$SYS" sdd pci0000:00/0000:00:14.0/usb2/2-2/2-2:1.0/host7/target7:0:0/7:0:0:0 15728640 0 0 'Kit Stick' 'KK'
mkdir -p "$SYS/block/loop0"; echo 1000 > "$SYS/block/loop0/size"   # skipped
export KAKETSUKE_SYSFS=$SYS KAKETSUKE_DEVDIR=$DEV

# guide LOG ARGS... < input: run the guide, output in LOG, exit code in $T/rc
guide() { local log=$1; shift; "$K" guide "$@" > "$log" 2>&1; echo $? > "$T/rc"; }
rc() { cat "$T/rc"; }
sha_groups() { sed -n '/SHA-256/,$p' "$1" | grep -oE '^ +[0-9]+: [0-9a-f]{4}( +[0-9]+: [0-9a-f]{4})*' | grep -oE '[0-9a-f]{4}$|[0-9a-f]{4} ' | tr -d ' \n'; }

# ---- 1. Japanese, --target --------------------------------------------------------------
mkdir -p "$T/ev-ja"
# the clock check: the person on site says it is 3 hours later than the computer's clock
LATER=$(date -d '+3 hours' +%H:%M)
printf '\n1\n\n株式会社テスト商事\n本社 2F\n山田 花子\n090-1234-5678\n%s\n1\n\n' "$LATER" |
  guide "$T/ja.out" --lang ja --target "$T/ev-ja"
check_eq "ja: the guide ends with exit 1 (findings)" 1 "$(rc)"
[ "$(rc)" = 1 ] || sed 's/^/#   /' "$T/ja.out" | tail -30
check "ja: welcome says the disks are only read" grep -q "読み取るだけ" "$T/ja.out"
check "ja: the internal disk is listed with its size" grep -q "$DEV/sda  67.1 MB" "$T/ja.out"
check "ja: the model is shown" grep -q "Disk" "$T/ja.out"
check_eq "ja: no terminal control bytes from the hostile model (ESC, BEL, C1)" 0 \
  "$(LC_ALL=C grep -c $'\033\|\007\|\xc2\x9b' "$T/ja.out")"
check "ja: the hostile model is shown escaped" grep -qF 'Evil?[2J?]0;pwn?Disk' "$T/ja.out"
check "ja: the FAT32 partition with its drive letter" grep -qE 'sda1 +66.1 MB +fat32 \(C:\)' "$T/ja.out"
check "ja: block-layer read-only state" grep -q "書き込み禁止: はい" "$T/ja.out"
check "ja: the BitLocker volume is named" grep -qE 'sdb1 .*BitLocker' "$T/ja.out"
check "ja: BitLocker explained (recovery key)" grep -q "回復キー" "$T/ja.out"
check "ja: external disks listed apart" grep -q "外付けのディスク" "$T/ja.out"
check "ja: the USB disk is among them" grep -q "SanDisk Cruzer Blade" "$T/ja.out"
check_eq "ja: loop devices are not listed" 0 "$(grep -c loop0 "$T/ja.out")"
check "ja: the free-space estimate is stated" grep -q "必要な空き容量" "$T/ja.out"
check "ja: progress of the scan (files, bytes, rate)" grep -qE '[0-9]+ / [0-9]+ ファイル|[0-9]+ ファイル' "$T/ja.out"
check "ja: the verdict in plain words" grep -q "ランサムウェア" "$T/ja.out"
check "ja: the first recovery steps" grep -qE '^  1\. .+' "$T/ja.out"
check "ja: five steps at most" bash -c "! grep -qE '^  6\. ' '$T/ja.out'"
Z=$(ls "$T"/ev-ja/*.zip 2>/dev/null | head -1)
check "ja: the bundle is on the target" test -s "$Z"
check_eq "ja: the 16 groups read out are the bundle's SHA-256" "$(sha256sum < "$Z" | cut -d' ' -f1)" "$(sha_groups "$T/ja.out")"
check "ja: the full SHA-256 line too" grep -q "SHA-256: $(sha256sum < "$Z" | cut -d' ' -f1)" "$T/ja.out"
check "ja: the bundle path is shown" grep -qF "$Z" "$T/ja.out"
check "ja: the receipt path is shown" grep -qF "${Z%.zip}.receipt.txt" "$T/ja.out"
check_exit "ja: kaketsuke verify passes on the bundle" 0 "$K" verify "$Z"
CJ=${Z%.zip}
check_eq "ja: case details stored" "株式会社テスト商事|本社 2F|ja" \
  "$(jq -r '"\(.client)|\(.site)|\(.lang)"' "$CJ/case.json")"
check "ja: the default case id is date-based" jq -e '.case_id | test("^KK-[0-9]{8}-[0-9]{4}$")' "$CJ/case.json"
check "ja: the operator's name and phone are noted" jq -e '.actions | any(.text | test("山田 花子") and test("090-1234-5678"))' "$CJ/case.json"
check "ja: the guide logged itself in the custody log, with the disk and its model" \
  jq -e -s 'any(.[]; .command == "guide" and ((.disk // "") | endswith("/sda")) and ((.model // "") | test("^Evil")) and .mode == "quick")' "$CJ/custody.jsonl"
check "ja: the computer's clock is shown" grep -q "このコンピューターの時計:" "$T/ja.out"
check "ja: the clock difference told is noted for the engineer (3 h behind)" \
  jq -e --arg t "$LATER" '.actions | any(.text | test("時計") and contains($t) and test("(179|180) 分遅れ"))' "$CJ/case.json"
check "ja: quick mode ran (triage --quick)" grep -q -- '--quick' "$CJ/custody.jsonl"
check "ja: report in Japanese" jq -e '.lang == "ja"' "$CJ/report/report.json"

# ---- 2. English, full scan -------------------------------------------------------------
mkdir -p "$T/ev-en"
printf '\n1\nEN-1\nACME Corp\nHQ\nBob\n+81 3 1234 5678\n25:00\n\n2\n\n' | guide "$T/en.out" --lang en --target "$T/ev-en"
check_eq "en: exit 1 (findings)" 1 "$(rc)"
[ "$(rc)" = 1 ] || sed 's/^/#   /' "$T/en.out" | tail -30
check "en: welcome in English" grep -q "The disks are only read" "$T/en.out"
check "en: the verdict in plain words" grep -q "attacked by ransomware" "$T/en.out"
check "en: what to do first" grep -q "What to do first" "$T/en.out"
check "en: full scan (no --quick in the custody log)" bash -c "! grep -q -- '--quick' '$T/ev-en/EN-1/custody.jsonl'"
check "en: final scan progress line" grep -qE '^  [0-9]+ of [0-9]+ files, .* MB/s, time left .*, found [0-9]+' "$T/en.out"
check_eq "en: SHA-256 groups" "$(sha256sum < "$T/ev-en/EN-1.zip" | cut -d' ' -f1)" "$(sha_groups "$T/en.out")"
check_exit "en: kaketsuke verify passes" 0 "$K" verify "$T/ev-en/EN-1.zip"
check "en: report in English" jq -e '.lang == "en"' "$T/ev-en/EN-1/report/report.json"
check "en: a time that is not one is asked again" grep -q "Please type the time like 1405" "$T/en.out"
check "en: the confirmed clock is noted" \
  jq -e '.actions | any(.text | test("^Clock check: the person on site confirmed"))' "$T/ev-en/EN-1/case.json"
# the same case id again: a free name is chosen, nothing replaced
printf '\n1\nEN-1\n\n\n\n\n\n1\n\n' | guide "$T/en2.out" --lang en --target "$T/ev-en"
check "en: a used case id gets a suffix" test -s "$T/ev-en/EN-1-2.zip"
check "en: bad input is asked again (case id, phone)" bash -c \
  "printf '\n1\n../x\nOK-1\n\n\n\nabc\n\n\n1\nq\n' | '$K' guide --lang en --target '$T/ev-en' | grep -c 'Please use' | grep -qx 2"

# ---- 3. --kit with a fake kaketsuke-target ---------------------------------------------
H=$T/helper
cat > "$H" <<EOF
#!/bin/sh
case "\$1" in
list)
  printf '/dev/sdc1\tuse\t1000000\t500\tTINY\tTiny stick\n'
  printf '/dev/sdc\tformat\t15376318464\t15376318464\t-\tSanDisk \033[31mCruzer\n'
  printf 'not a target line\n'
  printf '/dev/../etc\tuse\t1\t1\t-\tbad id\n' ;;
prepare) echo "\$2" >> "$T/prepared"; mkdir -p "$T/mnt"; echo "$T/mnt" ;;
kitdev) echo /dev/sdd ;;
*) exit 1 ;;
esac
EOF
chmod +x "$H"
printf '\n1\nKIT-1\n\n\n\n\n\n1\n1\n2\nいいえ\n2\nYes\n\nはい\n' |
  KAKETSUKE_TARGET_HELPER=$H KAKETSUKE_POWEROFF_CMD="touch $T/poweroff" KAKETSUKE_KEY= \
  guide "$T/kit.out" --kit --lang ja
check_eq "kit: exit 1 (findings)" 1 "$(rc)"
[ "$(rc)" = 1 ] || sed 's/^/#   /' "$T/kit.out" | tail -30
check "kit: the kit stick is listed apart" bash -c "grep -A1 'kaketsuke の USB メモリ' '$T/kit.out' | grep -q sdd"
check "kit: the too-small target is refused" grep -q "空き容量が足りない" "$T/kit.out"
check "kit: format needs the typed yes" grep -q "確認できなかったため" "$T/kit.out"
check "kit: the word to type is yes (the kit console has no Japanese input)" grep -q "半角英字で「yes」" "$T/kit.out"
check_eq "kit: prepare was called once, for the format target, after Yes" "/dev/sdc" "$(cat "$T/prepared" 2>/dev/null)"
check "kit: the hostile description is escaped" grep -qF 'SanDisk ?[31mCruzer' "$T/kit.out"
check "kit: bad helper lines are left out and counted" grep -qE '\(2 ' "$T/kit.out"
check "kit: the bundle is on the prepared target" test -s "$T/mnt/KIT-1.zip"
check "kit: the signing key is kept on the target" test -s "$T/mnt/kaketsuke-key/signing.key"
check_exit "kit: kaketsuke verify passes" 0 "$K" verify "$T/mnt/KIT-1.zip"
check "kit: power-off ran after はい" test -f "$T/poweroff"
rm -f "$T/prepared"
printf '\n1\nKIT-2\n\n\n\n\n\n1\n2\nno\n' | KAKETSUKE_TARGET_HELPER=$H guide "$T/kit2.out" --kit --lang en
check_eq "kit: EOF after refusing the format: exit 2" 2 "$(rc)"
check "kit: a format target answered 'no' is never prepared" test ! -e "$T/prepared"

# ---- 4. no internal disk, an Intel VMD controller in RAID mode ---------------------------
S2=$T/sys-rst
mkdisk "$S2" sdc pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0 30031872 1 0 'Cruzer' 'SanDisk'
P=$S2/bus/pci/devices/0000:00:0e.0
mkdir -p "$P" "$S2/bus/pci/drivers/vmd"
echo 0x010400 > "$P/class"; echo 0x8086 > "$P/vendor"; echo 0xa77f > "$P/device"
ln -s ../../../bus/pci/drivers/vmd "$P/driver"
printf '\nq\n' | KAKETSUKE_SYSFS=$S2 guide "$T/rst.out" --lang ja --target "$T/ev-ja"
check_eq "RST: stopping with q exits 2" 2 "$(rc)"
check "RST: says no internal disk is visible" grep -q "内蔵ディスクが見つかりません" "$T/rst.out"
check "RST: explains Intel RST/VMD" grep -q "Intel RST" "$T/rst.out"
check "RST: do not change the BIOS setting" grep -q "BIOS/UEFI の設定は変えないで" "$T/rst.out"
check "RST: call the engineer" grep -q "技術者に電話" "$T/rst.out"
printf '\nq\n' | KAKETSUKE_SYSFS=$S2 guide "$T/rst-en.out" --lang en --target "$T/ev-ja"
check "RST (en): the disk is behind Intel RST/RAID mode" grep -q "behind Intel RST/RAID mode" "$T/rst-en.out"

# ---- 5. EOF at a question ---------------------------------------------------------------
mkdir -p "$T/ev-eof"
printf '\n1\nEOF-1\n' | guide "$T/eof.out" --lang en --target "$T/ev-eof"
check_eq "EOF: clean abort with exit 2" 2 "$(rc)"
check "EOF: says so" grep -q "no answer was given" "$T/eof.out"
check_eq "EOF: nothing written to the target" "" "$(ls -A "$T/ev-eof")"
guide "$T/eof0.out" --lang ja < /dev/null
check_eq "EOF at the first question: exit 2" 2 "$(rc)"
check "EOF (ja): says so in Japanese" grep -q "入力がありませんでした" "$T/eof0.out"
# Ctrl-C while a question waits for its answer
mkfifo "$T/fifo"
sleep 30 > "$T/fifo" &
holder=$!
"$K" guide --lang en --target "$T/ev-eof" < "$T/fifo" > "$T/int.out" 2>&1 &
gpid=$!
for i in $(seq 50); do grep -q "Press Enter to start" "$T/int.out" && break; sleep 0.1; done
kill -INT $gpid
wait $gpid
check_eq "Ctrl-C at a question: clean abort with exit 2" 2 "$?"
kill $holder 2>/dev/null; wait $holder 2>/dev/null
check "Ctrl-C: says so" grep -q "Stopped: no answer was given" "$T/int.out"

# ---- 6. the target on the examined disk ---------------------------------------------------
mkdir -p "$T/ev-same"
S3=$T/sys-same
cp -a "$SYS" "$S3"
devno=$(stat -c '%Hd:%Ld' "$T/ev-same")
rm -f "$S3/dev/block/$devno"
ln -s "../../devices/$SATA/block/sda/sda1" "$S3/dev/block/$devno"
printf '\n1\nSAME-1\n\n\n\n\n\n1\n' | KAKETSUKE_SYSFS=$S3 guide "$T/same.out" --lang en --target "$T/ev-same"
check_eq "same disk: refused, then EOF: exit 2" 2 "$(rc)"
check "same disk: the refusal names the examined disk" grep -q "Refused: this folder is on the disk being examined" "$T/same.out"
check_eq "same disk: nothing written there" "" "$(ls -A "$T/ev-same")"
printf '\n1\nSAME-2\n\n\n\n\n\n1\n' | KAKETSUKE_SYSFS=$S3 guide "$T/same2.out" --lang en --target "$T/ev-same" --disk sdb
check "a target on another disk than the examined one is accepted" grep -q "Ready to start" "$T/same2.out"

# ---- 7. a target that is too small --------------------------------------------------------
printf '\n1\nSMALL-1\n\n\n\n\n\n1\n' | guide "$T/small.out" --lang en --target "$T/ev-eof" --min-free 1000000G
check_eq "too small: refused, then EOF: exit 2" 2 "$(rc)"
check "too small: says why" grep -q "Refused: not enough free space" "$T/small.out"
check "too small: states the estimate" grep -q "Free space needed (estimate): 1.1 PB" "$T/small.out"

# ---- help, and the evidence itself ---------------------------------------------------------
check_exit "help guide" 0 "$K" help guide
check "help names the options" grep -q -- "--kit" "$T/last.out"
check_exit "guide --help" 0 "$K" guide --help
check_exit "guide: bad --lang is a usage error" 2 "$K" guide --lang fr
check_eq "the disk images are unchanged" "$before" "$(evidence_hash "$DEV/sda" "$DEV/sdb")"
finish
