/* test_cost: cost per responder on a hand-made cohort: mixed currencies,
 * knees without cost, repeats after T excluded, converted knees' series
 * counted, other kinds on the index day left out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "analysis/cost.h"
#include "fixture.h"

#define L GENU_KNEE_LEFT
#define NEAR(a, b) assert_true(fabs((a) - (b)) <= 1e-9)

static genu_record *costed(size_t p, genu_date d, const char *kind, double amount, const char *cur)
{
    genu_record *r = fx_treat(p, L, d, kind);
    r->u.treatment.cost = amount;
    r->u.treatment.currency = cur;
    return r;
}

static void responds(size_t p, genu_date I, double followup)
{
    fx_resp(p, L, I, "nprs", "intensity", 8);
    fx_resp(p, L, I + 91, "nprs", "intensity", followup);
}

/* Index I = 2020-01-01, T = 3m (nominal day 91, window [61, 121]), as-of
 * 2022-01-01, improvement_pct:nprs.intensity>=50 (8 → 2 responds, 8 → 6
 * does not).
 *  K0 prp 1000 USD at I, 500 USD at I+30, 700 USD at I+100 (after T: out);
 *     responder                                     USD 1500
 *  K1 prp 1000 USD; not a responder                 USD 1000
 *  K2 prp 800 EUR; responder                        EUR 800
 *  K3 prp without cost; responder                   without cost
 *  K4 prp 1000 USD, prp at I+60 without cost; no    without cost
 *  K5 prp 1000 USD, prp 300 EUR at I+45; responder  mixed
 *  K6 prp 2000 USD, replaced at I+50 (15000 USD, not an index kind):
 *     converted, analysed as a non-responder        USD 2000
 *  K7 prp 900 GBP, no follow-up: missing, not analysed: no GBP row
 *  K8 corticosteroid 100 USD and prp 1000 USD at I (only the prp is in the
 *     series); responder                            USD 1000
 *  K9 prp 400 CHF; not a responder                  CHF 400
 * analysed 9, responders 5 (K0 K2 K3 K5 K8); without cost 2; mixed 1;
 * CHF: 1 knee, 0 responders, 400, per responder null
 * EUR: 1 knee, 1 responder, 800, 800
 * USD: 4 knees (K0 K1 K6 K8), 2 responders, 5500, 2750 */
static const genu_dataset *cost_fixture(void)
{
    fx_reset();
    genu_date I = D("2020-01-01");
    for (int i = 0; i < 10; i++)
        fx_patient("oak", "female", 1960);
    costed(0, I, "prp", 1000, "USD");
    costed(0, I + 30, "prp", 500, "USD");
    costed(0, I + 100, "prp", 700, "USD");
    responds(0, I, 2);
    costed(1, I, "prp", 1000, "USD");
    responds(1, I, 6);
    costed(2, I, "bone_marrow_aspirate", 800, "EUR");
    responds(2, I, 2);
    fx_treat(3, L, I, "prp");
    responds(3, I, 2);
    costed(4, I, "prp", 1000, "USD");
    fx_treat(4, L, I + 60, "prp");
    responds(4, I, 6);
    costed(5, I, "prp", 1000, "USD");
    costed(5, I + 45, "prp", 300, "EUR");
    responds(5, I, 2);
    costed(6, I, "prp", 2000, "USD");
    costed(6, I + 50, "total_knee_replacement", 15000, "USD");
    fx_resp(6, L, I, "nprs", "intensity", 8);
    costed(7, I, "prp", 900, "GBP");
    fx_resp(7, L, I, "nprs", "intensity", 8);
    costed(8, I, "corticosteroid_injection", 100, "USD");
    costed(8, I, "prp", 1000, "USD");
    responds(8, I, 2);
    costed(9, I, "prp", 400, "CHF");
    responds(9, I, 6);
    return fx_done();
}

static void build(genu_arena *a, cohort *c)
{
    cohort_filter f;
    cohort_filter_init(&f);
    genu_err err = {0};
    assert_int_equal(cohort_build(cost_fixture(), &f, COHORT_UNIT_KNEE, D("2022-01-01"), a, c,
                                  &err),
                     GENU_OK);
    assert_int_equal(c->nknee, 10);
}

static void per_currency_by_hand(void **state)
{
    genu_arena *a = *state;
    cohort c;
    build(a, &c);
    responder_def d;
    timepoint t;
    cost_tally ct;
    genu_err err = {0};
    responder_parse("improvement_pct:nprs.intensity>=50", &d, NULL);
    timepoint_parse("3m", &t, NULL);
    assert_int_equal(cost_count(&c, &d, &t, NULL, a, &ct, &err), GENU_OK);
    assert_int_equal(ct.analysed, 9);
    assert_int_equal(ct.responders, 5);
    assert_int_equal(ct.knees_without_cost, 2);
    assert_int_equal(ct.knees_mixed_currency, 1);
    assert_int_equal(ct.ncur, 3);
    assert_string_equal(ct.cur[0].currency, "CHF");
    assert_int_equal(ct.cur[0].knees, 1);
    assert_int_equal(ct.cur[0].responders, 0);
    NEAR(ct.cur[0].total, 400);
    assert_true(isnan(ct.cur[0].per_responder));
    assert_string_equal(ct.cur[1].currency, "EUR");
    assert_int_equal(ct.cur[1].knees, 1);
    assert_int_equal(ct.cur[1].responders, 1);
    NEAR(ct.cur[1].total, 800);
    NEAR(ct.cur[1].per_responder, 800);
    assert_string_equal(ct.cur[2].currency, "USD");
    assert_int_equal(ct.cur[2].knees, 4);
    assert_int_equal(ct.cur[2].responders, 2);
    NEAR(ct.cur[2].total, 5500);
    NEAR(ct.cur[2].per_responder, 2750);
}

static void series_ends_at_the_nominal_day(void **state)
{
    genu_arena *a = *state;
    cohort c;
    build(a, &c);
    timepoint t;
    cost_bill s;
    timepoint_parse("3m", &t, NULL); /* day 91: I+100 is after T */
    cost_bill_of(&c, &c.knees[0], &t, &s);
    assert_int_equal(s.status, COST_COMPLETE);
    assert_int_equal(s.ntreat, 2);
    NEAR(s.total, 1500);
    timepoint_parse("6m", &t, NULL); /* day 183: the repeat at I+100 counts */
    cost_bill_of(&c, &c.knees[0], &t, &s);
    assert_int_equal(s.ntreat, 3);
    NEAR(s.total, 2200);
    assert_string_equal(s.currency, "USD");
    timepoint_parse("6w", &t, NULL); /* day 42: K4's uncosted repeat at I+60 is not yet in */
    cost_bill_of(&c, &c.knees[4], &t, &s);
    assert_int_equal(s.status, COST_COMPLETE);
    timepoint_parse("3m", &t, NULL);
    cost_bill_of(&c, &c.knees[4], &t, &s);
    assert_int_equal(s.status, COST_MISSING);
    assert_true(isnan(s.total) && s.currency == NULL);
    cost_bill_of(&c, &c.knees[5], &t, &s);
    assert_int_equal(s.status, COST_MIXED);
    cost_bill_of(&c, &c.knees[8], &t, &s); /* the corticosteroid is not in the series */
    assert_int_equal(s.ntreat, 1);
    NEAR(s.total, 1000);
}

static void no_responders_no_rate(void **state)
{
    genu_arena *a = *state;
    cohort c;
    build(a, &c);
    responder_def d;
    timepoint t;
    cost_tally ct;
    bool member[10] = {false};
    member[1] = member[9] = true; /* two non-responders, USD and CHF */
    responder_parse("improvement_pct:nprs.intensity>=50", &d, NULL);
    timepoint_parse("3m", &t, NULL);
    assert_int_equal(cost_count(&c, &d, &t, member, a, &ct, NULL), GENU_OK);
    assert_int_equal(ct.analysed, 2);
    assert_int_equal(ct.responders, 0);
    assert_int_equal(ct.ncur, 2);
    assert_true(isnan(ct.cur[0].per_responder) && isnan(ct.cur[1].per_responder));
    /* 6w (window [28, 56]): nobody has a follow-up; K6, replaced at I+50,
     * is converted: the only analysed knee, a non-responder, USD 2000 */
    timepoint_parse("6w", &t, NULL);
    assert_int_equal(cost_count(&c, &d, &t, NULL, a, &ct, NULL), GENU_OK);
    assert_int_equal(ct.analysed, 1);
    assert_int_equal(ct.responders, 0);
    assert_int_equal(ct.ncur, 1);
    NEAR(ct.cur[0].total, 2000);
    assert_true(isnan(ct.cur[0].per_responder));
}

static int setup(void **state)
{
    *state = genu_arena_create();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    genu_arena_destroy(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(per_currency_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(series_ends_at_the_nominal_day, setup, teardown),
        cmocka_unit_test_setup_teardown(no_responders_no_rate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
