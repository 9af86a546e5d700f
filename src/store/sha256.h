/* sha256: SHA-256 (FIPS 180-4) for the audit trail's hashes, with the x86
 * SHA extensions when the processor has them (about six times faster than
 * libsodium's portable code, which the audit rows of a large import spent a
 * seventh of its time in) and libsodium's otherwise. The digests are the
 * same either way. Private to src/store. */
#ifndef GENU_STORE_SHA256_H
#define GENU_STORE_SHA256_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32

/* A hash in progress; fill with sha256_init. Not shared between threads. */
typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t buf[64]; /* a partial block */
    size_t nbuf;
    crypto_hash_sha256_state sodium; /* in use without the extensions */
} sha256_ctx;

/* Needs sodium_init() when the extensions are missing. */
void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *p, size_t n);
void sha256_final(sha256_ctx *c, uint8_t out[SHA256_BYTES]);
/* The hash of p[0..n) in one call. */
void sha256(const void *p, size_t n, uint8_t out[SHA256_BYTES]);
/* Whether the SHA extensions are in use (for tests and benchmarks). */
int sha256_accelerated(void);

#endif
