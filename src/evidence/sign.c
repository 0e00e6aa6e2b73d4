/* sign.c - Ed25519 keys and signatures through OpenSSL (see sign.h). */
#include "sign.h"
#include "evutil.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct kk_key {
    EVP_PKEY *pk;
};

static const char *ossl_msg(void)
{
    static _Thread_local char m[256];
    unsigned long e = ERR_get_error();
    if (!e)
        return "unknown error";
    ERR_error_string_n(e, m, sizeof m);
    ERR_clear_error();
    return m;
}

char *kk_key_path(const char *explicit_path)
{
    if (explicit_path && *explicit_path)
        return kk_strdup(explicit_path);
    const char *env = getenv("KAKETSUKE_KEY");
    if (env && *env)
        return kk_strdup(env);
    const char *home = getenv("HOME");
    if (!home || !*home) {
        kk_err_set(KK_EINVAL, "no signing key: HOME is not set (use --key FILE or KAKETSUKE_KEY)");
        return NULL;
    }
    return kk_asprintf("%s/.config/kaketsuke/signing.key", home);
}

static int mkparents(const char *path)
{
    char *p = kk_strdup(path);
    if (!p)
        return kk_err_set(KK_ENOMEM, "out of memory");
    for (char *q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            int rc = kk_err_set(KK_EIO, "cannot create folder '%s': %s", p, strerror(errno));
            free(p);
            return rc;
        }
        *q = '/';
    }
    free(p);
    return KK_OK;
}

int kk_key_generate(const char *path, const char *pass, int force, kk_key **out)
{
    struct stat st;
    if (!force && lstat(path, &st) == 0)
        return kk_err_set(KK_EEXIST, "signing key '%s' already exists (use --force to replace it; the "
                          "old key's bundles then no longer match this key)", path);
    KK_TRY(mkparents(path));
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &pk) <= 0) {
        EVP_PKEY_CTX_free(ctx);
        return kk_err_set(KK_EINTERNAL, "cannot create an Ed25519 key: %s", ossl_msg());
    }
    EVP_PKEY_CTX_free(ctx);
    char *tmp = kk_asprintf("%s.kk-tmp-XXXXXX", path);
    if (!tmp) {
        EVP_PKEY_free(pk);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int rc = kk_err_set(KK_EIO, "cannot write signing key '%s': %s", path, strerror(errno));
        free(tmp);
        EVP_PKEY_free(pk);
        return rc;
    }
    fchmod(fd, 0600);
    FILE *f = fdopen(fd, "w");
    int ok = f != NULL;
    if (ok) {
        if (pass && *pass)
            ok = PEM_write_PKCS8PrivateKey(f, pk, EVP_aes_256_cbc(), pass, (int)strlen(pass), NULL, NULL) == 1;
        else
            ok = PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) == 1;
        ok = ok && fflush(f) == 0 && fsync(fd) == 0;
        ok = (fclose(f) == 0) && ok;
    } else {
        close(fd);
    }
    if (!ok || rename(tmp, path) != 0) {
        int rc = kk_err_set(KK_EIO, "cannot write signing key '%s': %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        EVP_PKEY_free(pk);
        return rc;
    }
    free(tmp);
    if (out) {
        *out = kk_calloc(1, sizeof **out);
        if (!*out) {
            EVP_PKEY_free(pk);
            return kk_err_set(KK_ENOMEM, "out of memory");
        }
        (*out)->pk = pk;
    } else {
        EVP_PKEY_free(pk);
    }
    return KK_OK;
}

int kk_key_is_encrypted(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open signing key '%s': %s", path,
                          strerror(errno));
    char line[256];
    int enc = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, "-----BEGIN ENCRYPTED PRIVATE KEY-----") || strstr(line, "Proc-Type: 4,ENCRYPTED"))
            enc = 1;
    fclose(f);
    return enc;
}

typedef struct pw_ctx {
    const char *pass;
    int asked;
} pw_ctx;

static int pw_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    pw_ctx *p = u;
    p->asked = 1;
    if (!p->pass)
        return -1;
    int n = (int)strlen(p->pass);
    if (n > size)
        n = size;
    memcpy(buf, p->pass, (size_t)n);
    return n;
}

int kk_key_load(const char *path, const char *pass, kk_key **out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO,
                          errno == ENOENT ? "no signing key at '%s': create one with 'kaketsuke key new' "
                                            "(or give --key FILE / KAKETSUKE_KEY)"
                                          : "cannot open signing key '%s': %s",
                          path, strerror(errno));
    pw_ctx pc = {pass, 0};
    EVP_PKEY *pk = PEM_read_PrivateKey(f, NULL, pw_cb, &pc);
    fclose(f);
    if (!pk) {
        ERR_clear_error();
        if (pc.asked && !pass)
            return kk_err_set(KK_EINVAL, "signing key '%s' is protected by a passphrase: run on a "
                              "terminal or set KAKETSUKE_KEY_PASS", path);
        if (pc.asked)
            return kk_err_set(KK_EINVAL, "cannot open signing key '%s': wrong passphrase", path);
        return kk_err_set(KK_EFORMAT, "cannot read signing key '%s': not a PEM private key", path);
    }
    if (EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pk);
        return kk_err_set(KK_EFORMAT, "signing key '%s' is not an Ed25519 key", path);
    }
    *out = kk_calloc(1, sizeof **out);
    if (!*out) {
        EVP_PKEY_free(pk);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    (*out)->pk = pk;
    return KK_OK;
}

void kk_key_free(kk_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pk);
    free(k);
}

static void fpr_of(EVP_PKEY *pk, char out[65])
{
    unsigned char raw[32];
    size_t n = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(pk, raw, &n) != 1 || n != 32) {
        ERR_clear_error();
        snprintf(out, 65, "unknown");
        return;
    }
    kk_sha256_hex(raw, 32, out);
}

void kk_key_fingerprint(const kk_key *k, char out[65]) { fpr_of(k->pk, out); }

char *kk_key_public_pem(const kk_key *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b || PEM_write_bio_PUBKEY(b, k->pk) != 1) {
        BIO_free(b);
        ERR_clear_error();
        return NULL;
    }
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *s = n > 0 ? kk_strndup(data, (size_t)n) : NULL;
    BIO_free(b);
    return s;
}

int kk_key_sign(const kk_key *k, const void *msg, size_t n, unsigned char sig[64])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t sl = 64;
    int ok = c && EVP_DigestSignInit(c, NULL, NULL, NULL, k->pk) == 1 &&
             EVP_DigestSign(c, sig, &sl, msg, n) == 1 && sl == 64;
    EVP_MD_CTX_free(c);
    if (!ok)
        return kk_err_set(KK_EINTERNAL, "cannot sign: %s", ossl_msg());
    return KK_OK;
}

int kk_sig_verify(const char *pub_pem, size_t pem_len, const void *msg, size_t n,
                  const unsigned char *sig, size_t siglen, char fpr[65])
{
    if (fpr)
        fpr[0] = '\0';
    BIO *b = BIO_new_mem_buf(pub_pem, (int)pem_len);
    EVP_PKEY *pk = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!pk) {
        ERR_clear_error();
        return kk_err_set(KK_EFORMAT, "signer.pub is not a PEM public key");
    }
    if (EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pk);
        return kk_err_set(KK_EFORMAT, "signer.pub is not an Ed25519 public key");
    }
    if (fpr)
        fpr_of(pk, fpr);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && siglen == 64 && EVP_DigestVerifyInit(c, NULL, NULL, NULL, pk) == 1 &&
             EVP_DigestVerify(c, sig, siglen, msg, n) == 1;
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(pk);
    ERR_clear_error();
    return ok ? KK_OK : kk_err_set(KK_EINVAL, "the signature manifest.json.sig does not match manifest.json");
}
