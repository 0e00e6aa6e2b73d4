/* pe.h - recognising a PE image mapped in memory (MZ + PE headers at a page boundary),
 * for carving the module a memory hit lies in (docs/memory.md). */
#ifndef KK_MEMPE_H
#define KK_MEMPE_H
#include <stddef.h>
#include <stdint.h>

#define KK_PE_MAX_IMAGE (1u << 30)  /* SizeOfImage above this is not believed */

typedef struct kk_pe_info {
    uint32_t size_of_image;
    uint32_t size_of_headers;
    uint16_t machine;
    uint16_t nsections;
    uint32_t timestamp;
    uint32_t export_rva;   /* export directory (0 when none) */
    uint32_t e_lfanew;
    int pe32plus;
} kk_pe_info;

/* Is there a believable PE header at p (n bytes; only the first 4096 are looked at)?
 * 1 and *out filled, or 0. The NT headers must lie in the first page. */
int kk_pe_check(const unsigned char *p, size_t n, kk_pe_info *out);
/* The module name from the export directory of an image carved in memory layout
 * (img: n bytes from the image base): printable ASCII, at most outsz-1 chars; "" when none. */
void kk_pe_export_name(const unsigned char *img, size_t n, const kk_pe_info *pe, char *out, size_t outsz);

#endif
