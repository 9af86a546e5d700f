/* test_survival: Kaplan–Meier and Greenwood worked by hand, the median's
 * midpoint rule, and the log-rank test on a two-group example. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "analysis/stats.h"
#include "analysis/survival.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) <= 1e-12)

/* times 2 3 3+ 5 6+ 8 (+ censored):
 * t=2 n=6 d=1 S=5/6  var 1/30
 * t=3 n=5 d=1 c=1 S=2/3  var 1/30 + 1/20 = 1/12
 * t=5 n=3 d=1 S=4/9  var 1/12 + 1/6 = 1/4 (std_err 0.5)
 * t=6 n=2 c=1 S=4/9
 * t=8 n=1 d=1 S=0: std_err and bounds undefined (R: Inf, NA) */
static void km_greenwood_by_hand(void **state)
{
    genu_arena *a = *state;
    double t[] = {8, 3, 2, 6, 5, 3};
    int s[] = {1, 0, 1, 0, 1, 1};
    survival_curve c;
    assert_int_equal(survival_km(t, s, 6, a, &c, NULL), GENU_OK);
    assert_int_equal(c.n, 6);
    assert_int_equal(c.events, 4);
    assert_int_equal(c.nrow, 5);
    const double times[] = {2, 3, 5, 6, 8}, surv[] = {5.0 / 6, 2.0 / 3, 4.0 / 9, 4.0 / 9, 0};
    const size_t risk[] = {6, 5, 3, 2, 1}, ev[] = {1, 1, 1, 0, 1}, cen[] = {0, 1, 0, 1, 0};
    const double var[] = {1.0 / 30, 1.0 / 12, 0.25, 0.25};
    for (size_t i = 0; i < 5; i++) {
        NEAR(c.rows[i].time, times[i]);
        NEAR(c.rows[i].surv, surv[i]);
        assert_int_equal(c.rows[i].n_risk, risk[i]);
        assert_int_equal(c.rows[i].n_event, ev[i]);
        assert_int_equal(c.rows[i].n_censor, cen[i]);
        if (i < 4) {
            NEAR(c.rows[i].std_err, sqrt(var[i]));
            NEAR(c.rows[i].lower, exp(log(surv[i]) - STATS_Z95 * sqrt(var[i])));
            NEAR(c.rows[i].upper, fmin(1.0, exp(log(surv[i]) + STATS_Z95 * sqrt(var[i]))));
        }
    }
    assert_true(c.rows[0].upper == 1.0); /* capped */
    assert_true(isnan(c.rows[4].std_err) && isnan(c.rows[4].lower) && isnan(c.rows[4].upper));
    NEAR(c.median, 5.0); /* first S below 0.5 */
}

static void median_midpoint_on_exact_half(void **state)
{
    genu_arena *a = *state;
    /* 1 2 3 4, all events: S = .75 .5 .25 0; S = 0.5 exactly on [2, 3):
     * print.survfit gives (2 + 3) / 2 */
    double t[] = {1, 2, 3, 4};
    int s[] = {1, 1, 1, 1};
    survival_curve c;
    survival_km(t, s, 4, a, &c, NULL);
    NEAR(c.median, 2.5);
    /* 0.5 plateau to the end (no lower S follows): the time it was reached */
    double t2[] = {1, 2, 3, 4};
    int s2[] = {1, 1, 0, 0};
    survival_km(t2, s2, 4, a, &c, NULL);
    NEAR(c.median, 2.0);
    /* never reaching 0.5: none */
    int s3[] = {1, 0, 0, 0};
    survival_km(t2, s3, 4, a, &c, NULL);
    assert_true(isnan(c.median));
}

static void time_zero_and_censor_only_rows(void **state)
{
    genu_arena *a = *state;
    double t[] = {0, 0, 4, 7};
    int s[] = {0, 0, 0, 1};
    survival_curve c;
    survival_km(t, s, 4, a, &c, NULL);
    assert_int_equal(c.nrow, 3);
    NEAR(c.rows[0].time, 0);
    assert_int_equal(c.rows[0].n_censor, 2);
    NEAR(c.rows[0].surv, 1.0);
    NEAR(c.rows[0].std_err, 0.0);
    NEAR(c.rows[0].lower, 1.0);
}

/* Two groups, hand-worked: A = 1, 3, 4+; B = 2, 5, 6.
 * t=1: n=6 (3,3) d=1: E_A = .5, V = 1·5/5 · .5 · .5 = .25
 * t=2: n=5 (2,3) d=1: E_A = .4, V = .4 · .6 = .24
 * t=3: n=4 (2,2) d=1: E_A = .5, V = .25
 * t=5: n=2 (0,2) d=1: E_A = 0,  V = 0
 * t=6: n=1 (0,1) d=1: E_A = 0,  V = 0 (n − 1 = 0)
 * O_A = 2, E_A = 1.4, V = .74: X² = .36 / .74 */
static void logrank_by_hand(void **state)
{
    genu_arena *a = *state;
    double t[] = {1, 3, 4, 2, 5, 6};
    int s[] = {1, 1, 0, 1, 1, 1};
    size_t g[] = {0, 0, 0, 1, 1, 1};
    survival_logrank lr;
    assert_int_equal(survival_logrank_test(t, s, g, 6, 2, a, &lr, NULL), GENU_OK);
    assert_true(lr.defined);
    assert_int_equal(lr.df, 1);
    NEAR(lr.chisq, 0.36 / 0.74);
    NEAR(lr.p, 0.4854988026442823); /* pchisq(.36/.74, 1, lower = FALSE) */
    assert_int_equal(survival_logrank_test(t, s, g, 6, 1, a, &lr, NULL), GENU_OK);
    assert_false(lr.defined);
}

static void event_names(void **state)
{
    (void)state;
    survival_event e;
    genu_err err = {0};
    assert_int_equal(survival_event_parse("loss_of_response", &e, &err), GENU_OK);
    assert_int_equal(e, SURVIVAL_LOSS);
    assert_int_equal(survival_event_parse("death", &e, &err), GENU_EINVAL);
    assert_non_null(strstr(err.msg, "--event"));
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
        cmocka_unit_test_setup_teardown(km_greenwood_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(median_midpoint_on_exact_half, setup, teardown),
        cmocka_unit_test_setup_teardown(time_zero_and_censor_only_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(logrank_by_hand, setup, teardown),
        cmocka_unit_test(event_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
