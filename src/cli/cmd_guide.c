/* cmd_guide.c - kaketsuke guide: the guided mode for a non-expert at the keyboard, with
 * an engineer assisting by phone. Plain Japanese (English with --lang en), line-based
 * prompts (tty1 or a pipe), every string through the catalog (T), every string from the
 * machine or the evidence escaped for the terminal.
 *
 * Steps: welcome -> disks (src/field: sysfs; kk_source_info for file systems and
 * encryption) -> which disk -> case details -> quick or full -> evidence target (checked:
 * not on the examined disk, writable, free space by kk_field_need) -> confirmation ->
 * `kaketsuke triage` as a child on a pseudo-terminal (its progress lines parsed by
 * kk_field_parse_progress and shown again in plain words) -> verdict, first recovery
 * steps (DIR/report/report.json), bundle and receipt, the bundle's SHA-256 in numbered
 * groups of four -> (--kit) power off after a typed confirmation.
 * EOF on stdin or Ctrl-C at a prompt: abort, exit 2, nothing written. */
#include "cli.h"
#include "../evidence/case.h"
#include "../evidence/evutil.h"
#include "../evidence/sign.h"
#include "../field/field.h"
#include "../report/i18n.h"
#include "../source/source.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"
#include "../util/text.h"
#include "../util/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char kk_help_guide[] =
    "usage: kaketsuke guide [OPTIONS]\n"
    "\n"
    "Guided mode for a non-expert at the keyboard while an engineer assists by phone\n"
    "(started on tty1 by the kaketsuke USB stick as 'kaketsuke guide --kit'). Plain\n"
    "Japanese text, one question per line (works on a console and through a pipe):\n"
    "lists the disks (size, model, partitions, file systems, BitLocker/LUKS/LVM,\n"
    "block-layer read-only state; external disks and the kit stick apart), explains\n"
    "when no internal disk is visible (Intel RST/VMD or RAID mode) or a volume is\n"
    "BitLocker-protected, asks for the case details, quick or full, and the evidence\n"
    "target, then runs 'kaketsuke triage' with progress and ETA and shows the verdict,\n"
    "the first recovery steps, where the bundle was saved and its SHA-256 in 16 numbered\n"
    "groups of four characters. Disks are only read; nothing irreversible happens\n"
    "without a typed confirmation.\n"
    "\n"
    "Questions, in order (an empty answer takes the default in brackets):\n"
    "  1. Enter to start           2. disk number [1]\n"
    "  3. case id [KK-YYYYMMDD-HHMM]  4. customer/company  5. site  6. operator name\n"
    "  7. operator phone           8. the clock: Enter when the time shown is right,\n"
    "     else the time now: 1405, 14:05 or 14.05 (noted in the case; never changed)\n"
    "  9. 1 quick (default) or 2 full\n"
    " 10. evidence target: --kit: its number from kaketsuke-target (a 'create' or\n"
    "     'format' target also needs the typed word yes); else a folder\n"
    "     (asked only without --target, or when --target fails the checks)\n"
    " 11. Enter to start (q to quit)   12. --kit only: yes to power off\n"
    "\n"
    "Evidence target checks: not on the disk being examined (its st_dev through\n"
    "SYSFS/dev/block, partitions and dm/md slaves), writable (a temporary file is\n"
    "created and removed), and free space of at least\n"
    "  2 x (min(2 GiB, disk) + min(X, disk)) + 64 MiB,  X = 512 MiB quick, 2 GiB full\n"
    "(artifacts and matched files, and the bundle holding a second copy): 5.1 GiB quick\n"
    "or 8.1 GiB full for any disk of 2 GiB or more. --min-free replaces the estimate.\n"
    "The case goes to TARGET/CASEID, the bundle to TARGET/CASEID.zip, the receipt to\n"
    "TARGET/CASEID.receipt.txt (.pdf); with --kit the signing key is kept on the target\n"
    "(TARGET/kaketsuke-key/signing.key) unless --key or KAKETSUKE_KEY says otherwise.\n"
    "\n"
    "Options:\n"
    "      --kit            live USB mode: targets from kaketsuke-target (list/prepare),\n"
    "                       the kit stick left out, power-off offered at the end\n"
    "      --lang ja|en     language of the guide and the reports (default ja)\n"
    "      --target DIR     evidence folder (without --kit)\n"
    "      --disk DEV       examine this disk (sda or /dev/sda; also an external one)\n"
    "      --quick, --full  choose the mode without asking\n"
    "      --min-free SIZE  free space the target needs (default: the estimate above;\n"
    "                       0 = no check)\n"
    "      --key FILE       signing key (also KAKETSUKE_KEY)\n"
    "\n"
    "Environment: KAKETSUKE_SYSFS (default /sys), KAKETSUKE_DEVDIR (default /dev),\n"
    "KAKETSUKE_TARGET_HELPER (default /usr/lib/kaketsuke/kaketsuke-target),\n"
    "KAKETSUKE_POWEROFF_CMD (default 'systemctl poweroff').\n"
    "\n"
    "Exit: 0 nothing found, 1 findings, 2 aborted (EOF, Ctrl-C at a question, q) or\n"
    "unusable input, 3 the triage failed or was interrupted.\n";

/* ---- language and output ---------------------------------------------------------------- */

static const char *L = "ja";
#define T(msgid) kk_tr(L, msgid)

/* library messages (kk_err_set) in the guide's language */
static const char *guide_tr(const char *msgid)
{
    return kk_tr(L, msgid);
}

static int out_tty;
static volatile sig_atomic_t signals_seen; /* SIGINT/SIGTERM received so far */

/* Like kk_install_signals, but a second Ctrl-C does not kill the guide: every signal is
 * passed on to the running triage, whose own handler stops it (and kills it on the
 * second). At a question, the read is interrupted and the guide stops. */
static void on_signal(int sig)
{
    (void)sig;
    signals_seen++;
    kk_interrupted = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a waiting read returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Terminal columns of stdout (80 when unknown). */
static int term_cols(void)
{
    struct winsize ws;
    return ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 ? ws.ws_col : 80;
}

/* Cut UTF-8 text s to at most cols terminal columns (CJK and full-width forms count 2). */
static void fit_cols(char *s, int cols)
{
    int w = 0;
    for (size_t i = 0; s[i];) {
        unsigned char c = (unsigned char)s[i];
        size_t l = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        int cw = (c >= 0xe1 && c <= 0xe9) || c == 0xea || c == 0xef || c >= 0xf0 ? 2 : 1;
        if (w + cw > cols) {
            s[i] = '\0';
            return;
        }
        w += cw;
        for (size_t k = 0; k < l && s[i]; k++)
            i++;
    }
}

static void safe(const char *s)
{
    kk_print_safe(stdout, s ? s : "");
}

static void rule_line(const char *title)
{
    printf("\n==== %s ====\n", title);
}

/* ---- input ------------------------------------------------------------------------------- */

enum { ASK_OK = 0, ASK_EOF = -1, ASK_LONG = -2 };

/* One answer: the line without its end, blanks trimmed. ASK_EOF on end of input or Ctrl-C. */
static int ask(const char *prompt, const char *def, char *buf, size_t n)
{
    if (def && *def) {
        fputs(prompt, stdout);
        fputs(" [", stdout);
        safe(def);
        fputs("]: ", stdout);
    } else {
        printf("%s: ", prompt);
    }
    fflush(stdout);
    if (kk_interrupted)
        return ASK_EOF;
    if (!fgets(buf, (int)n, stdin)) {
        if (!out_tty || !isatty(0))
            fputc('\n', stdout);
        return ASK_EOF;
    }
    size_t l = strlen(buf);
    if (l && buf[l - 1] != '\n' && !feof(stdin)) {
        int c;
        while ((c = getchar()) != EOF && c != '\n') {
        }
        buf[0] = '\0'; /* never act on a cut answer */
        if (!isatty(0))
            fputc('\n', stdout);
        return ASK_LONG;
    }
    while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r' || buf[l - 1] == ' ' || buf[l - 1] == '\t'))
        buf[--l] = '\0';
    size_t s = 0;
    while (buf[s] == ' ' || buf[s] == '\t')
        s++;
    memmove(buf, buf + s, l - s + 1);
    if (!isatty(0))
        fputc('\n', stdout); /* keep a piped transcript readable */
    if (!buf[0] && def)
        snprintf(buf, n, "%s", def);
    return ASK_OK;
}

static int aborted(void)
{
    printf("\n%s\n", T("Stopped: no answer was given (end of input or Ctrl-C). Nothing was written to the disks."));
    return KK_EXIT_USAGE;
}

/* "1".."max" -> 1..max, else 0 */
static int pick(const char *s, int max)
{
    char *end;
    long v = strtol(s, &end, 10);
    return (end != s && !*end && v >= 1 && v <= max) ? (int)v : 0;
}

/* The word to type is "yes" in every language: the kit console (fbterm) shows Japanese but has
 * no Japanese input method. はい is accepted too, for a terminal that has one. */
static int is_yes(const char *s)
{
    return !strcasecmp(s, "yes") || !strcmp(s, "はい");
}

/* ---- running a helper program -------------------------------------------------------------- */

/* Run argv, capture at most cap bytes of stdout (stderr too when err != NULL). Returns the
 * exit status (0-255), or -1 when it could not run. */
static int run_capture(char *const argv[], kk_buf *out, kk_buf *err)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
        return -1;
    }
    if (pid == 0) {
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        execv(argv[0], argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    int open_n = 2;
    while (open_n > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char b[4096];
            ssize_t r = read(fds[i].fd, b, sizeof b);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_n--;
                continue;
            }
            kk_buf *dst = i == 0 ? out : err;
            if (dst)
                kk_buf_add(dst, b, (size_t)r); /* capped: the rest is dropped */
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st))
        return WEXITSTATUS(st) == 127 ? -1 : WEXITSTATUS(st);
    return -1;
}

static const char *helper_path(void)
{
    const char *h = getenv("KAKETSUKE_TARGET_HELPER");
    return h && *h ? h : "/usr/lib/kaketsuke/kaketsuke-target";
}

/* The first line of s, as a new string (NULL when empty). */
static char *first_line(const char *s)
{
    size_t l = strcspn(s, "\r\n");
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
        l--;
    return l ? kk_strndup(s, l) : NULL;
}

/* ---- the guide's state --------------------------------------------------------------------- */

typedef struct guide {
    int kit;
    const char *sysfs, *devdir;
    char *kitdev;
    kk_field_sys sys;
    json_t **info;       /* kk_source_info per disk (NULL when unreadable) */
    char **info_err;
    size_t ninfo;
    int disk;            /* chosen index into sys.disks, -1 none */
    char *source;        /* DEVDIR/name */
    char case_id[96], client[320], site[320], operator_[320], phone[64];
    char clock_note[512]; /* the clock check, for the case notes ("" when not asked) */
    int quick;           /* -1 ask */
    const char *target_opt;
    char *target;        /* evidence folder (real path) */
    char *case_dir;
    int min_free_set;
    uint64_t min_free;
    const char *key_opt;
    char *key_path;      /* key given to triage (NULL: triage's default) */
} guide;

static void free_info(guide *g)
{
    for (size_t i = 0; g->info && g->info_err && i < g->ninfo; i++) {
        json_decref(g->info[i]);
        free(g->info_err[i]);
    }
    free(g->info);
    free(g->info_err);
    g->info = NULL;
    g->info_err = NULL;
    g->ninfo = 0;
}

static const char *bus_name(int bus)
{
    switch (bus) {
    case KK_BUS_SATA: return "SATA/SAS";
    case KK_BUS_NVME: return "NVMe";
    case KK_BUS_USB: return "USB";
    case KK_BUS_MMC: return "SD/eMMC";
    case KK_BUS_VIRTIO: return "virtio";
    default: return "";
    }
}

static char *dev_path(const guide *g, const char *name)
{
    return kk_asprintf("%s/%s", g->devdir, name);
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void print_model(const kk_field_disk *d)
{
    int vendor = d->vendor[0] && strcmp(d->vendor, "ATA");
    if (vendor) {
        safe(d->vendor);
        if (d->model[0])
            fputc(' ', stdout);
    }
    if (d->model[0])
        safe(d->model);
    if (!vendor && !d->model[0])
        fputs(T("(model unknown)"), stdout);
}

/* A disk's partitions and what they hold; sets *bitlocker when a BitLocker volume is seen. */
static void print_parts(const guide *g, size_t i, int *bitlocker, int *other_enc)
{
    const kk_field_disk *d = &g->sys.disks[i];
    json_t *info = g->info[i];
    char hs[32];
    if (!info) {
        printf("      %s ", T("cannot be read:"));
        safe(g->info_err[i]);
        fputc('\n', stdout);
        for (size_t k = 0; k < d->nparts; k++) {
            kk_field_human(d->parts[k].size, hs, sizeof hs);
            printf("      %-12s %10s\n", d->parts[k].name, hs);
        }
        return;
    }
    json_t *vols = json_object_get(info, "volumes");
    if (!json_array_size(vols)) {
        printf("      %s\n", T("no partitions or file systems recognised"));
        return;
    }
    size_t k;
    json_t *v;
    json_array_foreach(vols, k, v)
    {
        uint64_t off = (uint64_t)json_integer_value(json_object_get(v, "offset"));
        uint64_t len = (uint64_t)json_integer_value(json_object_get(v, "length"));
        const char *pname = NULL;
        for (size_t p = 0; p < d->nparts; p++)
            if (d->parts[p].start == off)
                pname = d->parts[p].name;
        kk_field_human(len, hs, sizeof hs);
        char label[80];
        if (pname)
            snprintf(label, sizeof label, "%s", pname);
        else
            snprintf(label, sizeof label, "@%llu", (unsigned long long)off);
        printf("      %-12s %10s  ", label, hs);
        const char *enc = jstr(v, "encryption");
        if (json_is_true(json_object_get(v, "readable"))) {
            const char *fs = jstr(v, "filesystem") ? jstr(v, "filesystem") : jstr(v, "pool");
            safe(fs ? fs : "?");
            size_t f;
            json_t *fsv;
            json_array_foreach(json_object_get(info, "filesystems"), f, fsv)
            {
                if ((uint64_t)json_integer_value(json_object_get(fsv, "fs_offset")) == off && jstr(fsv, "drive") &&
                    *jstr(fsv, "drive")) {
                    fputs(" (", stdout);
                    safe(jstr(fsv, "drive"));
                    fputc(')', stdout);
                    break;
                }
            }
        } else if (enc && !strcmp(enc, "bitlocker")) {
            fputs(T("BitLocker-encrypted: the contents cannot be read"), stdout);
            *bitlocker = 1;
        } else if (enc && !strcmp(enc, "luks")) {
            fputs(T("encrypted (Linux LUKS): the contents cannot be read"), stdout);
            *other_enc = 1;
        } else if (enc && !strcmp(enc, "lvm")) {
            fputs(T("Linux LVM volume: not read by kaketsuke"), stdout);
            *other_enc = 1;
        } else {
            fputs(T("unknown contents"), stdout);
        }
        fputc('\n', stdout);
    }
}

static void load_info(guide *g)
{
    free_info(g);
    g->info = kk_calloc(g->sys.ndisks + 1, sizeof *g->info);
    g->info_err = kk_calloc(g->sys.ndisks + 1, sizeof *g->info_err);
    g->ninfo = g->sys.ndisks;
    for (size_t i = 0; g->info && g->info_err && i < g->sys.ndisks; i++) {
        const kk_field_disk *d = &g->sys.disks[i];
        if (d->kit || d->external)
            continue;
        char *p = dev_path(g, d->name);
        if (!p || kk_source_info(p, &g->info[i]) != KK_OK) {
            g->info[i] = NULL;
            g->info_err[i] = kk_strdup(kk_err_msg());
        }
        free(p);
    }
}

static void print_disk(const guide *g, size_t i, int num, int *bitlocker, int *other_enc)
{
    const kk_field_disk *d = &g->sys.disks[i];
    char hs[32];
    kk_field_human(d->size, hs, sizeof hs);
    if (num)
        printf("  [%d] ", num);
    else
        printf("      ");
    printf("%s/%s  %s  ", g->devdir, d->name, hs);
    print_model(d);
    if (*bus_name(d->bus))
        printf("  (%s)", bus_name(d->bus));
    fputc('\n', stdout);
    if (d->kit || d->external)
        return;
    printf("      %s\n", d->ro ? T("write-protected at the block layer: yes")
                               : T("write-protected at the block layer: no (kaketsuke still only reads it)"));
    if (g->info)
        print_parts(g, i, bitlocker, other_enc);
}

static void explain_hidden(const guide *g)
{
    int vmd = 0, raid = 0;
    for (size_t c = 0; c < g->sys.nctrls; c++) {
        vmd |= g->sys.ctrls[c].vmd;
        raid |= g->sys.ctrls[c].raid;
    }
    printf("\n%s\n", vmd ? T("This computer's disk controller is in Intel RST / VMD mode (also called RAID mode).")
                         : T("This computer's disk controller is in RAID mode (for example Intel RST)."));
    printf("%s\n", T("The disk is behind this controller, so it may not be visible from the USB stick."));
    printf("%s\n", T("Do NOT change the BIOS/UEFI setting (for example from RAID or RST to AHCI): Windows may stop "
                     "starting, and BitLocker may ask for its recovery key."));
    printf("%s\n", T("Please call the engineer and tell them: \"the disk is behind Intel RST/RAID mode\"."));
    for (size_t c = 0; c < g->sys.nctrls; c++) {
        const kk_field_ctrl *k = &g->sys.ctrls[c];
        printf("  - PCI %s  %04x:%04x  class %06x  %s %s, %s %d\n", k->addr, k->vendor, k->device, k->cls,
               T("driver"), k->driver[0] ? k->driver : "-", T("disks behind it"), k->ndisks);
    }
    (void)raid;
}

static void explain_bitlocker(void)
{
    printf("\n%s\n", T("About BitLocker:"));
    printf("  %s\n", T("A part of this disk is locked with BitLocker (Windows disk encryption)."));
    printf("  %s\n", T("kaketsuke cannot read inside it without the 48-digit recovery key. The disk is still "
                       "recorded, and the other parts are examined."));
    printf("  %s\n", T("Ask the customer for the BitLocker recovery key (often saved in their Microsoft account, "
                       "or printed) and give it to the engineer."));
    printf("  %s\n", T("Do not change any BIOS/UEFI setting: that can make the computer ask for the recovery key."));
}

/* ---- step 2: the disks --------------------------------------------------------------------- */

static int step_disks(guide *g, const char *disk_opt)
{
    char buf[256];
    for (;;) {
        kk_field_sys_free(&g->sys);
        free_info(g);
        if (kk_field_scan(g->sysfs, g->kitdev, &g->sys) != KK_OK) {
            printf("%s ", T("Cannot list the disks:"));
            safe(kk_err_msg());
            fputc('\n', stdout);
            return KK_EXIT_USAGE;
        }
        load_info(g);
        rule_line(T("Disks of this computer"));
        int bitlocker = 0, other_enc = 0, num = 0;
        for (size_t i = 0; i < g->sys.ndisks; i++)
            if (!g->sys.disks[i].external && !g->sys.disks[i].kit)
                print_disk(g, i, ++num, &bitlocker, &other_enc);
        if (!num)
            printf("  %s\n", T("No internal disk is visible."));
        int ext = 0;
        for (size_t i = 0; i < g->sys.ndisks; i++) {
            const kk_field_disk *d = &g->sys.disks[i];
            if (!d->external || d->kit)
                continue;
            if (!ext++)
                printf("\n%s\n", T("External disks (USB and removable; not examined unless the engineer asks):"));
            int b2 = 0, o2 = 0;
            print_disk(g, i, 0, &b2, &o2);
        }
        for (size_t i = 0; i < g->sys.ndisks; i++)
            if (g->sys.disks[i].kit) {
                printf("\n%s\n", T("The kaketsuke USB stick (not examined):"));
                int b2 = 0, o2 = 0;
                print_disk(g, i, 0, &b2, &o2);
            }
        if (bitlocker)
            explain_bitlocker();
        if (other_enc)
            printf("\n%s\n", T("A part of a disk is encrypted or in a Linux volume group that kaketsuke does not "
                               "read: the engineer will tell you what to do; the rest is examined."));
        if (num && kk_field_hidden_disks(&g->sys)) {
            printf("\n%s\n", T("Note: a disk controller in RAID/RST/VMD mode shows no disks; some disks may be "
                               "hidden."));
            explain_hidden(g);
        }
        if (disk_opt) {
            const char *want = strrchr(disk_opt, '/') ? strrchr(disk_opt, '/') + 1 : disk_opt;
            for (size_t i = 0; i < g->sys.ndisks; i++)
                if (!strcmp(g->sys.disks[i].name, want) && !g->sys.disks[i].kit) {
                    g->disk = (int)i;
                    printf("\n%s %s/%s\n", T("Disk to examine (--disk):"), g->devdir, want);
                    return KK_EXIT_OK;
                }
            printf("\n%s ", T("The disk given with --disk was not found:"));
            safe(disk_opt);
            fputc('\n', stdout);
            return KK_EXIT_USAGE;
        }
        if (!num) {
            if (kk_field_hidden_disks(&g->sys) || g->sys.nctrls)
                explain_hidden(g);
            else
                printf("\n%s\n%s\n", T("The internal disk may be switched off, broken, or connected in a way this "
                                       "USB stick does not support."),
                       T("Do not change any BIOS/UEFI setting. Please call the engineer."));
            int r = ask(T("Press Enter to look again, or type q to stop"), NULL, buf, sizeof buf);
            if (r == ASK_EOF)
                return aborted();
            if (!strcmp(buf, "q") || !strcmp(buf, "Q")) {
                printf("%s\n", T("Stopped. Nothing was written to the disks."));
                return KK_EXIT_USAGE;
            }
            continue;
        }
        for (;;) {
            int r = ask(T("Number of the disk to examine"), "1", buf, sizeof buf);
            if (r == ASK_EOF)
                return aborted();
            int k = r == ASK_OK ? pick(buf, num) : 0;
            if (k) {
                int seen = 0;
                for (size_t i = 0; i < g->sys.ndisks; i++)
                    if (!g->sys.disks[i].external && !g->sys.disks[i].kit && ++seen == k)
                        g->disk = (int)i;
                return KK_EXIT_OK;
            }
            printf("%s\n", T("Please type one of the numbers shown in [ ]."));
        }
    }
}

/* ---- step 3: case details ------------------------------------------------------------------- */

static int ask_text(const char *prompt, const char *def, char *buf, size_t n, size_t max, int phone)
{
    for (;;) {
        int r = ask(prompt, def, buf, n);
        if (r == ASK_EOF)
            return ASK_EOF;
        if (r == ASK_OK && (phone ? kk_field_valid_phone(buf) : kk_field_valid_text(buf, max)))
            return ASK_OK;
        printf("%s\n", phone ? T("Please use only digits, spaces and + - ( ) (at most 32 characters).")
                             : T("Please type plain text (no control characters, not too long)."));
    }
}

/* The computer's clock sets every time in the report. A Windows PC keeps local time in its
 * clock, a Linux server usually UTC, and the kit cannot know which: the person at the keyboard
 * compares it with a phone or watch. The clock is never changed (the times stay those of this
 * computer); what was told goes into the case notes for the engineer. */
static int step_clock(guide *g)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char shown[64];
    strftime(shown, sizeof shown, "%Y-%m-%d %H:%M %Z", &tm);
    printf("%s %s\n", T("This computer's clock says:"), shown);
    char buf[64];
    for (;;) {
        int r = ask(T("If that is not the time now, type the time on your phone or watch, like 1405 for 14:05 "
                      "(Enter: it is right)"),
                    NULL, buf, sizeof buf);
        if (r == ASK_EOF)
            return aborted();
        int told;
        if (r == ASK_OK && !buf[0]) {
            snprintf(g->clock_note, sizeof g->clock_note, T("Clock check: the person on site confirmed the "
                                                              "computer's clock (%s)."),
                     shown);
            return KK_EXIT_OK;
        }
        if (r == ASK_OK && kk_field_parse_clock(buf, &told)) {
            int off = kk_field_clock_offset(tm.tm_hour * 60 + tm.tm_min, told);
            char t[16];
            snprintf(t, sizeof t, "%02d:%02d", told / 60, told % 60);
            /* off = told - clock: negative when the clock is ahead (JST kept in a clock read as UTC) */
            snprintf(g->clock_note, sizeof g->clock_note,
                     off < 0 ? T("Clock check: the computer's clock read %s; the person on site said it was %s: the "
                                 "clock is %d minutes ahead. Times in this report are the computer's.")
                             : T("Clock check: the computer's clock read %s; the person on site said it was %s: the "
                                 "clock is %d minutes behind. Times in this report are the computer's."),
                     shown, t, off < 0 ? -off : off);
            printf("%s\n", T("Noted for the engineer. The clock is not changed."));
            return KK_EXIT_OK;
        }
        printf("%s\n", T("Please type the time like 1405 (for 14:05), or just press Enter."));
    }
}

static int step_case(guide *g)
{
    rule_line(T("Case details"));
    printf("%s\n", T("These details go into the report. Press Enter to leave one empty."));
    char def[64];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(def, sizeof def, "KK-%Y%m%d-%H%M", &tm);
    for (;;) {
        int r = ask(T("Case number"), def, g->case_id, sizeof g->case_id);
        if (r == ASK_EOF)
            return aborted();
        if (r == ASK_OK && kk_field_valid_case_id(g->case_id))
            break;
        printf("%s\n", T("Please use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."));
    }
    if (ask_text(T("Customer (company or name)"), NULL, g->client, sizeof g->client, 200, 0) == ASK_EOF ||
        ask_text(T("Site (address, building, room)"), NULL, g->site, sizeof g->site, 200, 0) == ASK_EOF ||
        ask_text(T("Your name (the person at this computer)"), NULL, g->operator_, sizeof g->operator_, 100, 0) ==
            ASK_EOF ||
        ask_text(T("Your phone number"), NULL, g->phone, sizeof g->phone, 32, 1) == ASK_EOF)
        return aborted();
    return step_clock(g);
}

/* ---- step 4: quick or full ------------------------------------------------------------------- */

static int step_mode(guide *g)
{
    if (g->quick >= 0)
        return KK_EXIT_OK;
    rule_line(T("How thorough?"));
    printf("  [1] %s\n", T("Quick check: the places attackers use most (startup, temporary and download folders, "
                           "web roots). Usually minutes. Recommended."));
    printf("  [2] %s\n", T("Full check: every file of the disk. Can take hours on a large disk."));
    char buf[64];
    for (;;) {
        int r = ask(T("1 or 2"), "1", buf, sizeof buf);
        if (r == ASK_EOF)
            return aborted();
        int k = r == ASK_OK ? pick(buf, 2) : 0;
        if (k) {
            g->quick = k == 1;
            return KK_EXIT_OK;
        }
        printf("%s\n", T("Please type 1 or 2."));
    }
}

/* ---- step 5: the evidence target ------------------------------------------------------------- */

static uint64_t need_bytes(const guide *g)
{
    if (g->min_free_set)
        return g->min_free;
    return kk_field_need(g->sys.disks[g->disk].size, g->quick);
}

/* Check a folder; prints why it is refused. 1 = usable (g->target set). */
static int check_target(guide *g, const char *dir)
{
    char *real = realpath(dir, NULL);
    if (!real) {
        printf("%s ", T("This folder does not exist:"));
        safe(dir);
        fputc('\n', stdout);
        return 0;
    }
    const kk_field_disk *d = &g->sys.disks[g->disk];
    char names[16][KK_FIELD_NAME];
    size_t n = kk_field_path_disks(g->sysfs, real, names, 16);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], d->name)) {
            printf("%s ", T("Refused: this folder is on the disk being examined"));
            printf("(%s/%s). %s\n", g->devdir, d->name,
                   T("Evidence must never be written to the examined disk: choose a USB stick or another disk."));
            free(real);
            return 0;
        }
    if (kk_field_check_writable(real) != KK_OK) {
        printf("%s ", T("Refused: cannot write to this folder:"));
        safe(kk_err_msg());
        fputc('\n', stdout);
        free(real);
        return 0;
    }
    uint64_t fb = 0, need = need_bytes(g);
    char h1[32], h2[32];
    if (kk_field_free_bytes(real, &fb) != KK_OK) {
        safe(kk_err_msg());
        fputc('\n', stdout);
        free(real);
        return 0;
    }
    kk_field_human(need, h1, sizeof h1);
    kk_field_human(fb, h2, sizeof h2);
    printf("%s %s, %s %s\n", T("Free space needed (estimate):"), h1, T("free:"), h2);
    if (fb < need) {
        printf("%s\n", T("Refused: not enough free space. Use a larger USB stick or disk, or free some space."));
        free(real);
        return 0;
    }
    free(g->target);
    g->target = real;
    return 1;
}

static int step_target_dir(guide *g)
{
    rule_line(T("Where to save the results"));
    if (g->target_opt) {
        printf("%s ", T("Folder given with --target:"));
        safe(g->target_opt);
        fputc('\n', stdout);
        if (check_target(g, g->target_opt))
            return KK_EXIT_OK;
    }
    char buf[PATH_MAX];
    for (;;) {
        int r = ask(T("Folder to save the results in (on a USB stick or another disk)"), NULL, buf, sizeof buf);
        if (r == ASK_EOF)
            return aborted();
        if (r == ASK_OK && *buf && check_target(g, buf))
            return KK_EXIT_OK;
    }
}

static int step_target_kit(guide *g)
{
    rule_line(T("Where to save the results"));
    char buf[256];
    for (;;) {
        kk_buf out, err;
        kk_buf_init(&out, 256 * 1024);
        kk_buf_init(&err, 16 * 1024);
        char *argv[] = {(char *)helper_path(), "list", NULL};
        int rc = run_capture(argv, &out, &err);
        kk_field_target *t = NULL;
        size_t nt = 0, bad = 0;
        if (rc == 0)
            kk_field_parse_targets(out.data ? out.data : "", out.len, &t, &nt, &bad);
        else {
            printf("%s ", T("Cannot list the places to save to:"));
            safe(helper_path());
            if (err.len) {
                fputs(": ", stdout);
                char *l = first_line(kk_buf_str(&err));
                safe(l);
                free(l);
            }
            fputc('\n', stdout);
        }
        kk_buf_free(&out);
        kk_buf_free(&err);
        if (bad)
            printf("(%zu %s)\n", bad, T("lines of the target list were not understood and are left out"));
        uint64_t need = need_bytes(g);
        char h1[32], h2[32], h3[32];
        kk_field_human(need, h1, sizeof h1);
        printf("%s %s\n", T("Free space needed (estimate):"), h1);
        for (size_t i = 0; i < nt; i++) {
            kk_field_human(t[i].size, h2, sizeof h2);
            kk_field_human(t[i].free_bytes, h3, sizeof h3);
            printf("  [%zu] %s  %s, %s %s  ", i + 1, t[i].id, h2, T("free"), h3);
            if (t[i].label[0]) {
                fputc('"', stdout);
                safe(t[i].label);
                fputs("\"  ", stdout);
            }
            safe(t[i].desc);
            fputc('\n', stdout);
            printf("      %s\n", t[i].action == KK_TGT_USE      ? T("use as it is (nothing is erased)")
                                 : t[i].action == KK_TGT_CREATE ? T("make a new area KK-EVIDENCE in the free space of "
                                                                    "the kaketsuke stick (nothing is erased)")
                                                                : T("ERASE this disk completely and prepare it for "
                                                                    "the results (KK-EVIDENCE)"));
            if (t[i].free_bytes < need)
                printf("      %s\n", T("too small for this check"));
        }
        if (!nt) {
            printf("%s\n", T("No place to save the results was found. Plug in an empty USB stick (or one with free "
                             "space) and press Enter."));
            int r = ask(T("Press Enter to look again, or type q to stop"), NULL, buf, sizeof buf);
            free(t);
            if (r == ASK_EOF)
                return aborted();
            if (!strcmp(buf, "q") || !strcmp(buf, "Q")) {
                printf("%s\n", T("Stopped. Nothing was written to the disks."));
                return KK_EXIT_USAGE;
            }
            continue;
        }
        int r = ask(T("Number of the place to save to (r = look again)"), "1", buf, sizeof buf);
        if (r == ASK_EOF) {
            free(t);
            return aborted();
        }
        int k = r == ASK_OK ? pick(buf, (int)nt) : 0;
        if (!k) {
            if (strcmp(buf, "r"))
                printf("%s\n", T("Please type one of the numbers shown in [ ]."));
            free(t);
            continue;
        }
        kk_field_target *c = &t[k - 1];
        if (c->free_bytes < need) {
            printf("%s\n", T("Refused: not enough free space. Use a larger USB stick or disk, or free some space."));
            free(t);
            continue;
        }
        if (c->action != KK_TGT_USE) {
            printf("\n%s %s  ", T("You chose:"), c->id);
            safe(c->desc);
            fputc('\n', stdout);
            printf("%s\n", c->action == KK_TGT_FORMAT
                               ? T("Everything on this disk will be ERASED. This cannot be undone.")
                               : T("A new area will be made in the free space of the kaketsuke stick."));
            char prompt[256];
            snprintf(prompt, sizeof prompt, T("To go ahead, type %s (anything else goes back)"), "yes");
            r = ask(prompt, NULL, buf, sizeof buf);
            if (r == ASK_EOF) {
                free(t);
                return aborted();
            }
            if (!is_yes(buf)) {
                printf("%s\n", T("Not confirmed: nothing was changed."));
                free(t);
                continue;
            }
        }
        printf("%s\n", T("Preparing the place to save to..."));
        kk_buf out2, err2;
        kk_buf_init(&out2, 64 * 1024);
        kk_buf_init(&err2, 16 * 1024);
        char *pargv[] = {(char *)helper_path(), "prepare", c->id, NULL};
        rc = run_capture(pargv, &out2, &err2);
        char *mnt = rc == 0 ? first_line(kk_buf_str(&out2)) : NULL;
        if (!mnt || mnt[0] != '/') {
            printf("%s ", T("Could not prepare it:"));
            char *l = first_line(kk_buf_str(&err2));
            safe(l ? l : "?");
            free(l);
            fputc('\n', stdout);
            free(mnt);
            kk_buf_free(&out2);
            kk_buf_free(&err2);
            free(t);
            continue;
        }
        kk_buf_free(&out2);
        kk_buf_free(&err2);
        free(t);
        printf("%s ", T("Saving to:"));
        safe(mnt);
        fputc('\n', stdout);
        int okk = check_target(g, mnt);
        free(mnt);
        if (okk)
            return KK_EXIT_OK;
    }
}

/* A case folder name that is free on the target: CASEID, else CASEID-2, -3 ... */
static int pick_case_dir(guide *g)
{
    for (int i = 1; i < 1000; i++) {
        char *dir = i == 1 ? kk_asprintf("%s/%s", g->target, g->case_id)
                           : kk_asprintf("%s/%s-%d", g->target, g->case_id, i);
        char *zip = kk_asprintf("%s.zip", dir);
        int used = access(dir, F_OK) == 0 || access(zip, F_OK) == 0;
        free(zip);
        if (!used) {
            if (i > 1) {
                printf("%s %s-%d\n", T("That case number is already used on this target; using"), g->case_id, i);
                char id[96];
                snprintf(id, sizeof id, "%.80s-%d", g->case_id, i);
                snprintf(g->case_id, sizeof g->case_id, "%s", id);
            }
            g->case_dir = dir;
            return KK_OK;
        }
        free(dir);
    }
    return KK_EEXIST;
}

/* ---- running the triage ------------------------------------------------------------------------ */

typedef struct prog_state {
    char phase[32];
    kk_field_progress last;
    int have;
    double shown_at;
    int line_open;     /* tty: a progress line without its newline */
    int dirty;         /* last changed since it was shown */
    uint64_t found;
} prog_state;

static const char *phase_title(const char *ph)
{
    if (!strcmp(ph, "scan"))
        return T("Checking the files");
    if (!strcmp(ph, "collect"))
        return T("Copying the important records (logs, registry, found files)");
    if (!strcmp(ph, "report"))
        return T("Writing the report");
    if (!strcmp(ph, "bundle"))
        return T("Sealing the results (signed bundle)");
    return ph;
}

static void fmt_eta(long s, char *out, size_t n)
{
    if (s < 0)
        snprintf(out, n, "%s", T("calculating"));
    else if (s == 0)
        snprintf(out, n, "%s", T("almost done"));
    else if (s >= 3600)
        snprintf(out, n, T("about %ld h %02ld min"), s / 3600, s / 60 % 60);
    else if (s >= 60)
        snprintf(out, n, T("about %ld min %02ld s"), s / 60, s % 60);
    else
        snprintf(out, n, T("about %ld s"), s);
}

static void progress_text(const prog_state *ps, char *out, size_t n)
{
    const kk_field_progress *p = &ps->last;
    char b1[32], b2[32], eta[64];
    switch (p->kind) {
    case KK_PL_SCAN:
        kk_field_human(p->bytes, b1, sizeof b1);
        kk_field_human(p->total_bytes, b2, sizeof b2);
        fmt_eta(p->eta, eta, sizeof eta);
        if (p->totals_known)
            snprintf(out, n, T("%llu of %llu files, %s of %s, %.1f MB/s, time left %s, found %llu"),
                     (unsigned long long)p->files, (unsigned long long)p->total_files, b1, b2, p->rate / 1e6, eta,
                     (unsigned long long)p->findings);
        else
            snprintf(out, n, T("%llu files, %s, %.1f MB/s, time left %s, found %llu"), (unsigned long long)p->files,
                     b1, p->rate / 1e6, eta, (unsigned long long)p->findings);
        break;
    case KK_PL_COLLECT:
        kk_field_human(p->bytes, b1, sizeof b1);
        snprintf(out, n, T("%llu files looked at, %llu copied, %s"), (unsigned long long)p->files,
                 (unsigned long long)p->findings, b1);
        break;
    case KK_PL_PERCENT:
        if (p->percent < 0 || p->total_bytes == 0) {
            out[0] = '\0';
            break;
        }
        kk_field_human(p->bytes, b1, sizeof b1);
        kk_field_human(p->total_bytes, b2, sizeof b2);
        snprintf(out, n, T("%.0f%% (%s of %s)"), p->percent, b1, b2);
        break;
    default:
        out[0] = '\0';
    }
}

static void show_progress(prog_state *ps, int final)
{
    if (!ps->have || (!ps->dirty && !(final && ps->line_open)))
        return;
    ps->dirty = 0;
    char line[512];
    progress_text(ps, line, sizeof line);
    if (!line[0])
        return;
    if (out_tty) {
        fit_cols(line, term_cols() - 3);
        printf("\r  %s\033[K", line);
        ps->line_open = 1;
        if (final) {
            fputc('\n', stdout);
            ps->line_open = 0;
        }
    } else {
        printf("  %s\n", line);
    }
    fflush(stdout);
    ps->shown_at = kk_mono();
    if (final)
        ps->have = 0;
}

static void end_line(prog_state *ps)
{
    if (ps->line_open) {
        fputc('\n', stdout);
        ps->line_open = 0;
    }
}

static void on_line(prog_state *ps, const char *line, size_t n)
{
    kk_field_progress p;
    kk_field_parse_progress(line, n, &p);
    switch (p.kind) {
    case KK_PL_NONE:
        return;
    case KK_PL_PHASE:
        show_progress(ps, 1);
        end_line(ps);
        snprintf(ps->phase, sizeof ps->phase, "%s", p.phase);
        printf("\n%s %s\n", "■", phase_title(p.phase));
        fflush(stdout);
        return;
    case KK_PL_SCAN:
    case KK_PL_COLLECT:
    case KK_PL_PERCENT:
        ps->last = p;
        ps->have = 1;
        ps->dirty = 1;
        if (ps->shown_at == 0 || kk_mono() - ps->shown_at >= (out_tty ? 0.5 : 5.0))
            show_progress(ps, 0);
        return;
    case KK_PL_FOUND:
        ps->found++;
        if (ps->found <= 5) {
            end_line(ps);
            printf("  %s ", T("found:"));
            safe(p.text);
            printf(" (%s %d)\n", T("score"), p.score);
        } else if (ps->found == 6) {
            end_line(ps);
            printf("  %s\n", T("(more findings: see the count on the progress line and the report)"));
        }
        return;
    default:
        end_line(ps);
        fputs("  | ", stdout);
        safe(p.text);
        fputc('\n', stdout);
    }
}

/* The triage as a child on a pseudo-terminal (so it draws its progress line, which is
 * parsed here; its messages in English for the parser). Returns its exit code. */
static int run_triage(guide *g, const char *pass)
{
    /* the program itself; a launcher (the portable build starts the binary through its own
     * loader, so /proc/self/exe is that loader) names itself in KAKETSUKE_SELF */
    char exe[PATH_MAX];
    const char *self = getenv("KAKETSUKE_SELF");
    ssize_t el;
    if (self && *self == '/' && strlen(self) < sizeof exe && access(self, X_OK) == 0)
        el = (ssize_t)strlen(strcpy(exe, self));
    else
        el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (el <= 0) {
        printf("%s\n", T("Cannot find the kaketsuke program itself (/proc/self/exe)."));
        return KK_EXIT_INTERNAL;
    }
    exe[el] = '\0';
    char *argv[16];
    int a = 0;
    argv[a++] = exe;
    argv[a++] = "triage";
    argv[a++] = g->source;
    argv[a++] = "--case";
    argv[a++] = g->case_dir;
    argv[a++] = "--lang";
    argv[a++] = (char *)L;
    if (g->quick)
        argv[a++] = "--quick";
    if (g->key_path) {
        argv[a++] = "--key";
        argv[a++] = g->key_path;
    }
    argv[a] = NULL;
    struct winsize ws = {.ws_row = 40, .ws_col = 400};
    int master = -1;
    fflush(stdout);
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid < 0) {
        printf("%s %s\n", T("Cannot start the check:"), strerror(errno));
        return KK_EXIT_INTERNAL;
    }
    if (pid == 0) {
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0)
            dup2(nul, 1); /* the verdict is read from report.json */
        setenv("LANGUAGE", "en", 1);
        if (pass)
            setenv("KAKETSUKE_KEY_PASS", pass, 1);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execv(exe, argv);
        _exit(127);
    }
    prog_state ps;
    memset(&ps, 0, sizeof ps);
    char lb[4096];
    size_t ll = 0;
    sig_atomic_t sent = 0;
    for (;;) {
        while (sent < signals_seen) {
            if (!sent) {
                end_line(&ps);
                printf("\n%s\n", T("Stopping the check (Ctrl-C)..."));
                fflush(stdout);
            }
            kill(pid, SIGINT);
            sent++;
        }
        struct pollfd pf = {master, POLLIN, 0};
        int pr = poll(&pf, 1, 250);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr > 0) {
            char b[4096];
            ssize_t r = read(master, b, sizeof b);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break; /* EIO: the child has gone */
            for (ssize_t i = 0; i < r; i++) {
                if (b[i] == '\r' || b[i] == '\n') {
                    on_line(&ps, lb, ll);
                    ll = 0;
                } else if (ll < sizeof lb - 1) {
                    lb[ll++] = b[i];
                }
            }
        }
        if (ps.have && kk_mono() - ps.shown_at >= (out_tty ? 0.5 : 5.0))
            show_progress(&ps, 0);
    }
    if (ll)
        on_line(&ps, lb, ll);
    show_progress(&ps, 1);
    end_line(&ps);
    close(master);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st))
        return WEXITSTATUS(st) == 127 ? KK_EXIT_INTERNAL : WEXITSTATUS(st);
    return KK_EXIT_INTERNAL;
}

/* ---- step 6: the result ---------------------------------------------------------------------- */

static const char *verdict_text(const char *v)
{
    if (!v)
        return T("The result could not be read.");
    if (!strcmp(v, "ransomware"))
        return T("This computer was attacked by ransomware: files were encrypted or a ransom note was found.");
    if (!strcmp(v, "compromised"))
        return T("Signs of an attack were found on this computer (malicious programs or attacker tools).");
    if (!strcmp(v, "suspicious"))
        return T("Something suspicious was found. The engineer will look at the details.");
    if (!strcmp(v, "clean"))
        return T("No sign of an attack was found in the places examined.");
    return v;
}

static void show_result(guide *g, int quick)
{
    char *rj = kk_asprintf("%s/report/report.json", g->case_dir);
    json_error_t je;
    json_t *r = rj ? json_load_file(rj, 0, &je) : NULL;
    free(rj);
    rule_line(T("Result"));
    json_t *verdict = json_object_get(r, "verdict");
    printf("%s\n", verdict_text(jstr(verdict, "value")));
    if (quick)
        printf("%s\n", T("(Quick check: only the places attackers use most were examined.)"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(verdict, "reasons"), i, v)
    {
        if (i >= 3)
            break;
        fputs("  - ", stdout);
        safe(jstr(v, "text"));
        fputc('\n', stdout);
    }
    json_t *steps = json_object_get(r, "steps");
    if (json_array_size(steps)) {
        printf("\n%s\n", T("What to do first:"));
        json_array_foreach(steps, i, v)
        {
            if (i >= 5)
                break;
            printf("  %zu. ", i + 1);
            safe(jstr(v, "title"));
            fputc('\n', stdout);
            if (jstr(v, "text")) {
                fputs("     ", stdout);
                safe(jstr(v, "text"));
                fputc('\n', stdout);
            }
        }
    }
    json_decref(r);
}

static void show_bundle(guide *g)
{
    char *zip = kk_asprintf("%s.zip", g->case_dir);
    char *rtxt = kk_asprintf("%s.receipt.txt", g->case_dir);
    char *rpdf = kk_asprintf("%s.receipt.pdf", g->case_dir);
    char sha[65];
    uint64_t size = 0;
    rule_line(T("Where the results are"));
    printf("%s ", T("Case folder:"));
    safe(g->case_dir);
    printf("\n%s ", T("Bundle (send this file to the engineer):"));
    safe(zip);
    printf("\n%s ", T("Receipt:"));
    safe(rtxt);
    fputs(", ", stdout);
    safe(rpdf);
    fputc('\n', stdout);
    if (zip && kk_sha256_file(zip, sha, &size) == KK_OK) {
        printf("\n%s\n", T("Please read these 16 groups of the bundle's SHA-256 to the engineer:"));
        for (int k = 0; k < 16; k++)
            printf("  %2d: %.4s%s", k + 1, sha + 4 * k, k % 4 == 3 ? "\n" : "  ");
        printf("SHA-256: %s\n", sha);
    } else {
        printf("%s ", T("Cannot read the bundle:"));
        safe(kk_err_msg());
        fputc('\n', stdout);
    }
    free(zip);
    free(rtxt);
    free(rpdf);
}

static void offer_poweroff(void)
{
    printf("\n%s\n", T("Everything is saved. You may now turn the computer off and remove the USB sticks."));
    char prompt[256], buf[64];
    snprintf(prompt, sizeof prompt, T("Type %s to turn the computer off now (anything else: leave it on)"), "yes");
    if (ask(prompt, NULL, buf, sizeof buf) != ASK_OK || !is_yes(buf)) {
        printf("%s\n", T("The computer stays on. To turn it off later, hold the power button."));
        return;
    }
    const char *cmd = getenv("KAKETSUKE_POWEROFF_CMD");
    if (!cmd || !*cmd)
        cmd = "systemctl poweroff";
    printf("%s\n", T("Turning the computer off..."));
    fflush(stdout);
    sync();
    char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
    int rc = run_capture(argv, NULL, NULL);
    if (rc != 0)
        printf("%s\n", T("Could not turn the computer off: hold the power button instead."));
}

/* ---- the command ----------------------------------------------------------------------------- */

static int setup_case(guide *g)
{
    kk_case *c = NULL;
    int rc = kk_case_init(g->case_dir, &c);
    if (rc != KK_OK) {
        printf("%s ", T("Cannot create the case folder:"));
        safe(kk_err_msg());
        fputc('\n', stdout);
        return KK_EXIT_INTERNAL;
    }
    char *as[8];
    size_t n = 0;
    as[n++] = kk_asprintf("case_id=%s", g->case_id);
    as[n++] = kk_asprintf("lang=%s", L);
    if (g->client[0])
        as[n++] = kk_asprintf("client=%s", g->client);
    if (g->site[0])
        as[n++] = kk_asprintf("site=%s", g->site);
    rc = kk_case_set(c, (const char *const *)as, n);
    if (rc == KK_OK && (g->operator_[0] || g->phone[0])) {
        char *note = kk_asprintf(T("Guided check started by the person on site: %s, phone %s"),
                                 g->operator_[0] ? g->operator_ : "-", g->phone[0] ? g->phone : "-");
        rc = note ? kk_case_note(c, note, NULL) : KK_ENOMEM;
        free(note);
    }
    if (rc == KK_OK && g->clock_note[0])
        rc = kk_case_note(c, g->clock_note, NULL);
    if (rc == KK_OK) {
        const kk_field_disk *d = &g->sys.disks[g->disk];
        json_t *extra = json_object(); /* model/vendor/target may hold any bytes: kk_jset_str cleans them */
        kk_jset_str(extra, "disk", g->source);
        kk_jset_str(extra, "model", d->model);
        kk_jset_str(extra, "vendor", d->vendor);
        kk_jset_str(extra, "mode", g->quick ? "quick" : "full");
        kk_jset_str(extra, "target", g->target);
        char *argv[] = {"guide", NULL};
        kk_custody_info ci = {.version = KK_VERSION, .command = "guide", .argc = 1, .argv = argv, .extra = extra,
                              .result = "ok"};
        rc = kk_case_log(c, &ci);
        json_decref(extra);
    }
    for (size_t i = 0; i < n; i++)
        free(as[i]);
    if (rc != KK_OK) {
        printf("%s ", T("Cannot write the case details:"));
        safe(kk_err_msg());
        fputc('\n', stdout);
    }
    kk_case_close(c);
    return rc == KK_OK ? KK_EXIT_OK : KK_EXIT_INTERNAL;
}

static void cleanup(guide *g)
{
    kk_field_sys_free(&g->sys);
    free_info(g);
    free(g->kitdev);
    free(g->source);
    free(g->target);
    free(g->case_dir);
    free(g->key_path);
}

int kk_cli_passphrase(const char *prompt, int confirm, char **out); /* cmd_key.c */

int cmd_guide(int argc, char **argv)
{
    enum { O_KIT = 256, O_LANG, O_TARGET, O_DISK, O_QUICK, O_FULL, O_MINFREE, O_KEY };
    static const struct option lo[] = {{"kit", no_argument, NULL, O_KIT},
                                       {"lang", required_argument, NULL, O_LANG},
                                       {"target", required_argument, NULL, O_TARGET},
                                       {"disk", required_argument, NULL, O_DISK},
                                       {"quick", no_argument, NULL, O_QUICK},
                                       {"full", no_argument, NULL, O_FULL},
                                       {"min-free", required_argument, NULL, O_MINFREE},
                                       {"key", required_argument, NULL, O_KEY},
                                       {NULL, 0, NULL, 0}};
    guide g;
    memset(&g, 0, sizeof g);
    g.disk = -1;
    g.quick = -1;
    const char *disk_opt = NULL;
    int c;
    unsigned long long sz;
    optind = 1;
    L = "ja";
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case O_KIT: g.kit = 1; break;
        case O_LANG:
            if (strcmp(optarg, "ja") && strcmp(optarg, "en")) {
                kk_die_msg("guide: --lang must be ja or en");
                return KK_EXIT_USAGE;
            }
            L = !strcmp(optarg, "ja") ? "ja" : "en";
            break;
        case O_TARGET: g.target_opt = optarg; break;
        case O_DISK: disk_opt = optarg; break;
        case O_QUICK: g.quick = 1; break;
        case O_FULL: g.quick = 0; break;
        case O_MINFREE:
            if (kk_parse_size(optarg, &sz) != KK_OK) {
                kk_die_msg("invalid --min-free '%s'", optarg);
                return KK_EXIT_USAGE;
            }
            g.min_free = sz;
            g.min_free_set = 1;
            break;
        case O_KEY: g.key_opt = optarg; break;
        default: return KK_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        kk_die_msg("guide: unexpected argument '%s' (see 'kaketsuke help guide')", argv[optind]);
        return KK_EXIT_USAGE;
    }
    if (g.kit && g.target_opt) {
        kk_die_msg("guide: --target cannot be used with --kit (the kit chooses its targets)");
        return KK_EXIT_USAGE;
    }
    if (kk_i18n_check(L) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        L = "en";
    }
    kk_err_set_translator(guide_tr);
    g.sysfs = getenv("KAKETSUKE_SYSFS") && *getenv("KAKETSUKE_SYSFS") ? getenv("KAKETSUKE_SYSFS") : "/sys";
    g.devdir = getenv("KAKETSUKE_DEVDIR") && *getenv("KAKETSUKE_DEVDIR") ? getenv("KAKETSUKE_DEVDIR") : "/dev";
    out_tty = isatty(1);
    setvbuf(stdout, NULL, _IOLBF, 0);
    install_signals();
    int ex = KK_EXIT_OK;
    char buf[256];

    /* 1. welcome */
    rule_line(T("kaketsuke: guided check"));
    printf("%s\n", T("This guide checks this computer's disk for signs of an attack, step by step."));
    printf("%s\n", T("The disks are only read: nothing on them is changed, and Windows is not started."));
    printf("%s\n", T("The results are saved only where you choose (a USB stick or another disk)."));
    printf("%s\n", T("Answer each question and press Enter. To stop at any time, press Ctrl-C."));
    if (ask(T("Press Enter to start"), NULL, buf, sizeof buf) == ASK_EOF) {
        ex = aborted();
        goto out;
    }

    if (g.kit) {
        kk_buf o;
        kk_buf_init(&o, 4096);
        char *kargv[] = {(char *)helper_path(), "kitdev", NULL};
        if (run_capture(kargv, &o, NULL) == 0)
            g.kitdev = first_line(kk_buf_str(&o));
        kk_buf_free(&o);
    }

    /* 2. disks */
    if ((ex = step_disks(&g, disk_opt)) != KK_EXIT_OK)
        goto out;
    g.source = dev_path(&g, g.sys.disks[g.disk].name);

    /* 3. case details, 4. mode, 5. target */
    if ((ex = step_case(&g)) != KK_EXIT_OK || (ex = step_mode(&g)) != KK_EXIT_OK)
        goto out;
    ex = g.kit ? step_target_kit(&g) : step_target_dir(&g);
    if (ex != KK_EXIT_OK)
        goto out;
    if (pick_case_dir(&g) != KK_OK) {
        printf("%s\n", T("Cannot find a free name for the case folder."));
        ex = KK_EXIT_USAGE;
        goto out;
    }

    /* the signing key: on the evidence target in kit mode (it persists there) */
    if (g.key_opt)
        g.key_path = kk_strdup(g.key_opt);
    else if (g.kit && !(getenv("KAKETSUKE_KEY") && *getenv("KAKETSUKE_KEY")))
        g.key_path = kk_asprintf("%s/kaketsuke-key/signing.key", g.target);
    char *pass = NULL;
    {
        char *kp = kk_key_path(g.key_path);
        if (kp && access(kp, F_OK) == 0 && kk_key_is_encrypted(kp) == 1 && !getenv("KAKETSUKE_KEY_PASS")) {
            if (kk_cli_passphrase(T("Passphrase of the signing key (ask the engineer): "), 0, &pass) != KK_OK ||
                !pass) {
                printf("%s\n", T("The signing key needs a passphrase and none can be asked here (set "
                                 "KAKETSUKE_KEY_PASS)."));
                free(kp);
                ex = KK_EXIT_USAGE;
                goto out;
            }
        }
        free(kp);
    }

    /* confirmation */
    rule_line(T("Ready to start"));
    {
        const kk_field_disk *d = &g.sys.disks[g.disk];
        char hs[32];
        kk_field_human(d->size, hs, sizeof hs);
        printf("  %s %s  %s  ", T("Disk:"), g.source, hs);
        print_model(d);
        printf("\n  %s %s\n", T("Check:"), g.quick ? T("quick") : T("full"));
        printf("  %s ", T("Results go to:"));
        safe(g.case_dir);
        printf("\n  %s ", T("Case number:"));
        safe(g.case_id);
        fputc('\n', stdout);
    }
    for (;;) {
        int r = ask(T("Press Enter to start the check, or type q to stop"), NULL, buf, sizeof buf);
        if (r == ASK_EOF) {
            free(pass);
            ex = aborted();
            goto out;
        }
        if (!strcmp(buf, "q") || !strcmp(buf, "Q")) {
            free(pass);
            printf("%s\n", T("Stopped. Nothing was written to the disks."));
            ex = KK_EXIT_USAGE;
            goto out;
        }
        if (r == ASK_OK && !buf[0])
            break;
    }

    /* 6. run */
    if ((ex = setup_case(&g)) != KK_EXIT_OK) {
        free(pass);
        goto out;
    }
    rule_line(T("Checking"));
    printf("%s\n", T("This can take a while. Please do not remove the USB sticks or turn the computer off."));
    double t0 = kk_mono();
    ex = run_triage(&g, pass);
    if (pass) {
        memset(pass, 0, strlen(pass));
        free(pass);
    }
    sync();
    if (ex >= KK_EXIT_USAGE) {
        printf("\n%s (%s %d)\n", kk_interrupted ? T("The check was stopped before it finished.")
                                               : T("The check could not be finished."),
               T("exit code"), ex);
        printf("%s\n", T("The results are incomplete and no bundle was sealed. Please call the engineer."));
        ex = KK_EXIT_INTERNAL;
        goto out;
    }
    long secs = (long)(kk_mono() - t0);
    printf("\n%s %ld:%02ld\n", T("Finished in (minutes:seconds)"), secs / 60, secs % 60);

    /* 7. the result */
    show_result(&g, g.quick);
    show_bundle(&g);
    if (g.kit)
        offer_poweroff();
    else
        printf("\n%s\n", T("Everything is saved. You may now remove the USB stick (after the computer has "
                           "written everything: wait a few seconds)."));
out:
    cleanup(&g);
    return ex;
}
