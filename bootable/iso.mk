# bootable/iso.mk - the bootable image; included by the top Makefile (after portable.mk).
#   make iso         build/kaketsuke-<version>-amd64.iso: Debian bookworm live system (live-build),
#                    hybrid BIOS (isolinux) + UEFI (Debian's signed shim, GRUB and kernel: boots
#                    with Secure Boot on); the portable build in /opt/kaketsuke. Needs root.
#   make iso-check   the image booted in qemu (TCG): BIOS, and UEFI with Secure Boot on, each on a
#                    generated infected disk with an empty evidence stick; checks the bundle.
# Layout and boot policy: bootable/README.md. Debian packages and the debootstrap root are cached
# in /var/cache/kaketsuke (KAKETSUKE_ISO_CACHE) between builds.

# keeps "all" the default goal wherever this file is included
all:

# live-build builds in a chroot (its own tools come from the mirror); the check boots qemu with
# OVMF and reads the evidence disk's exFAT with TSK (sleuthkit: make deps has it already)
DEB_PKGS += live-build debootstrap xorriso squashfs-tools qemu-system-x86 ovmf exfatprogs \
            dosfstools mtools fdisk sleuthkit unzip openssl

ISO_VERSION  := $(shell sed -n 's/^\#define KK_VERSION "\(.*\)"/\1/p' src/cli/cli.h)
ISO_IMAGE    := build/kaketsuke-$(ISO_VERSION)-amd64.iso
ISO_PORTABLE ?= $(or $(PORTABLE_TGZ),build/kaketsuke-portable-$(ISO_VERSION)-x86_64.tar.gz)
ISO_SRC      := bootable/iso/build.sh $(wildcard bootable/iso/kaketsuke-*) \
                $(shell find bootable/iso/config -type f 2>/dev/null)

.PHONY: iso iso-check
iso: deps portable
	@$(MAKE) --no-print-directory $(ISO_IMAGE)

$(ISO_IMAGE): $(ISO_PORTABLE) $(ISO_SRC)
	nice -n 10 bootable/iso/build.sh $(ISO_PORTABLE) $@

iso-check: iso
	@$(MAKE) --no-print-directory $(BUILD)/kaketsuke
	BUILD=$(BUILD) bootable/iso/check.sh $(ISO_IMAGE)
