/* cmd_case.c - kaketsuke case init|set|note|add|cost|show DIR ... */
#include "cli.h"
#include "../evidence/case.h"
#include "../evidence/cost.h"
#include "../util/err.h"
#include "../util/json.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char kk_help_case[] =
    "usage: kaketsuke case init DIR [KEY=VALUE...]\n"
    "       kaketsuke case set DIR KEY=VALUE...\n"
    "       kaketsuke case note DIR [--at TIME] TEXT\n"
    "       kaketsuke case add DIR [--note TEXT] FILE...\n"
    "       kaketsuke case cost DIR CATEGORY AMOUNT [HOURS] [NOTE]\n"
    "       kaketsuke case show DIR [--json]\n"
    "\n"
    "Create and fill a case folder (docs/evidence.md): case.json, the hash-chained custody\n"
    "log custody.jsonl, artifacts/, samples/, attachments/, memory/, timeline/, report/.\n"
    "Every command run on the case is logged in custody.jsonl.\n"
    "\n"
    "  init   create DIR (and its parents); refuses a folder that is already a case\n"
    "  set    set case keys; all or nothing: unknown keys and malformed values are refused.\n"
    "         An empty value (KEY=) removes a key. Keys:\n"
    "           case_id client client_address site engineer engineer_org\n"
    "           requested_at arrived_at departed_at discovered_at   (ISO 8601 times)\n"
    "           personal_data (yes|no|unknown)  timezone (default Asia/Tokyo)\n"
    "           lang (ja|en)  notes\n"
    "         A time without a zone (2024-05-01T10:30) is taken in the case's timezone,\n"
    "         which is also the zone of FAT/exFAT local timestamps.\n"
    "  note   add a timestamped action to the log (\"LAN cable unplugged\"); --at TIME\n"
    "         when it happened earlier (default: now)\n"
    "  add    copy files (photos of the ransom note, the client's logs, a memory dump taken\n"
    "         by another tool) into attachments/ under a safe name, hashed (SHA-256, MD5)\n"
    "  cost   record a cost line for the report (totalled there): CATEGORY is dispatch\n"
    "         (駆付け), investigation (調査), recovery (復旧作業), travel (交通費), equipment\n"
    "         (機材) or other (その他); AMOUNT whole yen (55000 or 55,000); HOURS a decimal\n"
    "         (3, 2.5; '-' for none); NOTE free text\n"
    "  show   print case.json\n"
    "\n"
    "Exit: 0 done, 2 usage error, unknown key or malformed value, 3 internal error.\n";

static int usage(const char *msg)
{
    kk_die_msg("case: %s (see 'kaketsuke help case')", msg);
    return KK_EXIT_USAGE;
}

static int fail(int rc)
{
    kk_die_msg("%s", kk_err_msg());
    return rc == KK_EIO ? KK_EXIT_INTERNAL : kk_exit_for(rc);
}

static int log_it(kk_case *c, const char *command, int argc, char **argv, json_t *counts, json_t *extra)
{
    kk_custody_info ci = {.version = KK_VERSION, .command = command, .argc = argc, .argv = argv,
                          .counts = counts, .extra = extra};
    int rc = kk_case_log(c, &ci);
    json_decref(counts);
    json_decref(extra);
    return rc;
}

static int do_set(kk_case *c, int n, char **as, const char *cmd, int argc, char **argv)
{
    int rc = kk_case_set(c, (const char *const *)as, (size_t)n);
    if (rc != KK_OK)
        return fail(rc);
    json_t *keys = json_array();
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(as[i], '=');
        json_array_append_new(keys, json_stringn(as[i], eq ? (size_t)(eq - as[i]) : strlen(as[i])));
    }
    json_t *extra = json_object();
    json_object_set_new(extra, "keys", keys);
    rc = log_it(c, cmd, argc, argv, NULL, extra);
    return rc == KK_OK ? KK_EXIT_OK : fail(rc);
}

int cmd_case(int argc, char **argv)
{
    if (argc < 3)
        return usage(argc < 2 ? "give a subcommand: init, set, note, add, cost or show" : "give the case folder DIR");
    const char *sub = argv[1];
    static const struct option lo[] = {{"at", required_argument, NULL, 'a'},
                                       {"note", required_argument, NULL, 'n'},
                                       {"json", no_argument, NULL, 'J'},
                                       {NULL, 0, NULL, 0}};
    const char *at = NULL, *note = NULL;
    int c, as_json = 0;
    optind = 1;
    /* options after the subcommand: parse argv[1..] with the subcommand as argv[0] */
    int sargc = argc - 1;
    char **sargv = argv + 1;
    while ((c = getopt_long(sargc, sargv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'a': at = optarg; break;
        case 'n': note = optarg; break;
        case 'J': as_json = 1; break;
        default: return KK_EXIT_USAGE;
        }
    }
    char **rest = sargv + optind;
    int nrest = sargc - optind;
    if (nrest < 1)
        return usage("give the case folder DIR");
    const char *dir = rest[0];
    char cmdname[32];
    snprintf(cmdname, sizeof cmdname, "case %s", sub);
    kk_case *cs = NULL;
    int rc, ex = KK_EXIT_OK;

    if (!strcmp(sub, "init")) {
        if (at || note)
            return usage("init takes no --at or --note");
        rc = kk_case_init(dir, &cs);
        if (rc != KK_OK)
            return fail(rc);
        rc = log_it(cs, "case init", argc, argv, NULL, NULL);
        if (rc != KK_OK)
            ex = fail(rc);
        else if (nrest > 1)
            ex = do_set(cs, nrest - 1, rest + 1, "case set", argc, argv);
        if (ex == KK_EXIT_OK) {
            printf("created case folder ");
            kk_print_safe(stdout, dir);
            printf(" (time zone %s)\n", kk_case_tz(cs));
        }
    } else if (!strcmp(sub, "set")) {
        if (nrest < 2)
            return usage("set: give KEY=VALUE assignments");
        if (at || note)
            return usage("set takes no --at or --note");
        rc = kk_case_open(dir, 0, &cs);
        if (rc != KK_OK)
            return fail(rc);
        ex = do_set(cs, nrest - 1, rest + 1, "case set", argc, argv);
    } else if (!strcmp(sub, "note")) {
        if (nrest != 2)
            return usage("note: give DIR and one TEXT (quote it)");
        if (note)
            return usage("note takes --at, not --note");
        rc = kk_case_open(dir, 0, &cs);
        if (rc == KK_OK)
            rc = kk_case_note(cs, rest[1], at);
        if (rc == KK_OK) {
            json_t *extra = json_object();
            json_t *acts = json_object_get(kk_case_json(cs), "actions");
            json_t *last = json_array_get(acts, json_array_size(acts) - 1);
            if (last)
                json_object_set(extra, "action_time", json_object_get(last, "time"));
            rc = log_it(cs, "case note", argc, argv, NULL, extra);
        }
        if (rc != KK_OK)
            ex = fail(rc);
    } else if (!strcmp(sub, "add")) {
        if (nrest < 2)
            return usage("add: give DIR and at least one FILE");
        if (at)
            return usage("add takes --note, not --at");
        rc = kk_case_open(dir, 0, &cs);
        if (rc != KK_OK)
            return fail(rc);
        json_t *added = json_array();
        unsigned long long bytes = 0;
        for (int i = 1; i < nrest; i++) {
            json_t *rec = NULL;
            rc = kk_case_add_file(cs, rest[i], note, &rec);
            if (rc != KK_OK) {
                ex = fail(rc);
                break;
            }
            bytes += (unsigned long long)json_integer_value(json_object_get(rec, "size"));
            printf("added ");
            kk_print_safe(stdout, json_string_value(json_object_get(rec, "name")));
            printf("  sha256 %s\n", json_string_value(json_object_get(rec, "sha256")));
            json_t *a = json_object();
            json_object_set(a, "name", json_object_get(rec, "name"));
            json_object_set(a, "sha256", json_object_get(rec, "sha256"));
            json_array_append_new(added, a);
            json_decref(rec);
        }
        json_t *counts = json_object();
        json_object_set_new(counts, "files", json_integer((json_int_t)json_array_size(added)));
        json_object_set_new(counts, "bytes", json_integer((json_int_t)bytes));
        json_t *extra = json_object();
        json_object_set_new(extra, "attachments", added);
        rc = log_it(cs, "case add", argc, argv, counts, ex == KK_EXIT_OK ? extra : (json_decref(extra), NULL));
        if (rc != KK_OK && ex == KK_EXIT_OK)
            ex = fail(rc);
    } else if (!strcmp(sub, "cost")) {
        if (nrest < 3 || nrest > 5)
            return usage("cost: give DIR CATEGORY AMOUNT [HOURS] [NOTE]");
        if (at || note)
            return usage("cost takes no --at or --note (NOTE is the last argument)");
        const char *hours = nrest > 3 && strcmp(rest[3], "-") ? rest[3] : NULL;
        const char *text = nrest > 4 ? rest[4] : NULL;
        rc = kk_case_open(dir, 0, &cs);
        if (rc != KK_OK)
            return fail(rc);
        json_t *rec = NULL;
        rc = kk_case_add_cost(cs, rest[1], rest[2], hours, text, &rec);
        if (rc != KK_OK) {
            ex = fail(rc);
        } else {
            json_t *extra = json_object();
            json_object_set(extra, "cost", rec);
            printf("recorded cost: %s %lld yen", json_string_value(json_object_get(rec, "category")),
                   (long long)json_integer_value(json_object_get(rec, "amount")));
            if (json_is_number(json_object_get(rec, "hours")))
                printf(", %.2f h", json_number_value(json_object_get(rec, "hours")));
            printf("\n");
            json_decref(rec);
            rc = log_it(cs, "case cost", argc, argv, NULL, extra);
            if (rc != KK_OK)
                ex = fail(rc);
        }
    } else if (!strcmp(sub, "show")) {
        rc = kk_case_open(dir, 0, &cs);
        if (rc != KK_OK)
            return fail(rc);
        json_t *j = kk_case_json(cs);
        if (as_json) {
            char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            puts(s ? s : "{}");
            free(s);
        } else {
            for (int i = 0; kk_case_keys[i]; i++) {
                const char *v = kk_case_get(cs, kk_case_keys[i]);
                if (!v)
                    continue;
                printf("%-15s ", kk_case_keys[i]);
                kk_print_safe(stdout, v);
                printf("\n");
            }
            size_t k;
            json_t *v;
            json_array_foreach(json_object_get(j, "actions"), k, v)
            {
                printf("action          %s  ", json_string_value(json_object_get(v, "time")));
                kk_print_safe(stdout, json_string_value(json_object_get(v, "text")) ?
                              json_string_value(json_object_get(v, "text")) : "");
                printf("\n");
            }
            json_array_foreach(json_object_get(j, "attachments"), k, v)
            {
                printf("attachment      ");
                kk_print_safe(stdout, json_string_value(json_object_get(v, "name")) ?
                              json_string_value(json_object_get(v, "name")) : "");
                printf("  sha256 %s\n", json_string_value(json_object_get(v, "sha256")));
            }
            json_array_foreach(json_object_get(j, "sources"), k, v)
            {
                printf("source          ");
                kk_print_safe(stdout, json_string_value(json_object_get(v, "source")) ?
                              json_string_value(json_object_get(v, "source")) : "");
                printf("\n");
            }
        }
    } else {
        char m[128];
        snprintf(m, sizeof m, "unknown subcommand '%.40s': use init, set, note, add, cost or show", sub);
        return usage(m);
    }
    kk_case_close(cs);
    return ex;
}
