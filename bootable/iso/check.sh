#!/bin/bash
# bootable/iso/check.sh ISO — make iso-check: boot the released image in qemu (TCG, no KVM) on
# a generated infected disk and check what the unattended mode leaves on the evidence stick.
#
#  0. kaketsuke-target's listing and refusals against a fake sysfs (test-target.sh).
#  1. A test copy of ISO whose default boot entries (GRUB for UEFI, isolinux for BIOS) add
#     kaketsuke.auto="--quick --lang ja,en" console=ttyS0 and boot at once. xorriso replays the
#     boot setup, so the boot images, kernel, initrd and squashfs are the released ones.
#  2. The infected disk: the demo's ransomware-story disk (tests/demo/run: MBR + FAT32).
#  3. Two boots, each with the kit as a USB stick, the infected disk as an internal disk
#     (attached read-write: only the live system's read-only policy protects it) and an empty
#     1 GiB evidence disk as a second USB stick:
#       bios  -machine pc, SeaBIOS, infected disk on SATA (AHCI)
#       uefi  -machine q35 with SMM, OVMF with Secure Boot on and Microsoft's keys enrolled,
#             infected disk on NVMe
#     and a third one without the second stick: the kit stick (the image on a 1.5 GiB disk)
#     gets its exFAT data partition (kaketsuke-target create):
#       kit   -machine pc, SeaBIOS, infected disk on virtio
#     and that stick booted again, which now uses its data partition (same signing key):
#       reuse -machine q35, OVMF with Secure Boot on, infected disk on SATA (AHCI)
#  4. For each: the serial log (Secure Boot state, source disk read-only, nothing internal
#     mounted, no swap, bundle SHA-256), the infected disk's SHA-256 unchanged, and the bundle
#     read from the evidence disk's exFAT partition with TSK (no loop mount): its SHA-256 as
#     printed, `kaketsuke verify`, `unzip -t`, `sha256sum -c SHA256SUMS`, the openssl signature
#     and fingerprint checks of docs/insurer-verify.md, the manifest against SHA256SUMS.
#  5. guided: a copy without kaketsuke.auto: tty1 starts the Japanese guide in fbterm and the
#     answers are typed on the emulated keyboard (qemu monitor sendkey); the blank second stick
#     is formatted, the bundle read back and verified, the PC powered off by the typed "yes".
# Env: KAKETSUKE_ISO_CHECK_MODES (default "bios uefi kit reuse guided"), KAKETSUKE_ISO_CHECK_TIMEOUT (seconds
# per boot, default 1500), KAKETSUKE_ISO_CHECK_MEM (MiB, default 2560).
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 ISO" >&2
	exit 2
fi
ISO=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
K=$BUILD/kaketsuke
W=$ROOT/build/iso/check
MODES=${KAKETSUKE_ISO_CHECK_MODES:-bios uefi kit reuse guided}
TIMEOUT=${KAKETSUKE_ISO_CHECK_TIMEOUT:-1500}
MEM=${KAKETSUKE_ISO_CHECK_MEM:-2560}
AUTO_ARGS="--quick --lang ja,en"
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd
export LC_ALL=C.UTF-8

missing=
for tool in xorriso qemu-system-x86_64 sfdisk fls icat fsstat unzip openssl sha256sum python3; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -r "$OVMF_CODE" ] && [ -r "$OVMF_VARS" ] || missing="$missing ovmf"
if [ -n "$missing" ]; then
	echo "check.sh: missing:$missing (apt-get install xorriso qemu-system-x86 ovmf fdisk sleuthkit unzip openssl)" >&2
	exit 2
fi
[ -x "$K" ] || { echo "check.sh: $K not built (make)" >&2; exit 2; }
[ -s "$ISO" ] || { echo "check.sh: $ISO not found (make iso)" >&2; exit 2; }

FAILS=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
now() { date +%s; }

rm -rf "$W"
mkdir -p "$W"
T_START=$(now)

# --- 0. kaketsuke-target's listing and refusals on a fake sysfs (no VM) --------------------
echo "== kaketsuke-target (test-target.sh, fake sysfs and image files)"
mkdir -p "$W/test-target"
T=$W/test-target ROOT=$ROOT "$HERE/test-target.sh" >"$W/test-target.log" 2>&1 || true
n_ok=$(grep -c '^ok ' "$W/test-target.log" || true)
n_bad=$(grep -c '^not ok ' "$W/test-target.log" || true)
grep '^not ok ' "$W/test-target.log" | sed 's/^/   /' || true
check "kaketsuke-target: $n_ok checks passed, $n_bad failed" test "$n_bad" = 0 -a "$n_ok" -gt 0

# --- 1. the test copies of the image -----------------------------------------------------------
# test_copy OUT APPEND: a copy of ISO whose default boot entries add APPEND and boot at once
test_copy() {
	local out=$1 append=$2
	xorriso -osirrox on -indev "$ISO" \
		-extract /boot/grub/grub.cfg "$W/grub.cfg" \
		-extract /isolinux/live.cfg "$W/live.cfg" \
		-extract /isolinux/isolinux.cfg "$W/isolinux.cfg" >/dev/null 2>&1
	chmod u+w "$W"/*.cfg
	# GRUB: the first menu entry's linux line; no menu wait
	python3 - "$W/grub.cfg" "$append" <<'EOF'
import re, sys
path, extra = sys.argv[1], sys.argv[2]
s = open(path).read()
s, n = re.subn(r'^set timeout=\d+', 'set timeout=0', s, count=1, flags=re.M)
assert n == 1, "grub.cfg: no timeout"
i = s.index('menuentry ')
j = s.index('\n\tlinux', i)
k = s.index('\n', j + 1)
s = s[:k] + ' ' + extra + s[k:]
open(path, 'w').write(s)
EOF
	# isolinux: the default entry's append line; no menu wait
	python3 - "$W/live.cfg" "$W/isolinux.cfg" "$append" <<'EOF'
import re, sys
live, iso, extra = sys.argv[1], sys.argv[2], sys.argv[3]
s = open(live).read()
i = s.index('menu default')
j = s.index('\tappend ', i)
k = s.index('\n', j)
s = s[:k] + ' ' + extra + s[k:]
open(live, 'w').write(s)
t = open(iso).read()
t, n = re.subn(r'^timeout \d+', 'timeout 1', t, count=1, flags=re.M)
assert n == 1, "isolinux.cfg: no timeout"
open(iso, 'w').write(t)
EOF
	rm -f "$out"
	xorriso -indev "$ISO" -outdev "$out" -boot_image any replay \
		-map "$W/grub.cfg" /boot/grub/grub.cfg \
		-map "$W/live.cfg" /isolinux/live.cfg \
		-map "$W/isolinux.cfg" /isolinux/isolinux.cfg >"$W/xorriso.log" 2>&1 ||
		{ cat "$W/xorriso.log" >&2; exit 1; }
}
echo "== test copy of $(basename "$ISO") with kaketsuke.auto"
APPEND_TEST="kaketsuke.auto=\"$AUTO_ARGS\" console=tty0 console=ttyS0,115200n8"
TEST_ISO=$W/kaketsuke-test.iso
test_copy "$TEST_ISO" "$APPEND_TEST"
grep -F 'kaketsuke.auto' "$W/grub.cfg" | sed 's/^/   grub: /'
grep -F 'kaketsuke.auto' "$W/live.cfg" | sed 's/^/   isolinux: /'
# the released boot images and squashfs are in the copy unchanged
for f in /live/filesystem.squashfs /live/vmlinuz /live/initrd.img /boot/grub/efi.img \
	/EFI/boot/bootx64.efi /EFI/boot/grubx64.efi /isolinux/isolinux.bin; do
	rm -f "$W/a" "$W/b"
	xorriso -osirrox on -indev "$ISO" -extract "$f" "$W/a" >/dev/null 2>&1 || true
	xorriso -osirrox on -indev "$TEST_ISO" -extract "$f" "$W/b" >/dev/null 2>&1 || true
	if [ "$f" = /isolinux/isolinux.bin ]; then
		# bytes 8..63: the boot information table xorriso writes for the new image's layout
		check "test copy keeps $f (but its boot info table)" bash -c "[ -s '$W/a' ] &&
			cmp -s <(head -c 8 '$W/a') <(head -c 8 '$W/b') && cmp -s -i 64 '$W/a' '$W/b'"
	else
		check "test copy keeps $f" bash -c "[ -s '$W/a' ] && cmp -s '$W/a' '$W/b'"
	fi
done
rm -f "$W/a" "$W/b"

# --- 2. the infected disk ---------------------------------------------------------------------
echo "== infected disk (tests/demo/run)"
DEMO_OUT=$W/demo BUILD=$BUILD "$ROOT/tests/demo/run" >"$W/demo.log" 2>&1 ||
	{ tail -n 20 "$W/demo.log" >&2; echo "check.sh: tests/demo/run failed" >&2; exit 1; }
INFECTED=$W/infected.raw
mv "$W/demo/sample-disk.raw" "$INFECTED"
INFECTED_SHA=$(sha256sum "$INFECTED" | cut -d' ' -f1)
echo "   $INFECTED $(stat -c %s "$INFECTED") bytes, sha256 $INFECTED_SHA"

# --- 3. + 4. the boots ------------------------------------------------------------------------
# inode_of FLS_LISTING PATH: the inode `fls -r -p` lists for PATH
inode_of() {
	awk -F'\t' -v p="$2" '{ split($1, a, " "); sub(/:$/, "", a[length(a)]); if ($2 == p) { print a[length(a)]; exit } }' "$1"
}

# bundle_checks MODE EVIDENCE_IMAGE SERIAL_LOG: the bundle on the evidence disk read with TSK and
# checked with kaketsuke verify and stock tools; its SHA-256 against the one the unattended mode
# printed (the guide shows it on the screen only); the bundle is the one the serial log names,
# else (guided) the one case bundle at the root of the volume. Leaves the listing in
# $W/MODE/fls.txt and the bundle unpacked in $W/MODE/x.
bundle_checks() {
	local mode=$1 ev=$2 log=$3 d=$W/$1 start inode path printed sha fpr
	mkdir -p "$d"
	# the evidence partition: the last one (1 on the second stick, 3 on the kit stick)
	start=$(sfdisk -d "$ev" 2>/dev/null | sed -n 's/^[^:]* : start= *\([0-9]*\),.*/\1/p' | tail -n 1)
	if [ -z "$start" ]; then bad "$mode: evidence disk has a partition"; return; fi
	check "$mode: evidence partition is exFAT" \
		bash -c "fsstat -o $start '$ev' | grep -q 'File System Type: exFAT'"
	check "$mode: evidence volume labelled KK-EVIDENCE" \
		bash -c "fsstat -o $start '$ev' | grep -q '^Volume Label.*: KK-EVIDENCE'"
	fls -o "$start" -r -p -F "$ev" >"$d/fls.txt"
	path=$(sed -n 's/^KAKETSUKE-BUNDLE \(.*\.zip\)$/\1/p' "$log" | tail -n 1)
	[ -n "$path" ] || [ "$mode" != guided ] ||
		path=$(awk -F'\t' '$2 ~ /^[^\/]+\.zip$/ { print $2; exit }' "$d/fls.txt")
	if [ -z "$path" ]; then bad "$mode: the bundle is named (serial log) or found (guided)"; return; fi
	inode=$(inode_of "$d/fls.txt" "$path")
	if [ -z "$inode" ]; then bad "$mode: $path on the evidence disk"; return; fi
	icat -o "$start" "$ev" "$inode" >"$d/bundle.zip"
	ok "$mode: read $path (inode $inode) from the exFAT partition"
	check "$mode: the receipt next to the bundle" grep -q $'\t'"${path%.zip}"'.receipt.txt$' "$d/fls.txt"
	inode=$(inode_of "$d/fls.txt" kaketsuke-key/signing.key)
	check "$mode: signing key stored on the evidence disk (kaketsuke-key/signing.key)" [ -n "$inode" ]
	[ -n "$inode" ] && icat -o "$start" "$ev" "$inode" >"$d/signing.key"
	if [ "$mode" != guided ]; then
		sha=$(sha256sum "$d/bundle.zip" | cut -d' ' -f1)
		printed=$(sed -n 's/^KAKETSUKE-BUNDLE-SHA256 \([0-9a-f]\{64\}\)$/\1/p' "$log" | tail -n 1)
		check "$mode: bundle SHA-256 equals the one printed ($sha)" [ "$sha" = "$printed" ]
	fi
	check "$mode: kaketsuke verify" bash -c "'$K' verify '$d/bundle.zip' >'$d/verify.txt' 2>&1"
	sed 's/^/   /' "$d/verify.txt" | head -n 12
	check "$mode: unzip -t" bash -c "unzip -tq '$d/bundle.zip' >/dev/null"
	mkdir -p "$d/x"
	(cd "$d/x" && unzip -q ../bundle.zip)
	check "$mode: sha256sum -c SHA256SUMS" bash -c "cd '$d/x' && sha256sum --quiet -c SHA256SUMS"
	check "$mode: openssl signature over manifest.json" bash -c "cd '$d/x' &&
		openssl pkeyutl -verify -pubin -inkey signer.pub -rawin -in manifest.json \
		-sigfile manifest.json.sig | grep -q 'Signature Verified Successfully'"
	fpr=$(cd "$d/x" && openssl pkey -pubin -in signer.pub -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)
	eval "FPR_$mode=$fpr"
	check "$mode: bundle signed by the key on the evidence disk" bash -c "[ -s '$d/signing.key' ] &&
		[ \"\$(openssl pkey -in '$d/signing.key' -pubout -outform DER | tail -c 32 | sha256sum | cut -d' ' -f1)\" = '$fpr' ]"
	check "$mode: signer fingerprint in the manifest ($fpr)" \
		python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["signer"]["fingerprint"] != sys.argv[2])' \
		"$d/x/manifest.json" "$fpr"
	check "$mode: manifest members agree with SHA256SUMS" bash -c "cd '$d/x' && python3 -c 'import json; [print(m[\"sha256\"]+\"  \"+m[\"name\"]) for m in json.load(open(\"manifest.json\"))[\"members\"]]' | sha256sum --quiet -c"
	check "$mode: bundle lists the planted findings (akira ransom note, mimikatz stand-in)" \
		bash -c "grep -q akira_readme '$d/x/findings.jsonl' && grep -q svchost_upd '$d/x/findings.jsonl'"
	# the PC's clock keeps Japanese local time (as Windows does: qemu -rtc base=localtime under
	# TZ=Asia/Tokyo); the kit reads it as local time (/etc/adjtime LOCAL, Asia/Tokyo), so the
	# bundle's time is the real time with +09:00
	check "$mode: bundle created_at is the real time in JST" python3 -c '
import datetime, json, sys
t = json.load(open(sys.argv[1]))["created_at"]
d = datetime.datetime.fromisoformat(t)
now = datetime.datetime.now(datetime.timezone.utc)
sys.exit(not (t.endswith("+09:00") and abs((now - d).total_seconds()) < 3600))' "$d/x/manifest.json"
	check "$mode: report in Japanese" test -s "$d/x/report/report.pdf"
}

for mode in $MODES; do
	[ "$mode" = guided ] && continue   # section 5
	echo "== boot: $mode"
	EV=$W/evidence-$mode.raw
	LOG=$W/serial-$mode.log
	rm -f "$LOG"
	common=(-accel tcg,thread=multi -smp 2 -m "$MEM" -display none -vga std -monitor none
		-serial "file:$LOG" -no-reboot -nic none -rtc base=localtime
		-device qemu-xhci,id=xhci)
	if [ "$mode" = kit ] || [ "$mode" = reuse ]; then
		# kit: the image written to a 1.5 GiB stick; no second stick: the data partition is
		# made in the stick's free space. reuse: the same stick booted again uses it.
		EV=$W/kit-stick.raw
		if [ "$mode" = kit ]; then
			cp --sparse=always "$TEST_ISO" "$EV"
			truncate -s 1536M "$EV"
			want_action=create
		else
			[ -s "$EV" ] || { echo "check.sh: mode reuse needs mode kit first" >&2; exit 2; }
			want_action=use
		fi
		common+=(-drive "if=none,id=kit,file=$EV,format=raw"
			-device usb-storage,bus=xhci.0,drive=kit,bootindex=0)
	else
		truncate -s 1G "$EV"
		want_action=format
		common+=(-drive "if=none,id=kit,file=$TEST_ISO,format=raw,snapshot=on"
			-device usb-storage,bus=xhci.0,drive=kit,bootindex=0
			-drive "if=none,id=evidence,file=$EV,format=raw"
			-device usb-storage,bus=xhci.0,drive=evidence)
	fi
	case $mode in
		bios)
			machine=(-machine pc
				-drive "if=none,id=internal,file=$INFECTED,format=raw"
				-device ahci,id=ahci -device ide-hd,bus=ahci.0,drive=internal)
			;;
		uefi|reuse)
			cp "$OVMF_VARS" "$W/OVMF_VARS-$mode.fd"
			machine=(-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on
				-drive "if=pflash,format=raw,unit=0,file=$OVMF_CODE,readonly=on"
				-drive "if=pflash,format=raw,unit=1,file=$W/OVMF_VARS-$mode.fd"
				-drive "if=none,id=internal,file=$INFECTED,format=raw")
			if [ "$mode" = uefi ]; then
				machine+=(-device nvme,serial=KKCHECK0001,drive=internal)
			else
				machine+=(-device ide-hd,bus=ide.0,drive=internal)   # q35's AHCI
			fi
			;;
		kit)
			machine=(-machine pc
				-drive "if=none,id=internal,file=$INFECTED,format=raw"
				-device virtio-blk-pci,drive=internal)
			;;
		*) echo "check.sh: unknown mode $mode" >&2; exit 2 ;;
	esac
	t0=$(now)
	set +e
	TZ=Asia/Tokyo timeout --foreground "$TIMEOUT" qemu-system-x86_64 "${machine[@]}" "${common[@]}" \
		>"$W/qemu-$mode.log" 2>&1
	qrc=$?
	set -e
	t1=$(now)
	echo "   qemu exit $qrc after $((t1 - t0)) s (serial log: $LOG)"
	check "$mode: powered off by itself within ${TIMEOUT} s" [ "$qrc" = 0 ]
	# kaketsuke-auto's lines, without the console's time stamp and unit prefix
	RAW=$LOG
	LOG=$W/auto-$mode.log
	tr -d '\r' <"$RAW" | grep -ao 'KAKETSUKE-[A-Z0-9-]* .*$' >"$LOG" || true
	sed 's/^/   /' "$LOG"
	check "$mode: unattended triage done" grep -aq '^KAKETSUKE-AUTO done' "$LOG"
	check "$mode: triage found the infection (exit 1)" grep -aq '^KAKETSUKE-AUTO triage exit 1 ' "$LOG"
	case $mode in
		uefi|reuse) want=enabled ;;
		*) want=unsupported ;;
	esac
	check "$mode: Secure Boot $want" grep -aqx "KAKETSUKE-SECUREBOOT $want" "$LOG"
	src=$(sed -n 's/^KAKETSUKE-READONLY \([^ ]*\) .*/\1/p' "$LOG" | head -n 1)
	check "$mode: internal disk $src read-only at the block layer" grep -aqx "KAKETSUKE-READONLY $src 1" "$LOG"
	check "$mode: the kit stick (USB) write-blocked too until chosen as the target" \
		grep -aqE '^KAKETSUKE-READONLY-KIT [^ ]+ 1$' "$LOG"
	check "$mode: internal disk never mounted" bash -c "grep -aq '^KAKETSUKE-MOUNTS ' '$LOG' &&
		! grep -a '^KAKETSUKE-MOUNTS ' '$LOG' | grep -qE '${src:-NONE}(p?[0-9]+)?:'"
	check "$mode: no swap" grep -aqx 'KAKETSUKE-SWAP 0' "$LOG"
	ts_ro=$(sed -n 's/^KAKETSUKE-DMESG-SETRO \[ *\([0-9.]*\)\].*/\1/p' "$LOG")
	ts_sd=$(sed -n 's/^KAKETSUKE-DMESG-SYSTEMD \[ *\([0-9.]*\)\].*/\1/p' "$LOG")
	check "$mode: $src set read-only in the initramfs (${ts_ro:-?} s, before systemd at ${ts_sd:-?} s)" \
		python3 -c 'import sys; sys.exit(not (sys.argv[1] and sys.argv[2] and float(sys.argv[1]) < float(sys.argv[2])))' \
		"$ts_ro" "$ts_sd"
	check "$mode: evidence target: $want_action" grep -aq "^KAKETSUKE-TARGET .* $want_action /run/kaketsuke/evidence" "$LOG"
	if [ "$mode" = kit ]; then
		# the stick's image is untouched but for the partition table (MBR bytes 446..509); n:
		# the end of the image's partition 1 (the ISO file system; xorriso's padding follows)
		n=$(sfdisk -d "$TEST_ISO" | sed -n 's/^[^:]*1 : start= *\([0-9]*\), size= *\([0-9]*\),.*/\1 \2/p')
		n=$(( (${n% *} + ${n#* }) * 512 ))
		check "kit: the image on the stick unchanged but for the new partition entry" bash -c "
			cmp -s -n 446 '$TEST_ISO' '$EV' &&
			cmp -s -n $((n - 510)) -i 510 '$TEST_ISO' '$EV'"
		check "kit: new partition after the image, labelled KK-EVIDENCE" bash -c "
			sfdisk -d '$EV' | grep -q 'start= *[0-9]*, size= *[0-9]*, type=7\$' &&
			[ \$(sfdisk -d '$EV' | sed -n 's/^[^:]*3 : start= *\([0-9]*\),.*/\1/p') -ge $((n / 512)) ]"
	fi
	check "$mode: infected disk unchanged (sha256)" [ "$(sha256sum "$INFECTED" | cut -d' ' -f1)" = "$INFECTED_SHA" ]
	tb=$(sed -n 's/^KAKETSUKE-AUTO triage exit [0-9]* after \([0-9]*\) s$/\1/p' "$LOG")
	echo "   timing $mode: boot+triage+poweroff $((t1 - t0)) s (triage ${tb:-?} s)"
	eval "TIME_$mode=$((t1 - t0)) TRIAGE_$mode=${tb:-0}"
	bundle_checks "$mode" "$EV" "$LOG"
	check "$mode: report in English too (--lang ja,en)" test -s "$W/$mode/x/report/en/report.pdf"
	if [ "$mode" = reuse ]; then
		check "reuse: the kit stick's key signed again (keys persist on the stick)" \
			[ "${FPR_kit:-x}" = "${FPR_reuse:-y}" ]
		check "reuse: both cases on the kit stick" \
			[ "$(grep -c $'\tAUTO-[^/]*\\.zip$' "$W/reuse/fls.txt")" = 2 ]
	fi
done

# --- 5. the guided mode on tty1, as a person at the keyboard uses it -----------------------
# A copy of the image without kaketsuke.auto boots as a customer's PC would: tty1 logs in, the
# console starts the Japanese guide in fbterm; the answers are typed on the PC's keyboard
# through the qemu monitor (sendkey): Enter to start, the defaults for disk, case details,
# clock and quick check, target 1 (the blank second stick: format), "yes", Enter to start,
# and "yes" to power off once the check is done. The keys are typed once the console says
# the guide started (the kernel log on the serial console): the terminal keeps typed lines
# until the guide asks for them.
guided_boot() {
	local GUIDED_ISO=$W/kaketsuke-guided.iso EV=$W/evidence-guided.raw LOG=$W/serial-guided.log
	local MON=$W/monitor-guided.sock d=$W/guided t0 t1 qrc
	echo "== boot: guided (tty1: the Japanese guide in fbterm, typed through the qemu monitor)"
	test_copy "$GUIDED_ISO" "console=tty0 console=ttyS0,115200n8 loglevel=6"
	rm -f "$LOG" "$MON" "$EV"
	truncate -s 1G "$EV"
	t0=$(now)
	TZ=Asia/Tokyo timeout --foreground "$TIMEOUT" qemu-system-x86_64 -machine pc \
		-drive "if=none,id=internal,file=$INFECTED,format=raw" \
		-device ahci,id=ahci -device ide-hd,bus=ahci.0,drive=internal \
		-accel tcg,thread=multi -smp 2 -m "$MEM" -display none -vga std \
		-monitor "unix:$MON,server,nowait" -serial "file:$LOG" -no-reboot -nic none -rtc base=localtime \
		-device qemu-xhci,id=xhci \
		-drive "if=none,id=kit,file=$GUIDED_ISO,format=raw,snapshot=on" \
		-device usb-storage,bus=xhci.0,drive=kit,bootindex=0 \
		-drive "if=none,id=evidence,file=$EV,format=raw" \
		-device usb-storage,bus=xhci.0,drive=evidence >"$W/qemu-guided.log" 2>&1 &
	local qpid=$!
	if ! python3 - "$LOG" "$MON" 900 <<'EOF'; then
import socket, sys, time
log, mon, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
t0 = time.time()
while b'kaketsuke: console: starting the guide (ja, fbterm)' not in open(log, 'rb').read():
    if time.time() - t0 > limit:
        sys.exit("guided: no 'starting the guide' line in the serial log")
    time.sleep(2)
print("   guide started after %d s; typing" % (time.time() - t0))
time.sleep(20)  # fbterm up and reading the keyboard
s = socket.socket(socket.AF_UNIX)
s.connect(mon)
def keys(*ks):
    for k in ks:
        s.sendall(b'sendkey ' + k.encode() + b'\n')
        time.sleep(0.3)
yes = ('y', 'e', 's', 'ret')
# start, disk [1], case id [default], customer, site, name, phone, clock, quick [1], target [1]
keys(*['ret'] * 10)
keys(*yes)    # format the blank stick
keys('ret')   # start the check
keys(*yes)    # power off when done (waits in the terminal until asked)
time.sleep(1)
s.close()
EOF
		bad "guided: the console started the guide and took the keys"
		kill "$qpid" 2>/dev/null || true
	fi
	set +e
	wait "$qpid"
	qrc=$?
	set -e
	t1=$(now)
	echo "   qemu exit $qrc after $((t1 - t0)) s (serial log: $LOG)"
	check "guided: the Japanese guide ran in fbterm on tty1" grep -aq 'kaketsuke: console: starting the guide (ja, fbterm)' "$LOG"
	check "guided: powered off when told to (yes)" [ "$qrc" = 0 ]
	check "guided: no English fallback" bash -c "! grep -aq 'starting the guide (en' '$LOG'"
	check "guided: infected disk unchanged (sha256)" [ "$(sha256sum "$INFECTED" | cut -d' ' -f1)" = "$INFECTED_SHA" ]
	check "guided: the blank stick got one partition, from 1 MiB" \
		bash -c "[ \"\$(sfdisk -d '$EV' | grep -c '^/')\" = 1 ] && sfdisk -d '$EV' | grep -q 'start= *2048,'"
	bundle_checks guided "$EV" "$LOG"
	check "guided: the case bundle is named by the guide's default case id (KK-YYYYMMDD-HHMM)" \
		grep -qE $'\tKK-[0-9]+-[0-9]+\\.zip$' "$d/fls.txt"
	check "guided: the case was started by the guide (custody log)" \
		python3 -c 'import json,sys; sys.exit(not any(json.loads(l).get("command") == "guide" for l in open(sys.argv[1])))' \
		"$d/x/custody.jsonl"
	check "guided: the clock check is in the case notes (confirmed, JST)" \
		python3 -c 'import json,sys; sys.exit(not any("時計の確認" in a.get("text", "") and "JST" in a.get("text", "") for a in json.load(open(sys.argv[1])).get("actions", [])))' \
		"$d/x/case.json"
	TIME_guided=$((t1 - t0))
}

case " $MODES " in *" guided "*) guided_boot ;; esac

T_END=$(now)
echo "== summary"
for mode in $MODES; do
	eval "echo \"   $mode: boot+triage+poweroff \${TIME_$mode:-?} s (triage \${TRIAGE_$mode:-?} s)\""
done
echo "   total $((T_END - T_START)) s; ISO $(( $(stat -c %s "$ISO") / 1048576 )) MiB"
if [ "$FAILS" -ne 0 ]; then
	echo "iso-check: $FAILS check(s) FAILED (logs in $W)"
	exit 1
fi
echo "iso-check: all checks passed"
