/* cms.c - encrypt a bundle to X.509 recipients (CMS EnvelopedData, AES-256-CBC, DER),
 * and decrypt it again (see bundle.h). */
#include "bundle.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ossl(void)
{
    static _Thread_local char m[256];
    unsigned long e = ERR_peek_last_error();
    if (!e)
        return "unknown error";
    ERR_error_string_n(e, m, sizeof m);
    ERR_clear_error();
    return m;
}

int kk_cms_check_certs(const char *const *certs)
{
    for (size_t i = 0; certs && certs[i]; i++) {
        FILE *f = fopen(certs[i], "r");
        X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
        if (f)
            fclose(f);
        if (!x) {
            ERR_clear_error();
            return f ? kk_err_set(KK_EINVAL, "cannot read recipient certificate '%s': not a PEM X.509 "
                                  "certificate", certs[i])
                     : kk_err_set(KK_ENOENT, "cannot open recipient certificate '%s': %s", certs[i],
                                  strerror(errno));
        }
        X509_free(x);
    }
    return KK_OK;
}

int kk_cms_encrypt(const char *in, const char *out, const char *const *certs)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    if (!sk)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int rc = KK_OK;
    for (size_t i = 0; certs[i]; i++) {
        FILE *f = fopen(certs[i], "r");
        X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
        if (f)
            fclose(f);
        if (!x) {
            rc = f ? kk_err_set(KK_EINVAL, "cannot read recipient certificate '%s': not a PEM X.509 "
                                "certificate (%s)", certs[i], ossl())
                   : kk_err_set(KK_ENOENT, "cannot open recipient certificate '%s': %s", certs[i],
                                strerror(errno));
            goto out_sk;
        }
        sk_X509_push(sk, x);
    }
    char *tmp = kk_asprintf("%s.part", out);
    BIO *bin = BIO_new_file(in, "rb");
    BIO *bout = tmp ? BIO_new_file(tmp, "wb") : NULL;
    if (!bin || !bout) {
        rc = kk_err_set(KK_EIO, "cannot %s '%s': %s", !bin ? "read" : "create", !bin ? in : (tmp ? tmp : out),
                        strerror(errno));
        goto out;
    }
    int flags = CMS_BINARY | CMS_STREAM;
    CMS_ContentInfo *cms = CMS_encrypt(sk, bin, EVP_aes_256_cbc(), flags);
    if (!cms) {
        rc = kk_err_set(KK_EINVAL, "cannot encrypt to the recipient certificate: %s", ossl());
        goto out;
    }
    if (i2d_CMS_bio_stream(bout, cms, bin, flags) != 1 || BIO_flush(bout) != 1)
        rc = kk_err_set(KK_EIO, "cannot write '%s': %s", tmp, ossl());
    CMS_ContentInfo_free(cms);
out:
    BIO_free(bin);
    if (bout)
        BIO_free(bout);
    if (rc == KK_OK) {
        int fd = open(tmp, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0)
            rc = kk_err_set(KK_EIO, "cannot write '%s': %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    if (rc == KK_OK && rename(tmp, out) != 0)
        rc = kk_err_set(KK_EIO, "cannot rename '%s' to '%s': %s", tmp, out, strerror(errno));
    if (rc != KK_OK && tmp)
        unlink(tmp);
    free(tmp);
out_sk:
    sk_X509_pop_free(sk, X509_free);
    return rc;
}

typedef struct pw {
    const char *p;
    int asked;
} pw;

static int pw_cb(char *buf, int size, int rw, void *u)
{
    (void)rw;
    pw *p = u;
    p->asked = 1;
    if (!p->p)
        return -1;
    int n = (int)strlen(p->p);
    if (n > size)
        n = size;
    memcpy(buf, p->p, (size_t)n);
    return n;
}

int kk_cms_decrypt(const char *in, const char *keyfile, const char *pass, const char *out)
{
    FILE *kf = fopen(keyfile, "r");
    if (!kf)
        return kk_err_set(KK_ENOENT, "cannot open decryption key '%s': %s", keyfile, strerror(errno));
    pw p = {pass, 0};
    EVP_PKEY *pk = PEM_read_PrivateKey(kf, NULL, pw_cb, &p);
    fclose(kf);
    if (!pk) {
        ERR_clear_error();
        return kk_err_set(KK_EINVAL, p.asked ? (pass ? "cannot open decryption key '%s': wrong passphrase"
                                                     : "decryption key '%s' is protected by a passphrase: "
                                                       "run on a terminal or set KAKETSUKE_KEY_PASS")
                                             : "cannot read decryption key '%s': not a PEM private key",
                          keyfile);
    }
    int rc = KK_OK;
    BIO *bin = BIO_new_file(in, "rb");
    if (!bin) {
        EVP_PKEY_free(pk);
        return kk_err_set(KK_ENOENT, "cannot open '%s': %s", in, strerror(errno));
    }
    CMS_ContentInfo *cms = d2i_CMS_bio(bin, NULL);
    BIO_free(bin);
    if (!cms) {
        EVP_PKEY_free(pk);
        ERR_clear_error();
        return kk_err_set(KK_EFORMAT, "'%s' is not a CMS (PKCS#7) encrypted file in DER form", in);
    }
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    BIO *bout = fd >= 0 ? BIO_new_fd(fd, BIO_CLOSE) : NULL;
    if (!bout) {
        rc = kk_err_set(KK_EIO, "cannot create '%s': %s", out, strerror(errno));
        if (fd >= 0)
            close(fd);
    } else {
        if (CMS_decrypt(cms, pk, NULL, NULL, bout, CMS_BINARY) != 1)
            rc = kk_err_set(KK_EINVAL, "cannot decrypt '%s' with key '%s': %s (is the bundle encrypted to "
                            "this key's certificate?)", in, keyfile, ossl());
        else if (BIO_flush(bout) != 1)
            rc = kk_err_set(KK_EIO, "cannot write '%s'", out);
        BIO_free(bout);
    }
    CMS_ContentInfo_free(cms);
    EVP_PKEY_free(pk);
    if (rc != KK_OK)
        unlink(out);
    return rc;
}
