/* test_logistic: a 2×2 table whose logistic fit is closed form, a small
 * clustered fit against R (glm + sandwich::vcovCL, figures below), and the
 * fits that must refuse to give numbers: separation, a rank-deficient
 * design, a single cluster. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "analysis/logistic.h"
#include "../arena_fixture.h"

#define REL(a, b, tol) assert_true(fabs((a) - (b)) <= (tol)*fabs(b))

/* The 2×2 table: exposed 12 responders of 20 (a = 12, b = 8), unexposed 5
 * of 20 (c = 5, d = 15), each knee its own patient. The saturated model
 * reproduces the cell proportions: intercept = log(5/15), coefficient =
 * log(ad/bc) = log 4.5, model SEs sqrt(1/c + 1/d) and sqrt(1/a + 1/b + 1/c
 * + 1/d). HC0's meat equals the information here (within a cell Σ(y − p)²
 * = n p (1 − p)), so vcovCL is the model covariance times G/(G − 1) =
 * 40/39. Standardised risks are the cell proportions 0.6 and 0.25, with
 * delta-method variances p(1 − p)/n per group (also × 40/39).
 * Like glm.fit, the covariance uses the last iteration's weights, one step
 * behind the final coefficients: R's own vcov() is off the closed form by
 * about 1e-6 relative here (0.51639733470549198 for 0.51639777949432220,
 * 0.68920210266896653 for 0.68920243760451105), and genu matches R's. */
static void two_by_two_is_closed_form(void **state)
{
    genu_arena *a = *state;
    double xs[40 * 2], y[40];
    size_t cl[40];
    for (size_t i = 0; i < 40; i++) {
        bool exposed = i < 20;
        xs[2 * i] = 1.0;
        xs[2 * i + 1] = exposed ? 1.0 : 0.0;
        y[i] = exposed ? (i < 12 ? 1.0 : 0.0) : (i < 25 ? 1.0 : 0.0);
        cl[i] = 1000 - i; /* any ids */
    }
    gsl_matrix_view x = gsl_matrix_view_array(xs, 40, 2);
    logistic_fit f;
    genu_err err = {0};
    assert_int_equal(logistic_fit_glm(&x.matrix, y, cl, a, &f, &err), GENU_OK);
    assert_true(f.converged);
    assert_null(f.note);
    assert_int_equal(f.clusters, 40);
    REL(f.coef[0], log(5.0 / 15.0), 1e-10);
    REL(f.coef[1], log(4.5), 1e-10);
    double se0 = sqrt(1.0 / 5 + 1.0 / 15), se1 = sqrt(1.0 / 12 + 1.0 / 8 + 1.0 / 5 + 1.0 / 15);
    assert_int_equal(f.iter, 4);
    REL(f.se_model[0], 0.51639733470549198, 1e-9);
    REL(f.se_model[1], 0.68920210266896653, 1e-9);
    REL(f.se_model[0], se0, 2e-6);
    REL(f.se_model[1], se1, 2e-6);
    REL(f.se_robust[0], se0 * sqrt(40.0 / 39.0), 2e-6);
    REL(f.se_robust[1], se1 * sqrt(40.0 / 39.0), 2e-6);
    double lo, hi, p;
    logistic_wald(&f, 1, &lo, &hi, &p);
    REL(lo, log(4.5) - 1.959963984540054 * se1 * sqrt(40.0 / 39.0), 2e-6);
    REL(hi, log(4.5) + 1.959963984540054 * se1 * sqrt(40.0 / 39.0), 2e-6);
    assert_true(p > 0.0 && p < 0.05);

    logistic_std s;
    assert_int_equal(logistic_standardise(&x.matrix, &f, 1, &s, &err), GENU_OK);
    REL(s.risk1, 0.6, 1e-9);
    REL(s.risk0, 0.25, 1e-9);
    REL(s.difference, 0.35, 1e-9);
    double sd = sqrt((0.6 * 0.4 / 20 + 0.25 * 0.75 / 20) * 40.0 / 39.0);
    REL(s.difference_lo, 0.35 - 1.959963984540054 * sd, 2e-6);
    REL(s.difference_hi, 0.35 + 1.959963984540054 * sd, 2e-6);
    REL(s.ratio, 2.4, 1e-9);
    double sl = sqrt((0.4 / (20 * 0.6) + 0.75 / (20 * 0.25)) * 40.0 / 39.0);
    REL(s.ratio_lo, 2.4 * exp(-1.959963984540054 * sl), 2e-6);
    REL(s.ratio_hi, 2.4 * exp(1.959963984540054 * sl), 2e-6);
}

/* y ~ e + x on 12 rows in 7 clusters; expected values from R 4.x:
 *   fit <- glm(y ~ e + x, family = binomial)   # 7 iterations
 *   V <- sandwich::vcovCL(fit, cluster = cl, type = "HC0")
 * and the standardisation computed by hand in R (plogis, colMeans). */
static void clustered_fit_matches_r(void **state)
{
    static const double xv[] = {1.2, 0.5, 3.1, 2.2, 0.3, 1.9, 2.8, 0.7, 1.1, 2.5, 3.3, 0.9};
    static const double ev[] = {1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0};
    double y[] = {1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0};
    size_t cl[] = {1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6, 7};
    double xs[12 * 3];
    for (size_t i = 0; i < 12; i++) {
        xs[3 * i] = 1.0;
        xs[3 * i + 1] = ev[i];
        xs[3 * i + 2] = xv[i];
    }
    gsl_matrix_view x = gsl_matrix_view_array(xs, 12, 3);
    logistic_fit f;
    genu_err err = {0};
    assert_int_equal(logistic_fit_glm(&x.matrix, y, cl, *state, &f, &err), GENU_OK);
    assert_true(f.converged);
    assert_int_equal(f.iter, 7);
    assert_int_equal(f.clusters, 7);
    REL(f.coef[0], -7.4190780864078505, 1e-7);
    REL(f.coef[1], 2.9941625010320454, 1e-7);
    REL(f.coef[2], 3.7281289265478370, 1e-7);
    REL(f.se_model[0], 6.2869564250515104, 1e-7);
    REL(f.se_model[1], 3.4699572277586679, 1e-7);
    REL(f.se_model[2], 2.9683371520737896, 1e-7);
    REL(f.se_robust[0], 3.7072930123297687, 1e-7);
    REL(f.se_robust[1], 2.7746556543317875, 1e-7);
    REL(f.se_robust[2], 1.6502457750578958, 1e-7);
    logistic_std s;
    assert_int_equal(logistic_standardise(&x.matrix, &f, 1, &s, &err), GENU_OK);
    REL(s.risk1, 0.61129720363705708, 1e-7);
    REL(s.risk0, 0.41825056327452592, 1e-7);
    REL(s.difference, 0.19304664036253116, 1e-7);
    REL(s.difference_lo, -0.07933883260333302, 1e-7);
    REL(s.difference_hi, 0.46543211332839535, 1e-7);
    REL(s.ratio, 1.46155739480934477, 1e-7);
    REL(s.ratio_lo, 0.82869066158046323, 1e-7);
    REL(s.ratio_hi, 2.57774114920983166, 1e-7);
}

static void separation_gives_no_numbers(void **state)
{
    /* x > 5 responds, x <= 5 does not: complete separation (R: "fitted
     * probabilities numerically 0 or 1 occurred") */
    double xs[10 * 2], y[10];
    size_t cl[10];
    for (size_t i = 0; i < 10; i++) {
        xs[2 * i] = 1.0;
        xs[2 * i + 1] = (double)(i + 1);
        y[i] = i + 1 > 5 ? 1.0 : 0.0;
        cl[i] = i;
    }
    gsl_matrix_view x = gsl_matrix_view_array(xs, 10, 2);
    logistic_fit f;
    genu_err err = {0};
    assert_int_equal(logistic_fit_glm(&x.matrix, y, cl, *state, &f, &err), GENU_OK);
    assert_false(f.converged);
    assert_non_null(f.note);
    assert_non_null(strstr(f.note, "separated"));
    assert_null(f.coef);
    logistic_std s;
    assert_int_equal(logistic_standardise(&x.matrix, &f, 1, &s, &err), GENU_OK);
    assert_true(isnan(s.difference) && isnan(s.ratio_hi));
    double lo, hi, p;
    logistic_wald(&f, 1, &lo, &hi, &p);
    assert_true(isnan(lo) && isnan(p));

    /* quasi-complete: an exposed group where every knee responds */
    for (size_t i = 0; i < 10; i++) {
        xs[2 * i + 1] = i < 4 ? 1.0 : 0.0;
        y[i] = i < 4 ? 1.0 : (i % 2 ? 1.0 : 0.0);
    }
    assert_int_equal(logistic_fit_glm(&x.matrix, y, cl, *state, &f, &err), GENU_OK);
    assert_false(f.converged);
    assert_non_null(strstr(f.note, "separated"));
}

static void rank_deficiency_and_one_cluster(void **state)
{
    double xs[8 * 3], y[8] = {1, 0, 1, 1, 0, 0, 1, 0};
    size_t cl[8];
    for (size_t i = 0; i < 8; i++) {
        xs[3 * i] = 1.0;
        xs[3 * i + 1] = (double)(i % 3);
        xs[3 * i + 2] = 2.0 * (double)(i % 3); /* twice the previous column */
        cl[i] = i;
    }
    gsl_matrix_view x = gsl_matrix_view_array(xs, 8, 3);
    logistic_fit f;
    genu_err err = {0};
    assert_int_equal(logistic_fit_glm(&x.matrix, y, cl, *state, &f, &err), GENU_OK);
    assert_false(f.converged);
    assert_non_null(strstr(f.note, "rank deficient"));

    gsl_matrix_view x2 = gsl_matrix_view_array(xs, 8, 3);
    for (size_t i = 0; i < 8; i++) {
        xs[3 * i + 2] = (double)(i * i % 5);
        cl[i] = 7; /* one patient */
    }
    assert_int_equal(logistic_fit_glm(&x2.matrix, y, cl, *state, &f, &err), GENU_OK);
    assert_false(f.converged);
    assert_non_null(strstr(f.note, "fewer than two patients"));

    /* a response other than 0 or 1 is a caller's error */
    y[0] = 2.0;
    genu_err e2 = {0};
    assert_int_equal(logistic_fit_glm(&x2.matrix, y, cl, *state, &f, &e2), GENU_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(two_by_two_is_closed_form),
        T(clustered_fit_matches_r),
        T(separation_gives_no_numbers),
        T(rank_deficiency_and_one_cluster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
