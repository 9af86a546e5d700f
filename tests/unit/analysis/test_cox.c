/* test_cox: the Cox model on data small enough to work on paper — the
 * partial likelihood, its maximum, the information, the score test, the
 * score residuals behind the robust variance and cox.zph's statistic — with
 * and without tied event times (Efron), and the fits that must fail. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>

#include "analysis/cox.h"
#include "../arena_fixture.h"
#include "analysis/stats.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) <= 1e-9 * fmax(1.0, fabs(b)))

static const char *const NAME_X[] = {"x"};

/* Times 1, 2, 3, all events, x = 1, 0, 1 (u = e^b):
 *   L(b) = u/(2u+1) · 1/(1+u) · u/u, so U(b) = 1 − 2u/(2u+1) − u/(1+u) = 0
 *   gives 2u² = 1: b = −log(2)/2.
 *   loglik(0) = −log 6; I(b) = 2u/(2u+1)² + u/(1+u)² = 6√2 − 8 at the root.
 *   Score test at 0: U(0) = −1/6, I(0) = 2/9 + 1/4 = 17/36: 1/17.
 *   Score residuals (x_i − x̄(t)) (dN_i − Y_i r_i dΛ(t)):
 *     r1 = (u+1)/(2u+1)², r2 = 2u/(2u+1)² − u²/(1+u)²,
 *     r3 = −u/(2u+1)² − u/(1+u)²  (they sum to U(b) = 0);
 *   robust variance, each row its own cluster: V² Σ r², V = 1/I.
 *   cox.zph: 1 − S(t−) = 0, 1/3, 2/3, centred: g = −1/3, 0, 1/3; with
 *   c = 2u/(2u+1)² = u/(1+u)² (equal at the root) and I(t3) = 0,
 *   U_g = −1/(3(2u+1)), I = [[2c, −c/3], [−c/3, c/9]]: chisq = √2. */
static void untied_by_hand(void **state)
{
    genu_arena *a = *state;
    double t[] = {2, 1, 3}, x[] = {0, 1, 1};
    int s[] = {1, 1, 1};
    cox_input in = {.n = 3, .p = 1, .x = x, .time = t, .status = s, .name = NAME_X};
    cox_model m;
    assert_int_equal(cox_fit(&in, a, &m, NULL), GENU_OK);
    assert_true(m.converged);
    assert_null(m.note);
    assert_int_equal(m.n, 3);
    assert_int_equal(m.events, 3);
    double u = 1 / sqrt(2.0), info = 6 * sqrt(2.0) - 8;
    NEAR(m.terms[0].coef, -log(2.0) / 2);
    NEAR(m.terms[0].hazard_ratio, u);
    NEAR(m.loglik[0], -log(6.0));
    NEAR(m.loglik[1], log(u) - log(2 * u + 1) - log(1 + u));
    NEAR(m.score_test, 1.0 / 17);
    NEAR(m.terms[0].std_err_model, sqrt(1 / info));
    double r1 = (u + 1) / pow(2 * u + 1, 2), r2 = 2 * u / pow(2 * u + 1, 2) - u * u / pow(1 + u, 2),
           r3 = -u / pow(2 * u + 1, 2) - u / pow(1 + u, 2);
    NEAR(r1 + r2 + r3, 0.0);
    double se = sqrt(r1 * r1 + r2 * r2 + r3 * r3) / info;
    NEAR(m.terms[0].std_err, se);
    NEAR(m.terms[0].lower, exp(-log(2.0) / 2 - STATS_Z95 * se));
    NEAR(m.terms[0].upper, exp(-log(2.0) / 2 + STATS_Z95 * se));
    NEAR(m.terms[0].p, erfc(fabs(log(2.0) / 2 / se) / sqrt(2.0)));
    assert_non_null(m.ph);
    NEAR(m.ph[0].chisq, sqrt(2.0));
    assert_int_equal(m.ph[0].df, 1);
    NEAR(m.ph[1].chisq, sqrt(2.0)); /* one covariate: global = the term */
    assert_int_equal(m.ph[1].df, 1);
}

/* Clusters: rows 1 and 3 of the example above as one patient, row 2
 * another: D sums r1 and r3 within the patient; all three in one patient:
 * D = U(b) V = 0. */
static void clusters_sum_the_residuals(void **state)
{
    genu_arena *a = *state;
    double t[] = {1, 2, 3}, x[] = {1, 0, 1};
    int s[] = {1, 1, 1};
    size_t two[] = {0, 1, 0}, one[] = {0, 0, 0};
    cox_input in = {.n = 3, .p = 1, .x = x, .time = t, .status = s, .cluster = two, .ncluster = 2};
    cox_model m;
    double u = 1 / sqrt(2.0), info = 6 * sqrt(2.0) - 8;
    double r1 = (u + 1) / pow(2 * u + 1, 2), r2 = 2 * u / pow(2 * u + 1, 2) - u * u / pow(1 + u, 2),
           r3 = -u / pow(2 * u + 1, 2) - u / pow(1 + u, 2);
    assert_int_equal(cox_fit(&in, a, &m, NULL), GENU_OK);
    NEAR(m.terms[0].std_err, sqrt(pow(r1 + r3, 2) + r2 * r2) / info);
    in.cluster = one;
    in.ncluster = 1;
    assert_int_equal(cox_fit(&in, a, &m, NULL), GENU_OK);
    assert_true(m.terms[0].std_err < 1e-7);
}

/* Times 1, 1, 2, all events, x = 1, 0, 0. Efron at t = 1: the risk set
 * {A, B, C} with sum u + 2, then the two deaths counted half: (u + 3)/2;
 *   L(b) = u / ((u + 2)(u + 3)/2) · 1, U = 1 − u/(u+2) − u/(u+3) = 0:
 *   u² = 6, b = log(6)/2 (Breslow would give u = 2).
 *   loglik(0) = log(1/6); I = 2u/(u+2)² + 3u/(u+3)². */
static void efron_ties_by_hand(void **state)
{
    genu_arena *a = *state;
    double t[] = {1, 1, 2}, x[] = {1, 0, 0};
    int s[] = {1, 1, 1};
    cox_input in = {.n = 3, .p = 1, .x = x, .time = t, .status = s, .name = NAME_X};
    cox_model m;
    assert_int_equal(cox_fit(&in, a, &m, NULL), GENU_OK);
    assert_true(m.converged);
    double u = sqrt(6.0);
    NEAR(m.terms[0].coef, log(6.0) / 2);
    NEAR(m.loglik[0], -log(6.0));
    NEAR(m.loglik[1], log(2 * u / ((u + 2) * (u + 3))));
    NEAR(m.terms[0].std_err_model, 1 / sqrt(2 * u / pow(u + 2, 2) + 3 * u / pow(u + 3, 2)));
}

/* Ties at t = 1 (two deaths and a censoring) and t = 3, rows paired into
 * four patients: R (survival 3.5-3), coxph(Surv(t, s) ~ x, cluster = cl):
 * coef 0.48870229099182949, robust se 0.58006679585799581, model se
 * 0.91586817970151035. The robust one rests on Efron's score residuals: the
 * tied deaths at risk for the fraction 1 − k/d of each of the d pieces. */
static void efron_robust_as_r(void **state)
{
    genu_arena *a = *state;
    double t[] = {1, 1, 1, 2, 3, 3, 4, 5}, x[] = {1, 0, 1, 0, 1, 0, 1, 0};
    int s[] = {1, 1, 0, 1, 1, 0, 1, 0};
    size_t cl[] = {0, 0, 1, 1, 2, 2, 3, 3};
    cox_input in = {.n = 8, .p = 1, .x = x, .time = t, .status = s, .cluster = cl, .ncluster = 4};
    cox_model m;
    assert_int_equal(cox_fit(&in, a, &m, NULL), GENU_OK);
    assert_true(m.converged);
    NEAR(m.terms[0].coef, 0.48870229099182949);
    NEAR(m.terms[0].std_err, 0.58006679585799581);
    NEAR(m.terms[0].std_err_model, 0.91586817970151035);
}

/* Two covariates, one a multiple of the other: singular, not fitted. */
static void collinear_is_not_fitted(void **state)
{
    genu_arena *a = *state;
    double t[] = {1, 2, 3, 4, 5, 6}, x[] = {1, 2, 0, 0, 3, 6, 1, 2, 2, 4, 0, 0};
    int s[] = {1, 0, 1, 1, 0, 1};
    const char *names[] = {"age", "bmi"};
    cox_input in = {.n = 6, .p = 2, .x = x, .time = t, .status = s, .name = names};
    cox_model m;
    assert_int_equal(cox_fit(&in, a, &m, NULL), GENU_OK);
    assert_false(m.converged);
    assert_non_null(m.note);
    assert_null(m.terms);
    assert_true(isnan(m.loglik[1]));
}

/* x = 1 has every event first: the likelihood grows without bound, and
 * R's coxph runs out of iterations (coef 21.9 after 20). */
static void monotone_likelihood_is_not_fitted(void **state)
{
    genu_arena *a = *state;
    double t[] = {1, 2, 3, 4, 5, 6}, x[] = {1, 1, 1, 0, 0, 0};
    int s[] = {1, 1, 1, 0, 0, 0};
    cox_input in = {.n = 6, .p = 1, .x = x, .time = t, .status = s, .name = NAME_X};
    cox_model m;
    assert_int_equal(cox_fit(&in, a, &m, NULL), GENU_OK);
    assert_false(m.converged);
    assert_string_equal(m.note, "the model did not converge in 20 iterations");
    assert_null(m.terms);
}

static void constant_or_no_events_is_not_fitted(void **state)
{
    genu_arena *a = *state;
    double t[] = {1, 2, 3}, x[] = {1, 1, 1}, y[] = {0, 1, 2};
    int s[] = {1, 0, 1}, none[] = {0, 0, 0};
    const char *female[] = {"female"};
    cox_input in = {.n = 3, .p = 1, .x = x, .time = t, .status = s, .name = female};
    cox_model m;
    assert_int_equal(cox_fit(&in, a, &m, NULL), GENU_OK);
    assert_false(m.converged);
    assert_string_equal(m.note, "female has the same value for every knee");
    in.x = y;
    in.status = none;
    assert_int_equal(cox_fit(&in, a, &m, NULL), GENU_OK);
    assert_false(m.converged);
    assert_int_equal(m.events, 0);
    genu_err err = {0};
    in.p = 0;
    assert_int_equal(cox_fit(&in, a, &m, &err), GENU_EINVAL);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as cli/main.c does */
    const struct CMUnitTest tests[] = {
        T(untied_by_hand),
        T(clusters_sum_the_residuals),
        T(efron_ties_by_hand),
        T(efron_robust_as_r),
        T(collinear_is_not_fitted),
        T(monotone_likelihood_is_not_fitted),
        T(constant_or_no_events_is_not_fitted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
