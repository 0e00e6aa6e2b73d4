#!/usr/bin/python3
"""tsk_yara.py - differential oracle: what kaketsuke's scan of a disk image
should find, computed with tools we did not write (The Sleuth Kit's mmls,
fsstat, fls and icat, and Debian's python3-yara).

usage: tsk_yara.py IMAGE RULESDIR [-j N] [--with-meta] [--files] [--tsk-args ARG...]

For every file system of IMAGE (each partition that mmls lists and fsstat
opens; offset 0 when there is none), every regular file that
`fls -r -p` lists (types r/r and -/r, allocated and deleted "*", NTFS
alternate data streams as name:stream) is read with icat and scanned with
every rule file under RULESDIR. Output, sorted (byte order):

    fs_offset<TAB>path<TAB>rule<TAB>deleted

fs_offset is in bytes, path is "/" + the fls path, deleted is true/false.

Left out: paths starting with "/$" (file-system metadata and TSK's virtual
files such as $OrphanFiles; --with-meta keeps them, all but the sparse
volume-sized /$BadClus:$Bad), entries that fls marks "(realloc)" (the name is
deleted and its metadata now belongs to another file), and r/- entries (no
metadata left). A file icat cannot read is skipped and counted on stderr,
unless fls -l gives its size as 0: then it is scanned as empty (a deleted
FAT entry without clusters, an APFS file with only a resource fork).

Rules: every .yar/.yara file below RULESDIR, each compiled on its own (its
namespace is its relative path), `include` honoured; files made only of
include lines (index files) are skipped; a file that fails to compile is
reported on stderr and left out. The external variables filename, filepath,
extension, filetype and owner are declared, and set per file:
  filename   the last path component (an NTFS stream: "file.txt:stream")
  filepath   the directory without a trailing separator. On NTFS, FAT and
             exFAT: backslashes and a drive letter, "C:" for the volume
             holding \\Windows\\System32, then D:, E:, ... for the other
             NTFS/FAT/exFAT volumes in partition order; when no volume holds
             \\Windows\\System32 the letters start at C: (a root directory
             is just "C:"). Elsewhere "/"-separated ("/" for the root).
  extension  from the last dot of filename, ASCII lower-cased, with the dot;
             "" when there is no dot, the only dot is the first character
             (".bashrc") or the name ends with the dot
  filetype   "" (the oracle does not classify), owner "".

--tsk-args ARG...  everything after it is passed to fsstat, fls and icat,
                   e.g. `--tsk-args -f fat32` or `--tsk-args -P apfs -B 107`
                   (with -P, only offset 0 is tried and mmls is not run).
--with-meta        also scan the r/r and -/r entries whose paths start with
                   "/$" (NTFS metadata files, $OrphanFiles/OrphanFile-N, ...)
--files            print every file with its externals instead of scanning:
                   fs_offset, path, deleted, inode, filename, filepath,
                   extension (tab-separated).
-j N               parallel icat/scan workers (default: number of CPUs).

Exit status: 0 done (whatever was found), 2 usage error or no rule compiled.
"""

import concurrent.futures
import os
import re
import subprocess
import sys

try:
    import yara
except ImportError:
    sys.stderr.write("tsk_yara: python3-yara is missing (apt-get install python3-yara; "
                     "run with Debian's /usr/bin/python3)\n")
    sys.exit(2)

EXTERNALS = ("filename", "filepath", "extension", "filetype", "owner")
WIN_FS = re.compile(r"^(ntfs|fat\d*|exfat)$", re.I)
FLS_LINE = re.compile(r"^(\S+)/(\S+) (\* )?([^\t]*?)(\(realloc\))?:\t(.*)$")
MMLS_LINE = re.compile(r"^\d+:\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$")


def warn(msg):
    sys.stderr.write("tsk_yara: " + msg + "\n")


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def decode(b):
    return b.decode("utf-8", "surrogateescape")


def encode(s):
    return s.encode("utf-8", "surrogateescape")


# ------------------------------------------------------------------ rules
def is_index_file(path):
    """True when the file holds nothing but include lines and comments."""
    try:
        with open(path, "rb") as f:
            text = decode(f.read())
    except OSError:
        return False
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    return bool(lines) and all(l.startswith("include") for l in lines)


def load_rules(rulesdir):
    found = []
    for dirpath, dirnames, filenames in os.walk(rulesdir):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith((".yar", ".yara")):
                full = os.path.join(dirpath, name)
                found.append((os.path.relpath(full, rulesdir), full))
    found.sort()
    defaults = {k: "" for k in EXTERNALS}
    compiled = []
    for rel, full in found:
        if is_index_file(full):
            warn("skipping index file %s" % rel)
            continue
        try:
            compiled.append(yara.compile(filepaths={rel: full}, externals=defaults,
                                         includes=True))
        except yara.Error as e:
            warn("warning: %s: %s (left out)" % (rel, e))
    return compiled


# ------------------------------------------------------------------ TSK
def mmls_partitions(image, tsk_img_args):
    """[(start_sector, sector_size)] of the allocated partitions, or []."""
    rc, out, _ = run(["mmls"] + tsk_img_args + [image])
    if rc != 0:
        return []
    unit = 512
    parts = []
    for line in decode(out).splitlines():
        m = re.match(r"Units are in (\d+)-byte sectors", line)
        if m:
            unit = int(m.group(1))
            continue
        m = MMLS_LINE.match(line)
        if not m:
            continue
        slot = m.group(1)
        if slot == "Meta" or slot.startswith("-"):
            continue
        parts.append((int(m.group(2)), unit))
    return parts


def offset_args(start, unit):
    if start == 0:
        return []
    if unit == 512:
        return ["-o", str(start)]
    return ["-o", "%d@%d" % (start, unit)]


def fs_type(image, oargs, tsk_args):
    rc, out, _ = run(["fsstat"] + oargs + tsk_args + [image])
    if rc != 0:
        return None
    for line in decode(out).splitlines():
        if line.startswith("File System Type:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def fls_entries(image, oargs, tsk_args):
    # -l adds 7 tab-separated fields after the name: 4 times, size, uid, gid
    rc, out, err = run(["fls", "-r", "-p", "-l"] + oargs + tsk_args + [image])
    if rc != 0:
        warn("fls failed at %s: %s" % (" ".join(oargs) or "offset 0", decode(err).strip()))
    entries = []
    for line in decode(out).splitlines():
        m = FLS_LINE.match(line)
        if not m:
            continue
        fields = m.group(6).rsplit("\t", 7)
        if len(fields) != 8 or not fields[5].isdigit():
            warn("cannot parse fls line: %r" % line)
            continue
        entries.append({
            "type": m.group(1) + "/" + m.group(2),
            "deleted": m.group(3) is not None,
            "inode": m.group(4),
            "realloc": m.group(5) is not None,
            "path": fields[0],
            "size": int(fields[5]),
        })
    return entries


def find_filesystems(image, tsk_args):
    """[(byte_offset, offset_args, fs_type)] in partition order."""
    img_args = []
    for i, a in enumerate(tsk_args):  # image-level options also go to mmls
        if a in ("-i", "-b") and i + 1 < len(tsk_args):
            img_args += [a, tsk_args[i + 1]]
    result = []
    if "-P" not in tsk_args:
        for start, unit in mmls_partitions(image, img_args):
            oargs = offset_args(start, unit)
            t = fs_type(image, oargs, tsk_args)
            if t is not None:
                result.append((start * unit, oargs, t))
    if not result:
        t = fs_type(image, [], tsk_args)
        if t is not None:
            result.append((0, [], t))
    return result


# ------------------------------------------------------------------ externals
def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def extension_of(name):
    i = name.rfind(".")
    if i <= 0 or i == len(name) - 1:
        return ""
    return ascii_lower(name[i:])


def externals_for(path, letter):
    """path: absolute, '/'-separated. letter: 'C:' etc., or None."""
    d, _, name = path.rpartition("/")
    if letter is not None:
        filepath = letter + d.replace("/", "\\")
    else:
        filepath = d if d else "/"
    return {"filename": name, "filepath": filepath, "extension": extension_of(name),
            "filetype": "", "owner": ""}


# ------------------------------------------------------------------ main
def main(argv):
    args, tsk_args = argv, []
    if "--tsk-args" in argv:
        i = argv.index("--tsk-args")
        args, tsk_args = argv[:i], argv[i + 1:]
    jobs = os.cpu_count() or 2
    list_files = False
    with_meta = False
    pos = []
    it = iter(args)
    for a in it:
        if a == "-j":
            jobs = int(next(it, "1"))
        elif a == "--files":
            list_files = True
        elif a == "--with-meta":
            with_meta = True
        elif a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        else:
            pos.append(a)
    if len(pos) != 2 and not (list_files and len(pos) >= 1):
        sys.stderr.write(__doc__)
        return 2
    image = pos[0]
    rules = []
    if not list_files:
        rules = load_rules(pos[1])
        if not rules:
            warn("no rule file compiled in %s" % pos[1])
            return 2

    filesystems = find_filesystems(image, tsk_args)
    if not filesystems:
        warn("no file system found in %s" % image)

    # list every file system first: drive letters need them all
    listed = []
    system = None
    for off, oargs, t in filesystems:
        entries = fls_entries(image, oargs, tsk_args)
        win = bool(WIN_FS.match(t))
        if win and system is None:
            for e in entries:
                if (e["type"] == "d/d" and not e["deleted"]
                        and e["path"].lower() == "windows/system32"):
                    system = off
                    break
        listed.append((off, oargs, t, win, entries))
    letters = {}
    nxt = ord("D") if system is not None else ord("C")
    for off, _, _, win, _ in listed:
        if not win:
            continue
        if off == system:
            letters[off] = "C:"
        elif nxt <= ord("Z"):
            letters[off] = chr(nxt) + ":"
            nxt += 1

    work = []
    for off, oargs, t, win, entries in listed:
        for e in entries:
            if e["type"] not in ("r/r", "-/r") or e["realloc"]:
                continue
            if e["path"].startswith("$") and (not with_meta or e["path"] == "$BadClus:$Bad"):
                continue
            path = "/" + e["path"]
            work.append((off, oargs, path, e, externals_for(path, letters.get(off) if win else None)))

    out = []
    if list_files:
        for off, _, path, e, ext in work:
            out.append("\t".join([str(off), path, "true" if e["deleted"] else "false", e["inode"],
                                  ext["filename"], ext["filepath"], ext["extension"]]))
        warn("%d file systems, %d files" % (len(filesystems), len(work)))
    else:
        failures = []
        empty_failures = []

        def scan(item):
            off, oargs, path, e, ext = item
            rc, data, err = run(["icat"] + oargs + tsk_args + [image, e["inode"]])
            if rc != 0:
                if e["size"] != 0:
                    failures.append("%s %s: %s" % (off, path, decode(err).strip()))
                    return []
                # an empty file whose (missing) data attribute icat cannot load
                empty_failures.append(path)
                data = b""
            hits = []
            for r in rules:
                for m in r.match(data=data, externals=ext):
                    hits.append("\t".join([str(off), path, m.rule,
                                           "true" if e["deleted"] else "false"]))
            return hits

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
            for hits in ex.map(scan, work):
                out.extend(hits)
        for f in failures[:20]:
            warn("icat failed: " + f)
        if empty_failures:
            warn("%d files of size 0 that icat cannot read scanned as empty: %s"
                 % (len(empty_failures), " ".join(empty_failures[:5])))
        warn("%d file systems (%s), %d files, %d icat failures, %d matches"
             % (len(filesystems),
                ", ".join("%d:%s%s" % (o, t, "=" + letters[o] if o in letters else "")
                          for o, _, t in filesystems),
                len(work), len(failures), len(out)))
    data = b"".join(l + b"\n" for l in sorted(encode(l) for l in out))  # as LC_ALL=C sort
    sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
