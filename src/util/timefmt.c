#include "timefmt.h"

#include <stdio.h>

void kk_time_iso(int64_t sec, uint32_t nsec, char out[KK_TIME_LEN])
{
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, KK_TIME_LEN, "invalid");
        return;
    }
    size_t n = strftime(out, KK_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
    if (nsec && nsec < 1000000000u)
        snprintf(out + n, KK_TIME_LEN - n, ".%09uZ", (unsigned)nsec);
    else
        snprintf(out + n, KK_TIME_LEN - n, "Z");
}

void kk_time_now_iso(char out[KK_TIME_LEN])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    kk_time_iso(ts.tv_sec, 0, out);
}

double kk_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
