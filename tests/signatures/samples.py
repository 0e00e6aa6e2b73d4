#!/usr/bin/env python3
"""Build a harmless positive sample for every rule, from the rule's own strings.

Recipes live in tests/signatures/samples/<rule-file-stem>.txt, one section per rule:

    [Rule_Name]
    name: README.txt            sample file name (sets filename/extension externals)
    filepath: C:\\Users\\Public  external filepath   (default: the sample's directory)
    filetype: EXE               external filetype   (default: from the header, as the scanner would)
    owner: www-data             external owner      (default: empty)
    header: pe32                pe32 | pe64 | dll32 | dll64 | elf32 | elf64 | zip | hex:4D 5A ...
    put: $a $b $c*              the rule's strings ($x* = every string whose id starts with x,
                                * = all of them), rendered as YARA would see them: wide ->
                                UTF-16LE, base64 -> encoded, hex -> wildcards as 00, jumps at their
                                minimum, first alternative; each followed by the separator
    re $r: literal text         the text used for regular-expression string $r in put
    text: free text\\n          extra literal bytes (\\n \\r \\t \\\\ \\xNN escapes), e.g. filler between
    hex: 00 01 02               extra literal bytes
    sep: \\n                     separator written after each put string (default \\n)
    at: 0x400                   pad with zero bytes up to this offset
    pad: 4096                   pad with zero bytes up to this size (at the end)
    repeat: 3                   write the following put line's strings N times

A recipe must put at least one of the rule's own strings unless the rule has none.
Every rule needs a recipe and every recipe a rule: otherwise this script fails.

Usage: samples.py OUTDIR      writes OUTDIR/<Rule>/<name> and OUTDIR/manifest.tsv
       (rule, sample path, then the five externals, tab separated)
"""
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigtest  # noqa: E402


def header_bytes(spec):
    spec = spec.strip()
    if spec.startswith("hex:"):
        return bytes.fromhex(spec[4:].replace(" ", ""))
    if spec in ("pe32", "pe64", "dll32", "dll64"):
        b = bytearray(0x200)
        b[0:2] = b"MZ"
        struct.pack_into("<I", b, 0x3C, 0x80)
        b[0x80:0x84] = b"PE\x00\x00"
        is64 = spec.endswith("64")
        dll = spec.startswith("dll")
        struct.pack_into("<HH", b, 0x84, 0x8664 if is64 else 0x014C, 1)
        struct.pack_into("<H", b, 0x94, 0xF0 if is64 else 0xE0)
        ch = 0x0022 if is64 else 0x0102
        if dll:
            ch |= 0x2000
        struct.pack_into("<H", b, 0x96, ch)
        struct.pack_into("<H", b, 0x98, 0x20B if is64 else 0x10B)
        return bytes(b)
    if spec in ("elf32", "elf64"):
        is64 = spec == "elf64"
        b = bytearray(64 if is64 else 52)
        b[0:4] = b"\x7fELF"
        b[4] = 2 if is64 else 1
        b[5] = 1
        b[6] = 1
        struct.pack_into("<HH", b, 16, 2, 0x3E if is64 else 3)
        return bytes(b)
    if spec == "zip":
        return b"PK\x03\x04" + bytes(26)
    raise ValueError("unknown header %r" % spec)


def unescape(s):
    return sigtest.unescape_text(s)


def read_recipes(samples_dir):
    recipes = {}
    where = {}
    for f in sorted(os.listdir(samples_dir)):
        if not f.endswith(".txt"):
            continue
        path = os.path.join(samples_dir, f)
        cur = None
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                m = re.match(r"^\[([A-Za-z0-9_]+)\]\s*$", line)
                if m:
                    cur = m.group(1)
                    if cur in recipes:
                        raise SystemExit("%s:%d: second recipe for %s (first in %s)" % (path, n, cur, where[cur]))
                    recipes[cur] = []
                    where[cur] = "%s:%d" % (path, n)
                    continue
                if cur is None:
                    raise SystemExit("%s:%d: directive outside a [Rule] section" % (path, n))
                m = re.match(r"^\s*(re\s+\$[A-Za-z0-9_]*|[a-z]+)\s*:\s?(.*)$", line)
                if not m:
                    raise SystemExit("%s:%d: cannot read %r" % (path, n, line))
                recipes[cur].append((m.group(1), m.group(2), "%s:%d" % (path, n)))
    return recipes, where


def build(rule, directives):
    """Return (bytes, externals overrides, sample name)."""
    data = bytearray()
    ext = {}
    name = rule.name + ".bin"
    sep = b"\n"
    regex_text = {}
    repeat = 1
    used = 0
    for key, val, loc in directives:
        if key.startswith("re "):
            regex_text[key.split()[1]] = val
    for key, val, loc in directives:
        if key == "name":
            name = val.strip()
        elif key in ("filepath", "filetype", "owner"):
            ext[key] = val.strip()
        elif key == "header":
            if data:
                raise SystemExit("%s: header must come first" % loc)
            data += header_bytes(val)
        elif key == "sep":
            sep = unescape(val)
        elif key == "text":
            data += unescape(val)
        elif key == "hex":
            data += bytes.fromhex(val.replace(" ", ""))
        elif key == "at":
            off = int(val, 0)
            if off < len(data):
                raise SystemExit("%s: offset %#x is behind the data already written (%#x)" % (loc, off, len(data)))
            data += bytes(off - len(data))
        elif key == "pad":
            size = int(val, 0)
            if len(data) < size:
                data += bytes(size - len(data))
        elif key == "repeat":
            repeat = int(val)
        elif key == "put":
            ids = []
            for tok in val.split():
                if tok == "*":
                    ids += rule.order
                elif tok.endswith("*"):
                    sel = [s for s in rule.order if s.startswith(tok[:-1])]
                    if not sel:
                        raise SystemExit("%s: %s matches no string of %s" % (loc, tok, rule.name))
                    ids += sel
                else:
                    if tok not in rule.strings:
                        raise SystemExit("%s: %s has no string %s" % (loc, rule.name, tok))
                    ids.append(tok)
            for _ in range(repeat):
                for sid in ids:
                    kind, sval, mods = rule.strings[sid]
                    if kind == "regex":
                        if sid not in regex_text:
                            raise SystemExit("%s: regex %s of %s needs 're %s: TEXT'" % (loc, sid, rule.name, sid))
                        txt = unescape(regex_text[sid])
                        pat, flags = sval
                        try:
                            pyflags = (re.I if "i" in flags or "nocase" in mods else 0) | (re.S if "s" in flags else 0)
                            if not re.search(pat.encode(), txt, pyflags):
                                raise SystemExit("%s: sample text for %s does not match /%s/" % (loc, sid, pat))
                        except re.error:
                            pass  # YARA-only syntax: the yara check decides
                        if "wide" in mods and "ascii" not in mods:
                            txt = txt.decode("utf-8").encode("utf-16-le")
                        data += txt + sep
                    else:
                        data += sigtest.render_string(kind, sval, mods) + sep
                    used += 1
            repeat = 1
        elif key.startswith("re "):
            pass
        else:
            raise SystemExit("%s: unknown directive %r" % (loc, key))
    if rule.strings and not used:
        raise SystemExit("%s: the recipe for %s puts none of the rule's own strings" % (loc if directives else rule.path, rule.name))
    return bytes(data), ext, name


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    out = sys.argv[1]
    rules = sigtest.parse_all()
    recipes, where = read_recipes(sigtest.SAMPLES_DIR)
    errors = []
    names = {r.name for r in rules}
    for r in rules:
        if r.name not in recipes:
            errors.append("rule %s (%s:%d) has no sample recipe in tests/signatures/samples/" % (r.name, os.path.relpath(r.path, sigtest.ROOT), r.line))
    for k in recipes:
        if k not in names:
            errors.append("recipe %s (%s) names no rule" % (k, where[k]))
    if errors:
        for e in errors:
            print("samples: " + e, file=sys.stderr)
        raise SystemExit(1)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "manifest.tsv"), "w", encoding="utf-8") as man:
        for r in rules:
            data, ext, name = build(r, recipes[r.name])
            d = os.path.join(out, r.name)
            os.makedirs(d, exist_ok=True)
            p = os.path.join(d, name)
            with open(p, "wb") as fh:
                fh.write(data)
            e = sigtest.externals_for(p, head=data[:64], owner="")
            e.update(ext)
            man.write("\t".join([r.name, p] + [e[k] for k in sigtest.EXTERNALS]) + "\n")
    print("samples: %d rules, %d samples written to %s" % (len(rules), len(rules), out))


if __name__ == "__main__":
    main()
