/* field.h - public interface of src/field/: what the guided mode (kaketsuke guide) needs
 * to know about the machine it runs on, as pure functions over a sysfs tree and text.
 *
 *   disks        kk_field_scan(): the block devices of SYSFS/block (default /sys; tests
 *                give a fake tree), split into internal disks and external ones
 *                (removable=1 or a device path through USB), the kit stick marked;
 *                size (512-byte sectors), model/vendor, block-layer read-only state,
 *                partitions (start, size), and the storage controllers in RAID mode
 *                (PCI class 0x0104xx) or bound to Intel VMD, with how many disks are
 *                visible behind each. Nothing is opened for writing.
 *   targets      where evidence may go: kk_field_target_disks() (the whole disks under
 *                a folder, through SYSFS/dev/block/MAJ:MIN, partitions and dm/md
 *                slaves), kk_field_check_writable(), kk_field_free_bytes(),
 *                kk_field_need() (the free-space rule, documented there).
 *   helper       kk_field_parse_targets(): the output of `kaketsuke-target list`
 *                (untrusted text: every field validated, bad lines counted and left out).
 *   progress     kk_field_parse_progress(): one line of a child `kaketsuke triage`'s
 *                progress output (phase headers, the scan/collect/bundle progress lines,
 *                findings shown as found).
 * Strings read from sysfs or the helper (models, labels, descriptions) are stored as
 * read (trimmed, capped); print them through kk_term_clean (util/text.h).
 */
#ifndef KK_FIELD_H
#define KK_FIELD_H
#include <stddef.h>
#include <stdint.h>

#define KK_FIELD_NAME 64    /* sysfs block device names: sda, nvme0n1p3, mmcblk0 */
#define KK_FIELD_TEXT 256   /* model, vendor, description (bytes, before escaping) */
#define KK_FIELD_MAXDISKS 64
#define KK_FIELD_MAXPARTS 128
#define KK_FIELD_MAXCTRLS 32
#define KK_FIELD_MAXTARGETS 64

typedef struct kk_field_part {
    char name[KK_FIELD_NAME]; /* sda1 */
    uint64_t start;           /* bytes from the start of the disk */
    uint64_t size;            /* bytes */
    int ro;
} kk_field_part;

enum { KK_BUS_OTHER = 0, KK_BUS_SATA, KK_BUS_NVME, KK_BUS_USB, KK_BUS_MMC, KK_BUS_VIRTIO };

typedef struct kk_field_disk {
    char name[KK_FIELD_NAME];  /* sysfs name: sda (checked: no '/', not "." or "..") */
    uint64_t size;             /* bytes (sysfs size is in 512-byte sectors) */
    int removable;             /* removable == 1 */
    int usb;                   /* the device path goes through a USB bus */
    int external;              /* removable or usb */
    int kit;                   /* the kit stick (kitdev) */
    int ro;                    /* block-layer read-only (ro == 1) */
    int bus;                   /* KK_BUS_* */
    char model[KK_FIELD_TEXT]; /* untrusted, trimmed ("" when unknown) */
    char vendor[KK_FIELD_TEXT];
    char devpath[1024];        /* resolved sysfs device path (for controller matching) */
    kk_field_part *parts;
    size_t nparts;
} kk_field_disk;

typedef struct kk_field_ctrl {
    char addr[KK_FIELD_NAME];  /* PCI address 0000:00:0e.0 */
    unsigned cls;              /* 24-bit PCI class (0x010400) */
    unsigned vendor, device;
    char driver[KK_FIELD_NAME];/* bound driver ("" when none) */
    int raid;                  /* class 0x0104xx */
    int vmd;                   /* bound to vmd, or an Intel VMD device id */
    int ndisks;                /* disks whose device path goes through it */
} kk_field_ctrl;

typedef struct kk_field_sys {
    kk_field_disk *disks;      /* internal first (in name order), then external */
    size_t ndisks;
    size_t ninternal;          /* not external, not the kit stick */
    kk_field_ctrl *ctrls;      /* RAID-class and VMD controllers only */
    size_t nctrls;
} kk_field_sys;

/* Enumerate SYSFS/block. kitdev: the kit stick's whole-disk device ("/dev/sdb" or "sdb"),
 * or NULL/"". Skips loop, ram, zram, sr, fd, md, dm-, nbd, zero-size and virtual devices.
 * KK_OK (also when nothing is found), KK_ENOENT when SYSFS/block cannot be read. */
int kk_field_scan(const char *sysfs, const char *kitdev, kk_field_sys *out);
void kk_field_sys_free(kk_field_sys *s);
/* Is there a controller that may hide disks: RAID class or VMD with no disk behind it? */
int kk_field_hidden_disks(const kk_field_sys *s);

/* Whole disks (sysfs names) holding the block device MAJ:MIN (itself when a whole disk,
 * its parent when a partition, the slaves' disks for dm/md), at most max names into
 * names[]. Returns the count (0: not a disk device, e.g. tmpfs or overlay). */
size_t kk_field_dev_disks(const char *sysfs, unsigned maj, unsigned min, char names[][KK_FIELD_NAME],
                          size_t max);
/* The same for the file system holding path (its st_dev). */
size_t kk_field_path_disks(const char *sysfs, const char *path, char names[][KK_FIELD_NAME], size_t max);

/* Create and remove a temporary file in dir. KK_OK, or an error naming the problem. */
int kk_field_check_writable(const char *dir);
/* Bytes free for an unprivileged writer in the file system of dir. */
int kk_field_free_bytes(const char *dir, uint64_t *free_bytes);

/* The free-space rule: bytes an evidence target needs for a triage of a disk of
 * disk_size bytes. The case folder holds the collected artifacts A (registry, event logs,
 * NTFS metadata, ...: up to 2 GiB on an ordinary PC) and the matched files, timeline and
 * findings X (quick: up to 512 MiB; full scan: up to 2 GiB); the bundle is a second copy
 * of both (a zip is at most about as large as its members). Neither can exceed what the
 * disk holds. So
 *     need = 2 * (min(2 GiB, disk) + min(X, disk)) + 64 MiB (reports, receipt, slack)
 * e.g. 5.06 GiB (quick) or 8.06 GiB (full) for any disk of 2 GiB or more. */
uint64_t kk_field_need(uint64_t disk_size, int quick);

/* ---- kaketsuke-target list ------------------------------------------------------------ */
enum { KK_TGT_USE = 1, KK_TGT_CREATE, KK_TGT_FORMAT };

typedef struct kk_field_target {
    char id[KK_FIELD_NAME * 2]; /* /dev/sdb3: "/dev/" + [A-Za-z0-9_.:+-/], no ".." */
    int action;                 /* KK_TGT_* */
    uint64_t size, free_bytes;
    char label[KK_FIELD_NAME];  /* "" for "-" (untrusted) */
    char desc[KK_FIELD_TEXT];   /* untrusted */
} kk_field_target;

/* Parse the helper's output (n bytes, need not be NUL-terminated). *out (caller frees) gets
 * the valid lines (at most KK_FIELD_MAXTARGETS), *bad the number of lines refused.
 * KK_OK or KK_ENOMEM. */
int kk_field_parse_targets(const char *text, size_t n, kk_field_target **out, size_t *count, size_t *bad);
const char *kk_field_action_name(int action);

/* ---- progress lines of a child `kaketsuke triage` ------------------------------------ */
enum {
    KK_PL_NONE = 0, /* empty or only blanks */
    KK_PL_PHASE,    /* "== scan": phase */
    KK_PL_SCAN,     /* the scan line: files, total_files (when known), bytes, total_bytes,
                       rate (bytes/s), eta (seconds, -1 unknown), findings */
    KK_PL_COLLECT,  /* "collect: N files seen, N collected, N MiB": files, findings=collected, bytes */
    KK_PL_PERCENT,  /* bundle steps: phase, percent (0-100; -1 for "PHASE ..."), bytes,
                       total_bytes */
    KK_PL_FOUND,    /* "FOUND|found RULE (score N): PATH": text = RULE, score */
    KK_PL_TEXT,     /* anything else: text = the line */
};

typedef struct kk_field_progress {
    int kind;
    char phase[32];
    uint64_t files, total_files;
    uint64_t bytes, total_bytes;
    int totals_known;
    double rate;
    long eta;
    uint64_t findings;
    double percent;
    int score;
    char text[512]; /* untrusted (rule names, child messages): escape before printing */
} kk_field_progress;

/* Parse one line (without the line end; ANSI erase sequences are ignored). Never fails:
 * lines that match no known shape are KK_PL_TEXT. */
void kk_field_parse_progress(const char *line, size_t n, kk_field_progress *p);

/* Human size in decimal units as disks are labelled: "500.1 GB", "64.0 MB", "512 B". */
void kk_field_human(uint64_t bytes, char *out, size_t n);

/* A case id usable as a folder name: 1-64 of [A-Za-z0-9._-], starting with a letter or
 * digit. */
int kk_field_valid_case_id(const char *s);
/* Free text typed by the user (names, places, phone numbers): valid UTF-8, no control
 * characters, at most max bytes. */
int kk_field_valid_text(const char *s, size_t max);
/* A phone number: digits, spaces, + - ( ) and at most 32 bytes. */
int kk_field_valid_phone(const char *s);

/* The time of day typed by the person at the keyboard when the guide asks whether the
 * computer's clock is right: "H:MM" or "HH:MM"; '.' or spaces instead of ':' and "HMM" or
 * "HHMM" too (a Japanese keyboard read with the console's US layout types ':' elsewhere);
 * ASCII or full-width, spaces around allowed. 1 and *minute_of_day (0..1439) when valid,
 * else 0. */
int kk_field_parse_clock(const char *s, int *minute_of_day);
/* How far the computer's clock is behind the time told (minutes, -720..719: the nearest
 * across midnight). A clock 9 hours ahead (JST read as UTC) gives -540. */
int kk_field_clock_offset(int clock_minute, int told_minute);

#endif
