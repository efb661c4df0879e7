#ifndef MLOPSKIT_OPENSSL_CRYPTO_LOADER_H
#define MLOPSKIT_OPENSSL_CRYPTO_LOADER_H

// OpenSSL's libcrypto (the one libcurl uses too), loaded with dlopen on the first digest instead of
// linked: SHA-256, MD5 and HMAC-SHA256 for S3 signing, checksums and webhook signatures.

#include <stddef.h>
#include <stdint.h>

/// Loads libcrypto (once). NULL on success, otherwise why it failed.
const char *_Nullable mlopskit_crypto_load(void);

/// The digests MLOpsKit uses.
typedef enum { MLOPSKIT_DIGEST_MD5 = 0, MLOPSKIT_DIGEST_SHA256 = 1 } mlopskit_digest_kind;

/// An opaque digest context.
typedef struct mlopskit_digest mlopskit_digest;

/// A new digest context, or NULL when libcrypto cannot be loaded or cannot make one.
mlopskit_digest *_Nullable mlopskit_digest_new(mlopskit_digest_kind kind);
int mlopskit_digest_update(mlopskit_digest *_Nonnull context, const void *_Nullable data, size_t length);
/// Writes the digest (16 bytes for MD5, 32 for SHA-256) to `output`; the context is then spent.
int mlopskit_digest_final(mlopskit_digest *_Nonnull context, uint8_t *_Nullable output);
void mlopskit_digest_free(mlopskit_digest *_Nonnull context);

/// HMAC-SHA256 of `data` under `key`, 32 bytes to `output`. Returns 1 on success, 0 when libcrypto
/// cannot be loaded or fails.
int mlopskit_hmac_sha256(
    const void *_Nullable key, size_t key_length, const void *_Nullable data, size_t data_length, uint8_t *_Nullable output);

#endif
