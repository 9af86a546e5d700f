/* test_koos_jr: KOOS JR at every raw sum 0..28 against the published table
 * (copied from the HSS conversion table / docs/instruments.md), and the
 * every-item rule. */
#include "helpers.h"

#include "instruments/koos_jr.h"

static const double table[29] = {
    100.000, 91.975, 84.600, 79.914, 76.332, 73.342, 70.704, 68.284, 65.994, 63.776,
    61.583,  59.381, 57.140, 54.840, 52.465, 50.012, 47.487, 44.905, 42.281, 39.625,
    36.931,  34.174, 31.307, 28.251, 24.875, 20.941, 15.939, 8.291,  0.000};

/* Spreads raw over the seven items, each 0..4. */
static void spread(const genu_instrument *in, instr_answer *a, int raw)
{
    fill(in, a, 0);
    for (size_t i = 0; i < in->nitems && raw > 0; i++) {
        int v = raw > 4 ? 4 : raw;
        a[i].value = v;
        raw -= v;
    }
}

static void every_raw_sum_converts_by_the_table(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos_jr");
    const genu_instrument *koos = get("koos");
    instr_answer a[INSTR_MAX_ITEMS], k[INSTR_MAX_ITEMS];
    instr_result r, rk;
    for (int raw = 0; raw <= 28; raw++) {
        spread(in, a, raw);
        scored(in, a, &r);
        assert_close(val(&r, "score"), table[raw]);
        assert_close(koos_jr_interval(raw), table[raw]);
        /* the same answers inside a full KOOS give the same koos_jr */
        fill(koos, k, 0);
        for (size_t i = 0; i < in->nitems; i++)
            put(koos, k, in->items[i].code, a[i].value);
        scored(koos, k, &rk);
        assert_close(val(&rk, "koos_jr"), table[raw]);
    }
    assert_true(isnan(koos_jr_interval(-1)));
    assert_true(isnan(koos_jr_interval(29)));
}

static void every_item_is_required(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos_jr");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    for (size_t i = 0; i < in->nitems; i++) {
        fill(in, a, 1);
        a[i].state = INSTR_MISSING;
        scored(in, a, &r);
        assert_null_with_note(&r, "score");
        assert_non_null(strstr(note(&r, "score"), in->items[i].code));
    }
}

static void items_are_the_koos_codes(void **state)
{
    (void)state;
    static const char *const codes[7] = {"S6", "P2", "P3", "P6", "P9", "A3", "A5"};
    const genu_instrument *in = get("koos_jr");
    assert_int_equal(in->nitems, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(in->items[i].code, codes[i]);
        assert_int_equal(in->items[i].hi, 4);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_raw_sum_converts_by_the_table),
        cmocka_unit_test(every_item_is_required),
        cmocka_unit_test(items_are_the_koos_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
