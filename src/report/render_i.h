/* render_i.h - internal to the renderers (render*.c): a small document model built once
 * from the report model (render_doc.c), drawn by the HTML, text and PDF back ends.
 *
 * Every string in an rr_doc is already "display clean" (rr_clean): valid UTF-8, no NUL,
 * no control or bidi-override characters (shown as \xNN / \uNNNN text). Back ends still
 * escape for their output (HTML entities, kk_term_clean for text; PDF text goes to pango
 * as plain text, never as markup).
 */
#ifndef KK_RENDER_I_H
#define KK_RENDER_I_H
#include "../util/mem.h"

#include <jansson.h>
#include <stddef.h>

/* ---- cleaning and model access ------------------------------------------------------ */

#define RR_MULTILINE 1   /* keep \n (tabs become spaces); else \n is shown as \x0a */
#define RR_MAX_STR   (64 * 1024) /* longer evidence strings are cut, marked with "…" */

/* Append s (n bytes) to out, display clean (see above). */
int rr_clean(kk_buf *out, const char *s, size_t n, int flags);
/* Malloc'd clean copy (NULL on out of memory). */
char *rr_cleandup(const char *s, int flags);

const json_t *rr_obj(const json_t *o, const char *key);   /* object member or NULL */
const json_t *rr_arr(const json_t *o, const char *key);   /* array member or NULL */
const char *rr_str(const json_t *o, const char *key);     /* non-empty string or NULL */
int rr_num(const json_t *o, const char *key, double *v);  /* 1 when a number */
int rr_bool(const json_t *o, const char *key, int *v);    /* 1 when a boolean */

/* ---- formatting (results in caller buffers of at least RR_FMT bytes) ------------------ */
#define RR_FMT 96
/* ISO 8601 time: ja "2024年5月1日 09:30 JST", en "2024-05-01 09:30 JST"; with seconds when
 * secs. The raw text (cleaned) when it does not parse. tz: the case's zone name or NULL. */
void rr_fmt_time(const char *lang, const char *iso, const char *tz, int secs, char *out);
/* DATE (YYYY-MM-DD, or a time): ja "2024年5月4日(土)", en "Sat 4 May 2024". */
void rr_fmt_date(const char *lang, const char *iso, char *out);
/* Short axis label for a time: "05/01 09:30". */
void rr_fmt_short_time(const char *iso, char *out);
void rr_fmt_int(double v, char *out);                     /* 12,345 */
void rr_fmt_bytes(double v, char *out);                   /* 1.2 MB (1 KB = 1024 bytes) */
void rr_fmt_hours(double v, char *out);                   /* 3.5 */
void rr_fmt_money(const char *lang, const char *currency, double v, char *out);
/* Display width in terminal columns (East Asian wide characters count 2). */
size_t rr_width(const char *s);

/* ---- the document --------------------------------------------------------------------- */

enum {                   /* text styles, combinable */
    RS_MONO = 1, RS_BOLD = 2, RS_MUTED = 4, RS_RIGHT = 8, RS_ALERT = 16, RS_SMALL = 32,
    RS_OK = 64, RS_WARN = 128,
    RS_SEV_CRIT = 256, RS_SEV_HIGH = 512, RS_SEV_MED = 1024, RS_SEV_LOW = 2048,
    RS_TOTAL = 4096,     /* a totals row */
};

typedef enum {
    RB_TITLE,    /* text = title, sub = subtitle; table rows = the meta lines */
    RB_H2,       /* text; id = anchor */
    RB_H3,
    RB_PARA,     /* text (multi-line), style */
    RB_LIST,     /* items[] */
    RB_KV,       /* rows of 2 cells: label, value */
    RB_TABLE,    /* head[ncols], rows, optional detail line per row */
    RB_CHART,    /* bars[] */
    RB_VERDICT,  /* verdict box: sub = value ("ransomware"...), text = label, items = reasons,
                    note = the decision rule */
    RB_STEP,     /* text = title, note = body, num = order, flag = don't; items = refs */
    RB_SIGN,     /* signature boxes: items = labels */
} rr_kind;

typedef struct rr_cell {
    char *text;
    int style;
} rr_cell;

typedef struct rr_row {
    rr_cell *cells;      /* ncols */
    char *detail;        /* a full-width second line (hashes), or NULL */
    int style;
} rr_row;

typedef struct rr_bar {
    char *label;
    double value;
    char *value_text;    /* shown next to the bar */
} rr_bar;

enum { RC_BARS, RC_HISTOGRAM };

typedef struct rr_ref {
    char *title;
    char *url;           /* only http(s) URLs become links */
} rr_ref;

typedef struct rr_block {
    rr_kind kind;
    int style;
    char *id;
    char *text;
    char *sub;
    char *note;
    int num;
    int flag;            /* RB_STEP: a "do not" step; RB_TABLE: compact rows in text */
    /* lists */
    char **items;
    size_t nitems;
    rr_ref *refs;
    size_t nrefs;
    /* tables */
    size_t ncols;
    rr_cell *head;       /* NULL for RB_KV */
    double *widths;      /* relative column widths */
    rr_row *rows;
    size_t nrows, arows;
    /* charts */
    int chart;           /* RC_* */
    rr_bar *bars;
    size_t nbars;
    char *axis_from, *axis_to, *unit;
} rr_block;

typedef struct rr_doc {
    const char *lang;    /* "ja" | "en" */
    char *title;         /* document title (HTML <title>, PDF metadata) */
    char *case_id;       /* header/footer */
    char *generated;     /* footer: formatted generation time */
    char *tool;          /* "kaketsuke 0.1.0" */
    char *created_iso;   /* PDF creation date (ISO), or NULL */
    int receipt;         /* one-page receipt layout */
    rr_block **blocks;
    size_t nblocks, ablocks;
    char **strs;         /* every string of the document (freed with it) */
    size_t nstrs, astrs;
    int oom;             /* an allocation failed while building */
} rr_doc;

/* Build the report document from a model / the receipt from its record. */
int rr_build_report(rr_doc *d, const json_t *model, const char *lang);
int rr_build_receipt(rr_doc *d, const json_t *receipt, const char *lang);
void rr_doc_free(rr_doc *d);

/* Builder helpers: allocation failures set d->oom (the build then fails with KK_ENOMEM)
 * and return a harmless placeholder, so building code needs no checks. */
rr_block *rr_add(rr_doc *d, rr_kind kind);
char *rr_ev(rr_doc *d, const char *s, int flags);             /* cleaned copy */
char *rr_evn(rr_doc *d, const char *s, size_t n, int flags);  /* cleaned copy, n bytes */
char *rr_printf(rr_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Table setup and rows (a KV block is a 2-column table without a head). */
void rr_table(rr_doc *d, rr_block *b, size_t ncols, const char *const *head,
              const double *widths);
rr_row *rr_addrow(rr_doc *d, rr_block *b); /* valid until the next rr_addrow on b */
void rr_item(rr_doc *d, rr_block *b, char *text);
/* Is column c of a table right-aligned (numbers)? */
int rr_col_right(const rr_block *b, size_t c);

/* Back ends: append the rendering to out. */
int rr_html(const rr_doc *d, kk_buf *out);
int rr_txt(const rr_doc *d, kk_buf *out);
int rr_pdf(const rr_doc *d, kk_buf *out);

#endif
