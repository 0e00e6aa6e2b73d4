/* cmd_info.c - kaketsuke info SOURCE [--json] */
#include "cli.h"
#include "../source/source.h"
#include "../util/err.h"
#include "../util/json.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

const char kk_help_info[] =
    "usage: kaketsuke info [--json] SOURCE\n"
    "\n"
    "Describe a source without scanning it: image format and size, partition table and\n"
    "partitions (offset, type), the file systems found (type, drive letter as Windows\n"
    "would assign it), and volumes that cannot be read (BitLocker, LUKS, LVM, empty or\n"
    "unknown) with a plain explanation. The source is opened read-only.\n"
    "\n"
    "Options:\n"
    "      --json   print one JSON object instead of text\n"
    "\n"
    "Exit: 0 described, 2 cannot open the source or not an image.\n";

static void hsize(uint64_t b, char *out, size_t n)
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1024 && i < 4) {
        v /= 1024;
        i++;
    }
    snprintf(out, n, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

int cmd_info(int argc, char **argv)
{
    static const struct option lo[] = {{"json", no_argument, NULL, 'J'}, {NULL, 0, NULL, 0}};
    int as_json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'J')
            as_json = 1;
        else
            return KK_EXIT_USAGE;
    }
    if (optind != argc - 1) {
        kk_die_msg("info: give exactly one SOURCE (see 'kaketsuke help info')");
        return KK_EXIT_USAGE;
    }
    const char *src = argv[optind];
    json_t *j = NULL;
    int rc = kk_source_info(src, &j);
    if (rc != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        return kk_exit_for(rc);
    }
    if (as_json) {
        char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(s ? s : "{}");
        free(s);
        json_decref(j);
        return KK_EXIT_OK;
    }
    char hs[32];
    printf("source:      ");
    kk_print_safe(stdout, src);
    printf("\nkind:        %s\n", jstr(j, "kind"));
    if (json_object_get(j, "format"))
        printf("format:      %s\n", jstr(j, "format"));
    json_t *size = json_object_get(j, "size");
    if (size) {
        hsize((uint64_t)json_integer_value(size), hs, sizeof hs);
        printf("size:        %s (%" JSON_INTEGER_FORMAT " bytes)\n", hs, json_integer_value(size));
    }
    json_t *pt = json_object_get(j, "partition_table");
    if (pt)
        printf("partitions:  %s\n", json_is_string(pt) ? json_string_value(pt) : "none (file system at offset 0)");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "partitions"), i, v)
    {
        hsize((uint64_t)json_integer_value(json_object_get(v, "sectors")) * 512, hs, sizeof hs);
        printf("  %-11s offset %-12" JSON_INTEGER_FORMAT " %-10s %s\n", jstr(v, "kind"),
               json_integer_value(json_object_get(v, "offset")), hs, jstr(v, "description"));
    }
    printf("volumes:\n");
    json_array_foreach(json_object_get(j, "volumes"), i, v)
    {
        printf("  offset %-12" JSON_INTEGER_FORMAT " ", json_integer_value(json_object_get(v, "offset")));
        if (json_is_true(json_object_get(v, "readable"))) {
            printf("%s", json_object_get(v, "filesystem") ? jstr(v, "filesystem") : jstr(v, "pool"));
        } else {
            printf("NOT READABLE");
            if (json_object_get(v, "encryption"))
                printf(" (%s)", jstr(v, "encryption"));
        }
        printf("  [");
        kk_print_safe(stdout, jstr(v, "description"));
        printf("]\n");
        if (json_object_get(v, "explanation")) {
            printf("      ");
            kk_print_safe(stdout, jstr(v, "explanation"));
            printf("\n");
        }
    }
    json_array_foreach(json_object_get(j, "filesystems"), i, v)
    {
        if (i == 0)
            printf("file systems:\n");
        hsize((uint64_t)json_integer_value(json_object_get(v, "size")), hs, sizeof hs);
        printf("  %-3s %-8s at offset %-12" JSON_INTEGER_FORMAT " %s\n", jstr(v, "drive"), jstr(v, "type"),
               json_integer_value(json_object_get(v, "fs_offset")), hs);
    }
    json_decref(j);
    return KK_EXIT_OK;
}
