/* targets.h - artifact targets: what `collect` copies out of a source.
 *
 * Targets are data files (signatures/targets/ *.target, docs/evidence.md), not code:
 *
 *     # comment
 *     target: windows-registry
 *     description: Registry hives of the system and of every user
 *     os: windows                 (windows | linux | any)
 *     category: registry
 *     path: /Windows/System32/config/SYSTEM
 *     path: /Users/ * /NTUSER.DAT          (without the spaces)
 *     path: /Windows/System32/winevt/Logs/ *.evtx
 *     path: /home/ ** /.bash_history
 *
 * A file may hold several targets; each starts with a `target:` line. Patterns are
 * absolute, '/'-separated paths in the file system of the volume; a component is an
 * fnmatch(3) glob (* ? [...]), and a component that is exactly ** matches zero or more
 * directories. NTFS alternate data streams are written path:stream ($UsnJrnl:$J).
 * Matching is case-insensitive for os: windows targets and on NTFS/FAT/exFAT volumes.
 */
#ifndef KK_TARGETS_H
#define KK_TARGETS_H
#include <stddef.h>

typedef struct kk_target {
    char *name;
    char *description;
    char *os;        /* windows, linux, any */
    char *category;
    char **paths;
    size_t npaths;
    char *file;      /* where it was defined */
    int selected;
} kk_target;

typedef struct kk_targets {
    kk_target *v;
    size_t n;
} kk_targets;

/* Load every *.target file below dir (sorted by name); KK_EFORMAT with file:line on errors. */
int kk_targets_load(const char *dir, kk_targets **out);
/* Parse one file's text into t (appends). */
int kk_targets_parse(kk_targets *t, const char *text, const char *file);
void kk_targets_free(kk_targets *t);

/* Select by a comma-separated list of target names, OS names (windows, linux), "all" and
 * "none". Words that are not targets are refused (KK_EINVAL), except those in extra
 * (NULL-terminated, e.g. "matched"), which set the matching flag in *extra_set. */
int kk_targets_select(kk_targets *t, const char *list, const char *const *extra, int *extra_set);

/* Does the glob pattern match path? fold: ASCII case-insensitive. */
int kk_glob_match(const char *pattern, const char *path, int fold);
/* The first selected target that matches path (NULL: none). windows_volume: the file lies
 * on an NTFS/FAT/exFAT volume (case-insensitive matching for every target). */
const kk_target *kk_targets_match(const kk_targets *t, const char *path, int windows_volume);

#endif
