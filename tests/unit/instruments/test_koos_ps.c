/* test_koos_ps: KOOS-PS at every raw sum 0..28 against the published table
 * (copied from the Perruccio 2008 table, reported 100 = no difficulty /
 * docs/instruments.md), and the every-item rule. */
#include "helpers.h"

#include "instruments/koos_ps.h"

static const double table[29] = {
    100, 94.4, 89.5, 85.2, 81.4, 78.0, 75.1, 72.5, 70.3, 68.2, 66.4, 64.7, 63.0, 61.4, 59.7,
    58.0, 56.0, 53.9, 51.5, 48.8, 45.6, 42.1, 38.0, 33.4, 28.2, 22.3, 15.7, 8.2, 0.0};

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
    const genu_instrument *in = get("koos_ps");
    const genu_instrument *koos = get("koos");
    instr_answer a[INSTR_MAX_ITEMS], k[INSTR_MAX_ITEMS];
    instr_result r, rk;
    for (int raw = 0; raw <= 28; raw++) {
        spread(in, a, raw);
        scored(in, a, &r);
        assert_close(val(&r, "score"), table[raw]);
        assert_close(koos_ps_interval(raw), table[raw]);
        /* the same answers inside a full KOOS give the same koos_ps */
        fill(koos, k, 0);
        for (size_t i = 0; i < in->nitems; i++)
            put(koos, k, in->items[i].code, a[i].value);
        scored(koos, k, &rk);
        assert_close(val(&rk, "koos_ps"), table[raw]);
    }
    assert_true(isnan(koos_ps_interval(-1)));
    assert_true(isnan(koos_ps_interval(29)));
}

static void every_item_is_required(void **state)
{
    (void)state;
    const genu_instrument *in = get("koos_ps");
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
    static const char *const codes[7] = {"A10", "A9", "A3", "A5", "SP4", "SP5", "SP1"};
    const genu_instrument *in = get("koos_ps");
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
