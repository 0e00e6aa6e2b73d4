#!/usr/bin/env python3
"""Generate memory images for the memory-scan tests (deterministic, seeded).

    gen.py formats OUTDIR CHUNK OVERLAP   images in every supported format + flat twins
    gen.py bad OUTDIR                     malformed and refused images
    gen.py carve OUTDIR                   a raw image with PE modules in it
    gen.py bench FILE MIB                 a large raw image for the benchmark

For each image NAME of `formats`, OUTDIR holds NAME (the image), NAME.flat (the same
physical memory as a flat raw file, holes as zeros: what `yara` scans as the oracle)
and NAME.map (JSON: extents [[address, file offset, length], ...]) written from the
generator's own layout, to check the offsets kaketsuke reports.

Planted markers (matched by tests/memory/rules/mem.yar) sit across chunk boundaries
(of the CHUNK/OVERLAP the test scans with), at the start and end of chunks, in the
overlap, across the end of an overlap window, across two physically adjacent ranges,
hundreds of times (repeats) and at the very end of the image.
"""
import json
import os
import random
import struct
import sys

PAGE = 4096

MARKERS = [
    b"KKMEM-TEXT-MARKER",
    b"KKMEM-ALPHA",
    b"kkmem-beta",                          # nocase rule
    "KKMEM-WIDE".encode("utf-16-le"),       # wide rule
    b"KKHEX\x01\x02!xyz??",                 # hex rule with wildcards and a jump
    b"KKRE12345Z",                          # regex rule
]
REPEAT = b"KKMEM-REPEAT"
END = b"KKMEM-END-OF-IMAGE"


def long_marker(n):
    body = bytes(65 + (i * 7) % 26 for i in range(n))
    return b"KKLONG" + body + b"GNOLKK"


class Mem:
    """Physical memory: segments of bytes at addresses; the rest are holes."""

    def __init__(self, segs, seed):
        self.rng = random.Random(seed)
        self.segs = sorted(segs)
        self.size = max(a + n for a, n in self.segs)
        self.flat = bytearray(self.size)
        for a, n in self.segs:
            self.flat[a:a + n] = self.rng.randbytes(n)
        self.used = []  # planted intervals

    def seg_of(self, a, n):
        for s, m in self.segs:
            if s <= a and a + n <= s + m:
                return s
        return None

    def free(self, a, n):
        # keep 8 bytes between plants so no marker runs into another
        return all(a + n + 8 <= u or u + w + 8 <= a for u, w in self.used)

    def plant(self, a, data, force=False):
        if a < 0 or self.seg_of(a, len(data)) is None:
            return False
        if not force and not self.free(a, len(data)):
            return False
        self.flat[a:a + len(data)] = data
        self.used.append((a, len(data)))
        return True


def plant_all(mem, chunk, overlap, repeats=300):
    """Markers across the chunk boundaries of every segment (chunks start at the segment
    start, as kaketsuke cuts them), repeats anywhere, one marker at the very end."""
    k = 0
    # adjacent segments (no hole between) form one scan segment
    scan = []
    for a, n in mem.segs:
        if scan and scan[-1][0] + scan[-1][1] == a:
            scan[-1] = (scan[-1][0], scan[-1][1] + n)
        else:
            scan.append((a, n))
    for s, n in scan:
        b = s + chunk
        while b < s + n:
            m = MARKERS[k % len(MARKERS)]
            k += 1
            if k % 3 == 0:  # a long match (regex) across the boundary
                mem.plant(b - 700, long_marker(min(overlap, 4096) - 600))
            else:
                mem.plant(b - len(m) // 2, m)            # straddles the boundary
                mem.plant(b, MARKERS[k % len(MARKERS)])  # starts exactly at it
                mem.plant(b - len(m), m)                 # ends exactly at it
                mem.plant(b + overlap // 2, MARKERS[(k + 3) % len(MARKERS)])  # inside the overlap
            mem.plant(b + overlap - 5, MARKERS[(k + 2) % len(MARKERS)])  # crosses the window end
            b += chunk
    # across the join of adjacent segments (ranges)
    for (a, n), (c, _) in zip(mem.segs, mem.segs[1:]):
        if a + n == c:
            mem.plant(c - 6, b"KKMEM-TEXT-MARKER")
    for _ in range(repeats):
        for _try in range(50):
            s, n = mem.segs[mem.rng.randrange(len(mem.segs))]
            if n <= 64:
                continue
            a = s + mem.rng.randrange(n - len(REPEAT))
            if mem.plant(a, REPEAT):
                break
    s, n = mem.segs[-1]
    mem.plant(s + n - len(END), END, force=True)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def write_map(path, extents):
    with open(path, "w") as f:
        json.dump({"extents": extents}, f)


def lime_bytes(mem, ranges, version=1):
    out = bytearray()
    ext = []
    for a, n in ranges:
        out += struct.pack("<IIQQQ", 0x4C694D45, version, a, a + n - 1, 0)
        ext.append([a, len(out), n])
        out += mem.flat[a:a + n]
    return bytes(out), ext


def elf_bytes(mem, ranges, extra_memsz=None, vbox=False):
    """ELF64 core like qemu's dump-guest-memory: a PT_NOTE, then one PT_LOAD per range
    (p_paddr = physical address, p_vaddr = 0). vbox: like VirtualBox's dumpvmcore
    (p_vaddr = p_paddr, the note first in the file) and with e_phnum = PN_XNUM (the count
    in section header 0's sh_info)."""
    note = struct.pack("<III", 5, 8, 1) + b"CORE\0\0\0\0" + b"\0" * 8
    if vbox:
        note = struct.pack("<III", 7, 16, 0xb00) + b"VBCORE\0\0" + b"\0" * 16
    phnum = 1 + len(ranges)
    phoff = 64
    shoff = phoff + 56 * phnum if vbox else 0
    data_off = phoff + 56 * phnum + (64 if vbox else 0)
    note_off = data_off
    data_off = (data_off + len(note) + PAGE - 1) // PAGE * PAGE
    ehdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    ehdr += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, phoff, shoff, 0, 64, 56,
                        0xFFFF if vbox else phnum, 64, 1 if vbox else 0, 0)
    ph = struct.pack("<IIQQQQQQ", 4, 0, note_off, 0, 0, len(note), len(note), 0)
    body = bytearray()
    ext = []
    off = data_off
    for i, (a, n) in enumerate(ranges):
        memsz = n + (extra_memsz if (extra_memsz and i == 0) else 0)
        ph += struct.pack("<IIQQQQQQ", 1, 7, off, a if vbox else 0, a, n, memsz, PAGE)
        ext.append([a, off, n])
        body += mem.flat[a:a + n]
        off += n
    sh = struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, phnum, 0, 0) if vbox else b""
    head = ehdr + ph + sh + note
    head += b"\0" * (data_off - len(head))
    return head + bytes(body), ext


def crash_header(dump_type):
    h = bytearray(0x2000)
    h[0:8] = b"PAGEDU64"
    struct.pack_into("<II", h, 8, 15, 19041)
    struct.pack_into("<I", h, 0x30, 0x8664)
    struct.pack_into("<I", h, 0x34, 2)
    struct.pack_into("<I", h, 0xF98, dump_type)
    h[0xFB0:0xFB0 + 20] = b"kaketsuke test dump\0"
    return h


def crash_runs_bytes(mem, ranges):
    h = crash_header(1)
    pages = sum(n for _, n in ranges) // PAGE
    struct.pack_into("<IIQ", h, 0x88, len(ranges), 0, pages)
    out = bytearray(h)
    ext = []
    for i, (a, n) in enumerate(ranges):
        assert a % PAGE == 0 and n % PAGE == 0
        struct.pack_into("<QQ", out, 0x98 + 16 * i, a // PAGE, n // PAGE)
        ext.append([a, len(out), n])
        out += mem.flat[a:a + n]
    return bytes(out), ext


def crash_bitmap_bytes(mem, dump_type=5, sig=b"FDMP"):
    npages = (mem.size + PAGE - 1) // PAGE
    present = [mem.seg_of(p * PAGE, PAGE) is not None for p in range(npages)]
    bm = bytearray((npages + 7) // 8)
    for p, yes in enumerate(present):
        if yes:
            bm[p // 8] |= 1 << (p % 8)
    h = crash_header(dump_type)
    b = bytearray(0x38)
    b[0:8] = sig + b"DUMP"
    first = (0x2000 + 0x38 + len(bm) + PAGE - 1) // PAGE * PAGE
    struct.pack_into("<QQQ", b, 0x20, first, sum(present), npages)
    out = bytearray(h) + b + bm
    out += b"\0" * (first - len(out))
    ext = []
    for p, yes in enumerate(present):
        if yes:
            if ext and ext[-1][0] + ext[-1][2] == p * PAGE and ext[-1][1] + ext[-1][2] == len(out):
                ext[-1][2] += PAGE
            else:
                ext.append([p * PAGE, len(out), PAGE])
            out += mem.flat[p * PAGE:(p + 1) * PAGE]
    return bytes(out), ext


def formats(outdir, chunk, overlap):
    os.makedirs(outdir, exist_ok=True)
    made = []

    def emit(name, mem, img, ext):
        write(os.path.join(outdir, name), img)
        write(os.path.join(outdir, name + ".flat"), bytes(mem.flat))
        write_map(os.path.join(outdir, name + ".map"), ext)
        made.append(name)

    # raw: one flat image; the size is not a multiple of the chunk
    mem = Mem([(0, 40 * chunk + 777)], seed=1)
    plant_all(mem, chunk, overlap)
    emit("plain.raw", mem, bytes(mem.flat), [[0, 0, mem.size]])

    # LiME: several ranges, holes, two physically adjacent ranges, a range that does not
    # start on a page, the last range ending on an odd address
    segs = [(0, 9 * chunk), (12 * chunk, 5 * chunk), (17 * chunk, 4 * chunk + 4096),
            (24 * chunk + 0xA0, 6 * chunk + 333)]
    mem = Mem(segs, seed=2)
    plant_all(mem, chunk, overlap)
    img, ext = lime_bytes(mem, segs)
    emit("ranges.lime", mem, img, ext)

    # ELF64 core (qemu style), same kind of layout; one PT_LOAD with p_memsz > p_filesz
    segs = [(0, 10 * chunk), (16 * chunk, 3 * chunk), (19 * chunk, 7 * chunk + 100)]
    mem = Mem(segs, seed=3)
    plant_all(mem, chunk, overlap)
    img, ext = elf_bytes(mem, segs, extra_memsz=2 * chunk)
    emit("qemu.elf", mem, img, ext)

    # ELF64 core like VirtualBox's (p_vaddr = p_paddr), e_phnum = PN_XNUM, ranges out of
    # address order in the file
    segs = [(8 * chunk, 6 * chunk + 512), (0, 5 * chunk), (5 * chunk, 2 * chunk)]
    mem = Mem(segs, seed=8)
    plant_all(mem, chunk, overlap)
    img, ext = elf_bytes(mem, segs, vbox=True)
    emit("vbox.elf", mem, img, ext)

    # Windows crash dump, full (run-based descriptor): page-aligned runs with gaps
    segs = [(PAGE, 8 * chunk - PAGE), (10 * chunk, 12 * chunk), (30 * chunk, 5 * chunk)]
    mem = Mem(segs, seed=4)
    plant_all(mem, chunk, overlap)
    img, ext = crash_runs_bytes(mem, segs)
    emit("runs.dmp", mem, img, ext)

    # Windows crash dump, bitmap: present pages in runs of different lengths (single
    # pages, short and long runs), the rest absent
    rng = random.Random(5)
    segs = []
    p = 0
    while p < 60 * chunk // PAGE:
        run = rng.choice([1, 1, 2, 3, 5, 8, 17, 40, 100])
        segs.append((p * PAGE, run * PAGE))
        p += run + rng.choice([1, 1, 2, 4, 9])
    mem = Mem(segs, seed=6)
    plant_all(mem, chunk, overlap)
    img, ext = crash_bitmap_bytes(mem)
    emit("bitmap.dmp", mem, img, ext)

    # kernel summary dump (type 2, "SDMP" bitmap header)
    segs = [(0, 3 * chunk), (5 * chunk, 2 * chunk)]
    mem = Mem(segs, seed=7)
    plant_all(mem, chunk, overlap, repeats=20)
    img, ext = crash_bitmap_bytes(mem, dump_type=2, sig=b"SDMP")
    emit("summary.dmp", mem, img, ext)

    with open(os.path.join(outdir, "LIST"), "w") as f:
        f.write("\n".join(made) + "\n")


def bad(outdir):
    os.makedirs(outdir, exist_ok=True)
    mark = b"KKMEM-TEXT-MARKER"
    rng = random.Random(9)

    def blob(n, at=100):
        b = bytearray(rng.randbytes(n))
        b[at:at + len(mark)] = mark
        return bytes(b)

    def lime_hdr(s, e, version=1):
        return struct.pack("<IIQQQ", 0x4C694D45, version, s, e, 0)

    W = lambda name, data: write(os.path.join(outdir, name), data)
    W("lime-trunc-header.lime", lime_hdr(0, 4095)[:20])
    W("lime-trunc-second.lime", lime_hdr(0, 8191) + blob(8192) + lime_hdr(0x10000, 0x10fff)[:10])
    W("lime-past-end.lime", lime_hdr(0x100000, 0x1fffff) + blob(100000))
    W("lime-overlap.lime", lime_hdr(0, 0x3fff) + blob(0x4000) + lime_hdr(0x2000, 0x5fff) + blob(0x4000, at=0x3000))
    W("lime-end-before-start.lime", lime_hdr(0, 0xfff) + blob(0x1000) + lime_hdr(0x9000, 0x8000) + blob(0x1000))
    W("lime-absurd.lime", lime_hdr(0, 0xfff) + blob(0x1000) + lime_hdr(0x1000, (1 << 62)) + blob(0x1000))
    W("lime-absurd-addr.lime", lime_hdr(1 << 60, (1 << 60) + 0xfff) + blob(0x1000) + lime_hdr(0, 0xfff) + blob(0x1000))
    W("lime-version2.lime", lime_hdr(0, 0xfff, version=2) + blob(0x1000))
    W("lime-garbage-after.lime", lime_hdr(0, 0xfff) + blob(0x1000) + b"\x00garbage" * 8)

    ehdr = lambda phnum, phoff=64, shoff=0: (b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8 +
        struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, phoff, shoff, 0, 64, 56, phnum, 64, 1 if shoff else 0, 0))
    load = lambda off, paddr, n: struct.pack("<IIQQQQQQ", 1, 7, off, 0, paddr, n, n, PAGE)
    W("elf-trunc-phdrs.elf", ehdr(50) + load(4096, 0, 4096))
    sh0 = struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, 0x7fffffff, 0, 0)
    W("elf-absurd-phnum.elf", ehdr(0xffff, shoff=64) + sh0 + b"\0" * 64)
    W("elf-load-past-end.elf", ehdr(2) + load(4096, 0, 4096) + load(8192, 0x100000, 1 << 30) +
      b"\0" * (4096 - 64 - 112) + blob(4096) + blob(4096, at=200))
    W("elf-absurd-paddr.elf", ehdr(2) + load(4096, 1 << 62, 4096) + load(8192, 0, 4096) +
      b"\0" * (4096 - 64 - 112) + blob(4096) + blob(4096, at=200))
    W("elf-no-load.elf", ehdr(1) + struct.pack("<IIQQQQQQ", 4, 0, 0, 0, 0, 0, 0, 0))
    # a process core dump: PT_LOADs with p_paddr 0 -> a file, not a memory image
    ph = (struct.pack("<IIQQQQQQ", 1, 5, 4096, 0x400000, 0, 4096, 4096, PAGE) +
          struct.pack("<IIQQQQQQ", 1, 6, 8192, 0x600000, 0, 4096, 4096, PAGE))
    W("process.core", ehdr(2) + ph + b"\0" * (4096 - 64 - 112) + blob(8192))

    W("crash-trunc.dmp", b"PAGEDU64" + b"\0" * 100)
    h = crash_header(1)
    struct.pack_into("<IIQ", h, 0x88, 1000, 0, 1)
    W("crash-runs-absurd.dmp", bytes(h) + blob(4096))
    h = crash_header(1)
    struct.pack_into("<IIQQQ", h, 0x88, 1, 0, 1 << 30, 0, 1 << 30)
    W("crash-runs-past-end.dmp", bytes(h) + blob(3 * 4096))
    h = crash_header(5)
    b = bytearray(0x38)
    b[0:8] = b"FDMP" + b"DUMP"
    struct.pack_into("<QQQ", b, 0x20, 0x3000, 1, 1 << 60)
    W("crash-bitmap-absurd.dmp", bytes(h) + bytes(b) + b"\x01" + blob(8192))
    struct.pack_into("<QQQ", b, 0x20, 0x3000, 1, 1 << 30)
    W("crash-bitmap-trunc.dmp", bytes(h) + bytes(b) + b"\x01" * 100)
    struct.pack_into("<QQQ", b, 0x20, 0x3000, 1, 8)
    W("crash-bitmap-nofirst.dmp", bytes(h) + bytes(b) + b"\x01")
    W("crash-triage.dmp", bytes(crash_header(4)) + blob(4096))
    W("crash-type9.dmp", bytes(crash_header(9)) + blob(4096))
    W("crash32.dmp", b"PAGEDUMP" + blob(0x3000)[8:])

    W("hiberfil.bin", b"hibr" + blob(0x3000)[4:])
    W("image.avml", b"AVML" + struct.pack("<I", 2) + blob(0x3000)[8:])
    W("pagefile.sys", blob(0x3000))
    W("plain.bin", blob(0x3000))
    W("empty.raw", b"")


def pe_image(size_of_image, name, marker_rva, marker, lfanew=0x80):
    img = bytearray(random.Random(size_of_image).randbytes(size_of_image))
    img[0:0x40] = b"\0" * 0x40
    img[0:2] = b"MZ"
    struct.pack_into("<I", img, 0x3C, lfanew)
    nt = lfanew
    img[nt:nt + 4] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", img, nt + 4, 0x8664, 1, 0x5F5E0FF, 0, 0, 0xF0, 0x2022)
    opt = nt + 24
    img[opt:opt + 0xF0] = b"\0" * 0xF0
    struct.pack_into("<H", img, opt, 0x20B)
    struct.pack_into("<II", img, opt + 32, 0x1000, 0x200)
    struct.pack_into("<II", img, opt + 56, size_of_image, 0x400)
    struct.pack_into("<I", img, opt + 108, 16)
    struct.pack_into("<II", img, opt + 112, 0x1000, 0x100)
    sec = opt + 0xF0
    img[sec:sec + 40] = b"\0" * 40
    img[sec:sec + 5] = b".text"
    struct.pack_into("<IIII", img, sec + 8, size_of_image - 0x1000, 0x1000, size_of_image - 0x1000, 0x400)
    exp = 0x1000
    img[exp:exp + 40] = b"\0" * 40
    struct.pack_into("<I", img, exp + 12, 0x1040)
    img[0x1040:0x1040 + len(name) + 1] = name + b"\0"
    img[marker_rva:marker_rva + len(marker)] = marker
    return bytes(img)


def carve(outdir):
    """carve.raw: 4 MiB of random bytes with
       mod A at 0x10000 (SizeOfImage 0x5000, marker at RVA 0x3000)
       mod B at 0x200000 (SizeOfImage 0x30000, marker at RVA 0x2F000: in another chunk
             than the header when scanned with 64K chunks), name kkmodb.dll
       a fake MZ (no PE header) at 0x300000 with a marker at +0x800
       a marker past mod A's SizeOfImage (0x10000 + 0x6000)
       an MZ+PE that is not on a page boundary (0x380010) with a marker at +0x2000
    Writes carve.json: what the test expects."""
    os.makedirs(outdir, exist_ok=True)
    size = 4 << 20
    flat = bytearray(random.Random(11).randbytes(size))
    mark = b"KKMEM-TEXT-MARKER"
    a = pe_image(0x5000, b"kkmoda.dll", 0x3000, mark)
    flat[0x10000:0x10000 + len(a)] = a
    b = pe_image(0x30000, b"kkmodb.dll", 0x2F000, b"KKMEM-ALPHA")
    flat[0x200000:0x200000 + len(b)] = b
    flat[0x300000:0x300002] = b"MZ"
    flat[0x300800:0x300800 + len(mark)] = mark
    flat[0x16000:0x16000 + 10] = b"KKMEM-BETA"
    c = pe_image(0x4000, b"kkmodc.dll", 0x2000, b"KKRE99999Z")
    flat[0x380010:0x380010 + len(c)] = c
    write(os.path.join(outdir, "carve.raw"), bytes(flat))
    exp = {
        "modules": {
            str(0x10000 + 0x3000): {"base": 0x10000, "size": 0x5000, "name": "kkmoda.dll"},
            str(0x200000 + 0x2F000): {"base": 0x200000, "size": 0x30000, "name": "kkmodb.dll"},
        },
        "no_module": [0x300800, 0x16000, 0x380010 + 0x2000],
    }
    with open(os.path.join(outdir, "carve.json"), "w") as f:
        json.dump(exp, f)


def bench(path, mib):
    """A memory-like raw image: zero pages, random pages, text and code-like pages."""
    rng = random.Random(2024)
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(2, 10)))
             for _ in range(2000)]
    text = b" ".join(rng.choice(words) for _ in range(300000))[:1 << 20]
    code = bytes(rng.choice([0x48, 0x89, 0x8b, 0xe8, 0xc3, 0x00, 0xff, 0x4c, 0x24, 0x0f, 0x85,
                             0x74, 0x41, 0x5d, 0x55, 0x90]) for _ in range(1 << 20))
    wide = "".join(chr(rng.choice(b"abcdefghijklmnop C:\\Windows")) for _ in range(1 << 19)).encode("utf-16-le")
    zero = bytes(1 << 20)
    with open(path + ".part", "wb") as f:
        for i in range(mib):
            kind = rng.random()
            if kind < 0.35:
                blk = zero
            elif kind < 0.55:
                blk = rng.randbytes(1 << 20)
            elif kind < 0.75:
                blk = text
            elif kind < 0.9:
                blk = code
            else:
                blk = wide
            f.write(blk)
    os.rename(path + ".part", path)


def main():
    cmd = sys.argv[1]
    if cmd == "formats":
        formats(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "bad":
        bad(sys.argv[2])
    elif cmd == "carve":
        carve(sys.argv[2])
    elif cmd == "bench":
        bench(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: gen.py formats|bad|carve|bench ...")


if __name__ == "__main__":
    main()
