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

/* What genu_buf_json_num printed with printf alone: "%.0f" for integral
 * values, else the first of %.15g, %.16g, %.17g that reads back. */
static void printf_way(double v, char out[32])
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(out, 32, "%.0f", v == 0 ? 0.0 : v);
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
}

/* The shortcut for short decimals prints what printf did, over values with
 * 0 to 8 decimal places, scores (fractions of 100), extremes around the
 * shortcut's bounds, and seeded random doubles. */
#ifndef NUM_CASES
#define NUM_CASES 400000
#endif
static void numbers_print_as_printf_did(void **state)
{
    (void)state;
    unsigned long long x = 88172645463325252ULL; /* xorshift64, seed printed on failure */
    const double edges[] = {1e-4, 9.9999e-5, 0.00015, 1e9, 999999999.5, 999999999.999999,
                            123456789.123456, -0.5, -1e-4, 0.1 + 0.2, 1e15, 1e15 + 0.5,
                            -1e15, 4503599627370495.5, 0.30000000000000004};
    for (size_t i = 0; i < NUM_CASES; i++) {
        double v;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (i < sizeof edges / sizeof edges[0])
            v = edges[i];
        else if (i % 4 == 0)
            v = (double)(long long)(x % 2000000001ULL - 1000000000LL) /
                pow(10, (double)((x >> 40) % 9));
        else if (i % 4 == 1)
            v = 100.0 * (double)(x % 1000) / (double)(1 + (x >> 32) % 200);
        else if (i % 4 == 2 && i % 8 != 2)
            v = (double)(x % 100000) / 8.0 - 5000;
        else if (i % 8 == 2) /* anywhere in 1e-4..1e9, and next to powers of ten */
            v = i % 16 == 2 ? exp(-9.3 + 30.1 * (double)(x >> 11) / 9007199254740992.0)
                            : nextafter(pow(10, (double)((x >> 20) % 14) - 4),
                                        (x & 1) ? 0 : 1e300);
        else
            memcpy(&v, &x, sizeof v);
        if (!isfinite(v))
            continue;
        char want[32];
        printf_way(v, want);
        genu_buf b = GENU_BUF_INIT;
        genu_buf_json_num(&b, v);
        if (strcmp(b.p, want) != 0)
            fail_msg("%.17g (case %zu): got %s, printf gives %s", v, i, b.p, want);
        genu_buf_free(&b);
    }
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
        cmocka_unit_test(numbers_print_as_printf_did),
        cmocka_unit_test(buffers_grow_and_clear),
        cmocka_unit_test(first_error_wins_and_prefix_keeps_it),
        cmocka_unit_test(arena_allocations_are_aligned_and_reset),
        cmocka_unit_test(hash_maps_keys_to_first_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
