/* audit_chain: the SHA-256 hash that links one audit row to the previous
 * one, shared by every backend so a trail verifies the same wherever it is
 * stored (and survives a copy from one backend to another). Private to
 * src/store. */
#ifndef GENU_STORE_AUDIT_CHAIN_H
#define GENU_STORE_AUDIT_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/sha256.h"
#include "store/store.h"

/* The hash of the empty trail: the prev of row 1. */
#define AUDIT_CHAIN_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The audit trail's clock: microseconds since the epoch. */
int64_t audit_chain_now_us(void);

/* out = hex SHA-256 over prev, seq, at_us, actor, action, type, id, before
 * and after of r, each length-prefixed ("n:" + bytes, "-;" for NULL) so no
 * two rows encode alike. r->hash is not read. Pure; needs sodium_init(). */
void audit_chain_hash(const store_audit_row *r, char out[65]);
/* The same, also as its 32 bytes. */
void audit_chain_hash_bytes(const store_audit_row *r, char out[65], uint8_t bytes[SHA256_BYTES]);

/* What a create's audit row holds as `after`: "sha256:" and the hex SHA-256
 * of the stored doc (the doc itself is the record's row; an update or delete
 * keeps the full docs before and after). out holds 72 bytes. Needs
 * sodium_init(). */
#define AUDIT_DIGEST_LEN 72
void audit_chain_digest(const char *doc, char out[AUDIT_DIGEST_LEN]);
/* The same text from the doc's store_doc_digest when given (not NULL),
 * else from doc; returns out. */
const char *audit_chain_digest_of(const store_digest *given, const char *doc,
                                  char out[AUDIT_DIGEST_LEN]);
/* The same, also as its 32 bytes. */
void audit_chain_digest_bytes(const store_digest *given, const char *doc,
                              char out[AUDIT_DIGEST_LEN], uint8_t bytes[SHA256_BYTES]);

/* The 32 bytes that text stands for when it is prefix and 64 lowercase
 * hex digits ("" for a hash, "sha256:" for a create's after) into out;
 * false, out untouched, when it is anything else (a document). A store
 * may keep these as bytes, half the size (store_sqlite.c). */
bool audit_chain_unhex(const char *text, const char *prefix, uint8_t out[SHA256_BYTES]);
/* The text of 32 stored bytes: the hash's hex, after prefix ("sha256:"
 * for a create's after, "" for a hash); out holds 72 bytes. */
void audit_chain_hex(const uint8_t d[SHA256_BYTES], const char *prefix, char out[AUDIT_DIGEST_LEN]);

/* The audit doc of an account change (no password hash) into b. */
void audit_chain_user_doc(const store_user *u, int64_t id, genu_buf *b);

/* Verifying a trail row by row, the same on every backend: start with
 * AUDIT_WALK_INIT and the recorded head; audit_walk_row for each row in seq
 * order until it reports a break; then audit_walk_end. *broken is the first
 * bad row's seq (-1: the trail and its recorded head disagree; 0: intact),
 * why says what is wrong ("intact" when nothing is). */
typedef struct audit_walk {
    char prev[65];
    int64_t last_seq;
    int64_t head_seq;
    char head_hash[65];
    size_t checked;
} audit_walk;
#define AUDIT_WALK_INIT {AUDIT_CHAIN_GENESIS, 0, 0, "", 0}

/* false (and *broken, why set) when row r breaks the chain. */
bool audit_walk_row(audit_walk *w, const store_audit_row *r, int64_t *broken, char *why,
                    size_t whylen);
/* After the last row (unless a row broke it): the recorded head agrees. */
void audit_walk_end(const audit_walk *w, int64_t *broken, char *why, size_t whylen);

#endif
