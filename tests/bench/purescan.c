/* purescan.c - the pure-scan bound for `make bench`: libyara alone over the same bytes,
 * already in memory, with N threads (no reading, hashing, typing or output).
 * usage: purescan RULES.yarc THREADS FILE...   prints seconds on stdout. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <yara.h>

typedef struct blob { unsigned char *p; size_t n; } blob;
static blob *blobs;
static size_t nblobs;
static atomic_size_t next;
static YR_RULES *rules;

static int cb(YR_SCAN_CONTEXT *c, int m, void *d, void *u) { (void)c; (void)m; (void)d; (void)u; return CALLBACK_CONTINUE; }

static void *run(void *arg)
{
    (void)arg;
    YR_SCANNER *s;
    if (yr_scanner_create(rules, &s) != ERROR_SUCCESS)
        return NULL;
    yr_scanner_set_callback(s, cb, NULL);
    size_t i;
    while ((i = atomic_fetch_add(&next, 1)) < nblobs)
        yr_scanner_scan_mem(s, blobs[i].p, blobs[i].n);
    yr_scanner_destroy(s);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: purescan RULES.yarc THREADS FILE...\n");
        return 2;
    }
    yr_initialize();
    if (yr_rules_load(argv[1], &rules) != ERROR_SUCCESS) {
        fprintf(stderr, "purescan: cannot load %s\n", argv[1]);
        return 2;
    }
    int nt = atoi(argv[2]);
    nblobs = (size_t)(argc - 3);
    blobs = calloc(nblobs, sizeof *blobs);
    for (size_t i = 0; i < nblobs; i++) {
        FILE *f = fopen(argv[3 + i], "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        rewind(f);
        blobs[i].p = malloc(n > 0 ? (size_t)n : 1);
        blobs[i].n = fread(blobs[i].p, 1, (size_t)(n > 0 ? n : 0), f);
        fclose(f);
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pthread_t th[64];
    for (int i = 0; i < nt && i < 64; i++)
        pthread_create(&th[i], NULL, run, NULL);
    for (int i = 0; i < nt && i < 64; i++)
        pthread_join(th[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.3f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    yr_rules_destroy(rules);
    yr_finalize();
    return 0;
}
