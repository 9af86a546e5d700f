/* store/audit_chain: a row's hash is libsodium's SHA-256 of its fields
 * length-prefixed as audit_chain.h describes ("n:" and the bytes, "-;" for
 * NULL, numbers in decimal), for the short rows of a creation and for rows
 * with long documents; and a digest is "sha256:" and the hex of the doc's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit_ahead.h"
#include "store/audit_chain.h"

/* The expected hash, built from the description, not from audit_chain.c. */
static void expected(const store_audit_row *r, char out[65])
{
    const char *text[] = {r->prev, NULL, NULL, r->actor, r->action, r->type, r->id, r->before,
                          r->after};
    char num[2][32];
    snprintf(num[0], sizeof num[0], "%lld", (long long)r->seq);
    snprintf(num[1], sizeof num[1], "%lld", (long long)r->at_us);
    text[1] = num[0];
    text[2] = num[1];
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (int i = 0; i < 9; i++) {
        char len[32];
        if (!text[i]) {
            crypto_hash_sha256_update(&h, (const unsigned char *)"-;", 2);
            continue;
        }
        snprintf(len, sizeof len, "%zu:", strlen(text[i]));
        crypto_hash_sha256_update(&h, (const unsigned char *)len, strlen(len));
        crypto_hash_sha256_update(&h, (const unsigned char *)text[i], strlen(text[i]));
    }
    unsigned char d[32];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof d);
}

static void check(const store_audit_row *r)
{
    char got[65], want[65];
    audit_chain_hash(r, got);
    expected(r, want);
    assert_string_equal(got, want);
}

static void creation_rows(void **state)
{
    (void)state;
    store_audit_row r = {1, 1733390000123456, "system", "create", "response", "R-0a1b2c",
                         NULL, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef01234567"
                               "89abcdef",
                         AUDIT_CHAIN_GENESIS, NULL};
    check(&r);
    r.seq = 918760;
    r.at_us = -5; /* negative numbers too */
    r.id = "";
    check(&r);
    r.actor = NULL;
    r.after = NULL;
    check(&r);
}

static void rows_with_long_documents(void **state)
{
    (void)state;
    /* around and far past the buffer the short rows are hashed from */
    static const size_t sizes[] = {100, 700, 800, 900, 1000, 1024, 5000, 70000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *doc = malloc(sizes[i] + 1);
        assert_non_null(doc);
        for (size_t k = 0; k < sizes[i]; k++)
            doc[k] = (char)('a' + k % 26);
        doc[sizes[i]] = '\0';
        store_audit_row r = {42, 1733390000123456, "alice", "update", "patient", "S1", doc,
                             doc + sizes[i] / 2, AUDIT_CHAIN_GENESIS, NULL};
        check(&r);
        free(doc);
    }
}

static void digest_of_a_doc(void **state)
{
    (void)state;
    char got[AUDIT_DIGEST_LEN];
    audit_chain_digest("abc", got);
    /* FIPS 180-4's example */
    assert_string_equal(got, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2"
                             "0015ad");
}

/* Stored as bytes (SQLite, schema 7): a hash and a create's digest go to
 * their 32 bytes and back to the same text; documents, upper case, a
 * missing or different prefix, a short or long hex are not hashes. */
static void hashes_as_bytes(void **state)
{
    (void)state;
    const char *h = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    uint8_t d[SHA256_BYTES], want[SHA256_BYTES];
    assert_int_equal(sodium_hex2bin(want, sizeof want, h, 64, NULL, NULL, NULL), 0);
    assert_true(audit_chain_unhex(h, "", d));
    assert_memory_equal(d, want, sizeof d);
    char text[AUDIT_DIGEST_LEN];
    audit_chain_hex(d, "", text);
    assert_string_equal(text, h);
    char digest[80];
    snprintf(digest, sizeof digest, "sha256:%s", h);
    memset(d, 0, sizeof d);
    assert_true(audit_chain_unhex(digest, "sha256:", d));
    assert_memory_equal(d, want, sizeof d);
    audit_chain_hex(d, "sha256:", text);
    assert_string_equal(text, digest);
    assert_true(audit_chain_unhex(AUDIT_CHAIN_GENESIS, "", d));
    static const char *const not_hashes[] = {
        "{\"a\":1}",
        "",
        "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag",
    };
    for (size_t i = 0; i < sizeof not_hashes / sizeof not_hashes[0]; i++) {
        memset(d, 7, sizeof d);
        assert_false(audit_chain_unhex(not_hashes[i], "", d));
        assert_int_equal(d[0], 7); /* untouched */
    }
    assert_false(audit_chain_unhex(h, "sha256:", d)); /* the prefix is missing */
    assert_false(audit_chain_unhex(digest, "", d));   /* or not expected */
    assert_false(audit_chain_unhex(NULL, "", d));
}

/* audit_ahead gives the rows sq_audit would write one by one: seq counting
 * up, each prev the hash before, after the doc's digest (given, or worked
 * out), each hash the expected one; across several turns of its ring, and
 * when the writer stops early. */
static void check_ahead(size_t n, size_t take, bool threaded_digests)
{
    genu_record *recs = calloc(n ? n : 1, sizeof *recs);
    const genu_record **rp = calloc(n ? n : 1, sizeof *rp);
    store_digest *dg = calloc(n ? n : 1, sizeof *dg);
    const store_digest **dp = calloc(n ? n : 1, sizeof *dp);
    char (*docs)[40] = calloc(n ? n : 1, sizeof *docs);
    char (*ids)[32] = calloc(n ? n : 1, sizeof *ids);
    assert_true(recs && rp && dg && dp && docs && ids);
    for (size_t i = 0; i < n; i++) {
        snprintf(docs[i], sizeof docs[i], "{\"n\":%zu}", i);
        snprintf(ids[i], sizeof ids[i], "R%zu", i);
        recs[i].type = i % 3 ? GENU_REC_RESPONSE : GENU_REC_PATIENT;
        recs[i].id = ids[i];
        recs[i].doc = docs[i];
        rp[i] = &recs[i];
        crypto_hash_sha256(dg[i].b, (const unsigned char *)docs[i], strlen(docs[i]));
        dp[i] = threaded_digests && i % 2 ? &dg[i] : NULL; /* some given, some not */
    }
    const char *head = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    audit_ahead *a = audit_ahead_start(rp, dp, n, 1001, head, "cli:import");
    assert_non_null(a);
    char prev[65];
    snprintf(prev, sizeof prev, "%s", head);
    for (size_t i = 0; i < take; i++) {
        const audit_ahead_row *r = audit_ahead_row_at(a, i);
        assert_int_equal(r->seq, 1001 + (int64_t)i);
        assert_string_equal(r->prev, prev);
        char after[AUDIT_DIGEST_LEN] = "sha256:";
        sodium_bin2hex(after + 7, 65, dg[i].b, 32);
        assert_string_equal(r->after, after);
        assert_memory_equal(r->after_b, dg[i].b, 32);
        store_audit_row row = {r->seq, r->at_us, "cli:import", "create",
                               record_type_name(recs[i].type), ids[i], NULL, after, prev, NULL};
        char want[65];
        expected(&row, want);
        assert_string_equal(r->hash, want);
        uint8_t hb[32], pb[32];
        assert_true(audit_chain_unhex(want, "", hb));
        assert_true(audit_chain_unhex(prev, "", pb));
        assert_memory_equal(r->hash_b, hb, 32);
        assert_memory_equal(r->prev_b, pb, 32);
        memcpy(prev, want, sizeof prev);
    }
    audit_ahead_end(a);
    free(recs);
    free(rp);
    free(dg);
    free(dp);
    free(docs);
    free(ids);
}

static void rows_hashed_ahead(void **state)
{
    (void)state;
    check_ahead(0, 0, true);
    check_ahead(1, 1, false);
    check_ahead(3 * AUDIT_AHEAD_RING + 17, 3 * AUDIT_AHEAD_RING + 17, true);
    check_ahead(3 * AUDIT_AHEAD_RING + 17, 5, true); /* the writer gave up */
    check_ahead(3 * AUDIT_AHEAD_RING, AUDIT_AHEAD_RING + 1, false);
}

static int init_sodium(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(creation_rows),
        cmocka_unit_test(rows_with_long_documents),
        cmocka_unit_test(digest_of_a_doc),
        cmocka_unit_test(hashes_as_bytes),
        cmocka_unit_test(rows_hashed_ahead),
    };
    return cmocka_run_group_tests(tests, init_sodium, NULL);
}
