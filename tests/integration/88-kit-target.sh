#!/usr/bin/env bash
# The kit's evidence-target helper (bootable/iso/kaketsuke-target) without a VM: which disks
# it offers (never an internal disk, the kit stick's image or a computer's disk in a USB dock)
# and what `prepare` refuses, on a fake sysfs tree and image files. The mounting and
# partitioning it does on a live system are checked by `make iso-check` in qemu.
exec bash "$ROOT/bootable/iso/test-target.sh"
