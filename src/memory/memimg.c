/* memimg.c - see memimg.h. Format facts (public documentation of the formats):
 *  LiME:   32-byte range headers {u32 magic 0x4C694D45 "EMiL", u32 version 1, u64 start,
 *          u64 end (inclusive), u64 reserved}, each followed by end-start+1 data bytes.
 *  ELF64:  ET_CORE; each PT_LOAD maps p_filesz bytes at p_offset to physical p_paddr
 *          (qemu dump-guest-memory, VirtualBox dumpvmcore); p_memsz beyond p_filesz is
 *          not in the file. e_phnum 0xffff means the count is in section header 0's sh_info.
 *  Crash:  DUMP_HEADER64, 0x2000 bytes: "PAGE" "DU64"; DumpType (u32) at 0xf98.
 *          Type 1 (full): PHYSICAL_MEMORY_DESCRIPTOR64 at 0x88 {u32 NumberOfRuns, u32 pad,
 *          u64 NumberOfPages, runs {u64 BasePage, u64 PageCount}}; pages follow the header
 *          at 0x2000 in run order. Types 2 (kernel summary) and 5 (bitmap full): a bitmap
 *          header at 0x2000 {"SDMP"|"FDMP", "DUMP", pad to 0x20, u64 FirstPage (file
 *          offset of the first page), u64 TotalPresentPages, u64 Pages (bits), bitmap at
 *          0x38}; page i is present when bit i is set, present pages stored in order.
 *          Type 4 is a triage dump (minidump): no physical memory. */
#include "memimg.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096u

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

kk_memkind kk_memimg_sniff(const unsigned char *h, size_t n, const char *name)
{
    if (n >= 8 && !memcmp(h, "PAGEDU64", 8))
        return KK_MEM_CRASH64;
    if (n >= 8 && !memcmp(h, "PAGEDUMP", 8))
        return KK_MEM_CRASH32;
    if (n >= 4 && !memcmp(h, "EMiL", 4))
        return KK_MEM_LIME;
    if (n >= 4 && !memcmp(h, "AVML", 4))
        return KK_MEM_AVML;
    if (n >= 4 && (!memcmp(h, "hibr", 4) || !memcmp(h, "HIBR", 4) || !memcmp(h, "wake", 4) ||
                   !memcmp(h, "WAKE", 4)))
        return KK_MEM_HIBER;
    if (n >= 18 && !memcmp(h, "\x7f" "ELF", 4) && le16(h + 16) == 4 /* ET_CORE */)
        return KK_MEM_ELFCORE;
    if (name) {
        const char *b = base_name(name);
        if (!strcasecmp(b, "pagefile.sys") || !strcasecmp(b, "swapfile.sys"))
            return KK_MEM_PAGEFILE;
        if (!strcasecmp(b, "hiberfil.sys"))
            return KK_MEM_HIBER;
    }
    return KK_MEM_NONE;
}

const char *kk_memkind_name(kk_memkind k)
{
    switch (k) {
    case KK_MEM_LIME: return "lime";
    case KK_MEM_ELFCORE: return "elf64-core";
    case KK_MEM_CRASH64: return "crashdump64";
    case KK_MEM_CRASH32: return "crashdump32";
    case KK_MEM_HIBER: return "hibernation";
    case KK_MEM_AVML: return "avml";
    case KK_MEM_PAGEFILE: return "pagefile";
    case KK_MEM_NONE: break;
    }
    return "raw";
}

/* ---- building the extent list --------------------------------------------------------- */

typedef struct parse {
    kk_memimg *m;
    const char *name;
    size_t aext, aiss;
    size_t order_n;
    uint64_t *order;  /* file order of each extent (for a stable sort) */
} parse;

static int add_issue(parse *p, uint64_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int add_issue(parse *p, uint64_t off, const char *fmt, ...)
{
    kk_memimg *m = p->m;
    if (m->nissues >= 1000)
        return KK_OK; /* enough said */
    if (m->nissues == p->aiss) {
        size_t a = p->aiss ? p->aiss * 2 : 8;
        kk_mem_issue *v = realloc(m->issues, a * sizeof *v);
        if (!v)
            return kk_err_set(KK_ENOMEM, "out of memory");
        m->issues = v;
        p->aiss = a;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *s = kk_strdup(msg);
    if (!s)
        return kk_err_set(KK_ENOMEM, "out of memory");
    m->issues[m->nissues].offset = off;
    m->issues[m->nissues].message = s;
    m->nissues++;
    return KK_OK;
}

static int add_extent(parse *p, uint64_t addr, uint64_t off, uint64_t len)
{
    kk_memimg *m = p->m;
    if (!len)
        return KK_OK;
    /* merge with the previous one when contiguous in both spaces (bitmap runs, pages) */
    if (m->next) {
        kk_mem_extent *e = &m->ext[m->next - 1];
        if (e->addr + e->len == addr && e->off + e->len == off) {
            e->len += len;
            return KK_OK;
        }
    }
    if (m->next >= KK_MEM_MAX_EXTENTS)
        return kk_err_set(KK_EFORMAT, "memory image '%s' has more than %u separate ranges", p->name,
                          KK_MEM_MAX_EXTENTS);
    if (m->next == p->aext) {
        size_t a = p->aext ? p->aext * 2 : 16;
        kk_mem_extent *v = realloc(m->ext, a * sizeof *v);
        if (!v)
            return kk_err_set(KK_ENOMEM, "out of memory");
        m->ext = v;
        p->aext = a;
    }
    m->ext[m->next].addr = addr;
    m->ext[m->next].off = off;
    m->ext[m->next].len = len;
    m->next++;
    return KK_OK;
}

static int cmp_ext(const void *a, const void *b)
{
    const kk_mem_extent *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->off != y->off) /* same address: the one earlier in the file first */
        return x->off < y->off ? -1 : 1;
    return 0;
}

/* Sort by address, cut what overlaps an earlier range (keeping the lower range's
 * bytes), merge what became contiguous. */
static int finish_extents(parse *p)
{
    kk_memimg *m = p->m;
    if (m->next > 1)
        qsort(m->ext, m->next, sizeof *m->ext, cmp_ext);
    size_t k = 0;
    uint64_t end = 0;
    for (size_t i = 0; i < m->next; i++) {
        kk_mem_extent e = m->ext[i];
        if (k && e.addr < end) {
            uint64_t cut = end - e.addr;
            uint64_t drop = cut < e.len ? cut : e.len;
            KK_TRY(add_issue(p, e.off, "range at physical 0x%llx-0x%llx (file offset %llu) overlaps "
                             "another range: its first %llu bytes are left out",
                             (unsigned long long)e.addr, (unsigned long long)(e.addr + e.len - 1),
                             (unsigned long long)e.off, (unsigned long long)drop));
            if (cut >= e.len)
                continue;
            e.addr += cut;
            e.off += cut;
            e.len -= cut;
        }
        if (k && m->ext[k - 1].addr + m->ext[k - 1].len == e.addr &&
            m->ext[k - 1].off + m->ext[k - 1].len == e.off) {
            m->ext[k - 1].len += e.len;
        } else {
            m->ext[k++] = e;
        }
        end = e.addr + e.len;
    }
    m->next = k;
    m->mapped = 0;
    for (size_t i = 0; i < k; i++)
        m->mapped += m->ext[i].len;
    return KK_OK;
}

/* pread exactly n bytes; KK_EIO on error, KK_EFORMAT when the file ends first. */
static int pread_full(int fd, uint64_t off, void *buf, size_t n, const char *name)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return kk_err_set(KK_EIO, "cannot read '%s' at offset %llu: %s", name,
                              (unsigned long long)(off + done), strerror(errno));
        }
        if (r == 0)
            return kk_err_set(KK_EFORMAT, "'%s' ends at offset %llu, before the %zu bytes expected "
                              "at offset %llu", name, (unsigned long long)(off + done), n,
                              (unsigned long long)off);
        done += (size_t)r;
    }
    return KK_OK;
}

/* Add a range whose data starts at file offset off; clip it at the end of the file. */
static int add_range(parse *p, const char *what, uint64_t addr, uint64_t off, uint64_t len, int *clipped)
{
    kk_memimg *m = p->m;
    *clipped = 0;
    if (addr >= KK_MEM_MAX_ADDR || len > KK_MEM_MAX_ADDR || addr + len > KK_MEM_MAX_ADDR) {
        return add_issue(p, off, "%s at physical 0x%llx, %llu bytes: address beyond 2^52, left out",
                         what, (unsigned long long)addr, (unsigned long long)len);
    }
    uint64_t avail = off < m->file_size ? m->file_size - off : 0;
    if (len > avail) {
        *clipped = 1;
        KK_TRY(add_issue(p, off, "%s at physical 0x%llx-0x%llx extends past the end of the file: "
                         "%llu of its %llu bytes are missing", what, (unsigned long long)addr,
                         (unsigned long long)(addr + len - 1), (unsigned long long)(len - avail),
                         (unsigned long long)len));
        len = avail;
    }
    return add_extent(p, addr, off, len);
}

/* ---- LiME ----------------------------------------------------------------------------- */

static int parse_lime(parse *p)
{
    kk_memimg *m = p->m;
    uint64_t off = 0;
    unsigned idx = 0;
    while (off < m->file_size) {
        unsigned char h[32];
        if (m->file_size - off < sizeof h) {
            if (idx == 0)
                return kk_err_set(KK_EFORMAT, "LiME image '%s': truncated header (%llu bytes)",
                                  p->name, (unsigned long long)m->file_size);
            KK_TRY(add_issue(p, off, "truncated LiME header at offset %llu (%llu bytes): the "
                             "rest of the file is ignored", (unsigned long long)off,
                             (unsigned long long)(m->file_size - off)));
            break;
        }
        KK_TRY(pread_full(m->fd, off, h, sizeof h, p->name));
        if (memcmp(h, "EMiL", 4) || le32(h + 4) != 1) {
            if (idx == 0) {
                if (!memcmp(h, "EMiL", 4))
                    return kk_err_set(KK_EUNSUP, "LiME image '%s': version %u is not supported "
                                      "(only version 1)", p->name, le32(h + 4));
                return kk_err_set(KK_EFORMAT, "'%s' is not a LiME image", p->name);
            }
            KK_TRY(add_issue(p, off, "no valid LiME header at offset %llu where range %u should "
                             "start: the remaining %llu bytes are ignored", (unsigned long long)off,
                             idx + 1, (unsigned long long)(m->file_size - off)));
            break;
        }
        uint64_t s = le64(h + 8), e = le64(h + 16);
        if (e < s) {
            KK_TRY(add_issue(p, off, "LiME range %u at offset %llu ends (0x%llx) before it starts "
                             "(0x%llx): the rest of the file is ignored", idx + 1,
                             (unsigned long long)off, (unsigned long long)e, (unsigned long long)s));
            break;
        }
        if (e - s >= KK_MEM_MAX_ADDR) {
            KK_TRY(add_issue(p, off, "LiME range %u at offset %llu has an absurd size (0x%llx-0x%llx): "
                             "the rest of the file is ignored", idx + 1, (unsigned long long)off,
                             (unsigned long long)s, (unsigned long long)e));
            break;
        }
        uint64_t len = e - s + 1;
        char what[64];
        snprintf(what, sizeof what, "LiME range %u", idx + 1);
        int clipped;
        KK_TRY(add_range(p, what, s, off + 32, len, &clipped));
        idx++;
        if (clipped)
            break;
        off += 32 + len;
    }
    return KK_OK;
}

/* ---- ELF64 core ----------------------------------------------------------------------- */

#define ELF_MAX_PHNUM (1u << 20)

/* Physical ELF core? 1 yes (or broken: let the parser say why), 0 a process core dump. */
static int elf_check(parse *p, uint64_t *phoff, uint32_t *phnum, uint16_t *phentsize)
{
    kk_memimg *m = p->m;
    unsigned char h[64];
    if (m->file_size < sizeof h)
        return kk_err_set(KK_EFORMAT, "ELF core '%s': truncated header (%llu bytes)", p->name,
                          (unsigned long long)m->file_size);
    KK_TRY(pread_full(m->fd, 0, h, sizeof h, p->name));
    if (h[4] != 2)
        return kk_err_set(KK_EUNSUP, "ELF core '%s': only 64-bit ELF cores are supported (class %u)",
                          p->name, h[4]);
    if (h[5] != 1)
        return kk_err_set(KK_EUNSUP, "ELF core '%s': only little-endian ELF cores are supported",
                          p->name);
    if (le16(h + 16) != 4)
        return kk_err_set(KK_EFORMAT, "'%s' is an ELF file but not a core dump", p->name);
    *phoff = le64(h + 32);
    *phentsize = le16(h + 54);
    uint32_t n = le16(h + 56);
    if (n == 0xffff) { /* PN_XNUM: the count is in section header 0 */
        uint64_t shoff = le64(h + 40);
        unsigned char sh[64];
        if (shoff > m->file_size || m->file_size - shoff < sizeof sh)
            return kk_err_set(KK_EFORMAT, "ELF core '%s': section header 0 (offset %llu) is past "
                              "the end of the file", p->name, (unsigned long long)shoff);
        KK_TRY(pread_full(m->fd, shoff, sh, sizeof sh, p->name));
        n = le32(sh + 44);
    }
    if (n == 0)
        return kk_err_set(KK_EFORMAT, "ELF core '%s' has no program headers", p->name);
    if (n > ELF_MAX_PHNUM)
        return kk_err_set(KK_EFORMAT, "ELF core '%s': absurd number of program headers (%u)",
                          p->name, n);
    if (*phentsize < 56)
        return kk_err_set(KK_EFORMAT, "ELF core '%s': program header size %u is too small", p->name,
                          *phentsize);
    uint64_t need = (uint64_t)n * *phentsize;
    if (*phoff > m->file_size || m->file_size - *phoff < need)
        return kk_err_set(KK_EFORMAT, "ELF core '%s': the %u program headers at offset %llu go past "
                          "the end of the file (truncated)", p->name, n, (unsigned long long)*phoff);
    *phnum = n;
    return KK_OK;
}

static int parse_elf(parse *p, int *process_core)
{
    kk_memimg *m = p->m;
    uint64_t phoff = 0;
    uint32_t phnum = 0;
    uint16_t phentsize = 0;
    *process_core = 0;
    KK_TRY(elf_check(p, &phoff, &phnum, &phentsize));
    size_t tlen = (size_t)phnum * phentsize;
    unsigned char *tab = malloc(tlen);
    if (!tab)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int rc = pread_full(m->fd, phoff, tab, tlen, p->name);
    unsigned loads = 0, nonzero = 0;
    for (uint32_t i = 0; rc == KK_OK && i < phnum; i++) {
        const unsigned char *ph = tab + (size_t)i * phentsize;
        if (le32(ph) != 1 /* PT_LOAD */)
            continue;
        loads++;
        if (le64(ph + 24))
            nonzero++;
    }
    if (rc == KK_OK && loads >= 2 && !nonzero) {
        *process_core = 1;
        rc = kk_err_set(KK_EUNSUP, "'%s' is the ELF core dump of a process (no physical addresses), "
                        "not a memory image: scan it without --memory, or with --memory to "
                        "scan its bytes raw", p->name);
    }
    if (rc == KK_OK && loads == 0)
        rc = kk_err_set(KK_EFORMAT, "ELF core '%s' has no PT_LOAD segment: no memory in it", p->name);
    for (uint32_t i = 0; rc == KK_OK && i < phnum; i++) {
        const unsigned char *ph = tab + (size_t)i * phentsize;
        if (le32(ph) != 1)
            continue;
        uint64_t off = le64(ph + 8), paddr = le64(ph + 24), filesz = le64(ph + 32);
        char what[64];
        snprintf(what, sizeof what, "PT_LOAD %u", i);
        int clipped;
        if (off > m->file_size) {
            rc = add_issue(p, phoff + (uint64_t)i * phentsize, "%s (physical 0x%llx, %llu bytes) "
                           "starts past the end of the file (offset %llu)", what,
                           (unsigned long long)paddr, (unsigned long long)filesz,
                           (unsigned long long)off);
            continue;
        }
        rc = add_range(p, what, paddr, off, filesz, &clipped);
    }
    free(tab);
    return rc;
}

/* ---- Windows crash dumps -------------------------------------------------------------- */

#define CRASH_HDR 0x2000u
#define CRASH_MAX_RUNS ((0x348u - 0x98u) / 16u)

static int parse_crash_runs(parse *p, const unsigned char *h)
{
    kk_memimg *m = p->m;
    uint32_t nruns = le32(h + 0x88);
    uint64_t npages = le64(h + 0x90);
    if (nruns == 0)
        return kk_err_set(KK_EFORMAT, "crash dump '%s': no physical memory runs", p->name);
    if (nruns > CRASH_MAX_RUNS)
        return kk_err_set(KK_EFORMAT, "crash dump '%s': absurd number of memory runs (%u, at most %u "
                          "fit in the header)", p->name, nruns, CRASH_MAX_RUNS);
    uint64_t off = CRASH_HDR, total = 0;
    for (uint32_t i = 0; i < nruns; i++) {
        uint64_t base = le64(h + 0x98 + 16 * i), count = le64(h + 0x98 + 16 * i + 8);
        if (base >= (KK_MEM_MAX_ADDR / PAGE) || count > (KK_MEM_MAX_ADDR / PAGE)) {
            KK_TRY(add_issue(p, 0x98 + 16 * i, "crash dump run %u (page 0x%llx, %llu pages) is "
                             "absurd: this and the following runs are left out", i,
                             (unsigned long long)base, (unsigned long long)count));
            break;
        }
        char what[64];
        snprintf(what, sizeof what, "memory run %u", i);
        int clipped;
        KK_TRY(add_range(p, what, base * PAGE, off, count * PAGE, &clipped));
        if (clipped)
            break;
        off += count * PAGE;
        total += count;
    }
    if (total != npages && m->nissues == 0)
        KK_TRY(add_issue(p, 0x90, "crash dump header says %llu pages but its runs hold %llu",
                         (unsigned long long)npages, (unsigned long long)total));
    return KK_OK;
}

static int parse_crash_bitmap(parse *p)
{
    kk_memimg *m = p->m;
    unsigned char b[0x38];
    if (m->file_size < CRASH_HDR + sizeof b)
        return kk_err_set(KK_EFORMAT, "crash dump '%s': truncated bitmap header", p->name);
    KK_TRY(pread_full(m->fd, CRASH_HDR, b, sizeof b, p->name));
    uint64_t first = le64(b + 0x20), present = le64(b + 0x28), bits = le64(b + 0x30);
    if (bits > KK_MEM_MAX_ADDR / PAGE)
        return kk_err_set(KK_EFORMAT, "crash dump '%s': absurd bitmap size (%llu pages)", p->name,
                          (unsigned long long)bits);
    uint64_t bytes = (bits + 7) / 8, bmoff = CRASH_HDR + sizeof b;
    if (m->file_size - bmoff < bytes)
        return kk_err_set(KK_EFORMAT, "crash dump '%s': the page bitmap (%llu bytes at offset %llu) "
                          "goes past the end of the file", p->name, (unsigned long long)bytes,
                          (unsigned long long)bmoff);
    if (first < bmoff + bytes || first > m->file_size)
        return kk_err_set(KK_EFORMAT, "crash dump '%s': first page offset %llu is outside the file "
                          "or inside the bitmap", p->name, (unsigned long long)first);
    unsigned char buf[65536];
    uint64_t off = first, seen = 0, run_start = 0, run_len = 0;
    int stop = 0;
    for (uint64_t pos = 0; pos < bytes && !stop; pos += sizeof buf) {
        size_t n = bytes - pos < sizeof buf ? (size_t)(bytes - pos) : sizeof buf;
        KK_TRY(pread_full(m->fd, bmoff + pos, buf, n, p->name));
        for (size_t i = 0; i < n && !stop; i++) {
            if (!buf[i] && !run_len)
                continue;
            for (unsigned bit = 0; bit < 8; bit++) {
                uint64_t pg = (pos + i) * 8 + bit;
                if (pg >= bits)
                    break;
                if (buf[i] >> bit & 1) {
                    if (!run_len)
                        run_start = pg;
                    run_len++;
                    seen++;
                } else if (run_len) {
                    int clipped;
                    KK_TRY(add_range(p, "bitmap pages", run_start * PAGE, off, run_len * PAGE, &clipped));
                    off += run_len * PAGE;
                    run_len = 0;
                    if (clipped) {
                        stop = 1;
                        break;
                    }
                }
            }
        }
    }
    if (run_len && !stop) {
        int clipped;
        KK_TRY(add_range(p, "bitmap pages", run_start * PAGE, off, run_len * PAGE, &clipped));
    }
    if (!stop && seen != present)
        KK_TRY(add_issue(p, CRASH_HDR + 0x28, "crash dump bitmap header says %llu pages are present "
                         "but the bitmap marks %llu", (unsigned long long)present,
                         (unsigned long long)seen));
    return KK_OK;
}

static int parse_crash(parse *p)
{
    kk_memimg *m = p->m;
    if (m->file_size < CRASH_HDR)
        return kk_err_set(KK_EFORMAT, "crash dump '%s': truncated header (%llu of %u bytes)", p->name,
                          (unsigned long long)m->file_size, CRASH_HDR);
    unsigned char *h = malloc(CRASH_HDR);
    if (!h)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int rc = pread_full(m->fd, 0, h, CRASH_HDR, p->name);
    uint32_t type = rc == KK_OK ? le32(h + 0xf98) : 0;
    unsigned char sig[8] = {0};
    if (rc == KK_OK && m->file_size >= CRASH_HDR + 8)
        rc = pread_full(m->fd, CRASH_HDR, sig, 8, p->name);
    int bitmap = (!memcmp(sig, "SDMP", 4) || !memcmp(sig, "FDMP", 4)) && !memcmp(sig + 4, "DUMP", 4);
    if (rc != KK_OK) {
    } else if (type == 1) {
        m->format = "crashdump64-runs";
        rc = parse_crash_runs(p, h);
    } else if (type == 4) {
        rc = kk_err_set(KK_EUNSUP, "'%s' is a Windows kernel minidump (triage dump, type 4): it "
                        "holds no physical memory to scan", p->name);
    } else if (bitmap) {
        m->format = "crashdump64-bitmap";
        rc = parse_crash_bitmap(p);
    } else if (type == 2 || type == 5) {
        rc = kk_err_set(KK_EFORMAT, "crash dump '%s' (type %u): no page bitmap header at offset "
                        "0x2000", p->name, type);
    } else {
        rc = kk_err_set(KK_EUNSUP, "crash dump '%s': dump type %u is not supported (full, kernel "
                        "and bitmap dumps are: types 1, 2 and 5)", p->name, type);
    }
    free(h);
    return rc;
}

/* ---- open / read ---------------------------------------------------------------------- */

static int refuse(kk_memkind k, const char *name)
{
    switch (k) {
    case KK_MEM_HIBER:
        return kk_err_set(KK_EUNSUP, "'%s' is a Windows hibernation file: its pages are compressed; "
                          "convert it to a raw image first (or give --memory to scan its bytes raw)",
                          name);
    case KK_MEM_AVML:
        return kk_err_set(KK_EUNSUP, "'%s' is an AVML image (compressed): convert it with "
                          "'avml-convert' to LiME or raw first (or give --memory to scan its bytes "
                          "raw)", name);
    case KK_MEM_PAGEFILE:
        return kk_err_set(KK_EUNSUP, "'%s' is a Windows page file: its pages have no physical "
                          "addresses; give --memory to scan it raw", name);
    case KK_MEM_CRASH32:
        return kk_err_set(KK_EUNSUP, "'%s' is a 32-bit Windows crash dump (PAGEDUMP): only 64-bit "
                          "crash dumps (PAGEDU64) are supported", name);
    default:
        return kk_err_set(KK_EUNSUP, "'%s': unsupported memory image", name);
    }
}

static void memimg_free(kk_memimg *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nissues; i++)
        free(m->issues[i].message);
    free(m->issues);
    free(m->ext);
    free(m);
}

int kk_memimg_open_fd(int fd, const char *name, int forced, kk_memimg **out)
{
    *out = NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return kk_err_set(KK_EIO, "cannot stat '%s': %s", name, strerror(errno));
    if (!S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode))
        return kk_err_set(KK_EINVAL, "'%s' is not a file or a block device: it cannot be a memory "
                          "image", name);
    kk_memimg *m = kk_calloc(1, sizeof *m);
    if (!m)
        return kk_err_set(KK_ENOMEM, "out of memory");
    m->fd = fd;
    m->file_size = (uint64_t)sb.st_size;
    if (S_ISBLK(sb.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        if (end > 0)
            m->file_size = (uint64_t)end;
    }
    parse p = {.m = m, .name = name};
    unsigned char h[KK_MEM_SNIFF];
    size_t n = m->file_size < sizeof h ? (size_t)m->file_size : sizeof h;
    int rc = pread_full(fd, 0, h, n, name);
    kk_memkind k = rc == KK_OK ? kk_memimg_sniff(h, n, name) : KK_MEM_NONE;
    int raw = 0;
    if (rc != KK_OK) {
    } else if (k == KK_MEM_LIME) {
        m->format = "lime";
        rc = parse_lime(&p);
    } else if (k == KK_MEM_ELFCORE) {
        m->format = "elf64-core";
        int proc;
        rc = parse_elf(&p, &proc);
        if (rc != KK_OK && proc && forced)
            raw = 1;
    } else if (k == KK_MEM_CRASH64) {
        m->format = "crashdump64";
        rc = parse_crash(&p);
    } else if (k == KK_MEM_NONE || forced) { /* hibernation, AVML, page file, 32-bit dump */
        raw = forced;
        if (!forced)
            rc = kk_err_set(KK_EFORMAT, "'%s' has no memory-image header (give --memory to scan it "
                            "as a raw memory image)", name);
    } else {
        rc = refuse(k, name);
    }
    if (raw) {
        m->format = "raw";
        m->next = 0;
        for (size_t i = 0; i < m->nissues; i++)
            free(m->issues[i].message);
        m->nissues = 0;
        rc = m->file_size ? add_extent(&p, 0, 0, m->file_size)
                          : kk_err_set(KK_EFORMAT, "memory image '%s' is empty", name);
    }
    if (rc == KK_OK)
        rc = finish_extents(&p);
    if (rc == KK_OK && m->next == 0)
        rc = kk_err_set(KK_EFORMAT, "memory image '%s' (%s) holds no memory data%s%s", name, m->format,
                        m->nissues ? ": " : "", m->nissues ? m->issues[0].message : "");
    if (rc != KK_OK) {
        memimg_free(m);
        return rc;
    }
    *out = m;
    return KK_OK;
}

kk_memkind kk_memimg_probe(int fd, const char *name)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISBLK(sb.st_mode)))
        return KK_MEM_NONE;
    unsigned char h[KK_MEM_SNIFF];
    ssize_t n = pread(fd, h, sizeof h, 0);
    kk_memkind k = kk_memimg_sniff(h, n > 0 ? (size_t)n : 0, name);
    if (k != KK_MEM_ELFCORE)
        return k;
    /* an ELF core of a process is a file to scan, not a memory image; a broken one is
     * a memory image (the scan says what is wrong with it) */
    char keep[1024];
    snprintf(keep, sizeof keep, "%s", kk_err_msg());
    kk_memimg *m = kk_calloc(1, sizeof *m);
    if (m) {
        m->fd = fd;
        m->file_size = (uint64_t)sb.st_size;
        parse p = {.m = m, .name = name};
        int proc = 0;
        parse_elf(&p, &proc);
        if (proc)
            k = KK_MEM_NONE;
        memimg_free(m);
    }
    kk_err_set(KK_OK, "%s", keep);
    return k;
}

int kk_memimg_open(const char *path, int forced, kk_memimg **out)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open '%s': %s", path,
                          strerror(errno));
    int rc = kk_memimg_open_fd(fd, path, forced, out);
    if (rc != KK_OK)
        close(fd);
    return rc;
}

void kk_memimg_close(kk_memimg *m)
{
    if (!m)
        return;
    if (m->fd >= 0)
        close(m->fd);
    memimg_free(m);
}

size_t kk_memimg_find(const kk_memimg *m, uint64_t addr)
{
    size_t lo = 0, hi = m->next;
    while (lo < hi) { /* first extent whose end is above addr */
        size_t mid = lo + (hi - lo) / 2;
        if (m->ext[mid].addr + m->ext[mid].len <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int kk_memimg_offset(const kk_memimg *m, uint64_t addr, uint64_t *off)
{
    size_t i = kk_memimg_find(m, addr);
    if (i >= m->next || m->ext[i].addr > addr)
        return KK_ENOENT;
    *off = m->ext[i].off + (addr - m->ext[i].addr);
    return KK_OK;
}

uint64_t kk_memimg_contig(const kk_memimg *m, uint64_t addr, uint64_t max)
{
    uint64_t have = 0;
    for (size_t i = kk_memimg_find(m, addr); i < m->next && have < max; i++) {
        if (m->ext[i].addr > addr + have)
            break;
        have = m->ext[i].addr + m->ext[i].len - addr;
    }
    return have < max ? have : max;
}

uint64_t kk_memimg_run_start(const kk_memimg *m, uint64_t addr)
{
    size_t i = kk_memimg_find(m, addr);
    if (i >= m->next || m->ext[i].addr > addr)
        return addr;
    while (i > 0 && m->ext[i - 1].addr + m->ext[i - 1].len == m->ext[i].addr)
        i--;
    return m->ext[i].addr;
}

int kk_memimg_read(const kk_memimg *m, uint64_t addr, void *buf, size_t n, size_t *mapped)
{
    unsigned char *out = buf;
    size_t done = 0, in = 0;
    size_t i = kk_memimg_find(m, addr);
    while (done < n) {
        uint64_t a = addr + done;
        if (i >= m->next || m->ext[i].addr >= a + (n - done)) {
            memset(out + done, 0, n - done);
            break;
        }
        const kk_mem_extent *e = &m->ext[i];
        if (e->addr > a) {
            size_t gap = (size_t)(e->addr - a);
            memset(out + done, 0, gap);
            done += gap;
            continue;
        }
        uint64_t left = e->addr + e->len - a;
        size_t take = left < n - done ? (size_t)left : n - done;
        int rc = pread_full(m->fd, e->off + (a - e->addr), out + done, take, "memory image");
        if (rc != KK_OK)
            return kk_err_set(KK_EIO, "cannot read physical 0x%llx (file offset %llu): %s",
                              (unsigned long long)a, (unsigned long long)(e->off + (a - e->addr)),
                              kk_err_msg());
        done += take;
        in += take;
        i++;
    }
    if (mapped)
        *mapped = in;
    return KK_OK;
}
