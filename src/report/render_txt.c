/* render_txt.c - the report as plain UTF-8 text for a terminal or a mail body: ASCII rules
 * and bars only (box-drawing characters are double width on Japanese terminals), every
 * string passed through kk_term_clean, columns aligned by display width. */
#include "render_i.h"
#include "i18n.h"
#include "../util/err.h"
#include "../util/text.h"

#include <stdio.h>
#include <string.h>

#define WIDTH 80

typedef struct tctx {
    kk_buf *o;
    int rc;
    const rr_doc *d;
} tctx;

static void put(tctx *t, const char *s)
{
    if (t->rc == KK_OK)
        t->rc = kk_buf_adds(t->o, s);
}

static void rep(tctx *t, char c, size_t n)
{
    for (size_t i = 0; i < n && t->rc == KK_OK; i++)
        t->rc = kk_buf_addc(t->o, c);
}

/* One line of document text, terminal-safe. */
static void line(tctx *t, const char *s, size_t n)
{
    if (t->rc == KK_OK)
        t->rc = kk_term_clean(t->o, s, n);
}

/* Text that may hold newlines: continuation lines indented by indent spaces. */
static void text(tctx *t, const char *s, size_t indent)
{
    if (!s)
        return;
    for (;;) {
        const char *nl = strchr(s, '\n');
        line(t, s, nl ? (size_t)(nl - s) : strlen(s));
        if (!nl)
            break;
        put(t, "\n");
        rep(t, ' ', indent);
        s = nl + 1;
    }
}

/* Widest line of s in display columns. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    char buf[1024];
    while (s && *s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
        memcpy(buf, s, k);
        buf[k] = '\0';
        size_t lw = n < sizeof buf - 1 ? rr_width(buf) : n; /* long: treat as wide */
        if (lw > w)
            w = lw;
        if (!nl)
            break;
        s = nl + 1;
    }
    return w;
}

/* Cell text padded to width columns (no newline inside; first line only). */
static void padded(tctx *t, const char *s, size_t width, int right)
{
    size_t w = text_width(s);
    if (right)
        rep(t, ' ', width > w ? width - w : 0);
    text(t, s, 0);
    if (!right)
        rep(t, ' ', width > w ? width - w : 0);
}

/* The first cols display columns of s ("..." when cut). */
static void cut(tctx *t, const char *s, size_t cols)
{
    size_t w = rr_width(s);
    if (cols < 4) {
        rep(t, ' ', cols);
        return;
    }
    if (w <= cols) {
        line(t, s, strlen(s));
        rep(t, ' ', cols - w);
        return;
    }
    size_t k = 0, used = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (p[k]) {
        size_t l = p[k] < 0x80 ? 1 : p[k] < 0xE0 ? 2 : p[k] < 0xF0 ? 3 : 4;
        char one[8] = {0};
        memcpy(one, p + k, l);
        size_t cw = rr_width(one);
        if (used + cw > cols - 3)
            break;
        used += cw;
        k += l;
    }
    line(t, s, k);
    put(t, "...");
    rep(t, ' ', cols - 3 - used);
}

static void kv(tctx *t, const rr_block *b, size_t indent)
{
    size_t lw = 0;
    for (size_t r = 0; r < b->nrows; r++) {
        size_t w = rr_width(b->rows[r].cells[0].text);
        if (w > lw)
            lw = w;
    }
    if (lw > 34)
        lw = 34;
    for (size_t r = 0; r < b->nrows; r++) {
        rep(t, ' ', indent);
        padded(t, b->rows[r].cells[0].text, lw, 0);
        put(t, "  ");
        text(t, b->rows[r].cells[1].text, indent + lw + 2);
        put(t, "\n");
    }
}

static void table(tctx *t, const rr_block *b)
{
    size_t w[16] = {0}, total = 2;
    int multi = 0;
    for (size_t c = 0; c < b->ncols && c < 16; c++) {
        w[c] = text_width(b->head[c].text);
        for (size_t r = 0; r < b->nrows; r++) {
            size_t x = text_width(b->rows[r].cells[c].text);
            if (x > w[c])
                w[c] = x;
            if (strchr(b->rows[r].cells[c].text, '\n') && c + 1 < b->ncols)
                multi = 1;
        }
        total += w[c] + 2;
    }
    if (total <= WIDTH + 2 && !multi) {
        /* aligned columns */
        put(t, "  ");
        for (size_t c = 0; c < b->ncols; c++) {
            padded(t, b->head[c].text, w[c], rr_col_right(b, c));
            put(t, c + 1 < b->ncols ? "  " : "\n");
        }
        put(t, "  ");
        rep(t, '-', total - 4);
        put(t, "\n");
        for (size_t r = 0; r < b->nrows; r++) {
            const rr_row *row = &b->rows[r];
            if (row->style & RS_TOTAL) {
                put(t, "  ");
                rep(t, '-', total - 4);
                put(t, "\n");
            }
            put(t, "  ");
            size_t col = 2;
            for (size_t c = 0; c < b->ncols; c++) {
                if (c + 1 == b->ncols && !(row->cells[c].style & RS_RIGHT))
                    text(t, row->cells[c].text, col);
                else
                    padded(t, row->cells[c].text, w[c], row->cells[c].style & RS_RIGHT);
                col += w[c] + 2;
                if (c + 1 < b->ncols)
                    put(t, "  ");
            }
            put(t, "\n");
            if (row->detail) {
                put(t, "    ");
                text(t, row->detail, 4);
                put(t, "\n");
            }
        }
        put(t, "\n");
        return;
    }
    if (!b->flag) {
        /* labelled records: the first cell, then "head: value" pairs, wrapped */
        for (size_t r = 0; r < b->nrows; r++) {
            const rr_row *row = &b->rows[r];
            put(t, "  ");
            text(t, row->cells[0].text, 2);
            put(t, "\n");
            size_t col = 0;
            for (size_t c = 1; c < b->ncols; c++) {
                const char *s = row->cells[c].text;
                if (!*s)
                    continue;
                size_t need = rr_width(b->head[c].text) + 2 + text_width(s);
                if (col && (col + 2 + need > WIDTH - 6 || strchr(s, '\n'))) {
                    put(t, "\n");
                    col = 0;
                }
                put(t, col ? "  " : "      ");
                text(t, b->head[c].text, 6);
                put(t, ": ");
                text(t, s, 8);
                col += (col ? 2 : 0) + need;
            }
            if (col)
                put(t, "\n");
            if (row->detail) {
                put(t, "      ");
                text(t, row->detail, 6);
                put(t, "\n");
            }
        }
        put(t, "\n");
        return;
    }
    /* compact records: the short cells on one line, the last (long) one and the detail below */
    for (size_t r = 0; r < b->nrows; r++) {
        const rr_row *row = &b->rows[r];
        put(t, "  ");
        int any = 0;
        for (size_t c = 0; c + 1 < b->ncols; c++) {
            const char *s = row->cells[c].text;
            if (!*s)
                continue;
            if (any)
                put(t, c == 1 ? "  " : " | ");
            text(t, s, 6);
            any = 1;
        }
        put(t, "\n");
        const char *last = b->ncols ? row->cells[b->ncols - 1].text : "";
        if (*last) {
            put(t, "      ");
            text(t, last, 6);
            put(t, "\n");
        }
        if (row->detail) {
            put(t, "      ");
            text(t, row->detail, 6);
            put(t, "\n");
        }
    }
    put(t, "\n");
}

static void bars(tctx *t, const rr_bar *bar, size_t n, double max)
{
    size_t lw = 0;
    for (size_t i = 0; i < n; i++) {
        size_t w = rr_width(bar[i].label);
        if (w > lw)
            lw = w;
    }
    if (lw > 32)
        lw = 32;
    for (size_t i = 0; i < n; i++) {
        put(t, "    ");
        cut(t, bar[i].label, lw);
        put(t, "  ");
        size_t k = max > 0 ? (size_t)(30.0 * bar[i].value / max + 0.5) : 0;
        if (bar[i].value > 0 && !k)
            k = 1;
        rep(t, '#', k);
        rep(t, ' ', 31 - k);
        line(t, bar[i].value_text, strlen(bar[i].value_text));
        put(t, "\n");
    }
}

static void chart(tctx *t, const rr_block *b)
{
    put(t, "  ");
    text(t, b->text, 2);
    put(t, "\n");
    if (b->chart == RC_BARS) {
        double max = 0;
        for (size_t i = 0; i < b->nbars; i++)
            if (b->bars[i].value > max)
                max = b->bars[i].value;
        bars(t, b->bars, b->nbars, max);
    } else {
        /* histogram: at most 24 rows, consecutive buckets summed */
        size_t n = b->nbars, per = (n + 23) / 24;
        if (!per)
            per = 1;
        rr_bar rows[24];
        char vt[24][RR_FMT];
        size_t k = 0;
        double max = 0;
        for (size_t i = 0; i < n && k < 24; i += per, k++) {
            double sum = 0;
            for (size_t j = i; j < i + per && j < n; j++)
                sum += b->bars[j].value;
            rr_fmt_int(sum, vt[k]);
            rows[k].label = b->bars[i].label;
            rows[k].value = sum;
            rows[k].value_text = vt[k];
            if (sum > max)
                max = sum;
        }
        bars(t, rows, k, max);
    }
    put(t, "\n");
}

static void block(tctx *t, const rr_block *b)
{
    const char *L = t->d->lang;
    switch (b->kind) {
    case RB_TITLE:
        rep(t, '=', WIDTH);
        put(t, "\n  ");
        text(t, b->text, 2);
        put(t, "  [");
        text(t, kk_tr(L, "Confidential"), 0);
        put(t, "]\n  ");
        text(t, b->sub, 2);
        put(t, "\n");
        rep(t, '=', WIDTH);
        put(t, "\n");
        kv(t, b, 2);
        put(t, "\n");
        break;
    case RB_H2:
        put(t, "\n");
        text(t, b->text, 0);
        put(t, "\n");
        rep(t, '=', WIDTH);
        put(t, "\n");
        break;
    case RB_H3:
        put(t, "-- ");
        text(t, b->text, 3);
        put(t, "\n");
        break;
    case RB_PARA:
        put(t, b->style & RS_ALERT ? "  !! " : "  ");
        text(t, b->text, 2);
        put(t, b->style & RS_BOLD ? "\n" : "\n\n"); /* a bold line labels what follows */
        break;
    case RB_LIST:
        for (size_t i = 0; i < b->nitems; i++) {
            put(t, "  - ");
            text(t, b->items[i], 4);
            put(t, "\n");
        }
        put(t, "\n");
        break;
    case RB_KV:
        kv(t, b, 2);
        put(t, "\n");
        break;
    case RB_TABLE:
        table(t, b);
        break;
    case RB_CHART:
        chart(t, b);
        break;
    case RB_VERDICT:
        put(t, "  ");
        rep(t, '*', WIDTH - 4);
        put(t, "\n  ");
        text(t, kk_tr(L, "Verdict"), 2);
        put(t, ": ");
        text(t, b->text, 4);
        put(t, "\n");
        if (b->note) {
            put(t, "  ");
            text(t, b->note, 2);
            put(t, "\n");
        }
        for (size_t i = 0; i < b->nitems; i++) {
            put(t, "   - ");
            text(t, b->items[i], 5);
            put(t, "\n");
        }
        put(t, "  ");
        rep(t, '*', WIDTH - 4);
        put(t, "\n\n");
        break;
    case RB_STEP: {
        char n[24];
        snprintf(n, sizeof n, "  %2d. ", b->num);
        put(t, n);
        if (b->flag) {
            put(t, "[!! ");
            text(t, b->sub, 6);
            put(t, " !!] ");
        }
        text(t, b->text, 6);
        put(t, "\n");
        if (b->note && *b->note) {
            put(t, "      ");
            text(t, b->note, 6);
            put(t, "\n");
        }
        for (size_t i = 0; i < b->nrefs; i++) {
            put(t, "      > ");
            text(t, b->refs[i].title, 8);
            if (b->refs[i].url && b->refs[i].url != b->refs[i].title) {
                put(t, " <");
                text(t, b->refs[i].url, 8);
                put(t, ">");
            }
            put(t, "\n");
        }
        break;
    }
    case RB_SIGN:
        put(t, "\n");
        for (size_t i = 0; i < b->nitems; i++) {
            put(t, "  ");
            text(t, b->items[i], 2);
            put(t, "\n    ");
            text(t, b->text, 4);
            put(t, ": ____________________    ");
            text(t, b->note, 4);
            put(t, ": ______________________________\n\n");
        }
        break;
    }
}

int rr_txt(const rr_doc *d, kk_buf *out)
{
    tctx t = {.o = out, .rc = KK_OK, .d = d};
    for (size_t i = 0; i < d->nblocks; i++)
        block(&t, d->blocks[i]);
    put(&t, "\n");
    rep(&t, '-', WIDTH);
    put(&t, "\n");
    text(&t, kk_tr(d->lang, "Case number"), 0);
    put(&t, ": ");
    text(&t, d->case_id, 0);
    put(&t, "  |  ");
    text(&t, d->tool, 0);
    if (d->generated) {
        put(&t, "  |  ");
        text(&t, d->generated, 0);
    }
    put(&t, "\n");
    return t.rc;
}
