#include "progress.h"
#include "cli.h"
#include "../util/err.h"
#include "../util/mem.h"
#include "../util/text.h"
#include "../util/timefmt.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

struct kk_progress {
    kk_scan_stats *st;
    const char *phase;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    double t0;
};

static void human(double b, char *out, size_t n)
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (b >= 1024 && i < 4) {
        b /= 1024;
        i++;
    }
    snprintf(out, n, i ? "%.1f %s" : "%.0f %s", b, u[i]);
}

#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* translated formats (msgfmt --check) */
static void draw(kk_progress *p)
{
    kk_scan_stats *st = p->st;
    double el = kk_mono() - p->t0;
    uint64_t files = atomic_load(&st->files), bytes = atomic_load(&st->bytes);
    uint64_t tf = atomic_load(&st->total_files), tb = atomic_load(&st->total_bytes);
    int known = atomic_load(&st->total_known);
    char b1[32], b2[32], line[1024], eta[32] = "?";
    human((double)bytes, b1, sizeof b1);
    human((double)tb, b2, sizeof b2);
    double rate = el > 0.5 ? bytes / el : 0;
    if (known && rate > 0 && tb >= bytes) {
        long s = (long)((tb - bytes) / rate);
        snprintf(eta, sizeof eta, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    }
    char cur[512];
    pthread_mutex_lock(&st->mu);
    snprintf(cur, sizeof cur, "%s", st->current);
    pthread_mutex_unlock(&st->mu);
    kk_buf safe;
    kk_buf_init(&safe, 4096);
    kk_term_clean(&safe, cur, strlen(cur));
    char files_s[64];
    if (known)
        snprintf(files_s, sizeof files_s, "%llu/%llu", (unsigned long long)files, (unsigned long long)tf);
    else
        snprintf(files_s, sizeof files_s, "%llu", (unsigned long long)files);
    char bytes_s[96];
    if (known)
        snprintf(bytes_s, sizeof bytes_s, kk_err_tr("%s of %s"), b1, b2);
    else
        snprintf(bytes_s, sizeof bytes_s, "%s", b1);
    int n = snprintf(line, sizeof line, kk_err_tr("%s: %s files, %s, %.1f MiB/s, ETA %s, %llu findings | "),
                     kk_err_tr(p->phase), files_s, bytes_s, rate / 1048576.0, eta,
                     (unsigned long long)(atomic_load(&st->matches) + atomic_load(&st->ioc_hits)));
    struct winsize ws;
    int width = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 ? ws.ws_col : 100;
    const char *c = kk_buf_str(&safe);
    size_t cl = strlen(c);
    int room = width - 1 - n;
    if (room < 0)
        room = 0;
    if ((int)cl > room && room > 3) {
        /* keep the end of the path */
        fprintf(stderr, "\r%s...%s\033[K", line, c + cl - (size_t)(room - 3));
    } else {
        fprintf(stderr, "\r%.*s%.*s\033[K", width - 1, line, room, c);
    }
    fflush(stderr);
    kk_buf_free(&safe);
}

static void *run(void *arg)
{
    kk_progress *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
        if (!p->stop)
            draw(p);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

kk_progress *kk_progress_start(kk_scan_stats *st, const char *phase)
{
    kk_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->st = st;
    p->phase = phase;
    p->t0 = kk_mono();
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->th, NULL, run, p) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

void kk_progress_clear(kk_progress *p)
{
    if (p) {
        pthread_mutex_lock(&p->mu);
        fprintf(stderr, "\r\033[K");
        pthread_mutex_unlock(&p->mu);
    }
}

void kk_progress_note(kk_progress *p, const char *text)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    fprintf(stderr, "\r\033[K");
    kk_print_safe(stderr, text);
    fputc('\n', stderr);
    fflush(stderr);
    pthread_mutex_unlock(&p->mu);
}

void kk_progress_stop(kk_progress *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->th, NULL);
    draw(p);
    fputc('\n', stderr);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

void kk_bytes_progress(void *ctx, uint64_t done, uint64_t total)
{
    kk_line_progress *p = ctx;
    if (!p->on)
        return;
    double now = kk_mono();
    if (now - p->last < 0.25 && done != total)
        return;
    p->last = now;
    if (total)
        fprintf(stderr, "\r%s: %5.1f%%  %llu / %llu MiB\033[K", kk_err_tr(p->what),
                100.0 * (double)done / (double)total, (unsigned long long)(done >> 20),
                (unsigned long long)(total >> 20));
    else
        fprintf(stderr, "\r%s: %llu MiB\033[K", kk_err_tr(p->what), (unsigned long long)(done >> 20));
    fflush(stderr);
}

void kk_line_progress_clear(const kk_line_progress *p)
{
    if (p->on)
        fprintf(stderr, "\r\033[K");
}
