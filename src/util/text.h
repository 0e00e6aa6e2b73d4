/* text.h - escaping of attacker-controlled text for every output.
 * Evidence strings (file names, matched bytes, registry values) pass through one of
 * these before they reach JSON, a terminal, HTML or CSV. */
#ifndef KK_TEXT_H
#define KK_TEXT_H
#include "mem.h"
#include <stddef.h>

/* Valid UTF-8 is copied; every byte that is not part of a valid UTF-8 sequence
 * (and NUL) is written as the four characters \xNN. The result is valid UTF-8. */
int kk_utf8_clean(kk_buf *out, const char *s, size_t n);
/* Matched bytes as `yara -s` prints them: printable ASCII as is, others \xNN. */
int kk_escape_bytes(kk_buf *out, const unsigned char *p, size_t n);
/* For a terminal: kk_utf8_clean, then C0/C1 controls, DEL and ESC become '?'. */
int kk_term_clean(kk_buf *out, const char *s, size_t n);
/* HTML text/attribute: & < > " ' as entities (input must be clean UTF-8). */
int kk_html_escape(kk_buf *out, const char *s);
/* CSV cell: quoted, "" doubled, and a leading = + - @ TAB CR neutralised with '. */
int kk_csv_cell(kk_buf *out, const char *s);
/* Is s (n bytes) valid UTF-8 without NUL? */
int kk_utf8_valid(const char *s, size_t n);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void kk_hex(const unsigned char *d, size_t n, char *out);
/* ASCII lower-case copy into out (for extensions, case-insensitive compares). */
void kk_ascii_lower(char *s);

#endif
