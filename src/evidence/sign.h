/* sign.h - the engineer's Ed25519 signing key and signatures (OpenSSL).
 *
 * The key file is PKCS#8 PEM ("PRIVATE KEY", or "ENCRYPTED PRIVATE KEY" with a
 * passphrase: PBES2, AES-256-CBC), mode 0600, default ~/.config/kaketsuke/signing.key.
 * Fingerprint (GUIDE §1): SHA-256 of the raw 32-byte public key, lower-case hex.
 * Signatures are plain Ed25519 over the message bytes, so
 *   openssl pkeyutl -verify -pubin -inkey signer.pub -rawin -in MSG -sigfile SIG
 * checks them.
 */
#ifndef KK_SIGN_H
#define KK_SIGN_H
#include <stddef.h>

typedef struct kk_key kk_key;

/* The key path: explicit (--key), else $KAKETSUKE_KEY, else ~/.config/kaketsuke/signing.key.
 * Caller frees; NULL when HOME is unknown (message set). */
char *kk_key_path(const char *explicit_path);
/* Create a new key at path (directories made with mode 0700; file 0600). pass NULL or ""
 * = not encrypted. KK_EEXIST when path exists and !force. */
int kk_key_generate(const char *path, const char *pass, int force, kk_key **out);
/* Is the PEM key at path encrypted? 1 yes, 0 no, <0 error. */
int kk_key_is_encrypted(const char *path);
/* Load a private key (Ed25519 only). An encrypted key without pass, or with a wrong one:
 * KK_EINVAL with a message that says how to give the passphrase. */
int kk_key_load(const char *path, const char *pass, kk_key **out);
void kk_key_free(kk_key *k);

void kk_key_fingerprint(const kk_key *k, char out[65]);
/* The public key as PEM (SubjectPublicKeyInfo); caller frees. */
char *kk_key_public_pem(const kk_key *k);
/* Ed25519 signature (64 bytes). */
int kk_key_sign(const kk_key *k, const void *msg, size_t n, unsigned char sig[64]);

/* Check sig over msg with a PEM public key. Returns KK_OK when valid; KK_EFORMAT when the
 * key cannot be read (message set); KK_EINVAL when the signature is wrong. fpr (may be
 * NULL) receives the key's fingerprint when the key could be read. */
int kk_sig_verify(const char *pub_pem, size_t pem_len, const void *msg, size_t n,
                  const unsigned char *sig, size_t siglen, char fpr[65]);

#endif
