/* fuzz_image.c - a disk image through libtsk: kk_source_walk() over the input as a raw
 * image (volume systems, file systems, deleted files), reading every file it reports.
 * The walk must end (no crash, no hang) and keep its contracts: paths are absolute with
 * the name as last component, a reader never returns more than asked, event messages
 * are one line. Reads are capped per file and per input so a corrupt size cannot make
 * a run slow. Only file systems TSK opens from a raw image are reached this way. */
#include "fuzz_util.h"

#include "source/source.h"
#include "util/err.h"

#include <string.h>

#define MAX_INPUT (4u << 20)
#define MAX_FILES 4096
#define FILE_READ_CAP (1u << 20)
#define TOTAL_READ_CAP (16u << 20)

typedef struct fuzz_ctx {
    unsigned files;
    uint64_t total;
} fuzz_ctx;

/* KK_FUZZ_LENIENT=1 skips the checks of bugs already reported, so a fuzzing session
 * can look past them (replays stay strict). */
static int lenient(void)
{
    static int v = -1;
    if (v < 0) {
        const char *e = getenv("KK_FUZZ_LENIENT");
        v = e && *e && strcmp(e, "0");
    }
    return v;
}

static int on_file(void *ctx, const kk_file *f, kk_reader *r)
{
    fuzz_ctx *c = ctx;
    FUZZ_CHECK(f->path && f->name && f->filepath && f->owner);
    /* A file is never reported under a directory's path: a deleted FAT entry whose name
     * is all gone came through as name "" and path "/"
     * (corpus/image/fat12-deleted-empty-name.img). */
    if (!lenient())
        FUZZ_CHECK(f->name[0] != '\0');
    size_t pl = strlen(f->path), nl = strlen(f->name);
    if (f->in_image) {
        FUZZ_CHECK(f->path[0] == '/');
        FUZZ_CHECK(pl > nl && !strcmp(f->path + pl - nl, f->name) && f->path[pl - nl - 1] == '/');
        FUZZ_CHECK(f->inode[0] != '\0');
    }
    if (++c->files > MAX_FILES)
        return KK_ESTOP;
    if (!r)
        return KK_OK;
    static unsigned char buf[65536];
    uint64_t off = 0;
    while (off < FILE_READ_CAP && c->total < TOTAL_READ_CAP) {
        ssize_t n = kk_read(r, off, buf, sizeof buf);
        if (n <= 0)
            break; /* end, or a read error (reported by kk_err_msg) */
        FUZZ_CHECK((size_t)n <= sizeof buf);
        off += (uint64_t)n;
        c->total += (uint64_t)n;
    }
    /* a read at or past the end must not crash either */
    (void)kk_read(r, f->size, buf, 1);
    (void)kk_read(r, UINT64_MAX - 1, buf, 1);
    return KK_OK;
}

static void on_event(void *ctx, const kk_event *ev)
{
    (void)ctx;
    FUZZ_CHECK(ev->kind == KK_EV_ERROR || ev->kind == KK_EV_WARNING || ev->kind == KK_EV_SKIP);
    FUZZ_CHECK(ev->what != NULL);
    /* one line: a GPT partition name holding '\n' broke this
     * (corpus/image/gpt-partition-name-newline.img) */
    if (ev->message && !lenient())
        FUZZ_CHECK(!strchr(ev->message, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    const char *path = fuzz_memfd_path(data, size);
    if (!path)
        return 0;
    fuzz_ctx c = {0};
    kk_walk_ops ops = {.ctx = &c, .file = on_file, .event = on_event};
    int rc = kk_source_walk(path, NULL, &ops);
    FUZZ_CHECK(rc <= 0);
    if (rc != KK_OK && !lenient())
        FUZZ_CHECK(!strchr(kk_err_msg(), '\n'));
    json_t *info = NULL;
    if (kk_source_info(path, &info) == KK_OK)
        json_decref(info);
    return 0;
}
