/* test_field.c - unit tests for src/field: disks and controllers from fake sysfs trees
 * (sizes in 512-byte sectors, removable, ro, hostile models, partitions, USB paths, RAID
 * and VMD controllers), which disks hold a device or folder, the evidence-target checks
 * (writable, the free-space rule), the kaketsuke-target list parser, the progress-line
 * parser, input validation, and the fuzz corpus replayed through the parsers. */
#include "kk_test.h"

#include "field/field.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/text.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* ---- fake sysfs helpers --------------------------------------------------------------- */

static void mkdirs(const char *base, const char *rel)
{
    char *p = kk_asprintf("%s/%s", base, rel);
    for (char *s = p + strlen(base) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    mkdir(p, 0755);
    free(p);
}

static void put(const char *base, const char *rel, const char *content)
{
    char *p = kk_asprintf("%s/%s", base, rel);
    char *slash = strrchr(p, '/');
    if (strchr(rel, '/')) {
        *slash = '\0';
        mkdirs(base, p + strlen(base) + 1);
        *slash = '/';
    }
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    free(p);
}

static void link_at(const char *base, const char *rel, const char *target)
{
    char *p = kk_asprintf("%s/%s", base, rel);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    mkdirs(base, p + strlen(base) + 1);
    *slash = '/';
    assert_int_equal(symlink(target, p), 0);
    free(p);
}

/* A disk under devices/PATH/block/NAME, linked from block/NAME; model in devices/PATH. */
static void disk(const char *s, const char *path, const char *name, const char *sectors, const char *rem,
                 const char *ro, const char *model)
{
    char *d = kk_asprintf("devices/%s/block/%s", path, name);
    char *f = kk_asprintf("%s/size", d);
    put(s, f, sectors);
    free(f);
    f = kk_asprintf("%s/removable", d);
    put(s, f, rem);
    free(f);
    f = kk_asprintf("%s/ro", d);
    put(s, f, ro);
    free(f);
    f = kk_asprintf("%s/device", d);
    link_at(s, f, "../..");
    free(f);
    if (model) {
        f = kk_asprintf("devices/%s/model", path);
        put(s, f, model);
        free(f);
    }
    f = kk_asprintf("block/%s", name);
    char *t = kk_asprintf("../%s", d);
    link_at(s, f, t);
    free(f);
    free(t);
    free(d);
}

static void part(const char *s, const char *path, const char *disk_, const char *name, const char *start,
                 const char *size)
{
    char *d = kk_asprintf("devices/%s/block/%s/%s", path, disk_, name);
    char *f = kk_asprintf("%s/partition", d);
    put(s, f, "1\n");
    free(f);
    f = kk_asprintf("%s/start", d);
    put(s, f, start);
    free(f);
    f = kk_asprintf("%s/size", d);
    put(s, f, size);
    free(f);
    free(d);
}

static const kk_field_disk *find(const kk_field_sys *sys, const char *name)
{
    for (size_t i = 0; i < sys->ndisks; i++)
        if (!strcmp(sys->disks[i].name, name))
            return &sys->disks[i];
    return NULL;
}

#define SATA "pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0"
#define SATA2 "pci0000:00/0000:00:17.0/ata2/host1/target1:0:0/1:0:0:0"
#define USB "pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0"
#define USB2 "pci0000:00/0000:00:14.0/usb2/2-2/2-2:1.0/host7/target7:0:0/7:0:0:0"
#define CARD "pci0000:00/0000:00:1c.0/0000:02:00.0/mmc_host/mmc0/mmc0:0001"
#define NVME "pci0000:00/0000:00:0e.0/pci10000:e0/10000:e0:06.0/10000:e1:00.0/nvme/nvme0"

static char *fake_tree(void)
{
    char *s = make_tmpdir();
    /* internal SATA disk: 1 GB, read-only, hostile model, two partitions (out of order) */
    disk(s, SATA, "sda", "2000000\n", "0\n", "1\n", "Evil\033[2J\033]0;x\007 \xc2\x9b" "Disk  \n");
    part(s, SATA, "sda", "sda2", "206848\n", "1793152\n");
    part(s, SATA, "sda", "sda1", "2048\n", "204800\n");
    put(s, "devices/" SATA "/vendor", "ATA     \n");
    /* a second internal disk with a bad size: left out */
    disk(s, SATA2, "sdx", "12abc\n", "0\n", "0\n", "Bad");
    /* USB stick (removable=0 but through usb2), the kit stick, a removable card */
    disk(s, USB, "sdb", "31260672\n", "0\n", "0\n", "Cruzer Blade");
    put(s, "devices/" USB "/vendor", "SanDisk \n");
    disk(s, USB2, "sdc", "15000000\n", "0\n", "0\n", "Kit");
    disk(s, CARD, "mmcblk0", "62333952\n", "1\n", "0\n", NULL);
    put(s, "devices/" CARD "/name", "SD64G\n");
    /* NVMe behind Intel VMD */
    disk(s, NVME, "nvme0n1", "1000215216\n", "0\n", "0\n", "Samsung SSD 980 PRO 1TB");
    part(s, NVME, "nvme0n1", "nvme0n1p1", "2048\n", "1000000\n");
    /* skipped: loop, zero size, virtual */
    put(s, "block/loop0/size", "1000\n");
    disk(s, "virtual/block", "zram0", "1000\n", "0\n", "0\n", NULL);
    disk(s, "pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0", "sdz", "0\n", "0\n", "0\n", "Empty");
    /* controllers: VMD (bound to vmd, disks behind), AHCI (not listed), RAID with no disk */
    put(s, "bus/pci/devices/0000:00:0e.0/class", "0x010400\n");
    put(s, "bus/pci/devices/0000:00:0e.0/vendor", "0x8086\n");
    put(s, "bus/pci/devices/0000:00:0e.0/device", "0x467f\n");
    link_at(s, "bus/pci/devices/0000:00:0e.0/driver", "../../../../bus/pci/drivers/vmd");
    put(s, "bus/pci/devices/0000:00:17.0/class", "0x010601\n");
    put(s, "bus/pci/devices/0000:00:17.0/vendor", "0x8086\n");
    return s;
}

static void test_scan_tree(void **state)
{
    (void)state;
    char *s = fake_tree();
    kk_field_sys sys;
    assert_int_equal(kk_field_scan(s, "/dev/sdc", &sys), KK_OK);
    assert_int_equal(sys.ndisks, 5); /* sda nvme0n1 | sdb mmcblk0 | sdc (kit) */
    assert_int_equal(sys.ninternal, 2);
    assert_string_equal(sys.disks[0].name, "nvme0n1");
    assert_string_equal(sys.disks[1].name, "sda");
    assert_true(sys.disks[4].kit);
    const kk_field_disk *a = find(&sys, "sda");
    assert_non_null(a);
    assert_int_equal(a->size, 2000000ull * 512);
    assert_true(a->ro);
    assert_false(a->external);
    assert_int_equal(a->bus, KK_BUS_SATA);
    assert_string_equal(a->vendor, "ATA");
    assert_int_equal(a->nparts, 2);
    assert_string_equal(a->parts[0].name, "sda1");
    assert_int_equal(a->parts[0].start, 2048ull * 512);
    assert_int_equal(a->parts[1].size, 1793152ull * 512);
    /* the hostile model is kept as read (trimmed) and cleaned for the terminal */
    assert_non_null(strstr(a->model, "\033[2J"));
    kk_buf b;
    kk_buf_init(&b, 0);
    kk_term_clean(&b, a->model, strlen(a->model));
    assert_null(strchr(kk_buf_str(&b), '\033'));
    assert_null(strchr(kk_buf_str(&b), '\007'));
    assert_null(strstr(kk_buf_str(&b), "\xc2\x9b"));
    assert_non_null(strstr(kk_buf_str(&b), "Disk"));
    kk_buf_free(&b);
    const kk_field_disk *u = find(&sys, "sdb");
    assert_true(u->usb && u->external && !u->removable);
    assert_int_equal(u->bus, KK_BUS_USB);
    assert_string_equal(u->model, "Cruzer Blade");
    assert_string_equal(u->vendor, "SanDisk");
    const kk_field_disk *m = find(&sys, "mmcblk0");
    assert_true(m->removable && m->external && !m->usb);
    assert_string_equal(m->model, "SD64G");
    const kk_field_disk *n = find(&sys, "nvme0n1");
    assert_int_equal(n->bus, KK_BUS_NVME);
    assert_int_equal(n->nparts, 1);
    assert_null(find(&sys, "sdx"));
    assert_null(find(&sys, "loop0"));
    assert_null(find(&sys, "zram0"));
    assert_null(find(&sys, "sdz"));
    /* controllers: only the VMD one; one disk behind it */
    assert_int_equal(sys.nctrls, 1);
    assert_string_equal(sys.ctrls[0].addr, "0000:00:0e.0");
    assert_true(sys.ctrls[0].vmd && sys.ctrls[0].raid);
    assert_string_equal(sys.ctrls[0].driver, "vmd");
    assert_int_equal(sys.ctrls[0].cls, 0x010400);
    assert_int_equal(sys.ctrls[0].ndisks, 1);
    assert_false(kk_field_hidden_disks(&sys));
    kk_field_sys_free(&sys);
    /* without a kit device the third stick is just external */
    assert_int_equal(kk_field_scan(s, NULL, &sys), KK_OK);
    assert_false(find(&sys, "sdc")->kit);
    assert_true(find(&sys, "sdc")->external);
    kk_field_sys_free(&sys);
    rm_tree(s);
}

static void test_scan_rst(void **state)
{
    (void)state;
    char *s = make_tmpdir();
    disk(s, USB, "sdb", "31260672\n", "1\n", "0\n", "Stick");
    /* Intel RST in RAID mode: a RAID-class controller, no driver, nothing behind it */
    put(s, "bus/pci/devices/0000:00:17.0/class", "0x010400\n");
    put(s, "bus/pci/devices/0000:00:17.0/vendor", "0x8086\n");
    put(s, "bus/pci/devices/0000:00:17.0/device", "0x2822\n");
    put(s, "bus/pci/devices/0000:00:02.0/class", "0x030000\n"); /* a display controller */
    put(s, "bus/pci/devices/0000:00:03.0/class", "garbage\n");
    kk_field_sys sys;
    assert_int_equal(kk_field_scan(s, "", &sys), KK_OK);
    assert_int_equal(sys.ninternal, 0);
    assert_int_equal(sys.ndisks, 1);
    assert_int_equal(sys.nctrls, 1);
    assert_true(sys.ctrls[0].raid);
    assert_false(sys.ctrls[0].vmd);
    assert_string_equal(sys.ctrls[0].driver, "");
    assert_int_equal(sys.ctrls[0].device, 0x2822);
    assert_true(kk_field_hidden_disks(&sys));
    kk_field_sys_free(&sys);
    /* a VMD device id without the vmd driver bound is recognised too */
    put(s, "bus/pci/devices/0000:00:0e.0/class", "0x010400\n");
    put(s, "bus/pci/devices/0000:00:0e.0/vendor", "0x8086\n");
    put(s, "bus/pci/devices/0000:00:0e.0/device", "0x9a0b\n");
    assert_int_equal(kk_field_scan(s, "", &sys), KK_OK);
    assert_int_equal(sys.nctrls, 2);
    int vmd = 0;
    for (size_t i = 0; i < sys.nctrls; i++)
        vmd += sys.ctrls[i].vmd;
    assert_int_equal(vmd, 1);
    kk_field_sys_free(&sys);
    /* no sysfs at all */
    char *missing = kk_asprintf("%s/nothing", s);
    assert_int_equal(kk_field_scan(missing, NULL, &sys), KK_ENOENT);
    free(missing);
    rm_tree(s);
}

static void test_scan_bad_values(void **state)
{
    (void)state;
    char *s = make_tmpdir();
    disk(s, SATA, "sda", "99999999999999999999999\n", "0\n", "0\n", "Overflow");     /* not a number */
    disk(s, SATA2, "sdb", "36028797018963968\n", "2\n", "yes\n", "");               /* saturates */
    disk(s, USB, "sdc", "-5\n", "0\n", "0\n", "Neg");
    /* a huge model: capped */
    char big[2000];
    memset(big, 'M', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    put(s, "devices/" SATA2 "/model", big);
    part(s, SATA2, "sdb", "sdb1", "x\n", "1\n"); /* a bad partition is left out */
    part(s, SATA2, "sdb", "sdb2", "1\n", "1\n");
    kk_field_sys sys;
    assert_int_equal(kk_field_scan(s, NULL, &sys), KK_OK);
    assert_int_equal(sys.ndisks, 1);
    const kk_field_disk *d = &sys.disks[0];
    assert_string_equal(d->name, "sdb");
    assert_int_equal(d->size, UINT64_MAX);
    assert_false(d->removable); /* "2" is not 1 */
    assert_false(d->ro);
    assert_int_equal(strlen(d->model), KK_FIELD_TEXT - 1);
    assert_int_equal(d->nparts, 1);
    assert_string_equal(d->parts[0].name, "sdb2");
    kk_field_sys_free(&sys);
    rm_tree(s);
}

static void test_dev_disks(void **state)
{
    (void)state;
    char *s = fake_tree();
    link_at(s, "dev/block/8:0", "../../devices/" SATA "/block/sda");
    link_at(s, "dev/block/8:1", "../../devices/" SATA "/block/sda/sda1");
    link_at(s, "dev/block/8:16", "../../devices/" USB "/block/sdb");
    /* dm-0 (LVM/crypt) over sda2 and sdb */
    put(s, "devices/virtual/block/dm-0/size", "100\n");
    link_at(s, "devices/virtual/block/dm-0/slaves/sda2", "../../../../" SATA "/block/sda/sda2");
    link_at(s, "devices/virtual/block/dm-0/slaves/sdb", "../../../../" USB "/block/sdb");
    link_at(s, "dev/block/254:0", "../../devices/virtual/block/dm-0");
    char names[4][KK_FIELD_NAME];
    assert_int_equal(kk_field_dev_disks(s, 8, 0, names, 4), 1);
    assert_string_equal(names[0], "sda");
    assert_int_equal(kk_field_dev_disks(s, 8, 1, names, 4), 1);
    assert_string_equal(names[0], "sda");
    assert_int_equal(kk_field_dev_disks(s, 8, 16, names, 4), 1);
    assert_string_equal(names[0], "sdb");
    size_t n = kk_field_dev_disks(s, 254, 0, names, 4);
    assert_int_equal(n, 2);
    assert_true((!strcmp(names[0], "sda") && !strcmp(names[1], "sdb")) ||
                (!strcmp(names[0], "sdb") && !strcmp(names[1], "sda")));
    assert_int_equal(kk_field_dev_disks(s, 254, 0, names, 1), 1); /* capped */
    assert_int_equal(kk_field_dev_disks(s, 0, 42, names, 4), 0);  /* tmpfs: no disk */
    /* a folder: its st_dev mapped onto sda1 in the fake tree */
    struct stat st;
    assert_int_equal(stat(s, &st), 0);
    char *rel = kk_asprintf("dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
    char *p = kk_asprintf("%s/%s", s, rel);
    unlink(p);
    link_at(s, rel, "../../devices/" SATA "/block/sda/sda1");
    assert_int_equal(kk_field_path_disks(s, s, names, 4), 1);
    assert_string_equal(names[0], "sda");
    assert_int_equal(kk_field_path_disks(s, "/nonexistent/folder", names, 4), 0);
    free(rel);
    free(p);
    rm_tree(s);
}

static int dir_entries(const char *d)
{
    DIR *dh = opendir(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dh)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(dh);
    return n;
}

static void test_target_checks(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    assert_int_equal(kk_field_check_writable(d), KK_OK);
    assert_int_equal(dir_entries(d), 0); /* the test file is gone */
    char *missing = kk_asprintf("%s/missing", d);
    assert_int_equal(kk_field_check_writable(missing), KK_ENOENT);
    assert_non_null(strstr(kk_err_msg(), "missing"));
    char *file = kk_asprintf("%s/file", d);
    put(d, "file", "x");
    assert_int_equal(kk_field_check_writable(file), KK_EINVAL);
    if (geteuid() != 0) { /* root writes anyway */
        char *ro = kk_asprintf("%s/ro", d);
        mkdir(ro, 0555);
        assert_int_equal(kk_field_check_writable(ro), KK_EIO);
        free(ro);
    }
    uint64_t fb = 0;
    assert_int_equal(kk_field_free_bytes(d, &fb), KK_OK);
    assert_true(fb > 0);
    assert_int_equal(kk_field_free_bytes(missing, &fb), KK_EIO);
    /* the free-space rule */
    const uint64_t MiB = 1ull << 20, GiB = 1ull << 30;
    assert_int_equal(kk_field_need(0, 1), 64 * MiB);
    assert_int_equal(kk_field_need(64 * MiB, 1), 2 * (64 * MiB + 64 * MiB) + 64 * MiB);
    assert_int_equal(kk_field_need(1024 * GiB, 1), 2 * (2 * GiB + 512 * MiB) + 64 * MiB);
    assert_int_equal(kk_field_need(1024 * GiB, 0), 2 * (2 * GiB + 2 * GiB) + 64 * MiB);
    assert_int_equal(kk_field_need(GiB, 0), 2 * (GiB + GiB) + 64 * MiB);
    assert_true(kk_field_need(UINT64_MAX / 2, 0) == kk_field_need(1024 * GiB, 0));
    assert_true(kk_field_need(100 * GiB, 0) > kk_field_need(100 * GiB, 1));
    free(missing);
    free(file);
    rm_tree(d);
}

static void test_parse_targets(void **state)
{
    (void)state;
    const char text[] = "/dev/sdb1\tuse\t16008609792\t15000000000\tKK-DATA\tSanDisk Cruzer Blade\n"
                        "/dev/sdb\tcreate\t8000000000\t8000000000\t-\tkit stick\tfree space\r\n"
                        "/dev/sdc\tformat\t32017047552\t32017047552\t-\tEvil \033[31mdisk\n"
                        "\n"
                        "/dev/../etc/passwd\tuse\t1\t1\t-\tdotdot\n"
                        "/tmp/x\tuse\t1\t1\t-\tnot in /dev\n"
                        "/dev/sdd\twipe\t1\t1\t-\tunknown action\n"
                        "/dev/sde\tuse\t1x\t1\t-\tbad size\n"
                        "/dev/sdf\tuse\t1\t2\t-\tfree over size\n"
                        "/dev/sdg\tuse\t99999999999999999999\t1\t-\toverflow\n"
                        "/dev/sdh\tuse\t1\t1\t\tempty label\n"
                        "/dev/sdi\tuse\t1\t1\t-\n"
                        "/dev/sdj use 1 1 - spaces not tabs\n"
                        "/dev/sdb1\tuse\t1\t1\t-\tduplicate\n"
                        "/dev/sd k\tuse\t1\t1\t-\tblank in id\n";
    kk_field_target *t;
    size_t n, bad;
    assert_int_equal(kk_field_parse_targets(text, sizeof text - 1, &t, &n, &bad), KK_OK);
    assert_int_equal(n, 3);
    assert_int_equal(bad, 11);
    assert_string_equal(t[0].id, "/dev/sdb1");
    assert_int_equal(t[0].action, KK_TGT_USE);
    assert_int_equal(t[0].size, 16008609792ull);
    assert_int_equal(t[0].free_bytes, 15000000000ull);
    assert_string_equal(t[0].label, "KK-DATA");
    assert_string_equal(t[0].desc, "SanDisk Cruzer Blade");
    assert_int_equal(t[1].action, KK_TGT_CREATE);
    assert_string_equal(t[1].label, "");
    assert_string_equal(t[1].desc, "kit stick\tfree space"); /* the rest of the line, CR cut */
    assert_int_equal(t[2].action, KK_TGT_FORMAT);
    assert_string_equal(t[2].desc, "Evil \033[31mdisk"); /* kept: escaped when printed */
    assert_string_equal(kk_field_action_name(KK_TGT_FORMAT), "format");
    free(t);
    /* NUL inside a line ends the description; no trailing newline; a cap on lines */
    const char nul[] = "/dev/sdb\tuse\t1\t1\t-\tab\0cd";
    assert_int_equal(kk_field_parse_targets(nul, sizeof nul - 1, &t, &n, &bad), KK_OK);
    assert_int_equal(n, 1);
    assert_string_equal(t[0].desc, "ab");
    free(t);
    kk_buf many;
    kk_buf_init(&many, 0);
    for (int i = 0; i < 100; i++)
        kk_buf_printf(&many, "/dev/sd%d\tuse\t10\t5\t-\td\n", i);
    assert_int_equal(kk_field_parse_targets(many.data, many.len, &t, &n, &bad), KK_OK);
    assert_int_equal(n, KK_FIELD_MAXTARGETS);
    assert_int_equal(bad, 100 - KK_FIELD_MAXTARGETS);
    free(t);
    kk_buf_free(&many);
    /* a long description is cut at a character boundary */
    kk_buf lng;
    kk_buf_init(&lng, 0);
    kk_buf_adds(&lng, "/dev/sdb\tuse\t1\t1\t-\t");
    for (int i = 0; i < 200; i++)
        kk_buf_adds(&lng, "あ");
    assert_int_equal(kk_field_parse_targets(lng.data, lng.len, &t, &n, &bad), KK_OK);
    assert_int_equal(n, 1);
    assert_true(strlen(t[0].desc) < KK_FIELD_TEXT);
    assert_true(kk_utf8_valid(t[0].desc, strlen(t[0].desc)));
    free(t);
    kk_buf_free(&lng);
    assert_int_equal(kk_field_parse_targets("", 0, &t, &n, &bad), KK_OK);
    assert_int_equal(n + bad, 0);
    free(t);
}

static void test_parse_progress(void **state)
{
    (void)state;
    kk_field_progress p;
    const char *l = "\rscan: 12/34 files, 1.5 MiB of 3.0 GiB, 5.0 MiB/s, ETA 1:02:03, 3 findings | /x/y\033[K";
    kk_field_parse_progress(l, strlen(l), &p);
    assert_int_equal(p.kind, KK_PL_SCAN);
    assert_int_equal(p.files, 12);
    assert_int_equal(p.total_files, 34);
    assert_true(p.totals_known);
    assert_int_equal(p.bytes, (uint64_t)(1.5 * 1048576));
    assert_int_equal(p.total_bytes, 3ull << 30);
    assert_true(p.rate > 5.0 * 1048576 - 1 && p.rate < 5.0 * 1048576 + 1);
    assert_int_equal(p.eta, 3723);
    assert_int_equal(p.findings, 3);
    l = "scan: 40 files, 2.0 KiB, 0.0 MiB/s, ETA ?, 0 findings | ";
    kk_field_parse_progress(l, strlen(l), &p);
    assert_int_equal(p.kind, KK_PL_SCAN);
    assert_false(p.totals_known);
    assert_int_equal(p.files, 40);
    assert_int_equal(p.bytes, 2048);
    assert_int_equal(p.eta, -1);
    l = "collect: 23 files seen, 17 collected, 3 MiB   ";
    kk_field_parse_progress(l, strlen(l), &p);
    assert_int_equal(p.kind, KK_PL_COLLECT);
    assert_int_equal(p.files, 23);
    assert_int_equal(p.findings, 17);
    assert_int_equal(p.bytes, 3ull << 20);
    l = "packing samples   42.5%  12 of 30 MiB   ";
    kk_field_parse_progress(l, strlen(l), &p);
    assert_int_equal(p.kind, KK_PL_PERCENT);
    assert_string_equal(p.phase, "packing samples");
    assert_true(p.percent > 42.4 && p.percent < 42.6);
    assert_int_equal(p.total_bytes, 30ull << 20);
    l = "checking         ...                               ";
    kk_field_parse_progress(l, strlen(l), &p);
    assert_int_equal(p.kind, KK_PL_PERCENT);
    assert_true(p.percent < 0);
    l = "FOUND Ransom_Note_Akira (score 85): /Users/a (score 1): b";
    kk_field_parse_progress(l, strlen(l), &p);
    assert_int_equal(p.kind, KK_PL_FOUND);
    assert_string_equal(p.text, "Ransom_Note_Akira");
    assert_int_equal(p.score, 85);
    l = "== collect";
    kk_field_parse_progress(l, strlen(l), &p);
    assert_int_equal(p.kind, KK_PL_PHASE);
    assert_string_equal(p.phase, "collect");
    l = "   \033[K  ";
    kk_field_parse_progress(l, strlen(l), &p);
    assert_int_equal(p.kind, KK_PL_NONE);
    /* broken or hostile lines are text, never numbers */
    const char *bad[] = {"scan: 12/34 files, 1.5 MiB of 3.0 GiB, 5.0 MiB/s, ETA 1:99:03, 3 findings",
                         "scan: 12/34 files, 1.5 XiB of 3.0 GiB, 5.0 MiB/s, ETA ?, 3 findings",
                         "scan: 99999999999999999999 files, 1 B, 0.0 MiB/s, ETA ?, 0 findings",
                         "scan: 1 files, nan B, 0.0 MiB/s, ETA ?, 0 findings",
                         "scan: 1 files, 1 B, -1.0 MiB/s, ETA ?, 0 findings",
                         "packing 101%  1 of 2 MiB", "FOUND  (score 5): x", "FOUND rule (score x): y",
                         "kaketsuke: created a new signing key", "collect: 1 files seen, 2 collected"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        kk_field_parse_progress(bad[i], strlen(bad[i]), &p);
        if (p.kind != KK_PL_TEXT)
            fail_msg("line %zu parsed as kind %d: %s", i, p.kind, bad[i]);
    }
    /* NUL bytes and an over-long line */
    const char nul[] = "FOUND a\0b (score 5): x";
    kk_field_parse_progress(nul, sizeof nul - 1, &p);
    assert_int_equal(p.kind, KK_PL_FOUND);
    assert_string_equal(p.text, "ab");
    char longl[3000];
    memset(longl, 'x', sizeof longl);
    kk_field_parse_progress(longl, sizeof longl, &p);
    assert_int_equal(p.kind, KK_PL_TEXT);
    assert_int_equal(strlen(p.text), sizeof p.text - 1);
}

static void test_inputs(void **state)
{
    (void)state;
    assert_true(kk_field_valid_case_id("KK-20261122-0750"));
    assert_true(kk_field_valid_case_id("a.b_c-1"));
    assert_false(kk_field_valid_case_id(""));
    assert_false(kk_field_valid_case_id(".."));
    assert_false(kk_field_valid_case_id("-rf"));
    assert_false(kk_field_valid_case_id("a/b"));
    assert_false(kk_field_valid_case_id("案件1"));
    assert_false(kk_field_valid_case_id("a b"));
    char l65[66];
    memset(l65, 'a', 65);
    l65[65] = '\0';
    assert_false(kk_field_valid_case_id(l65));
    l65[64] = '\0';
    assert_true(kk_field_valid_case_id(l65));
    assert_true(kk_field_valid_text("株式会社テスト 本社 2F", 200));
    assert_true(kk_field_valid_text("", 200));
    assert_false(kk_field_valid_text("a\033[2Jb", 200));
    assert_false(kk_field_valid_text("a\tb", 200));
    assert_false(kk_field_valid_text("a\xc2\x9b" "b", 200));     /* C1 CSI */
    assert_false(kk_field_valid_text("a\xe2\x80\xae" "b", 200)); /* RLO */
    assert_false(kk_field_valid_text("a\xe2\x81\xa6" "b", 200)); /* LRI */
    assert_false(kk_field_valid_text("\xff\xfe", 200));
    assert_false(kk_field_valid_text("abcdef", 5));
    assert_true(kk_field_valid_phone("090-1234-5678"));
    assert_true(kk_field_valid_phone("+81 (3) 1234 5678"));
    assert_true(kk_field_valid_phone(""));
    assert_false(kk_field_valid_phone("abc"));
    assert_false(kk_field_valid_phone("012345678901234567890123456789012"));
    static const struct {
        const char *in;
        int minute;
    } good[] = {
        {"9:05", 545},
        {" 23:59 ", 1439},
        {"00:00", 0},
        {"14.05", 845},
        {"14 05", 845},
        {"1405", 845},
        {"905", 545},
        {"9 : 05", 545},
        {"\xef\xbc\x91\xef\xbc\x92\xef\xbc\x9a\xef\xbc\x93\xef\xbc\x90", 750}, /* １２：３０ */
        {"\xef\xbc\x99\xef\xbc\x8e\xef\xbc\x90\xef\xbc\x95", 545},             /* ９．０５ */
        {"\xe3\x80\x80" "7:30", 450},                                           /* ideographic space */
    };
    int m;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        m = -1;
        assert_true(kk_field_parse_clock(good[i].in, &m));
        assert_int_equal(m, good[i].minute);
    }
    const char *bad[] = {"", ":", "24:00", "12:60", "12:3", "123:00", "12:345", "12", "12:30x", "a1:00",
                         "-1:00", "\xef\xbc", "12:\xef", "12::30", "1 2 30", "12345", "05", "2400",
                         "12'30", ":1230", "12:30:00", "   "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = -1;
        assert_false(kk_field_parse_clock(bad[i], &m));
        assert_int_equal(m, -1);
    }
    assert_int_equal(kk_field_clock_offset(600, 600), 0);
    assert_int_equal(kk_field_clock_offset(21 * 60, 12 * 60), -540); /* JST read as UTC: 9 h ahead */
    assert_int_equal(kk_field_clock_offset(23 * 60 + 50, 5), 15);    /* across midnight */
    assert_int_equal(kk_field_clock_offset(5, 23 * 60 + 50), -15);
    assert_int_equal(kk_field_clock_offset(0, 720), -720);
    char h[32];
    kk_field_human(0, h, sizeof h);
    assert_string_equal(h, "0 B");
    kk_field_human(67108864, h, sizeof h);
    assert_string_equal(h, "67.1 MB");
    kk_field_human(500107862016ull, h, sizeof h);
    assert_string_equal(h, "500.1 GB");
    kk_field_human(2000398934016ull, h, sizeof h);
    assert_string_equal(h, "2.0 TB");
    kk_field_human(UINT64_MAX, h, sizeof h);
    assert_string_equal(h, "18.4 EB");
}

/* The fuzz corpus through the parsers (tests/fuzz/fuzz_field.c has the full invariants). */
static void test_corpus(void **state)
{
    (void)state;
    const char *dir = "tests/fuzz/corpus/field";
    DIR *dh = opendir(dir);
    if (!dh)
        skip();
    struct dirent *e;
    int files = 0;
    while ((e = readdir(dh))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = kk_asprintf("%s/%s", dir, e->d_name);
        FILE *f = fopen(p, "rb");
        assert_non_null(f);
        char buf[65536];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        kk_field_target *t;
        size_t nt, bad;
        assert_int_equal(kk_field_parse_targets(buf, n, &t, &nt, &bad), KK_OK);
        for (size_t i = 0; i < nt; i++) {
            assert_true(!strncmp(t[i].id, "/dev/", 5) && !strstr(t[i].id, ".."));
            assert_true(t[i].free_bytes <= t[i].size);
        }
        free(t);
        for (size_t i = 0; i < n;) {
            size_t st = i;
            while (i < n && buf[i] != '\n' && buf[i] != '\r')
                i++;
            kk_field_progress pr;
            kk_field_parse_progress(buf + st, i - st, &pr);
            assert_true(pr.kind >= KK_PL_NONE && pr.kind <= KK_PL_TEXT);
            i++;
        }
        free(p);
        files++;
    }
    closedir(dh);
    assert_true(files >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_tree),     cmocka_unit_test(test_scan_rst),
        cmocka_unit_test(test_scan_bad_values), cmocka_unit_test(test_dev_disks),
        cmocka_unit_test(test_target_checks), cmocka_unit_test(test_parse_targets),
        cmocka_unit_test(test_parse_progress), cmocka_unit_test(test_inputs),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
