#!/usr/bin/env python3
"""Print the bundled rules (one name per line) that match one file, scanned with the
yara CLI and the file's own external variables.  Usage: scan_one.py FILE"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigtest  # noqa: E402

path = sys.argv[1]
ext = sigtest.externals_for(path)
names = set()
for f in sigtest.rule_files():
    p = subprocess.run(["yara"] + sigtest.yara_d_args(ext) + [f, path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("yara failed on %s: %s" % (f, p.stderr.strip()))
    for line in p.stdout.splitlines():
        names.add(line.split(" ", 1)[0])
for n in sorted(names):
    print(n)
