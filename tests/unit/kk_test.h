/* kk_test.h - what the unit tests share: cmocka with fail_msg() printed as a TAP comment
 * (tests/run shows why a test failed), temporary folders, and fork() for risky parts.
 * Include it first in a test file. */
#ifndef KK_TEST_H
#define KK_TEST_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#undef fail_msg
#define fail_msg(msg, ...)                                  \
    do {                                                    \
        print_message("# " msg "\n", ##__VA_ARGS__);       \
        fail();                                             \
    } while (0)

#include "util/mem.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static inline int kk_test_rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR)
        chmod(p, 0700);
    return remove(p);
}

/* Remove a folder made by make_tmpdir() (also unreadable parts) and free its name. */
static inline void rm_tree(char *d)
{
    if (d) {
        char *cmd = kk_asprintf("chmod -R u+rwx '%s' 2>/dev/null", d);
        if (cmd && system(cmd) != 0) { /* best effort */ }
        free(cmd);
        nftw(d, kk_test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    }
    free(d);
}

/* A new empty folder (canonical path, mode 0755 so an unprivileged child can enter). */
static inline char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/kk-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    chmod(d, 0755);
    char *r = realpath(d, NULL);
    assert_non_null(r);
    return r;
}

static inline void make_dir(const char *dir, const char *rel)
{
    char *p = kk_asprintf("%s/%s", dir, rel);
    assert_int_equal(mkdir(p, 0755), 0);
    free(p);
}

/* fork() for a risky part of a test: the child gets the default signal handlers back so
 * a crash is seen by the parent (cmocka traps them otherwise). */
static inline pid_t fork_child(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGABRT};
        for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
            signal(sigs[i], SIG_DFL);
    }
    return pid;
}

#endif
