#ifndef MLOPSKIT_OPENSSL_SHIM_H
#define MLOPSKIT_OPENSSL_SHIM_H

// OpenSSL's libcrypto, which libcurl already loads: SHA-256, MD5 and HMAC-SHA256 for S3 signing and
// checksums, without a second cryptography library in the process.

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stddef.h>
#include <stdint.h>

/// The digests MLOpsKit uses.
typedef enum { MLOPSKIT_DIGEST_MD5 = 0, MLOPSKIT_DIGEST_SHA256 = 1 } mlopskit_digest_kind;

static inline const EVP_MD *mlopskit_digest_md(mlopskit_digest_kind kind) {
    return kind == MLOPSKIT_DIGEST_MD5 ? EVP_md5() : EVP_sha256();
}

/// A new digest context, or NULL when OpenSSL cannot make one.
static inline EVP_MD_CTX *mlopskit_digest_new(mlopskit_digest_kind kind) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context && EVP_DigestInit_ex(context, mlopskit_digest_md(kind), NULL) != 1) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    return context;
}

static inline int mlopskit_digest_update(EVP_MD_CTX *context, const void *data, size_t length) {
    return EVP_DigestUpdate(context, data, length);
}

/// Writes the digest (16 bytes for MD5, 32 for SHA-256) to `output`; the context is then spent.
static inline int mlopskit_digest_final(EVP_MD_CTX *context, uint8_t *output) {
    unsigned int length = 0;
    return EVP_DigestFinal_ex(context, output, &length);
}

static inline void mlopskit_digest_free(EVP_MD_CTX *context) { EVP_MD_CTX_free(context); }

/// HMAC-SHA256 of `data` under `key`, 32 bytes to `output`. Returns 1 on success.
static inline int mlopskit_hmac_sha256(
    const void *key, size_t key_length, const void *data, size_t data_length, uint8_t *output) {
    unsigned int length = 0;
    return HMAC(EVP_sha256(), key, (int)key_length, data, data_length, output, &length) != NULL;
}

#endif
