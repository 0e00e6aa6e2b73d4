#!/usr/bin/python3
"""host_yara.py - oracle for `kaketsuke scan DIR`: python3-yara (Debian) over every regular
file below DIR, rules compiled one namespace per file (as kaketsuke does), the THOR/LOKI
external variables set per file as docs/en/user-guide.md defines them. Prints sorted
"path<TAB>namespace<TAB>rule" lines.

usage: host_yara.py DIR FILETYPES_TXT RULEFILE_OR_DIR...
Rule files that do not compile alone are left out (kaketsuke warns about those)."""
import os, pwd, sys
import yara

EXT = ("filename", "filepath", "extension", "filetype", "owner")


def load_types(path):
    table = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or ";" not in line:
            continue
        hexs, name = line.rstrip("\n").split(";", 1)
        table.append((bytes.fromhex(hexs.replace(" ", "")), name))
    return table


def filetype(table, head):
    best = None
    for magic, name in table:
        if head.startswith(magic) and (best is None or len(magic) > len(best[0])):
            best = (magic, name)
    return best[1] if best else ""


def is_index(path):
    """A file made only of include lines, comments and blanks (skipped, as kaketsuke does)."""
    inc = other = 0
    in_comment = False
    for line in open(path, encoding="utf-8", errors="replace"):
        t = line.strip()
        if in_comment:
            in_comment = "*/" not in t
            continue
        if not t or t.startswith("//"):
            continue
        if t.startswith("/*"):
            in_comment = "*/" not in t[2:]
            continue
        if t.startswith("include"):
            inc += 1
        else:
            other += 1
    return inc > 0 and other == 0


def rule_files(paths):
    out = {}
    for p in paths:
        if os.path.isdir(p):
            for d, _, fs in os.walk(p):
                for f in fs:
                    full = os.path.join(d, f)
                    if f.lower().endswith((".yar", ".yara")) and not is_index(full):
                        out[os.path.relpath(full, p)] = full
        else:
            out[os.path.basename(p)] = p
    return out


def main():
    top, types = sys.argv[1], load_types(sys.argv[2])
    files = rule_files(sys.argv[3:])
    good = {}
    for ns, path in sorted(files.items()):
        try:
            yara.compile(filepath=path, externals={k: "" for k in EXT})
            good[ns] = path
        except yara.Error:
            pass
    rules = yara.compile(filepaths=good, externals={k: "" for k in EXT})
    out = []
    for d, dirs, fs in os.walk(os.path.realpath(top)):
        dirs.sort()
        for f in sorted(fs):
            full = os.path.join(d, f)
            if not os.path.isfile(full) or os.path.islink(full):
                continue
            data = open(full, "rb").read()
            dot = f.rfind(".")
            ext = f[dot:].lower() if dot > 0 and dot < len(f) - 1 else ""
            st = os.stat(full)
            try:
                owner = pwd.getpwuid(st.st_uid).pw_name
            except KeyError:
                owner = str(st.st_uid)
            externals = {"filename": f, "filepath": d, "extension": ext,
                         "filetype": filetype(types, data[:64]), "owner": owner}
            for m in rules.match(data=data, externals=externals, warnings_callback=lambda *a: yara.CALLBACK_CONTINUE):
                out.append("%s\t%s\t%s" % (full, m.namespace, m.rule))
    for line in sorted(set(out)):
        print(line)


main()
