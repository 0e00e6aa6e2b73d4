"""Shared helpers for the signature tests (kaketsuke).

A deliberately small reader for the rule files under signatures/rules/: it
understands the subset of YARA syntax our rules use (one string per line, hex
strings on one line, meta values that are quoted strings, integers or
booleans).  It is not a YARA parser; the `yara`/`yarac` CLIs and python3-yara
remain the oracles.  The lint script refuses rule files this reader cannot
read, so the two never drift apart silently.
"""
import os
import re
import stat

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES_DIR = os.path.join(ROOT, "signatures", "rules")
SAMPLES_DIR = os.path.join(ROOT, "tests", "signatures", "samples")

EXTERNALS = ("filename", "filepath", "extension", "filetype", "owner")


class ParseError(Exception):
    pass


class Rule:
    def __init__(self, name, path, line):
        self.name = name
        self.path = path
        self.line = line
        self.tags = []
        self.modifiers = []
        self.meta = []          # list of (key, value) in order
        self.strings = {}       # id -> (kind, value, modifiers)
        self.order = []         # string ids in definition order
        self.condition = ""

    def meta_dict(self):
        d = {}
        for k, v in self.meta:
            d.setdefault(k, v)
        return d


def rule_files(rules_dir=RULES_DIR):
    out = []
    for dp, dn, fn in os.walk(rules_dir):
        dn.sort()
        for f in sorted(fn):
            if f.endswith((".yar", ".yara")):
                out.append(os.path.join(dp, f))
    return out


def _strip_comment(line):
    """Remove // comments that are outside quoted strings and regexps."""
    out = []
    i, n = 0, len(line)
    in_str = False
    while i < n:
        c = line[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(line[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
        else:
            if c == '"':
                in_str = True
            elif c == "/" and line.startswith("//", i):
                break
            out.append(c)
        i += 1
    return "".join(out).rstrip()


def _read_quoted(s, i):
    """s[i] == '"'; return (raw content, index after closing quote)."""
    j = i + 1
    buf = []
    while j < len(s):
        c = s[j]
        if c == "\\":
            buf.append(s[j:j + 2])
            j += 2
            continue
        if c == '"':
            return "".join(buf), j + 1
        buf.append(c)
        j += 1
    raise ParseError("unterminated string")


def _read_regex(s, i):
    j = i + 1
    buf = []
    while j < len(s):
        c = s[j]
        if c == "\\":
            buf.append(s[j:j + 2])
            j += 2
            continue
        if c == "/":
            j += 1
            flags = ""
            while j < len(s) and s[j] in "is":
                flags += s[j]
                j += 1
            return "".join(buf), flags, j
        buf.append(c)
        j += 1
    raise ParseError("unterminated regular expression")


_RULE_RE = re.compile(r"^\s*((?:private|global)\s+)*rule\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([A-Za-z0-9_ ]+?))?\s*(\{)?\s*$")
_STR_RE = re.compile(r"^\s*\$([A-Za-z0-9_]*)\s*=\s*(.*)$")
_META_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def parse_file(path):
    rules = []
    cur = None
    section = None
    in_block_comment = False
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    for lineno, raw in enumerate(lines, 1):
        line = raw
        if in_block_comment:
            if "*/" in line:
                line = line.split("*/", 1)[1]
                in_block_comment = False
            else:
                continue
        if cur is None or section != "strings":
            # block comments are only allowed outside string definitions
            while "/*" in line:
                a, b = line.split("/*", 1)
                if "*/" in b:
                    line = a + b.split("*/", 1)[1]
                else:
                    line = a
                    in_block_comment = True
        line = _strip_comment(line)
        if not line.strip():
            continue
        if cur is None:
            if line.strip().startswith(("import ", "include ")):
                continue
            m = _RULE_RE.match(line)
            if not m:
                raise ParseError("%s:%d: expected a rule header, got %r" % (path, lineno, raw))
            cur = Rule(m.group(2), path, lineno)
            cur.modifiers = (m.group(1) or "").split()
            cur.tags = (m.group(3) or "").split()
            section = "head"
            continue
        st = line.strip()
        if st == "{" and section == "head":
            continue
        if st in ("meta:", "strings:", "condition:"):
            section = st[:-1]
            continue
        if st == "}":
            rules.append(cur)
            cur = None
            section = None
            continue
        if section == "meta":
            m = _META_RE.match(line)
            if not m:
                raise ParseError("%s:%d: bad meta line %r" % (path, lineno, raw))
            key, val = m.group(1), m.group(2).strip()
            if val.startswith('"'):
                content, end = _read_quoted(val, 0)
                if val[end:].strip():
                    raise ParseError("%s:%d: junk after meta value" % (path, lineno))
                cur.meta.append((key, unescape_text(content).decode("utf-8")))
            elif re.fullmatch(r"-?\d+", val):
                cur.meta.append((key, int(val)))
            elif val in ("true", "false"):
                cur.meta.append((key, val == "true"))
            else:
                raise ParseError("%s:%d: bad meta value %r" % (path, lineno, val))
        elif section == "strings":
            m = _STR_RE.match(line)
            if not m:
                raise ParseError("%s:%d: bad string line %r (one string per line)" % (path, lineno, raw))
            sid, rest = "$" + m.group(1), m.group(2).strip()
            if rest.startswith('"'):
                content, end = _read_quoted(rest, 0)
                kind, val, mods = "text", content, rest[end:].split()
            elif rest.startswith("{"):
                if "}" not in rest:
                    raise ParseError("%s:%d: hex strings must fit on one line" % (path, lineno))
                body, after = rest[1:].split("}", 1)
                kind, val, mods = "hex", body.strip(), after.split()
            elif rest.startswith("/"):
                body, flags, end = _read_regex(rest, 0)
                kind, val, mods = "regex", (body, flags), rest[end:].split()
            else:
                raise ParseError("%s:%d: cannot read string %r" % (path, lineno, raw))
            if sid in cur.strings:
                raise ParseError("%s:%d: duplicate string %s" % (path, lineno, sid))
            cur.strings[sid] = (kind, val, mods)
            cur.order.append(sid)
        elif section == "condition":
            cur.condition += " " + st
        else:
            raise ParseError("%s:%d: unexpected line %r" % (path, lineno, raw))
    if cur is not None:
        raise ParseError("%s: rule %s is not closed" % (path, cur.name))
    return rules


def parse_all(rules_dir=RULES_DIR):
    out = []
    for f in rule_files(rules_dir):
        out.extend(parse_file(f))
    return out


def unescape_text(s):
    """YARA text-string escapes (\\" \\\\ \\n \\r \\t \\xNN) -> bytes (UTF-8 for the rest)."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            d = s[i + 1]
            if d == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"n": b"\n", "r": b"\r", "t": b"\t", '"': b'"', "\\": b"\\"}.get(d, ("\\" + d).encode())
            i += 2
            continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


def render_hex(body):
    """A concrete byte sequence matching a hex string: ?? -> 00, [n-m] -> n zero bytes,
    (a|b) -> first alternative."""
    out = bytearray()
    toks = re.findall(r"\[[^\]]*\]|\(|\)|\||[0-9A-Fa-f?]{2}", body)
    depth_skip = []  # stack: True while skipping the non-first alternatives of a group
    for t in toks:
        skipping = any(depth_skip)
        if t == "(":
            depth_skip.append(False)
            continue
        if t == "|":
            depth_skip[-1] = True
            continue
        if t == ")":
            depth_skip.pop()
            continue
        if skipping:
            continue
        if t.startswith("["):
            lo = t[1:-1].split("-")[0].strip()
            out += b"\x00" * (int(lo) if lo else 0)
        else:
            out.append(int(t.replace("?", "0"), 16))
    return bytes(out)


def render_string(kind, val, mods):
    if kind == "text":
        data = unescape_text(val)
        if "base64" in mods or "base64wide" in mods:
            import base64
            data = base64.b64encode(b"\x00\x00\x00" + data + b"\x00\x00\x00")
            if "base64wide" in mods:
                data = data.decode().encode("utf-16-le")
            return data
        if "wide" in mods and "ascii" not in mods:
            data = data.decode("utf-8").encode("utf-16-le")
        return data
    if kind == "hex":
        return render_hex(val)
    raise ParseError("regex strings need an explicit sample (re $id: TEXT)")


# ---------------------------------------------------------------- externals
_MAGIC = [
    (0, b"MZ", "EXE"),
    (0, b"\x7fELF", "ELF"),
    (0, b"PK\x03\x04", "ZIP"),
    (0, b"%PDF", "PDF"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE"),
    (0, b"\x1f\x8b\x08", "GZIP"),
    (0, b"\xff\xd8\xff", "JPEG"),
    (0, b"Rar!\x1a\x07", "RAR"),
    (0, b"7z\xbc\xaf\x27\x1c", "7Zip"),
    (0, b"<?php", "PHP"),
    (0, b"<%@", "ASP"),
    (0, b"regf", "Registry Hive"),
    (0, b"ElfFile\x00", "EVTX"),
    (0, b"MDMP", "MDMP"),
    (0, b"#!", "UNIX SCRIPT"),
    (0, b"L\x00\x00\x00\x01\x14\x02\x00", "LNK"),
    (0, b"<html", "HTML"),
    (0, b"<!DOCTYPE html", "HTML"),
    (0, b"<?xml", "XML"),
    (0, b"conectix", "VHD"),
    (0, b"KDMV", "VMDK"),
]


def filetype_of(head):
    for off, magic, name in _MAGIC:
        if head[off:off + len(magic)] == magic:
            return name
    return ""


def externals_for(path, head=None, owner=None):
    """THOR-style external variables for a host file path."""
    if head is None:
        try:
            with open(path, "rb") as fh:
                head = fh.read(64)
        except OSError:
            head = b""
    name = os.path.basename(path)
    dot = name.rfind(".")
    ext = name[dot:].lower() if dot > 0 else ""
    if owner is None:
        try:
            import pwd
            owner = pwd.getpwuid(os.lstat(path).st_uid).pw_name
        except (KeyError, OSError):
            owner = ""
    return {
        "filename": name,
        "filepath": os.path.dirname(path).rstrip("/") or "/",
        "extension": ext,
        "filetype": filetype_of(head),
        "owner": owner,
    }


def yara_d_args(ext):
    args = []
    for k in EXTERNALS:
        args += ["-d", "%s=%s" % (k, ext.get(k, ""))]
    return args


def filename_iocs():
    """(line number, regex, score, fp-regex or None) of signatures/iocs/filename-iocs.txt."""
    out = []
    with open(os.path.join(ROOT, "signatures", "iocs", "filename-iocs.txt"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split(";")
            out.append((n, re.compile(parts[0]), int(parts[1]), re.compile(parts[2]) if len(parts) > 2 and parts[2] else None))
    return out


def filename_hits(iocs, path):
    return [n for n, rx, sc, fp in iocs if rx.search(path) and not (fp and fp.search(path))]

