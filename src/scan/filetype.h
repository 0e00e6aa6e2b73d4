/* filetype.h - THOR/LOKI short file type names (`filetype` external) from header magic.
 * The table is data: signatures/filetypes.txt ("HEX BYTES;NAME" lines). */
#ifndef KK_FILETYPE_H
#define KK_FILETYPE_H
#include <stddef.h>

typedef struct kk_filetypes kk_filetypes;

#define KK_FILETYPE_HEADER 64 /* bytes of header the table can need */

int kk_filetypes_load(const char *path, kk_filetypes **out);
/* Longest matching magic wins (first in the file on a tie); "" when none. */
const char *kk_filetype(const kk_filetypes *t, const unsigned char *p, size_t n);
void kk_filetypes_free(kk_filetypes *t);

#endif
