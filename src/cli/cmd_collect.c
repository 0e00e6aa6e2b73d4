/* cmd_collect.c - kaketsuke collect SOURCE --case DIR [--targets LIST] */
#include "cli.h"
#include "progress.h"
#include "../report/i18n.h"
#include "../artifact/targets.h"
#include "../evidence/case.h"
#include "../evidence/collect.h"
#include "../evidence/srcinfo.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"
#include "../util/timefmt.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char kk_help_collect[] =
    "usage: kaketsuke collect [OPTIONS] SOURCE --case DIR\n"
    "       kaketsuke collect --list-targets\n"
    "\n"
    "Copy forensic artifacts out of SOURCE (disk image, block device or directory tree)\n"
    "into the case folder DIR (created when missing): the files named by the targets in\n"
    "signatures/targets/ (registry hives, event logs, Prefetch, $MFT, $LogFile,\n"
    "$UsnJrnl:$J, scheduled tasks, browser history, Linux accounts, logs, shell\n"
    "histories, SSH keys ...) into DIR/artifacts/, and every file that a scan of this case\n"
    "matched (rules or IOCs, from DIR/findings*.jsonl) into DIR/samples/. Files are read\n"
    "through The Sleuth Kit (locked files are no issue; deleted files and NTFS streams\n"
    "too), matched case-insensitively on Windows volumes, streamed, hashed (MD5, SHA-256)\n"
    "and recorded with their origin in DIR/collected.jsonl. The run is logged in\n"
    "DIR/custody.jsonl. Nothing is written to SOURCE.\n"
    "\n"
    "Options:\n"
    "      --case DIR          the case folder (required)\n"
    "      --targets LIST      comma-separated target names, OS names (windows, linux),\n"
    "                          categories, 'all', 'matched' (the files the scans matched)\n"
    "                          or 'none'; default all,matched\n"
    "      --targets-dir DIR   target definitions (default: the bundled signatures/targets)\n"
    "      --list-targets      print the targets and exit\n"
    "      --hash-source       SHA-256 of the whole source before and after collecting\n"
    "                          (reads every byte; shows progress)\n"
    "      --quiet             no progress line\n"
    "\n"
    "Exit: 0 collected, 1 the source changed while it was read (--hash-source), 2 usage\n"
    "error or unusable source, 3 cannot write the case, interrupted or internal error.\n";

typedef kk_line_progress prog;

static void collect_progress(void *ctx, const kk_collect_stats *st, const char *path)
{
    prog *p = ctx;
    if (!p->on)
        return;
    double now = kk_mono();
    if (now - p->last < 0.25 && path)
        return;
    p->last = now;
    fprintf(stderr, "\rcollect: %" PRIu64 " files seen, %" PRIu64 " collected, %" PRIu64 " MiB   ", st->seen,
            st->artifacts + st->samples, st->bytes >> 20);
    fflush(stderr);
}


int cmd_collect(int argc, char **argv)
{
    enum { O_CASE = 256, O_TARGETS, O_TDIR, O_LIST, O_HASH, O_QUIET };
    static const struct option lo[] = {{"case", required_argument, NULL, O_CASE},
                                       {"targets", required_argument, NULL, O_TARGETS},
                                       {"targets-dir", required_argument, NULL, O_TDIR},
                                       {"list-targets", no_argument, NULL, O_LIST},
                                       {"hash-source", no_argument, NULL, O_HASH},
                                       {"quiet", no_argument, NULL, O_QUIET},
                                       {NULL, 0, NULL, 0}};
    const char *casedir = NULL, *list = "all,matched", *tdir = NULL;
    int listing = 0, hash = 0, quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case O_CASE: casedir = optarg; break;
        case O_TARGETS: list = optarg; break;
        case O_TDIR: tdir = optarg; break;
        case O_LIST: listing = 1; break;
        case O_HASH: hash = 1; break;
        case O_QUIET: quiet = 1; break;
        default: return KK_EXIT_USAGE;
        }
    }
    char *sig = NULL, *tpath = NULL;
    if (!tdir) {
        sig = kk_signatures_dir();
        if (sig)
            tpath = kk_asprintf("%s/targets", sig);
        tdir = tpath;
    }
    kk_targets *tg = NULL;
    int rc = KK_OK, ex = KK_EXIT_OK;
    kk_case *cs = NULL;
    char *label = NULL;
    kk_collect_stats st;
    memset(&st, 0, sizeof st);
    if (!tdir) {
        kk_die_msg("collect: the bundled targets were not found (set KAKETSUKE_SIGNATURES or use --targets-dir)");
        ex = KK_EXIT_USAGE;
        goto out;
    }
    if ((rc = kk_targets_load(tdir, &tg)) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_USAGE;
        goto out;
    }
    if (listing) {
        for (size_t i = 0; i < tg->n; i++) {
            printf("%-28s %-8s %s\n", tg->v[i].name, tg->v[i].os, tg->v[i].description ? tg->v[i].description : "");
        }
        goto out;
    }
    if (optind != argc - 1 || !casedir) {
        kk_die_msg("collect: give one SOURCE and --case DIR (see 'kaketsuke help collect')");
        ex = KK_EXIT_USAGE;
        goto out;
    }
    const char *src = argv[optind];
    const char *extra[] = {"matched", NULL};
    int extra_set[1] = {0};
    if ((rc = kk_targets_select(tg, list, extra, extra_set)) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_USAGE;
        goto out;
    }
    if (access(src, R_OK) != 0) {
        kk_die_msg("cannot open source '%s': %s", src, strerror(errno));
        ex = KK_EXIT_USAGE;
        goto out;
    }
    if ((rc = kk_case_open(casedir, 1, &cs)) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = rc == KK_EIO ? KK_EXIT_INTERNAL : KK_EXIT_USAGE;
        goto out;
    }
    kk_install_signals();
    prog pg = {!quiet && isatty(2), 0, N_("hashing source (before)")};
    char before[65] = "", after[65] = "";
    uint64_t hsize = 0;
    if (hash) {
        rc = kk_source_sha256(src, before, &hsize, kk_bytes_progress, &pg, &kk_interrupted);
        kk_line_progress_clear(&pg);
        if (rc != KK_OK) {
            kk_die_msg("%s", kk_err_msg());
            ex = rc == KK_ESTOP ? KK_EXIT_INTERNAL : KK_EXIT_USAGE;
            goto out;
        }
    }
    if ((rc = kk_case_record_source(cs, src, "collect", NULL, NULL, &label)) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_INTERNAL;
        goto out;
    }
    kk_collect_opts co = {.source = src, .cs = cs, .label = label, .targets = tg, .matched = extra_set[0],
                          .progress = collect_progress, .progress_ctx = &pg, .interrupt = &kk_interrupted};
    double t0 = kk_mono();
    rc = kk_collect(&co, &st);
    kk_line_progress_clear(&pg);
    int crc = rc;
    char cmsg[1100];
    snprintf(cmsg, sizeof cmsg, "%s", rc == KK_OK ? "" : kk_err_msg());
    if (rc == KK_OK && hash) {
        pg.what = N_("hashing source (after)");
        rc = kk_source_sha256(src, after, &hsize, kk_bytes_progress, &pg, &kk_interrupted);
        kk_line_progress_clear(&pg);
        if (rc == KK_OK)
            rc = kk_case_record_source(cs, src, "collect", before, after, NULL);
        if (rc != KK_OK)
            snprintf(cmsg, sizeof cmsg, "%s", kk_err_msg());
        crc = rc;
    }
    /* custody entry, whatever happened */
    json_t *counts = json_object(), *extraj = json_object();
    kk_jset_u64(counts, "files_seen", st.seen);
    kk_jset_u64(counts, "artifacts", st.artifacts);
    kk_jset_u64(counts, "samples", st.samples);
    kk_jset_u64(counts, "bytes", st.bytes);
    kk_jset_u64(counts, "already_collected", st.already);
    kk_jset_u64(counts, "errors", st.errors);
    kk_jset_str(extraj, "targets", list);
    if (st.per_target)
        json_object_set(extraj, "per_target", st.per_target);
    if (label)
        kk_jset_str(extraj, "label", label);
    if (hash && before[0])
        kk_jset_str(extraj, "source_sha256_before", before);
    if (hash && after[0])
        kk_jset_str(extraj, "source_sha256_after", after);
    json_object_set_new(extraj, "seconds", json_real(((long long)((kk_mono() - t0) * 1000)) / 1000.0));
    const char *srcs[] = {src, NULL};
    kk_custody_info ci = {.version = KK_VERSION, .command = "collect", .argc = argc, .argv = argv,
                          .sources = srcs, .counts = counts, .extra = extraj,
                          .result = crc == KK_OK ? "ok" : crc == KK_ESTOP ? "interrupted" : "error",
                          .message = crc == KK_OK ? NULL : cmsg};
    int lrc = kk_case_log(cs, &ci);
    json_decref(counts);
    json_decref(extraj);
    if (crc != KK_OK) {
        kk_die_msg("%s", cmsg);
        ex = (crc == KK_EIO || crc == KK_ESTOP || crc == KK_ENOMEM || crc == KK_EINTERNAL) ? KK_EXIT_INTERNAL
                                                                                           : KK_EXIT_USAGE;
        goto out;
    }
    if (lrc != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_INTERNAL;
        goto out;
    }
    size_t i;
    json_t *p;
    json_array_foreach(st.problems, i, p)
    {
        if (i == 20) {
            fprintf(stderr, "%s: ... %" PRIu64 " problems in all\n", kk_progname, st.errors);
            break;
        }
        fprintf(stderr, "%s: warning: ", kk_progname);
        if (json_object_get(p, "path")) {
            kk_print_safe(stderr, json_string_value(json_object_get(p, "path")));
            fputs(": ", stderr);
        }
        kk_print_safe(stderr, json_string_value(json_object_get(p, "message")));
        fputc('\n', stderr);
    }
    printf("collected %" PRIu64 " artifacts and %" PRIu64 " matched files (%" PRIu64 " bytes) from %" PRIu64
           " files", st.artifacts, st.samples, st.bytes, st.seen);
    if (st.already)
        printf(" (%" PRIu64 " already in the case)", st.already);
    if (st.errors)
        printf(", %" PRIu64 " problems", st.errors);
    printf("\n");
    const char *k;
    json_t *v;
    json_object_foreach(st.per_target, k, v) printf("  %-28s %" JSON_INTEGER_FORMAT "\n", k, json_integer_value(v));
    if (extra_set[0] && st.matched_wanted > st.samples + st.already)
        printf("  note: the findings name %" PRIu64 " matched files; not all were found in this source\n",
               st.matched_wanted);
    if (hash) {
        printf("source sha256 before: %s\nsource sha256 after:  %s\n", before, after);
        if (strcmp(before, after)) {
            kk_die_msg("the source changed while it was read (SHA-256 before and after differ): is it "
                       "mounted or in use?");
            ex = KK_EXIT_FOUND;
        }
    }
out:
    kk_collect_stats_free(&st);
    free(label);
    kk_case_close(cs);
    kk_targets_free(tg);
    free(sig);
    free(tpath);
    return ex;
}
