#!/usr/bin/env python3
"""Lint the bundled signature set (signatures/rules, signatures/iocs, signatures/data).

Checks, each failure printed as FILE:LINE: message:
  - every rule file is readable by tests/signatures/sigtest.py (our subset of YARA syntax)
  - rule names are unique across all files; no private/global rules; no include/import
  - meta: exactly the keys category, family, score, description, description_ja,
    reference, author, date (each once, in any order); category from the fixed list;
    score an integer 0-100; description_ja contains Japanese; date YYYY-MM-DD;
    reference an http(s) URL or a docs/ path of this repository;
    remote-admin-tool rules score at most 40 (legitimate use exists)
  - every condition bounds the work: it mentions filesize, uint8/16/32 of a header,
    or an 'at'/'in' anchor
  - yarac compiles each file on its own (as the scanner does, own namespace, externals
    defined) and all files together, printing nothing: no warnings at all, so no
    "may slow down scanning"
  - IOC files: hash lines are HASH;COMMENT with an MD5/SHA1/SHA256, filename lines are
    REGEX;SCORE[;FP-REGEX] with a regex Python accepts and a score 0-100
  - the ransomware extension list has the documented format
Exit 0 when clean, 1 otherwise.  Usage: lint.py [RULES_DIR]
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigtest  # noqa: E402

CATEGORIES = {"ransomware", "ransom-note", "webshell", "rat", "remote-admin-tool", "hacktool",
              "credential-theft", "miner", "loader", "exploit", "persistence", "suspicious", "test"}
META_KEYS = ["category", "family", "score", "description", "description_ja", "reference", "author", "date"]
JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")

problems = []


def problem(where, msg):
    problems.append("%s: %s" % (where, msg))


def lint_rules(rules_dir):
    files = sigtest.rule_files(rules_dir)
    if not files:
        problem(rules_dir, "no rule files")
    seen = {}
    for f in files:
        rel = os.path.relpath(f, sigtest.ROOT)
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        if re.search(r"^\s*(include|import)\s", text, re.M):
            problem(rel, "include/import is not used in the bundled set")
        try:
            rules = sigtest.parse_file(f)
        except sigtest.ParseError as e:
            problem(rel, str(e))
            continue
        if not rules:
            problem(rel, "file holds no rule")
        for r in rules:
            loc = "%s:%d" % (rel, r.line)
            if r.name in seen:
                problem(loc, "rule name %s already used at %s" % (r.name, seen[r.name]))
            seen[r.name] = loc
            if r.modifiers:
                problem(loc, "%s: private/global rules are not used" % r.name)
            keys = [k for k, _ in r.meta]
            for k in META_KEYS:
                if keys.count(k) != 1:
                    problem(loc, "%s: meta %s appears %d times (want once)" % (r.name, k, keys.count(k)))
            for k in keys:
                if k not in META_KEYS:
                    problem(loc, "%s: unknown meta key %s" % (r.name, k))
            m = r.meta_dict()
            cat = m.get("category")
            if cat not in CATEGORIES:
                problem(loc, "%s: category %r not in %s" % (r.name, cat, sorted(CATEGORIES)))
            sc = m.get("score")
            if not isinstance(sc, int) or isinstance(sc, bool) or not 0 <= sc <= 100:
                problem(loc, "%s: score must be an integer 0-100, got %r" % (r.name, sc))
            elif cat == "remote-admin-tool" and sc > 40:
                problem(loc, "%s: remote-admin-tool rules score at most 40" % r.name)
            for k in ("family", "description", "description_ja", "reference", "author", "date"):
                v = m.get(k)
                if not isinstance(v, str) or not v.strip():
                    problem(loc, "%s: meta %s must be a non-empty string" % (r.name, k))
            if isinstance(m.get("description_ja"), str) and not JA.search(m["description_ja"]):
                problem(loc, "%s: description_ja has no Japanese text" % r.name)
            if isinstance(m.get("date"), str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", m["date"]):
                problem(loc, "%s: date must be YYYY-MM-DD" % r.name)
            ref = m.get("reference")
            if isinstance(ref, str):
                if ref.startswith("docs/"):
                    if not os.path.exists(os.path.join(sigtest.ROOT, ref)):
                        problem(loc, "%s: reference %s does not exist" % (r.name, ref))
                elif not re.fullmatch(r"https?://\S+", ref):
                    problem(loc, "%s: reference must be a URL or a docs/ path" % r.name)
            if not re.search(r"\bfilesize\b|\buint(8|16|32)(be)?\s*\(|\bat\b|\bin\s*\(", r.condition):
                problem(loc, "%s: condition has no filesize limit, header check or anchor" % r.name)
            if not r.strings:
                if not re.search(r"\b(filename|filepath|extension|filetype)\b", r.condition):
                    problem(loc, "%s: a rule without strings must test a file attribute" % r.name)
    return files


def run_yarac(args):
    with tempfile.TemporaryDirectory() as td:
        out = os.path.join(td, "rules.yarc")
        p = subprocess.run(["yarac"] + sigtest.yara_d_args({}) + args + [out],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout.strip()


def lint_yarac(files):
    for f in files:
        rel = os.path.relpath(f, sigtest.ROOT)
        rc, out = run_yarac([f])
        if rc != 0 or out:
            problem(rel, "yarac (own namespace) said:\n    " + out.replace("\n", "\n    ") + ("\n    exit %d" % rc if rc else ""))
    if files:
        rc, out = run_yarac(["%s:%s" % (os.path.relpath(f, sigtest.RULES_DIR).replace(":", "_"), f) for f in files])
        if rc != 0 or out:
            problem("signatures/rules", "yarac (all files) said:\n    " + out.replace("\n", "\n    "))


HASH_RE = re.compile(r"^([0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64});(.+)$")


def lint_iocs(root):
    iocdir = os.path.join(root, "signatures", "iocs")
    hp = os.path.join(iocdir, "hash-iocs.txt")
    fp = os.path.join(iocdir, "filename-iocs.txt")
    for p in (hp, fp):
        if not os.path.exists(p):
            problem(os.path.relpath(p, root), "missing")
    if os.path.exists(hp):
        seen = set()
        with open(hp, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.rstrip("\r\n")
                if not line.strip() or line.startswith("#"):
                    continue
                m = HASH_RE.match(line)
                if not m:
                    problem("signatures/iocs/hash-iocs.txt:%d" % n, "not HASH;COMMENT: %r" % line)
                    continue
                h = m.group(1).lower()
                if h in seen:
                    problem("signatures/iocs/hash-iocs.txt:%d" % n, "duplicate hash %s" % h)
                seen.add(h)
    if os.path.exists(fp):
        with open(fp, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.rstrip("\r\n")
                if not line.strip() or line.startswith("#"):
                    continue
                where = "signatures/iocs/filename-iocs.txt:%d" % n
                parts = line.split(";")
                if len(parts) not in (2, 3):
                    problem(where, "not REGEX;SCORE[;FP-REGEX]: %r" % line)
                    continue
                try:
                    re.compile(parts[0])
                    if len(parts) == 3:
                        re.compile(parts[2])
                except re.error as e:
                    problem(where, "bad regex: %s" % e)
                if not re.fullmatch(r"\d{1,3}", parts[1]) or int(parts[1]) > 100:
                    problem(where, "score must be 0-100: %r" % parts[1])


def lint_extensions(root):
    p = os.path.join(root, "signatures", "data", "ransomware-extensions.txt")
    if not os.path.exists(p):
        problem("signatures/data/ransomware-extensions.txt", "missing")
        return
    seen = {}
    with open(p, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            where = "signatures/data/ransomware-extensions.txt:%d" % n
            parts = line.split("\t")
            if len(parts) != 4:
                problem(where, "want 4 tab-separated fields (pattern, kind, family, note): %r" % line)
                continue
            pat, kind, fam, note = parts
            if kind not in ("ext", "regex"):
                problem(where, "kind must be ext or regex")
            elif kind == "ext" and not re.fullmatch(r"\.[A-Za-z0-9_\-\.\$!~@\[\]]+", pat):
                problem(where, "bad extension %r" % pat)
            elif kind == "regex":
                try:
                    re.compile(pat)
                except re.error as e:
                    problem(where, "bad regex: %s" % e)
            if not fam.strip():
                problem(where, "family is empty")
            key = (pat.lower(), fam)
            if key in seen:
                problem(where, "duplicate of line %d" % seen[key])
            seen[key] = n


def main():
    rules_dir = sys.argv[1] if len(sys.argv) > 1 else sigtest.RULES_DIR
    files = lint_rules(rules_dir)
    lint_yarac(files)
    lint_iocs(sigtest.ROOT)
    lint_extensions(sigtest.ROOT)
    for p in problems:
        print("lint: " + p)
    nrules = len(sigtest.parse_all(rules_dir)) if not any("ParseError" in p for p in problems) else 0
    if problems:
        print("lint: %d problem(s)" % len(problems))
        return 1
    print("lint: %d rule files, %d rules, IOC and extension lists: clean" % (len(files), nrules))
    return 0


if __name__ == "__main__":
    sys.exit(main())
