/* verify.c - check a bundle: zip integrity, manifest hashes, SHA256SUMS, the Ed25519
 * signature, the custody chain and the samples inside samples.zip (see bundle.h). */
#include "bundle.h"
#include "custody.h"
#include "evutil.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <zip.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMALL_MAX (256u << 20) /* manifest, custody log, SHA256SUMS held in memory */

static void problem(kk_verify_result *r, const char *kind, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(kk_verify_result *r, const char *kind, const char *name, const char *fmt, ...)
{
    char m[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    json_t *p = json_object();
    json_object_set_new(p, "kind", json_string(kind));
    if (name)
        kk_jset_str(p, "name", name);
    kk_jset_str(p, "message", m);
    json_array_append_new(r->problems, p);
}

typedef struct entry_info {
    int ok;           /* read to the end without error */
    uint64_t size;
    char sha[65];
    char err[256];
} entry_info;

/* Read entry idx fully: hash it, and keep it in mem (when mem != NULL, capped) or copy
 * it to fd (when fd >= 0). */
static void read_entry(zip_t *za, zip_uint64_t idx, kk_buf *mem, int fd, entry_info *ei)
{
    memset(ei, 0, sizeof *ei);
    zip_file_t *zf = zip_fopen_index(za, idx, 0);
    if (!zf) {
        snprintf(ei->err, sizeof ei->err, "%s", zip_strerror(za));
        return;
    }
    kk_hasher *h = kk_hasher_new(0);
    char *buf = malloc(1 << 20);
    if (!h || !buf) {
        snprintf(ei->err, sizeof ei->err, "out of memory");
        zip_fclose(zf);
        free(buf);
        if (h)
            kk_hasher_final(h, ei->sha, NULL);
        return;
    }
    int ok = 1;
    for (;;) {
        zip_int64_t n = zip_fread(zf, buf, 1 << 20);
        if (n < 0) {
            snprintf(ei->err, sizeof ei->err, "%s", zip_file_strerror(zf));
            ok = 0;
            break;
        }
        if (n == 0)
            break;
        kk_hasher_update(h, buf, (size_t)n);
        ei->size += (uint64_t)n;
        if (mem && kk_buf_add(mem, buf, (size_t)n) != KK_OK) {
            snprintf(ei->err, sizeof ei->err, "too large");
            ok = 0;
            break;
        }
        if (fd >= 0) {
            for (zip_int64_t off = 0; off < n;) {
                ssize_t w = write(fd, buf + off, (size_t)(n - off));
                if (w <= 0) {
                    snprintf(ei->err, sizeof ei->err, "cannot write a temporary file: %s",
                             strerror(w < 0 ? errno : ENOSPC));
                    ok = 0;
                    break;
                }
                off += w;
            }
            if (!ok)
                break;
        }
    }
    if (zip_fclose(zf) != 0 && ok) {
        snprintf(ei->err, sizeof ei->err, "read error at the end of the member");
        ok = 0;
    }
    free(buf);
    kk_hasher_final(h, ei->sha, NULL);
    ei->ok = ok;
}

static int valid_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return 0;
    return 1;
}

void kk_verify_result_free(kk_verify_result *r)
{
    json_decref(r->problems);
    json_decref(r->manifest);
    memset(r, 0, sizeof *r);
}

static void check_samples(const kk_verify_opts *o, kk_verify_result *r, zip_t *za, zip_uint64_t idx,
                          json_t *samples)
{
    char tmpl[] = "/tmp/kaketsuke-samples-XXXXXX";
    const char *td = getenv("TMPDIR");
    char *path = td && *td ? kk_asprintf("%s/kaketsuke-samples-XXXXXX", td) : kk_strdup(tmpl);
    int fd = path ? mkostemp(path, O_CLOEXEC) : -1;
    if (fd < 0) {
        problem(r, "samples", "samples.zip", "cannot open samples.zip for checking: no temporary file");
        free(path);
        return;
    }
    entry_info ei;
    read_entry(za, idx, NULL, fd, &ei);
    close(fd);
    if (!ei.ok) {
        unlink(path);
        free(path);
        return; /* reported by the member check */
    }
    int err = 0;
    zip_t *in = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!in) {
        problem(r, "samples", "samples.zip", "samples.zip is not a readable zip");
        unlink(path);
        free(path);
        return;
    }
    zip_set_default_password(in, o->sample_password && *o->sample_password ? o->sample_password
                                                                             : KK_SAMPLE_PASSWORD);
    zip_int64_t n = zip_get_num_entries(in, 0);
    char *seen = kk_calloc((size_t)(n > 0 ? n : 1), 1);
    size_t i;
    json_t *s;
    int pw_bad = 0;
    json_array_foreach(samples, i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));
        const char *want = json_string_value(json_object_get(s, "sha256"));
        if (!name || !want) {
            problem(r, "samples", "samples.zip", "a sample record has no name or sha256");
            continue;
        }
        zip_int64_t k = zip_name_locate(in, name, ZIP_FL_ENC_RAW);
        if (k < 0) {
            problem(r, "missing", name, "sample '%s' listed in the manifest is not in samples.zip", name);
            continue;
        }
        if (seen)
            seen[k] = 1;
        read_entry(in, (zip_uint64_t)k, NULL, -1, &ei);
        if (!ei.ok) {
            if (strstr(ei.err, "assword"))
                pw_bad = 1;
            else
                problem(r, "altered", name, "sample '%s' in samples.zip cannot be read: %s", name, ei.err);
            continue;
        }
        r->samples++;
        if (strcmp(ei.sha, want) || (json_is_integer(json_object_get(s, "size")) &&
                                     (uint64_t)json_integer_value(json_object_get(s, "size")) != ei.size))
            problem(r, "altered", name, "sample '%s' in samples.zip differs from the manifest", name);
    }
    if (pw_bad)
        problem(r, "samples", "samples.zip", "wrong sample password: the samples could not be checked "
                "(give it with --sample-password)");
    for (zip_int64_t k = 0; k < n; k++) {
        if (seen && seen[k])
            continue;
        const char *nm = zip_get_name(in, (zip_uint64_t)k, ZIP_FL_ENC_RAW);
        problem(r, "extra", nm ? nm : "?", "samples.zip holds '%s', which the manifest does not list",
                nm ? nm : "?");
    }
    r->samples_checked = !pw_bad;
    free(seen);
    zip_discard(in);
    unlink(path);
    free(path);
}

int kk_bundle_verify(const kk_verify_opts *o, kk_verify_result *r)
{
    memset(r, 0, sizeof *r);
    r->problems = json_array();
    int fd = open(o->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open bundle '%s': %s", o->path,
                          strerror(errno));
    unsigned char magic[4] = {0};
    ssize_t mn = read(fd, magic, 4);
    close(fd);
    int err = 0;
    zip_t *za = zip_open(o->path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        char m[256];
        snprintf(m, sizeof m, "%s", zip_error_strerror(&ze));
        zip_error_fini(&ze);
        if (mn == 4 && !memcmp(magic, "PK\x03\x04", 4) && err != ZIP_ER_NOZIP) {
            problem(r, "zip", NULL, "the zip structure is damaged: %s", m);
            return KK_OK;
        }
        return kk_err_set(KK_EFORMAT, "'%s' is not a bundle (not a zip file: %s)", o->path, m);
    }
    zip_int64_t n = zip_get_num_entries(za, 0);
    char *seen = kk_calloc((size_t)(n > 0 ? n : 1), 1);
    entry_info *info = kk_calloc((size_t)(n > 0 ? n : 1), sizeof *info);
    char *done = kk_calloc((size_t)(n > 0 ? n : 1), 1);
    kk_buf mbuf, sigbuf, pubbuf, sumbuf, cbuf;
    kk_buf_init(&mbuf, SMALL_MAX);
    kk_buf_init(&sigbuf, 4096);
    kk_buf_init(&pubbuf, 65536);
    kk_buf_init(&sumbuf, SMALL_MAX);
    kk_buf_init(&cbuf, SMALL_MAX);
    if (!seen || !info || !done) {
        zip_discard(za);
        free(seen);
        free(info);
        free(done);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    /* duplicate names: a forged zip could hide a second copy behind the first */
    for (zip_int64_t i = 0; i < n; i++) {
        const char *nm = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
        zip_int64_t k = nm ? zip_name_locate(za, nm, ZIP_FL_ENC_RAW) : -1;
        if (nm && k != i)
            problem(r, "extra", nm, "'%s' is stored twice in the zip", nm);
    }
    struct { const char *name; kk_buf *b; } small[] = {
        {"manifest.json", &mbuf}, {"manifest.json.sig", &sigbuf}, {"signer.pub", &pubbuf},
        {"SHA256SUMS", &sumbuf}, {"custody.jsonl", &cbuf}};
    int have[5] = {0};
    for (int i = 0; i < 5; i++) {
        zip_int64_t k = zip_name_locate(za, small[i].name, ZIP_FL_ENC_RAW);
        if (k < 0)
            continue;
        read_entry(za, (zip_uint64_t)k, small[i].b, -1, &info[k]);
        done[k] = 1;
        have[i] = info[k].ok;
        if (!info[k].ok)
            problem(r, "altered", small[i].name, "'%s' cannot be read: %s", small[i].name, info[k].err);
    }
    /* signature */
    if (!have[0] && zip_name_locate(za, "manifest.json", ZIP_FL_ENC_RAW) < 0)
        problem(r, "missing", "manifest.json", "manifest.json is missing: this is not a complete bundle");
    if (!have[1] && zip_name_locate(za, "manifest.json.sig", ZIP_FL_ENC_RAW) < 0)
        problem(r, "missing", "manifest.json.sig", "the signature manifest.json.sig is missing");
    if (!have[2] && zip_name_locate(za, "signer.pub", ZIP_FL_ENC_RAW) < 0)
        problem(r, "missing", "signer.pub", "the public key signer.pub is missing");
    if (have[0] && have[1] && have[2]) {
        int rc = kk_sig_verify(pubbuf.data, pubbuf.len, mbuf.data, mbuf.len, (unsigned char *)sigbuf.data,
                               sigbuf.len, r->fingerprint);
        if (rc == KK_OK)
            r->signature_ok = 1;
        else if (rc == KK_EINVAL)
            problem(r, "signature", "manifest.json", "the signature does not match: manifest.json or "
                    "manifest.json.sig was altered, or signer.pub was replaced");
        else
            problem(r, "signature", "signer.pub", "%s", kk_err_msg());
        if (r->fingerprint[0] && o->expect_fingerprint && *o->expect_fingerprint &&
            strcasecmp(r->fingerprint, o->expect_fingerprint))
            problem(r, "signer", "signer.pub", "signed by key %s, not by the expected %s", r->fingerprint,
                    o->expect_fingerprint);
    }
    /* manifest */
    json_t *members = NULL;
    if (have[0]) {
        json_error_t je;
        r->manifest = json_loadb(mbuf.data ? mbuf.data : "", mbuf.len, JSON_REJECT_DUPLICATES, &je);
        members = json_object_get(r->manifest, "members");
        if (!json_is_array(members)) {
            problem(r, "altered", "manifest.json", "manifest.json is not a valid manifest");
            members = NULL;
        }
        const char *fpr = json_string_value(json_object_get(json_object_get(r->manifest, "signer"), "fingerprint"));
        if (r->fingerprint[0] && fpr && strcmp(fpr, r->fingerprint))
            problem(r, "signer", "signer.pub", "signer.pub (%s) is not the key named in the manifest (%s)",
                    r->fingerprint, fpr);
    }
    for (int i = 0; i < 5; i++) {
        zip_int64_t k = zip_name_locate(za, small[i].name, ZIP_FL_ENC_RAW);
        if (k >= 0 && i < 4)
            seen[k] = 1; /* the three sealing files and SHA256SUMS are not manifest members */
    }
    json_t *samples_rec = NULL;
    zip_int64_t samples_idx = -1;
    size_t i;
    json_t *m;
    json_array_foreach(members, i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        const char *want = json_string_value(json_object_get(m, "sha256"));
        if (!name || !valid_hex64(want)) {
            problem(r, "altered", "manifest.json", "member %zu of the manifest has no valid name or sha256", i + 1);
            continue;
        }
        if (!kk_is_safe_relpath(name))
            problem(r, "name", name, "member name '%s' is not a safe name", name);
        r->members++;
        zip_int64_t k = zip_name_locate(za, name, ZIP_FL_ENC_RAW);
        if (k < 0) {
            problem(r, "missing", name, "'%s' is listed in the manifest but missing from the bundle", name);
            continue;
        }
        seen[k] = 1;
        if (!done[k]) {
            read_entry(za, (zip_uint64_t)k, NULL, -1, &info[k]);
            done[k] = 1;
            if (!info[k].ok) {
                problem(r, "altered", name, "'%s' cannot be read (%s): altered or damaged", name, info[k].err);
                continue;
            }
        } else if (!info[k].ok) {
            continue;
        }
        json_t *sz = json_object_get(m, "size");
        if (strcmp(info[k].sha, want) || (json_is_integer(sz) && (uint64_t)json_integer_value(sz) != info[k].size))
            problem(r, "altered", name, "'%s' was altered: its SHA-256 or size differs from the manifest", name);
        else if (!strcmp(name, "samples.zip") && json_is_array(json_object_get(m, "samples"))) {
            samples_rec = json_object_get(m, "samples");
            samples_idx = k;
        }
    }
    for (zip_int64_t k = 0; k < n; k++) {
        if (seen[k])
            continue;
        const char *nm = zip_get_name(za, (zip_uint64_t)k, ZIP_FL_ENC_RAW);
        if (members)
            problem(r, "extra", nm ? nm : "?", "'%s' is in the bundle but not in the manifest", nm ? nm : "?");
    }
    /* SHA256SUMS */
    if (!have[3]) {
        if (zip_name_locate(za, "SHA256SUMS", ZIP_FL_ENC_RAW) < 0)
            problem(r, "missing", "SHA256SUMS", "SHA256SUMS is missing");
    } else {
        char *text = kk_buf_steal(&sumbuf);
        char *save = NULL;
        char *listed = kk_calloc((size_t)(n > 0 ? n : 1), 1);
        size_t line = 0;
        for (char *l = strtok_r(text ? text : (char *)"", "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            line++;
            if (strlen(l) < 67 || l[64] != ' ' || (l[65] != ' ' && l[65] != '*')) {
                problem(r, "sums", "SHA256SUMS", "SHA256SUMS line %zu is malformed", line);
                continue;
            }
            l[64] = '\0';
            const char *name = l + 66;
            zip_int64_t k = zip_name_locate(za, name, ZIP_FL_ENC_RAW);
            if (k < 0) {
                /* reported once: by the manifest check when the manifest lists it */
                int in_manifest = !strcmp(name, "manifest.json") || !strcmp(name, "manifest.json.sig") ||
                                  !strcmp(name, "signer.pub");
                json_t *x;
                size_t j;
                json_array_foreach(members, j, x)
                {
                    const char *mn2 = json_string_value(json_object_get(x, "name"));
                    if (mn2 && !strcmp(mn2, name))
                        in_manifest = 1;
                }
                if (!in_manifest)
                    problem(r, "missing", name, "'%s' is listed in SHA256SUMS but missing from the bundle", name);
                continue;
            }
            if (listed)
                listed[k] = 1;
            if (!done[k]) {
                read_entry(za, (zip_uint64_t)k, NULL, -1, &info[k]);
                done[k] = 1;
                if (!info[k].ok)
                    problem(r, "altered", name, "'%s' cannot be read (%s): altered or damaged", name, info[k].err);
            }
            if (info[k].ok && strcmp(info[k].sha, l))
                problem(r, "sums", name, "SHA256SUMS gives another SHA-256 for '%s'", name);
        }
        for (zip_int64_t k = 0; listed && k < n; k++) {
            const char *nm = zip_get_name(za, (zip_uint64_t)k, ZIP_FL_ENC_RAW);
            if (!listed[k] && nm && strcmp(nm, "SHA256SUMS"))
                problem(r, "sums", nm, "'%s' is not listed in SHA256SUMS", nm);
        }
        free(listed);
        free(text);
    }
    /* custody chain */
    if (have[4]) {
        kk_custody_check chk;
        kk_custody_check_buf(cbuf.data ? cbuf.data : "", cbuf.len, &chk);
        r->custody_entries = chk.entries;
        if (chk.bad_line)
            problem(r, "custody", "custody.jsonl", "the custody chain is broken: %s", chk.problem);
        json_t *cj = json_object_get(r->manifest, "custody");
        const char *head = json_string_value(json_object_get(cj, "head_sha256"));
        json_int_t ent = json_integer_value(json_object_get(cj, "entries"));
        if (cj && !chk.bad_line && (!head || strcmp(head, chk.head) || (size_t)ent != chk.entries))
            problem(r, "custody", "custody.jsonl", "the custody log does not end where the manifest says "
                    "(%zu entries, manifest: %lld)", chk.entries, (long long)ent);
    } else if (zip_name_locate(za, "custody.jsonl", ZIP_FL_ENC_RAW) < 0) {
        problem(r, "missing", "custody.jsonl", "the custody log custody.jsonl is missing");
    }
    if (samples_rec && !o->skip_samples)
        check_samples(o, r, za, (zip_uint64_t)samples_idx, samples_rec);
    zip_discard(za);
    free(seen);
    free(info);
    free(done);
    kk_buf_free(&mbuf);
    kk_buf_free(&sigbuf);
    kk_buf_free(&pubbuf);
    kk_buf_free(&sumbuf);
    kk_buf_free(&cbuf);
    return KK_OK;
}
