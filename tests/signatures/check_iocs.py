#!/usr/bin/env python3
"""Recompute every hash in signatures/iocs/hash-iocs.txt from the test content it
names, and fail on any hash this script cannot account for.  Check every file name
indicator against tests/signatures/filename-ioc-examples.txt (each example matches,
each indicator is exercised).  Hash IOCs in the
bundled set are limited to contents we can produce here (policy in the file)."""
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigtest  # noqa: E402

# The EICAR string is assembled from two halves so this file is not itself a test file.
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
CONTENTS = {
    "EICAR": EICAR,
    "kaketsuke hash IOC test file": b"KAKETSUKE-HASH-IOC-TEST-not-malware\n",
}

known = {}
for label, data in CONTENTS.items():
    for algo in ("md5", "sha1", "sha256"):
        known[hashlib.new(algo, data).hexdigest()] = label

bad = 0
nhash = 0
with open(os.path.join(sigtest.ROOT, "signatures", "iocs", "hash-iocs.txt"), encoding="utf-8") as fh:
    for lineno, line in enumerate(fh, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        h, comment = line.split(";", 1)
        nhash += 1
        label = known.get(h.lower())
        if label is None:
            print("hash-iocs.txt:%d: %s cannot be verified here (%s)" % (lineno, h, comment))
            bad += 1
        elif not comment.startswith(label):
            print("hash-iocs.txt:%d: %s is the hash of %r, comment says %r" % (lineno, h, label, comment))
            bad += 1
missing = set(known) - {l.split(";")[0].lower() for l in open(os.path.join(sigtest.ROOT, "signatures", "iocs", "hash-iocs.txt"), encoding="utf-8") if ";" in l and not l.startswith("#")}
for h in sorted(missing):
    print("hash-iocs.txt: %s (%s) is missing" % (h, known[h]))
    bad += 1


if __name__ == "__main__":
    iocs = sigtest.filename_iocs()
    used = set()
    nex = 0
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "filename-ioc-examples.txt"), encoding="utf-8") as fh:
        for line in fh:
            path = line.rstrip("\n")
            if not path or path.startswith("#"):
                continue
            nex += 1
            hits = sigtest.filename_hits(iocs, path)
            if not hits:
                print("filename-ioc-examples.txt: %s matches no indicator" % path)
                bad += 1
            used.update(hits)
    for n, rx, sc, fp in iocs:
        if n not in used:
            print("filename-iocs.txt:%d: no example path matches %s" % (n, rx.pattern))
            bad += 1
    print("check_iocs: %d hashes, %d file name indicators, %d example paths, %d problems" % (nhash, len(iocs), nex, bad))
    sys.exit(1 if bad else 0)
