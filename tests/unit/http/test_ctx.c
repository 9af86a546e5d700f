/* ctx: the error shape, fields named in messages, UTF-8 at the edge; survey form decoding; listen addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/ctx.h"
#include "http/server.h"
#include "http/survey.h"

static void error_shape(void **state)
{
    (void)state;
    ctx c = {0};
    ctx_error(&c, 400, "bad_request", "knee", "field \"%s\": expected left or right", "knee");
    assert_int_equal(c.status, 400);
    json_t *v = json_loads(c.out.p, 0, NULL);
    assert_non_null(v);
    json_t *e = json_object_get(v, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "bad_request");
    assert_string_equal(json_string_value(json_object_get(e, "field")), "knee");
    assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "left or right"));
    json_decref(v);
    genu_buf_free(&c.out);
}

/* Counts in the query: absent gives the default, digits up to max are taken,
 * anything else is a 400 naming the key. */
static void query_counts(void **state)
{
    (void)state;
    ctx c = {0};
    c.nquery = 5;
    c.qkey[0] = "limit", c.qval[0] = "1000";
    c.qkey[1] = "after", c.qval[1] = "12x";
    c.qkey[2] = "big", c.qval[2] = "99999999999999999999";
    c.qkey[3] = "empty", c.qval[3] = "";
    c.qkey[4] = "over", c.qval[4] = "1001";
    uint64_t v = 7;
    assert_int_equal(ctx_query_count(&c, "offset", 50, 100, &v), 0);
    assert_int_equal(v, 50);
    assert_int_equal(ctx_query_count(&c, "limit", 50, 1000, &v), 0);
    assert_int_equal(v, 1000);
    const char *bad[] = {"after", "big", "empty", "over"};
    for (size_t i = 0; i < 4; i++) {
        genu_buf_clear(&c.out);
        c.status = 0;
        assert_int_equal(ctx_query_count(&c, bad[i], 0, 1000, &v), -1);
        assert_int_equal(c.status, 400);
        json_t *j = json_loads(c.out.p, 0, NULL);
        json_t *e = json_object_get(j, "error");
        assert_string_equal(json_string_value(json_object_get(e, "field")), bad[i]);
        assert_non_null(strstr(json_string_value(json_object_get(e, "message")),
                               "expected an integer from 0 to 1000"));
        json_decref(j);
    }
    genu_buf_free(&c.out);
}

/* A message quoting half a character (as a JSON parser's "near" does) still
 * gives a valid JSON error body: the stray bytes become '?'. Found by
 * fuzz_http_body. */
static void error_body_stays_utf8(void **state)
{
    (void)state;
    ctx c = {0};
    ctx_error(&c, 400, "bad_request", "k\xc6", "invalid escape near '\"\\\xc6' and \xe2\x82\xac ok");
    json_t *v = json_loads(c.out.p, 0, NULL);
    assert_non_null(v);
    json_t *e = json_object_get(v, "error");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "invalid escape near '\"\\?' and \xe2\x82\xac ok");
    assert_string_equal(json_string_value(json_object_get(e, "field")), "k?");
    json_decref(v);
    genu_buf_free(&c.out);
}

static void fail_maps_codes(void **state)
{
    (void)state;
    ctx c = {0};
    genu_err err = {0};
    c.method = "GET";
    c.path = "/x";
    GENU_FAIL(&err, GENU_ECONFLICT, "patient P1 has records");
    ctx_fail(&c, &err);
    assert_int_equal(c.status, 409);
    genu_err_clear(&err);
    GENU_FAIL(&err, GENU_EIO, "disk full at /secret/path");
    ctx_fail(&c, &err);
    assert_int_equal(c.status, 500);
    assert_null(strstr(c.out.p, "secret")); /* no internals in the body */
    genu_buf_free(&c.out);
}

static void fields_from_messages(void **state)
{
    (void)state;
    char f[64];
    ctx_field_of("field \"kl_grade\": 7 is out of range", f, sizeof f);
    assert_string_equal(f, "kl_grade");
    ctx_field_of("items.P3: 5 is out of range (0 to 4)", f, sizeof f);
    assert_string_equal(f, "items.P3");
    ctx_field_of("something else", f, sizeof f);
    assert_string_equal(f, "");
}

static void utf8(void **state)
{
    (void)state;
    assert_true(ctx_utf8_valid("héllo €𝄞", strlen("héllo €𝄞")));
    assert_false(ctx_utf8_valid("\xff", 1));
    assert_false(ctx_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(ctx_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(ctx_utf8_valid("\xe2\x82", 2));         /* truncated */
    assert_false(ctx_utf8_valid("a\0b", 3));
    assert_false(ctx_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
}

static void form_decoding(void **state)
{
    (void)state;
    char s[] = "nprs.intensity=4&a+b=c%2Bd&empty=&flag";
    char *k[8], *v[8];
    int n = survey_form_parse(s, strlen(s), k, v, 8);
    assert_int_equal(n, 4);
    assert_string_equal(k[0], "nprs.intensity");
    assert_string_equal(v[0], "4");
    assert_string_equal(k[1], "a b");
    assert_string_equal(v[1], "c+d");
    assert_string_equal(k[2], "empty");
    assert_string_equal(v[2], "");
    assert_string_equal(k[3], "flag");
    assert_string_equal(v[3], "");
    char bad[] = "a=%zz";
    assert_int_equal(survey_form_parse(bad, strlen(bad), k, v, 8), -1);
    char cut[] = "a=%2";
    assert_int_equal(survey_form_parse(cut, strlen(cut), k, v, 8), -1);
    char nul[] = "a=%00";
    assert_int_equal(survey_form_parse(nul, strlen(nul), k, v, 8), -1);
    char many[] = "a=1&b=2&c=3";
    assert_int_equal(survey_form_parse(many, strlen(many), k, v, 2), -1);
}

static void listen_addresses(void **state)
{
    (void)state;
    char host[64];
    unsigned port;
    bool v6;
    genu_err err = {0};
    assert_int_equal(server_parse_listen("127.0.0.1:8080", host, sizeof host, &port, &v6, &err),
                     GENU_OK);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8080);
    assert_false(v6);
    assert_int_equal(server_parse_listen("[::1]:9", host, sizeof host, &port, &v6, &err), GENU_OK);
    assert_string_equal(host, "::1");
    assert_true(v6);
    assert_int_equal(server_parse_listen("127.0.0.1", host, sizeof host, &port, &v6, &err),
                     GENU_EINVAL);
    genu_err_clear(&err);
    assert_int_equal(server_parse_listen("127.0.0.1:70000", host, sizeof host, &port, &v6, &err),
                     GENU_EINVAL);
    genu_err_clear(&err);
    assert_int_equal(server_parse_listen("127.0.0.1:-1", host, sizeof host, &port, &v6, &err),
                     GENU_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(error_shape),
        cmocka_unit_test(query_counts), cmocka_unit_test(error_body_stays_utf8),  cmocka_unit_test(fail_maps_codes),
        cmocka_unit_test(fields_from_messages), cmocka_unit_test(utf8),
        cmocka_unit_test(form_decoding), cmocka_unit_test(listen_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
