/* audit_chain: the SHA-256 hash that links one audit row to the previous
 * one, shared by every backend so a trail verifies the same wherever it is
 * stored (and survives a copy from one backend to another). Private to
 * src/store. */
#ifndef GENU_STORE_AUDIT_CHAIN_H
#define GENU_STORE_AUDIT_CHAIN_H

#include "core/buf.h"
#include "store/store.h"

/* The hash of the empty trail: the prev of row 1. */
#define AUDIT_CHAIN_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* out = hex SHA-256 over prev, seq, at_us, actor, action, type, id, before
 * and after of r, each length-prefixed ("n:" + bytes, "-;" for NULL) so no
 * two rows encode alike. r->hash is not read. Pure; needs sodium_init(). */
void audit_chain_hash(const store_audit_row *r, char out[65]);

/* What a create's audit row holds as `after`: "sha256:" and the hex SHA-256
 * of the stored doc (the doc itself is the record's row; an update or delete
 * keeps the full docs before and after). out holds 72 bytes. Needs
 * sodium_init(). */
#define AUDIT_DIGEST_LEN 72
void audit_chain_digest(const char *doc, char out[AUDIT_DIGEST_LEN]);

/* The audit doc of an account change (no password hash) into b. */
void audit_chain_user_doc(const store_user *u, int64_t id, genu_buf *b);

#endif
