/* image.c - disk images and block devices through libtsk: volume systems, file
 * systems, pools (APFS), and the walk over every regular file. */
#include "source_i.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <tsk/libtsk.h>

#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct vol {
    TSK_FS_INFO *fs;
    TSK_IMG_INFO *pool_img;     /* APFS volume image (owned by the pool) */
    const TSK_POOL_INFO *pool;  /* set on the first volume of a pool (closed with it) */
    uint64_t offset;            /* fs_offset */
    char drive[4];              /* "C:" on Windows file systems, "" elsewhere */
    int windows;                /* NTFS/FAT/exFAT: backslash paths, case-insensitive */
    char *desc;                 /* partition description */
} vol;

typedef struct img_ctx {
    const char *spec;
    TSK_IMG_INFO *img;
    TSK_VS_INFO *vs;
    vol *vols;
    size_t nvols, avols;
    const kk_walk_opts *o;
    const kk_walk_ops *ops;
    vol *cur;
    int rc;         /* first non-OK return from ops->file */
    int stopped;
    char *pending;  /* directory we expect children of (error detection) */
    TSK_INUM_T pending_addr;
    json_t *info;   /* kk_image_info: volume array under construction */
    const char *prefix;  /* path of the directory the current walk starts at ("a/b/") */
    char **done;         /* priority directories already walked in this volume */
    size_t ndone;
    int nlocked;    /* encrypted/layered volumes found */
} img_ctx;

typedef struct tsk_reader {
    kk_reader base;
    TSK_FS_FILE *f;
    int typed;
    TSK_FS_ATTR_TYPE_ENUM type;
    uint16_t id;
    const char *path;
    uint64_t size;
} tsk_reader;

static const char *tsk_msg(void)
{
    const char *m = tsk_error_get();
    return m && *m ? m : "unknown error";
}

/* TSK messages span lines; keep one line. */
static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
}

static ssize_t tsk_read_cb(kk_reader *r, uint64_t off, void *buf, size_t n)
{
    tsk_reader *t = (tsk_reader *)r;
    if (off >= t->size)
        return 0; /* TSK refuses to read at or past the end */
    if (n > t->size - off)
        n = (size_t)(t->size - off);
    ssize_t got = t->typed ? tsk_fs_file_read_type(t->f, t->type, t->id, (TSK_OFF_T)off, buf, n,
                                                   TSK_FS_FILE_READ_FLAG_NONE)
                           : tsk_fs_file_read(t->f, (TSK_OFF_T)off, buf, n, TSK_FS_FILE_READ_FLAG_NONE);
    if (got < 0) {
        char m[512];
        snprintf(m, sizeof m, "%s", tsk_msg());
        one_line(m);
        tsk_error_reset();
        kk_err_set(KK_EIO, "cannot read '%s' at offset %" PRIu64 ": %s", t->path, off, m);
        return -1;
    }
    return got;
}

/* ---- volumes ---------------------------------------------------------------------- */

static int add_vol(img_ctx *c, TSK_FS_INFO *fs, uint64_t off, const char *desc)
{
    if (c->nvols == c->avols) {
        size_t n = c->avols ? c->avols * 2 : 8;
        vol *v = realloc(c->vols, n * sizeof *v);
        if (!v)
            return kk_err_set(KK_ENOMEM, "out of memory");
        c->vols = v;
        c->avols = n;
    }
    vol *v = &c->vols[c->nvols++];
    memset(v, 0, sizeof *v);
    v->fs = fs;
    v->offset = off;
    v->windows = TSK_FS_TYPE_ISNTFS(fs->ftype) || TSK_FS_TYPE_ISFAT(fs->ftype);
    v->desc = kk_strdup(desc ? desc : "");
    return KK_OK;
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static json_t *info_vol(img_ctx *c, uint64_t off, uint64_t len, const char *desc)
{
    if (!c->info)
        return NULL;
    json_t *v = json_object();
    json_object_set_new(v, "offset", json_integer((json_int_t)off));
    json_object_set_new(v, "length", json_integer((json_int_t)len));
    json_object_set_new(v, "description", kk_jstr(desc));
    json_array_append_new(json_object_get(c->info, "volumes"), v);
    return v;
}

/* An encrypted or layered volume we cannot read: explain it plainly. Returns 1 when found. */
static int detect_unreadable(img_ctx *c, uint64_t off, uint64_t len, const char *where, json_t *iv)
{
    unsigned char b[1024];
    ssize_t n = tsk_img_read(c->img, (TSK_OFF_T)off, (char *)b, sizeof b);
    if (n < 16)
        return 0;
    const char *kind = NULL, *expl = NULL;
    if (!memcmp(b + 3, "-FVE-FS-", 8)) {
        kind = "bitlocker";
        expl = "BitLocker-encrypted volume: its files cannot be read without the recovery key; "
               "ask the owner for the 48-digit recovery key (often in their Microsoft account or "
               "printed) and image the unlocked volume";
    } else if (!memcmp(b, "LUKS\xba\xbe", 6)) {
        kind = "luks";
        expl = "LUKS-encrypted volume: its files cannot be read without the passphrase; image "
               "the unlocked device (/dev/mapper/...) on the running system";
    } else if (n >= 1024 && !memcmp(b + 512, "LABELONE", 8)) {
        kind = "lvm";
        expl = "LVM physical volume: logical volumes are not opened yet; activate them on a "
               "Linux system (vgchange -ay) and scan /dev/VG/LV read-only";
    }
    if (!kind)
        return 0;
    c->nlocked++;
    if (iv) {
        json_object_set_new(iv, "readable", json_false());
        json_object_set_new(iv, "encryption", json_string(kind));
        json_object_set_new(iv, "explanation", json_string(expl));
    }
    if (c->ops) {
        kk_event ev = {.kind = KK_EV_WARNING, .what = "volume", .has_offset = 1, .offset = off};
        char msg[768];
        snprintf(msg, sizeof msg, "%s at offset %" PRIu64 ": %s", where, off, expl);
        ev.message = msg;
        if (c->ops->event)
            c->ops->event(c->ops->ctx, &ev);
        kk_event sk = {.kind = KK_EV_SKIP, .what = strcmp(kind, "lvm") ? "encrypted" : "unsupported",
                       .count = 1, .bytes = len, .has_offset = 1, .offset = off, .message = msg};
        if (c->ops->event)
            c->ops->event(c->ops->ctx, &sk);
    }
    return 1;
}

static TSK_FS_INFO *open_fs(TSK_IMG_INFO *img, uint64_t off)
{
    TSK_FS_INFO *fs = tsk_fs_open_img(img, (TSK_OFF_T)off, TSK_FS_TYPE_DETECT);
    if (fs)
        return fs;
    /* Autodetection refuses some valid file systems (e.g. a FAT32 with few clusters):
     * try each type explicitly. */
    static const TSK_FS_TYPE_ENUM tries[] = {TSK_FS_TYPE_FAT32, TSK_FS_TYPE_FAT16, TSK_FS_TYPE_FAT12,
                                             TSK_FS_TYPE_EXFAT, TSK_FS_TYPE_NTFS, TSK_FS_TYPE_EXT_DETECT,
                                             TSK_FS_TYPE_HFS_DETECT, TSK_FS_TYPE_ISO9660};
    char first[512];
    snprintf(first, sizeof first, "%s", tsk_msg());
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        tsk_error_reset();
        fs = tsk_fs_open_img(img, (TSK_OFF_T)off, tries[i]);
        if (fs)
            return fs;
    }
    tsk_error_reset();
    tsk_error_set_errno(TSK_ERR_FS_UNKTYPE);
    tsk_error_set_errstr("%s", first);
    return NULL;
}

/* Open what lies at off: a file system, else a pool (APFS) of file systems. */
static void open_volume(img_ctx *c, uint64_t off, uint64_t len, const char *desc, int part_no)
{
    char where[300];
    if (part_no > 0)
        snprintf(where, sizeof where, "partition %d (%s)", part_no, desc);
    else
        snprintf(where, sizeof where, "volume (%s)", desc);
    json_t *iv = info_vol(c, off, len, desc);
    if (detect_unreadable(c, off, len, where, iv))
        return;
    TSK_FS_INFO *fs = open_fs(c->img, off);
    if (fs) {
        if (iv) {
            json_object_set_new(iv, "readable", json_true());
            json_object_set_new(iv, "filesystem", json_string(tsk_fs_type_toname(fs->ftype)));
            json_object_set_new(iv, "block_size", json_integer(fs->block_size));
            json_object_set_new(iv, "blocks", json_integer((json_int_t)fs->block_count));
        }
        if (add_vol(c, fs, off, desc) != KK_OK)
            tsk_fs_close(fs);
        return;
    }
    char fsmsg[512];
    snprintf(fsmsg, sizeof fsmsg, "%s", tsk_msg());
    one_line(fsmsg);
    tsk_error_reset();

    const TSK_POOL_INFO *pool = tsk_pool_open_img_sing(c->img, (TSK_OFF_T)off, TSK_POOL_TYPE_DETECT);
    if (pool) {
        int opened = 0;
        json_t *pv = iv ? json_array() : NULL;
        for (TSK_POOL_VOLUME_INFO *pvi = pool->vol_list; pvi; pvi = pvi->next) {
            char pdesc[300];
            snprintf(pdesc, sizeof pdesc, "%s / pool volume '%s'", desc, pvi->desc ? pvi->desc : "?");
            for (char *q = pdesc; *q; q++)
                if ((unsigned char)*q < 0x20 || *q == 0x7f)
                    *q = '?';
            json_t *pj = pv ? json_object() : NULL;
            if (pj) {
                json_object_set_new(pj, "name", kk_jstr(pvi->desc ? pvi->desc : ""));
                json_object_set_new(pj, "block", json_integer((json_int_t)pvi->block));
                json_array_append_new(pv, pj);
            }
            if (pvi->flags & TSK_POOL_VOLUME_FLAG_ENCRYPTED) {
                if (pj) {
                    json_object_set_new(pj, "readable", json_false());
                    json_object_set_new(pj, "encryption", json_string("apfs"));
                }
                if (c->ops) {
                    char msg[512];
                    snprintf(msg, sizeof msg, "%s is an encrypted APFS volume: its files cannot be "
                             "read without the password", pdesc);
                    kk_event sk = {.kind = KK_EV_SKIP, .what = "encrypted", .count = 1,
                                   .has_offset = 1, .offset = off, .message = msg};
                    c->ops->event(c->ops->ctx, &sk);
                    kk_emit(c->ops, KK_EV_WARNING, "volume", NULL, "%s", msg);
                }
                continue;
            }
            TSK_IMG_INFO *pimg = pool->get_img_info(pool, pvi->block);
            TSK_FS_INFO *pfs = pimg ? tsk_fs_open_img(pimg, 0, TSK_FS_TYPE_APFS_DETECT) : NULL;
            if (!pfs) {
                if (pj)
                    json_object_set_new(pj, "readable", json_false());
                if (c->ops)
                    kk_emit(c->ops, KK_EV_ERROR, "volume", NULL, "cannot open %s at offset %" PRIu64
                            ": %s", pdesc, off, tsk_msg());
                tsk_error_reset();
                continue;
            }
            if (pj) {
                json_object_set_new(pj, "readable", json_true());
                json_object_set_new(pj, "filesystem", json_string(tsk_fs_type_toname(pfs->ftype)));
            }
            if (add_vol(c, pfs, off, pdesc) == KK_OK) {
                c->vols[c->nvols - 1].pool_img = pimg;
                if (!opened)
                    c->vols[c->nvols - 1].pool = pool;
                opened++;
            }
        }
        if (iv) {
            json_object_set_new(iv, "pool", json_string(tsk_pool_type_toname(pool->ctype)));
            json_object_set_new(iv, "pool_volumes", pv);
            json_object_set_new(iv, "readable", opened ? json_true() : json_false());
        }
        if (!opened)
            tsk_pool_close(pool);
        return;
    }
    tsk_error_reset();

    unsigned char b[65536];
    ssize_t n = tsk_img_read(c->img, (TSK_OFF_T)off, (char *)b, len && len < sizeof b ? len : sizeof b);
    int empty = n > 0 && all_zero(b, (size_t)n);
    if (iv) {
        json_object_set_new(iv, "readable", json_false());
        json_object_set_new(iv, "explanation",
                            json_string(empty ? "empty (its first bytes are all zeros)"
                                              : "no known file system"));
    }
    if (c->ops) {
        kk_event ev = {.kind = KK_EV_ERROR, .what = "volume", .has_offset = 1, .offset = off};
        char msg[900];
        snprintf(msg, sizeof msg, "no file system found in %s at offset %" PRIu64 "%s: %s", where,
                 off, empty ? " (empty: its first bytes are all zeros)" : "", fsmsg);
        ev.message = msg;
        c->ops->event(c->ops->ctx, &ev);
    }
}

static void close_all(img_ctx *c)
{
    for (size_t i = 0; i < c->nvols; i++) {
        if (c->vols[i].fs)
            tsk_fs_close(c->vols[i].fs);
        free(c->vols[i].desc);
    }
    for (size_t i = 0; i < c->nvols; i++)
        if (c->vols[i].pool)
            tsk_pool_close(c->vols[i].pool);
    free(c->vols);
    c->vols = NULL;
    c->nvols = 0;
    if (c->vs)
        tsk_vs_close(c->vs);
    if (c->img)
        tsk_img_close(c->img);
    c->vs = NULL;
    c->img = NULL;
    free(c->pending);
    c->pending = NULL;
}

static int check_magic(const char *spec)
{
    unsigned char b[8] = {0};
    int fd = open(spec, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return KK_OK;
    ssize_t n = read(fd, b, sizeof b);
    close(fd);
    if (n >= 4 && !memcmp(b, "QFI\xfb", 4))
        return kk_err_set(KK_EUNSUP, "cannot open image '%s': QCOW2 images are not supported; "
                          "convert it first with 'qemu-img convert -O raw'", spec);
    if (n >= 8 && !memcmp(b, "vhdxfile", 8))
        return kk_err_set(KK_EUNSUP, "cannot open image '%s': VHDX images are not supported; "
                          "convert it first with 'qemu-img convert -O raw'", spec);
    return KK_OK;
}

static int is_ewf(const char *spec)
{
    unsigned char b[8] = {0};
    int fd = open(spec, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, b, sizeof b);
    close(fd);
    return n == 8 && (!memcmp(b, "EVF\x09\x0d\x0a\xff\x00", 8) || !memcmp(b, "EVF2\x0d\x0a\x81\x00", 8));
}

/* Is there anything we know at offset 0 (file system, pool, encrypted volume)? */
static int probe_volume(TSK_IMG_INFO *img)
{
    unsigned char b[1024];
    ssize_t n = tsk_img_read(img, 0, (char *)b, sizeof b);
    if (n >= 16 && (!memcmp(b + 3, "-FVE-FS-", 8) || !memcmp(b, "LUKS\xba\xbe", 6) ||
                    (n >= 1024 && !memcmp(b + 512, "LABELONE", 8))))
        return 1;
    TSK_FS_INFO *fs = open_fs(img, 0);
    if (fs) {
        tsk_fs_close(fs);
        return 1;
    }
    tsk_error_reset();
    const TSK_POOL_INFO *pool = tsk_pool_open_img_sing(img, 0, TSK_POOL_TYPE_DETECT);
    if (pool) {
        tsk_pool_close(pool);
        return 1;
    }
    tsk_error_reset();
    return 0;
}

/* Open the image and every volume in it. KK_NOT_AN_IMAGE when a plain file holds none. */
static int open_image(img_ctx *c, const char *spec, int is_device)
{
    KK_TRY(check_magic(spec));
    c->img = tsk_img_open_utf8_sing(spec, TSK_IMG_TYPE_DETECT, 0);
    if (!c->img) {
        char m[512];
        snprintf(m, sizeof m, "%s", tsk_msg());
        one_line(m);
        tsk_error_reset();
        if (is_ewf(spec))
            return kk_err_set(KK_EFORMAT, "cannot open E01 image '%s' (truncated or corrupt, or a "
                              "segment file is missing): %s", spec, m);
        if (!is_device)
            return KK_NOT_AN_IMAGE;
        return kk_err_set(KK_EIO, "cannot open device '%s': %s", spec, m);
    }
    if (c->info) {
        json_object_set_new(c->info, "kind", json_string(is_device ? "device" : "image"));
        json_object_set_new(c->info, "format", json_string(tsk_img_type_todesc(c->img->itype)));
        json_object_set_new(c->info, "format_name", json_string(tsk_img_type_toname(c->img->itype)));
        json_object_set_new(c->info, "size", json_integer((json_int_t)c->img->size));
        json_object_set_new(c->info, "sector_size", json_integer(c->img->sector_size));
        json_object_set_new(c->info, "volumes", json_array());
    }
    c->vs = tsk_vs_open(c->img, 0, TSK_VS_TYPE_DETECT);
    if (c->vs) {
        if (c->info) {
            json_object_set_new(c->info, "partition_table", json_string(tsk_vs_type_todesc(c->vs->vstype)));
            json_t *parts = json_array();
            for (TSK_PNUM_T i = 0; i < c->vs->part_count; i++) {
                const TSK_VS_PART_INFO *p = tsk_vs_part_get(c->vs, i);
                json_t *pj = json_object();
                json_object_set_new(pj, "slot", json_integer(p->addr));
                json_object_set_new(pj, "start_sector", json_integer((json_int_t)p->start));
                json_object_set_new(pj, "sectors", json_integer((json_int_t)p->len));
                json_object_set_new(pj, "offset", json_integer((json_int_t)(p->start * c->vs->block_size)));
                json_object_set_new(pj, "description", kk_jstr(p->desc ? p->desc : ""));
                json_object_set_new(pj, "kind", json_string(p->flags & TSK_VS_PART_FLAG_ALLOC ? "partition"
                                                           : p->flags & TSK_VS_PART_FLAG_META ? "table"
                                                                                               : "unallocated"));
                json_array_append_new(parts, pj);
            }
            json_object_set_new(c->info, "partitions", parts);
        }
        int no = 0;
        for (TSK_PNUM_T i = 0; i < c->vs->part_count; i++) {
            const TSK_VS_PART_INFO *p = tsk_vs_part_get(c->vs, i);
            if (!(p->flags & TSK_VS_PART_FLAG_ALLOC))
                continue;
            no++;
            /* partition names come from the evidence: one line, no control characters */
            char desc[256];
            snprintf(desc, sizeof desc, "%s", p->desc ? p->desc : "?");
            for (char *q = desc; *q; q++)
                if ((unsigned char)*q < 0x20 || *q == 0x7f)
                    *q = '?';
            open_volume(c, p->start * c->vs->block_size, p->len * c->vs->block_size, desc, no);
        }
        if (no == 0 && c->ops)
            kk_emit(c->ops, KK_EV_WARNING, "volume", NULL, "the partition table of '%s' lists no "
                    "partitions", spec);
    } else {
        tsk_error_reset();
        if (c->info)
            json_object_set_new(c->info, "partition_table", json_null());
        /* Unpartitioned: a file system, pool or encrypted volume at offset 0. A plain
         * file with none of these is not an image (the caller scans it as one file). */
        if (c->img->itype == TSK_IMG_TYPE_RAW && !is_device && !probe_volume(c->img))
            return KK_NOT_AN_IMAGE;
        open_volume(c, 0, (uint64_t)c->img->size, "whole image", 0);
    }

    /* Drive letters as Windows would see them: C: holds \Windows\System32, then D:, E:... */
    int have_c = 0;
    for (size_t i = 0; i < c->nvols && !have_c; i++) {
        TSK_INUM_T inum;
        if (c->vols[i].windows && tsk_fs_path2inum(c->vols[i].fs, "/Windows/System32", &inum, NULL) == 0) {
            strcpy(c->vols[i].drive, "C:");
            have_c = 1;
        }
        tsk_error_reset();
    }
    char next = have_c ? 'D' : 'C';
    for (size_t i = 0; i < c->nvols; i++)
        if (c->vols[i].windows && !c->vols[i].drive[0] && next <= 'Z') {
            c->vols[i].drive[0] = next++;
            c->vols[i].drive[1] = ':';
        }
    if (c->info) {
        /* add drive letters to the volume records (in order of opened fs) */
        json_t *fsl = json_array();
        for (size_t i = 0; i < c->nvols; i++) {
            json_t *f = json_object();
            json_object_set_new(f, "fs_offset", json_integer((json_int_t)c->vols[i].offset));
            json_object_set_new(f, "type", json_string(tsk_fs_type_toname(c->vols[i].fs->ftype)));
            json_object_set_new(f, "volume", json_string(c->vols[i].desc));
            if (c->vols[i].drive[0])
                json_object_set_new(f, "drive", json_string(c->vols[i].drive));
            json_object_set_new(f, "block_size", json_integer(c->vols[i].fs->block_size));
            json_object_set_new(f, "size", json_integer((json_int_t)(c->vols[i].fs->block_count *
                                                                      c->vols[i].fs->block_size)));
            json_array_append_new(fsl, f);
        }
        json_object_set_new(c->info, "filesystems", fsl);
    }
    return KK_OK;
}

/* ---- the walk --------------------------------------------------------------------- */

static void set_times(kk_file *kf, const TSK_FS_META *m)
{
    kf->times_set = 0;
    if (m->mtime) { kf->mtime = m->mtime; kf->mtime_ns = m->mtime_nano; kf->times_set |= KK_T_MTIME; }
    if (m->atime) { kf->atime = m->atime; kf->atime_ns = m->atime_nano; kf->times_set |= KK_T_ATIME; }
    if (m->ctime) { kf->ctime = m->ctime; kf->ctime_ns = m->ctime_nano; kf->times_set |= KK_T_CTIME; }
    if (m->crtime) { kf->crtime = m->crtime; kf->crtime_ns = m->crtime_nano; kf->times_set |= KK_T_CRTIME; }
}

/* The directory part of a THOR filepath for a file in directory a_path ("a/b/"). */
static char *thor_dir(const vol *v, const char *a_path)
{
    size_t n = strlen(a_path);
    while (n && a_path[n - 1] == '/')
        n--;
    if (v->windows) {
        char *s = malloc(strlen(v->drive) + n + 2);
        if (!s)
            return NULL;
        char *p = stpcpy(s, v->drive);
        if (n)
            *p++ = '\\';
        for (size_t i = 0; i < n; i++)
            *p++ = a_path[i] == '/' ? '\\' : a_path[i];
        *p = '\0';
        return s;
    }
    char *s = malloc(n + 2);
    if (!s)
        return NULL;
    s[0] = '/';
    memcpy(s + 1, a_path, n);
    s[n + 1] = '\0';
    return s;
}

static int deliver(img_ctx *c, TSK_FS_FILE *f, const char *a_path, const char *dir, const TSK_FS_ATTR *attr)
{
    const char *name = f->name->name;
    char noname[48];
    if (!name || !*name) { /* a deleted entry whose name is gone: never its directory's path */
        snprintf(noname, sizeof noname, "_noname-%" PRIuINUM, f->meta->addr);
        name = noname;
    }
    const char *stream = NULL;
    if (attr && attr->name && *attr->name && strcmp(attr->name, "$Data"))
        stream = attr->name;
    char *path = kk_asprintf("/%s%s%s%s", a_path, name, stream ? ":" : "", stream ? stream : "");
    char *fname = kk_asprintf("%s%s%s", name, stream ? ":" : "", stream ? stream : "");
    if (!path || !fname) {
        free(path);
        free(fname);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    kk_file kf;
    memset(&kf, 0, sizeof kf);
    kf.path = path;
    kf.name = fname;
    kf.filepath = dir;
    kf.in_image = 1;
    kf.fs_offset = c->cur->offset;
    kf.deleted = (f->name->flags & TSK_FS_NAME_FLAG_UNALLOC) != 0;
    kf.size = attr ? (uint64_t)attr->size : (uint64_t)f->meta->size;
    char owner[24] = "";
    if (TSK_FS_TYPE_ISEXT(c->cur->fs->ftype) || TSK_FS_TYPE_ISHFS(c->cur->fs->ftype))
        snprintf(owner, sizeof owner, "%u", (unsigned)f->meta->uid);
    kf.owner = owner;
    if (attr && TSK_FS_TYPE_ISNTFS(c->cur->fs->ftype))
        snprintf(kf.inode, sizeof kf.inode, "%" PRIuINUM "-%d-%d", f->meta->addr, (int)attr->type,
                 (int)attr->id);
    else
        snprintf(kf.inode, sizeof kf.inode, "%" PRIuINUM, f->meta->addr);
    set_times(&kf, f->meta);
    kf.mode = (uint32_t)f->meta->mode;
    kf.uid = (uint32_t)f->meta->uid;
    kf.gid = (uint32_t)f->meta->gid;
    kf.has_mode = TSK_FS_TYPE_ISEXT(c->cur->fs->ftype) || TSK_FS_TYPE_ISHFS(c->cur->fs->ftype);

    int rc = KK_OK;
    if (kk_path_excluded(c->o ? c->o->exclude : NULL, path, fname)) {
        kk_emit_skip(c->ops, "excluded", path, 1, kf.size, NULL);
    } else if (stream && !strcmp(stream, "$Bad") && !strcmp(name, "$BadClus")) {
        /* sparse, as large as the volume: nothing but bad-sector bookkeeping */
        kk_emit_skip(c->ops, "system_sparse", path, 1, kf.size, "$BadClus:$Bad is a sparse "
                     "placeholder as large as the volume");
    } else {
        tsk_reader r = {.base.read = tsk_read_cb, .f = f, .path = path, .size = kf.size};
        if (attr) {
            r.typed = 1;
            r.type = attr->type;
            r.id = attr->id;
        }
        rc = c->ops->file(c->ops->ctx, &kf, (c->o && c->o->metadata_only) ? NULL : &r.base);
    }
    free(path);
    free(fname);
    return rc;
}

static void check_pending(img_ctx *c, const char *a_path)
{
    if (!c->pending)
        return;
    size_t n = strlen(c->pending);
    if (a_path && !strncmp(a_path, c->pending, n)) {
        free(c->pending);
        c->pending = NULL;
        return;
    }
    /* The directory produced no entry: see whether it can be opened at all. */
    TSK_FS_DIR *d = tsk_fs_dir_open_meta(c->cur->fs, c->pending_addr);
    if (!d) {
        char m[512];
        snprintf(m, sizeof m, "%s", tsk_msg());
        one_line(m);
        size_t pl = strlen(c->pending);
        char *p = kk_asprintf("/%.*s", (int)(pl ? pl - 1 : 0), c->pending);
        kk_event ev = {.kind = KK_EV_ERROR, .what = "filesystem", .path = p, .has_fs_offset = 1,
                       .fs_offset = c->cur->offset};
        char msg[800];
        snprintf(msg, sizeof msg, "cannot read directory (corrupt?): %s", m);
        ev.message = msg;
        c->ops->event(c->ops->ctx, &ev);
        free(p);
    } else {
        tsk_fs_dir_close(d);
    }
    tsk_error_reset();
    free(c->pending);
    c->pending = NULL;
}

static int under_done(const img_ctx *c, const char *apath)
{
    for (size_t i = 0; i < c->ndone; i++)
        if (!strncmp(apath, c->done[i], strlen(c->done[i])))
            return 1;
    return 0;
}

static TSK_WALK_RET_ENUM walk_cb_full(TSK_FS_FILE *f, const char *a_path, img_ctx *c);

static TSK_WALK_RET_ENUM walk_cb(TSK_FS_FILE *f, const char *a_path, void *ptr)
{
    img_ctx *c = ptr;
    if (!c->prefix || !*c->prefix)
        return walk_cb_full(f, a_path, c);
    char *full = kk_asprintf("%s%s", c->prefix, a_path);
    if (!full) {
        c->rc = kk_err_set(KK_ENOMEM, "out of memory");
        return TSK_WALK_STOP;
    }
    TSK_WALK_RET_ENUM r = walk_cb_full(f, full, c);
    free(full);
    return r;
}

static TSK_WALK_RET_ENUM walk_cb_full(TSK_FS_FILE *f, const char *a_path, img_ctx *c)
{
    if (c->ops->stop && c->ops->stop(c->ops->ctx)) {
        c->stopped = 1;
        return TSK_WALK_STOP;
    }
    if (c->ndone && under_done(c, a_path))
        return TSK_WALK_CONT; /* scanned already, in a priority place */
    check_pending(c, a_path);
    if (!f->name || TSK_FS_ISDOT(f->name->name))
        return TSK_WALK_CONT;
    TSK_FS_META *m = f->meta;
    if (!m) {
        if (f->name->type == TSK_FS_NAME_TYPE_REG) {
            char *p = kk_asprintf("/%s%s", a_path, f->name->name);
            kk_emit_skip(c->ops, "unrecoverable", p, 1, 0,
                         "deleted file name whose metadata is gone");
            free(p);
        }
        return TSK_WALK_CONT;
    }
    if (TSK_FS_IS_DIR_META(m->type)) {
        int will_recurse = (TSK_FS_IS_DIR_NAME(f->name->type) || f->name->type == TSK_FS_NAME_TYPE_UNDEF) &&
                           ((f->name->flags & TSK_FS_NAME_FLAG_ALLOC) ||
                            ((f->name->flags & TSK_FS_NAME_FLAG_UNALLOC) && (m->flags & TSK_FS_META_FLAG_UNALLOC)));
        if (will_recurse) {
            free(c->pending);
            c->pending = kk_asprintf("%s%s/", a_path, f->name->name);
            c->pending_addr = f->name->meta_addr;
        }
        return TSK_WALK_CONT;
    }
    if (m->type != TSK_FS_META_TYPE_REG)
        return TSK_WALK_CONT;
    if ((f->name->flags & TSK_FS_NAME_FLAG_UNALLOC) && (m->flags & TSK_FS_META_FLAG_ALLOC)) {
        /* a deleted name whose metadata entry now belongs to another file (fls: realloc):
         * its content is that other file's, scanned under its own name */
        char *p = kk_asprintf("/%s%s", a_path, f->name->name);
        kk_emit_skip(c->ops, "reallocated", p, 1, 0,
                     "deleted name whose metadata entry was reused by another file");
        free(p);
        return TSK_WALK_CONT;
    }

    char *dir = thor_dir(c->cur, a_path);
    if (!dir) {
        c->rc = kk_err_set(KK_ENOMEM, "out of memory");
        return TSK_WALK_STOP;
    }
    int rc = KK_OK;
    if (TSK_FS_TYPE_ISNTFS(c->cur->fs->ftype)) {
        int n = tsk_fs_file_attr_getsize(f), ndata = 0;
        for (int i = 0; i < n && rc == KK_OK; i++) {
            const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx(f, i);
            /* the data streams, and named index roots other than $I30 ($Secure:$SDH,
             * $Extend/$ObjId:$O, ...), as fls lists them */
            if (!a || !(a->type == TSK_FS_ATTR_TYPE_NTFS_DATA ||
                        (a->type == TSK_FS_ATTR_TYPE_NTFS_IDXROOT && a->name && strcmp(a->name, "$I30"))))
                continue;
            ndata++;
            rc = deliver(c, f, a_path, dir, a);
        }
        tsk_error_reset();
        if (ndata == 0 && rc == KK_OK)
            rc = deliver(c, f, a_path, dir, NULL);
    } else {
        rc = deliver(c, f, a_path, dir, NULL);
    }
    free(dir);
    if (rc != KK_OK) {
        c->rc = rc;
        return TSK_WALK_STOP;
    }
    return TSK_WALK_CONT;
}

/* ---- priority places ---------------------------------------------------------------- */

typedef struct pdir {
    TSK_INUM_T inum;
    char *apath; /* "Users/alice/AppData/Local/Temp/" */
} pdir;

static void free_done(img_ctx *c)
{
    for (size_t i = 0; i < c->ndone; i++)
        free(c->done[i]);
    free(c->done);
    c->done = NULL;
    c->ndone = 0;
}

#define MAX_PRIO_DIRS 4096

/* The allocated directories matching a glob like "/Users/ * /AppData/Local/Temp". */
static size_t expand_glob(img_ctx *c, const char *glob, pdir **out)
{
    pdir *cur = kk_calloc(1, sizeof *cur);
    size_t ncur = 1;
    cur[0].inum = c->cur->fs->root_inum;
    cur[0].apath = kk_strdup("");
    char *g = kk_strdup(glob), *save = NULL;
    for (char *comp = strtok_r(g, "/", &save); comp && ncur; comp = strtok_r(NULL, "/", &save)) {
        pdir *next = NULL;
        size_t nn = 0, an = 0;
        for (size_t i = 0; i < ncur; i++) {
            TSK_FS_DIR *d = tsk_fs_dir_open_meta(c->cur->fs, cur[i].inum);
            for (size_t k = 0; d && k < tsk_fs_dir_getsize(d) && nn < MAX_PRIO_DIRS; k++) {
                const TSK_FS_NAME *nm = tsk_fs_dir_get_name(d, k);
                if (!nm || !nm->name || TSK_FS_ISDOT(nm->name) || !TSK_FS_IS_DIR_NAME(nm->type) ||
                    !(nm->flags & TSK_FS_NAME_FLAG_ALLOC) || nm->meta_addr == TSK_FS_ORPHANDIR_INUM(c->cur->fs))
                    continue;
                if (fnmatch(comp, nm->name, c->cur->windows ? FNM_CASEFOLD : 0) != 0)
                    continue;
                if (nn == an) {
                    an = an ? an * 2 : 8;
                    pdir *v = realloc(next, an * sizeof *v);
                    if (!v)
                        break;
                    next = v;
                }
                next[nn].inum = nm->meta_addr;
                next[nn].apath = kk_asprintf("%s%s/", cur[i].apath, nm->name);
                nn++;
            }
            if (d)
                tsk_fs_dir_close(d);
            tsk_error_reset();
        }
        for (size_t i = 0; i < ncur; i++)
            free(cur[i].apath);
        free(cur);
        cur = next;
        ncur = nn;
    }
    free(g);
    *out = cur;
    return ncur;
}

static void walk_priority(img_ctx *c, const char *const *globs)
{
    for (; *globs && !c->stopped && c->rc == KK_OK; globs++) {
        pdir *dirs = NULL;
        size_t n = expand_glob(c, *globs, &dirs);
        for (size_t i = 0; i < n; i++) {
            if (!c->stopped && c->rc == KK_OK && dirs[i].apath && !under_done(c, dirs[i].apath)) {
                c->prefix = dirs[i].apath;
                if (tsk_fs_dir_walk(c->cur->fs, dirs[i].inum,
                                    TSK_FS_DIR_WALK_FLAG_ALLOC | TSK_FS_DIR_WALK_FLAG_UNALLOC |
                                        TSK_FS_DIR_WALK_FLAG_RECURSE, walk_cb, c))
                    tsk_error_reset(); /* reported by the full walk if it matters */
                if (c->rc == KK_OK && !c->stopped)
                    check_pending(c, NULL);
                c->prefix = NULL;
                char **v = realloc(c->done, (c->ndone + 1) * sizeof *v);
                if (v) {
                    c->done = v;
                    c->done[c->ndone++] = dirs[i].apath;
                    dirs[i].apath = NULL;
                }
            }
            free(dirs[i].apath);
        }
        free(dirs);
    }
}

int kk_image_walk(const char *spec, const kk_walk_opts *o, const kk_walk_ops *ops, int is_device)
{
    img_ctx c;
    memset(&c, 0, sizeof c);
    c.spec = spec;
    c.o = o;
    c.ops = ops;
    int rc = open_image(&c, spec, is_device);
    if (rc != KK_OK) {
        close_all(&c);
        return rc;
    }
    if (c.nvols == 0) {
        close_all(&c);
        return kk_err_set(KK_EFORMAT, "cannot read '%s': no readable file system in any volume%s "
                          "(see the error and warning records)", spec,
                          c.nlocked ? " (encrypted or unsupported volumes found)" : "");
    }
    for (size_t i = 0; i < c.nvols && !c.stopped && c.rc == KK_OK; i++) {
        c.cur = &c.vols[i];
        if (o && o->priority)
            walk_priority(&c, o->priority);
        c.prefix = NULL;
        if (o && o->priority_only) {
            free_done(&c);
            continue;
        }
        if (tsk_fs_dir_walk(c.cur->fs, c.cur->fs->root_inum,
                            TSK_FS_DIR_WALK_FLAG_ALLOC | TSK_FS_DIR_WALK_FLAG_UNALLOC |
                                TSK_FS_DIR_WALK_FLAG_RECURSE,
                            walk_cb, &c)) {
            if (c.rc == KK_OK && !c.stopped) {
                kk_event ev = {.kind = KK_EV_ERROR, .what = "filesystem", .path = "/",
                               .has_fs_offset = 1, .fs_offset = c.cur->offset};
                char msg[800], m[512];
                snprintf(m, sizeof m, "%s", tsk_msg());
                one_line(m);
                snprintf(msg, sizeof msg, "walk of the file system in %s ended early: %s",
                         c.cur->desc, m);
                ev.message = msg;
                ops->event(ops->ctx, &ev);
            }
            tsk_error_reset();
        }
        if (c.rc == KK_OK && !c.stopped)
            check_pending(&c, NULL);
        free(c.pending);
        c.pending = NULL;
        free_done(&c);
    }
    rc = c.rc;
    if (rc == KK_OK && c.stopped)
        rc = kk_err_set(KK_ESTOP, "interrupted");
    close_all(&c);
    return rc;
}

int kk_image_info(const char *spec, json_t *out, int is_device)
{
    img_ctx c;
    memset(&c, 0, sizeof c);
    c.info = out;
    int rc = open_image(&c, spec, is_device);
    close_all(&c);
    return rc;
}
