/* test_mem_formats.c - memory-image formats (src/memory/memimg.c) and PE header checks
 * (src/memory/pe.c): images built here byte by byte, parsed, mapped and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "memory/memimg.h"
#include "memory/pe.h"
#include "util/err.h"

/* ---- building images ------------------------------------------------------------------ */

typedef struct img {
    unsigned char *p;
    size_t n, a;
} img;

static void put(img *b, const void *p, size_t n)
{
    if (b->n + n > b->a) {
        b->a = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->a);
        assert_non_null(b->p);
    }
    if (p)
        memcpy(b->p + b->n, p, n);
    else
        memset(b->p + b->n, 0, n);
    b->n += n;
}

static void put32(img *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(b, x, 4);
}

static void put64(img *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

static void set32(img *b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->p[at + i] = (unsigned char)(v >> (8 * i));
}

static void set64(img *b, size_t at, uint64_t v)
{
    set32(b, at, (uint32_t)v);
    set32(b, at + 4, (uint32_t)(v >> 32));
}

static void set16(img *b, size_t at, uint16_t v)
{
    b->p[at] = (unsigned char)v;
    b->p[at + 1] = (unsigned char)(v >> 8);
}

/* pattern byte of physical address a: lets reads be checked anywhere */
static unsigned char pat(uint64_t a) { return (unsigned char)(a * 31 + (a >> 8) * 7 + 1); }

static void put_pattern(img *b, uint64_t addr, size_t n)
{
    size_t at = b->n;
    put(b, NULL, n);
    for (size_t i = 0; i < n; i++)
        b->p[at + i] = pat(addr + i);
}

static void lime_range(img *b, uint64_t s, uint64_t len)
{
    put32(b, 0x4C694D45);
    put32(b, 1);
    put64(b, s);
    put64(b, s + len - 1);
    put64(b, 0);
    put_pattern(b, s, (size_t)len);
}

static char *save(const img *b, const char *name)
{
    char *dir = strdup("/tmp/kk-memtest-XXXXXX");
    assert_non_null(mkdtemp(dir));
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (b->n)
        assert_int_equal(fwrite(b->p, 1, b->n, f), b->n);
    fclose(f);
    free(dir);
    return path;
}

static void drop(char *path)
{
    unlink(path);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    rmdir(path);
    free(path);
}

static void check_read(const kk_memimg *m, uint64_t addr, size_t n, size_t want_mapped)
{
    unsigned char *buf = malloc(n);
    size_t mapped = 12345;
    assert_int_equal(kk_memimg_read(m, addr, buf, n, &mapped), KK_OK);
    assert_int_equal(mapped, want_mapped);
    for (size_t i = 0; i < n; i++) {
        uint64_t off;
        int in = kk_memimg_offset(m, addr + i, &off) == KK_OK;
        assert_int_equal(buf[i], in ? pat(addr + i) : 0);
    }
    free(buf);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_sniff(void **state)
{
    (void)state;
    const unsigned char elf[18] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0};
    const unsigned char exe[18] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0};
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"EMiL\1\0\0\0", 8, "x"), KK_MEM_LIME);
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"PAGEDU64", 8, NULL), KK_MEM_CRASH64);
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"PAGEDUMP", 8, NULL), KK_MEM_CRASH32);
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"PAGEDU6", 7, NULL), KK_MEM_NONE);
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"hibrxxxx", 8, NULL), KK_MEM_HIBER);
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"WAKExxxx", 8, NULL), KK_MEM_HIBER);
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"AVML\2\0\0\0", 8, NULL), KK_MEM_AVML);
    assert_int_equal(kk_memimg_sniff(elf, sizeof elf, NULL), KK_MEM_ELFCORE);
    assert_int_equal(kk_memimg_sniff(exe, sizeof exe, NULL), KK_MEM_NONE);
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"MZ", 2, "/c/PageFile.SYS"), KK_MEM_PAGEFILE);
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"", 0, "swapfile.sys"), KK_MEM_PAGEFILE);
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"\0\0\0\0", 4, "x/hiberfil.sys"), KK_MEM_HIBER);
    assert_int_equal(kk_memimg_sniff((const unsigned char *)"\0\0\0\0", 4, "pagefile.sys.txt"), KK_MEM_NONE);
    assert_string_equal(kk_memkind_name(KK_MEM_LIME), "lime");
}

static void test_lime_ranges(void **state)
{
    (void)state;
    img b = {0};
    lime_range(&b, 0x2000, 0x3000);   /* 0x2000-0x4fff */
    lime_range(&b, 0x5000, 0x1000);   /* adjacent in memory, not in the file */
    lime_range(&b, 0x10000, 0x1234);  /* after a hole, odd size */
    lime_range(&b, 0x8000, 0x800);    /* out of order */
    char *path = save(&b, "r.lime");
    kk_memimg *m;
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_OK);
    assert_string_equal(m->format, "lime");
    assert_int_equal(m->nissues, 0);
    assert_int_equal(m->next, 4);
    assert_int_equal(m->ext[0].addr, 0x2000);
    assert_int_equal(m->ext[0].off, 32);
    assert_int_equal(m->ext[1].addr, 0x5000);
    assert_int_equal(m->ext[1].off, 32 + 0x3000 + 32);
    assert_int_equal(m->ext[2].addr, 0x8000); /* sorted by address */
    assert_int_equal(m->ext[3].addr, 0x10000);
    assert_int_equal(m->mapped, 0x3000 + 0x1000 + 0x1234 + 0x800);
    /* reads across the join of adjacent ranges, across holes, before and after all */
    check_read(m, 0x4ff0, 0x20, 0x20);
    check_read(m, 0x0, 0x2010, 0x10);
    check_read(m, 0x7ff0, 0x820, 0x800);
    check_read(m, 0x11230, 0x10, 4);
    check_read(m, 0x20000, 16, 0);
    assert_int_equal(kk_memimg_run_start(m, 0x5100), 0x2000);
    assert_int_equal(kk_memimg_run_start(m, 0x8100), 0x8000);
    assert_int_equal(kk_memimg_contig(m, 0x2000, 1 << 20), 0x4000);
    assert_int_equal(kk_memimg_contig(m, 0x6000, 100), 0);
    uint64_t off;
    assert_int_equal(kk_memimg_offset(m, 0x5001, &off), KK_OK);
    assert_int_equal(off, 32 + 0x3000 + 32 + 1);
    assert_int_equal(kk_memimg_offset(m, 0x6000, &off), KK_ENOENT);
    kk_memimg_close(m);
    drop(path);
    free(b.p);
}

static void test_lime_problems(void **state)
{
    (void)state;
    /* overlapping ranges: the later part is kept, the overlap reported */
    img b = {0};
    lime_range(&b, 0x0, 0x4000);
    lime_range(&b, 0x3000, 0x2000);
    lime_range(&b, 0x1000, 0x1000); /* wholly inside the first */
    char *path = save(&b, "o.lime");
    kk_memimg *m;
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_OK);
    assert_int_equal(m->nissues, 2);
    assert_non_null(strstr(m->issues[0].message, "overlaps"));
    assert_int_equal(m->next, 2);
    assert_int_equal(m->ext[1].addr, 0x4000);
    assert_int_equal(m->ext[1].len, 0x1000);
    assert_int_equal(m->ext[1].off, 32 + 0x4000 + 32 + 0x1000);
    kk_memimg_close(m);
    drop(path);
    free(b.p);

    /* a range past the end: clipped; then nothing more */
    memset(&b, 0, sizeof b);
    lime_range(&b, 0x1000, 0x1000);
    lime_range(&b, 0x100000, 0x2000);
    b.n -= 0x1800;
    path = save(&b, "p.lime");
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_OK);
    assert_int_equal(m->nissues, 1);
    assert_non_null(strstr(m->issues[0].message, "past the end"));
    assert_int_equal(m->next, 2);
    assert_int_equal(m->ext[1].len, 0x800);
    kk_memimg_close(m);
    drop(path);
    free(b.p);

    /* the first header truncated: unusable */
    memset(&b, 0, sizeof b);
    lime_range(&b, 0, 16);
    b.n = 31;
    path = save(&b, "t.lime");
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_EFORMAT);
    assert_non_null(strstr(kk_err_msg(), "truncated header"));
    assert_null(m);
    /* forced: a recognised format stays that format (still refused) */
    assert_int_equal(kk_memimg_open(path, 1, &m), KK_EFORMAT);
    drop(path);
    free(b.p);

    /* the only range's data entirely missing: nothing to scan */
    memset(&b, 0, sizeof b);
    lime_range(&b, 0, 16);
    b.n = 32;
    path = save(&b, "e.lime");
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_EFORMAT);
    assert_non_null(strstr(kk_err_msg(), "holds no memory data"));
    drop(path);
    free(b.p);
}

static void elf_header(img *b, uint16_t phnum, uint64_t shoff)
{
    static const unsigned char ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    put(b, ident, 16);
    unsigned char rest[48] = {0};
    put(b, rest, 48);
    set16(b, 16, 4);  /* ET_CORE */
    set16(b, 18, 62); /* x86-64 */
    set64(b, 32, 64); /* e_phoff */
    set64(b, 40, shoff);
    set16(b, 52, 64);
    set16(b, 54, 56);
    set16(b, 56, phnum);
    set16(b, 58, 64);
    set16(b, 60, shoff ? 1 : 0);
}

static void elf_phdr(img *b, uint32_t type, uint64_t off, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
    put32(b, type);
    put32(b, 7);
    put64(b, off);
    put64(b, 0);
    put64(b, paddr);
    put64(b, filesz);
    put64(b, memsz);
    put64(b, 4096);
}

static void test_elf(void **state)
{
    (void)state;
    /* e_phnum = PN_XNUM: the count (3) is in section header 0 */
    img b = {0};
    elf_header(&b, 0xffff, 64 + 3 * 56);
    elf_phdr(&b, 4, 0, 0, 0, 0); /* PT_NOTE */
    elf_phdr(&b, 1, 4096, 0x100000, 0x2000, 0x3000);
    elf_phdr(&b, 1, 4096 + 0x2000, 0, 0x1000, 0x1000);
    put(&b, NULL, 64);
    set32(&b, 64 + 3 * 56 + 44, 3); /* sh_info */
    put(&b, NULL, 4096 - b.n);
    put_pattern(&b, 0x100000, 0x2000);
    put_pattern(&b, 0, 0x1000);
    char *path = save(&b, "c.elf");
    int pfd = open(path, O_RDONLY);
    assert_int_equal(kk_memimg_probe(pfd, path), KK_MEM_ELFCORE);
    close(pfd);
    pfd = open("/tmp", O_RDONLY);
    assert_int_equal(kk_memimg_probe(pfd, "/tmp/pagefile.sys"), KK_MEM_NONE); /* not a file */
    close(pfd);
    kk_memimg *m;
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_OK);
    assert_string_equal(m->format, "elf64-core");
    assert_int_equal(m->next, 2);
    assert_int_equal(m->ext[0].addr, 0);
    assert_int_equal(m->ext[0].off, 4096 + 0x2000);
    assert_int_equal(m->ext[1].addr, 0x100000);
    assert_int_equal(m->ext[1].len, 0x2000); /* p_memsz beyond p_filesz is a hole */
    check_read(m, 0x101ff0, 0x20, 0x10);
    kk_memimg_close(m);
    drop(path);
    free(b.p);

    /* a process core (several PT_LOADs, all p_paddr 0): not a memory image */
    memset(&b, 0, sizeof b);
    elf_header(&b, 2, 0);
    elf_phdr(&b, 1, 4096, 0, 0x1000, 0x1000);
    elf_phdr(&b, 1, 8192, 0, 0x1000, 0x1000);
    put(&b, NULL, 12288 - b.n);
    path = save(&b, "p.core");
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(kk_memimg_probe(fd, path), KK_MEM_NONE); /* scanned as a file */
    close(fd);
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_EUNSUP);
    assert_non_null(strstr(kk_err_msg(), "of a process"));
    assert_int_equal(kk_memimg_open(path, 1, &m), KK_OK); /* --memory: raw */
    assert_string_equal(m->format, "raw");
    assert_int_equal(m->next, 1);
    assert_int_equal(m->ext[0].len, 12288);
    kk_memimg_close(m);
    drop(path);
    free(b.p);

    /* ELF32 and big-endian cores are refused as unsupported */
    memset(&b, 0, sizeof b);
    elf_header(&b, 1, 0);
    b.p[4] = 1;
    path = save(&b, "32.elf");
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_EUNSUP);
    assert_non_null(strstr(kk_err_msg(), "64-bit"));
    drop(path);
    free(b.p);
}

static void crash_header(img *b, uint32_t type)
{
    put(b, NULL, 0x2000);
    memcpy(b->p, "PAGEDU64", 8);
    set32(b, 0xf98, type);
}

static void test_crash_runs(void **state)
{
    (void)state;
    img b = {0};
    crash_header(&b, 1);
    set32(&b, 0x88, 3);
    set64(&b, 0x90, 2 + 3 + 1);
    uint64_t runs[3][2] = {{1, 2}, {0x10, 3}, {0x100, 1}};
    for (int i = 0; i < 3; i++) {
        set64(&b, 0x98 + 16 * i, runs[i][0]);
        set64(&b, 0x98 + 16 * i + 8, runs[i][1]);
        put_pattern(&b, runs[i][0] * 4096, (size_t)runs[i][1] * 4096);
    }
    char *path = save(&b, "r.dmp");
    kk_memimg *m;
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_OK);
    assert_string_equal(m->format, "crashdump64-runs");
    assert_int_equal(m->nissues, 0);
    assert_int_equal(m->next, 3);
    assert_int_equal(m->ext[1].addr, 0x10000);
    assert_int_equal(m->ext[1].off, 0x2000 + 2 * 4096);
    assert_int_equal(m->ext[2].off, 0x2000 + 5 * 4096);
    check_read(m, 0x2f00, 0x200, 0x100);
    check_read(m, 0x100000, 4096, 4096);
    kk_memimg_close(m);
    drop(path);

    /* the page count in the header disagrees: an issue, the runs still used */
    set64(&b, 0x90, 99);
    path = save(&b, "r2.dmp");
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_OK);
    assert_int_equal(m->nissues, 1);
    kk_memimg_close(m);
    drop(path);
    free(b.p);
}

static void test_crash_bitmap(void **state)
{
    (void)state;
    img b = {0};
    crash_header(&b, 5);
    unsigned char bmh[0x38] = "FDMPDUMP";
    put(&b, bmh, sizeof bmh);
    /* 20 pages: present 0,1,2, 5, 8..15, 19 */
    unsigned char bits[3] = {0x27, 0xff, 0x08};
    put(&b, bits, 3);
    size_t first = 0x3000;
    put(&b, NULL, first - b.n);
    set64(&b, 0x2020, first);
    set64(&b, 0x2028, 13);
    set64(&b, 0x2030, 20);
    static const int present[] = {0, 1, 2, 5, 8, 9, 10, 11, 12, 13, 14, 15, 19};
    for (size_t i = 0; i < sizeof present / sizeof *present; i++)
        put_pattern(&b, (uint64_t)present[i] * 4096, 4096);
    char *path = save(&b, "b.dmp");
    kk_memimg *m;
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_OK);
    assert_string_equal(m->format, "crashdump64-bitmap");
    assert_int_equal(m->nissues, 0);
    assert_int_equal(m->next, 4);
    assert_int_equal(m->ext[0].len, 3 * 4096);
    assert_int_equal(m->ext[1].addr, 5 * 4096);
    assert_int_equal(m->ext[1].off, first + 3 * 4096);
    assert_int_equal(m->ext[2].addr, 8 * 4096);
    assert_int_equal(m->ext[2].len, 8 * 4096);
    assert_int_equal(m->ext[3].addr, 19 * 4096);
    assert_int_equal(m->ext[3].off, first + 12 * 4096);
    check_read(m, 0, 20 * 4096, 13 * 4096);
    kk_memimg_close(m);
    drop(path);

    /* fewer page bytes than the bitmap promises: clipped, reported */
    b.n -= 4096 + 100;
    path = save(&b, "b2.dmp");
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_OK);
    assert_int_equal(m->nissues, 1);
    assert_non_null(strstr(m->issues[0].message, "past the end"));
    assert_int_equal(m->mapped, 11 * 4096 + 4096 - 100);
    kk_memimg_close(m);
    drop(path);

    /* a kernel summary dump (type 2) with an "SDMP" header */
    b.n += 4096 + 100;
    memcpy(b.p + 0x2000, "SDMP", 4);
    set32(&b, 0xf98, 2);
    path = save(&b, "s.dmp");
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_OK);
    assert_int_equal(m->mapped, 13 * 4096);
    kk_memimg_close(m);
    drop(path);

    /* type 5 without its bitmap header */
    memcpy(b.p + 0x2000, "XXXX", 4);
    set32(&b, 0xf98, 5);
    path = save(&b, "x.dmp");
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_EFORMAT);
    drop(path);

    /* triage dump: refused even when forced */
    set32(&b, 0xf98, 4);
    path = save(&b, "t.dmp");
    assert_int_equal(kk_memimg_open(path, 1, &m), KK_EUNSUP);
    assert_non_null(strstr(kk_err_msg(), "minidump"));
    drop(path);
    free(b.p);
}

static void test_refused_and_raw(void **state)
{
    (void)state;
    img b = {0};
    put(&b, "hibr", 4);
    put_pattern(&b, 4, 8000);
    char *path = save(&b, "h.bin");
    kk_memimg *m;
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_EUNSUP);
    assert_non_null(strstr(kk_err_msg(), "hibernation"));
    assert_int_equal(kk_memimg_open(path, 1, &m), KK_OK);
    assert_string_equal(m->format, "raw");
    assert_int_equal(m->ext[0].len, 8004);
    check_read(m, 8000, 8, 4);
    kk_memimg_close(m);
    drop(path);

    memcpy(b.p, "\0\0\0\0", 4);
    path = save(&b, "pagefile.sys");
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_EUNSUP);
    assert_non_null(strstr(kk_err_msg(), "page file"));
    drop(path);

    path = save(&b, "plain.mem");
    assert_int_equal(kk_memimg_open(path, 0, &m), KK_EFORMAT);
    assert_non_null(strstr(kk_err_msg(), "--memory"));
    assert_int_equal(kk_memimg_open(path, 1, &m), KK_OK);
    kk_memimg_close(m);
    drop(path);
    free(b.p);

    assert_int_equal(kk_memimg_open("/nonexistent/x.lime", 0, &m), KK_ENOENT);
}

static void pe_build(unsigned char *p, size_t n, uint16_t magic, uint32_t soi, uint32_t soh)
{
    memset(p, 0, n);
    p[0] = 'M';
    p[1] = 'Z';
    p[0x3c] = 0x80;
    memcpy(p + 0x80, "PE\0\0", 4);
    p[0x84] = 0x64;
    p[0x85] = 0x86;
    p[0x86] = 2; /* sections */
    uint16_t optsz = magic == 0x20b ? 0xf0 : 0xe0;
    p[0x94] = (unsigned char)optsz;
    unsigned char *opt = p + 0x98;
    opt[0] = (unsigned char)magic;
    opt[1] = (unsigned char)(magic >> 8);
    memcpy(opt + 56, &soi, 4);
    memcpy(opt + 60, &soh, 4);
    uint32_t ndd = 16, exp_rva = 0x1000;
    memcpy(opt + (magic == 0x20b ? 108 : 92), &ndd, 4);
    memcpy(opt + (magic == 0x20b ? 112 : 96), &exp_rva, 4);
}

static void test_pe(void **state)
{
    (void)state;
    size_t n = 0x3000;
    unsigned char *p = calloc(1, n);
    kk_pe_info pi;
    pe_build(p, n, 0x20b, 0x3000, 0x400);
    assert_int_equal(kk_pe_check(p, n, &pi), 1);
    assert_true(pi.pe32plus);
    assert_int_equal(pi.size_of_image, 0x3000);
    assert_int_equal(pi.export_rva, 0x1000);
    char name[32];
    uint32_t nrva = 0x1100;
    memcpy(p + 0x1000 + 12, &nrva, 4);
    memcpy(p + 0x1100, "evil.dll", 9);
    kk_pe_export_name(p, n, &pi, name, sizeof name);
    assert_string_equal(name, "evil.dll");
    p[0x1103] = 0x01; /* not printable: no name */
    kk_pe_export_name(p, n, &pi, name, sizeof name);
    assert_string_equal(name, "");
    nrva = 0x7fffffff; /* outside the image */
    memcpy(p + 0x1000 + 12, &nrva, 4);
    kk_pe_export_name(p, n, &pi, name, sizeof name);
    assert_string_equal(name, "");

    pe_build(p, n, 0x10b, 0x2000, 0x200);
    assert_int_equal(kk_pe_check(p, n, &pi), 1);
    assert_false(pi.pe32plus);
    assert_int_equal(kk_pe_check(p, 0x80 + 87, &pi), 0); /* headers cut off */
    assert_int_equal(kk_pe_check(p, 0x80 + 88, &pi), 1);
    pe_build(p, n, 0x10b, 0x100, 0x200);            /* SizeOfHeaders > SizeOfImage */
    assert_int_equal(kk_pe_check(p, n, &pi), 0);
    pe_build(p, n, 0x10b, 0x80000000u, 0x200);      /* absurd SizeOfImage */
    assert_int_equal(kk_pe_check(p, n, &pi), 0);
    pe_build(p, n, 0x10c, 0x2000, 0x200);           /* bad magic */
    assert_int_equal(kk_pe_check(p, n, &pi), 0);
    pe_build(p, n, 0x20b, 0x2000, 0x200);
    p[0x3c] = 0xf8; p[0x3d] = 0x0f;                 /* e_lfanew at the page end */
    assert_int_equal(kk_pe_check(p, n, &pi), 0);
    pe_build(p, n, 0x20b, 0x2000, 0x200);
    p[0x86] = 0;                                    /* no sections */
    assert_int_equal(kk_pe_check(p, n, &pi), 0);
    assert_int_equal(kk_pe_check((const unsigned char *)"MZ", 2, &pi), 0);
    free(p);
}

/* The real LiME slice: physical 0x1000 holds what Volatility 3 read there. */
static void test_memflow_lime(void **state)
{
    (void)state;
    const char *c = getenv("CORPORA");
    char lime[1024], vol[1024];
    snprintf(lime, sizeof lime, "%s/memflow-LiME/tests/deb-x86_64-slice.lime", c ? c : "../shared/corpora");
    snprintf(vol, sizeof vol, "%s/memflow-LiME/tests/deb-x86_64-slice_0x1000_volatility3_out",
             c ? c : "../shared/corpora");
    FILE *f = fopen(vol, "rb");
    if (!f || access(lime, R_OK) != 0) {
        if (f)
            fclose(f);
        skip();
    }
    unsigned char want[128], got[128];
    assert_int_equal(fread(want, 1, sizeof want, f), sizeof want);
    fclose(f);
    kk_memimg *m;
    assert_int_equal(kk_memimg_open(lime, 0, &m), KK_OK);
    assert_string_equal(m->format, "lime");
    assert_int_equal(m->next, 1);
    assert_int_equal(m->ext[0].addr, 0x1000);
    assert_int_equal(m->ext[0].len, 0x9f000);
    size_t mapped;
    assert_int_equal(kk_memimg_read(m, 0x1000, got, sizeof got, &mapped), KK_OK);
    assert_int_equal(mapped, 128);
    assert_memory_equal(got, want, sizeof want);
    kk_memimg_close(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_lime_ranges),
        cmocka_unit_test(test_lime_problems),
        cmocka_unit_test(test_elf),
        cmocka_unit_test(test_crash_runs),
        cmocka_unit_test(test_crash_bitmap),
        cmocka_unit_test(test_refused_and_raw),
        cmocka_unit_test(test_pe),
        cmocka_unit_test(test_memflow_lime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
