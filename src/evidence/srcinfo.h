/* srcinfo.h - facts about a source for the case record: format and size (through
 * kk_source_info), the vendor/model/serial of a block device where sysfs tells them, and
 * the SHA-256 of the whole source.
 *
 * kk_source_sha256 hashes what the source holds: for a raw image, a split raw image or a
 * block device, every byte (the same as `sha256sum` of the file or device, or of the
 * concatenated parts); for E01/VMDK/VHD the disk contents the container stores (the same
 * as hashing the output of `ewfexport`/`qemu-img convert -O raw`); for a single file its
 * bytes. A directory cannot be hashed (KK_EUNSUP).
 */
#ifndef KK_SRCINFO_H
#define KK_SRCINFO_H
#include <jansson.h>
#include <signal.h>
#include <stdint.h>

typedef void (*kk_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* progress may be NULL; interrupt may be NULL (else KK_ESTOP when it becomes non-zero). */
int kk_source_sha256(const char *spec, char out[65], uint64_t *size, kk_progress_fn progress,
                     void *ctx, volatile sig_atomic_t *interrupt);
/* {vendor, model, serial} of a block device (NULL when spec is not one or nothing is known). */
json_t *kk_device_identity(const char *spec);

#endif
