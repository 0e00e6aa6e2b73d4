/* field.c - disks, controllers and evidence targets from a sysfs tree (field.h). */
#include "field.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Read a small sysfs attribute: at most cap-1 bytes, trailing blanks and newlines cut,
 * NUL bytes end the value. Returns 0 when read, -1 when missing or unreadable. */
static int read_attr(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode) || S_ISFIFO(st.st_mode)) {
        close(fd);
        return -1;
    }
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t r = read(fd, out + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    out[n] = '\0';
    n = strlen(out); /* a NUL inside ends the value */
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ' || out[n - 1] == '\t' || out[n - 1] == '\r'))
        out[--n] = '\0';
    size_t lead = 0;
    while (out[lead] == ' ' || out[lead] == '\t')
        lead++;
    if (lead)
        memmove(out, out + lead, n - lead + 1);
    return 0;
}

static int attr_at(const char *dir, const char *name, char *out, size_t cap)
{
    char p[PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) >= sizeof p) {
        out[0] = '\0';
        return -1;
    }
    return read_attr(p, out, cap);
}

/* A decimal unsigned number (sysfs size, start): 0 on success. */
static int parse_u64(const char *s, uint64_t *v)
{
    if (!*s)
        return -1;
    uint64_t x = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

static int u64_attr(const char *dir, const char *name, uint64_t *v)
{
    char b[64];
    if (attr_at(dir, name, b, sizeof b) != 0)
        return -1;
    return parse_u64(b, v);
}

/* sectors of 512 bytes to bytes, saturating */
static uint64_t sectors(uint64_t s)
{
    return s > UINT64_MAX / 512 ? UINT64_MAX : s * 512;
}

/* bounded copy (safe_name() has checked the lengths that matter) */
static void scopy(char *dst, size_t cap, const char *src)
{
    size_t l = strlen(src);
    if (l >= cap)
        l = cap - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
}

static int safe_name(const char *n)
{
    size_t l = strlen(n);
    if (l == 0 || l >= KK_FIELD_NAME || !strcmp(n, ".") || !strcmp(n, ".."))
        return 0;
    for (const char *p = n; *p; p++)
        if (*p == '/' || (unsigned char)*p < 0x21 || (unsigned char)*p >= 0x7f)
            return 0;
    return 1;
}

static int has_prefix(const char *s, const char *p)
{
    return !strncmp(s, p, strlen(p));
}

static int skipped_name(const char *n)
{
    static const char *const pre[] = {"loop", "ram", "zram", "sr", "fd", "md", "dm-", "nbd", "zd", NULL};
    for (size_t i = 0; pre[i]; i++)
        if (has_prefix(n, pre[i]))
            return 1;
    return 0;
}

/* Does a '/'-separated path have a component that is "usbN" (a USB bus)? */
static int path_has_usb(const char *p)
{
    for (const char *c = p; c && *c;) {
        if (*c == '/') {
            c++;
            continue;
        }
        const char *e = strchr(c, '/');
        size_t l = e ? (size_t)(e - c) : strlen(c);
        if (l > 3 && !strncmp(c, "usb", 3)) {
            size_t k = 3;
            while (k < l && c[k] >= '0' && c[k] <= '9')
                k++;
            if (k == l)
                return 1;
        }
        c = e;
    }
    return 0;
}

static int path_has_component(const char *p, const char *comp)
{
    size_t l = strlen(comp);
    for (const char *c = strstr(p, comp); c; c = strstr(c + 1, comp))
        if ((c == p || c[-1] == '/') && (c[l] == '/' || c[l] == '\0'))
            return 1;
    return 0;
}

static int cmp_part(const void *a, const void *b)
{
    const kk_field_part *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start ? 1 : strcmp(x->name, y->name);
}

static void read_parts(const char *diskdir, kk_field_disk *d)
{
    DIR *dh = opendir(diskdir);
    if (!dh)
        return;
    struct dirent *e;
    size_t nl = strlen(d->name);
    while ((e = readdir(dh)) && d->nparts < KK_FIELD_MAXPARTS) {
        if (!safe_name(e->d_name) || strncmp(e->d_name, d->name, nl) || !e->d_name[nl])
            continue;
        char pd[PATH_MAX], tmp[16];
        if ((size_t)snprintf(pd, sizeof pd, "%s/%s", diskdir, e->d_name) >= sizeof pd)
            continue;
        if (attr_at(pd, "partition", tmp, sizeof tmp) != 0)
            continue;
        uint64_t start = 0, size = 0, ro = 0;
        if (u64_attr(pd, "start", &start) != 0 || u64_attr(pd, "size", &size) != 0)
            continue;
        if (!d->parts) {
            d->parts = kk_calloc(KK_FIELD_MAXPARTS, sizeof *d->parts);
            if (!d->parts)
                break;
        }
        kk_field_part *p = &d->parts[d->nparts++];
        scopy(p->name, sizeof p->name, e->d_name);
        p->start = sectors(start);
        p->size = sectors(size);
        p->ro = u64_attr(pd, "ro", &ro) == 0 && ro == 1;
    }
    closedir(dh);
    if (d->nparts > 1)
        qsort(d->parts, d->nparts, sizeof *d->parts, cmp_part);
}

static int cmp_disk(const void *a, const void *b)
{
    const kk_field_disk *x = a, *y = b;
    int gx = x->kit ? 2 : x->external, gy = y->kit ? 2 : y->external;
    if (gx != gy)
        return gx - gy;
    return strcmp(x->name, y->name);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Intel VMD device ids (drivers/pci/controller/vmd.c) */
static int intel_vmd_id(unsigned dev)
{
    static const unsigned ids[] = {0x201d, 0x28c0, 0x467f, 0x4c3d, 0x7d0b, 0x9a0b, 0xa77f, 0xad0b, 0xb60b, 0xb06f, 0};
    for (size_t i = 0; ids[i]; i++)
        if (ids[i] == dev)
            return 1;
    return 0;
}

static void scan_ctrls(const char *sysfs, kk_field_sys *s)
{
    char dir[PATH_MAX];
    if ((size_t)snprintf(dir, sizeof dir, "%s/bus/pci/devices", sysfs) >= sizeof dir)
        return;
    DIR *dh = opendir(dir);
    if (!dh)
        return;
    struct dirent *e;
    while ((e = readdir(dh)) && s->nctrls < KK_FIELD_MAXCTRLS) {
        if (!safe_name(e->d_name))
            continue;
        char dd[PATH_MAX], b[64];
        if ((size_t)snprintf(dd, sizeof dd, "%s/%s", dir, e->d_name) >= sizeof dd)
            continue;
        if (attr_at(dd, "class", b, sizeof b) != 0)
            continue;
        char *end;
        errno = 0;
        unsigned long cls = strtoul(b, &end, 16);
        if (errno || end == b || *end || cls > 0xffffff)
            continue;
        unsigned long ven = 0, dev = 0;
        if (attr_at(dd, "vendor", b, sizeof b) == 0)
            ven = strtoul(b, NULL, 16);
        if (attr_at(dd, "device", b, sizeof b) == 0)
            dev = strtoul(b, NULL, 16);
        char link[PATH_MAX], drv[KK_FIELD_NAME] = "";
        char lp[PATH_MAX];
        if ((size_t)snprintf(lp, sizeof lp, "%s/driver", dd) < sizeof lp) {
            ssize_t l = readlink(lp, link, sizeof link - 1);
            if (l > 0) {
                link[l] = '\0';
                const char *bn = base_name(link);
                if (safe_name(bn))
                    scopy(drv, sizeof drv, bn);
            }
        }
        int raid = (cls >> 8) == 0x0104;
        int vmd = !strcmp(drv, "vmd") || (ven == 0x8086 && intel_vmd_id((unsigned)dev));
        if (!raid && !vmd)
            continue;
        if (!s->ctrls) {
            s->ctrls = kk_calloc(KK_FIELD_MAXCTRLS, sizeof *s->ctrls);
            if (!s->ctrls)
                break;
        }
        kk_field_ctrl *c = &s->ctrls[s->nctrls++];
        scopy(c->addr, sizeof c->addr, e->d_name);
        c->cls = (unsigned)cls;
        c->vendor = (unsigned)(ven & 0xffff);
        c->device = (unsigned)(dev & 0xffff);
        scopy(c->driver, sizeof c->driver, drv);
        c->raid = raid;
        c->vmd = vmd;
    }
    closedir(dh);
}

static void kit_name(const char *kitdev, char *out, size_t n)
{
    out[0] = '\0';
    if (!kitdev || !*kitdev)
        return;
    const char *b = base_name(kitdev);
    if (safe_name(b))
        scopy(out, n, b);
}

int kk_field_scan(const char *sysfs, const char *kitdev, kk_field_sys *out)
{
    memset(out, 0, sizeof *out);
    char dir[PATH_MAX];
    if ((size_t)snprintf(dir, sizeof dir, "%s/block", sysfs) >= sizeof dir)
        return kk_err_set(KK_EINVAL, "sysfs path too long: '%s'", sysfs);
    DIR *dh = opendir(dir);
    if (!dh)
        return kk_err_set(KK_ENOENT, "cannot read '%s': %s", dir, strerror(errno));
    char kit[KK_FIELD_NAME];
    kit_name(kitdev, kit, sizeof kit);
    out->disks = kk_calloc(KK_FIELD_MAXDISKS, sizeof *out->disks);
    if (!out->disks) {
        closedir(dh);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    struct dirent *e;
    while ((e = readdir(dh)) && out->ndisks < KK_FIELD_MAXDISKS) {
        if (!safe_name(e->d_name) || skipped_name(e->d_name))
            continue;
        char dd[PATH_MAX];
        if ((size_t)snprintf(dd, sizeof dd, "%s/%s", dir, e->d_name) >= sizeof dd)
            continue;
        uint64_t size = 0, v = 0;
        if (u64_attr(dd, "size", &size) != 0 || size == 0)
            continue;
        char real[PATH_MAX];
        if (!realpath(dd, real))
            scopy(real, sizeof real, dd);
        if (path_has_component(real, "virtual"))
            continue;
        kk_field_disk *d = &out->disks[out->ndisks++];
        scopy(d->name, sizeof d->name, e->d_name);
        scopy(d->devpath, sizeof d->devpath, real);
        d->size = sectors(size);
        d->removable = u64_attr(dd, "removable", &v) == 0 && v == 1;
        v = 0;
        d->ro = u64_attr(dd, "ro", &v) == 0 && v == 1;
        d->usb = path_has_usb(real);
        d->external = d->removable || d->usb;
        d->kit = kit[0] && !strcmp(kit, d->name);
        d->bus = d->usb ? KK_BUS_USB
                 : has_prefix(d->name, "nvme") ? KK_BUS_NVME
                 : has_prefix(d->name, "mmcblk") ? KK_BUS_MMC
                 : has_prefix(d->name, "vd") ? KK_BUS_VIRTIO
                 : has_prefix(d->name, "sd") ? KK_BUS_SATA : KK_BUS_OTHER;
        char ddev[PATH_MAX];
        if ((size_t)snprintf(ddev, sizeof ddev, "%s/device", dd) < sizeof ddev) {
            if (attr_at(ddev, "model", d->model, sizeof d->model) != 0)
                attr_at(ddev, "name", d->model, sizeof d->model); /* mmc */
            attr_at(ddev, "vendor", d->vendor, sizeof d->vendor);
        }
        read_parts(dd, d);
    }
    closedir(dh);
    qsort(out->disks, out->ndisks, sizeof *out->disks, cmp_disk);
    for (size_t i = 0; i < out->ndisks; i++)
        if (!out->disks[i].external && !out->disks[i].kit)
            out->ninternal++;
    scan_ctrls(sysfs, out);
    for (size_t c = 0; c < out->nctrls; c++)
        for (size_t i = 0; i < out->ndisks; i++)
            if (path_has_component(out->disks[i].devpath, out->ctrls[c].addr))
                out->ctrls[c].ndisks++;
    return KK_OK;
}

void kk_field_sys_free(kk_field_sys *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ndisks; i++)
        free(s->disks[i].parts);
    free(s->disks);
    free(s->ctrls);
    memset(s, 0, sizeof *s);
}

int kk_field_hidden_disks(const kk_field_sys *s)
{
    for (size_t c = 0; c < s->nctrls; c++)
        if (s->ctrls[c].ndisks == 0 || (s->ninternal == 0 && s->ctrls[c].raid))
            return 1;
    return 0;
}

/* ---- which disks hold a device ---------------------------------------------------------- */

static void add_name(char names[][KK_FIELD_NAME], size_t max, size_t *n, const char *name)
{
    if (!safe_name(name))
        return;
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(names[i], name))
            return;
    if (*n < max)
        scopy(names[(*n)++], KK_FIELD_NAME, name);
}

/* dir: a resolved sysfs block device folder (.../block/sda or .../block/sda/sda1). */
static void disks_of(const char *sysfs, const char *dir, int depth, char names[][KK_FIELD_NAME], size_t max,
                     size_t *n)
{
    if (depth > 8)
        return;
    char tmp[16], p[PATH_MAX];
    const char *name = base_name(dir);
    if (attr_at(dir, "partition", tmp, sizeof tmp) == 0) {
        /* a partition: its parent folder is the disk */
        scopy(p, sizeof p, dir);
        char *sl = strrchr(p, '/');
        if (sl && sl != p) {
            *sl = '\0';
            add_name(names, max, n, base_name(p));
        }
        return;
    }
    /* dm/md and friends: the disks of their slaves */
    if ((size_t)snprintf(p, sizeof p, "%s/slaves", dir) >= sizeof p)
        return;
    DIR *dh = opendir(p);
    int any = 0;
    if (dh) {
        struct dirent *e;
        while ((e = readdir(dh))) {
            if (!safe_name(e->d_name))
                continue;
            char sp[PATH_MAX], real[PATH_MAX];
            if ((size_t)snprintf(sp, sizeof sp, "%s/%s", p, e->d_name) >= sizeof sp)
                continue;
            if (!realpath(sp, real))
                continue;
            any = 1;
            disks_of(sysfs, real, depth + 1, names, max, n);
        }
        closedir(dh);
    }
    if (!any)
        add_name(names, max, n, name);
}

size_t kk_field_dev_disks(const char *sysfs, unsigned maj, unsigned min, char names[][KK_FIELD_NAME], size_t max)
{
    char p[PATH_MAX], real[PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s/dev/block/%u:%u", sysfs, maj, min) >= sizeof p)
        return 0;
    if (!realpath(p, real))
        return 0;
    size_t n = 0;
    disks_of(sysfs, real, 0, names, max, &n);
    return n;
}

size_t kk_field_path_disks(const char *sysfs, const char *path, char names[][KK_FIELD_NAME], size_t max)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    return kk_field_dev_disks(sysfs, major(st.st_dev), minor(st.st_dev), names, max);
}

int kk_field_check_writable(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return kk_err_set(KK_ENOENT, "cannot use '%s': %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return kk_err_set(KK_EINVAL, "cannot use '%s': not a folder", dir);
    char *p = kk_asprintf("%s/.kaketsuke-write-test-XXXXXX", dir);
    if (!p)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int fd = mkstemp(p);
    if (fd < 0) {
        int e = errno;
        free(p);
        return kk_err_set(KK_EIO, "cannot write to '%s': %s", dir, strerror(e));
    }
    int ok = write(fd, "kaketsuke\n", 10) == 10;
    ok = fsync(fd) == 0 && ok;
    int e = errno;
    ok = close(fd) == 0 && ok;
    if (unlink(p) != 0 && ok) {
        e = errno;
        ok = 0;
    }
    free(p);
    if (!ok)
        return kk_err_set(KK_EIO, "cannot write to '%s': %s", dir, strerror(e));
    return KK_OK;
}

int kk_field_free_bytes(const char *dir, uint64_t *free_bytes)
{
    struct statvfs sv;
    if (statvfs(dir, &sv) != 0)
        return kk_err_set(KK_EIO, "cannot read the free space of '%s': %s", dir, strerror(errno));
    unsigned long long b = (unsigned long long)sv.f_bavail, f = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
    *free_bytes = f && b > UINT64_MAX / f ? UINT64_MAX : (uint64_t)(b * f);
    return KK_OK;
}

uint64_t kk_field_need(uint64_t disk_size, int quick)
{
    const uint64_t GiB = 1ull << 30, MiB = 1ull << 20;
    uint64_t a = disk_size < 2 * GiB ? disk_size : 2 * GiB;
    uint64_t xcap = quick ? 512 * MiB : 2 * GiB;
    uint64_t x = disk_size < xcap ? disk_size : xcap;
    return 2 * (a + x) + 64 * MiB;
}
