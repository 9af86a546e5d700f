/* test_responder: definition parsing and its errors, OMERACT-OARSI, the
 * patient unit's knee choice, filters and strata. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "analysis/claim.h"
#include "fixture.h"

#define L GENU_KNEE_LEFT
#define R GENU_KNEE_RIGHT

static void definitions_parse(void **state)
{
    (void)state;
    responder_def d;
    genu_err err = {0};
    assert_int_equal(responder_parse("improvement_pct:koos.womac.pain_norm>=30", &d, &err), 0);
    assert_string_equal(d.m.instrument, "koos");
    assert_string_equal(d.m.key, "womac.pain_norm");
    assert_true(d.m.lower_better && d.threshold == 30.0);
    assert_int_equal(responder_parse("mcid:koos.pain", &d, &err), 0);
    assert_true(d.threshold == 8.0 && !d.m.lower_better);
    assert_int_equal(responder_parse("mcid:nprs.intensity", &d, &err), 0);
    assert_true(d.threshold == 2.0);
    assert_int_equal(responder_parse("global_improvement>=50", &d, &err), 0);
    assert_int_equal(responder_parse("omeract_oarsi", &d, &err), 0);
    assert_int_equal(responder_parse("change:ikdc.score>=-2.5", &d, &err), 0);
    assert_true(d.threshold == -2.5);
}

static void bad_definitions_say_what_was_expected(void **state)
{
    (void)state;
    static const struct {
        const char *def, *msg;
    } bad[] = {
        {"improvement_pct:koos.foo>=50", "responder: unknown measure \"koos.foo\""},
        {"improvement_pct:koos.pain>=50", "higher-is-better"},
        {"mcid:eq_vas.score", "no MCID configured"},
        {"change:nprs.intensity>=x", "expected a number"},
        {"change:nprs.intensity", "expected MEASURE>=X"},
        {"responders", "expected improvement_pct:"},
        {"global_improvement>=", "expected a number"},
        {"mcid:nprs", "unknown measure"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        responder_def d;
        genu_err err = {0};
        assert_int_equal(responder_parse(bad[i].def, &d, &err), GENU_EINVAL);
        assert_non_null(strstr(err.msg, bad[i].msg));
        assert_int_equal(strncmp(err.msg, "responder: ", 11), 0);
    }
}

static void configured_mcids(void **state)
{
    (void)state;
    responder_mcids m;
    responder_def d;
    genu_err err = {0};
    responder_mcids_init(&m);
    assert_int_equal(responder_mcid_set(&m, "eq_vas.score=10", &err), GENU_OK);
    assert_int_equal(responder_mcid_set(&m, "nprs.intensity=1.5", &err), GENU_OK);
    assert_int_equal(responder_mcid_set(&m, "eq_vas.score=12", &err), GENU_OK); /* replaces */
    assert_int_equal(m.n, 2);
    assert_int_equal(responder_parse_with("mcid:eq_vas.score", &m, &d, &err), GENU_OK);
    assert_true(d.threshold == 12.0 && !d.m.lower_better);
    assert_int_equal(responder_parse_with("mcid:nprs.intensity", &m, &d, &err), GENU_OK);
    assert_true(d.threshold == 1.5);
    assert_int_equal(responder_parse_with("mcid:koos.pain", &m, &d, &err), GENU_OK);
    assert_true(d.threshold == 8.0); /* the default still applies */
    assert_int_equal(responder_parse_with("mcid:ikdc.score", NULL, &d, &err), GENU_OK);
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"eq_vas.foo=10", "mcid: unknown measure \"eq_vas.foo\""},
        {"eq_vas.score=0", "expected a positive number"},
        {"eq_vas.score=-3", "expected a positive number"},
        {"eq_vas.score=ten", "expected a positive number"},
        {"eq_vas.score=", "expected a positive number"},
        {"eq_vas.score", "expected MEASURE=VALUE"},
        {"=4", "mcid: unknown measure"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = (genu_err){0};
        assert_int_equal(responder_mcid_set(&m, bad[i].text, &err), GENU_EINVAL);
        assert_non_null(strstr(err.msg, bad[i].msg));
        assert_int_equal(strncmp(err.msg, "mcid: ", 6), 0);
    }
    assert_int_equal(m.n, 2);
}

static void omeract_oarsi_rules(void **state)
{
    genu_arena *a = *state;
    fx_reset();
    genu_date I = D("2020-01-01");
    for (int i = 0; i < 4; i++)
        fx_patient("oak", "male", 1950);
    for (size_t p = 0; p < 4; p++)
        fx_treat(p, L, I, "prp");
    /* P0: pain 6 → 3 (60 → 30: 50% and 30 points): high improvement */
    fx_resp(0, L, I, "nprs", "intensity", 6);
    fx_resp(0, L, I + 91, "nprs", "intensity", 3);
    /* P1: pain 5 → 4 (50 → 40: 20%, 10 points) and global 50 → 40: two
     * moderate improvements */
    fx_resp(1, L, I, "nprs", "intensity", 5);
    fx_resp(1, L, I + 91, "nprs", "intensity", 4);
    fx_resp(1, GENU_KNEE_NONE, I, "patient_global", "score", 50);
    fx_resp(1, GENU_KNEE_NONE, I + 91, "patient_global", "score", 40);
    /* P2: pain moderate only, function from 100 − KOOS adl 60 → 50 = 40
     * → 50: worse; one moderate: not a responder */
    fx_resp(2, L, I, "nprs", "intensity", 5);
    fx_resp(2, L, I + 91, "nprs", "intensity", 4);
    fx_resp(2, L, I, "koos", "adl", 60);
    fx_resp(2, L, I + 91, "koos", "adl", 50);
    /* P3: only a global: not evaluable */
    fx_resp(3, GENU_KNEE_NONE, I, "patient_global", "score", 50);
    fx_resp(3, GENU_KNEE_NONE, I + 91, "patient_global", "score", 10);
    cohort c;
    cohort_filter f;
    cohort_filter_init(&f);
    assert_int_equal(cohort_build(fx_done(), &f, COHORT_UNIT_KNEE, D("2022-01-01"), a, &c, NULL),
                     0);
    responder_def d;
    timepoint t;
    responder_parse("omeract_oarsi", &d, NULL);
    timepoint_parse("3m", &t, NULL);
    responder_outcome o;
    const bool expect[] = {true, true, false};
    for (size_t i = 0; i < 3; i++) {
        responder_eval(&c, &c.knees[i], &d, &t, &o);
        assert_int_equal(o.status, RESPONDER_EVALUATED);
        assert_int_equal(o.responder, expect[i]);
    }
    responder_eval(&c, &c.knees[3], &d, &t, &o);
    assert_int_equal(o.status, RESPONDER_NOT_EVALUABLE);
}

static void patient_unit_and_strata(void **state)
{
    genu_arena *a = *state;
    fx_reset();
    genu_date I = D("2020-01-01");
    size_t p0 = fx_patient("oak", "female", 1955);
    size_t p1 = fx_patient("elm", "male", 1948);
    size_t p2 = fx_patient("elm", "male", 1970);
    /* p0: both knees the same day; right has the higher NPRS baseline */
    fx_treat(p0, L, I, "prp");
    genu_record *t = fx_treat(p0, R, I, "prp");
    t->u.treatment.sites |= 2u; /* + mcl: whole knee */
    fx_treat(p0, R, I, "dextrose_prolotherapy")->u.treatment.protocol = "bma+dex";
    fx_resp(p0, L, I - 3, "nprs", "intensity", 5);
    fx_resp(p0, R, I - 3, "nprs", "intensity", 7);
    fx_dx(p0, R, I - 10, "osteoarthritis", 2);
    fx_dx(p0, R, I - 5, "osteoarthritis", 1);
    fx_dx(p0, R, I - 5, "osteoarthritis", 3); /* same date: the highest */
    fx_dx(p0, R, I + 5, "osteoarthritis", 4); /* after the index: ignored */
    /* p1: right first, left later */
    fx_treat(p1, L, I + 30, "prp");
    fx_treat(p1, R, I, "adipose_msc");
    /* a replacement before the index never counts */
    fx_treat(p1, R, I - 100, "total_knee_replacement");
    /* p2: only a corticosteroid injection: not entered by default */
    fx_treat(p2, L, I, "corticosteroid_injection");
    const genu_dataset *ds = fx_done();
    cohort c;
    cohort_filter f;
    cohort_filter_init(&f);
    assert_int_equal(cohort_build(ds, &f, COHORT_UNIT_PATIENT, D("2022-01-01"), a, &c, NULL), 0);
    assert_int_equal(c.nknee, 2);
    assert_int_equal(c.knees[0].knee, R);
    assert_int_equal(c.knees[1].knee, R);
    assert_int_equal(c.knees[1].replaced, GENU_DATE_NONE);
    assert_string_equal(cohort_stratum(&c, &c.knees[0], COHORT_BY_KL, a), "3-4");
    assert_string_equal(cohort_stratum(&c, &c.knees[0], COHORT_BY_KIND, a),
                        "dextrose_prolotherapy+prp");
    assert_string_equal(cohort_stratum(&c, &c.knees[0], COHORT_BY_SITES, a), "whole_knee");
    assert_string_equal(cohort_stratum(&c, &c.knees[0], COHORT_BY_PROTOCOL, a), "bma+dex");
    assert_string_equal(cohort_stratum(&c, &c.knees[0], COHORT_BY_AGE_BAND, a), "60-69");
    assert_string_equal(cohort_stratum(&c, &c.knees[1], COHORT_BY_KL, a), "unknown");
    assert_string_equal(cohort_stratum(&c, &c.knees[1], COHORT_BY_AGE_BAND, a), "70-79");
    /* filters: --kl 0-2 leaves p0's right knee out; p0's left has no KL */
    genu_err err = {0};
    assert_int_equal(cohort_filter_set(&f, "kl", "0-2", &err), 0);
    cohort_build(ds, &f, COHORT_UNIT_KNEE, D("2022-01-01"), a, &c, NULL);
    assert_int_equal(c.nknee, 0);
    cohort_filter_init(&f);
    cohort_filter_set(&f, "index-kinds", "corticosteroid_injection,prp", &err);
    cohort_filter_set(&f, "sex", "male", &err);
    cohort_build(ds, &f, COHORT_UNIT_KNEE, D("2022-01-01"), a, &c, NULL);
    assert_int_equal(c.nknee, 2); /* p1 left (prp), p2 left */
    assert_int_equal(cohort_filter_set(&f, "kl", "0-5", &err), GENU_EINVAL);
    assert_non_null(strstr(err.msg, "kl: expected"));
    assert_int_equal(f.nset, 2);
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
        cmocka_unit_test(definitions_parse),
        cmocka_unit_test(bad_definitions_say_what_was_expected),
        cmocka_unit_test(configured_mcids),
        cmocka_unit_test_setup_teardown(omeract_oarsi_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(patient_unit_and_strata, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
