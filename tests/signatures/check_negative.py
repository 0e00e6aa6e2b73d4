#!/usr/bin/env python3
"""Scan a negative corpus with the bundled rules; report every match.

Usage: check_negative.py [-j N] [--root-map OLD=NEW] LIST...
  LIST is a file with one path per line (files or directories; directories are
  walked, symlinks are not followed).  Each regular file is scanned with
  python3-yara and its own THOR-style external variables (filename, filepath,
  extension, filetype from the header, owner), each rule file compiled in its
  own namespace as the scanner does.  --root-map rewrites the filepath external
  (e.g. an extraction folder back to the image's own path).

Every path is also checked against signatures/iocs/filename-iocs.txt.
Prints "MATCH namespace:rule path" (with the matched strings indented below)
for every rule hit, "IOC filename-iocs.txt:LINE path" for every file name hit,
and a summary line; exits 1 if anything matched, 2 on errors.
"""
import multiprocessing
import os
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigtest  # noqa: E402

import yara  # python3-yara (Debian package)

_rules = None
_maps = []


def _init(maps):
    global _rules, _maps
    _maps = maps
    fps = {os.path.relpath(f, sigtest.RULES_DIR): f for f in sigtest.rule_files()}
    _rules = yara.compile(filepaths=fps, externals={k: "" for k in sigtest.EXTERNALS})


def _scan(path):
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            return path, 0, [], None
        with open(path, "rb") as fh:
            head = fh.read(64)
        ext = sigtest.externals_for(path, head=head)
        for old, new in _maps:
            if ext["filepath"].startswith(old):
                ext["filepath"] = new + ext["filepath"][len(old):]
        ms = _rules.match(path, externals=ext, timeout=60)
        out = []
        for m in ms:
            strs = []
            for s in m.strings[:6]:
                off, sid, data = s
                strs.append("%#x:%s: %r" % (off, sid, data[:64]))
            out.append(("%s:%s" % (m.namespace, m.rule), strs))
        return path, st.st_size, out, None
    except Exception as e:  # unreadable file, yara timeout
        return path, 0, [], "%s: %s" % (path, e)


def walk(p):
    if os.path.isdir(p) and not os.path.islink(p):
        for dp, dn, fn in os.walk(p):
            for f in fn:
                yield os.path.join(dp, f)
    else:
        yield p


def main():
    args = sys.argv[1:]
    jobs = 2
    maps = []
    lists = []
    while args:
        a = args.pop(0)
        if a == "-j":
            jobs = int(args.pop(0))
        elif a == "--root-map":
            old, new = args.pop(0).split("=", 1)
            maps.append((old, new))
        else:
            lists.append(a)
    paths = []
    seen = set()
    for lf in lists:
        with open(lf, encoding="utf-8", errors="surrogateescape") as fh:
            for line in fh:
                p = line.rstrip("\n")
                if not p:
                    continue
                for f in walk(p):
                    if f not in seen:
                        seen.add(f)
                        paths.append(f)
    iocs = sigtest.filename_iocs()
    nioc = 0
    for f in paths:
        for n in sigtest.filename_hits(iocs, f):
            nioc += 1
            print("IOC filename-iocs.txt:%d %s" % (n, f))
    t0 = time.time()
    nbytes = nfiles = nmatch = nerr = 0
    with multiprocessing.Pool(jobs, initializer=_init, initargs=(maps,)) as pool:
        for path, size, ms, err in pool.imap_unordered(_scan, paths, chunksize=16):
            if err:
                nerr += 1
                print("ERROR " + err)
                continue
            nfiles += 1
            nbytes += size
            for rule, strs in ms:
                nmatch += 1
                print("MATCH %s %s" % (rule, path))
                for s in strs:
                    print("    " + s)
    dt = time.time() - t0
    print("negative: %d files, %.1f MiB, %d matches, %d file name IOC hits, %d errors, %.1f s" %
          (nfiles, nbytes / 1048576.0, nmatch, nioc, nerr, dt))
    return 1 if nmatch or nioc else (2 if nerr else 0)


if __name__ == "__main__":
    sys.exit(main())
