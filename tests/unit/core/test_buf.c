#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hash.h"

static void json_strings_are_escaped(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    genu_buf_json_str(&b, "a\"b\\c\n\x01 é");
    assert_string_equal(b.p, "\"a\\\"b\\\\c\\n\\u0001 é\"");
    genu_buf_free(&b);
}

static void html_text_is_escaped(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    assert_int_equal(genu_buf_html(&b, "<a href=\"x\">Tom & Jerry's</a> é"), 0);
    assert_string_equal(b.p, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; é");
    genu_buf_clear(&b);
    assert_int_equal(genu_buf_html(&b, NULL), 0);
    assert_int_equal(genu_buf_html_n(&b, "a<b>c", 2), 0);
    assert_string_equal(b.p, "a&lt;");
    genu_buf_free(&b);
}

static void numbers_print_shortest_round_trip(void **state)
{
    (void)state;
    const double v[] = {0.1, 1.0 / 3, 2.5, 100, -0.0, 63.888888888888886, 1e-300, 0.58787878};
    const char *want[] = {"0.1", "0.3333333333333333", "2.5", "100", "0",
                          "63.888888888888886", "1e-300", "0.58787878"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        genu_buf b = GENU_BUF_INIT;
        genu_buf_json_num(&b, v[i]);
        assert_string_equal(b.p, want[i]);
        assert_true(strtod(b.p, NULL) == v[i]);
        genu_buf_free(&b);
    }
    genu_buf b = GENU_BUF_INIT;
    genu_buf_json_num(&b, NAN);
    assert_string_equal(b.p, "null");
    genu_buf_free(&b);
}

static void buffers_grow_and_clear(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    for (int i = 0; i < 10000; i++)
        genu_buf_printf(&b, "%d,", i % 10);
    assert_int_equal(b.len, 20000);
    assert_false(b.oom);
    genu_buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.p, "");
    genu_buf_free(&b);
}

static void first_error_wins_and_prefix_keeps_it(void **state)
{
    (void)state;
    genu_err e = {0};
    assert_int_equal(GENU_FAIL(&e, GENU_EINVAL, "field \"%s\": bad", "knee"), GENU_EINVAL);
    GENU_FAIL(&e, GENU_EIO, "later");
    assert_int_equal(e.code, GENU_EINVAL);
    genu_err_prefix(&e, "x.jsonl:%d: ", 12);
    assert_string_equal(e.msg, "x.jsonl:12: field \"knee\": bad");
    genu_err_clear(&e);
    assert_int_equal(e.code, GENU_OK);
}

static void arena_allocations_are_aligned_and_reset(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    for (int i = 1; i < 5000; i++) {
        char *p = genu_arena_alloc(a, (size_t)(i % 97) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)(i % 97) + 1);
    }
    char *big = genu_arena_alloc(a, 1 << 20);
    assert_non_null(big);
    memset(big, 1, 1 << 20);
    assert_string_equal(genu_arena_printf(a, "%s-%d", "P", 7), "P-7");
    assert_null(genu_arena_calloc(a, SIZE_MAX / 2, 4));
    genu_arena_reset(a);
    assert_int_equal(genu_arena_used(a), 0);
    assert_non_null(genu_arena_strdup(a, "again"));
    genu_arena_destroy(a);
    genu_arena_destroy(NULL);
}

static void hash_maps_keys_to_first_value(void **state)
{
    (void)state;
    genu_hash *h = genu_hash_create();
    char keys[3000][8];
    for (int i = 0; i < 3000; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        assert_int_equal(genu_hash_put(h, keys[i], (size_t)i, NULL), 1);
    }
    size_t old = 0, v = 0;
    assert_int_equal(genu_hash_put(h, "k42", 7, &old), 0);
    assert_int_equal(old, 42);
    assert_true(genu_hash_get(h, "k2999", &v));
    assert_int_equal(v, 2999);
    assert_false(genu_hash_get(h, "k3000", &v));
    assert_int_equal(genu_hash_count(h), 3000);
    genu_hash_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_strings_are_escaped),
        cmocka_unit_test(html_text_is_escaped),
        cmocka_unit_test(numbers_print_shortest_round_trip),
        cmocka_unit_test(buffers_grow_and_clear),
        cmocka_unit_test(first_error_wins_and_prefix_keeps_it),
        cmocka_unit_test(arena_allocations_are_aligned_and_reset),
        cmocka_unit_test(hash_maps_keys_to_first_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
