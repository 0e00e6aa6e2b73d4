/* bundle.h - seal a case folder into one signed zip, and check such a bundle.
 *
 * Layout (GUIDE §1, docs/evidence.md): at the zip root the case folder's files under
 * their relative paths (case.json, custody.jsonl, findings.jsonl, collected.jsonl,
 * artifacts/..., attachments/..., report/...), except samples/, which is packed as one
 * inner samples.zip whose entries are AES-256 encrypted (password "infected" unless
 * given); signer.pub (PEM public key); manifest.json (members[] with name, size, sha256
 * and, for collected files, source {image, fs_offset, path, inode, deleted, mtime, atime,
 * ctime, crtime}; samples.zip also lists each sample's plaintext SHA-256);
 * manifest.json.sig (raw 64-byte Ed25519 signature over manifest.json); SHA256SUMS
 * (sha256sum -c format: every member, manifest.json, manifest.json.sig, signer.pub).
 *
 * The zip is written to OUTPUT.part (libzip itself writes OUTPUT.part.XXXXXX first),
 * fsync'd, read back and verified, and only then renamed to OUTPUT: an interrupted or
 * failed run never leaves a file named OUTPUT. Symbolic links and special files in the
 * case folder are left out (and reported); names that are not safe (evidence.h rules)
 * are stored under a safe encoding with the original kept in the manifest.
 */
#ifndef KK_BUNDLE_H
#define KK_BUNDLE_H
#include "sign.h"

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define KK_SAMPLE_PASSWORD "infected"

/* phase: "hashing", "writing", "checking", "encrypting"; done/total in bytes */
typedef void (*kk_bundle_progress_fn)(void *ctx, const char *phase, uint64_t done, uint64_t total);

typedef struct kk_bundle_opts {
    const char *case_dir;
    const char *output;               /* FILE.zip */
    int force;                        /* replace an existing FILE.zip (atomically) */
    const kk_key *key;
    const char *sample_password;      /* NULL: "infected" */
    const char *const *recipients;    /* NULL-terminated X.509 PEM files, or NULL: FILE.zip.p7m */
    const char *version;              /* tool version for the manifest and custody log */
    int argc;                         /* the command line, for the custody log */
    char *const *argv;
    kk_bundle_progress_fn progress;   /* may be NULL */
    void *progress_ctx;
    volatile sig_atomic_t *interrupt; /* may be NULL */
} kk_bundle_opts;

typedef struct kk_bundle_result {
    size_t members;                   /* manifest members (samples.zip counts as one) */
    size_t samples;                   /* files inside samples.zip */
    uint64_t bytes;                   /* size of the bundle file */
    char sha256[65];                  /* of the bundle file */
    char fingerprint[65];             /* signer */
    json_t *warnings;                 /* array of strings (files left out, renamed ...) */
    char *p7m;                        /* path of FILE.zip.p7m when recipients were given */
} kk_bundle_result;

/* Seal the case. KK_OK, or an error with a message (the case's custody log records the
 * attempt either way). */
int kk_bundle_create(const kk_bundle_opts *o, kk_bundle_result *res);
void kk_bundle_result_free(kk_bundle_result *res);

typedef struct kk_verify_opts {
    const char *path;                 /* FILE.zip */
    const char *sample_password;      /* NULL: "infected" */
    const char *expect_fingerprint;   /* NULL: any signer (still printed) */
    int skip_samples;                 /* do not open samples.zip */
} kk_verify_opts;

typedef struct kk_verify_result {
    json_t *problems;                 /* [{kind, name, message}] kind: missing, extra,
                                         altered, signature, signer, sums, custody, zip,
                                         samples, name */
    char fingerprint[65];             /* of signer.pub ("" when unreadable) */
    int signature_ok;
    size_t members, samples, custody_entries;
    int samples_checked;              /* inner plaintext hashes were checked */
    json_t *manifest;                 /* parsed manifest (or NULL) */
} kk_verify_result;

/* Check a bundle. KK_OK when it could be examined (problems listed in r->problems, empty
 * when everything is intact); KK_EFORMAT/KK_ENOENT when path is not a zip at all. */
int kk_bundle_verify(const kk_verify_opts *o, kk_verify_result *r);
void kk_verify_result_free(kk_verify_result *r);

/* CMS (PKCS#7) envelope, AES-256-CBC, DER, for one or more X.509 recipients:
 * `openssl cms -decrypt -binary -inform DER -in FILE.zip.p7m -inkey KEY -out FILE.zip`
 * opens it. Output written to out.part, fsync'd, renamed. */
int kk_cms_encrypt(const char *in, const char *out, const char *const *certs);
/* Check that every recipient certificate can be read (before any work is done). */
int kk_cms_check_certs(const char *const *certs);
/* Decrypt with a PEM private key (pass may be NULL) into out (created 0600). */
int kk_cms_decrypt(const char *in, const char *keyfile, const char *pass, const char *out);

#endif
