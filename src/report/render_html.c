/* render_html.c - the report as one self-contained HTML page: inline CSS (A4 print via
 * @page), charts as inline SVG, no script, no external resource. A Content-Security-Policy
 * forbids scripts as a second wall behind the escaping of every string. */
#include "render_i.h"
#include "i18n.h"
#include "../util/err.h"
#include "../util/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char css[] =
    "@page{size:A4;margin:17mm 14mm 17mm}"
    ":root{--ink:#1c2630;--muted:#5d6874;--line:#d9dfe5;--head:#eef2f6;--accent:#1d4e7a;"
    "--crit:#b02a1f;--high:#d0500f;--med:#a86b00;--low:#3b6e8f;--ok:#2b7a3b;--warn:#a86b00}"
    "*{box-sizing:border-box}"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "body{margin:0;background:#f3f5f7;color:var(--ink);font-size:10pt;line-height:1.6;"
    "font-family:\"Noto Sans CJK JP\",\"Noto Sans JP\",\"Hiragino Kaku Gothic ProN\","
    "\"Yu Gothic\",Meiryo,\"IPAexGothic\",\"IPAGothic\",sans-serif}"
    "main{max-width:200mm;margin:0 auto;background:#fff;padding:14mm 14mm 10mm}"
    "@media print{body{background:#fff}main{max-width:none;padding:0}}"
    ".cover{border-bottom:3px solid var(--accent);padding-bottom:6mm;margin-bottom:6mm}"
    ".conf{float:right;border:1px solid var(--crit);color:var(--crit);font-size:8.5pt;"
    "padding:1px 8px;letter-spacing:.1em}"
    "h1{font-size:21pt;margin:0 0 2px;color:var(--accent);letter-spacing:.04em}"
    ".sub{color:var(--muted);margin:0 0 4mm}"
    "h2{font-size:13.5pt;color:var(--accent);border-bottom:1.5px solid var(--accent);"
    "margin:9mm 0 3mm;padding-bottom:2px;break-after:avoid;page-break-after:avoid}"
    "h3{font-size:11pt;margin:5mm 0 2mm;break-after:avoid;page-break-after:avoid}"
    "h3::before{content:\"\";display:inline-block;width:4px;height:.9em;background:var(--accent);"
    "margin-right:6px;vertical-align:-1px}"
    "p{margin:0 0 3mm;white-space:pre-line}"
    "table{width:100%;border-collapse:collapse;margin:0 0 4mm;font-size:9pt;table-layout:fixed}"
    "th,td{padding:3px 6px;text-align:left;vertical-align:top;white-space:pre-line;"
    "overflow-wrap:anywhere;word-break:break-word}"
    "thead th{background:var(--head);border-bottom:1.5px solid #aab5c0;font-weight:700}"
    "tbody{break-inside:avoid;page-break-inside:avoid}"
    "tbody td{border-bottom:1px solid var(--line)}"
    "tbody.d td{border-bottom:none}"
    "tr.detail td{padding-top:0;color:var(--muted);font-size:7.8pt;border-bottom:1px solid var(--line)}"
    "tr.total td{border-top:1.5px solid #aab5c0;font-weight:700;background:#fafbfc}"
    "table.kv{table-layout:auto}"
    "table.kv th{width:30%;background:var(--head);font-weight:600;border-bottom:1px solid #fff}"
    "table.kv td{border-bottom:1px solid var(--line)}"
    ".cover table.kv th{background:none;color:var(--muted);font-weight:400;width:22%}"
    ".cover table.kv td,.cover table.kv th{border:none;padding:1px 6px;font-size:10pt}"
    ".mono{font-family:\"Noto Sans Mono CJK JP\",\"DejaVu Sans Mono\",monospace;font-size:8.3pt}"
    ".b{font-weight:700}.m{color:var(--muted)}.r{text-align:right}.s{font-size:8pt}"
    ".alert{color:var(--crit)}.ok{color:var(--ok)}.warn{color:var(--warn)}"
    ".sev-critical{color:var(--crit)}.sev-high{color:var(--high)}.sev-medium{color:var(--med)}"
    ".sev-low{color:var(--low)}"
    ".verdict{border:1px solid;border-left-width:7px;border-radius:3px;padding:3mm 5mm;"
    "margin:0 0 4mm;break-inside:avoid}"
    ".verdict .v{font-size:15pt;font-weight:700}"
    ".verdict .rule{color:var(--muted);font-size:9pt;margin:1mm 0}"
    ".verdict ul{margin:2mm 0 0;padding-left:5mm}"
    ".v-alert{border-color:var(--crit);background:#fcf1f0}.v-alert .v{color:var(--crit)}"
    ".v-warn{border-color:var(--warn);background:#fdf7ea}.v-warn .v{color:var(--warn)}"
    ".v-ok{border-color:var(--ok);background:#eff8f0}.v-ok .v{color:var(--ok)}"
    ".v-none{border-color:var(--muted)}"
    "ul.list{margin:0 0 3mm;padding-left:5mm}ul.warn li{color:var(--warn)}"
    ".step{border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:3px;"
    "padding:2mm 4mm;margin:0 0 2.5mm;break-inside:avoid}"
    ".step .t{font-weight:700}"
    ".step .n{display:inline-block;min-width:1.8em;color:var(--accent);font-weight:700}"
    ".step.dont{border-left-color:var(--crit);background:#fcf1f0}"
    ".step.dont .n{color:var(--crit)}"
    ".badge{display:inline-block;font-size:7.5pt;font-weight:700;padding:0 5px;border-radius:2px;"
    "margin-right:6px;vertical-align:1px;color:#fff;background:var(--accent)}"
    ".dont .badge{background:var(--crit)}"
    ".step p{margin:1mm 0 0}.step .refs{font-size:8pt;color:var(--muted);margin-top:1mm}"
    ".step .refs a{color:var(--accent)}"
    "figure{margin:0 0 4mm;break-inside:avoid}"
    "figcaption{font-size:9pt;font-weight:700;margin-bottom:1mm}"
    "svg{display:block;width:100%;height:auto}"
    "svg text{font-size:11px;fill:var(--ink)}"
    "svg .lbl{fill:var(--ink)}svg .val{fill:var(--muted)}"
    "svg .bar{fill:var(--accent)}svg .grid{stroke:var(--line);stroke-width:1}"
    "svg .hbar{fill:#3d73a6}"
    "footer{margin-top:8mm;border-top:1px solid var(--line);padding-top:2mm;font-size:8pt;"
    "color:var(--muted);display:flex;justify-content:space-between}"
    ".sign{display:flex;gap:8mm;margin-top:8mm}"
    ".sign div{flex:1;border:1px solid #aab5c0;height:32mm;padding:2mm 3mm;font-size:9pt}";

typedef struct hctx {
    kk_buf *o;
    int rc;
    const rr_doc *d;
} hctx;

static void put(hctx *h, const char *s)
{
    if (h->rc == KK_OK)
        h->rc = kk_buf_adds(h->o, s);
}

static void putf(hctx *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(hctx *h, const char *fmt, ...)
{
    if (h->rc != KK_OK)
        return;
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        h->rc = kk_err_set(KK_EINTERNAL, "html fragment too long");
    else
        h->rc = kk_buf_adds(h->o, tmp);
}

/* Text from the document: HTML-escaped (the strings are display clean already). */
static void esc(hctx *h, const char *s)
{
    if (h->rc == KK_OK && s)
        h->rc = kk_html_escape(h->o, s);
}

/* The first n display columns of s, "…" when cut. */
static void esc_cut(hctx *h, const char *s, size_t cols)
{
    if (rr_width(s) <= cols) {
        esc(h, s);
        return;
    }
    char buf[512];
    size_t k = 0, w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (p[k] && k + 8 < sizeof buf) {
        size_t l = p[k] < 0x80 ? 1 : p[k] < 0xE0 ? 2 : p[k] < 0xF0 ? 3 : 4;
        char one[8] = {0};
        memcpy(one, p + k, l);
        size_t cw = rr_width(one);
        if (w + cw > cols - 1)
            break;
        w += cw;
        k += l;
    }
    memcpy(buf, s, k);
    buf[k] = '\0';
    esc(h, buf);
    put(h, "\xe2\x80\xa6");
}

/* A CSS string literal: every character but [A-Za-z0-9 .,:_-] as a 6-digit hex escape, so
 * nothing from the evidence can end the string, the rule or the <style> element. */
static void css_string(hctx *h, const char *s)
{
    put(h, "\"");
    const unsigned char *p = (const unsigned char *)s;
    while (*p && h->rc == KK_OK) {
        unsigned c = *p;
        size_t l = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        unsigned cp = l == 1 ? c : l == 2 ? c & 0x1F : l == 3 ? c & 0x0F : c & 0x07;
        for (size_t i = 1; i < l && p[i]; i++)
            cp = (cp << 6) | (p[i] & 0x3F);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == ' ' || c == '.' || c == ',' || c == ':' || c == '_' || c == '-') {
            char one[2] = {(char)c, 0};
            put(h, one);
        } else {
            putf(h, "\\%06x", cp);
        }
        for (size_t i = 0; i < l && *p; i++)
            p++;
    }
    put(h, "\"");
}

static void classes(hctx *h, int st)
{
    static const struct { int bit; const char *cls; } map[] = {
        {RS_MONO, "mono"}, {RS_BOLD, "b"}, {RS_MUTED, "m"}, {RS_RIGHT, "r"},
        {RS_ALERT, "alert"}, {RS_SMALL, "s"}, {RS_OK, "ok"}, {RS_WARN, "warn"},
        {RS_SEV_CRIT, "sev-critical"}, {RS_SEV_HIGH, "sev-high"}, {RS_SEV_MED, "sev-medium"},
        {RS_SEV_LOW, "sev-low"}};
    int first = 1;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        if (!(st & map[i].bit))
            continue;
        put(h, first ? " class=\"" : " ");
        put(h, map[i].cls);
        first = 0;
    }
    if (!first)
        put(h, "\"");
}

static void kv_table(hctx *h, const rr_block *b)
{
    put(h, "<table class=\"kv\">\n");
    for (size_t r = 0; r < b->nrows; r++) {
        put(h, "<tr><th scope=\"row\">");
        esc(h, b->rows[r].cells[0].text);
        put(h, "</th><td");
        classes(h, b->rows[r].cells[1].style);
        put(h, ">");
        esc(h, b->rows[r].cells[1].text);
        put(h, "</td></tr>\n");
    }
    put(h, "</table>\n");
}

static void table(hctx *h, const rr_block *b)
{
    double sum = 0;
    for (size_t c = 0; c < b->ncols; c++)
        sum += b->widths[c];
    put(h, "<table>\n<colgroup>");
    for (size_t c = 0; c < b->ncols; c++)
        putf(h, "<col style=\"width:%d%%\">", (int)(100 * b->widths[c] / (sum > 0 ? sum : 1)));
    put(h, "</colgroup>\n<thead><tr>");
    for (size_t c = 0; c < b->ncols; c++) {
        put(h, "<th");
        classes(h, b->head[c].style | (rr_col_right(b, c) ? RS_RIGHT : 0));
        put(h, ">");
        esc(h, b->head[c].text);
        put(h, "</th>");
    }
    put(h, "</tr></thead>\n");
    for (size_t r = 0; r < b->nrows; r++) {
        const rr_row *row = &b->rows[r];
        put(h, row->detail ? "<tbody class=\"d\"><tr" : "<tbody><tr");
        if (row->style & RS_TOTAL)
            put(h, " class=\"total\"");
        put(h, ">");
        for (size_t c = 0; c < b->ncols; c++) {
            put(h, "<td");
            classes(h, row->cells[c].style);
            put(h, ">");
            esc(h, row->cells[c].text);
            put(h, "</td>");
        }
        put(h, "</tr>");
        if (row->detail) {
            putf(h, "<tr class=\"detail\"><td colspan=\"%zu\" class=\"mono\">", b->ncols);
            esc(h, row->detail);
            put(h, "</td></tr>");
        }
        put(h, "</tbody>\n");
    }
    put(h, "</table>\n");
}

static void chart_bars(hctx *h, const rr_block *b)
{
    double max = 0;
    for (size_t i = 0; i < b->nbars; i++)
        if (b->bars[i].value > max)
            max = b->bars[i].value;
    const int W = 680, LW = 230, VW = 130, RH = 22, PAD = 4;
    int BW = W - LW - VW - 10;
    int H = (int)b->nbars * RH + 2 * PAD;
    putf(h, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, H);
    esc(h, b->text);
    put(h, "\">\n");
    for (size_t i = 0; i < b->nbars; i++) {
        const rr_bar *bar = &b->bars[i];
        int y = PAD + (int)i * RH;
        int w = max > 0 ? (int)(BW * bar->value / max + 0.5) : 0;
        if (bar->value > 0 && w < 2)
            w = 2;
        put(h, "<g><title>");
        esc(h, bar->label);
        put(h, ": ");
        esc(h, bar->value_text);
        put(h, "</title>");
        putf(h, "<text class=\"lbl\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", LW - 8, y + 15);
        esc_cut(h, bar->label, 36);
        putf(h, "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"2\"/>",
             LW, y + 3, w, RH - 7);
        putf(h, "<text class=\"val\" x=\"%d\" y=\"%d\">", LW + w + 6, y + 15);
        esc(h, bar->value_text);
        put(h, "</text></g>\n");
    }
    put(h, "</svg>\n");
}

static void chart_hist(hctx *h, const rr_block *b)
{
    double max = 0;
    for (size_t i = 0; i < b->nbars; i++)
        if (b->bars[i].value > max)
            max = b->bars[i].value;
    const int W = 680, H = 190, L = 56, R = 10, T = 10, B = 36;
    int pw = W - L - R, ph = H - T - B;
    putf(h, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, H);
    esc(h, b->text);
    put(h, "\">\n");
    /* grid: 0, half, max */
    for (int g = 0; g <= 2; g++) {
        int y = T + ph - ph * g / 2;
        char n[RR_FMT];
        rr_fmt_int(max * g / 2, n);
        putf(h, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", L, W - R, y, y);
        putf(h, "<text class=\"val\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", L - 6,
             y + 4, n);
    }
    size_t n = b->nbars;
    for (size_t i = 0; i < n; i++) {
        const rr_bar *bar = &b->bars[i];
        int x0 = L + (int)((long)pw * (long)i / (long)n);
        int x1 = L + (int)((long)pw * (long)(i + 1) / (long)n);
        int bh = max > 0 ? (int)(ph * bar->value / max + 0.5) : 0;
        if (bar->value > 0 && bh < 1)
            bh = 1;
        int bw = x1 - x0 - (x1 - x0 > 3 ? 1 : 0);
        if (bw < 1)
            bw = 1;
        put(h, "<rect class=\"hbar\"");
        putf(h, " x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"><title>", x0, T + ph - bh, bw, bh);
        esc(h, bar->label);
        put(h, ": ");
        esc(h, bar->value_text);
        put(h, "</title></rect>\n");
    }
    putf(h, "<text class=\"val\" x=\"%d\" y=\"%d\">", L, H - 14);
    esc(h, b->axis_from);
    putf(h, "</text><text class=\"val\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", W - R, H - 14);
    esc(h, b->axis_to);
    put(h, "</text>\n</svg>\n");
}

static int url_ok(const char *u)
{
    if (!u || (strncmp(u, "https://", 8) && strncmp(u, "http://", 7)))
        return 0;
    for (const char *p = u; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return 0;
    return 1;
}

static void block(hctx *h, const rr_block *b)
{
    const char *L = h->d->lang;
    switch (b->kind) {
    case RB_TITLE:
        put(h, "<header class=\"cover\"><span class=\"conf\">");
        esc(h, kk_tr(L, "Confidential"));
        put(h, "</span><h1>");
        esc(h, b->text);
        put(h, "</h1><p class=\"sub\">");
        esc(h, b->sub);
        put(h, "</p>\n");
        kv_table(h, b);
        put(h, "</header>\n");
        break;
    case RB_H2:
        put(h, "<h2");
        if (b->id) {
            put(h, " id=\"");
            esc(h, b->id);
            put(h, "\"");
        }
        put(h, ">");
        esc(h, b->text);
        put(h, "</h2>\n");
        break;
    case RB_H3:
        put(h, "<h3>");
        esc(h, b->text);
        put(h, "</h3>\n");
        break;
    case RB_PARA:
        put(h, "<p");
        classes(h, b->style);
        put(h, ">");
        esc(h, b->text);
        put(h, "</p>\n");
        break;
    case RB_LIST:
        put(h, b->style & RS_WARN ? "<ul class=\"list warn\">" : "<ul class=\"list\">");
        for (size_t i = 0; i < b->nitems; i++) {
            put(h, "<li>");
            esc(h, b->items[i]);
            put(h, "</li>");
        }
        put(h, "</ul>\n");
        break;
    case RB_KV:
        if (b->nrows)
            kv_table(h, b);
        break;
    case RB_TABLE:
        table(h, b);
        break;
    case RB_CHART:
        put(h, "<figure><figcaption>");
        esc(h, b->text);
        put(h, "</figcaption>\n");
        if (b->chart == RC_HISTOGRAM)
            chart_hist(h, b);
        else
            chart_bars(h, b);
        put(h, "</figure>\n");
        break;
    case RB_VERDICT:
        put(h, b->style & RS_ALERT ? "<div class=\"verdict v-alert\">"
               : b->style & RS_WARN ? "<div class=\"verdict v-warn\">"
               : b->style & RS_OK   ? "<div class=\"verdict v-ok\">"
                                    : "<div class=\"verdict v-none\">");
        put(h, "<div class=\"m s\">");
        esc(h, kk_tr(L, "Verdict"));
        put(h, "</div><div class=\"v\">");
        esc(h, b->text);
        put(h, "</div>");
        if (b->note) {
            put(h, "<div class=\"rule\">");
            esc(h, b->note);
            put(h, "</div>");
        }
        if (b->nitems) {
            put(h, "<ul>");
            for (size_t i = 0; i < b->nitems; i++) {
                put(h, "<li>");
                esc(h, b->items[i]);
                put(h, "</li>");
            }
            put(h, "</ul>");
        }
        put(h, "</div>\n");
        break;
    case RB_STEP:
        put(h, b->flag ? "<div class=\"step dont\">" : "<div class=\"step\">");
        putf(h, "<span class=\"n\">%d</span><span class=\"badge\">", b->num);
        esc(h, b->sub);
        put(h, "</span><span class=\"t\">");
        esc(h, b->text);
        put(h, "</span>");
        if (b->note && *b->note) {
            put(h, "<p>");
            esc(h, b->note);
            put(h, "</p>");
        }
        if (b->nrefs) {
            put(h, "<div class=\"refs\">");
            esc(h, kk_tr(L, "References"));
            put(h, ": ");
            for (size_t i = 0; i < b->nrefs; i++) {
                if (i)
                    put(h, " / ");
                if (url_ok(b->refs[i].url)) {
                    put(h, "<a rel=\"noreferrer noopener\" href=\"");
                    esc(h, b->refs[i].url);
                    put(h, "\">");
                    esc(h, b->refs[i].title);
                    put(h, "</a>");
                } else {
                    esc(h, b->refs[i].title);
                    if (b->refs[i].url && b->refs[i].url != b->refs[i].title) {
                        put(h, " (");
                        esc(h, b->refs[i].url);
                        put(h, ")");
                    }
                }
            }
            put(h, "</div>");
        }
        put(h, "</div>\n");
        break;
    case RB_SIGN:
        put(h, "<div class=\"sign\">");
        for (size_t i = 0; i < b->nitems; i++) {
            put(h, "<div>");
            esc(h, b->items[i]);
            put(h, "<br>");
            esc(h, b->text);
            put(h, ":<br>");
            esc(h, b->note);
            put(h, ":</div>");
        }
        put(h, "</div>\n");
        break;
    }
}

int rr_html(const rr_doc *d, kk_buf *out)
{
    hctx h = {.o = out, .rc = KK_OK, .d = d};
    put(&h, "<!DOCTYPE html>\n<html lang=\"");
    put(&h, d->lang);
    put(&h, "\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"generator\" content=\"");
    esc(&h, d->tool);
    put(&h, "\">\n<title>");
    esc(&h, d->title);
    put(&h, "</title>\n<style>");
    put(&h, css);
    /* running header and footer when printed: title, case number, page N / M */
    put(&h, "@page{@top-left{content:");
    css_string(&h, kk_tr(d->lang, d->receipt ? "Evidence hand-over receipt"
                                              : "Incident Investigation Report"));
    put(&h, ";font-size:8pt;color:#5d6874}@top-right{content:");
    kk_buf cn;
    kk_buf_init(&cn, 4096);
    if (kk_buf_printf(&cn, "%s: %.200s", kk_tr(d->lang, "Case number"), d->case_id) != KK_OK)
        h.rc = KK_ENOMEM;
    css_string(&h, kk_buf_str(&cn));
    kk_buf_free(&cn);
    put(&h, ";font-size:8pt;color:#5d6874}@bottom-center{content:");
    css_string(&h, kk_tr(d->lang, "Confidential"));
    put(&h, ";font-size:8pt;color:#b02a1f}@bottom-right{content:counter(page) \" / \" "
            "counter(pages);font-size:8pt;color:#5d6874}}");
    put(&h, "</style>\n</head>\n<body>\n<main>\n");
    for (size_t i = 0; i < d->nblocks; i++)
        block(&h, d->blocks[i]);
    put(&h, "<footer><span>");
    esc(&h, kk_tr(d->lang, "Case number"));
    put(&h, ": ");
    esc(&h, d->case_id);
    put(&h, "</span><span>");
    esc(&h, d->tool);
    if (d->generated) {
        put(&h, " \xc2\xb7 ");
        esc(&h, d->generated);
    }
    put(&h, "</span></footer>\n</main>\n</body>\n</html>\n");
    return h.rc;
}
