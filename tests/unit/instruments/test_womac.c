/* test_womac: WOMAC 3.1 Likert and NRS: raw sums, _norm, the missing-item
 * substitution at and past each threshold (the defaults and the registry's
 * own, instr_opts), the total rule, and reading the thresholds as text.
 * Expected values are worked by hand from the rule. */
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

/* Scores a with opts (checked first). */
static void scored_with(const genu_instrument *in, const instr_answer *a, const instr_opts *o,
                        instr_result *r)
{
    genu_err err = {0};
    if (instrument_validate(in, a, &err) != GENU_OK)
        fail_msg("invalid answers: %s", err.msg);
    instrument_score_with(in, a, o, r);
}

static instr_opts opts(int pain, int stiffness, int function)
{
    instr_opts o = instrument_opts_default;
    o.womac_max_missing.pain = pain;
    o.womac_max_missing.stiffness = stiffness;
    o.womac_max_missing.function = function;
    return o;
}

static void defaults_are_the_user_guide(void **state)
{
    (void)state;
    assert_int_equal(instrument_opts_default.womac_max_missing.pain, 1);
    assert_int_equal(instrument_opts_default.womac_max_missing.stiffness, 0);
    assert_int_equal(instrument_opts_default.womac_max_missing.function, 3);
    instr_opts o = opts(1, 0, 3);
    assert_true(instrument_opts_equal(&o, NULL));
    assert_true(instrument_opts_equal(NULL, &instrument_opts_default));
    o.womac_max_missing.function = 4;
    assert_false(instrument_opts_equal(&o, NULL));
    assert_true(instrument_uses_opts(get("womac")));
    assert_true(instrument_uses_opts(get("womac_nrs")));
    assert_true(instrument_uses_opts(get("koos")));
    assert_false(instrument_uses_opts(get("koos_jr")));
    assert_false(instrument_uses_opts(get("nprs")));
}

/* Pain 1, 2, 4, -, - (sum 7 over 3, mean 7/3): with 2 allowed, 7 + 2 x 7/3
 * = 35/3; by default (1) null. S 2, 2 = 4; F all 1 = 17. */
static void pain_with_two_allowed(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 1);
    put_all(in, a, "P1=1 P2=2 P3=4 P4=- P5=- S1=2 S2=2");
    instr_opts o = opts(2, 0, 3);
    scored_with(in, a, &o, &r);
    assert_close(val(&r, "pain"), 35.0 / 3.0);
    assert_close(val(&r, "pain_norm"), 35.0 / 3.0 / 20.0 * 100.0);
    assert_close(val(&r, "stiffness"), 4);
    assert_close(val(&r, "function"), 17);
    assert_close(val(&r, "total"), 98.0 / 3.0);
    assert_close(val(&r, "total_norm"), 98.0 / 3.0 / 96.0 * 100.0);
    assert_int_equal(r.nnotes, 0);
    assert_true(r.opts_used);
    scored_with(in, a, NULL, &r);
    assert_null_with_note(&r, "pain");
    assert_string_equal(note(&r, "pain"), "pain: at most 1 of 5 items may be missing, 2 missing");
    assert_null_with_note(&r, "total");
}

/* S1 3, S2 missing: with 1 allowed, 3 + 3 = 6 (75 %). */
static void stiffness_with_one_allowed(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 0);
    put_all(in, a, "S1=3 S2=-");
    instr_opts o = opts(1, 1, 3);
    scored_with(in, a, &o, &r);
    assert_close(val(&r, "stiffness"), 6);
    assert_close(val(&r, "stiffness_norm"), 75);
    assert_close(val(&r, "total"), 6);
    assert_close(val(&r, "total_norm"), 6.0 / 96.0 * 100.0);
}

/* F1-F6 2, F7-F12 1, F13-F17 missing: sum 18 over 12, mean 1.5; with 5
 * allowed 18 + 5 x 1.5 = 25.5; with 4 null. */
static void function_at_and_past_its_threshold(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 0);
    put_all(in, a, "F1=2 F2=2 F3=2 F4=2 F5=2 F6=2 F7=1 F8=1 F9=1 F10=1 F11=1 F12=1");
    put_all(in, a, "F13=- F14=- F15=- F16=- F17=-");
    instr_opts o = opts(1, 0, 5);
    scored_with(in, a, &o, &r);
    assert_close(val(&r, "function"), 25.5);
    assert_close(val(&r, "function_norm"), 25.5 / 68.0 * 100.0);
    o = opts(1, 0, 4);
    scored_with(in, a, &o, &r);
    assert_null_with_note(&r, "function");
    assert_string_equal(note(&r, "function"),
                        "function: at most 4 of 17 items may be missing, 5 missing");
    assert_null_with_note(&r, "function_norm");
}

/* 0, 0, 0: every item needed. */
static void zero_allows_none(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 3);
    put_all(in, a, "P2=- F17=-");
    instr_opts o = opts(0, 0, 0);
    scored_with(in, a, &o, &r);
    assert_null_with_note(&r, "pain");
    assert_string_equal(note(&r, "pain"), "pain: all 5 items needed, 4 answered");
    assert_null_with_note(&r, "function");
    assert_string_equal(note(&r, "function"), "function: all 17 items needed, 16 answered");
    assert_close(val(&r, "stiffness"), 6);
}

/* 5, 2, 17: one answered item stands for its subscale; none answered is
 * still null. P3 3 -> 15; S2 1 -> 2; F9 4 -> 68. */
static void largest_thresholds_need_one_answer(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    clear(a);
    instr_opts o = opts(5, 2, 17);
    scored_with(in, a, &o, &r);
    assert_null_with_note(&r, "pain");
    assert_string_equal(note(&r, "pain"), "pain: no item answered (at most 5 of 5 may be missing)");
    assert_null_with_note(&r, "stiffness");
    assert_null_with_note(&r, "function");
    put_all(in, a, "P3=3 S2=1 F9=4");
    scored_with(in, a, &o, &r);
    assert_close(val(&r, "pain"), 15);
    assert_close(val(&r, "stiffness"), 2);
    assert_close(val(&r, "function"), 68);
    assert_close(val(&r, "function_norm"), 100);
    assert_close(val(&r, "total"), 85);
    assert_int_equal(r.nnotes, 0);
}

/* NRS, 2, 1, 3: P 7, 9, 5, -, - (mean 7) -> 35 (70 %); S -, 4 -> 8 (40 %). */
static void nrs_takes_the_thresholds_too(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac_nrs");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 0);
    put_all(in, a, "P1=7 P2=9 P3=5 P4=- P5=- S1=- S2=4");
    instr_opts o = opts(2, 1, 3);
    scored_with(in, a, &o, &r);
    assert_close(val(&r, "pain"), 35);
    assert_close(val(&r, "pain_norm"), 70);
    assert_close(val(&r, "stiffness"), 8);
    assert_close(val(&r, "stiffness_norm"), 40);
    assert_close(val(&r, "total"), 43);
    assert_close(val(&r, "total_norm"), 43.0 / 240.0 * 100.0);
}

/* Complete answers score alike under any thresholds and say so. */
static void complete_answers_do_not_read_opts(void **state)
{
    (void)state;
    const genu_instrument *in = get("womac");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r1, r2;
    fill(in, a, 2);
    instr_opts o = opts(0, 2, 17);
    scored_with(in, a, &o, &r1);
    scored(in, a, &r2);
    assert_false(r1.opts_used);
    assert_false(r2.opts_used);
    for (size_t i = 0; i < r1.nscores; i++)
        assert_close(r1.scores[i].value, r2.scores[i].value);
    unset(in, a, "F1");
    scored(in, a, &r2);
    assert_true(r2.opts_used);
}

static void parse_checks_each_threshold(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"6,0,3", "pain: 6 is out of range (0 to 5)"},
        {"1,3,3", "stiffness: 3 is out of range (0 to 2)"},
        {"1,0,18", "function: 18 is out of range (0 to 17)"},
        {"-1,0,3", "pain: -1 is out of range (0 to 5)"},
        {"1,0,99999999999999999999", "function: 1000 is out of range (0 to 17)"},
        {"1,0", "expected three whole numbers pain,stiffness,function such as 1,0,3, got \"1,0\""},
        {"1,0,3,4", NULL},
        {"1.5,0,3", NULL},
        {"a,b,c", NULL},
        {"", NULL},
        {"1,,3", NULL},
        {"+1,0,3", NULL},
    };
    instr_opts o = opts(2, 1, 4);
    char text[WOMAC_MAX_MISSING_LEN];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        genu_err err = {0};
        assert_int_equal(womac_max_missing_parse(bad[i].text, &o, &err), GENU_EINVAL);
        if (bad[i].msg)
            assert_string_equal(err.msg, bad[i].msg);
        else
            assert_non_null(strstr(err.msg, "expected three whole numbers"));
        womac_max_missing_format(&o, text);
        assert_string_equal(text, "2,1,4"); /* left alone */
    }
    genu_err err = {0};
    assert_int_equal(womac_max_missing_parse(" 5 , 2,17 ", &o, &err), GENU_OK);
    womac_max_missing_format(&o, text);
    assert_string_equal(text, "5,2,17");
    assert_int_equal(womac_max_missing_parse("0,0,0", &o, &err), GENU_OK);
    assert_int_equal(o.womac_max_missing.function, 0);
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
        cmocka_unit_test(defaults_are_the_user_guide),
        cmocka_unit_test(pain_with_two_allowed),
        cmocka_unit_test(stiffness_with_one_allowed),
        cmocka_unit_test(function_at_and_past_its_threshold),
        cmocka_unit_test(zero_allows_none),
        cmocka_unit_test(largest_thresholds_need_one_answer),
        cmocka_unit_test(nrs_takes_the_thresholds_too),
        cmocka_unit_test(complete_answers_do_not_read_opts),
        cmocka_unit_test(parse_checks_each_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
