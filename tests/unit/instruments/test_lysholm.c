/* test_lysholm: every printed point of every item is accepted, every other
 * value is an error, the score is the sum, and all items are required. */
#include "helpers.h"

static const struct {
    const char *code;
    int n;
    int pts[6];
} sets[8] = {
    {"limp", 3, {5, 3, 0}},
    {"support", 3, {5, 2, 0}},
    {"locking", 5, {15, 10, 6, 2, 0}},
    {"instability", 6, {25, 20, 15, 10, 5, 0}},
    {"pain", 6, {25, 20, 15, 10, 5, 0}},
    {"swelling", 4, {10, 6, 2, 0}},
    {"stairs", 4, {10, 6, 2, 0}},
    {"squatting", 4, {5, 4, 2, 0}},
};

static bool in_set(int k, int v)
{
    for (int i = 0; i < sets[k].n; i++)
        if (sets[k].pts[i] == v)
            return true;
    return false;
}

static void every_point_set_exactly(void **state)
{
    (void)state;
    const genu_instrument *in = get("lysholm");
    assert_int_equal(in->nitems, 8);
    for (int k = 0; k < 8; k++) {
        int i = instrument_item(in, sets[k].code);
        assert_int_equal(i, k);
        assert_int_equal(in->items[i].nallowed, sets[k].n);
        for (int v = -2; v <= 30; v++) {
            genu_err err = {0};
            instr_answer a = {INSTR_INT, v};
            int rc = instrument_check(in, i, &a, &err);
            if (in_set(k, v)) {
                assert_int_equal(rc, GENU_OK);
            } else {
                assert_int_equal(rc, GENU_EINVAL);
                char want[64];
                snprintf(want, sizeof want, "items.%s: %d is not", sets[k].code, v);
                assert_true(strncmp(err.msg, want, strlen(want)) == 0);
            }
        }
    }
}

static void score_is_the_sum(void **state)
{
    (void)state;
    const genu_instrument *in = get("lysholm");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    for (int col = 0; col < 6; col++) { /* best row, second row, ... worst */
        clear(a);
        int sum = 0;
        for (int k = 0; k < 8; k++) {
            int v = sets[k].pts[col < sets[k].n ? col : sets[k].n - 1];
            put(in, a, sets[k].code, v);
            sum += v;
        }
        scored(in, a, &r);
        assert_close(val(&r, "score"), sum);
        if (col == 0)
            assert_close(val(&r, "score"), 100);
        if (col == 5)
            assert_close(val(&r, "score"), 0);
    }
    /* 3 + 2 + 10 + 20 + 15 + 6 + 2 + 4 = 62 */
    clear(a);
    static const int v[8] = {3, 2, 10, 20, 15, 6, 2, 4};
    for (int k = 0; k < 8; k++)
        put(in, a, sets[k].code, v[k]);
    scored(in, a, &r);
    assert_close(val(&r, "score"), 62);
}

static void all_items_required(void **state)
{
    (void)state;
    const genu_instrument *in = get("lysholm");
    instr_answer a[INSTR_MAX_ITEMS];
    instr_result r;
    for (int k = 0; k < 8; k++) {
        clear(a);
        for (int j = 0; j < 8; j++)
            if (j != k)
                put(in, a, sets[j].code, sets[j].pts[0]);
        scored(in, a, &r);
        assert_null_with_note(&r, "score");
        assert_non_null(strstr(note(&r, "score"), sets[k].code));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_point_set_exactly),
        cmocka_unit_test(score_is_the_sum),
        cmocka_unit_test(all_items_required),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
