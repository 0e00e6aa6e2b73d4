/* memimg.h - memory-image formats: raw, LiME, ELF64 core dumps and 64-bit Windows crash
 * dumps (run-based and bitmap), read as a map of physical memory (docs/memory.md).
 *
 * An opened image is a list of extents {physical address, file offset, length}, sorted by
 * address and never overlapping. Problems that leave part of the image usable (a range
 * past the end of the file, overlapping ranges, a truncated trailing header) become
 * issues the caller reports as `error` records; problems that leave nothing usable are
 * errors (KK_EFORMAT, KK_EUNSUP). Every size comes from hostile evidence and is checked. */
#ifndef KK_MEMIMG_H
#define KK_MEMIMG_H
#include <stddef.h>
#include <stdint.h>

/* What the first bytes (and the file name) say. */
typedef enum kk_memkind {
    KK_MEM_NONE = 0,     /* no memory-image header (raw only with --memory) */
    KK_MEM_LIME,         /* LiME ("EMiL") */
    KK_MEM_ELFCORE,      /* ELF64 core with physical addresses */
    KK_MEM_CRASH64,      /* "PAGEDU64" Windows crash dump */
    KK_MEM_CRASH32,      /* "PAGEDUMP" (32-bit): refused */
    KK_MEM_HIBER,        /* hibernation file ("hibr", "HIBR", "wake", "WAKE"): refused */
    KK_MEM_AVML,         /* AVML (compressed LiME-like): refused */
    KK_MEM_PAGEFILE,     /* pagefile.sys / swapfile.sys (by name): refused */
} kk_memkind;

#define KK_MEM_SNIFF 64  /* header bytes kk_memimg_sniff needs */

/* Classify a file from its first n bytes (n may be short) and its name (may be NULL). */
kk_memkind kk_memimg_sniff(const unsigned char *hdr, size_t n, const char *name);
const char *kk_memkind_name(kk_memkind k);
/* Classify an open file (regular file or block device; anything else is KK_MEM_NONE).
 * An ELF core dump of a process (no physical addresses) is KK_MEM_NONE. Never fails. */
kk_memkind kk_memimg_probe(int fd, const char *name);

typedef struct kk_mem_extent {
    uint64_t addr;  /* physical address */
    uint64_t off;   /* offset in the image file */
    uint64_t len;
} kk_mem_extent;

typedef struct kk_mem_issue {
    uint64_t offset;  /* file offset the problem was found at */
    char *message;
} kk_mem_issue;

typedef struct kk_memimg {
    int fd;
    uint64_t file_size;
    const char *format;        /* "raw", "lime", "elf64-core", "crashdump64-runs", ... */
    kk_mem_extent *ext;        /* sorted by addr, disjoint, adjacent ones merged */
    size_t next;
    uint64_t mapped;           /* sum of extent lengths */
    kk_mem_issue *issues;
    size_t nissues;
} kk_memimg;

/* Hard caps on what a header may ask for. */
#define KK_MEM_MAX_EXTENTS   (4u << 20)        /* ranges/runs after merging */
#define KK_MEM_MAX_ADDR      (1ull << 52)      /* physical addresses (x86-64: 52 bits) */

/* Open path as a memory image. forced (--memory): a file with no recognised header, a
 * hibernation file, an AVML file or a page file is mapped raw (address = offset) instead
 * of being refused. Recognised formats are always parsed as such. */
int kk_memimg_open(const char *path, int forced, kk_memimg **out);
/* Same, from an open descriptor (not closed by kk_memimg_close); name for messages. */
int kk_memimg_open_fd(int fd, const char *name, int forced, kk_memimg **out);
void kk_memimg_close(kk_memimg *m);

/* Index of the extent holding addr, or of the first extent above it (m->next when none). */
size_t kk_memimg_find(const kk_memimg *m, uint64_t addr);
/* File offset of physical addr: KK_OK, or KK_ENOENT when addr is in a hole. */
int kk_memimg_offset(const kk_memimg *m, uint64_t addr, uint64_t *off);
/* Read n bytes at physical addr. Holes read as zeros. *mapped (may be NULL) gets the
 * number of bytes that were in the image. KK_OK or KK_EIO (message set). */
int kk_memimg_read(const kk_memimg *m, uint64_t addr, void *buf, size_t n, size_t *mapped);
/* Start of the run of contiguous memory (no hole) that holds addr (addr when in a hole). */
uint64_t kk_memimg_run_start(const kk_memimg *m, uint64_t addr);
/* Bytes at addr that are contiguous in the image (up to the next hole), at most max. */
uint64_t kk_memimg_contig(const kk_memimg *m, uint64_t addr, uint64_t max);

#endif
