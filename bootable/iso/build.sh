#!/bin/bash
# bootable/iso/build.sh PORTABLE.tar.gz OUT.iso — build the kaketsuke live image with live-build.
#
# Debian bookworm, amd64, hybrid ISO (isolinux for BIOS; Debian's signed shim + GRUB + kernel
# for UEFI with Secure Boot). The portable build is unpacked to /opt/kaketsuke.
# Build tree: build/iso/lb (scratch, rebuilt every time). Cache, outside the clone:
# $KAKETSUKE_ISO_CACHE (default /var/cache/kaketsuke): live-build's cache/ directory, keyed by
# the bootstrap settings (the debootstrap root) — the downloaded .deb files are reused by
# every build; the chroot (package list, configuration, kaketsuke) is built afresh each time,
# so a changed package list or configuration always takes effect.
# Needs root (debootstrap, chroot) and live-build, debootstrap, xorriso, squashfs-tools.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 PORTABLE.tar.gz OUT.iso" >&2
	exit 2
fi
PORTABLE=$(readlink -f "$1")
OUT=$(readlink -f "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${KAKETSUKE_ISO_WORK:-$ROOT/build/iso/lb}
CACHE=${KAKETSUKE_ISO_CACHE:-/var/cache/kaketsuke}
VERSION=$(sed -n 's/^#define KK_VERSION "\(.*\)"/\1/p' "$ROOT/src/cli/cli.h")
MIRROR=${KAKETSUKE_MIRROR:-http://deb.debian.org/debian}
SECURITY=${KAKETSUKE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
DIST=bookworm
# squashfs compressor: zstd (fast to build, fast to read under emulation)
SQUASH_COMP=${KAKETSUKE_SQUASHFS_COMP:-zstd}
SQUASH_LEVEL=${KAKETSUKE_SQUASHFS_LEVEL:-6}

if [ "$(id -u)" != 0 ]; then
	echo "build.sh: live-build needs root" >&2
	exit 2
fi
missing=
for tool in lb debootstrap xorriso mksquashfs tar; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "build.sh: missing tools:$missing (apt-get install live-build debootstrap xorriso squashfs-tools)" >&2
	exit 2
fi
if [ ! -s "$PORTABLE" ]; then
	echo "build.sh: portable tarball '$1' not found (make portable)" >&2
	exit 2
fi

T0=$(date +%s)
# A failed earlier build may have left the chroot's mounts behind: undo them first.
if [ -d "$WORK/chroot" ]; then
	for m in $(awk -v p="$WORK/chroot/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$m" || true
	done
fi
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

# --- the cache ------------------------------------------------------------------------------
# Key: what goes into the debootstrap root. Packages (.deb) are shared across keys' builds
# through apt's own version checks, so only the bootstrap root is keyed.
KEY=$(printf '%s\n' "$DIST" amd64 "$MIRROR" "$(dpkg-query -W -f='${Version}' live-build)" \
	"$(dpkg-query -W -f='${Version}' debootstrap)" minbase | sha256sum | cut -c1-16)
mkdir -p "$CACHE/lb-$KEY"
ln -s "$CACHE/lb-$KEY" cache
# keep only the newest two keys
ls -1dt "$CACHE"/lb-* 2>/dev/null | tail -n +3 | xargs -r rm -rf

# --- live-build configuration ---------------------------------------------------------------
# Kernel parameters of every boot entry (the check adds kaketsuke.auto=... console=ttyS0):
#   boot=live        live-boot finds the medium (only on removable/USB/optical devices: see
#                    the initramfs script kaketsuke-premount) and mounts the squashfs
#   nopersistence    never look for or mount persistence volumes
#   noeject          do not ask to remove the medium at power-off
#   systemd.gpt_auto=0  systemd never mounts partitions it finds by GPT type
#   (swap is off: live-boot only activates swap with the 'swap' parameter)
APPEND="boot=live nopersistence noeject systemd.gpt_auto=0 quiet"
lb config \
	--mode debian \
	--distribution "$DIST" \
	--architecture amd64 \
	--archive-areas main \
	--mirror-bootstrap "$MIRROR" \
	--mirror-chroot "$MIRROR" \
	--mirror-binary "$MIRROR" \
	--mirror-chroot-security "$SECURITY" \
	--mirror-binary-security "$SECURITY" \
	--security true \
	--updates true \
	--system live \
	--debootstrap-options "--variant=minbase" \
	--initramfs live-boot \
	--initsystem systemd \
	--linux-flavours amd64 \
	--linux-packages linux-image \
	--binary-images iso-hybrid \
	--bootloaders "grub-efi syslinux" \
	--uefi-secure-boot enable \
	--debian-installer none \
	--memtest none \
	--win32-loader false \
	--firmware-binary false \
	--firmware-chroot false \
	--apt-recommends false \
	--apt-indices false \
	--apt-source-archives false \
	--source false \
	--zsync false \
	--checksums sha256 \
	--cache true \
	--cache-packages true \
	--cache-indices false \
	--cache-stages bootstrap \
	--chroot-squashfs-compression-type "$SQUASH_COMP" \
	--chroot-squashfs-compression-level "$SQUASH_LEVEL" \
	--bootappend-live "$APPEND" \
	--bootappend-live-failsafe none \
	--iso-application "kaketsuke $VERSION" \
	--iso-publisher "kaketsuke" \
	--iso-volume "KAKETSUKE" \
	--image-name "kaketsuke" \
	--hdd-label KAKETSUKE \
	>lb-config.log 2>&1 || { cat lb-config.log >&2; exit 1; }

# our configuration on top: package list, bootloader menus, files, hooks
cp -a "$HERE/config/." config/
INC=config/includes.chroot
install -D -m 0755 "$HERE/kaketsuke-target" "$INC/usr/lib/kaketsuke/kaketsuke-target"
install -D -m 0755 "$HERE/kaketsuke-auto" "$INC/usr/lib/kaketsuke/kaketsuke-auto"
install -D -m 0755 "$HERE/kaketsuke-readonly" "$INC/usr/lib/kaketsuke/kaketsuke-readonly"
install -D -m 0755 "$HERE/kaketsuke-console" "$INC/usr/lib/kaketsuke/kaketsuke-console"
# the portable build, unpacked to /opt/kaketsuke
mkdir -p "$INC/opt/kaketsuke" "$INC/usr/local/bin"
tar -xzf "$PORTABLE" -C "$INC/opt/kaketsuke" --strip-components=1 --no-same-owner
if [ ! -x "$INC/opt/kaketsuke/kaketsuke" ]; then
	echo "build.sh: $1 has no top-level launcher 'kaketsuke'" >&2
	exit 1
fi
ln -s /opt/kaketsuke/kaketsuke "$INC/usr/local/bin/kaketsuke"
echo "kaketsuke $VERSION" > "$INC/etc/kaketsuke-release"

# --- build ----------------------------------------------------------------------------------
echo "build.sh: lb build in $WORK (log: $WORK/build.log)"
if ! lb build >build.log 2>&1; then
	tail -n 60 build.log >&2
	echo "build.sh: lb build failed (full log: $WORK/build.log)" >&2
	exit 1
fi
ISO=$(ls -1 "$WORK"/*.hybrid.iso 2>/dev/null | head -n 1)
if [ -z "$ISO" ]; then
	tail -n 30 build.log >&2
	echo "build.sh: lb build made no image" >&2
	exit 1
fi
mkdir -p "$(dirname "$OUT")"
mv -f "$ISO" "$OUT"
T1=$(date +%s)
printf 'build.sh: %s (%s MiB) in %d s\n' "$OUT" $(( $(stat -c %s "$OUT") / 1048576 )) $((T1 - T0))
