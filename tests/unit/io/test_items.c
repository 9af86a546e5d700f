/* test_items: JSON items -> answers, every class of bad input named by item,
 * and the nested scores JSON. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "io/items.h"
#include "io/scores.h"

static int parse(const char *id, const char *text, instr_answer out[INSTR_MAX_ITEMS],
                 genu_err *err)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    assert_non_null(v);
    int rc = items_from_json(instrument_find(id), v, out, err);
    json_decref(v);
    return rc;
}

static void expect_error(const char *id, const char *text, const char *msg_start)
{
    instr_answer out[INSTR_MAX_ITEMS];
    memset(out, 0x5a, sizeof out);
    genu_err err = {0};
    assert_int_equal(parse(id, text, out, &err), GENU_EINVAL);
    if (strncmp(err.msg, msg_start, strlen(msg_start)) != 0)
        fail_msg("%s: got \"%s\", expected \"%s...\"", text, err.msg, msg_start);
    assert_int_equal(out[0].state, 0x5a); /* untouched on error */
}

static void good_items_read(void **state)
{
    (void)state;
    instr_answer out[INSTR_MAX_ITEMS];
    genu_err err = {0};
    assert_int_equal(parse("koos", "{\"P3\":2,\"S1\":null,\"Q4\":4}", out, &err), GENU_OK);
    const genu_instrument *in = instrument_find("koos");
    assert_int_equal(out[instrument_item(in, "P3")].state, INSTR_INT);
    assert_int_equal(out[instrument_item(in, "P3")].value, 2);
    assert_int_equal(out[instrument_item(in, "S1")].state, INSTR_MISSING);
    assert_int_equal(out[instrument_item(in, "Q4")].value, 4);
    assert_int_equal(out[0].state, INSTR_MISSING);
    assert_int_equal(out[INSTR_MAX_ITEMS - 1].state, INSTR_MISSING);
    assert_int_equal(parse("koos", "{}", out, &err), GENU_OK);
    assert_int_equal(parse("sleep", "{\"interrupted\":true,\"nights_per_week\":2}", out, &err),
                     GENU_OK);
    assert_int_equal(out[0].state, INSTR_BOOL);
    assert_int_equal(out[0].value, 1);
    assert_int_equal(parse("rom", "{\"extension_deg\":-5}", out, &err), GENU_OK);
    assert_int_equal(out[1].value, -5);
    assert_int_equal(parse("lysholm", "{\"locking\":6}", out, &err), GENU_OK);
}

static void bad_items_are_named(void **state)
{
    (void)state;
    expect_error("koos", "[]", "items: expected an object");
    expect_error("koos", "3", "items: expected an object");
    expect_error("koos", "null", "items: expected an object");
    expect_error("koos", "{\"P10\":1}", "items.P10: unknown item of koos");
    expect_error("koos", "{\"p1\":1}", "items.p1: unknown item");
    expect_error("koos", "{\"P3\":5}", "items.P3: 5 is out of range (0 to 4)");
    expect_error("koos", "{\"P3\":-1}", "items.P3: -1 is out of range (0 to 4)");
    expect_error("koos", "{\"P3\":99999999999}", "items.P3: 99999999999 is out of range");
    expect_error("koos", "{\"P3\":2.0}", "items.P3: expected an integer");
    expect_error("koos", "{\"P3\":2.5}", "items.P3: expected an integer");
    expect_error("koos", "{\"P3\":2e0}", "items.P3: expected an integer");
    expect_error("koos", "{\"P3\":\"2\"}", "items.P3: expected an integer, got a string");
    expect_error("koos", "{\"P3\":true}", "items.P3: expected an integer, got a boolean");
    expect_error("koos", "{\"P3\":[2]}", "items.P3: expected an integer, got an array");
    expect_error("koos", "{\"P3\":{}}", "items.P3: expected an integer, got an object");
    expect_error("sleep", "{\"interrupted\":1}",
                 "items.interrupted: expected true or false, got an integer");
    expect_error("sleep", "{\"interrupted\":\"yes\"}", "items.interrupted: expected true or false");
    expect_error("sleep", "{\"interrupted\":false,\"nights_per_week\":2}",
                 "items.nights_per_week: must be 0 when interrupted is false");
    expect_error("sleep", "{\"nights_per_week\":8}", "items.nights_per_week: 8 is out of range");
    expect_error("lysholm", "{\"limp\":4}", "items.limp: 4 is not an allowed answer (5, 3, 0)");
    expect_error("lysholm", "{\"pain\":99999999999}", "items.pain: 99999999999 is not an allowed");
    expect_error("rom", "{\"extension_deg\":-21}", "items.extension_deg: -21 is out of range (-20 to 30)");
    expect_error("ikdc", "{\"I10_pre\":11}", "items.I10_pre: 11 is out of range (0 to 10)");
}

static void items_round_trip(void **state)
{
    (void)state;
    const genu_instrument *in = instrument_find("sleep");
    instr_answer out[INSTR_MAX_ITEMS];
    genu_err err = {0};
    assert_int_equal(parse("sleep", "{\"nights_per_week\":0,\"interrupted\":false}", out, &err),
                     GENU_OK);
    json_t *j = items_to_json(in, out);
    char *s = json_dumps(j, JSON_COMPACT);
    assert_string_equal(s, "{\"interrupted\":false,\"nights_per_week\":0}");
    genu_buf b = GENU_BUF_INIT;
    items_append_json(&b, in, out); /* the same text, written directly */
    assert_string_equal(b.p, s);
    genu_buf_clear(&b);
    assert_int_equal(parse("koos", "{\"P1\":4,\"S2\":null,\"Q4\":0}", out, &err), GENU_OK);
    items_append_json(&b, instrument_find("koos"), out);
    assert_string_equal(b.p, "{\"P1\":4,\"Q4\":0}");
    genu_buf_free(&b);
    free(s);
    json_decref(j);
}

static void scores_nest_dotted_keys(void **state)
{
    (void)state;
    genu_score s[] = {{"pain", 75}, {"womac.pain", 5}, {"womac.total_norm", 27.083333333333332},
                      {"koos_jr", NAN}, {"koos_ps", 8.2}};
    genu_buf b = GENU_BUF_INIT;
    scores_append_json(&b, s, 5);
    assert_string_equal(b.p, "{\"pain\":75,\"womac\":{\"pain\":5,\"total_norm\":27.083333333333332},"
                             "\"koos_jr\":null,\"koos_ps\":8.2}");
    json_t *j = scores_to_json(s, 5);
    json_error_t je;
    json_t *back = json_loads(b.p, 0, &je);
    assert_true(json_equal(j, back));
    json_decref(j);
    json_decref(back);
    genu_buf_free(&b);
    const char *notes[] = {"a: b", "c \"d\""};
    j = notes_to_json(notes, 2);
    assert_int_equal(json_array_size(j), 2);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_items_read),
        cmocka_unit_test(bad_items_are_named),
        cmocka_unit_test(items_round_trip),
        cmocka_unit_test(scores_nest_dotted_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
