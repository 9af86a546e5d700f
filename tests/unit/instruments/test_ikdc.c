/* test_ikdc: IKDC 2000 scoring by hand: I2/I3 reversal, sum / sum of the
 * maxima of the answered items, the 16-of-18 rule, I10_pre never scored. */
#include "helpers.h"

static const char *const codes[18] = {"I1",  "I2",  "I3",  "I4",  "I5",  "I6",
                                      "I7",  "I8",  "I9a", "I9b", "I9c", "I9d",
                                      "I9e", "I9f", "I9g", "I9h", "I9i", "I10"};
static const int hand[18] = {3, 2, 4, 3, 2, 1, 4, 2, 4, 3, 2, 1, 0, 4, 3, 2, 1, 7};

static void answer(const genu_instrument *in, instr_answer *a, const int v[18])
{
    clear(a);
    for (int i = 0; i < 18; i++)
        put(in, a, codes[i], v[i]);
}

static void best_is_100_worst_is_0(void **state)
{
    (void)state;
    const genu_instrument *in = get("ikdc");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    int best[18], worst[18];
    for (int i = 0; i < 18; i++) {
        int hi = in->items[instrument_item(in, codes[i])].hi;
        bool reversed = i == 1 || i == 2;
        best[i] = reversed ? 0 : hi;
        worst[i] = reversed ? hi : 0;
    }
    answer(in, a, best);
    scored(in, a, &r);
    assert_close(val(&r, "score"), 100);
    answer(in, a, worst);
    scored(in, a, &r);
    assert_close(val(&r, "score"), 0);
}

/* 3 + (10-2) + (10-4) + 3 + 2 + 1 + 4 + 2 + (4+3+2+1+0+4+3+2+1) + 7 = 56 of 87. */
static void hand_vector_reverses_pain_items(void **state)
{
    (void)state;
    const genu_instrument *in = get("ikdc");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    answer(in, a, hand);
    scored(in, a, &r);
    assert_close(val(&r, "score"), 56.0 / 87.0 * 100.0);
    put(in, a, "I10_pre", 10);
    scored(in, a, &r);
    assert_close(val(&r, "score"), 56.0 / 87.0 * 100.0);
    put(in, a, "I10_pre", 0);
    scored(in, a, &r);
    assert_close(val(&r, "score"), 56.0 / 87.0 * 100.0);
}

/* Without I2 (8 of 10) and I6 (1 of 1): 47 of 76. */
static void denominator_is_the_answered_maxima(void **state)
{
    (void)state;
    const genu_instrument *in = get("ikdc");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    answer(in, a, hand);
    unset(in, a, "I2");
    unset(in, a, "I6");
    scored(in, a, &r);
    assert_close(val(&r, "score"), 47.0 / 76.0 * 100.0);
    unset(in, a, "I9c");
    put(in, a, "I10_pre", 9); /* stored items do not count as answers */
    scored(in, a, &r);
    assert_null_with_note(&r, "score");
    assert_string_equal(note(&r, "score"), "score: 16 of 18 items needed, 15 answered");
}

static void items_and_ranges(void **state)
{
    (void)state;
    const genu_instrument *in = get("ikdc");
    assert_int_equal(in->nitems, 19);
    int pre = instrument_item(in, "I10_pre");
    assert_true(pre >= 0);
    assert_false(in->items[pre].scored);
    int sum = 0;
    for (int i = 0; i < 18; i++) {
        const instr_item *it = &in->items[instrument_item(in, codes[i])];
        assert_true(it->scored);
        assert_int_equal(it->lo, 0);
        sum += it->hi;
    }
    assert_int_equal(sum, 87);
    genu_err err = {0};
    instr_answer bad = {INSTR_INT, 2};
    assert_int_equal(instrument_check(in, instrument_item(in, "I6"), &bad, &err), GENU_EINVAL);
    assert_string_equal(err.msg, "items.I6: 2 is out of range (0 to 1)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(best_is_100_worst_is_0),
        cmocka_unit_test(hand_vector_reverses_pain_items),
        cmocka_unit_test(denominator_is_the_answered_maxima),
        cmocka_unit_test(items_and_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
