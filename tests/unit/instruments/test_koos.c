/* test_koos: KOOS subscales, the 50 % rule at each threshold, and the derived
 * WOMAC, KOOS JR and KOOS-PS (vectors worked by hand from the KOOS guide). */
#include "helpers.h"

static const char *const subs[5] = {"pain", "symptoms", "adl", "sport_rec", "qol"};
static const char *const pre[5] = {"P", "S", "A", "SP", "Q"};
static const int nitems[5] = {9, 7, 17, 5, 4};
static const int need[5] = {5, 4, 9, 3, 2};

static void answer_first(const genu_instrument *in, instr_answer *a, int k, int n, int v)
{
    char code[24];
    for (int i = 1; i <= n; i++) {
        snprintf(code, sizeof code, "%s%d", pre[k], i);
        put(in, a, code, v);
    }
}

static void score_keys_in_spec_order(void **state)
{
    (void)state;
    static const char *const want[] = {
        "pain", "symptoms", "adl", "sport_rec", "qol", "womac.pain", "womac.stiffness",
        "womac.function", "womac.total", "womac.pain_norm", "womac.stiffness_norm",
        "womac.function_norm", "womac.total_norm", "koos_jr", "koos_ps"};
    const genu_instrument *in = get("koos");
    assert_int_equal(in->nscores, 15);
    assert_int_equal(in->nitems, 42);
    assert_int_equal(in->version, 1);
    for (size_t i = 0; i < 15; i++)
        assert_string_equal(in->score_keys[i], want[i]);
}

static void all_none_is_100_and_womac_0(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 0);
    scored(in, a, &r);
    for (int k = 0; k < 5; k++)
        assert_close(val(&r, subs[k]), 100);
    assert_close(val(&r, "womac.total"), 0);
    assert_close(val(&r, "womac.total_norm"), 0);
    assert_close(val(&r, "koos_jr"), 100);
    assert_close(val(&r, "koos_ps"), 100);
    assert_int_equal(r.nnotes, 0);
}

static void all_extreme_is_0_and_womac_max(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 4);
    scored(in, a, &r);
    for (int k = 0; k < 5; k++)
        assert_close(val(&r, subs[k]), 0);
    assert_close(val(&r, "womac.pain"), 20);
    assert_close(val(&r, "womac.stiffness"), 8);
    assert_close(val(&r, "womac.function"), 68);
    assert_close(val(&r, "womac.total"), 96);
    assert_close(val(&r, "womac.pain_norm"), 100);
    assert_close(val(&r, "womac.total_norm"), 100);
    assert_close(val(&r, "koos_jr"), 0);
    assert_close(val(&r, "koos_ps"), 0);
}

/* P1..P9 = 0,1,2,3,4,0,1,2,3: mean 16/9, pain = 100 - 25 * 16/9 = 55.5...;
 * WOMAC pain = P5..P9 = 4+0+1+2+3 = 10, norm 50. */
static void pain_is_100_minus_25_times_mean(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    clear(a);
    static const int v[9] = {0, 1, 2, 3, 4, 0, 1, 2, 3};
    char code[24];
    for (int i = 0; i < 9; i++) {
        snprintf(code, sizeof code, "P%d", i + 1);
        put(in, a, code, v[i]);
    }
    scored(in, a, &r);
    assert_close(val(&r, "pain"), 100.0 - 25.0 * 16.0 / 9.0);
    assert_close(val(&r, "womac.pain"), 10);
    assert_close(val(&r, "womac.pain_norm"), 50);
    assert_null_with_note(&r, "symptoms");
    assert_null_with_note(&r, "womac.stiffness");
    assert_null_with_note(&r, "womac.total");
}

static void subscales_need_half_their_items(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    for (int k = 0; k < 5; k++) {
        clear(a);
        answer_first(in, a, k, need[k], 2);
        scored(in, a, &r);
        assert_close(val(&r, subs[k]), 50);
        clear(a);
        answer_first(in, a, k, need[k] - 1, 2);
        scored(in, a, &r);
        assert_null_with_note(&r, subs[k]);
        char want[INSTR_NOTE_LEN];
        snprintf(want, sizeof want, "%s: %d of %d items needed, %d answered", subs[k], need[k],
                 nitems[k], need[k] - 1);
        assert_string_equal(note(&r, subs[k]), want);
    }
}

static void subscales_stand_alone(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    clear(a);
    answer_first(in, a, 4, 4, 1); /* qol only */
    scored(in, a, &r);
    assert_close(val(&r, "qol"), 75);
    for (int k = 0; k < 4; k++)
        assert_null_with_note(&r, subs[k]);
}

/* WOMAC from KOOS reads P5-P9, S6-S7, A1-A17 only. */
static void womac_mapping_reads_the_right_items(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 4);
    char code[24];
    for (int i = 5; i <= 9; i++) {
        snprintf(code, sizeof code, "P%d", i);
        put(in, a, code, 1);
    }
    put(in, a, "S6", 2);
    put(in, a, "S7", 3);
    for (int i = 1; i <= 17; i++) {
        snprintf(code, sizeof code, "A%d", i);
        put(in, a, code, i % 2); /* 9 ones */
    }
    scored(in, a, &r);
    assert_close(val(&r, "womac.pain"), 5);
    assert_close(val(&r, "womac.stiffness"), 5);
    assert_close(val(&r, "womac.function"), 9);
    assert_close(val(&r, "womac.total"), 19);
    assert_close(val(&r, "womac.pain_norm"), 25);
    assert_close(val(&r, "womac.stiffness_norm"), 62.5);
    assert_close(val(&r, "womac.function_norm"), 9.0 / 68.0 * 100.0);
    assert_close(val(&r, "womac.total_norm"), 19.0 / 96.0 * 100.0);
}

/* KOOS pain is fine with 7 of 9 answered; WOMAC pain allows only 1 of P5-P9
 * missing, and replaces it by the mean of the other four. */
static void womac_uses_its_own_missing_rule(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 0);
    put(in, a, "P5", 1);
    put(in, a, "P6", 2);
    put(in, a, "P7", 3);
    put(in, a, "P8", 4);
    unset(in, a, "P9");
    scored(in, a, &r);
    assert_close(val(&r, "womac.pain"), 12.5);
    assert_close(val(&r, "womac.pain_norm"), 62.5);
    unset(in, a, "P8");
    scored(in, a, &r);
    assert_false(isnan(val(&r, "pain")));
    assert_null_with_note(&r, "womac.pain");
    assert_null_with_note(&r, "womac.pain_norm");
    assert_null_with_note(&r, "womac.total");
    assert_string_equal(note(&r, "womac.pain"),
                        "womac.pain: at most 1 of 5 items may be missing, 2 missing");
    fill(in, a, 0);
    unset(in, a, "S7");
    scored(in, a, &r);
    assert_close(val(&r, "symptoms"), 100);
    assert_null_with_note(&r, "womac.stiffness");
    fill(in, a, 2);
    unset(in, a, "A1");
    unset(in, a, "A2");
    unset(in, a, "A3");
    scored(in, a, &r);
    assert_close(val(&r, "womac.function"), 34);
    unset(in, a, "A4");
    scored(in, a, &r);
    assert_null_with_note(&r, "womac.function");
}

/* The derived WOMAC takes the registry's thresholds; KOOS's own subscales
 * do not. P1-P4 1, P5 2, P6 3, P7 4, P8 and P9 missing: WOMAC pain (P5-P9)
 * with 2 allowed is 9 + 2 x 3 = 15 (75 %), null with the default 1; KOOS
 * pain (7 of 9, sum 13) is 100 - 25 x 13/7 = 375/7 either way. S6 missing:
 * WOMAC stiffness with 1 allowed is 2 x S7 = 2 x 1 = 2. */
static void womac_takes_the_registry_thresholds(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    genu_err err = {0};
    fill(in, a, 1);
    put_all(in, a, "P5=2 P6=3 P7=4 P8=- P9=- S6=-");
    instr_opts o = instrument_opts_default;
    o.womac_max_missing.pain = 2;
    o.womac_max_missing.stiffness = 1;
    assert_int_equal(instrument_validate(in, a, &err), GENU_OK);
    instrument_score_with(in, a, &o, &r);
    assert_close(val(&r, "womac.pain"), 15);
    assert_close(val(&r, "womac.pain_norm"), 75);
    assert_close(val(&r, "womac.stiffness"), 2);
    assert_close(val(&r, "womac.function"), 17);
    assert_close(val(&r, "womac.total"), 34);
    assert_close(val(&r, "pain"), 375.0 / 7.0);
    assert_true(r.opts_used);
    scored(in, a, &r);
    assert_null_with_note(&r, "womac.pain");
    assert_null_with_note(&r, "womac.stiffness");
    assert_close(val(&r, "pain"), 375.0 / 7.0);
    fill(in, a, 1);
    unset(in, a, "SP1"); /* not a WOMAC item: the options play no part */
    instrument_score_with(in, a, &o, &r);
    assert_false(r.opts_used);
}

static void derived_jr_and_ps(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    fill(in, a, 0);
    put(in, a, "S6", 4); /* JR raw 4 */
    put(in, a, "SP1", 3); /* PS raw 3 */
    put(in, a, "A5", 1);  /* both +1 */
    scored(in, a, &r);
    assert_close(val(&r, "koos_jr"), 73.342);
    assert_close(val(&r, "koos_ps"), 81.4);
    unset(in, a, "P3");
    unset(in, a, "SP5");
    scored(in, a, &r);
    assert_null_with_note(&r, "koos_jr");
    assert_null_with_note(&r, "koos_ps");
    assert_non_null(strstr(note(&r, "koos_jr"), "missing P3"));
    assert_non_null(strstr(note(&r, "koos_ps"), "missing SP5"));
    assert_false(isnan(val(&r, "pain")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(score_keys_in_spec_order),
        cmocka_unit_test(all_none_is_100_and_womac_0),
        cmocka_unit_test(all_extreme_is_0_and_womac_max),
        cmocka_unit_test(pain_is_100_minus_25_times_mean),
        cmocka_unit_test(subscales_need_half_their_items),
        cmocka_unit_test(subscales_stand_alone),
        cmocka_unit_test(womac_mapping_reads_the_right_items),
        cmocka_unit_test(womac_uses_its_own_missing_rule),
        cmocka_unit_test(womac_takes_the_registry_thresholds),
        cmocka_unit_test(derived_jr_and_ps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
