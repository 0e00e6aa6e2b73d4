/* pe.c - see pe.h. Facts from the PE/COFF specification: e_lfanew at 0x3c; "PE\0\0";
 * COFF header (Machine, NumberOfSections, TimeDateStamp, ..., SizeOfOptionalHeader at
 * +16); optional header magic 0x10b (PE32) / 0x20b (PE32+), SizeOfImage at +56,
 * SizeOfHeaders at +60, data directory 0 (exports) at +96 (PE32) / +112 (PE32+);
 * export directory Name RVA at +12. */
#include "pe.h"

#include <string.h>

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int kk_pe_check(const unsigned char *p, size_t n, kk_pe_info *out)
{
    if (n > 4096)
        n = 4096;
    if (n < 0x40 || p[0] != 'M' || p[1] != 'Z')
        return 0;
    uint32_t lfa = le32(p + 0x3c);
    if (lfa < 4 || lfa > n || n - lfa < 24 + 64)
        return 0;
    const unsigned char *nt = p + lfa;
    if (memcmp(nt, "PE\0\0", 4))
        return 0;
    uint16_t nsec = le16(nt + 6), optsz = le16(nt + 20);
    if (nsec == 0 || nsec > 96 || optsz < 64)
        return 0;
    const unsigned char *opt = nt + 24;
    uint16_t magic = le16(opt);
    if (magic != 0x10b && magic != 0x20b)
        return 0;
    uint32_t soi = le32(opt + 56), soh = le32(opt + 60);
    if (soh == 0 || soh > soi || soi > KK_PE_MAX_IMAGE || soi < lfa + 24u + optsz)
        return 0;
    memset(out, 0, sizeof *out);
    out->size_of_image = soi;
    out->size_of_headers = soh;
    out->machine = le16(nt + 4);
    out->nsections = nsec;
    out->timestamp = le32(nt + 8);
    out->e_lfanew = lfa;
    out->pe32plus = magic == 0x20b;
    size_t dd = out->pe32plus ? 112 : 96; /* data directory 0 */
    uint32_t ndd_off = out->pe32plus ? 108 : 92;
    if (optsz >= dd + 8 && (size_t)(opt - p) + dd + 8 <= n && le32(opt + ndd_off) >= 1)
        out->export_rva = le32(opt + dd);
    return 1;
}

void kk_pe_export_name(const unsigned char *img, size_t n, const kk_pe_info *pe, char *out, size_t outsz)
{
    out[0] = '\0';
    if (!pe->export_rva || outsz < 2 || pe->export_rva > n || n - pe->export_rva < 40)
        return;
    uint32_t name = le32(img + pe->export_rva + 12);
    if (!name || name >= n)
        return;
    size_t k = 0;
    for (size_t i = name; i < n && k + 1 < outsz; i++) {
        unsigned char c = img[i];
        if (!c)
            break;
        if (c < 0x20 || c > 0x7e)
            return (void)(out[0] = '\0'); /* not a name */
        out[k++] = (char)c;
    }
    out[k] = '\0';
}
