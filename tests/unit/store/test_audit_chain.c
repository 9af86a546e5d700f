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
    };
    return cmocka_run_group_tests(tests, init_sodium, NULL);
}
