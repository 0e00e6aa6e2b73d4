/* evutil.h - small helpers shared by src/evidence/: hashing, safe names for files taken
 * from evidence, ISO 8601 times in a named zone, directories and copies.
 *
 * Safe names: every name that comes from evidence (a path inside an image, the name of a
 * file given to `case add`) is stored under a name built only from the ASCII characters
 * A-Z a-z 0-9 and . _ - + = , @ ~ % ( ) [ ] { } ! # $ & ' and space (not first or last);
 * every other byte (/, \, :, control characters, NUL, non-ASCII, non-UTF-8...) is written
 * %XX. "." and ".." and Windows device names (CON, NUL, COM1...) are escaped too; a
 * component longer than KK_SAFE_MAX is cut and ends with "~" and 16 hex digits of its
 * SHA-256. The original name is always kept in the records (collected.jsonl, case.json,
 * manifest.json). The result never holds '/', so it cannot leave the folder it is put in.
 */
#ifndef KK_EVUTIL_H
#define KK_EVUTIL_H
#include "../util/mem.h"
#include "../util/timefmt.h"

#include <signal.h>
#include <stddef.h>

#include "../util/text.h" /* kk_hex */
#include <stdint.h>

#define KK_SAFE_MAX 120

/* SHA-256 of a buffer as hex. */
void kk_sha256_hex(const void *p, size_t n, char out[65]);

/* Streaming MD5 + SHA-256. */
typedef struct kk_hasher kk_hasher;
kk_hasher *kk_hasher_new(int want_md5);
void kk_hasher_update(kk_hasher *h, const void *p, size_t n);
/* Finish into hex strings (md5 may be NULL) and free h. */
void kk_hasher_final(kk_hasher *h, char sha256[65], char md5[33]);

/* SHA-256 (and size) of a host file, streamed; does not follow a final symlink. */
int kk_sha256_file(const char *path, char out[65], uint64_t *size);

/* One path component made safe (see above). n bytes of s, which may hold NUL. */
int kk_safe_component(kk_buf *out, const char *s, size_t n);
/* A '/'-separated path made safe component by component (empty components dropped;
 * "" becomes "_"); the result is relative and stays below the folder it is joined to. */
int kk_safe_relpath(kk_buf *out, const char *path);
/* Is every component of rel already safe (as kk_safe_component would leave it)? */
int kk_is_safe_relpath(const char *rel);

/* Zone names: "UTC" or an entry of the system zone database (/usr/share/zoneinfo). */
int kk_tz_valid(const char *tz);
/* Parse an ISO 8601 date-time: YYYY-MM-DD[(T| )hh:mm[:ss[.frac]]][Z|+hh[:mm]|-hh[:mm]].
 * Without a zone the time is taken in tz. KK_EINVAL (message set) when malformed. */
int kk_time_parse(const char *s, const char *tz, int64_t *epoch);
/* Format epoch as local time of tz with its offset: "2024-05-01T10:00:00+09:00". */
void kk_time_in_zone(int64_t epoch, const char *tz, char out[KK_TIME_LEN]);
/* Now in tz, as above. */
void kk_time_now_zone(const char *tz, char out[KK_TIME_LEN]);

/* mkdir -p of rel below base (every component must be safe; mode 0755). */
int kk_mkdirs(const char *base, const char *rel);
/* fsync a directory (errors ignored). */
void kk_fsync_dir(const char *dir);
/* Join: "a" + "/" + "b" (caller frees; NULL on out of memory). */
char *kk_join(const char *a, const char *b);

#endif
