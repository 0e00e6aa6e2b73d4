#!/usr/bin/env python3
"""Helpers for the memory-scan tests.

    check.py yaraset RULES FLAT      run `yara -s` (the oracle) on a flat image and print
                                     "rule<TAB>string id<TAB>address" lines, sorted, unique
    check.py kkset JSONL             the same from kaketsuke's match records (sorted, not
                                     made unique: a duplicate shows as a repeated line)
    check.py offsets JSONL IMAGE MAP FLAT
                                     each string's offset must be where the generator put
                                     that address (MAP), its bytes in IMAGE must equal the
                                     flat image's, its data the flat bytes (escaped as
                                     yara -s does), and each record's context must hold
                                     the first string's data
"""
import json
import subprocess
import sys


def escape(b):
    return "".join(chr(c) if 32 <= c < 127 else "\\x%02x" % c for c in b)


def yaraset(rules, flat):
    out = subprocess.run(["yara", "-s", rules, flat], check=True, capture_output=True).stdout
    rows = set()
    rule = None
    for line in out.decode("latin-1").splitlines():
        if line.startswith("0x"):
            addr, sid, _ = line.split(":", 2)
            rows.add((rule, sid, int(addr, 16)))
        else:
            rule = line.split(" ", 1)[0]
    for r in sorted(rows):
        print("%s\t%s\t%d" % r)


def records(path, kind="match"):
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r["type"] == kind:
                yield r


def kkset(path):
    rows = []
    for r in records(path):
        for s in r.get("strings", []):
            rows.append((r["rule"], s["id"], s["address"]))
    for r in sorted(rows):
        print("%s\t%s\t%d" % r)


def offsets(path, image, mapfile, flat):
    ext = json.load(open(mapfile))["extents"]
    img = open(image, "rb").read()
    fl = open(flat, "rb").read()
    bad = 0

    def where(addr):
        for a, o, n in ext:
            if a <= addr < a + n:
                return o + addr - a, a + n - addr
        return None, 0

    n = 0
    for r in records(path):
        strings = r.get("strings", [])
        for s in strings:
            n += 1
            off, left = where(s["address"])
            if off is None or s.get("offset") != off:
                print("# %s %s at 0x%x: offset %s, expected %s" % (r["rule"], s["id"], s["address"], s.get("offset"), off))
                bad += 1
                continue
            k = min(s["length"], left)
            if img[off:off + k] != fl[s["address"]:s["address"] + k]:
                print("# %s %s at 0x%x: image bytes differ from the flat image" % (r["rule"], s["id"], s["address"]))
                bad += 1
            if s["data"] != escape(fl[s["address"]:s["address"] + min(s["length"], 64)]):
                print("# %s %s at 0x%x: data %r" % (r["rule"], s["id"], s["address"], s["data"]))
                bad += 1
        if strings:
            first = min(strings, key=lambda s: s["address"])
            if r.get("address") != first["address"] or r.get("offset") != first.get("offset"):
                print("# %s: record address/offset is not the first string's" % r["rule"])
                bad += 1
            if first["data"] not in r.get("context", ""):
                print("# %s: context %r lacks %r" % (r["rule"], r.get("context"), first["data"]))
                bad += 1
    print("# %d strings checked, %d problems" % (n, bad))
    sys.exit(1 if bad else 0)


def main():
    cmd = sys.argv[1]
    if cmd == "yaraset":
        yaraset(sys.argv[2], sys.argv[3])
    elif cmd == "kkset":
        kkset(sys.argv[2])
    elif cmd == "offsets":
        offsets(*sys.argv[2:6])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
