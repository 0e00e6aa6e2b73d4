#!/bin/bash
# tests/fuzz/make-image-seeds.sh OUTDIR - tiny disk images as seeds for fuzz_image
# (and inputs for replay_image). Made at test time so no binary image is committed.
#   fat12.img      64 KiB FAT12: files, a directory, a long name, a deleted file
#   ext2.img       64 KiB ext2: files, a directory, a symlink loop, a FIFO, a deleted file
#   mbr-fat12.img  MBR with one partition holding fat12.img (66 KiB)
#   gpt-ext2.img   GPT with one partition holding ext2.img (needs sgdisk)
# Tools missing here only mean fewer seeds. Nothing needs root, loop devices or FUSE.
set -u
OUT=${1:?usage: make-image-seeds.sh OUTDIR}
SCRIPT=$(readlink -f "$0")
if [ -f "$OUT/.stamp" ] && [ "$OUT/.stamp" -nt "$SCRIPT" ]; then
	exit 0
fi
mkdir -p "$OUT"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
have() { command -v "$1" >/dev/null 2>&1; }

printf 'hello from a seed image\n' > "$W/a.txt"
printf 'KAKETSUKE-FUZZ-MARKER\n' > "$W/b.txt"
printf 'deleted but still there\n' > "$W/c.txt"
head -c 3000 /dev/zero | tr '\0' 'x' > "$W/big.txt"

if have mkfs.fat && have mcopy && have mmd && have mdel; then
	rm -f "$W/fat12.img"
	if mkfs.fat -C -n KKSEED "$W/fat12.img" 64 >/dev/null &&
		mcopy -i "$W/fat12.img" "$W/a.txt" ::/a.txt &&
		mmd -i "$W/fat12.img" ::/dir ::/dir/sub &&
		mcopy -i "$W/fat12.img" "$W/b.txt" ::/dir/b.txt &&
		mcopy -i "$W/fat12.img" "$W/big.txt" "::/dir/sub/A Long File Name.txt" &&
		mcopy -i "$W/fat12.img" "$W/c.txt" ::/c.txt &&
		mdel -i "$W/fat12.img" ::/c.txt; then
		cp "$W/fat12.img" "$OUT/fat12.img"
	else
		echo "make-image-seeds: fat12.img not made" >&2
	fi
fi

if have mke2fs; then
	mkdir -p "$W/e2/etc" "$W/e2/d"
	cp "$W/a.txt" "$W/e2/etc/passwd"
	cp "$W/b.txt" "$W/e2/d/b.txt"
	cp "$W/c.txt" "$W/e2/gone.txt"
	ln -s . "$W/e2/d/loop"
	mkfifo "$W/e2/d/fifo" 2>/dev/null || true
	rm -f "$W/ext2.img"
	truncate -s 64K "$W/ext2.img"
	if mke2fs -q -F -t ext2 -b 1024 -N 32 -d "$W/e2" "$W/ext2.img" 64 >/dev/null 2>&1; then
		if have debugfs; then
			debugfs -w -R "rm /gone.txt" "$W/ext2.img" >/dev/null 2>&1 || true
		fi
		cp "$W/ext2.img" "$OUT/ext2.img"
	else
		echo "make-image-seeds: ext2.img not made" >&2
	fi
fi

if have sfdisk && [ -f "$OUT/fat12.img" ]; then
	rm -f "$W/mbr.img"
	truncate -s $((132 * 512)) "$W/mbr.img"
	if printf 'start=4, size=128, type=1\n' | sfdisk -q --no-reread --no-tell-kernel "$W/mbr.img" >/dev/null 2>&1 &&
		dd if="$OUT/fat12.img" of="$W/mbr.img" bs=512 seek=4 conv=notrunc status=none; then
		cp "$W/mbr.img" "$OUT/mbr-fat12.img"
	else
		echo "make-image-seeds: mbr-fat12.img not made" >&2
	fi
fi

if have sgdisk && [ -f "$OUT/ext2.img" ]; then
	rm -f "$W/gpt.img"
	truncate -s $(((34 + 128 + 33) * 512)) "$W/gpt.img"
	if sgdisk -a 1 -n 1:34:161 -t 1:8300 "$W/gpt.img" >/dev/null 2>&1 &&
		dd if="$OUT/ext2.img" of="$W/gpt.img" bs=512 seek=34 conv=notrunc status=none; then
		cp "$W/gpt.img" "$OUT/gpt-ext2.img"
	else
		echo "make-image-seeds: gpt-ext2.img not made" >&2
	fi
fi

touch "$OUT/.stamp"
