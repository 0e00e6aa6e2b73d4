/* replay.c - run a fuzz harness's LLVMFuzzerTestOneInput over saved inputs, without
 * libFuzzer (a plain gcc build, with or without SANITIZE=1): the corpora under
 * tests/fuzz/corpus/ become regression tests (after zstd's tests/fuzz/regression_driver.c).
 *
 *   replay_HARNESS [-q] [-1] PATH...
 *       each PATH is a file or a directory (its files, sorted, recursively, dot files
 *       left out). Each input runs in a child process, so one crash (or failed
 *       invariant, or leak under ASan) does not hide the others; -1 runs them all in
 *       this process instead (for a debugger). Each input's name goes to stderr before
 *       it runs (-q: not); a failing one is named again with how it failed.
 * Ends with "replayed N inputs" (", M failed") on stdout; exit 0 when every input ran
 * cleanly, 1 when one failed, 2 when a path could not be read. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int quiet, in_process;
static unsigned long ran, failed;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *t = realloc(buf, cap * 2);
            if (!t) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = t;
            cap *= 2;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        fprintf(stderr, "replay: cannot read '%s'\n", path);
        return -1;
    }
    /* an exact-size copy, so a sanitizer sees reads past the end of the input */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    if (!quiet)
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    ran++;
    if (in_process) {
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
        return 0;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "replay: fork: %s\n", strerror(errno));
        free(exact);
        return -1;
    }
    if (pid == 0) {
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
        exit(0); /* exit, not _exit: LeakSanitizer checks this input's leaks here */
    }
    free(exact);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(st) || WEXITSTATUS(st) != 0) {
        failed++;
        if (WIFSIGNALED(st))
            fprintf(stderr, "replay: FAILED %s (signal %d)\n", path, WTERMSIG(st));
        else
            fprintf(stderr, "replay: FAILED %s (exit %d)\n", path, WEXITSTATUS(st));
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_path(const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return S_ISREG(st.st_mode) ? run_file(path) : 0;
    if (depth > 8)
        return 0;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot list '%s': %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, a = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == a) {
            a = a ? 2 * a : 64;
            char **t = realloc(names, a * sizeof *t);
            if (!t)
                break;
            names = t;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *p = malloc(len);
        if (p) {
            snprintf(p, len, "%s/%s", path, names[i]);
            if (run_path(p, depth + 1) != 0)
                rc = -1;
            free(p);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (!strcmp(argv[first], "-q"))
            quiet = 1;
        else if (!strcmp(argv[first], "-1"))
            in_process = 1;
        else
            break;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-q] [-1] FILE|DIR...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    int rc = 0;
    for (int i = first; i < argc; i++)
        if (run_path(argv[i], 0) != 0)
            rc = 2;
    if (failed)
        printf("replayed %lu inputs, %lu failed\n", ran, failed);
    else
        printf("replayed %lu inputs\n", ran);
    return rc ? rc : failed ? 1 : 0;
}
