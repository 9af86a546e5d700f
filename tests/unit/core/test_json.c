/* test_json: the jansson helpers of core/json.h — parse_object refusing
 * non-objects, trailing data and invalid UTF-8 with the column in the
 * message; genu_json_int and genu_json_num checking type and bounds and
 * naming the field; genu_json_append writing reals that read back exactly,
 * integers whole, strings with UTF-8 kept, and keys in insertion order.
 *
 * Columns: jansson counts characters (a multi-byte UTF-8 character is one
 * column) and reports the column of the last character it read before it
 * gave up; the expected columns below are counted by hand that way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static json_t *parse(const char *s, genu_err *err)
{
    return genu_json_parse_object(s, strlen(s), err);
}

static void parses_an_object(void **state)
{
    (void)state;
    genu_err err = {0};
    json_t *o = parse("{\"type\":\"patient\",\"n\":3,\"x\":[1,2]}", &err);
    assert_non_null(o);
    assert_int_equal(err.code, GENU_OK);
    assert_string_equal(json_string_value(json_object_get(o, "type")), "patient");
    assert_int_equal(json_integer_value(json_object_get(o, "n")), 3);
    json_decref(o);
    /* only n bytes are read: what follows them is not trailing data */
    const char *s = "{\"a\":1}garbage";
    o = genu_json_parse_object(s, 7, &err);
    assert_non_null(o);
    json_decref(o);
}

/* A scalar at the top: refused, the message names a column. */
static void scalars_are_refused_naming_the_column(void **state)
{
    (void)state;
    const char *in[] = {"42", "\"text\"", "true", "null"};
    for (size_t i = 0; i < 4; i++) {
        genu_err err = {0};
        assert_null(parse(in[i], &err));
        assert_int_equal(err.code, GENU_EINVAL);
        assert_non_null(strstr(err.msg, "column "));
    }
}

/* An array is valid JSON but not an object: refused with a message that
 * names the column, as the header promises for non-objects. */
static void arrays_are_refused_naming_the_column(void **state)
{
    (void)state;
    genu_err err = {0};
    assert_null(parse("[{\"type\":\"patient\"}]", &err));
    assert_int_equal(err.code, GENU_EINVAL);
    assert_non_null(strstr(err.msg, "array"));
    assert_non_null(strstr(err.msg, "column"));
}

/* Anything after the object is refused at the character where it starts:
 * `{"a":1} x` — the x is the 9th character. */
static void trailing_data_is_refused_naming_the_column(void **state)
{
    (void)state;
    genu_err err = {0};
    assert_null(parse("{\"a\":1} x", &err));
    assert_int_equal(err.code, GENU_EINVAL);
    assert_non_null(strstr(err.msg, "column 9"));

    genu_err e2 = {0};
    assert_null(parse("{}{}", &e2)); /* the second { is the 3rd character */
    assert_non_null(strstr(e2.msg, "column 3"));

    /* a multi-byte character counts as one column: "é" is 2 bytes */
    genu_err e3 = {0};
    assert_null(parse("{\"é\":1},", &e3)); /* , is the 8th character, 9th byte */
    assert_non_null(strstr(e3.msg, "column 8"));
}

/* A byte that is not UTF-8 is refused; jansson stops with the characters
 * read before it counted: in {"a":"\xff"} six ({"a":") precede it. */
static void invalid_utf8_is_refused_naming_the_column(void **state)
{
    (void)state;
    const char *bad[] = {
        "{\"a\":\"\xff\"}",         /* never valid */
        "{\"a\":\"\xc3\"}",         /* a lead byte without its continuation */
        "{\"a\":\"\xc0\xaf\"}",     /* an overlong '/' */
        "{\"a\":\"\xed\xa0\x80\"}", /* a UTF-16 surrogate */
    };
    for (size_t i = 0; i < 4; i++) {
        genu_err err = {0};
        assert_null(parse(bad[i], &err));
        assert_int_equal(err.code, GENU_EINVAL);
        assert_non_null(strstr(err.msg, "column 6"));
    }
    /* in a key, after a valid two-byte character: {"é\xff — 3 characters */
    genu_err err = {0};
    assert_null(parse("{\"\xc3\xa9\xff\":1}", &err));
    assert_non_null(strstr(err.msg, "column 3"));
}

static void duplicate_keys_are_refused(void **state)
{
    (void)state;
    genu_err err = {0};
    assert_null(parse("{\"id\":\"A\",\"id\":\"B\"}", &err));
    assert_int_equal(err.code, GENU_EINVAL);
}

/* ---- genu_json_int --------------------------------------------------- */

static void int_within_bounds_is_read(void **state)
{
    (void)state;
    genu_err err = {0};
    int64_t out = -99;
    json_t *v = json_integer(3);
    assert_int_equal(genu_json_int(v, "kl_grade", 0, 4, &out, &err), GENU_OK);
    assert_int_equal(out, 3);
    json_decref(v);
    /* both bounds are inside */
    v = json_integer(0);
    assert_int_equal(genu_json_int(v, "kl_grade", 0, 4, &out, &err), GENU_OK);
    assert_int_equal(out, 0);
    json_decref(v);
    v = json_integer(4);
    assert_int_equal(genu_json_int(v, "kl_grade", 0, 4, &out, &err), GENU_OK);
    assert_int_equal(out, 4);
    json_decref(v);
    v = json_integer(INT64_MIN);
    assert_int_equal(genu_json_int(v, "x", INT64_MIN, INT64_MAX, &out, &err), GENU_OK);
    assert_true(out == INT64_MIN);
    json_decref(v);
}

/* One past either bound: an error naming the field and the value, and the
 * output untouched. */
static void int_out_of_bounds_names_the_field(void **state)
{
    (void)state;
    const json_int_t vals[] = {-1, 5, 1000000};
    const char *shown[] = {"-1", "5", "1000000"};
    for (size_t i = 0; i < 3; i++) {
        genu_err err = {0};
        int64_t out = 77;
        json_t *v = json_integer(vals[i]);
        assert_int_equal(genu_json_int(v, "kl_grade", 0, 4, &out, &err), GENU_EINVAL);
        assert_int_equal(err.code, GENU_EINVAL);
        assert_non_null(strstr(err.msg, "field \"kl_grade\""));
        assert_non_null(strstr(err.msg, shown[i]));
        assert_int_equal(out, 77);
        json_decref(v);
    }
}

/* A real (even a whole one), a string, a boolean, null, an array: wrong
 * type, naming the field and the type found. */
static void int_of_another_type_names_the_field(void **state)
{
    (void)state;
    json_t *vals[] = {json_real(3.0), json_string("3"), json_true(), json_null(), json_array()};
    const char *kind[] = {"number", "string", "boolean", "null", "array"};
    for (size_t i = 0; i < 5; i++) {
        genu_err err = {0};
        int64_t out = 77;
        assert_int_equal(genu_json_int(vals[i], "severity", 1, 5, &out, &err), GENU_EINVAL);
        assert_non_null(strstr(err.msg, "field \"severity\""));
        assert_non_null(strstr(err.msg, kind[i]));
        assert_int_equal(out, 77);
        json_decref(vals[i]);
    }
}

/* ---- genu_json_num --------------------------------------------------- */

static void num_accepts_integers_and_reals_within_bounds(void **state)
{
    (void)state;
    genu_err err = {0};
    double out = -1;
    json_t *v = json_integer(250);
    assert_int_equal(genu_json_num(v, "height_cm", 50, 250, &out, &err), GENU_OK);
    assert_true(out == 250.0);
    json_decref(v);
    v = json_real(50.0);
    assert_int_equal(genu_json_num(v, "height_cm", 50, 250, &out, &err), GENU_OK);
    assert_true(out == 50.0);
    json_decref(v);
    v = json_real(164.5);
    assert_int_equal(genu_json_num(v, "height_cm", 50, 250, &out, &err), GENU_OK);
    assert_true(out == 164.5);
    json_decref(v);
}

static void num_out_of_bounds_or_wrong_type_names_the_field(void **state)
{
    (void)state;
    json_t *vals[] = {json_real(49.99),   json_real(250.01), json_integer(251),
                      json_string("170"), json_false(),      json_object()};
    for (size_t i = 0; i < 6; i++) {
        genu_err err = {0};
        double out = -7;
        assert_int_equal(genu_json_num(vals[i], "height_cm", 50, 250, &out, &err), GENU_EINVAL);
        assert_non_null(strstr(err.msg, "field \"height_cm\""));
        assert_true(out == -7);
        json_decref(vals[i]);
    }
}

/* ---- genu_json_append ------------------------------------------------ */

static char *appended(const json_t *v)
{
    genu_buf b = GENU_BUF_INIT;
    assert_int_equal(genu_json_append(&b, v), 0);
    char *s = strdup(b.p);
    genu_buf_free(&b);
    return s;
}

/* Significant digits of a number's text: the digits before any exponent,
 * without leading zeros. */
static size_t sig_digits(const char *s)
{
    size_t n = 0;
    bool lead = true;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (lead && *s == '0')
            continue;
        lead = false;
        n++;
    }
    return n;
}

/* Each real reads back as exactly the same double, and with no more
 * significant digits than the shortest such text needs (counted by hand:
 * 0.1 needs 1, 1/3 needs 16, 2/3 16, 1e300 1, 0.58787878 8, DBL_MAX 17). */
static void reals_read_back_exactly(void **state)
{
    (void)state;
    const double v[] = {0.1,        1.0 / 3,
                        2.0 / 3,    1e300,
                        0.58787878, 1.7976931348623157e308,
                        -2.5e-8,    63.888888888888886,
                        1e-300,     123456.789};
    const size_t digits[] = {1, 16, 16, 1, 8, 17, 2, 17, 1, 9};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        json_t *r = json_real(v[i]);
        char *s = appended(r);
        assert_true(strtod(s, NULL) == v[i]);
        if (sig_digits(s) != digits[i])
            fail_msg("%.17g printed as %s: %zu significant digits, want %zu", v[i], s,
                     sig_digits(s), digits[i]);
        /* and jansson reads the text back to the same value */
        json_error_t je;
        json_t *back = json_loads(s, JSON_DECODE_ANY, &je);
        assert_non_null(back);
        assert_true(json_number_value(back) == v[i]);
        json_decref(back);
        json_decref(r);
        free(s);
    }
    json_t *r = json_real(0.1);
    char *s = appended(r);
    assert_string_equal(s, "0.1");
    free(s);
    json_decref(r);
}

/* Whole reals print without a fraction (buf.h: "integers print without a
 * fraction"), and -0.0 — a whole number — reads back as a zero. */
static void whole_reals_print_without_a_fraction(void **state)
{
    (void)state;
    const double v[] = {2.0, 100.0, -3.0, 0.0, -0.0};
    const char *want[] = {"2", "100", "-3", "0", NULL};
    for (size_t i = 0; i < 5; i++) {
        json_t *r = json_real(v[i]);
        char *s = appended(r);
        if (want[i])
            assert_string_equal(s, want[i]);
        else
            assert_true(strcmp(s, "0") == 0 || strcmp(s, "-0") == 0);
        assert_null(strchr(s, '.'));
        assert_true(strtod(s, NULL) == v[i]);
        free(s);
        json_decref(r);
    }
}

static void integers_print_whole(void **state)
{
    (void)state;
    const json_int_t v[] = {0, -1, 42, INT64_MAX, INT64_MIN};
    const char *want[] = {"0", "-1", "42", "9223372036854775807", "-9223372036854775808"};
    for (size_t i = 0; i < 5; i++) {
        json_t *x = json_integer(v[i]);
        char *s = appended(x);
        assert_string_equal(s, want[i]);
        free(s);
        json_decref(x);
    }
}

/* Keys come out in the order they were set (not sorted, not hashed), also
 * for an object parsed from text; nested values and literals are compact. */
static void objects_keep_key_order(void **state)
{
    (void)state;
    json_t *o = json_object();
    json_object_set_new(o, "zeta", json_integer(1));
    json_object_set_new(o, "alpha", json_integer(2));
    json_object_set_new(o, "mu", json_pack("[b,b,n,s]", 1, 0, "é\n"));
    json_object_set_new(o, "beta", json_object());
    json_object_set_new(o, "delta", json_array());
    char *s = appended(o);
    assert_string_equal(s, "{\"zeta\":1,\"alpha\":2,\"mu\":[true,false,null,\"é\\n\"],"
                           "\"beta\":{},\"delta\":[]}");
    free(s);
    json_decref(o);

    const char *text = "{\"type\":\"x\",\"b\":{\"z\":1,\"y\":[2.5,{\"q\":\"\\u00e9\"}]},\"a\":0}";
    genu_err err = {0};
    json_t *p = parse(text, &err);
    assert_non_null(p);
    s = appended(p);
    /* \u00e9 is written as the UTF-8 character itself */
    assert_string_equal(s, "{\"type\":\"x\",\"b\":{\"z\":1,\"y\":[2.5,{\"q\":\"é\"}]},\"a\":0}");
    free(s);
    json_decref(p);
}

/* Appending parsed text and parsing the result gives an equal value. */
static void append_then_parse_round_trips(void **state)
{
    (void)state;
    const char *text = "{\"k\":[0.1,1e300,-7,\"a\\\"b\\\\c\",{\"n\":null}],\"é\":true}";
    genu_err err = {0};
    json_t *p = parse(text, &err);
    assert_non_null(p);
    char *s = appended(p);
    json_t *q = parse(s, &err);
    assert_non_null(q);
    assert_true(json_equal(p, q));
    free(s);
    json_decref(p);
    json_decref(q);
}

static void kinds_are_named(void **state)
{
    (void)state;
    json_t *v[] = {json_string(""), json_integer(1), json_real(1.5), json_true(),
                   json_false(),    json_null(),     json_object(),  json_array()};
    const char *want[] = {"string",  "integer", "number", "boolean",
                          "boolean", "null",    "object", "array"};
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(genu_json_kind(v[i]), want[i]);
        json_decref(v[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_an_object),
        cmocka_unit_test(scalars_are_refused_naming_the_column),
        cmocka_unit_test(arrays_are_refused_naming_the_column),
        cmocka_unit_test(trailing_data_is_refused_naming_the_column),
        cmocka_unit_test(invalid_utf8_is_refused_naming_the_column),
        cmocka_unit_test(duplicate_keys_are_refused),
        cmocka_unit_test(int_within_bounds_is_read),
        cmocka_unit_test(int_out_of_bounds_names_the_field),
        cmocka_unit_test(int_of_another_type_names_the_field),
        cmocka_unit_test(num_accepts_integers_and_reals_within_bounds),
        cmocka_unit_test(num_out_of_bounds_or_wrong_type_names_the_field),
        cmocka_unit_test(reals_read_back_exactly),
        cmocka_unit_test(whole_reals_print_without_a_fraction),
        cmocka_unit_test(integers_print_whole),
        cmocka_unit_test(objects_keep_key_order),
        cmocka_unit_test(append_then_parse_round_trips),
        cmocka_unit_test(kinds_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
