/* timefmt.h - ISO 8601 times (UTC, with zone) for every output. */
#ifndef KK_TIMEFMT_H
#define KK_TIMEFMT_H
#include <stdint.h>
#include <time.h>

#define KK_TIME_LEN 40
/* "2024-05-01T12:34:56Z", or with ".123456789" when nsec != 0. */
void kk_time_iso(int64_t sec, uint32_t nsec, char out[KK_TIME_LEN]);
/* Now, as above. */
void kk_time_now_iso(char out[KK_TIME_LEN]);
/* Monotonic seconds. */
double kk_mono(void);

#endif
