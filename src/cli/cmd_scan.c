/* cmd_scan.c - kaketsuke scan SOURCE... */
#include "cli.h"
#include "progress.h"
#include "../report/i18n.h"
#include "../evidence/case.h"
#include "../evidence/srcinfo.h"
#include "../memory/memscan.h"
#include "../scan/engine.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"
#include "../util/outfile.h"
#include "../util/timefmt.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char kk_help_scan[] =
    "usage: kaketsuke scan [OPTIONS] SOURCE...\n"
    "\n"
    "Scan every file of each SOURCE with YARA rules and IOC lists and write the findings as\n"
    "JSON Lines (docs/en/scan.md, docs/formats/findings.md). SOURCE is a disk image (raw,\n"
    "split raw .000/.001, E01, VMDK, VHD), a block device, a directory or a single file.\n"
    "Inside images every regular file is scanned: allocated, deleted (as far as its content\n"
    "can still be read), NTFS alternate data streams and orphan files. Sources are opened\n"
    "read-only and never mounted.\n"
    "\n"
    "Options:\n"
    "  -r, --rules PATH       .yar/.yara file, directory (recursive) or compiled rules;\n"
    "                         repeatable. Default: the bundled signatures and their IOCs.\n"
    "      --ioc PATH         IOC file or directory (HASH;comment or REGEX;SCORE[;FP]); repeatable\n"
    "  -o, --output FILE      JSON Lines output ('-' = stdout, the default)\n"
    "      --force            replace an existing output file\n"
    "  -j, --threads N        worker threads (default: number of cores)\n"
    "      --exclude GLOB     leave out matching paths (counted as skipped); repeatable.\n"
    "                         A glob without '/' matches the file name, with '/' the path.\n"
    "      --hashes LIST      md5,sha1,sha256 (sha256 is always computed)\n"
    "      --max-strings N    string matches kept per string per file (default 16, 0 = all)\n"
    "      --window SIZE      files up to SIZE are scanned as one buffer; larger ones in\n"
    "                         windows of SIZE (default 64M)\n"
    "      --overlap SIZE     overlap of consecutive windows (default 1M): a match of up to\n"
    "                         this length is never lost at a window edge\n"
    "      --max-filesize SIZE  skip (and count) files larger than SIZE (default: no limit)\n"
    "      --timeout SEC      give up a YARA scan of one buffer after SEC seconds (default 0 = never)\n"
    "      --timezone TZ      zone of FAT/exFAT local times (default Asia/Tokyo)\n"
    "      --memory           treat SOURCE as a memory image: LiME, ELF64 cores and Windows\n"
    "                         64-bit crash dumps are also detected from their header; a\n"
    "                         headerless file is raw (docs/memory.md). Scanned in 16 MiB\n"
    "                         chunks overlapping by 256 KiB (KAKETSUKE_MEM_CHUNK and\n"
    "                         KAKETSUKE_MEM_OVERLAP change them), records carry `address`\n"
    "      --carve-dir DIR    memory images: save the PE module a hit lies in to DIR\n"
    "                         (with --case: DIR/memory)\n"
    "      --case DIR         write the findings into the case folder DIR (created when missing;\n"
    "                         DIR/findings.jsonl, or findings-2.jsonl... when one exists) and\n"
    "                         log the run in its custody log\n"
    "      --hash-source      with --case: SHA-256 of each whole source before and after the scan\n"
    "      --assess           damage assessment: 'encrypted' records for files that look\n"
    "                         encrypted and 'volume_stats' per file system (on with --case)\n"
    "      --priority         scan the most suspicious places first (startup and temp folders,\n"
    "                         downloads, web roots...: signatures/data/priority-paths.txt)\n"
    "      --quick            scan only those places\n"
    "      --bodyfile FILE    write a TSK body file of every file (mactime -b); with --case\n"
    "                         the default is DIR/timeline/bodyfile.txt\n"
    "      --quiet            no progress line\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit: 0 nothing found, 1 findings (match or ioc records), 2 usage error or unusable\n"
    "source or rules, 3 internal error. Error records alone do not change the exit code.\n";

enum { O_IOC = 256, O_FORCE, O_EXCLUDE, O_HASHES, O_MAXSTR, O_WINDOW, O_OVERLAP, O_MAXFS, O_TIMEOUT,
       O_QUIET, O_TZ, O_MEMORY, O_CASE, O_CARVE, O_HASHSRC, O_ASSESS, O_BODY, O_PRIO, O_QUICK };

static const struct option longopts[] = {
    {"rules", required_argument, NULL, 'r'},     {"output", required_argument, NULL, 'o'},
    {"threads", required_argument, NULL, 'j'},   {"ioc", required_argument, NULL, O_IOC},
    {"force", no_argument, NULL, O_FORCE},       {"exclude", required_argument, NULL, O_EXCLUDE},
    {"hashes", required_argument, NULL, O_HASHES}, {"max-strings", required_argument, NULL, O_MAXSTR},
    {"window", required_argument, NULL, O_WINDOW}, {"overlap", required_argument, NULL, O_OVERLAP},
    {"max-filesize", required_argument, NULL, O_MAXFS}, {"timeout", required_argument, NULL, O_TIMEOUT},
    {"quiet", no_argument, NULL, O_QUIET},       {"timezone", required_argument, NULL, O_TZ},
    {"memory", no_argument, NULL, O_MEMORY},     {"case", required_argument, NULL, O_CASE},
    {"carve-dir", required_argument, NULL, O_CARVE}, {"hash-source", no_argument, NULL, O_HASHSRC},
    {"assess", no_argument, NULL, O_ASSESS},       {"bodyfile", required_argument, NULL, O_BODY},
    {"priority", no_argument, NULL, O_PRIO},       {"quick", no_argument, NULL, O_QUICK},
    {NULL, 0, NULL, 0}};

typedef struct strv {
    const char **v;
    size_t n, a;
} strv;

static int strv_add(strv *s, const char *x)
{
    if (s->n + 1 >= s->a) {
        size_t a = s->a ? s->a * 2 : 8;
        const char **v = realloc(s->v, a * sizeof *v);
        if (!v)
            return KK_ENOMEM;
        s->v = v;
        s->a = a;
    }
    s->v[s->n++] = x;
    s->v[s->n] = NULL;
    return KK_OK;
}

typedef struct warn_sink {
    json_t *pending; /* warnings collected before the writer exists */
} warn_sink;

static void collect_warning(void *ctx, const char *what, const char *message)
{
    warn_sink *ws = ctx;
    json_t *r = json_object();
    json_object_set_new(r, "type", json_string("warning"));
    json_object_set_new(r, "what", json_string(what));
    kk_jset_str(r, "message", message);
    json_array_append_new(ws->pending, r);
}

/* Findings shown as soon as they are found (on the terminal, above the progress line):
 * every match or IOC hit scoring 75 or more (or without a score), and the first of any. */
typedef struct alert_ctx {
    kk_progress *pg;
    int shown;
} alert_ctx;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* translated formats (msgfmt --check) */
static void on_record(void *ctx, const json_t *rec)
{
    alert_ctx *a = ctx;
    const char *type = json_string_value(json_object_get(rec, "type"));
    if (!a->pg || !type || (strcmp(type, "match") && strcmp(type, "ioc")))
        return;
    json_t *sc = json_object_get(json_object_get(rec, "meta"), "score");
    if (!sc)
        sc = json_object_get(rec, "score");
    long long score = json_is_integer(sc) ? json_integer_value(sc) : 75;
    if (a->shown && score < 75)
        return;
    a->shown++;
    const char *what = json_string_value(json_object_get(rec, !strcmp(type, "match") ? "rule" : "ioc"));
    char line[1200];
    snprintf(line, sizeof line, kk_err_tr("%s %s (score %lld): %s"),
             score >= 75 ? kk_err_tr("FOUND") : kk_err_tr("found"), what ? what : "?", score,
             json_string_value(json_object_get(rec, "path")) ?: "");
    kk_progress_note(a->pg, line);
}
#pragma GCC diagnostic pop

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return KK_EINVAL;
    *out = (int)v;
    return KK_OK;
}

typedef struct count_arg {
    const char *const *sources;
    const char *const *exclude;
    kk_scan_stats *st;
} count_arg;

static void *count_main(void *p)
{
    count_arg *a = p;
    for (size_t i = 0; a->sources[i] && !kk_interrupted; i++)
        if (kk_scan_count(a->sources[i], a->exclude, a->st, &kk_interrupted) != KK_OK)
            return NULL; /* totals stay unknown: the progress line shows no ETA */
    return NULL;
}

int cmd_scan(int argc, char **argv)
{
    strv rules = {0}, iocs = {0}, excl = {0}, sources = {0};
    const char *out = "-", *tz = "Asia/Tokyo";
    const char *carve_dir = NULL, *casedir = NULL, *bodypath = NULL;
    int assess = 0, priority = 0, quick = 0;
    char **prio = NULL;
    int memory = 0, hash_source = 0, out_given = 0, tz_given = 0;
    int force = 0, quiet = 0, threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    kk_scan_opts o;
    memset(&o, 0, sizeof o);
    o.window = 64u << 20;
    o.overlap = 1u << 20;
    o.max_strings = 16;
    int c, bad = 0, rc;
    unsigned long long sz;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:o:j:", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': strv_add(&rules, optarg); break;
        case 'o': out = optarg; out_given = 1; break;
        case 'j':
            if (parse_int(optarg, 1, 256, &threads) != KK_OK) {
                kk_die_msg("invalid --threads '%s': give a number from 1 to 256", optarg);
                bad = 1;
            }
            break;
        case O_IOC: strv_add(&iocs, optarg); break;
        case O_FORCE: force = 1; break;
        case O_EXCLUDE: strv_add(&excl, optarg); break;
        case O_HASHES: {
            char *copy = kk_strdup(optarg), *save = NULL;
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (!strcmp(t, "md5")) o.want_md5 = 1;
                else if (!strcmp(t, "sha1")) o.want_sha1 = 1;
                else if (strcmp(t, "sha256")) {
                    kk_die_msg("invalid --hashes '%s': use md5, sha1 and sha256", optarg);
                    bad = 1;
                }
            }
            free(copy);
            break;
        }
        case O_MAXSTR:
            if (parse_int(optarg, 0, 1000000, &o.max_strings) != KK_OK) {
                kk_die_msg("invalid --max-strings '%s'", optarg);
                bad = 1;
            }
            break;
        case O_WINDOW:
            if (kk_parse_size(optarg, &sz) != KK_OK || sz < 4096 || sz > (1ull << 31)) {
                kk_die_msg("invalid --window '%s': give a size from 4K to 2G", optarg);
                bad = 1;
            } else
                o.window = (size_t)sz;
            break;
        case O_OVERLAP:
            if (kk_parse_size(optarg, &sz) != KK_OK || sz > (1ull << 30)) {
                kk_die_msg("invalid --overlap '%s'", optarg);
                bad = 1;
            } else
                o.overlap = (size_t)sz;
            break;
        case O_MAXFS:
            if (kk_parse_size(optarg, &sz) != KK_OK) {
                kk_die_msg("invalid --max-filesize '%s'", optarg);
                bad = 1;
            } else
                o.max_filesize = sz;
            break;
        case O_TIMEOUT:
            if (parse_int(optarg, 0, 86400, &o.timeout) != KK_OK) {
                kk_die_msg("invalid --timeout '%s'", optarg);
                bad = 1;
            }
            break;
        case O_QUIET: quiet = 1; break;
        case O_TZ: tz = optarg; tz_given = 1; break;
        case O_MEMORY: memory = 1; break;
        case O_CARVE: carve_dir = optarg; break;
        case O_CASE: casedir = optarg; break;
        case O_HASHSRC: hash_source = 1; break;
        case O_ASSESS: assess = 1; break;
        case O_BODY: bodypath = optarg; break;
        case O_PRIO: priority = 1; break;
        case O_QUICK: priority = quick = 1; break;
        default: bad = 1;
        }
    }
    for (int i = optind; i < argc; i++)
        strv_add(&sources, argv[i]);
    if (!bad && sources.n == 0) {
        kk_die_msg("scan: no SOURCE given (see 'kaketsuke help scan')");
        bad = 1;
    }
    if (!bad && hash_source && !casedir) {
        kk_die_msg("--hash-source records the hashes in a case: use it with --case DIR");
        bad = 1;
    }
    if (!bad && o.overlap * 2 > o.window) {
        kk_die_msg("--overlap must be at most half of --window");
        bad = 1;
    }
    if (bad) {
        free(rules.v); free(iocs.v); free(excl.v); free(sources.v);
        return KK_EXIT_USAGE;
    }
    kk_install_signals();
    kk_case *cs = NULL;
    char *case_out = NULL, *case_body = NULL, *case_mem = NULL;
    char (*before)[65] = NULL;
    if (casedir) {
        if ((rc = kk_case_open(casedir, 1, &cs)) != KK_OK) {
            kk_die_msg("%s", kk_err_msg());
            free(rules.v); free(iocs.v); free(excl.v); free(sources.v);
            return rc == KK_EIO ? KK_EXIT_INTERNAL : KK_EXIT_USAGE;
        }
        if (!tz_given)
            tz = kk_case_tz(cs);
        if (!out_given) {
            /* a second scan of the case writes findings-2.jsonl (nothing is replaced) */
            if (kk_case_findings_path(cs, !force, &case_out) != KK_OK) {
                kk_die_msg("%s", kk_err_msg());
                kk_case_close(cs);
                free(rules.v); free(iocs.v); free(excl.v); free(sources.v);
                return KK_EXIT_INTERNAL;
            }
            out = case_out;
        }
        before = calloc(sources.n, sizeof *before);
        assess = 1;
        case_mem = kk_case_path(cs, "memory");
        if (!bodypath) {
            case_body = kk_case_path(cs, "timeline/bodyfile.txt");
            bodypath = case_body;
        }
    }
    setenv("TZ", tz, 1);
    tzset();

    int ex = KK_EXIT_OK;
    char *sigdir = kk_signatures_dir();
    char *defrules = NULL, *defiocs = NULL, *ftpath = NULL;
    warn_sink ws = {json_array()};
    kk_rules *kr = NULL;
    kk_iocs *ki = NULL;
    kk_filetypes *ft = NULL;
    kk_doctypes *docs = NULL;
    kk_outfile body = {0};
    kk_writer *w = NULL;
    kk_scan_stats st;
    kk_scan_stats_init(&st);
    double t0 = kk_mono();

    if (rules.n == 0) {
        if (!sigdir) {
            kk_die_msg("no rules given and the bundled signatures were not found (set "
                       "KAKETSUKE_SIGNATURES or use -r)");
            ex = KK_EXIT_USAGE;
            goto done;
        }
        defrules = kk_asprintf("%s/rules", sigdir);
        defiocs = kk_asprintf("%s/iocs", sigdir);
        strv_add(&rules, defrules);
        if (access(defiocs, R_OK) == 0)
            strv_add(&iocs, defiocs);
    }
    if ((rc = kk_yara_init()) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_INTERNAL;
        goto done;
    }
    if ((rc = kk_rules_load(rules.v, rules.n, collect_warning, &ws, &kr)) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = kk_exit_for(rc);
        goto fini;
    }
    if (iocs.n) {
        kk_iocs_new(&ki);
        for (size_t i = 0; i < iocs.n; i++) {
            if ((rc = kk_iocs_load(ki, iocs.v[i], collect_warning, &ws)) != KK_OK) {
                kk_die_msg("%s", kk_err_msg());
                ex = KK_EXIT_USAGE;
                goto fini;
            }
        }
        kk_iocs_finish(ki);
    }
    if (sigdir) {
        ftpath = kk_asprintf("%s/filetypes.txt", sigdir);
        if (kk_filetypes_load(ftpath, &ft) != KK_OK)
            collect_warning(&ws, "filetype", kk_err_msg());
    } else {
        collect_warning(&ws, "filetype", "bundled signatures not found: the filetype variable stays empty");
    }
    if (assess) {
        char *dd = sigdir ? kk_asprintf("%s/data", sigdir) : NULL;
        if (!dd || kk_doctypes_load(dd, &docs) != KK_OK) {
            kk_die_msg("--assess: %s", dd ? kk_err_msg() : "bundled signatures not found");
            free(dd);
            ex = KK_EXIT_USAGE;
            goto fini;
        }
        free(dd);
    }
    if (priority) {
        char *pp = sigdir ? kk_asprintf("%s/data/priority-paths.txt", sigdir) : NULL;
        if (!pp || kk_read_lines(pp, &prio) != KK_OK) {
            kk_die_msg("--priority: %s", pp ? kk_err_msg() : "bundled signatures not found");
            free(pp);
            ex = KK_EXIT_USAGE;
            goto fini;
        }
        free(pp);
    }
    if (bodypath && (rc = kk_outfile_open(&body, bodypath, 1)) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_USAGE;
        goto fini;
    }
    if ((rc = kk_writer_open(&w, out, force)) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_USAGE;
        goto fini;
    }
    for (size_t i = 0; i < json_array_size(ws.pending); i++) {
        json_t *r = json_array_get(ws.pending, i);
        json_t *ordered = json_object();
        json_object_set(ordered, "type", json_object_get(r, "type"));
        json_object_set_new(ordered, "source", json_string(sources.v[0]));
        json_object_set(ordered, "what", json_object_get(r, "what"));
        json_object_set(ordered, "message", json_object_get(r, "message"));
        atomic_fetch_add(&st.warnings, 1);
        kk_writer_put(w, ordered);
    }

    o.rules = kr;
    o.iocs = ki;
    o.ftypes = ft;
    o.w = w;
    o.threads = threads;
    o.exclude = excl.n ? excl.v : NULL;
    o.docs = docs;
    o.priority = (const char *const *)prio;
    o.priority_only = quick;
    o.bodyfile = body.fp;
    o.interrupt = &kk_interrupted;
    if (kk_iocs_want_md5(ki)) o.want_md5 = 1;
    if (kk_iocs_want_sha1(ki)) o.want_sha1 = 1;

    for (size_t i = 0; cs && i < sources.n; i++) {
        if (hash_source && before) {
            kk_line_progress lp = {!quiet && isatty(2), 0, N_("hashing source (before)")};
            uint64_t hsz = 0;
            rc = kk_source_sha256(sources.v[i], before[i], &hsz, kk_bytes_progress, &lp, &kk_interrupted);
            kk_line_progress_clear(&lp);
            if (rc != KK_OK) {
                kk_die_msg("%s", kk_err_msg());
                ex = rc == KK_ESTOP ? KK_EXIT_INTERNAL : KK_EXIT_USAGE;
                goto fini;
            }
        }
        if (kk_case_record_source(cs, sources.v[i], "scan", NULL, NULL, NULL) != KK_OK)
            kk_die_msg("warning: cannot record the source in the case: %s", kk_err_msg());
    }

    kk_progress *pg = NULL;
    pthread_t counter;
    int counting = 0;
    count_arg ca = {sources.v, o.exclude, &st};
    alert_ctx alerts = {NULL, 0};
    if (!quiet && isatty(2)) {
        pg = kk_progress_start(&st, N_("scan"));
        counting = pthread_create(&counter, NULL, count_main, &ca) == 0;
        alerts.pg = pg;
        kk_writer_on_record(w, on_record, &alerts);
    }
    int unusable = 0;
    for (size_t i = 0; i < sources.n && !kk_interrupted; i++) {
        o.source = sources.v[i];
        if (memory || kk_mem_detect(sources.v[i])) {
            kk_mem_opts mo = {.source = sources.v[i], .rules = kr, .w = w, .threads = threads,
                              .max_strings = o.max_strings, .forced = memory,
                              .carve_dir = carve_dir ? carve_dir : case_mem, .timeout = o.timeout,
                              .interrupt = &kk_interrupted};
            rc = kk_mem_scan(sources.v[i], &mo, &st);
        } else {
            rc = kk_scan_source(sources.v[i], &o, &st);
        }
        if (rc == KK_ESTOP)
            break;
        if (rc != KK_OK) {
            kk_progress_clear(pg);
            kk_die_msg("%s", kk_err_msg());
            if (rc == KK_EIO && strstr(kk_err_msg(), "cannot write output")) {
                ex = KK_EXIT_INTERNAL;
                break;
            }
            unusable = 1;
            json_t *r = json_object();
            json_object_set_new(r, "type", json_string("error"));
            kk_jset_str(r, "source", sources.v[i]);
            json_object_set_new(r, "what", json_string("source"));
            kk_jset_str(r, "message", kk_err_msg());
            atomic_fetch_add(&st.errors, 1);
            kk_writer_put(w, r);
        }
    }
    if (counting)
        pthread_join(counter, NULL);
    kk_writer_on_record(w, NULL, NULL);
    kk_progress_stop(pg);

    /* aggregate skip records, then the summary (always the last line) */
    json_t *skipped = json_object();
    pthread_mutex_lock(&st.mu);
    for (int i = 0; i < st.nskip; i++) {
        json_object_set_new(skipped, st.skip[i].reason, json_integer((json_int_t)st.skip[i].count));
        if (!strcmp(st.skip[i].reason, "excluded")) {
            json_t *r = json_object();
            json_object_set_new(r, "type", json_string("skip"));
            kk_jset_str(r, "source", sources.v[0]);
            json_object_set_new(r, "reason", json_string("excluded"));
            json_object_set_new(r, "count", json_integer((json_int_t)st.skip[i].count));
            json_object_set_new(r, "bytes", json_integer((json_int_t)st.skip[i].bytes));
            kk_writer_put(w, r);
        }
    }
    pthread_mutex_unlock(&st.mu);
    double secs = kk_mono() - t0;
    uint64_t bytes = atomic_load(&st.bytes);
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string("summary"));
    kk_jset_str(s, "source", sources.v[0]);
    if (sources.n > 1) {
        json_t *all = json_array();
        for (size_t i = 0; i < sources.n; i++)
            json_array_append_new(all, kk_jstr(sources.v[i]));
        json_object_set_new(s, "sources", all);
    }
    kk_jset_u64(s, "files", atomic_load(&st.files));
    kk_jset_u64(s, "bytes", bytes);
    kk_jset_u64(s, "matches", atomic_load(&st.matches));
    kk_jset_u64(s, "ioc_hits", atomic_load(&st.ioc_hits));
    kk_jset_u64(s, "errors", atomic_load(&st.errors));
    kk_jset_u64(s, "warnings", atomic_load(&st.warnings));
    json_object_set_new(s, "skipped", skipped);
    json_object_set_new(s, "seconds", json_real(((long long)(secs * 1000)) / 1000.0));
    json_object_set_new(s, "mib_per_s", json_real(secs > 0 ? ((long long)(bytes / 1048576.0 / secs * 10)) / 10.0 : 0));
    kk_jset_str(s, "rules_sha256", kr->sha256);
    json_object_set_new(s, "rules", json_integer(kr->nrules));
    if (kk_interrupted)
        json_object_set_new(s, "interrupted", json_true());
    kk_writer_put(w, s);
    rc = kk_writer_close(w, !kk_interrupted);
    w = NULL;
    if (body.fp) {
        int brc = kk_interrupted ? (kk_outfile_abort(&body), KK_OK) : kk_outfile_commit(&body);
        if (brc != KK_OK && rc == KK_OK)
            rc = brc;
    }
    if (rc != KK_OK) {
        if (ex != KK_EXIT_INTERNAL)
            kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_INTERNAL;
    } else if (kk_interrupted) {
        kk_die_msg("interrupted: the findings so far are in '%s.part'", out);
        ex = KK_EXIT_INTERNAL;
    } else if (ex == KK_EXIT_OK) {
        if (unusable && sources.n == 1)
            ex = KK_EXIT_USAGE;
        else
            ex = (atomic_load(&st.matches) || atomic_load(&st.ioc_hits)) ? KK_EXIT_FOUND
                 : unusable ? KK_EXIT_USAGE : KK_EXIT_OK;
    }
fini:
    if (w)
        kk_writer_close(w, 0);
    if (body.fp)
        kk_outfile_abort(&body);
    if (cs) {
        json_t *counts = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "files", (json_int_t)atomic_load(&st.files),
                                   "bytes", (json_int_t)atomic_load(&st.bytes),
                                   "matches", (json_int_t)atomic_load(&st.matches),
                                   "ioc_hits", (json_int_t)atomic_load(&st.ioc_hits),
                                   "errors", (json_int_t)atomic_load(&st.errors),
                                   "warnings", (json_int_t)atomic_load(&st.warnings));
        json_t *extra = json_object();
        kk_jset_str(extra, "findings", out);
        int changed = 0;
        for (size_t i = 0; hash_source && before && i < sources.n && !kk_interrupted; i++) {
            char after[65] = "";
            kk_line_progress lp = {!quiet && isatty(2), 0, N_("hashing source (after)")};
            uint64_t hsz = 0;
            if (kk_source_sha256(sources.v[i], after, &hsz, kk_bytes_progress, &lp, &kk_interrupted) == KK_OK) {
                kk_case_record_source(cs, sources.v[i], "scan", before[i], after, NULL);
                if (strcmp(before[i], after)) {
                    changed = 1;
                    kk_die_msg("the source '%s' changed while it was scanned (SHA-256 %s before, %s after)",
                               sources.v[i], before[i], after);
                }
            }
            kk_line_progress_clear(&lp);
        }
        kk_custody_info ci = {.version = KK_VERSION, .command = "scan", .argc = argc, .argv = argv,
                              .sources = sources.v, .rules_sha256 = kr ? kr->sha256 : NULL,
                              .counts = counts, .extra = extra,
                              .result = kk_interrupted ? "interrupted" : ex >= KK_EXIT_USAGE ? "failed" : "ok"};
        if (kk_case_log(cs, &ci) != KK_OK) {
            kk_die_msg("cannot write the custody log: %s", kk_err_msg());
            ex = KK_EXIT_INTERNAL;
        }
        if (changed && ex < KK_EXIT_USAGE)
            ex = KK_EXIT_INTERNAL;
        json_decref(counts);
        json_decref(extra);
    }

    kk_rules_free(kr);
    kk_iocs_free(ki);
    kk_filetypes_free(ft);
    kk_doctypes_free(docs);
    kk_yara_fini();
done:
    if (cs)
        kk_case_close(cs);
    free(case_out);
    free(case_body);
    free(case_mem);
    for (size_t i = 0; prio && prio[i]; i++)
        free(prio[i]);
    free(prio);
    free(before);
    json_decref(ws.pending);
    free(sigdir);
    free(defrules);
    free(defiocs);
    free(ftpath);
    free(rules.v); free(iocs.v); free(excl.v); free(sources.v);
    return ex;
}
