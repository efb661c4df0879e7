#include "COpenSSLCryptoLoader.h"

#include "CLibraryLoading.h"
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>

static struct {
    EVP_MD_CTX *(*ctx_new)(void);
    void (*ctx_free)(EVP_MD_CTX *);
    int (*init)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
    int (*update)(EVP_MD_CTX *, const void *, size_t);
    int (*final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
    const EVP_MD *(*md5)(void);
    const EVP_MD *(*sha256)(void);
    unsigned char *(*hmac)(const EVP_MD *, const void *, int, const unsigned char *, size_t, unsigned char *, unsigned int *);
} api;

static int loaded = 0;
static char failure[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#if defined(__APPLE__)
static const char *const names[] = {"libcrypto.3.dylib", "libcrypto.dylib"};
#else
static const char *const names[] = {"libcrypto.so.3", "libcrypto.so"};
#endif

static void load(void) {
    void *library = mlopskit_open_library(names, sizeof names / sizeof names[0], "libcrypto", failure, sizeof failure);
    if (!library) return;
    const struct { void **slot; const char *symbol; } symbols[] = {
        {(void **)&api.ctx_new, "EVP_MD_CTX_new"},
        {(void **)&api.ctx_free, "EVP_MD_CTX_free"},
        {(void **)&api.init, "EVP_DigestInit_ex"},
        {(void **)&api.update, "EVP_DigestUpdate"},
        {(void **)&api.final, "EVP_DigestFinal_ex"},
        {(void **)&api.md5, "EVP_md5"},
        {(void **)&api.sha256, "EVP_sha256"},
        {(void **)&api.hmac, "HMAC"},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (!mlopskit_resolve_symbol(library, symbols[i].symbol, symbols[i].slot, "libcrypto", "OpenSSL 1.1 or later needed", failure, sizeof failure)) return;
    }
    loaded = 1;
}

const char *mlopskit_crypto_load(void) {
    pthread_once(&once, load);
    return loaded ? NULL : failure;
}

#define READY (mlopskit_crypto_load() == NULL)

mlopskit_digest *mlopskit_digest_new(mlopskit_digest_kind kind) {
    if (!READY) return NULL;
    EVP_MD_CTX *context = api.ctx_new();
    if (context && api.init(context, kind == MLOPSKIT_DIGEST_MD5 ? api.md5() : api.sha256(), NULL) != 1) {
        api.ctx_free(context);
        return NULL;
    }
    return (mlopskit_digest *)context;
}

int mlopskit_digest_update(mlopskit_digest *context, const void *data, size_t length) {
    return READY ? api.update((EVP_MD_CTX *)context, data, length) : 0;
}

int mlopskit_digest_final(mlopskit_digest *context, uint8_t *output) {
    unsigned int length = 0;
    return READY ? api.final((EVP_MD_CTX *)context, output, &length) : 0;
}

void mlopskit_digest_free(mlopskit_digest *context) {
    if (READY) api.ctx_free((EVP_MD_CTX *)context);
}

int mlopskit_hmac_sha256(const void *key, size_t key_length, const void *data, size_t data_length, uint8_t *output) {
    unsigned int length = 0;
    return READY && api.hmac(api.sha256(), key, (int)key_length, data, data_length, output, &length) != NULL;
}
