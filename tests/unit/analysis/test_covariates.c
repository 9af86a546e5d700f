/* test_covariates: each covariate's value on hand-made knees, the list
 * parser's errors, and the design matrix with its exclusions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "analysis/covariates.h"
#include "fixture.h"
#include "../arena_fixture.h"

#define L    GENU_KNEE_LEFT
#define R    GENU_KNEE_RIGHT
#define PERI (1u << 1) /* the second site in vocabulary order, mcl: periarticular */

/* P0: female, 1960, 165 cm / 68 kg, both knees treated 2020-03-01 (left
 * whole-knee, KL 2; right intra-articular only, KL 4 then a later KL 1
 * after index that does not count).
 * P1: male, no birth year, no height: left only, periarticular only (sites
 * "other"), no KL.
 * P2: sex other, 1950, 180 cm / 90 kg: right only, intra-articular, two KL
 * grades on one date (2 and 3: the higher counts). */
static const genu_dataset *fixture(void)
{
    fx_reset();
    genu_date I = D("2020-03-01");
    size_t p0 = fx_patient("oak", "female", 1960);
    FX.recs[GENU_REC_PATIENT][p0].u.patient.height_cm = 165.0;
    FX.recs[GENU_REC_PATIENT][p0].u.patient.weight_kg = 68.0;
    size_t p1 = fx_patient("oak", "male", 0);
    FX.recs[GENU_REC_PATIENT][p1].u.patient.height_cm = NAN;
    FX.recs[GENU_REC_PATIENT][p1].u.patient.weight_kg = 80.0;
    size_t p2 = fx_patient("oak", "other", 1950);
    FX.recs[GENU_REC_PATIENT][p2].u.patient.height_cm = 180.0;
    FX.recs[GENU_REC_PATIENT][p2].u.patient.weight_kg = 90.0;
    fx_treat(p0, L, I, "prp")->u.treatment.sites = VOCAB_SITE_INTRA_ARTICULAR | PERI;
    fx_treat(p0, R, I, "prp");
    fx_dx(p0, L, I - 30, "osteoarthritis", 2);
    fx_dx(p0, R, I - 30, "osteoarthritis", 4);
    fx_dx(p0, R, I + 30, "osteoarthritis", 1);
    fx_treat(p1, L, I, "prp")->u.treatment.sites = PERI;
    fx_treat(p2, R, I, "prp");
    fx_dx(p2, R, I - 5, "osteoarthritis", 2);
    fx_dx(p2, R, I - 5, "osteoarthritis", 3);
    return fx_done();
}

static void build(genu_arena *a, cohort *c)
{
    cohort_filter f;
    cohort_filter_init(&f);
    genu_err err = {0};
    assert_int_equal(cohort_build(fixture(), &f, COHORT_UNIT_KNEE, D("2022-01-01"), a, c, &err),
                     GENU_OK);
    assert_int_equal(c->nknee, 4); /* P0 L, P0 R, P1 L, P2 R */
}

static void values(void **state)
{
    cohort c;
    build(*state, &c);
    /* age: 2020 − 1960; no birth year: missing */
    assert_true(covariate_value(&c, 0, COV_AGE, NAN) == 60.0);
    assert_true(isnan(covariate_value(&c, 2, COV_AGE, NAN)));
    assert_true(covariate_value(&c, 3, COV_AGE, NAN) == 70.0);
    assert_true(covariate_value(&c, 0, COV_FEMALE, NAN) == 1.0);
    assert_true(covariate_value(&c, 2, COV_FEMALE, NAN) == 0.0);
    assert_true(isnan(covariate_value(&c, 3, COV_FEMALE, NAN))); /* other */
    /* 68 / 1.65² = 24.977043158861342 */
    assert_true(fabs(covariate_value(&c, 0, COV_BMI, NAN) - 24.977043158861342) < 1e-12);
    assert_true(isnan(covariate_value(&c, 2, COV_BMI, NAN))); /* no height */
    assert_true(fabs(covariate_value(&c, 3, COV_BMI, NAN) - 90.0 / (1.8 * 1.8)) < 1e-12);
    assert_true(covariate_value(&c, 0, COV_KL, NAN) == 2.0);
    assert_true(covariate_value(&c, 1, COV_KL, NAN) == 4.0); /* the later KL 1 is after index */
    assert_true(isnan(covariate_value(&c, 2, COV_KL, NAN)));
    assert_true(covariate_value(&c, 3, COV_KL, NAN) == 3.0); /* same date: the higher */
    assert_true(covariate_value(&c, 0, COV_EARLY_OA, NAN) == 1.0);
    assert_true(covariate_value(&c, 1, COV_EARLY_OA, NAN) == 0.0);
    assert_true(isnan(covariate_value(&c, 2, COV_EARLY_OA, NAN)));
    assert_true(covariate_value(&c, 3, COV_EARLY_OA, NAN) == 0.0);
    assert_true(covariate_value(&c, 0, COV_BILATERAL, NAN) == 1.0);
    assert_true(covariate_value(&c, 1, COV_BILATERAL, NAN) == 1.0);
    assert_true(covariate_value(&c, 2, COV_BILATERAL, NAN) == 0.0);
    assert_true(covariate_value(&c, 3, COV_BILATERAL, NAN) == 0.0);
    assert_true(covariate_value(&c, 0, COV_WHOLE_KNEE, NAN) == 1.0);
    assert_true(covariate_value(&c, 1, COV_WHOLE_KNEE, NAN) == 0.0);
    assert_true(isnan(covariate_value(&c, 2, COV_WHOLE_KNEE, NAN))); /* other */
    assert_true(covariate_value(&c, 1, COV_BASELINE, 7.5) == 7.5);
    assert_true(isnan(covariate_value(&c, 1, COV_BASELINE, NAN)));
}

static void bilateral_needs_the_other_knee_in_the_cohort(void **state)
{
    cohort c;
    cohort_filter f;
    cohort_filter_init(&f);
    genu_err err = {0};
    /* --kl 0-2 keeps P0's left knee only: not bilateral under that filter */
    assert_int_equal(cohort_filter_set(&f, "kl", "0-2", &err), GENU_OK);
    assert_int_equal(
        cohort_build(fixture(), &f, COHORT_UNIT_KNEE, D("2022-01-01"), *state, &c, &err), GENU_OK);
    assert_int_equal(c.nknee, 1);
    assert_true(covariate_value(&c, 0, COV_BILATERAL, NAN) == 0.0);
}

static void lists(void **state)
{
    (void)state;
    covariate_list l;
    genu_err err = {0};
    assert_int_equal(covariate_parse_list("age,female,bmi,kl,baseline,bilateral", "adjust",
                                          COV_ADJUST_ALLOWED, COV_WHOLE_KNEE, &l, &err),
                     GENU_OK);
    assert_int_equal(l.n, 6);
    assert_int_equal(l.id[0], COV_AGE);
    assert_int_equal(l.id[5], COV_BILATERAL);
    assert_int_equal(covariate_parse_list("", "adjust", COV_ADJUST_ALLOWED, -1, &l, &err), GENU_OK);
    assert_int_equal(l.n, 0);

    /* errors: the list, its option, allowed set, exposure, expected text */
    static const struct {
        const char *list, *option;
        unsigned allowed;
        int exposure;
        const char *want;
    } bad[] = {
        {"age,height", "adjust", COV_ADJUST_ALLOWED, -1, "adjust: unknown covariate \"height\""},
        {"age,kl", "adjust", COV_ADJUST_ALLOWED, COV_EARLY_OA,
         "adjust: \"kl\": a covariate may not repeat the exposure"},
        {"whole_knee", "adjust", COV_ADJUST_ALLOWED, COV_WHOLE_KNEE,
         "a covariate may not repeat the exposure"},
        {"age,age", "cox", COV_COX_ALLOWED, -1, "cox: \"age\" is repeated"},
        {"age,,bmi", "adjust", COV_ADJUST_ALLOWED, -1, "empty name"},
        {"age,", "adjust", COV_ADJUST_ALLOWED, -1, "empty name"},
        /* baseline is not a Cox covariate; early_oa is not an --adjust one */
        {"baseline", "cox", COV_COX_ALLOWED, -1, "cox: unknown covariate \"baseline\""},
        {"early_oa", "adjust", COV_ADJUST_ALLOWED, -1, "adjust: unknown covariate \"early_oa\""},
        {"kl,early_oa", "cox", COV_COX_ALLOWED, -1, "cox: \"kl\" and \"early_oa\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        genu_err e = {0};
        assert_int_equal(covariate_parse_list(bad[i].list, bad[i].option, bad[i].allowed,
                                              bad[i].exposure, &l, &e),
                         GENU_EINVAL);
        assert_non_null(strstr(e.msg, bad[i].want));
    }

    covariate_id id;
    assert_int_equal(covariate_parse_one("early_oa", "exposure", COV_EXPOSURE_ALLOWED, &id, &err),
                     GENU_OK);
    assert_int_equal(id, COV_EARLY_OA);
    genu_err e9 = {0};
    assert_int_equal(covariate_parse_one("age", "exposure", COV_EXPOSURE_ALLOWED, &id, &e9),
                     GENU_EINVAL);
    assert_non_null(
        strstr(e9.msg, "exposure: unknown covariate \"age\" (expected whole_knee or early_oa)"));
    assert_string_equal(covariate_name(COV_WHOLE_KNEE), "whole_knee");
}

static void design(void **state)
{
    cohort c;
    build(*state, &c);
    covariate_design d;
    genu_err err = {0};
    covariate_id cols[] = {COV_WHOLE_KNEE, COV_AGE, COV_BASELINE};
    double baseline[4] = {8.0, 6.0, 5.0, NAN};
    /* knee 2 has no whole_knee value, knee 3 no baseline: two rows remain */
    assert_int_equal(covariate_design_build(&c, NULL, baseline, true, cols, 3, *state, &d, &err),
                     GENU_OK);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.p, 4);
    assert_int_equal(d.excluded_missing, 2);
    assert_string_equal(d.names[0], "intercept");
    assert_string_equal(d.names[1], "whole_knee");
    assert_string_equal(d.names[3], "baseline");
    const gsl_matrix *x = &d.x.matrix;
    assert_int_equal(x->size1, 2);
    assert_int_equal(x->size2, 4);
    assert_true(gsl_matrix_get(x, 0, 0) == 1.0 && gsl_matrix_get(x, 0, 1) == 1.0);
    assert_true(gsl_matrix_get(x, 0, 2) == 60.0 && gsl_matrix_get(x, 0, 3) == 8.0);
    assert_true(gsl_matrix_get(x, 1, 1) == 0.0 && gsl_matrix_get(x, 1, 3) == 6.0);
    assert_int_equal(d.knee[0], 0);
    assert_int_equal(d.knee[1], 1);
    assert_int_equal(d.cluster[0], d.cluster[1]); /* one patient */

    /* members only, no intercept, no baseline given: knee 3 has every value */
    bool member[4] = {false, false, true, true};
    covariate_id kl_age[] = {COV_KL, COV_AGE};
    assert_int_equal(covariate_design_build(&c, member, NULL, false, kl_age, 2, *state, &d, &err),
                     GENU_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.excluded_missing, 1); /* knee 2: no KL, no age */
    assert_true(gsl_matrix_get(&d.x.matrix, 0, 0) == 3.0);
    assert_true(gsl_matrix_get(&d.x.matrix, 0, 1) == 70.0);
    assert_int_equal(d.cluster[0], 2);

    /* nothing kept */
    covariate_id bl[] = {COV_BASELINE};
    assert_int_equal(covariate_design_build(&c, NULL, NULL, true, bl, 1, *state, &d, &err),
                     GENU_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(d.excluded_missing, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(values),
        T(bilateral_needs_the_other_knee_in_the_cohort),
        cmocka_unit_test(lists),
        T(design),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
