/* test_hash: the string → size_t map of core/hash.h — put answers 1 for a
 * new key and 0 with the first value for a present one (which it keeps),
 * get and count, 100 000 keys through growth, keys that share long
 * prefixes or are prefixes of one another, the empty key, and lookups by
 * content rather than by pointer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/hash.h"

static void put_answers_inserted_or_present_with_old_value(void **state)
{
    (void)state;
    genu_hash *h = genu_hash_create();
    assert_non_null(h);
    size_t old = 12345;
    assert_int_equal(genu_hash_put(h, "P1", 10, &old), 1);
    assert_int_equal(old, 12345); /* untouched when inserted */
    assert_int_equal(genu_hash_put(h, "P2", 20, &old), 1);
    assert_int_equal(genu_hash_put(h, "P1", 99, &old), 0);
    assert_int_equal(old, 10);
    /* present: the first value stays */
    size_t v = 0;
    assert_true(genu_hash_get(h, "P1", &v));
    assert_int_equal(v, 10);
    /* old may be NULL */
    assert_int_equal(genu_hash_put(h, "P2", 77, NULL), 0);
    assert_true(genu_hash_get(h, "P2", &v));
    assert_int_equal(v, 20);
    assert_int_equal(genu_hash_count(h), 2);
    genu_hash_destroy(h);
}

static void get_finds_only_what_was_put(void **state)
{
    (void)state;
    genu_hash *h = genu_hash_create();
    size_t v = 0;
    assert_int_equal(genu_hash_count(h), 0);
    assert_false(genu_hash_get(h, "x", &v));
    assert_int_equal(genu_hash_put(h, "x", 0, NULL), 1);
    assert_int_equal(genu_hash_put(h, "y", SIZE_MAX, NULL), 1);
    v = 5;
    assert_true(genu_hash_get(h, "x", &v));
    assert_int_equal(v, 0);
    assert_true(genu_hash_get(h, "y", &v));
    assert_true(v == SIZE_MAX);
    assert_false(genu_hash_get(h, "X", &v)); /* case matters */
    assert_false(genu_hash_get(h, "xy", &v));
    assert_false(genu_hash_get(h, "x ", &v));
    genu_hash_destroy(h);
}

/* 100 000 keys: every one found with its value after all the growth, none
 * of a similar set that was never put. */
static void many_keys_survive_growth(void **state)
{
    (void)state;
    enum { N = 100000 };
    genu_arena *a = genu_arena_create();
    genu_hash *h = genu_hash_create();
    char **keys = genu_arena_calloc(a, N, sizeof *keys);
    for (size_t i = 0; i < N; i++) {
        keys[i] = genu_arena_printf(a, "patient-%zu", i);
        assert_int_equal(genu_hash_put(h, keys[i], i * 3 + 1, NULL), 1);
        assert_int_equal(genu_hash_count(h), i + 1);
    }
    for (size_t i = 0; i < N; i++) {
        size_t v = 0;
        char probe[32];
        snprintf(probe, sizeof probe, "patient-%zu", i); /* a different pointer */
        assert_true(genu_hash_get(h, probe, &v));
        assert_int_equal(v, i * 3 + 1);
    }
    for (size_t i = N; i < N + 1000; i++) {
        char probe[32];
        size_t v;
        snprintf(probe, sizeof probe, "patient-%zu", i);
        assert_false(genu_hash_get(h, probe, &v));
    }
    /* a second put of every key is refused with its value */
    for (size_t i = 0; i < N; i += 997) {
        size_t old = 0;
        assert_int_equal(genu_hash_put(h, keys[i], 0, &old), 0);
        assert_int_equal(old, i * 3 + 1);
    }
    assert_int_equal(genu_hash_count(h), N);
    genu_hash_destroy(h);
    genu_arena_destroy(a);
}

/* Keys that agree on their first 200 bytes and differ in the last (or end
 * there), and keys that are prefixes of one another, are all distinct. */
static void keys_sharing_their_first_bytes_are_distinct(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    genu_hash *h = genu_hash_create();
    enum { N = 256 };
    char *keys[N];
    for (int i = 0; i < N; i++) {
        char buf[202];
        memset(buf, 'k', 200);
        buf[200] = (char)i; /* i == 0: the 200 bytes alone, a prefix of the others */
        buf[201] = '\0';
        keys[i] = genu_arena_strdup(a, buf);
        assert_int_equal(genu_hash_put(h, keys[i], (size_t)i, NULL), 1);
    }
    const char *nested[] = {"a", "aa", "aaa", "aaaa", "aaaaa", "aaaaaa", "aaaaaaa", "aaaaaaaa"};
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(genu_hash_put(h, nested[i], 1000 + i, NULL), 1);
    assert_int_equal(genu_hash_count(h), N + 8);
    for (int i = 0; i < N; i++) {
        size_t v = 0;
        assert_true(genu_hash_get(h, keys[i], &v));
        assert_int_equal(v, i);
    }
    for (size_t i = 0; i < 8; i++) {
        size_t v = 0;
        assert_true(genu_hash_get(h, nested[i], &v));
        assert_int_equal(v, 1000 + i);
    }
    size_t v;
    assert_false(genu_hash_get(h, "aaaaaaaaa", &v));
    genu_hash_destroy(h);
    genu_arena_destroy(a);
}

static void empty_key_is_a_key(void **state)
{
    (void)state;
    genu_hash *h = genu_hash_create();
    size_t v = 0, old = 0;
    assert_false(genu_hash_get(h, "", &v));
    assert_int_equal(genu_hash_put(h, "", 42, NULL), 1);
    assert_int_equal(genu_hash_put(h, "a", 1, NULL), 1);
    assert_true(genu_hash_get(h, "", &v));
    assert_int_equal(v, 42);
    assert_int_equal(genu_hash_put(h, "", 43, &old), 0);
    assert_int_equal(old, 42);
    assert_int_equal(genu_hash_count(h), 2);
    genu_hash_destroy(h);
}

/* Keys are compared by content: a key put from one buffer is found (and
 * refused again) through another buffer holding the same text. */
static void keys_are_compared_by_content(void **state)
{
    (void)state;
    genu_hash *h = genu_hash_create();
    const char *k1 = "t-0123456789abcdef0123";
    char k2[32];
    snprintf(k2, sizeof k2, "%s", k1);
    assert_int_equal(genu_hash_put(h, k1, 5, NULL), 1);
    size_t old = 0;
    assert_int_equal(genu_hash_put(h, k2, 6, &old), 0);
    assert_int_equal(old, 5);
    genu_hash_destroy(h);
}

static void destroy_null_is_a_no_op(void **state)
{
    (void)state;
    genu_hash_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(put_answers_inserted_or_present_with_old_value),
        cmocka_unit_test(get_finds_only_what_was_put),
        cmocka_unit_test(many_keys_survive_growth),
        cmocka_unit_test(keys_sharing_their_first_bytes_are_distinct),
        cmocka_unit_test(empty_key_is_a_key),
        cmocka_unit_test(keys_are_compared_by_content),
        cmocka_unit_test(destroy_null_is_a_no_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
