/* test_womac: WOMAC 3.1 Likert and NRS: raw sums, _norm, the missing-item
 * substitution at and past each threshold, and the total rule. */
#include "helpers.h"

#include "instruments/womac.h"

static void keys_in_spec_order(void **state)
{
    (void)state;
    static const char *const want[8] = {"pain",      "stiffness",      "function",
                                        "total",     "pain_norm",      "stiffness_norm",
                                        "function_norm", "total_norm"};
    for (int f = 0; f < 2; f++) {
        const genu_instrument *in = get(f ? "womac_nrs" : "womac");
        assert_int_equal(in->nscores, 8);
        assert_int_equal(in->nitems, 24);
        for (size_t i = 0; i < 8; i++)
            assert_string_equal(in->score_keys[i], want[i]);
    }
}

/* P = 1,2,3,4,0 (10), S = 2,3 (5), F1..F17 = i % 5 (1+2+3+4+0 x3 + 1+2 = 33). */
static void raw_sums_and_norms(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    clear(a);
    put(in, a, "P1", 1);
    put(in, a, "P2", 2);
    put(in, a, "P3", 3);
    put(in, a, "P4", 4);
    put(in, a, "P5", 0);
    put(in, a, "S1", 2);
    put(in, a, "S2", 3);
    char code[24];
    for (int i = 1; i <= 17; i++) {
        snprintf(code, sizeof code, "F%d", i);
        put(in, a, code, i % 5);
    }
    scored(in, a, &r);
    assert_close(val(&r, "pain"), 10);
    assert_close(val(&r, "stiffness"), 5);
    assert_close(val(&r, "function"), 33);
    assert_close(val(&r, "total"), 48);
    assert_close(val(&r, "pain_norm"), 50);
    assert_close(val(&r, "stiffness_norm"), 62.5);
    assert_close(val(&r, "function_norm"), 33.0 / 68.0 * 100.0);
    assert_close(val(&r, "total_norm"), 50);
    assert_int_equal(r.nnotes, 0);
}

static void pain_substitutes_one_missing_item(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 0);
    put(in, a, "P1", 1);
    put(in, a, "P2", 1);
    put(in, a, "P3", 2);
    put(in, a, "P4", 3);
    unset(in, a, "P5"); /* mean 7/4 -> 7 + 1.75 = 8.75 */
    scored(in, a, &r);
    assert_close(val(&r, "pain"), 8.75);
    assert_close(val(&r, "pain_norm"), 43.75);
    assert_close(val(&r, "total"), 8.75);
    unset(in, a, "P4");
    scored(in, a, &r);
    assert_null_with_note(&r, "pain");
    assert_null_with_note(&r, "pain_norm");
    assert_null_with_note(&r, "total");
    assert_null_with_note(&r, "total_norm");
    assert_close(val(&r, "function"), 0);
}

static void stiffness_allows_none_missing(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 2);
    unset(in, a, "S2");
    scored(in, a, &r);
    assert_null_with_note(&r, "stiffness");
    assert_string_equal(note(&r, "stiffness"), "stiffness: all 2 items needed, 1 answered");
    assert_close(val(&r, "pain"), 10);
}

static void function_substitutes_up_to_three(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 0);
    char code[24];
    for (int i = 1; i <= 14; i++) {
        snprintf(code, sizeof code, "F%d", i);
        put(in, a, code, i <= 7 ? 1 : 2); /* 7 + 14 = 21 over 14 items, mean 1.5 */
    }
    unset(in, a, "F15");
    unset(in, a, "F16");
    unset(in, a, "F17");
    scored(in, a, &r);
    assert_close(val(&r, "function"), 25.5);
    assert_close(val(&r, "function_norm"), 25.5 / 68.0 * 100.0);
    assert_close(val(&r, "total"), 25.5);
    assert_close(val(&r, "total_norm"), 25.5 / 96.0 * 100.0);
    unset(in, a, "F14");
    scored(in, a, &r);
    assert_null_with_note(&r, "function");
    assert_string_equal(note(&r, "function"),
                        "function: at most 3 of 17 items may be missing, 4 missing");
}

static void nrs_scales_to_ten_per_item(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac_nrs");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 10);
    scored(in, a, &r);
    assert_close(val(&r, "pain"), 50);
    assert_close(val(&r, "stiffness"), 20);
    assert_close(val(&r, "function"), 170);
    assert_close(val(&r, "total"), 240);
    assert_close(val(&r, "total_norm"), 100);
    fill(in, a, 3);
    put(in, a, "P1", 7);
    unset(in, a, "P2"); /* (7 + 9) / 4 = 4 -> 20 */
    scored(in, a, &r);
    assert_close(val(&r, "pain"), 20);
    assert_close(val(&r, "pain_norm"), 40);
    assert_close(val(&r, "total"), 20 + 6 + 51);
    assert_close(val(&r, "total_norm"), 77.0 / 240.0 * 100.0);
    genu_err err = {0};
    instr_answer bad = {INSTR_INT, 11};
    assert_int_equal(instrument_check(in, 0, &bad, &err), GENU_EINVAL);
    assert_string_equal(err.msg, "items.P1: 11 is out of range (0 to 10)");
}

static void limits_are_a_setting(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 2);
    a[5].state = INSTR_MISSING; /* S1 */
    womac_limits lim = {1, 1, 3};
    instrument_result_init(in, &r);
    womac_score_items(a, 4, &lim, &r, 0);
    assert_close(val(&r, "stiffness"), 4);
    assert_int_equal(womac_default_limits.pain, 1);
    assert_int_equal(womac_default_limits.stiffness, 0);
    assert_int_equal(womac_default_limits.function, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_in_spec_order),
        cmocka_unit_test(raw_sums_and_norms),
        cmocka_unit_test(pain_substitutes_one_missing_item),
        cmocka_unit_test(stiffness_allows_none_missing),
        cmocka_unit_test(function_substitutes_up_to_three),
        cmocka_unit_test(nrs_scales_to_ten_per_item),
        cmocka_unit_test(limits_are_a_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
