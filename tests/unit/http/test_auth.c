/* auth: password hashing, tokens, constant-time compare, roles, site scope. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth.h"

static void passwords_round_trip(void **state)
{
    (void)state;
    char h[AUTH_HASH_LEN];
    genu_err err = {0};
    assert_int_equal(auth_init(&err), GENU_OK);
    assert_int_equal(auth_password_hash("correct horse", h, &err), GENU_OK);
    assert_non_null(strstr(h, "$argon2id$"));
    assert_true(auth_password_verify(h, "correct horse"));
    assert_false(auth_password_verify(h, "correct horsE"));
    assert_false(auth_password_verify(h, ""));
    assert_false(auth_password_verify(NULL, "correct horse"));
}

typedef struct verifier {
    auth_gate *g;
    const char *hash, *password;
    bool ok;
} verifier;

static void *verify_one(void *p)
{
    verifier *v = p;
    v->ok = auth_password_verify_gated(v->g, v->hash, v->password);
    return NULL;
}

/* Verifications through a gate (six threads at a gate of two, and none)
 * give the same answers as without it, and every one of them ends. */
static void gated_verifications_answer_alike(void **state)
{
    (void)state;
    char h[AUTH_HASH_LEN];
    genu_err err = {0};
    assert_int_equal(auth_password_hash("correct horse", h, &err), GENU_OK);
    auth_gate *g = auth_gate_create(2);
    assert_non_null(g);
    verifier v[6];
    pthread_t t[6];
    for (int i = 0; i < 6; i++) {
        v[i] = (verifier){g, h, i % 2 ? "wrong horse" : "correct horse", false};
        assert_int_equal(pthread_create(&t[i], NULL, verify_one, &v[i]), 0);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(t[i], NULL);
        assert_true(v[i].ok == (i % 2 == 0));
    }
    auth_gate_destroy(g);
    assert_true(auth_password_verify_gated(NULL, h, "correct horse"));
    auth_gate_destroy(NULL);
}

static void short_passwords_are_refused(void **state)
{
    (void)state;
    char h[AUTH_HASH_LEN];
    genu_err err = {0};
    assert_int_equal(auth_password_hash("1234567", h, &err), GENU_EINVAL);
    assert_non_null(strstr(err.msg, "at least 8"));
}

static void tokens_are_random_base64url(void **state)
{
    (void)state;
    char a[AUTH_TOKEN_LEN], b[AUTH_TOKEN_LEN];
    auth_token_new(a);
    auth_token_new(b);
    assert_int_equal(strlen(a), 43); /* 256 bits */
    assert_string_not_equal(a, b);
    for (const char *p = a; *p; p++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                               *p));
}

static void sha256_is_hex(void **state)
{
    (void)state;
    char h[AUTH_HEX_LEN];
    auth_sha256_hex("abc", h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void equal_compares_whole_strings(void **state)
{
    (void)state;
    assert_true(auth_equal("abc", "abc"));
    assert_false(auth_equal("abc", "abd"));
    assert_false(auth_equal("abc", "ab"));
    assert_false(auth_equal("", "a"));
    assert_false(auth_equal(NULL, "a"));
    assert_false(auth_equal("a", NULL));
    assert_false(auth_equal(NULL, NULL));
}

static void roles_and_sites(void **state)
{
    (void)state;
    assert_int_equal(auth_role_parse("admin"), AUTH_ADMIN);
    assert_int_equal(auth_role_parse("researcher"), AUTH_RESEARCHER);
    assert_int_equal(auth_role_parse("Admin"), 0);
    assert_int_equal(auth_role_parse(NULL), 0);
    assert_true(auth_site_allowed("", "oak"));
    assert_true(auth_site_allowed(NULL, "oak"));
    assert_true(auth_site_allowed("elm,oak", "oak"));
    assert_true(auth_site_allowed("oak", "oak"));
    assert_false(auth_site_allowed("oak-park", "oak"));
    assert_false(auth_site_allowed("oak", "oak-park"));
    assert_false(auth_site_allowed("elm", NULL));
    assert_false(auth_site_allowed("elm,", ""));
}

static void names(void **state)
{
    (void)state;
    assert_true(auth_name_valid("alice.b@x-y_z"));
    assert_false(auth_name_valid(""));
    assert_false(auth_name_valid("a b"));
    assert_false(auth_name_valid("a:b"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(passwords_round_trip),     cmocka_unit_test(short_passwords_are_refused),
        cmocka_unit_test(tokens_are_random_base64url), cmocka_unit_test(sha256_is_hex),
        cmocka_unit_test(equal_compares_whole_strings), cmocka_unit_test(roles_and_sites),
        cmocka_unit_test(names),
        cmocka_unit_test(gated_verifications_answer_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
