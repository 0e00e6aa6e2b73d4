/* render_pdf.c - the report (and the receipt) as an A4 PDF with cairo + pango.
 *
 * The font is a Japanese-capable family found through fontconfig (Noto Sans CJK JP from
 * fonts-noto-cjk, or IPA Gothic from fonts-ipafont-gothic); cairo embeds the subset of every
 * font it uses. Text from the document goes to pango as plain text (never markup). The
 * document is laid out twice: the first pass counts the pages for "page N / M" footers.
 */
#include "render.h"
#include "render_i.h"
#include "i18n.h"
#include "../util/err.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A4 in points, and the frame for content */
#define PW 595.276
#define PH 841.89
#define ML 48.0
#define MR 48.0
#define TOP 64.0
#define BOTTOM (PH - 58.0)
#define CW (PW - ML - MR)
#define MAX_CELL 2000 /* bytes of one cell drawn in the PDF (all of it is in html/txt/json) */

typedef struct rgb {
    double r, g, b;
} rgb;

static const rgb C_INK = {0.11, 0.15, 0.19}, C_MUTED = {0.36, 0.41, 0.45},
                 C_LINE = {0.85, 0.87, 0.90}, C_HEAD = {0.933, 0.949, 0.965},
                 C_ACCENT = {0.114, 0.306, 0.478}, C_CRIT = {0.69, 0.165, 0.12},
                 C_HIGH = {0.816, 0.314, 0.06}, C_MED = {0.66, 0.42, 0.0},
                 C_LOW = {0.23, 0.43, 0.56}, C_OK = {0.17, 0.48, 0.23},
                 C_BAR = {0.24, 0.45, 0.65}, C_WHITE = {1, 1, 1};

/* ---- fonts ----------------------------------------------------------------------------- */

static pthread_once_t font_once = PTHREAD_ONCE_INIT;
static char font_family[128], mono_family[160];

static int family_has_ja(FcConfig *cfg, const char *family, char *out, size_t n)
{
    FcPattern *pat = FcPatternCreate();
    if (!pat)
        return 0;
    if (family)
        FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
    FcLangSet *ls = FcLangSetCreate();
    if (ls) {
        FcLangSetAdd(ls, (const FcChar8 *)"ja");
        FcPatternAddLangSet(pat, FC_LANG, ls);
        FcLangSetDestroy(ls);
    }
    FcConfigSubstitute(cfg, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *m = FcFontMatch(cfg, pat, &res);
    int ok = 0;
    if (m) {
        FcChar8 *fam = NULL;
        FcCharSet *cs = NULL;
        if (FcPatternGetString(m, FC_FAMILY, 0, &fam) == FcResultMatch &&
            FcPatternGetCharSet(m, FC_CHARSET, 0, &cs) == FcResultMatch &&
            FcCharSetHasChar(cs, 0x3042) && FcCharSetHasChar(cs, 0x5831) &&
            FcCharSetHasChar(cs, 0x30AB) && (!family || !strcmp((const char *)fam, family))) {
            snprintf(out, n, "%s", (const char *)fam);
            ok = 1;
        }
        FcPatternDestroy(m);
    }
    FcPatternDestroy(pat);
    return ok;
}

static void find_fonts(void)
{
    if (!FcInit())
        return;
    FcConfig *cfg = FcConfigGetCurrent();
    static const char *const pref[] = {"Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic",
                                       "IPAGothic", "IPAPGothic", "TakaoGothic", "VL Gothic",
                                       NULL};
    for (size_t i = 0; pref[i] && !font_family[0]; i++)
        family_has_ja(cfg, pref[i], font_family, sizeof font_family);
    if (!font_family[0])
        family_has_ja(cfg, NULL, font_family, sizeof font_family); /* any family with ja */
    if (!family_has_ja(cfg, "Noto Sans Mono CJK JP", mono_family, sizeof mono_family))
        snprintf(mono_family, sizeof mono_family, "DejaVu Sans Mono,%s", font_family);
}

const char *kk_render_pdf_font(void)
{
    pthread_once(&font_once, find_fonts);
    if (!font_family[0]) {
        kk_err_set(KK_EUNSUP, "no font with Japanese characters found by fontconfig "
                              "(install fonts-noto-cjk or fonts-ipafont-gothic)");
        return NULL;
    }
    return font_family;
}

/* ---- drawing context ------------------------------------------------------------------- */

typedef struct pctx {
    const rr_doc *d;
    cairo_surface_t *surf;
    cairo_t *cr;
    PangoContext *pc;
    double y;
    int page;
    int pages;      /* total, known in the second pass (0 in the first) */
    int pass;
    int nh2;
} pctx;

static void color(pctx *p, rgb c)
{
    cairo_set_source_rgb(p->cr, c.r, c.g, c.b);
}

enum { F_BOLD = 1, F_MONO = 2, F_ONELINE = 4, F_CENTER = 8, F_RIGHT = 16 };

static char *cap_text(const char *s)
{
    size_t n = strlen(s);
    if (n <= MAX_CELL)
        return NULL;
    size_t k = MAX_CELL;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    char *c = malloc(k + 4);
    if (!c)
        return NULL;
    memcpy(c, s, k);
    memcpy(c + k, "\xe2\x80\xa6", 4);
    return c;
}

static PangoLayout *mk(pctx *p, const char *text, double size, int flags, double width)
{
    PangoLayout *l = pango_layout_new(p->pc);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, flags & F_MONO ? mono_family : font_family);
    pango_font_description_set_size(fd, (int)(size * PANGO_SCALE));
    pango_font_description_set_weight(fd, flags & F_BOLD ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    if (width > 0) {
        pango_layout_set_width(l, (int)(width * PANGO_SCALE));
        if (flags & F_ONELINE)
            pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        else
            pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    if (flags & F_CENTER)
        pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    else if (flags & F_RIGHT)
        pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
    char *c = cap_text(text ? text : "");
    pango_layout_set_text(l, c ? c : text ? text : "", -1);
    free(c);
    return l;
}

static double height(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static double lwidth(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)w / PANGO_SCALE;
}

static void show(pctx *p, PangoLayout *l, double x, double y, rgb c)
{
    color(p, c);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

/* Draw text at (x, y); returns its height. */
static double text_at(pctx *p, const char *s, double x, double y, double size, int flags,
                      double width, rgb c)
{
    PangoLayout *l = mk(p, s, size, flags, width);
    double h = height(l);
    show(p, l, x, y, c);
    g_object_unref(l);
    return h;
}

static void header_footer(pctx *p)
{
    const rr_doc *d = p->d;
    char buf[160];
    if (p->page > 1 || d->receipt) {
        const char *title = kk_tr(d->lang, d->receipt ? "Evidence hand-over receipt"
                                                      : "Incident Investigation Report");
        text_at(p, title, ML, 30, 8, 0, CW / 2, C_MUTED);
        snprintf(buf, sizeof buf, "%s: ", kk_tr(d->lang, "Case number"));
        PangoLayout *l = mk(p, buf, 8, 0, 0);
        PangoLayout *v = mk(p, d->case_id, 8, F_BOLD, 0);
        double wv = lwidth(v), wl = lwidth(l);
        if (wv > CW / 2 - wl)
            wv = CW / 2 - wl;
        pango_layout_set_width(v, (int)(wv * PANGO_SCALE));
        pango_layout_set_ellipsize(v, PANGO_ELLIPSIZE_END);
        show(p, l, PW - MR - wv - wl, 30, C_MUTED);
        show(p, v, PW - MR - wv, 30, C_INK);
        g_object_unref(l);
        g_object_unref(v);
        color(p, C_LINE);
        cairo_set_line_width(p->cr, 0.6);
        cairo_move_to(p->cr, ML, 44);
        cairo_line_to(p->cr, PW - MR, 44);
        cairo_stroke(p->cr);
    }
    /* footer */
    color(p, C_LINE);
    cairo_set_line_width(p->cr, 0.6);
    cairo_move_to(p->cr, ML, PH - 44);
    cairo_line_to(p->cr, PW - MR, PH - 44);
    cairo_stroke(p->cr);
    snprintf(buf, sizeof buf, "%s%s%s", d->tool, d->generated ? "  \xc2\xb7  " : "",
             d->generated ? d->generated : "");
    text_at(p, buf, ML, PH - 38, 7.5, F_ONELINE, CW / 2 - 50, C_MUTED);
    text_at(p, kk_tr(d->lang, "Confidential"), ML, PH - 38, 7.5, F_BOLD | F_CENTER, CW, C_CRIT);
    if (p->pages)
        snprintf(buf, sizeof buf, "%d / %d", p->page, p->pages);
    else
        snprintf(buf, sizeof buf, "%d", p->page);
    text_at(p, buf, ML, PH - 38, 8, F_RIGHT, CW, C_MUTED);
}

static void new_page(pctx *p)
{
    if (p->page > 0)
        cairo_show_page(p->cr);
    p->page++;
    header_footer(p);
    p->y = TOP;
}

/* Start a new page unless h more points fit (a fresh page always takes the block). */
static void need(pctx *p, double h)
{
    if (p->y + h > BOTTOM && p->y > TOP + 1)
        new_page(p);
}

/* A layout drawn line by line, breaking pages between lines. */
static void flow(pctx *p, PangoLayout *l, double x, rgb c)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);
    double base_top = -1;
    do {
        PangoRectangle log;
        pango_layout_iter_get_line_extents(it, NULL, &log);
        double top = (double)log.y / PANGO_SCALE, lh = (double)log.height / PANGO_SCALE;
        double baseline = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
        if (base_top < 0)
            base_top = top;
        if (p->y + lh > BOTTOM && p->y > TOP + 1)
            new_page(p);
        PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
        color(p, c);
        cairo_move_to(p->cr, x + (double)log.x / PANGO_SCALE, p->y + (baseline - top));
        pango_cairo_show_layout_line(p->cr, line);
        p->y += lh;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

static rgb style_color(int st)
{
    if (st & (RS_ALERT | RS_SEV_CRIT))
        return C_CRIT;
    if (st & RS_SEV_HIGH)
        return C_HIGH;
    if (st & (RS_WARN | RS_SEV_MED))
        return C_MED;
    if (st & RS_SEV_LOW)
        return C_LOW;
    if (st & RS_OK)
        return C_OK;
    if (st & RS_MUTED)
        return C_MUTED;
    return C_INK;
}

static int style_flags(int st)
{
    return (st & RS_BOLD ? F_BOLD : 0) | (st & RS_MONO ? F_MONO : 0) | (st & RS_RIGHT ? F_RIGHT : 0);
}

/* ---- blocks ------------------------------------------------------------------------------ */

static void fill_rect(pctx *p, double x, double y, double w, double h, rgb c)
{
    color(p, c);
    cairo_rectangle(p->cr, x, y, w, h);
    cairo_fill(p->cr);
}

static void hline(pctx *p, double x0, double x1, double y, double w, rgb c)
{
    color(p, c);
    cairo_set_line_width(p->cr, w);
    cairo_move_to(p->cr, x0, y);
    cairo_line_to(p->cr, x1, y);
    cairo_stroke(p->cr);
}

static void kv_rows(pctx *p, const rr_block *b, double lw, double size, int plain)
{
    for (size_t r = 0; r < b->nrows; r++) {
        const rr_cell *c = b->rows[r].cells;
        PangoLayout *ll = mk(p, c[0].text, size, plain ? 0 : F_BOLD, lw - 10);
        PangoLayout *vl = mk(p, c[1].text, c[1].style & RS_MONO ? size - 1 : size,
                             style_flags(c[1].style) & ~F_RIGHT, CW - lw - 10);
        double h = height(ll) > height(vl) ? height(ll) : height(vl);
        h += plain ? 3 : 7;
        if (h > BOTTOM - TOP)
            h = BOTTOM - TOP;
        need(p, h);
        if (!plain) {
            fill_rect(p, ML, p->y, lw, h, C_HEAD);
            hline(p, ML, PW - MR, p->y + h, 0.5, C_LINE);
        }
        show(p, ll, ML + 5, p->y + (plain ? 1 : 3.5), plain ? C_MUTED : C_INK);
        show(p, vl, ML + lw + 6, p->y + (plain ? 1 : 3.5), style_color(c[1].style));
        g_object_unref(ll);
        g_object_unref(vl);
        p->y += h;
    }
    p->y += 8;
}

static void title_block(pctx *p, const rr_block *b)
{
    /* accent band, title, subtitle, the meta lines */
    fill_rect(p, 0, 0, PW, 8, C_ACCENT);
    double y = p->y - 6;
    PangoLayout *conf = mk(p, kk_tr(p->d->lang, "Confidential"), 8.5, F_BOLD, 0);
    double cw = lwidth(conf) + 14;
    color(p, C_CRIT);
    cairo_set_line_width(p->cr, 0.8);
    cairo_rectangle(p->cr, PW - MR - cw, y + 2, cw, 15);
    cairo_stroke(p->cr);
    show(p, conf, PW - MR - cw + 7, y + 3.5, C_CRIT);
    g_object_unref(conf);
    y += text_at(p, b->text, ML, y + 12, 22, F_BOLD, CW - cw - 10, C_ACCENT) + 16;
    y += text_at(p, b->sub, ML, y, 10.5, 0, CW, C_MUTED) + 10;
    p->y = y;
    kv_rows(p, b, 110, 10, 1);
    hline(p, ML, PW - MR, p->y, 2.2, C_ACCENT);
    p->y += 14;
}

static void h2_block(pctx *p, const rr_block *b)
{
    need(p, 90); /* a heading never ends a page */
    p->y += 10;
    double h = text_at(p, b->text, ML, p->y, 13.5, F_BOLD, CW, C_ACCENT);
    if (p->pass == 2) {
        char attrs[64];
        snprintf(attrs, sizeof attrs, "page=%d pos=[%d %d]", p->page, (int)ML, (int)p->y);
        cairo_pdf_surface_add_outline(p->surf, CAIRO_PDF_OUTLINE_ROOT, b->text, attrs, 0);
    }
    p->y += h + 2;
    hline(p, ML, PW - MR, p->y, 1.2, C_ACCENT);
    p->y += 8;
}

static void h3_block(pctx *p, const rr_block *b)
{
    need(p, 60);
    p->y += 4;
    PangoLayout *l = mk(p, b->text, 10.5, F_BOLD, CW - 10);
    double h = height(l);
    fill_rect(p, ML, p->y + 3, 3, h - 6 > 6 ? h - 6 : 6, C_ACCENT);
    show(p, l, ML + 9, p->y, C_INK);
    g_object_unref(l);
    p->y += h + 4;
}

static void para_block(pctx *p, const rr_block *b)
{
    if (!b->text || !*b->text)
        return;
    double size = b->style & RS_SMALL ? 8.5 : 9.5;
    PangoLayout *l = mk(p, b->text, size, style_flags(b->style), CW);
    pango_layout_set_spacing(l, (int)(2 * PANGO_SCALE));
    flow(p, l, ML, style_color(b->style));
    g_object_unref(l);
    p->y += 7;
}

static void list_block(pctx *p, const rr_block *b)
{
    rgb c = b->style & RS_WARN ? C_MED : C_INK;
    for (size_t i = 0; i < b->nitems; i++) {
        PangoLayout *l = mk(p, b->items[i], 9.5, 0, CW - 14);
        need(p, 14);
        text_at(p, "\xe2\x80\xa2", ML + 2, p->y, 9.5, 0, 0, c);
        flow(p, l, ML + 14, c);
        g_object_unref(l);
        p->y += 2;
    }
    p->y += 6;
}

typedef struct colgeo {
    double x[16], w[16];
} colgeo;

static void table_head(pctx *p, const rr_block *b, const colgeo *g)
{
    double h = 0;
    PangoLayout *ls[16];
    for (size_t c = 0; c < b->ncols; c++) {
        ls[c] = mk(p, b->head[c].text, 8, F_BOLD | (rr_col_right(b, c) ? F_RIGHT : 0), g->w[c] - 8);
        if (height(ls[c]) > h)
            h = height(ls[c]);
    }
    h += 6;
    fill_rect(p, ML, p->y, CW, h, C_HEAD);
    hline(p, ML, PW - MR, p->y + h, 0.9, (rgb){0.67, 0.71, 0.75});
    for (size_t c = 0; c < b->ncols; c++) {
        show(p, ls[c], g->x[c] + 4, p->y + 3, C_INK);
        g_object_unref(ls[c]);
    }
    p->y += h;
}

static void table_block(pctx *p, const rr_block *b)
{
    if (!b->ncols || b->ncols > 16)
        return;
    colgeo g;
    double sum = 0, x = ML;
    for (size_t c = 0; c < b->ncols; c++)
        sum += b->widths[c];
    for (size_t c = 0; c < b->ncols; c++) {
        g.x[c] = x;
        g.w[c] = CW * b->widths[c] / (sum > 0 ? sum : 1);
        x += g.w[c];
    }
    need(p, 60);
    table_head(p, b, &g);
    for (size_t r = 0; r < b->nrows; r++) {
        const rr_row *row = &b->rows[r];
        PangoLayout *ls[16];
        double h = 0;
        for (size_t c = 0; c < b->ncols; c++) {
            const rr_cell *cell = &row->cells[c];
            double size = cell->style & RS_SMALL ? 7.5 : cell->style & RS_MONO ? 7.5 : 8.5;
            ls[c] = mk(p, cell->text, size, style_flags(cell->style), g.w[c] - 8);
            if (height(ls[c]) > h)
                h = height(ls[c]);
        }
        h += 6;
        PangoLayout *dl = row->detail ? mk(p, row->detail, 6.8, F_MONO, CW - 12) : NULL;
        double dh = dl ? height(dl) + 3 : 0;
        if (h + dh > BOTTOM - TOP - 30)
            h = BOTTOM - TOP - 30 - dh;
        if (p->y + h + dh > BOTTOM) {
            new_page(p);
            table_head(p, b, &g);
        }
        if (row->style & RS_TOTAL) {
            fill_rect(p, ML, p->y, CW, h, (rgb){0.98, 0.984, 0.988});
            hline(p, ML, PW - MR, p->y, 1, (rgb){0.67, 0.71, 0.75});
        }
        cairo_save(p->cr);
        cairo_rectangle(p->cr, ML, p->y, CW, h + dh);
        cairo_clip(p->cr);
        for (size_t c = 0; c < b->ncols; c++) {
            show(p, ls[c], g.x[c] + 4, p->y + 3, style_color(row->cells[c].style));
            g_object_unref(ls[c]);
        }
        if (dl)
            show(p, dl, ML + 12, p->y + h - 2, C_MUTED);
        cairo_restore(p->cr);
        if (dl)
            g_object_unref(dl);
        p->y += h + dh;
        hline(p, ML, PW - MR, p->y, 0.5, C_LINE);
    }
    p->y += 10;
}

static void chart_block(pctx *p, const rr_block *b)
{
    double max = 0;
    for (size_t i = 0; i < b->nbars; i++)
        if (b->bars[i].value > max)
            max = b->bars[i].value;
    if (b->chart == RC_BARS) {
        const double RH = 15, LW = 170, VW = 110;
        double bw = CW - LW - VW - 12;
        need(p, 22 + RH * (double)b->nbars);
        p->y += text_at(p, b->text, ML, p->y, 9, F_BOLD, CW, C_INK) + 4;
        for (size_t i = 0; i < b->nbars; i++) {
            const rr_bar *bar = &b->bars[i];
            PangoLayout *l = mk(p, bar->label, 8, F_ONELINE | F_RIGHT, LW - 8);
            show(p, l, ML, p->y + 1.5, C_INK);
            g_object_unref(l);
            double w = max > 0 ? bw * bar->value / max : 0;
            if (bar->value > 0 && w < 1.5)
                w = 1.5;
            fill_rect(p, ML + LW, p->y + 2.5, w, RH - 5, C_ACCENT);
            text_at(p, bar->value_text, ML + LW + w + 5, p->y + 1.5, 7.5, 0, VW, C_MUTED);
            p->y += RH;
        }
        p->y += 10;
        return;
    }
    /* histogram */
    const double H = 120, L = 48, B = 18;
    need(p, 20 + H + B);
    p->y += text_at(p, b->text, ML, p->y, 9, F_BOLD, CW, C_INK) + 4;
    double x0 = ML + L, pw = CW - L - 4, top = p->y, ph = H;
    for (int gi = 0; gi <= 2; gi++) {
        double y = top + ph - ph * gi / 2;
        hline(p, x0, x0 + pw, y, 0.5, C_LINE);
        char n[RR_FMT];
        rr_fmt_int(max * gi / 2, n);
        text_at(p, n, ML, y - 5, 7, F_RIGHT, L - 6, C_MUTED);
    }
    size_t n = b->nbars;
    for (size_t i = 0; i < n; i++) {
        double bx0 = x0 + pw * (double)i / (double)n, bx1 = x0 + pw * (double)(i + 1) / (double)n;
        double bh = max > 0 ? ph * b->bars[i].value / max : 0;
        if (b->bars[i].value > 0 && bh < 0.8)
            bh = 0.8;
        double gap = bx1 - bx0 > 3 ? 0.6 : 0;
        fill_rect(p, bx0, top + ph - bh, bx1 - bx0 - gap, bh, C_BAR);
    }
    p->y = top + ph + 3;
    text_at(p, b->axis_from, x0, p->y, 7, 0, pw / 2, C_MUTED);
    text_at(p, b->axis_to, x0 + pw / 2, p->y, 7, F_RIGHT, pw / 2, C_MUTED);
    p->y += B;
}

static void verdict_block(pctx *p, const rr_block *b)
{
    rgb c = b->style & RS_ALERT ? C_CRIT : b->style & RS_WARN ? C_MED : b->style & RS_OK ? C_OK
                                                                                          : C_MUTED;
    rgb bg = b->style & RS_ALERT  ? (rgb){0.988, 0.945, 0.941}
             : b->style & RS_WARN ? (rgb){0.992, 0.969, 0.918}
             : b->style & RS_OK   ? (rgb){0.937, 0.973, 0.941}
                                  : (rgb){0.97, 0.97, 0.97};
    double iw = CW - 24;
    PangoLayout *cap = mk(p, kk_tr(p->d->lang, "Verdict"), 8, 0, iw);
    PangoLayout *v = mk(p, b->text, 15, F_BOLD, iw);
    PangoLayout *rule = b->note ? mk(p, b->note, 8.5, 0, iw) : NULL;
    PangoLayout *items[32];
    size_t ni = b->nitems < 32 ? b->nitems : 32;
    double h = 10 + height(cap) + height(v) + (rule ? height(rule) + 4 : 0) + 8;
    for (size_t i = 0; i < ni; i++) {
        items[i] = mk(p, b->items[i], 9, 0, iw - 12);
        h += height(items[i]) + 2;
    }
    if (h > BOTTOM - TOP)
        h = BOTTOM - TOP;
    need(p, h);
    fill_rect(p, ML, p->y, CW, h, bg);
    fill_rect(p, ML, p->y, 6, h, c);
    double y = p->y + 8, x = ML + 16;
    show(p, cap, x, y, C_MUTED);
    y += height(cap);
    show(p, v, x, y, c);
    y += height(v) + 2;
    if (rule) {
        show(p, rule, x, y, C_MUTED);
        y += height(rule) + 4;
    }
    for (size_t i = 0; i < ni; i++) {
        text_at(p, "\xe2\x80\xa2", x, y, 9, 0, 0, C_INK);
        show(p, items[i], x + 12, y, C_INK);
        y += height(items[i]) + 2;
        g_object_unref(items[i]);
    }
    g_object_unref(cap);
    g_object_unref(v);
    if (rule)
        g_object_unref(rule);
    p->y += h + 10;
}

static int link_ok(const char *u)
{
    if (!u || (strncmp(u, "https://", 8) && strncmp(u, "http://", 7)))
        return 0;
    for (const char *s = u; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == '\'' || *s == '\\' || *s == '"')
            return 0;
    return 1;
}

static void step_block(pctx *p, const rr_block *b)
{
    rgb c = b->flag ? C_CRIT : C_ACCENT;
    char num[16];
    snprintf(num, sizeof num, "%d", b->num);
    PangoLayout *badge = mk(p, b->sub, 7, F_BOLD, 0);
    double bw = lwidth(badge) + 8;
    double tx = ML + 14 + 22 + bw + 6, tw = PW - MR - 8 - tx;
    PangoLayout *title = mk(p, b->text, 9.5, F_BOLD, tw);
    PangoLayout *body = b->note && *b->note ? mk(p, b->note, 8.8, 0, CW - 36 - 8) : NULL;
    double h = 8 + height(title) + (body ? height(body) + 3 : 0) + (b->nrefs ? 12.0 * (double)b->nrefs : 0) + 6;
    if (h > BOTTOM - TOP)
        h = BOTTOM - TOP;
    need(p, h);
    double y0 = p->y;
    if (b->flag)
        fill_rect(p, ML, y0, CW, h, (rgb){0.988, 0.945, 0.941});
    color(p, C_LINE);
    cairo_set_line_width(p->cr, 0.6);
    cairo_rectangle(p->cr, ML, y0, CW, h);
    cairo_stroke(p->cr);
    fill_rect(p, ML, y0, 3.5, h, c);
    text_at(p, num, ML + 12, y0 + 4, 10, F_BOLD, 0, c);
    fill_rect(p, ML + 36, y0 + 6, bw, 11, c);
    show(p, badge, ML + 40, y0 + 6.8, C_WHITE);
    show(p, title, tx, y0 + 4, C_INK);
    double y = y0 + 4 + height(title) + 3;
    cairo_save(p->cr);
    cairo_rectangle(p->cr, ML, y0, CW, h);
    cairo_clip(p->cr);
    if (body) {
        show(p, body, ML + 36, y, C_INK);
        y += height(body) + 3;
    }
    for (size_t i = 0; i < b->nrefs; i++) {
        char *s = NULL;
        const rr_ref *r = &b->refs[i];
        int link = link_ok(r->url);
        if (r->url && r->url != r->title)
            s = g_strdup_printf("\xe2\x86\x92 %s (%s)", r->title, r->url);
        else
            s = g_strdup_printf("\xe2\x86\x92 %s", r->title);
        if (link && p->pass == 2) {
            char *attr = g_strdup_printf("uri='%s'", r->url);
            cairo_tag_begin(p->cr, CAIRO_TAG_LINK, attr);
            text_at(p, s, ML + 36, y, 7.5, F_ONELINE, CW - 44, C_ACCENT);
            cairo_tag_end(p->cr, CAIRO_TAG_LINK);
            g_free(attr);
        } else {
            text_at(p, s, ML + 36, y, 7.5, F_ONELINE, CW - 44, link ? C_ACCENT : C_MUTED);
        }
        g_free(s);
        y += 12;
    }
    cairo_restore(p->cr);
    g_object_unref(badge);
    g_object_unref(title);
    if (body)
        g_object_unref(body);
    p->y += h + 6;
}

static void sign_block(pctx *p, const rr_block *b)
{
    const double H = 96, GAP = 18;
    need(p, H + 20);
    p->y += 12;
    size_t n = b->nitems ? b->nitems : 1;
    double w = (CW - GAP * (double)(n - 1)) / (double)n;
    for (size_t i = 0; i < b->nitems; i++) {
        double x = ML + (double)i * (w + GAP);
        color(p, (rgb){0.67, 0.71, 0.75});
        cairo_set_line_width(p->cr, 0.8);
        cairo_rectangle(p->cr, x, p->y, w, H);
        cairo_stroke(p->cr);
        text_at(p, b->items[i], x + 8, p->y + 6, 9, F_BOLD, w - 16, C_INK);
        text_at(p, b->text, x + 8, p->y + 30, 8.5, 0, w - 16, C_MUTED);
        hline(p, x + 8, x + w - 8, p->y + 50, 0.5, C_LINE);
        text_at(p, b->note, x + 8, p->y + 58, 8.5, 0, w - 16, C_MUTED);
        hline(p, x + 8, x + w - 8, p->y + 86, 0.5, C_LINE);
    }
    p->y += H + 10;
}

static void draw(pctx *p, const rr_block *b)
{
    switch (b->kind) {
    case RB_TITLE: title_block(p, b); break;
    case RB_H2: h2_block(p, b); break;
    case RB_H3: h3_block(p, b); break;
    case RB_PARA: para_block(p, b); break;
    case RB_LIST: list_block(p, b); break;
    case RB_KV:
        if (b->nrows)
            kv_rows(p, b, 150, 9, 0);
        break;
    case RB_TABLE: table_block(p, b); break;
    case RB_CHART: chart_block(p, b); break;
    case RB_VERDICT: verdict_block(p, b); break;
    case RB_STEP: step_block(p, b); break;
    case RB_SIGN: sign_block(p, b); break;
    }
}

/* ---- the two passes ---------------------------------------------------------------------- */

static cairo_status_t sink(void *closure, const unsigned char *data, unsigned int len)
{
    kk_buf *b = closure;
    if (!b)
        return CAIRO_STATUS_SUCCESS; /* first pass: discarded */
    return kk_buf_add(b, data, len) == KK_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static int iso_ok(const char *s)
{
    /* YYYY-MM-DDThh:mm:ss with an optional zone: what cairo's CreationDate accepts */
    if (!s || strlen(s) < 19)
        return 0;
    for (int i = 0; i < 19; i++) {
        char c = s[i];
        int want_digit = !(i == 4 || i == 7 || i == 10 || i == 13 || i == 16);
        if (want_digit ? (c < '0' || c > '9') : 0)
            return 0;
    }
    if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return 0;
    const char *z = s + 19;
    if (*z == '.')
        return 0; /* fractions are not accepted */
    return !*z || !strcmp(z, "Z") ||
           ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && z[3] == ':');
}

static int run_pass(const rr_doc *d, int pass, int pages, kk_buf *out, int *pages_out)
{
    pctx p = {.d = d, .pass = pass, .pages = pages};
    p.surf = cairo_pdf_surface_create_for_stream(sink, pass == 2 ? out : NULL, PW, PH);
    if (cairo_surface_status(p.surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(p.surf);
        return kk_err_set(KK_ENOMEM, "cannot create a PDF surface");
    }
    if (pass == 2) {
        cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_TITLE, d->title);
        cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_CREATOR, d->tool);
        cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_SUBJECT, d->case_id);
        if (iso_ok(d->created_iso)) {
            cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_CREATE_DATE, d->created_iso);
            cairo_pdf_surface_set_metadata(p.surf, CAIRO_PDF_METADATA_MOD_DATE, d->created_iso);
        }
    }
    p.cr = cairo_create(p.surf);
    /* a font map of our own, released with the document: no per-thread default map that
     * lives (and caches fonts) forever */
    PangoFontMap *fm = pango_cairo_font_map_new();
    p.pc = pango_font_map_create_context(fm);
    pango_cairo_update_context(p.cr, p.pc);
    pango_cairo_context_set_resolution(p.pc, 72);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(p.pc, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_language(p.pc, pango_language_from_string(strcmp(d->lang, "ja") ? "en" : "ja"));

    new_page(&p);
    for (size_t i = 0; i < d->nblocks; i++)
        draw(&p, d->blocks[i]);
    cairo_show_page(p.cr);
    *pages_out = p.page;

    g_object_unref(p.pc);
    g_object_unref(fm);
    cairo_destroy(p.cr);
    cairo_surface_finish(p.surf);
    cairo_status_t st = cairo_surface_status(p.surf);
    cairo_surface_destroy(p.surf);
    if (st != CAIRO_STATUS_SUCCESS)
        return kk_err_set(st == CAIRO_STATUS_WRITE_ERROR ? KK_ENOMEM : KK_EINTERNAL,
                          "cannot write the PDF: %s", cairo_status_to_string(st));
    return KK_OK;
}

int rr_pdf(const rr_doc *d, kk_buf *out)
{
    if (!kk_render_pdf_font())
        return KK_EUNSUP;
    int pages = 0, pages2 = 0;
    KK_TRY(run_pass(d, 1, 0, out, &pages));
    KK_TRY(run_pass(d, 2, pages, out, &pages2));
    return KK_OK;
}
