/* render_doc.c - the insurer report (事故調査報告書) and the bundle receipt as an rr_doc:
 * which sections, in which order, with which labels. Back ends only draw. */
#include "render.h"
#include "render_i.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 16
#define MAX_FINDINGS_SHOWN 200  /* the rest stays in report.json */
#define MAX_EVIDENCE_SHOWN 5000 /* the rest in the CSV evidence list and report.json */

static char empty_str[1];

/* ---- builder helpers ------------------------------------------------------------------ */

static char *keep(rr_doc *d, char *s)
{
    if (!s) {
        d->oom = 1;
        return empty_str;
    }
    if (d->nstrs == d->astrs) {
        size_t n = d->astrs ? d->astrs * 2 : 64;
        char **p = realloc(d->strs, n * sizeof *p);
        if (!p) {
            free(s);
            d->oom = 1;
            return empty_str;
        }
        d->strs = p;
        d->astrs = n;
    }
    d->strs[d->nstrs++] = s;
    return s;
}

char *rr_evn(rr_doc *d, const char *s, size_t n, int flags)
{
    kk_buf b;
    kk_buf_init(&b, RR_MAX_STR + 64);
    if (rr_clean(&b, s ? s : "", s ? n : 0, flags) != KK_OK) {
        kk_buf_free(&b);
        d->oom = 1;
        return empty_str;
    }
    return keep(d, kk_buf_steal(&b));
}

char *rr_ev(rr_doc *d, const char *s, int flags)
{
    return rr_evn(d, s, s ? strlen(s) : 0, flags);
}

char *rr_printf(rr_doc *d, const char *fmt, ...)
{
    va_list ap;
    char *p = NULL;
    va_start(ap, fmt);
    if (vasprintf(&p, fmt, ap) < 0)
        p = NULL;
    va_end(ap);
    return keep(d, p);
}

rr_block *rr_add(rr_doc *d, rr_kind kind)
{
    static _Thread_local rr_block scratch;
    if (d->nblocks == d->ablocks) {
        size_t n = d->ablocks ? d->ablocks * 2 : 32;
        rr_block **p = realloc(d->blocks, n * sizeof *p);
        if (!p) {
            d->oom = 1;
            memset(&scratch, 0, sizeof scratch);
            return &scratch;
        }
        d->blocks = p;
        d->ablocks = n;
    }
    rr_block *b = kk_calloc(1, sizeof *b);
    if (!b) {
        d->oom = 1;
        memset(&scratch, 0, sizeof scratch);
        return &scratch;
    }
    b->kind = kind;
    d->blocks[d->nblocks++] = b;
    return b;
}

void rr_table(rr_doc *d, rr_block *b, size_t ncols, const char *const *head, const double *widths)
{
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    b->ncols = ncols;
    b->widths = kk_calloc(ncols, sizeof *b->widths);
    if (!b->widths) {
        d->oom = 1;
        b->ncols = 0;
        return;
    }
    for (size_t i = 0; i < ncols; i++)
        b->widths[i] = widths ? widths[i] : 1.0;
    if (head) {
        b->head = kk_calloc(ncols, sizeof *b->head);
        if (!b->head) {
            d->oom = 1;
            return;
        }
        for (size_t i = 0; i < ncols; i++)
            b->head[i].text = rr_printf(d, "%s", head[i]);
    }
}

rr_row *rr_addrow(rr_doc *d, rr_block *b)
{
    static _Thread_local rr_cell scratch_cells[MAX_COLS];
    static _Thread_local rr_row scratch;
    if (b->nrows == b->arows) {
        size_t n = b->arows ? b->arows * 2 : 8;
        rr_row *p = realloc(b->rows, n * sizeof *p);
        if (!p)
            goto oom;
        b->rows = p;
        b->arows = n;
    }
    rr_row *r = &b->rows[b->nrows];
    memset(r, 0, sizeof *r);
    r->cells = kk_calloc(b->ncols ? b->ncols : 1, sizeof *r->cells);
    if (!r->cells)
        goto oom;
    for (size_t i = 0; i < b->ncols; i++)
        r->cells[i].text = empty_str;
    b->nrows++;
    return r;
oom:
    d->oom = 1;
    memset(scratch_cells, 0, sizeof scratch_cells);
    memset(&scratch, 0, sizeof scratch);
    scratch.cells = scratch_cells;
    return &scratch;
}

void rr_item(rr_doc *d, rr_block *b, char *text)
{
    char **p = realloc(b->items, (b->nitems + 1) * sizeof *p);
    if (!p) {
        d->oom = 1;
        return;
    }
    b->items = p;
    b->items[b->nitems++] = text;
}

int rr_col_right(const rr_block *b, size_t c)
{
    for (size_t r = 0; r < b->nrows; r++)
        if (c < b->ncols && (b->rows[r].cells[c].style & RS_RIGHT))
            return 1;
    return 0;
}

static void add_ref(rr_doc *d, rr_block *b, char *title, char *url)
{
    rr_ref *p = realloc(b->refs, (b->nrefs + 1) * sizeof *p);
    if (!p) {
        d->oom = 1;
        return;
    }
    b->refs = p;
    b->refs[b->nrefs].title = title;
    b->refs[b->nrefs].url = url;
    b->nrefs++;
}

static void add_bar(rr_doc *d, rr_block *b, char *label, double v, char *vt)
{
    rr_bar *p = realloc(b->bars, (b->nbars + 1) * sizeof *p);
    if (!p) {
        d->oom = 1;
        return;
    }
    b->bars = p;
    b->bars[b->nbars].label = label;
    b->bars[b->nbars].value = v < 0 ? 0 : v;
    b->bars[b->nbars].value_text = vt;
    b->nbars++;
}

void rr_doc_free(rr_doc *d)
{
    for (size_t i = 0; i < d->nblocks; i++) {
        rr_block *b = d->blocks[i];
        for (size_t r = 0; r < b->nrows; r++)
            free(b->rows[r].cells);
        free(b->rows);
        free(b->head);
        free(b->widths);
        free(b->items);
        free(b->refs);
        free(b->bars);
        free(b);
    }
    free(d->blocks);
    for (size_t i = 0; i < d->nstrs; i++)
        free(d->strs[i]);
    free(d->strs);
    memset(d, 0, sizeof *d);
}

/* ---- the vocabulary ------------------------------------------------------------------- */

typedef struct label {
    const char *key;
    const char *msgid;
} label;

static const label verdicts[] = {
    {"ransomware", N_("Ransomware attack")},
    {"compromised", N_("System compromised")},
    {"suspicious", N_("Suspicious activity (further investigation advised)")},
    {"clean", N_("No sign of compromise found")},
    {NULL, NULL}};

static const label severities[] = {
    {"critical", N_("Critical")}, {"high", N_("High")}, {"medium", N_("Medium")},
    {"low", N_("Low")}, {NULL, NULL}};

static const label categories[] = {
    {"ransomware", N_("Ransomware")},
    {"ransom_note", N_("Ransom note")},
    {"webshell", N_("Web shell")},
    {"backdoor", N_("Backdoor")},
    {"rat", N_("Remote access tool")},
    {"trojan", N_("Trojan")},
    {"loader", N_("Loader")},
    {"infostealer", N_("Information stealer")},
    {"stealer", N_("Information stealer")},
    {"credential", N_("Credential theft")},
    {"credential_theft", N_("Credential theft")},
    {"remote_admin_tool", N_("Remote administration tool")},
    {"rmm", N_("Remote administration tool")},
    {"credential_access", N_("Credential theft")},
    {"hacktool", N_("Attack tool")},
    {"exploit", N_("Exploit")},
    {"miner", N_("Cryptocurrency miner")},
    {"persistence", N_("Persistence")},
    {"lateral", N_("Lateral movement")},
    {"lateral_movement", N_("Lateral movement")},
    {"exfiltration", N_("Data exfiltration")},
    {"defense_evasion", N_("Defence evasion")},
    {"anti_forensics", N_("Anti-forensics")},
    {"apt", N_("Targeted attack")},
    {"malware", N_("Malware")},
    {"suspicious", N_("Suspicious")},
    {"ioc", N_("Indicator of compromise")},
    {"c2", N_("Command and control")},
    {"phishing", N_("Phishing")},
    {"test", N_("Test file")},
    {"other", N_("Other")},
    {NULL, NULL}};

static const label evkinds[] = {
    {"artifact", N_("Artifact")}, {"sample", N_("Sample")}, {"attachment", N_("Attachment")},
    {"findings", N_("Scan results")}, {"log", N_("Log")}, {NULL, NULL}};

static const label phases[] = {
    {"contain", N_("Containment")},   {"containment", N_("Containment")},
    {"preserve", N_("Preservation")}, {"preservation", N_("Preservation")},
    {"investigate", N_("Investigation")},
    {"eradicate", N_("Eradication")}, {"eradication", N_("Eradication")},
    {"recover", N_("Recovery")},      {"recovery", N_("Recovery")},
    {"notify", N_("Notification")},   {"report", N_("Notification")},
    {"harden", N_("Prevention")},     {"prevent", N_("Prevention")},
    {"first", N_("First")},           {"after", N_("Afterwards")},
    {NULL, NULL}};

static const label costcats[] = {
    {"onsite", N_("On-site response")}, {"on_site", N_("On-site response")},
    {"analysis", N_("Forensic analysis")}, {"travel", N_("Travel")},
    {"report", N_("Report writing")}, {"recovery", N_("Recovery work")},
    {"hardware", N_("Hardware and media")}, {"media", N_("Hardware and media")},
    {"remote", N_("Remote support")}, {"dispatch", N_("Emergency dispatch")},
    {"investigation", N_("Investigation")}, {"equipment", N_("Hardware and media")},
    {"other", N_("Other")}, {NULL, NULL}};

static const label skips[] = {
    {"size_cap", N_("over the size limit")}, {"unreadable", N_("unreadable")},
    {"encrypted", N_("encrypted volume")}, {"excluded", N_("excluded")},
    {"timeout", N_("time limit reached")}, {NULL, NULL}};

static const label personal[] = {
    {"yes", N_("Yes")}, {"no", N_("No")}, {"unknown", N_("Unknown (being examined)")},
    {NULL, NULL}};

/* The translated label for key, or the key itself (cleaned) when unknown. */
static char *vocab(rr_doc *d, const label *t, const char *key)
{
    if (!key)
        return NULL;
    char k[48]; /* "ransom-note" and "ransom_note" are one key */
    size_t n = strlen(key);
    if (n < sizeof k) {
        for (size_t i = 0; i <= n; i++)
            k[i] = key[i] == '-' ? '_' : key[i];
        for (; t->key; t++)
            if (!strcmp(t->key, k))
                return rr_printf(d, "%s", kk_tr(d->lang, t->msgid));
    }
    return rr_ev(d, key, 0);
}

static int sev_style(const char *sev)
{
    if (!sev)
        return 0;
    if (!strcmp(sev, "critical"))
        return RS_SEV_CRIT;
    if (!strcmp(sev, "high"))
        return RS_SEV_HIGH;
    if (!strcmp(sev, "medium"))
        return RS_SEV_MED;
    if (!strcmp(sev, "low"))
        return RS_SEV_LOW;
    return 0;
}

/* ---- building blocks --------------------------------------------------------------------- */

typedef struct bctx {
    rr_doc *d;
    const json_t *m;
    const char *L;      /* language */
    const char *tz;     /* case zone */
    int sec;            /* section number */
} bctx;

#define T(msgid) kk_tr(b->L, msgid)

static void h2(bctx *b, const char *id, const char *title)
{
    rr_block *k = rr_add(b->d, RB_H2);
    k->id = rr_printf(b->d, "%s", id);
    k->text = rr_printf(b->d, "%d. %s", ++b->sec, title);
}

static void h3(bctx *b, const char *title)
{
    rr_add(b->d, RB_H3)->text = rr_printf(b->d, "%s", title);
}

static void para(bctx *b, char *text, int style)
{
    rr_block *k = rr_add(b->d, RB_PARA);
    k->text = text;
    k->style = style;
}

static rr_block *kv_block(bctx *b)
{
    rr_block *k = rr_add(b->d, RB_KV);
    static const double w[] = {1, 2.6};
    rr_table(b->d, k, 2, NULL, w);
    return k;
}

/* A KV row when value is set. */
static void kv(bctx *b, rr_block *k, const char *labl, char *value, int style)
{
    if (!value)
        return;
    rr_row *r = rr_addrow(b->d, k);
    r->cells[0].text = rr_printf(b->d, "%s", labl);
    r->cells[1].text = value;
    r->cells[1].style = style;
}

static char *fmt_time(bctx *b, const char *iso, int secs)
{
    if (!iso)
        return NULL;
    char buf[RR_FMT];
    rr_fmt_time(b->L, iso, b->tz, secs, buf);
    return rr_printf(b->d, "%s", buf);
}

static char *fmt_date(bctx *b, const char *iso)
{
    if (!iso)
        return NULL;
    char buf[RR_FMT];
    rr_fmt_date(b->L, iso, buf);
    return rr_printf(b->d, "%s", buf);
}

static char *fmt_int(bctx *b, double v)
{
    char buf[RR_FMT];
    rr_fmt_int(v, buf);
    return rr_printf(b->d, "%s", buf);
}

static char *fmt_bytes(bctx *b, double v)
{
    char buf[RR_FMT];
    rr_fmt_bytes(v, buf);
    return rr_printf(b->d, "%s", buf);
}

/* "12,345 bytes (12.1 KB)" */
static char *fmt_size_exact(bctx *b, double v)
{
    char n[RR_FMT], h[RR_FMT];
    rr_fmt_int(v, n);
    rr_fmt_bytes(v, h);
    if (v < 1024)
        return rr_printf(b->d, "%s %s", n, T("bytes"));
    return rr_printf(b->d, "%s %s (%s)", n, T("bytes"), h);
}

static char *num_or_null(bctx *b, const json_t *o, const char *key)
{
    double v;
    return rr_num(o, key, &v) ? fmt_int(b, v) : NULL;
}

static char *ev(bctx *b, const json_t *o, const char *key, int flags)
{
    const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!json_is_string(v) || !json_string_length(v))
        return NULL;
    return rr_evn(b->d, json_string_value(v), json_string_length(v), flags);
}

/* ---- sections ---------------------------------------------------------------------------- */

/* What a finding matched, as people read it: the model's "name" (an IOC's description
 * instead of its regular expression), else the rule. */
static char *finding_name(bctx *b, const json_t *f)
{
    char *x = ev(b, f, "name", 0);
    return x ? x : ev(b, f, "rule", 0);
}

/* Where: "location" (drive letter and backslashes on Windows volumes), else the path. */
static char *finding_where(bctx *b, const json_t *f)
{
    char *x = ev(b, f, "location", 0);
    return x ? x : ev(b, f, "path", 0);
}

static void sec_title(bctx *b)
{
    rr_doc *d = b->d;
    const json_t *c = rr_obj(b->m, "case");
    rr_block *k = rr_add(d, RB_TITLE);
    k->text = rr_printf(d, "%s", T("Incident Investigation Report"));
    k->sub = rr_printf(d, "%s", T("Digital forensics findings for the cyber insurance claim"));
    static const double w[] = {1, 2.6};
    rr_table(d, k, 2, NULL, w);
    kv(b, k, T("Case number"), ev(b, c, "case_id", 0), RS_BOLD);
    kv(b, k, T("Client"), ev(b, c, "client", 0), 0);
    char *who = ev(b, c, "engineer", 0), *org = ev(b, c, "engineer_org", 0);
    if (who && org)
        kv(b, k, T("Investigated by"), rr_printf(d, "%s (%s)", who, org), 0);
    else
        kv(b, k, T("Investigated by"), who ? who : org, 0);
    kv(b, k, T("Report date"), fmt_time(b, rr_str(b->m, "generated_at"), 0), 0);
}

static void sec_summary(bctx *b)
{
    rr_doc *d = b->d;
    const json_t *v = rr_obj(b->m, "verdict");
    const char *val = rr_str(v, "value");
    h2(b, "summary", T("What happened"));
    rr_block *k = rr_add(d, RB_VERDICT);
    k->sub = val ? rr_ev(d, val, 0) : rr_printf(d, "unknown");
    k->text = val ? vocab(d, verdicts, val) : rr_printf(d, "%s", T("Not assessed"));
    if (val && !strcmp(val, "clean"))
        k->style = RS_OK;
    else if (val && !strcmp(val, "suspicious"))
        k->style = RS_WARN;
    else if (val)
        k->style = RS_ALERT;
    char *rule = ev(b, v, "rule", RR_MULTILINE);
    if (rule)
        k->note = rr_printf(d, "%s: %s", T("Decision rule"), rule);
    const json_t *reasons = rr_arr(v, "reasons");
    size_t i;
    const json_t *r;
    /* the findings that decided the verdict, in first-mention order */
    const char *ids[64];
    size_t nids = 0;
    json_array_foreach(reasons, i, r) {
        if (!json_is_object(r))
            continue;
        char *text = ev(b, r, "text", RR_MULTILINE);
        const json_t *f = rr_arr(r, "findings");
        kk_buf refs;
        kk_buf_init(&refs, 4096);
        size_t j;
        const json_t *id;
        json_array_foreach(f, j, id) {
            if (!json_is_string(id))
                continue;
            char *cid = rr_ev(d, json_string_value(id), 0);
            if (refs.len < 3000)
                (void)kk_buf_printf(&refs, "%s%s", refs.len ? ", " : "", cid);
            int seen = 0;
            for (size_t q = 0; q < nids; q++)
                seen |= !strcmp(ids[q], json_string_value(id));
            if (!seen && nids < sizeof ids / sizeof *ids)
                ids[nids++] = json_string_value(id);
        }
        if (text && refs.len)
            rr_item(d, k, rr_printf(d, "%s (%s: %s)", text, T("based on"), kk_buf_str(&refs)));
        else if (text)
            rr_item(d, k, text);
        kk_buf_free(&refs);
    }

    const json_t *cav = rr_arr(v, "caveats");
    if (json_array_size(cav)) {
        rr_block *cl = NULL;
        json_array_foreach(cav, i, r) {
            char *text = json_is_string(r) ? rr_evn(d, json_string_value(r), json_string_length(r),
                                                    RR_MULTILINE)
                                           : ev(b, r, "text", RR_MULTILINE);
            if (!text)
                continue;
            if (!cl) {
                para(b, rr_printf(d, "%s", T("Caveats")), RS_BOLD | RS_WARN);
                cl = rr_add(d, RB_LIST);
                cl->style = RS_WARN;
            }
            rr_item(d, cl, text);
        }
    }

    /* the figures in one sentence */
    const json_t *cn = rr_obj(b->m, "counts");
    double nf = 0, files = 0;
    int has_nf = rr_num(cn, "findings", &nf);
    if (!has_nf)
        nf = (double)json_array_size(rr_arr(b->m, "findings"));
    kk_buf s;
    kk_buf_init(&s, 8192);
    char n1[RR_FMT];
    rr_fmt_int(nf, n1);
    (void)kk_buf_printf(&s, kk_tr(b->L, "Findings: %s"), n1);
    const json_t *bs = rr_obj(cn, "by_severity");
    int first = 1;
    for (const label *l = severities; l->key; l++) {
        double sv;
        if (!rr_num(bs, l->key, &sv) || sv <= 0)
            continue;
        rr_fmt_int(sv, n1);
        (void)kk_buf_printf(&s, "%s%s %s", first ? T(" (") : T(", "), T(l->msgid), n1);
        first = 0;
    }
    if (!first)
        (void)kk_buf_adds(&s, T(")"));
    (void)kk_buf_adds(&s, T(". "));
    if (rr_num(cn, "files_scanned", &files)) {
        rr_fmt_int(files, n1);
        char n2[RR_FMT] = "";
        double by;
        if (rr_num(cn, "bytes_scanned", &by))
            rr_fmt_bytes(by, n2);
        (void)kk_buf_printf(&s, kk_tr(b->L, "Files examined: %s (%s) on %zu source(s)."), n1,
                            n2, json_array_size(rr_arr(b->m, "sources")));
    }
    para(b, s.data ? rr_printf(d, "%s", kk_buf_str(&s)) : NULL, 0);
    kk_buf_free(&s);

    if (nids) {
        h3(b, T("Findings that decided the verdict"));
        rr_block *t = rr_add(d, RB_TABLE);
        const char *head[] = {T("ID"), T("Severity"), T("Rule / indicator"), T("File")};
        static const double w[] = {0.5, 0.8, 2, 3.2};
        rr_table(d, t, 4, head, w);
        t->flag = 1;
        const json_t *fs = rr_arr(b->m, "findings");
        for (size_t q = 0; q < nids; q++) {
            const json_t *f;
            json_array_foreach(fs, i, f) {
                if (!json_is_object(f))
                    continue;
                const char *fid = rr_str(f, "id");
                if (!fid || strcmp(fid, ids[q]))
                    continue;
                rr_row *row = rr_addrow(d, t);
                row->cells[0].text = rr_ev(d, fid, 0);
                row->cells[0].style = RS_BOLD;
                char *sv = vocab(d, severities, rr_str(f, "severity"));
                row->cells[1].text = sv ? sv : empty_str;
                row->cells[1].style = sev_style(rr_str(f, "severity"));
                char *rl = finding_name(b, f);
                row->cells[2].text = rl ? rl : empty_str;
                char *p = finding_where(b, f);
                row->cells[3].text = p ? p : empty_str;
                row->cells[3].style = RS_SMALL;
                break;
            }
        }
    }
}

static void sec_case(bctx *b)
{
    rr_doc *d = b->d;
    const json_t *c = rr_obj(b->m, "case");
    h2(b, "case", T("Case and client"));
    rr_block *k = kv_block(b);
    kv(b, k, T("Case number"), ev(b, c, "case_id", 0), RS_BOLD);
    kv(b, k, T("Client"), ev(b, c, "client", 0), 0);
    kv(b, k, T("Client address"), ev(b, c, "client_address", RR_MULTILINE), 0);
    kv(b, k, T("Site investigated"), ev(b, c, "site", 0), 0);
    kv(b, k, T("Engineer"), ev(b, c, "engineer", 0), 0);
    kv(b, k, T("Organisation"), ev(b, c, "engineer_org", 0), 0);
    kv(b, k, T("Personal data involved"), vocab(d, personal, rr_str(c, "personal_data")), 0);
    kv(b, k, T("Notes"), ev(b, c, "notes", RR_MULTILINE), 0);

    h3(b, T("On-site attendance"));
    const json_t *on = rr_obj(b->m, "onsite");
    k = kv_block(b);
    kv(b, k, T("Incident discovered"), fmt_time(b, rr_str(c, "discovered_at"), 0), RS_BOLD);
    kv(b, k, T("Response requested"), fmt_time(b, rr_str(c, "requested_at"), 0), 0);
    const char *arr = rr_str(on, "arrived_at"), *dep = rr_str(on, "departed_at");
    kv(b, k, T("Arrived on site"), fmt_time(b, arr ? arr : rr_str(c, "arrived_at"), 0), 0);
    kv(b, k, T("Left the site"), fmt_time(b, dep ? dep : rr_str(c, "departed_at"), 0), 0);
    double h;
    char buf[RR_FMT];
    if (rr_num(on, "hours", &h)) {
        rr_fmt_hours(h, buf);
        kv(b, k, T("Hours on site"), rr_printf(d, kk_tr(b->L, "%s hours"), buf), RS_BOLD);
    } else {
        kv(b, k, T("Hours on site"), rr_printf(d, "%s", T("not recorded")), RS_MUTED);
    }
    if (!k->nrows)
        para(b, rr_printf(d, "%s", T("No times were recorded for this case.")), RS_MUTED);
}

static void sec_ppc(bctx *b)
{
    rr_doc *d = b->d;
    const json_t *p = rr_obj(b->m, "ppc");
    int applies = 0;
    if (!rr_bool(p, "applies", &applies) || !applies)
        return;
    h2(b, "ppc", T("Report to the Personal Information Protection Commission"));
    para(b,
         rr_printf(d, "%s",
                   T("Personal data may have been leaked, lost or damaged. Under the Act on the "
                     "Protection of Personal Information the business must send the Personal "
                     "Information Protection Commission (PPC) a preliminary report promptly and a "
                     "final report by the due date below, and notify the people concerned.")),
         0);
    const char *disc = rr_str(p, "discovered_at");
    if (!disc) {
        para(b,
             rr_printf(d, "%s",
                       T("The time the incident was discovered is not recorded, so the deadlines "
                         "cannot be calculated: record it with `kaketsuke case set DIR "
                         "discovered_at=...` and render the report again.")),
             RS_ALERT);
    } else {
        rr_block *k = kv_block(b);
        kv(b, k, T("Deadlines counted from (incident discovered)"), fmt_time(b, disc, 0), RS_BOLD);
    }
    char *note = ev(b, p, "note", RR_MULTILINE);
    if (note)
        para(b, note, RS_MUTED);
    rr_block *t = rr_add(d, RB_TABLE);
    const char *head[] = {T("Report"), T("Due"), T("Rule")};
    static const double w[] = {1.1, 2.1, 2.8};
    rr_table(d, t, 3, head, w);
    const json_t *pre = rr_obj(p, "preliminary"), *fin = rr_obj(p, "final");
    if (pre) {
        rr_row *r = rr_addrow(d, t);
        r->cells[0].text = rr_printf(d, "%s", T("Preliminary report"));
        r->cells[0].style = RS_BOLD;
        char *from = fmt_date(b, rr_str(pre, "from")), *to = fmt_date(b, rr_str(pre, "to"));
        if (from && to)
            r->cells[1].text = rr_printf(d, kk_tr(b->L, "%s to %s"), from, to);
        else if (from || to)
            r->cells[1].text = from ? from : to;
        else
            r->cells[1].text = rr_printf(d, "%s", T("not calculated"));
        r->cells[1].style = RS_BOLD | RS_ALERT;
        char *rule = ev(b, pre, "rule", RR_MULTILINE);
        r->cells[2].text = rule ? rule : rr_printf(d, "%s", T("Promptly: about 3 to 5 days after "
                                                              "the business learns of the incident"));
    }
    if (fin) {
        rr_row *r = rr_addrow(d, t);
        r->cells[0].text = rr_printf(d, "%s", T("Final report"));
        r->cells[0].style = RS_BOLD;
        char *due = fmt_date(b, rr_str(fin, "due"));
        double days;
        if (due && rr_num(fin, "days", &days))
            r->cells[1].text = rr_printf(d, kk_tr(b->L, "%s (%d days)"), due, (int)days);
        else
            r->cells[1].text = due ? due : rr_printf(d, "%s", T("not calculated"));
        r->cells[1].style = RS_BOLD | RS_ALERT;
        char *rule = ev(b, fin, "rule", RR_MULTILINE);
        r->cells[2].text = rule ? rule : empty_str;
    }
}

static char *volume_name(bctx *b, const json_t *v)
{
    char *drive = ev(b, v, "drive", 0), *src = ev(b, v, "source", 0);
    double off;
    if (drive && src)
        return rr_printf(b->d, "%s (%s)", drive, src);
    if (drive)
        return drive;
    if (src && rr_num(v, "fs_offset", &off) && off > 0)
        return rr_printf(b->d, "%s @%lld", src, (long long)off);
    return src ? src : rr_printf(b->d, "-");
}

static void sec_scope(bctx *b)
{
    rr_doc *d = b->d;
    h2(b, "scope", T("Affected devices and data"));

    h3(b, T("Devices examined"));
    const json_t *srcs = rr_arr(b->m, "sources");
    if (!json_array_size(srcs)) {
        para(b, rr_printf(d, "%s", T("No source was recorded.")), RS_MUTED);
    } else {
        rr_block *t = rr_add(d, RB_TABLE);
        const char *head[] = {T("Source"), T("Format"), T("Size"), T("Device"),
                              T("Unchanged by the examination")};
        static const double w[] = {2.2, 0.8, 1, 1.6, 1.4};
        rr_table(d, t, 5, head, w);
        size_t i;
        const json_t *s;
        json_array_foreach(srcs, i, s) {
            if (!json_is_object(s))
                continue;
            rr_row *r = rr_addrow(d, t);
            char *x = ev(b, s, "source", 0);
            r->cells[0].text = x ? x : empty_str;
            x = ev(b, s, "format", 0);
            r->cells[1].text = x ? x : empty_str;
            double sz;
            if (rr_num(s, "size", &sz))
                r->cells[2].text = fmt_bytes(b, sz);
            r->cells[2].style = RS_RIGHT;
            const json_t *dev = rr_obj(s, "device");
            if (dev) {
                char *ve = ev(b, dev, "vendor", 0), *mo = ev(b, dev, "model", 0),
                     *se = ev(b, dev, "serial", 0);
                r->cells[3].text = rr_printf(d, "%s%s%s%s%s", ve ? ve : "", ve && mo ? " " : "",
                                             mo ? mo : "", se ? " S/N " : "", se ? se : "");
            }
            int same;
            if (rr_bool(s, "same", &same)) {
                r->cells[4].text = rr_printf(d, "%s", same ? T("Yes (hash identical)")
                                                           : T("No: hash changed"));
                r->cells[4].style = same ? RS_OK : RS_ALERT | RS_BOLD;
            } else {
                r->cells[4].text = rr_printf(d, "%s", T("not measured"));
                r->cells[4].style = RS_MUTED;
            }
            char *h1 = ev(b, s, "sha256_before", 0), *h2s = ev(b, s, "sha256_after", 0);
            if (h1 && h2s && strcmp(h1, h2s))
                r->detail = rr_printf(d, "SHA-256 %s %s / %s %s", T("before"), h1, T("after"), h2s);
            else if (h1 || h2s)
                r->detail = rr_printf(d, "SHA-256 %s", h1 ? h1 : h2s);
        }
    }

    const json_t *scope = rr_obj(b->m, "scope");
    const json_t *vols = rr_arr(scope, "volumes");
    h3(b, T("Files and data"));
    if (!json_array_size(vols)) {
        para(b, rr_printf(d, "%s", T("No file-system figures were recorded.")), RS_MUTED);
    } else {
        rr_block *t = rr_add(d, RB_TABLE);
        const char *head[] = {T("Volume"),          T("Files"),           T("Documents"),
                              T("Documents intact"), T("Encrypted files"), T("Encrypted size"),
                              T("Ransom notes")};
        static const double w[] = {2, 1, 1, 1, 1, 1, 0.9};
        rr_table(d, t, 7, head, w);
        double tot[6] = {0};
        int has[6] = {0};
        const char *keys[] = {"files", "documents", "documents_intact", "encrypted_files",
                              "encrypted_bytes", "ransom_notes"};
        size_t i;
        const json_t *v;
        json_array_foreach(vols, i, v) {
            if (!json_is_object(v))
                continue;
            rr_row *r = rr_addrow(d, t);
            r->cells[0].text = volume_name(b, v);
            for (int k = 0; k < 6; k++) {
                double x;
                if (!rr_num(v, keys[k], &x))
                    continue;
                tot[k] += x;
                has[k] = 1;
                r->cells[k + 1].text = k == 4 ? fmt_bytes(b, x) : fmt_int(b, x);
                r->cells[k + 1].style = RS_RIGHT | ((k == 3 || k == 4) && x > 0 ? RS_ALERT : 0);
            }
        }
        if (json_array_size(vols) > 1) {
            rr_row *r = rr_addrow(d, t);
            r->style = RS_TOTAL;
            r->cells[0].text = rr_printf(d, "%s", T("Total"));
            for (int k = 0; k < 6; k++) {
                if (!has[k])
                    continue;
                r->cells[k + 1].text = k == 4 ? fmt_bytes(b, tot[k]) : fmt_int(b, tot[k]);
                r->cells[k + 1].style = RS_RIGHT | RS_BOLD;
            }
        }
    }
    const json_t *win = rr_obj(scope, "encryption_window");
    if (win) {
        rr_block *k = kv_block(b);
        kv(b, k, T("First file encrypted"), fmt_time(b, rr_str(win, "first"), 1), 0);
        kv(b, k, T("Last file encrypted"), fmt_time(b, rr_str(win, "last"), 1), 0);
    }
    const json_t *fams = rr_arr(scope, "families");
    if (json_array_size(fams)) {
        rr_block *t = rr_add(d, RB_TABLE);
        const char *head[] = {T("Ransomware family"), T("Extension"), T("Files")};
        static const double w[] = {2, 1.5, 1};
        rr_table(d, t, 3, head, w);
        size_t i;
        const json_t *f;
        json_array_foreach(fams, i, f) {
            if (!json_is_object(f))
                continue;
            rr_row *r = rr_addrow(d, t);
            char *x = ev(b, f, "family", 0);
            r->cells[0].text = x ? x : rr_printf(d, "%s", T("unknown"));
            r->cells[0].style = RS_BOLD;
            x = ev(b, f, "extension", 0);
            r->cells[1].text = x ? x : empty_str;
            r->cells[1].style = RS_MONO;
            x = num_or_null(b, f, "files");
            r->cells[2].text = x ? x : empty_str;
            r->cells[2].style = RS_RIGHT;
        }
    }

    const json_t *notes = rr_arr(scope, "ransom_note_paths");
    if (json_array_size(notes)) {
        para(b, rr_printf(d, "%s", T("Ransom note locations")), RS_BOLD);
        rr_block *nl = rr_add(d, RB_LIST);
        size_t ni;
        const json_t *np;
        json_array_foreach(notes, ni, np) {
            if (json_is_string(np) && ni < 50)
                rr_item(d, nl, rr_evn(d, json_string_value(np), json_string_length(np), 0));
        }
    }

    /* chart: encrypted files by folder, over all volumes, largest first */
    typedef struct { char *label; double files, bytes; } dirbar;
    dirbar top[12];
    size_t ntop = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(vols, i, v) {
        if (!json_is_object(v))
            continue;
        const json_t *dirs = rr_arr(v, "top_dirs");
        char *drive = ev(b, v, "drive", 0);
        size_t j;
        const json_t *t;
        json_array_foreach(dirs, j, t) {
            if (!json_is_object(t))
                continue;
            double files = 0, bytes = 0;
            if (!rr_num(t, "files", &files) || files <= 0)
                continue;
            rr_num(t, "bytes", &bytes);
            char *path = ev(b, t, "path", 0);
            size_t at = ntop;
            while (at > 0 && top[at - 1].files < files)
                at--;
            if (at >= 12)
                continue;
            if (ntop < 12)
                ntop++;
            memmove(&top[at + 1], &top[at], (ntop - 1 - at) * sizeof *top);
            int has_drive = path && ((path[0] >= 'A' && path[0] <= 'Z') ||
                                     (path[0] >= 'a' && path[0] <= 'z')) && path[1] == ':';
            top[at].label = rr_printf(d, "%s%s", drive && !has_drive ? drive : "",
                                      path ? path : "?");
            top[at].files = files;
            top[at].bytes = bytes;
        }
    }
    if (ntop) {
        rr_block *c = rr_add(d, RB_CHART);
        c->chart = RC_BARS;
        c->text = rr_printf(d, "%s", T("Encrypted files by folder"));
        c->unit = rr_printf(d, "%s", T("files"));
        for (size_t k = 0; k < ntop; k++) {
            char n[RR_FMT], s[RR_FMT];
            rr_fmt_int(top[k].files, n);
            rr_fmt_bytes(top[k].bytes, s);
            add_bar(d, c, top[k].label, top[k].files,
                    top[k].bytes > 0 ? rr_printf(d, "%s (%s)", n, s) : rr_printf(d, "%s", n));
        }
    }
}

static void sec_findings(bctx *b)
{
    rr_doc *d = b->d;
    h2(b, "findings", T("Findings"));
    const json_t *cn = rr_obj(b->m, "counts");
    const json_t *fs = rr_arr(b->m, "findings");
    const json_t *bycat = rr_obj(cn, "by_category");
    if (json_object_size(bycat)) {
        /* largest first, at most 12 */
        const char *keys[12];
        double vals[12];
        size_t n = 0;
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)bycat, key, val) {
            if (!json_is_number(val) || !(json_number_value(val) > 0))
                continue;
            double x = json_number_value(val);
            size_t at = n;
            while (at > 0 && vals[at - 1] < x)
                at--;
            if (at >= 12)
                continue;
            if (n < 12)
                n++;
            memmove(&keys[at + 1], &keys[at], (n - 1 - at) * sizeof *keys);
            memmove(&vals[at + 1], &vals[at], (n - 1 - at) * sizeof *vals);
            keys[at] = key;
            vals[at] = x;
        }
        if (n) {
            rr_block *c = rr_add(d, RB_CHART);
            c->chart = RC_BARS;
            c->text = rr_printf(d, "%s", T("Findings by category"));
            c->unit = rr_printf(d, "%s", T("findings"));
            for (size_t k = 0; k < n; k++)
                add_bar(d, c, vocab(d, categories, keys[k]), vals[k], fmt_int(b, vals[k]));
        }
    }
    if (!json_array_size(fs)) {
        para(b, rr_printf(d, "%s", T("The scan reported no findings.")), RS_OK);
    } else {
        rr_block *t = rr_add(d, RB_TABLE);
        const char *head[] = {T("ID"), T("Severity"), T("Category"), T("Rule / indicator"),
                              T("File")};
        static const double w[] = {0.4, 0.55, 1.1, 2.05, 2.6};
        rr_table(d, t, 5, head, w);
        t->flag = 1;
        size_t i;
        const json_t *f;
        json_array_foreach(fs, i, f) {
            if (!json_is_object(f))
                continue;
            if (i >= MAX_FINDINGS_SHOWN)
                break;
            rr_row *r = rr_addrow(d, t);
            char *x = ev(b, f, "id", 0);
            r->cells[0].text = x ? x : rr_printf(d, "F%zu", i + 1);
            r->cells[0].style = RS_BOLD;
            x = vocab(d, severities, rr_str(f, "severity"));
            r->cells[1].text = x ? x : empty_str;
            r->cells[1].style = sev_style(rr_str(f, "severity")) | RS_BOLD;
            char *cat = vocab(d, categories, rr_str(f, "category"));
            char *fam = ev(b, f, "family", 0);
            r->cells[2].text = cat && fam ? rr_printf(d, "%s / %s", cat, fam)
                                          : cat ? cat : fam ? fam : empty_str;
            x = finding_name(b, f);
            r->cells[3].text = x ? x : empty_str;
            char *desc = ev(b, f, "description", 0);
            if (desc && x && strcmp(desc, x))
                r->cells[3].text = rr_printf(d, "%s\n%s", x, desc);
            char *path = finding_where(b, f);
            int del = 0;
            rr_bool(f, "deleted", &del);
            r->cells[4].text = path ? (del ? rr_printf(d, "%s [%s]", path, T("deleted")) : path)
                                    : empty_str;
            r->cells[4].style = RS_SMALL;
            /* detail: hash, size, times */
            kk_buf s;
            kk_buf_init(&s, 4096);
            char *sha = ev(b, f, "sha256", 0);
            if (sha)
                (void)kk_buf_printf(&s, "SHA-256 %s", sha);
            double sz;
            if (rr_num(f, "size", &sz)) {
                char n[RR_FMT];
                rr_fmt_bytes(sz, n);
                (void)kk_buf_printf(&s, "%s%s", s.len ? "  " : "", n);
            }
            char *mt = fmt_time(b, rr_str(f, "mtime"), 1);
            if (mt)
                (void)kk_buf_printf(&s, "%s%s %s", s.len ? "  " : "", T("modified"), mt);
            char *nm = ev(b, f, "name", 0), *rule = ev(b, f, "rule", 0);
            if (nm && rule && strcmp(nm, rule))
                (void)kk_buf_printf(&s, "%s%s %s", s.len ? "  " : "", T("rule"), rule);
            if (s.len)
                r->detail = rr_printf(d, "%s", kk_buf_str(&s));
            kk_buf_free(&s);
        }
        const json_t *om = rr_arr(b->m, "findings_omitted");
        if (json_array_size(om)) {
            h3(b, T("Findings counted but not listed"));
            para(b, rr_printf(d, "%s", T("Further matches of the same rules or indicators; "
                                         "report.json counts them.")), RS_MUTED);
            rr_block *ot = rr_add(d, RB_TABLE);
            const char *oh[] = {T("Rule / indicator"), T("Category"), T("Count")};
            static const double ow[] = {3, 1.5, 0.8};
            rr_table(d, ot, 3, oh, ow);
            size_t oi;
            const json_t *o;
            json_array_foreach(om, oi, o) {
                if (!json_is_object(o) || oi >= MAX_FINDINGS_SHOWN)
                    continue;
                rr_row *orow = rr_addrow(d, ot);
                char *y = ev(b, o, "rule", 0);
                orow->cells[0].text = y ? y : empty_str;
                y = vocab(d, categories, rr_str(o, "category"));
                orow->cells[1].text = y ? y : empty_str;
                y = num_or_null(b, o, "count");
                orow->cells[2].text = y ? y : empty_str;
                orow->cells[2].style = RS_RIGHT;
            }
        }
        if (json_array_size(fs) > MAX_FINDINGS_SHOWN)
            para(b,
                 rr_printf(d, kk_tr(b->L, "%zu more findings are listed in report.json."),
                           json_array_size(fs) - MAX_FINDINGS_SHOWN),
                 RS_MUTED);
    }

    /* what the scan covered */
    rr_block *k = kv_block(b);
    kv(b, k, T("Files scanned"), num_or_null(b, cn, "files_scanned"), RS_RIGHT);
    double by;
    if (rr_num(cn, "bytes_scanned", &by))
        kv(b, k, T("Data scanned"), fmt_bytes(b, by), 0);
    double er;
    if (rr_num(cn, "errors", &er))
        kv(b, k, T("Read errors"), fmt_int(b, er), er > 0 ? RS_WARN : 0);
    const json_t *sk = rr_obj(cn, "skipped");
    if (json_object_size(sk)) {
        kk_buf s;
        kk_buf_init(&s, 4096);
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)sk, key, val) {
            if (!json_is_number(val))
                continue;
            char n[RR_FMT];
            rr_fmt_int(json_number_value(val), n);
            (void)kk_buf_printf(&s, "%s%s %s", s.len ? ", " : "", vocab(d, skips, key), n);
        }
        if (s.len)
            kv(b, k, T("Files not scanned"), rr_printf(d, "%s", kk_buf_str(&s)), 0);
        kk_buf_free(&s);
    }
}

static void sec_timeline(bctx *b)
{
    rr_doc *d = b->d;
    const json_t *t = rr_obj(b->m, "timeline");
    if (!t)
        return;
    h2(b, "timeline", T("Timeline"));
    rr_block *k = kv_block(b);
    kv(b, k, T("File-system events"), num_or_null(b, t, "events"), 0);
    kv(b, k, T("Earliest event"), fmt_time(b, rr_str(t, "first"), 1), 0);
    kv(b, k, T("Latest event"), fmt_time(b, rr_str(t, "last"), 1), 0);
    char *bf = ev(b, t, "bodyfile", 0), *jl = ev(b, t, "jsonl", 0);
    if (bf || jl)
        kv(b, k, T("Full timeline"),
           rr_printf(d, "%s%s%s", bf ? bf : "", bf && jl ? ", " : "", jl ? jl : ""), RS_MONO);
    const json_t *hist = rr_arr(t, "histogram");
    if (json_array_size(hist)) {
        rr_block *c = rr_add(d, RB_CHART);
        c->chart = RC_HISTOGRAM;
        c->text = rr_printf(d, "%s", T("File-system activity over time"));
        c->unit = rr_printf(d, "%s", T("events"));
        size_t i;
        const json_t *h;
        const char *first = NULL, *last = NULL;
        json_array_foreach(hist, i, h) {
            if (!json_is_object(h))
                continue;
            if (i >= 400)
                break;
            double n = 0;
            rr_num(h, "events", &n);
            const char *st = rr_str(h, "start");
            char lb[RR_FMT];
            rr_fmt_short_time(st ? st : "", lb);
            add_bar(d, c, rr_printf(d, "%s", lb), n, fmt_int(b, n));
            if (!first)
                first = st;
            last = rr_str(h, "end") ? rr_str(h, "end") : st;
        }
        c->axis_from = fmt_time(b, first, 0);
        c->axis_to = fmt_time(b, last, 0);
        double out;
        if (rr_num(t, "histogram_outside", &out) && out > 0) {
            char n[RR_FMT];
            rr_fmt_int(out, n);
            para(b, rr_printf(d, kk_tr(b->L, "%s events lie outside the chart (it shows the 1st to "
                                             "99th percentile of a long period)."), n),
                 RS_MUTED | RS_SMALL);
        }
    }
}

static void sec_evidence(bctx *b)
{
    rr_doc *d = b->d;
    h2(b, "evidence", T("Evidence list"));
    para(b,
         rr_printf(d, "%s",
                   T("Every item below is kept in the sealed evidence bundle with its SHA-256 "
                     "hash. The bundle's manifest is signed with the key whose fingerprint is "
                     "shown here; any later change to an item changes its hash.")),
         0);
    rr_block *k = kv_block(b);
    char *fp = ev(b, rr_obj(b->m, "signer"), "fingerprint", 0);
    kv(b, k, T("Signer key fingerprint (SHA-256)"),
       fp ? fp : rr_printf(d, "%s", T("not signed yet")), fp ? RS_MONO : RS_WARN);
    const json_t *evs = rr_arr(b->m, "evidence");
    if (!json_array_size(evs)) {
        para(b, rr_printf(d, "%s", T("No evidence item was recorded.")), RS_MUTED);
        return;
    }
    rr_block *t = rr_add(d, RB_TABLE);
    const char *head[] = {T("No."), T("Kind"), T("Item and origin"), T("Size")};
    static const double w[] = {0.4, 1.15, 4, 0.85};
    rr_table(d, t, 4, head, w);
    t->flag = 1;
    size_t i;
    const json_t *e;
    json_array_foreach(evs, i, e) {
        if (!json_is_object(e))
            continue;
        if (i >= MAX_EVIDENCE_SHOWN)
            break;
        rr_row *r = rr_addrow(d, t);
        r->cells[0].text = rr_printf(d, "%zu", i + 1);
        char *x = vocab(d, evkinds, rr_str(e, "kind"));
        r->cells[1].text = x ? x : empty_str;
        char *name = ev(b, e, "name", 0), *path = ev(b, e, "path", 0),
             *origin = ev(b, e, "origin", 0);
        kk_buf s;
        kk_buf_init(&s, 3 * RR_MAX_STR + 256);
        (void)kk_buf_adds(&s, name ? name : path ? path : "-");
        if (path && name && strcmp(path, name))
            (void)kk_buf_printf(&s, "\n%s: %s", T("in bundle"), path);
        if (origin)
            (void)kk_buf_printf(&s, "\n%s: %s", T("from"), origin);
        r->cells[2].text = rr_printf(d, "%s", kk_buf_str(&s));
        kk_buf_free(&s);
        double sz;
        if (rr_num(e, "size", &sz)) {
            r->cells[3].text = fmt_bytes(b, sz);
            r->cells[3].style = RS_RIGHT;
        }
        char *sha = ev(b, e, "sha256", 0);
        r->detail = rr_printf(d, "SHA-256 %s", sha ? sha : T("not recorded"));
    }
    if (json_array_size(evs) > MAX_EVIDENCE_SHOWN)
        para(b,
             rr_printf(d, kk_tr(b->L, "%zu more items are listed in the CSV evidence list (report.csv) and in report.json."),
                       json_array_size(evs) - MAX_EVIDENCE_SHOWN),
             RS_MUTED);
}

static void sec_actions(bctx *b)
{
    rr_doc *d = b->d;
    h2(b, "actions", T("Actions taken"));
    const json_t *acts = rr_arr(b->m, "actions");
    if (!json_array_size(acts)) {
        para(b, rr_printf(d, "%s", T("No action was recorded (kaketsuke case note).")), RS_MUTED);
        return;
    }
    rr_block *t = rr_add(d, RB_TABLE);
    const char *head[] = {T("Time"), T("Action")};
    static const double w[] = {1.3, 4};
    rr_table(d, t, 2, head, w);
    t->flag = 1;
    size_t i;
    const json_t *a;
    json_array_foreach(acts, i, a) {
        if (!json_is_object(a))
            continue;
        rr_row *r = rr_addrow(d, t);
        char *x = fmt_time(b, rr_str(a, "time"), 0);
        r->cells[0].text = x ? x : empty_str;
        x = ev(b, a, "text", RR_MULTILINE);
        r->cells[1].text = x ? x : empty_str;
    }
}

static void sec_costs(bctx *b)
{
    rr_doc *d = b->d;
    const json_t *c = rr_obj(b->m, "costs");
    const json_t *lines = rr_arr(c, "lines");
    h2(b, "costs", T("Costs"));
    if (!json_array_size(lines)) {
        para(b, rr_printf(d, "%s", T("No cost was recorded (kaketsuke case cost).")), RS_MUTED);
        return;
    }
    const char *cur = rr_str(c, "currency");
    rr_block *t = rr_add(d, RB_TABLE);
    const char *head[] = {T("Item"), T("Hours"), T("Amount"), T("Note")};
    static const double w[] = {1.6, 0.7, 1.2, 2.5};
    rr_table(d, t, 4, head, w);
    size_t i;
    const json_t *l;
    double sum_a = 0, sum_h = 0;
    char buf[RR_FMT];
    json_array_foreach(lines, i, l) {
        if (!json_is_object(l))
            continue;
        rr_row *r = rr_addrow(d, t);
        char *x = ev(b, l, "label", 0);
        if (!x)
            x = vocab(d, costcats, rr_str(l, "category"));
        r->cells[0].text = x ? x : empty_str;
        double v;
        if (rr_num(l, "hours", &v)) {
            rr_fmt_hours(v, buf);
            r->cells[1].text = rr_printf(d, "%s", buf);
            sum_h += v;
        }
        r->cells[1].style = RS_RIGHT;
        if (rr_num(l, "amount", &v)) {
            rr_fmt_money(b->L, cur, v, buf);
            r->cells[2].text = rr_printf(d, "%s", buf);
            sum_a += v;
        }
        r->cells[2].style = RS_RIGHT;
        x = ev(b, l, "note", RR_MULTILINE);
        r->cells[3].text = x ? x : empty_str;
    }
    double ta, th;
    rr_row *r = rr_addrow(d, t);
    r->style = RS_TOTAL;
    r->cells[0].text = rr_printf(d, "%s", T("Total"));
    rr_fmt_hours(rr_num(c, "total_hours", &th) ? th : sum_h, buf);
    r->cells[1].text = rr_printf(d, "%s", buf);
    r->cells[1].style = RS_RIGHT | RS_BOLD;
    rr_fmt_money(b->L, cur, rr_num(c, "total_amount", &ta) ? ta : sum_a, buf);
    r->cells[2].text = rr_printf(d, "%s", buf);
    r->cells[2].style = RS_RIGHT | RS_BOLD;
    r->cells[3].text = rr_printf(d, "%s", T("(tax not included unless stated)"));
    r->cells[3].style = RS_MUTED | RS_SMALL;
}

static int step_cmp(const void *a, const void *c)
{
    double x = 0, y = 0;
    rr_num(*(const json_t *const *)a, "order", &x);
    rr_num(*(const json_t *const *)c, "order", &y);
    return x < y ? -1 : x > y;
}

static void sec_steps(bctx *b)
{
    rr_doc *d = b->d;
    const json_t *steps = rr_arr(b->m, "steps");
    h2(b, "steps", T("Recovery steps"));
    size_t n = json_array_size(steps);
    if (!n) {
        para(b, rr_printf(d, "%s", T("No recovery step applies.")), RS_MUTED);
        return;
    }
    para(b,
         rr_printf(d, "%s",
                   T("Follow the steps in order. Steps marked DO NOT are mistakes that destroy "
                     "evidence or make recovery harder.")),
         0);
    const json_t **v = kk_calloc(n, sizeof *v);
    if (!v) {
        d->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(steps, i);
    qsort(v, n, sizeof *v, step_cmp); /* stable enough: orders are distinct in practice */
    const char *phase = NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *s = v[i];
        if (!json_is_object(s))
            continue;
        const char *ph = rr_str(s, "phase");
        if (ph && (!phase || strcmp(ph, phase))) {
            char *pl = ev(b, s, "phase_label", 0);
            h3(b, pl ? pl : vocab(d, phases, ph));
            phase = ph;
        }
        rr_block *k = rr_add(d, RB_STEP);
        double o;
        k->num = rr_num(s, "order", &o) ? (int)o : (int)i + 1;
        char *x = ev(b, s, "title", 0);
        k->text = x ? x : empty_str;
        x = ev(b, s, "text", RR_MULTILINE);
        k->note = x ? x : empty_str;
        int dont = 0;
        rr_bool(s, "dont", &dont);
        k->flag = dont;
        k->sub = rr_printf(d, "%s", dont ? T("DO NOT") : T("Step"));
        const json_t *refs = rr_arr(s, "refs");
        size_t j;
        const json_t *r;
        json_array_foreach(refs, j, r) {
            if (!json_is_object(r))
                continue;
            char *title = ev(b, r, "title", 0), *url = ev(b, r, "url", 0);
            if (title || url)
                add_ref(d, k, title ? title : url, url);
        }
    }
    free(v);
}

static void sec_notes(bctx *b)
{
    rr_doc *d = b->d;
    h2(b, "notes", T("Limits of this report"));
    para(b,
         rr_printf(d, "%s",
                   T("This report states what the evidence examined on site shows at the time of "
                     "the investigation. Media that were not examined, deleted data that could not "
                     "be recovered and activity that left no trace are outside its findings. The "
                     "full machine-readable results are in report.json; the file-system timeline "
                     "is in the case folder.")),
         0);
    const json_t *errs = rr_arr(b->m, "errors");
    if (json_array_size(errs)) {
        h3(b, T("Problems while building this report"));
        rr_block *k = rr_add(d, RB_LIST);
        k->style = RS_WARN;
        size_t i;
        const json_t *e;
        json_array_foreach(errs, i, e) {
            if (json_is_string(e))
                rr_item(d, k, rr_evn(d, json_string_value(e), json_string_length(e), 0));
        }
    }
}

/* ---- entry points -------------------------------------------------------------------------- */

static void doc_meta(bctx *b, const char *title)
{
    rr_doc *d = b->d;
    const json_t *c = rr_obj(b->m, "case");
    char *id = ev(b, c, "case_id", 0);
    if (!id)
        id = ev(b, b->m, "case_id", 0);
    d->case_id = id ? id : rr_printf(d, "-");
    d->title = rr_printf(d, "%s %s", title, d->case_id);
    const char *gen = rr_str(b->m, "generated_at");
    if (!gen)
        gen = rr_str(b->m, "created_at");
    d->generated = gen ? fmt_time(b, gen, 0) : NULL;
    d->created_iso = gen ? rr_ev(d, gen, 0) : NULL;
    const json_t *tool = rr_obj(b->m, "tool");
    char *ver = ev(b, tool, "version", 0);
    d->tool = rr_printf(d, "kaketsuke%s%s", ver ? " " : "", ver ? ver : "");
}

int rr_build_report(rr_doc *d, const json_t *model, const char *lang)
{
    memset(d, 0, sizeof *d);
    d->lang = kk_i18n_norm(lang);
    bctx bc = {.d = d, .m = model, .L = d->lang};
    bctx *b = &bc;
    bc.tz = rr_str(rr_obj(model, "case"), "timezone");
    doc_meta(b, T("Incident Investigation Report"));
    sec_title(b);
    sec_summary(b);
    sec_ppc(b);
    sec_case(b);
    sec_scope(b);
    sec_findings(b);
    sec_timeline(b);
    sec_evidence(b);
    sec_actions(b);
    sec_costs(b);
    sec_steps(b);
    sec_notes(b);
    if (d->oom)
        return kk_err_set(KK_ENOMEM, "out of memory building the report");
    return KK_OK;
}

int rr_build_receipt(rr_doc *d, const json_t *r, const char *lang)
{
    memset(d, 0, sizeof *d);
    d->lang = kk_i18n_norm(lang);
    d->receipt = 1;
    bctx bc = {.d = d, .m = r, .L = d->lang};
    bctx *b = &bc;
    bc.tz = rr_str(r, "timezone");
    doc_meta(b, T("Evidence hand-over receipt"));
    rr_block *k = rr_add(d, RB_TITLE);
    k->text = rr_printf(d, "%s", T("Evidence hand-over receipt"));
    k->sub = rr_printf(d, "%s", T("Sealed, signed evidence bundle"));
    static const double w[] = {1, 2.6};
    rr_table(d, k, 2, NULL, w);
    kv(b, k, T("Case number"), ev(b, r, "case_id", 0), RS_BOLD);
    kv(b, k, T("Client"), ev(b, r, "client", 0), 0);
    char *who = ev(b, r, "engineer", 0), *org = ev(b, r, "engineer_org", 0);
    if (who && org)
        kv(b, k, T("Engineer"), rr_printf(d, "%s (%s)", who, org), 0);
    else
        kv(b, k, T("Engineer"), who ? who : org, 0);

    h3(b, T("Evidence bundle"));
    rr_block *t = kv_block(b);
    kv(b, t, T("File"), ev(b, r, "bundle_name", 0), RS_BOLD);
    double sz;
    if (rr_num(r, "bundle_size", &sz))
        kv(b, t, T("Size"), fmt_size_exact(b, sz), 0);
    char *sha = ev(b, r, "bundle_sha256", 0);
    kv(b, t, T("SHA-256 of the bundle"), sha ? sha : rr_printf(d, "%s", T("not recorded")),
       sha ? RS_MONO | RS_BOLD : RS_WARN);
    char *fp = ev(b, r, "signer_fingerprint", 0);
    kv(b, t, T("Signer key fingerprint (SHA-256)"), fp ? fp : rr_printf(d, "%s", T("not signed")),
       fp ? RS_MONO : RS_WARN);
    kv(b, t, T("Sealed at"), fmt_time(b, rr_str(r, "created_at"), 1), 0);

    h3(b, T("How to check the bundle"));
    char *name = ev(b, r, "bundle_name", 0);
    para(b,
         rr_printf(d, kk_tr(b->L,
                            "`sha256sum %s` must print the SHA-256 shown above. Inside the bundle, "
                            "`sha256sum -c SHA256SUMS` checks every file, and manifest.json.sig "
                            "checks against signer.pub with the fingerprint above "
                            "(`kaketsuke verify %s` does both)."),
                   name ? name : "BUNDLE.zip", name ? name : "BUNDLE.zip"),
         RS_SMALL);
    para(b,
         rr_printf(d, "%s",
                   T("Keep the bundle unchanged. The samples inside it are packed in an encrypted "
                     "archive (password: infected) so that mail and antivirus filters leave them "
                     "alone; do not open them on a production computer.")),
         RS_SMALL);
    rr_block *s = rr_add(d, RB_SIGN);
    rr_item(d, s, rr_printf(d, "%s", T("Handed over by (engineer)")));
    rr_item(d, s, rr_printf(d, "%s", T("Received by (client)")));
    s->text = rr_printf(d, "%s", T("Date"));
    s->note = rr_printf(d, "%s", T("Signature or seal"));
    if (d->oom)
        return kk_err_set(KK_ENOMEM, "out of memory building the receipt");
    return KK_OK;
}
