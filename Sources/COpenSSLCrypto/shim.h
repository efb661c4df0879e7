#ifndef MLOPSKIT_OPENSSL_SHIM_H
#define MLOPSKIT_OPENSSL_SHIM_H

// OpenSSL's libcrypto declarations only. It is not linked: COpenSSLCryptoLoader loads it on the first
// digest (S3 signing, checksums, webhook signatures).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#endif
