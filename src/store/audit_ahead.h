/* audit_ahead: an import's creation rows of the audit trail, hashed ahead
 * on a thread of their own while the caller writes the rows already
 * hashed. The chain is sequential (each row's hash covers the one before),
 * so it cannot be split; but it needs nothing from the database once its
 * head is known, so it can run beside the writes instead of before each
 * one. Private to src/store.
 *
 * The rows are those store_stage_audit writes: action "create", no
 * before, after the doc's digest (audit_chain_digest_of), seq counting up
 * from seq0, and prev the head's hash for the first. A ring of
 * AUDIT_AHEAD_RING rows bounds the memory whatever the import's size. When
 * the thread cannot start, the rows are hashed as they are asked for. */
#ifndef GENU_STORE_AUDIT_AHEAD_H
#define GENU_STORE_AUDIT_AHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "store/audit_chain.h"

#define AUDIT_AHEAD_RING 8192

typedef struct audit_ahead audit_ahead;

/* One hashed row: with the record and the start's arguments, all that the
 * row holds, as text and as the bytes it stands for (audit_chain_unhex).
 * prev is the row before's hash (or the head's). */
typedef struct audit_ahead_row {
    int64_t seq, at_us;
    char after[AUDIT_DIGEST_LEN];
    char prev[65], hash[65];
    uint8_t after_b[SHA256_BYTES], prev_b[SHA256_BYTES], hash_b[SHA256_BYTES];
} audit_ahead_row;

/* Starts hashing the creation rows of recs[0..n) (digests may be NULL, or
 * hold NULLs) by actor, after the head (seq0 - 1, prev). recs, digests and
 * actor must outlive the audit_ahead. NULL when out of memory. */
audit_ahead *audit_ahead_start(const genu_record *const *recs,
                               const store_digest *const *digests, size_t n, int64_t seq0,
                               const char *prev, const char *actor);

/* Row i (of recs[0..n)) once hashed, waiting for it as needed. Rows are
 * asked for in order; row i stays valid until row i + AUDIT_AHEAD_RING / 2
 * is asked for, so the thread works up to half the ring ahead. */
const audit_ahead_row *audit_ahead_row_at(audit_ahead *a, size_t i);

/* Stops the thread (whether or not every row was asked for) and frees a;
 * NULL is a no-op. */
void audit_ahead_end(audit_ahead *a);

#endif
