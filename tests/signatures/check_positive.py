#!/usr/bin/env python3
"""Check that every rule matches its harmless positive sample.

Usage: check_positive.py SAMPLEDIR
  SAMPLEDIR is what samples.py wrote (manifest.tsv + one folder per rule).

For each rule: compile all rule files with yarac (each file in its own namespace,
as the scanner loads them), scan the rule's sample with the yara CLI and the
sample's own external variables (-d), and require the rule among the matches.
Other rules that also match the sample are listed (information, not an error).
When python3-yara is importable, the same scan is repeated through it and the
two engines must agree.  Prints one line per rule:
  PASS <rule> [also: ...]      FAIL <rule>: <why>
and exits 1 if any rule failed.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigtest  # noqa: E402

try:
    import yara  # python3-yara (Debian); optional second oracle
except ImportError:
    yara = None


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sdir = sys.argv[1]
    rows = []
    with open(os.path.join(sdir, "manifest.tsv"), encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            rows.append((f[0], f[1], dict(zip(sigtest.EXTERNALS, f[2:]))))
    files = sigtest.rule_files()
    ns_args = []
    filepaths = {}
    for f in files:
        ns = os.path.relpath(f, sigtest.RULES_DIR)
        ns_args.append("%s:%s" % (ns, f))
        filepaths[ns] = f
    td = tempfile.mkdtemp(prefix="kk-pos-")
    compiled = os.path.join(td, "all.yarc")
    p = subprocess.run(["yarac"] + sigtest.yara_d_args({}) + ns_args + [compiled],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        print("FAIL yarac: " + p.stdout.strip())
        return 1
    pyrules = None
    if yara is not None:
        pyrules = yara.compile(filepaths=filepaths, externals={k: "" for k in sigtest.EXTERNALS})
    failed = 0
    for rule, path, ext in rows:
        p = subprocess.run(["yara", "-e", "-C"] + sigtest.yara_d_args(ext) + [compiled, path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        cli = set()
        for line in p.stdout.splitlines():
            name = line.split(" ", 1)[0]
            cli.add(name.split(":", 1)[1] if ":" in name else name)
        why = []
        if p.returncode != 0 or p.stderr.strip():
            why.append("yara exit %d: %s" % (p.returncode, p.stderr.strip()))
        if rule not in cli:
            why.append("sample %s not matched (matched: %s)" % (path, ", ".join(sorted(cli)) or "nothing"))
        if pyrules is not None:
            py = {m.rule for m in pyrules.match(path, externals=ext)}
            if py != cli:
                why.append("yara CLI and python3-yara disagree: cli=%s python=%s" % (sorted(cli), sorted(py)))
        if why:
            failed += 1
            print("FAIL %s: %s" % (rule, "; ".join(why)))
        else:
            also = sorted(cli - {rule})
            print("PASS %s%s" % (rule, (" [also: %s]" % ", ".join(also)) if also else ""))
    print("positive: %d rules, %d failed, python3-yara cross-check %s" %
          (len(rows), failed, "on" if pyrules is not None else "off (module not found)"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
