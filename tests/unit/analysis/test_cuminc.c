/* test_cuminc: the Aalen–Johansen cumulative incidence and its
 * infinitesimal-jackknife standard error worked by hand, a tied example and
 * Gray's test against R (survival 3.5-3, cmprsk 2.2-11). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>

#include "analysis/cuminc.h"
#include "../arena_fixture.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) <= 1e-12)

/* Five knees: 1 event, 2 death, 3 censored, 4 event, 5 censored.
 *   t=1: 5 at risk, CIF = 1/5, P(free) = 4/5.
 *   t=2: 4 at risk, a death: CIF stays 1/5, P(free) = 3/5.
 *   t=4: 2 at risk: CIF = 1/5 + 3/5 · 1/2 = 1/2.
 * Influence U (survfitaj.c) of each knee on (P free, CIF, P death):
 *   t=1: the event knee (−4/25, 4/25, 0), the others (1/25, −1/25, 0):
 *        var = (16 + 4)/625 = 0.032 (the binomial 0.2 · 0.8 / 5);
 *   t=2: U ← U(I + H), H00 = −1/4, H02 = 1/4; the death's dN ∓ 0.2 and the
 *        hazard part ± 0.05 for those at risk: the first knee
 *        (−0.12, 0.16, −0.04), the death (−0.12, −0.04, 0.16), the other
 *        three (0.08, −0.04, −0.04): var of the CIF still 0.032;
 *   t=4: H00 = −1/2, H01 = 1/2: CIF influences 0.10, −0.10, 0, then the
 *        event knee 0 + 0.3 − 0.15 = 0.15 and the last −0.15:
 *        var = 0.01 + 0.01 + 0.0225 + 0.0225 = 0.065. */
static void aalen_johansen_by_hand(void **state)
{
    genu_arena *a = *state;
    double t[] = {4, 2, 5, 1, 3};
    int s[] = {1, 2, 0, 1, 0};
    cuminc_curve c;
    assert_int_equal(cuminc_aj(t, s, 5, a, &c, NULL), GENU_OK);
    assert_int_equal(c.n, 5);
    assert_int_equal(c.events, 2);
    assert_int_equal(c.competing, 1);
    assert_int_equal(c.nrow, 5);
    const double ci[] = {0.2, 0.2, 0.2, 0.5, 0.5}, var[] = {0.032, 0.032, 0.032, 0.065, 0.065};
    const size_t risk[] = {5, 4, 3, 2, 1}, ev[] = {1, 0, 0, 1, 0}, comp[] = {0, 1, 0, 0, 0},
                 cen[] = {0, 0, 1, 0, 1};
    for (size_t i = 0; i < 5; i++) {
        NEAR(c.rows[i].time, (double)(i + 1));
        assert_int_equal(c.rows[i].n_risk, risk[i]);
        assert_int_equal(c.rows[i].n_event, ev[i]);
        assert_int_equal(c.rows[i].n_competing, comp[i]);
        assert_int_equal(c.rows[i].n_censor, cen[i]);
        NEAR(c.rows[i].cuminc, ci[i]);
        NEAR(c.rows[i].std_err, sqrt(var[i]));
    }
}

/* Ties of every kind at t = 2; R: survfit(Surv(t, factor(st)) ~ 1, id = …). */
static void ties_as_r(void **state)
{
    genu_arena *a = *state;
    double t[] = {1, 2, 2, 3, 6, 7, 2};
    int s[] = {2, 1, 1, 1, 0, 2, 0};
    cuminc_curve c;
    assert_int_equal(cuminc_aj(t, s, 7, a, &c, NULL), GENU_OK);
    assert_int_equal(c.nrow, 5);
    const double times[] = {1, 2, 3, 6, 7};
    const double ci[] = {0, 0.28571428571428570, 0.47619047619047616, 0.47619047619047616,
                         0.47619047619047616};
    const double se[] = {0, 0.17074694419062769, 0.20415720445074609, 0.20415720445074609,
                         0.20415720445074609};
    const size_t risk[] = {7, 6, 3, 2, 1};
    for (size_t i = 0; i < 5; i++) {
        NEAR(c.rows[i].time, times[i]);
        assert_int_equal(c.rows[i].n_risk, risk[i]);
        NEAR(c.rows[i].cuminc, ci[i]);
        NEAR(c.rows[i].std_err, se[i]);
    }
    assert_int_equal(c.rows[1].n_event, 2);
    assert_int_equal(c.rows[1].n_censor, 1);
}

/* cmprsk::cuminc(t, st, g)$Tests, cause 1: stat 0.020676134650416105,
 * pv 0.88566473296825365, df 1. */
static void gray_as_cmprsk(void **state)
{
    genu_arena *a = *state;
    double t[] = {1, 2, 3, 4, 5, 1, 2, 2, 3, 6, 7, 2};
    int s[] = {1, 2, 0, 1, 0, 2, 1, 1, 1, 0, 2, 0};
    size_t g[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
    cuminc_gray r;
    assert_int_equal(cuminc_gray_test(t, s, g, 12, 2, a, &r, NULL), GENU_OK);
    assert_true(r.defined);
    assert_int_equal(r.df, 1);
    NEAR(r.statistic, 0.020676134650416105);
    NEAR(r.p, 0.88566473296825365);
    assert_int_equal(cuminc_gray_test(t, s, g, 12, 1, a, &r, NULL), GENU_OK);
    assert_false(r.defined);
}

static void bad_state_is_an_error(void **state)
{
    genu_arena *a = *state;
    double t[] = {1, 2};
    int s[] = {1, 3};
    cuminc_curve c;
    genu_err err = {0};
    assert_int_equal(cuminc_aj(t, s, 2, a, &c, &err), GENU_EINVAL);
    assert_non_null(strstr(err.msg, "row 2"));
}

int main(void)
{
    gsl_set_error_handler_off(); /* as cli/main.c does */
    const struct CMUnitTest tests[] = {
        T(aalen_johansen_by_hand),
        T(ties_as_r),
        T(gray_as_cmprsk),
        T(bad_state_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
