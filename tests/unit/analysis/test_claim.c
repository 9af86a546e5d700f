/* test_claim: every count category, the follow-up tie rules, verdicts and
 * rates on a hand-made cohort whose counts are worked out below. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "analysis/claim.h"
#include "analysis/stats.h"
#include "fixture.h"

#define L GENU_KNEE_LEFT
#define R GENU_KNEE_RIGHT

/* Index I = 2020-01-01 for every knee but K7; 3m: nominal I+91, window
 * [I+61, I+121], closed by the as-of 2022-01-01. */
static const genu_dataset *cohort_fixture(void)
{
    fx_reset();
    genu_date I = D("2020-01-01");
    for (int i = 0; i < 11; i++)
        fx_patient("oak", "female", 1960);
    for (size_t p = 0; p < 11; p++)
        if (p != 6)
            fx_treat(p, L, I, "prp");
    /* K0: 8 → 4 is exactly 50%: responder */
    fx_resp(0, L, I - 10, "nprs", "intensity", 8);
    fx_resp(0, L, I + 91, "nprs", "intensity", 4);
    /* K1: 8 → 5: analysed, not a responder */
    fx_resp(1, L, I, "nprs", "intensity", 8);
    fx_resp(1, L, I + 91, "nprs", "intensity", 5);
    /* K2: replaced at I+50, nothing after: converted */
    fx_resp(2, L, I, "nprs", "intensity", 8);
    fx_treat(2, L, I + 50, "total_knee_replacement");
    /* K3: no baseline (the only one is 91 days before): not evaluable */
    fx_resp(3, L, I - 91, "nprs", "intensity", 8);
    fx_resp(3, L, I + 91, "nprs", "intensity", 1);
    /* K4: baseline 0: not evaluable for improvement_pct */
    fx_resp(4, L, I, "nprs", "intensity", 0);
    fx_resp(4, L, I + 91, "nprs", "intensity", 0);
    /* K5: baseline, follow-up outside the window (I+122): missing */
    fx_resp(5, L, I, "nprs", "intensity", 6);
    fx_resp(5, L, I + 122, "nprs", "intensity", 1);
    /* K6: indexed 50 days before the as-of: entered, not eligible */
    fx_treat(6, L, D("2021-11-12"), "adipose_msc");
    /* K7: I+80 (4) and I+102 (8) are both 11 days off: the earlier counts */
    fx_resp(7, L, I, "nprs", "intensity", 8);
    fx_resp(7, L, I + 102, "nprs", "intensity", 8);
    fx_resp(7, L, I + 80, "nprs", "intensity", 4);
    /* K8: follow-up after a replacement at I+70 is not usable: converted */
    fx_resp(8, L, I, "nprs", "intensity", 8);
    fx_treat(8, L, I + 70, "partial_knee_replacement");
    fx_resp(8, L, I + 91, "nprs", "intensity", 1);
    /* K9: two on one date: the one recorded last (8) counts: not responder;
     * two baselines on one date: the later-recorded 2 counts, but K9's
     * baseline is 9 on I-5 superseded by the latest date I-1 */
    fx_resp(9, L, I - 5, "nprs", "intensity", 2);
    fx_resp(9, L, I - 1, "nprs", "intensity", 9);
    fx_resp(9, L, I + 91, "nprs", "intensity", 4);
    fx_resp(9, L, I + 91, "nprs", "intensity", 8);
    /* K10: knee-level 8 then a patient-level 3 on the same date: the
     * patient-level one, recorded last, counts: responder */
    fx_resp(10, L, I, "nprs", "intensity", 8);
    fx_resp(10, L, I + 95, "nprs", "intensity", 8);
    fx_resp(10, GENU_KNEE_NONE, I + 95, "nprs", "intensity", 3);
    return fx_done();
}

static void every_count_category(void **state)
{
    genu_arena *a = *state;
    cohort c;
    cohort_filter f;
    cohort_filter_init(&f);
    genu_err err = {0};
    assert_int_equal(cohort_build(cohort_fixture(), &f, COHORT_UNIT_KNEE, D("2022-01-01"), a, &c,
                                  &err),
                     GENU_OK);
    responder_def d;
    timepoint t;
    assert_int_equal(responder_parse("improvement_pct:nprs.intensity>=50", &d, &err), GENU_OK);
    assert_int_equal(timepoint_parse("3m", &t, &err), GENU_OK);
    claim_counts n;
    claim_count(&c, &d, &t, NULL, &n);
    assert_int_equal(n.entered, 11);
    assert_int_equal(n.eligible, 10);
    assert_int_equal(n.converted, 2);     /* K2, K8 */
    assert_int_equal(n.not_evaluable, 2); /* K3, K4 */
    assert_int_equal(n.missing, 1);       /* K5 */
    assert_int_equal(n.analysed, 7);      /* K2, K8 + K0, K1, K7, K9, K10 */
    assert_int_equal(n.responders, 3);    /* K0, K7, K10 */
    claim_rates r;
    claim_rates_of(&n, &r);
    assert_true(r.rate == 3.0 / 7.0);
    assert_true(r.worst_case == 3.0 / 8.0);
    assert_true(r.best_case == 4.0 / 8.0);
    double lo, hi;
    stats_wilson(3, 7, STATS_Z95, &lo, &hi);
    assert_true(r.lo == lo && r.hi == hi);
    assert_int_equal(claim_judge(&n, &r, 0.5), CLAIM_INSUFFICIENT);
}

static void follow_up_tie_and_same_date_rules(void **state)
{
    genu_arena *a = *state;
    cohort c;
    cohort_filter f;
    cohort_filter_init(&f);
    cohort_build(cohort_fixture(), &f, COHORT_UNIT_KNEE, D("2022-01-01"), a, &c, NULL);
    responder_def d;
    timepoint t;
    responder_parse("change:nprs.intensity>=0", &d, NULL);
    timepoint_parse("3m", &t, NULL);
    responder_outcome o;
    responder_eval(&c, &c.knees[7], &d, &t, &o);
    assert_true(o.followup == 4.0 && o.followup_date == D("2020-01-01") + 80);
    responder_eval(&c, &c.knees[9], &d, &t, &o);
    assert_true(o.baseline == 9.0 && o.followup == 8.0);
    assert_true(o.change == 1.0); /* lower is better: sign turned */
    responder_eval(&c, &c.knees[10], &d, &t, &o);
    assert_true(o.followup == 3.0);
}

static void as_of_is_a_cut_off(void **state)
{
    genu_arena *a = *state;
    cohort c;
    cohort_filter f;
    cohort_filter_init(&f);
    /* as of I+100: K0's window [I+61, I+121] is open, K2's replacement at
     * I+50 is visible, nothing after I+100 is */
    cohort_build(cohort_fixture(), &f, COHORT_UNIT_KNEE, D("2020-01-01") + 100, a, &c, NULL);
    assert_int_equal(c.nknee, 10); /* K6 indexed later: not entered */
    responder_def d;
    timepoint t;
    responder_parse("improvement_pct:nprs.intensity>=50", &d, NULL);
    timepoint_parse("6w", &t, NULL);
    claim_counts n;
    claim_count(&c, &d, &t, NULL, &n);
    assert_int_equal(n.entered, 10);
    assert_int_equal(n.eligible, 10); /* 42 + 14 <= 100 */
    assert_int_equal(n.converted, 1);  /* K2 (I+50 within [I+28, I+56]); K8's I+70 is later */
    assert_int_equal(n.not_evaluable, 2);
    assert_int_equal(n.missing, 7);
    assert_int_equal(n.analysed, 1);
    /* K5's last contact is I (its I+122 response is invisible) */
    assert_int_equal(c.knees[5].last_contact, D("2020-01-01"));
}

static void verdicts(void **state)
{
    (void)state;
    claim_counts n = {0};
    n.analysed = 100;
    n.responders = 80;
    claim_rates r;
    claim_rates_of(&n, &r); /* Wilson 0.7111 to 0.8666 */
    assert_int_equal(claim_judge(&n, &r, 0.70), CLAIM_SUPPORTED);
    assert_int_equal(claim_judge(&n, &r, 0.75), CLAIM_CONSISTENT);
    assert_int_equal(claim_judge(&n, &r, 0.90), CLAIM_CONTRADICTED);
    n.analysed = 9;
    n.responders = 9;
    claim_rates_of(&n, &r);
    assert_int_equal(claim_judge(&n, &r, 0.1), CLAIM_INSUFFICIENT);
    claim_counts z = {0};
    claim_rates_of(&z, &r);
    assert_true(isnan(r.rate) && isnan(r.lo) && isnan(r.worst_case) && isnan(r.best_case));
    assert_string_equal(claim_verdict_name(CLAIM_CONTRADICTED), "contradicted");
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
        cmocka_unit_test_setup_teardown(every_count_category, setup, teardown),
        cmocka_unit_test_setup_teardown(follow_up_tie_and_same_date_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(as_of_is_a_cut_off, setup, teardown),
        cmocka_unit_test(verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
