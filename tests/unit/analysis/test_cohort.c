/* test_cohort: the measure index (cohort_index_measures) gives exactly the
 * answers of the plain scans of cohort_latest and cohort_nearest, and so of
 * responder_eval, on seeded random cohorts (the seed is printed on
 * failure): knee- and patient-level responses, several on one date, null
 * scores, responses after the as-of date, replacements. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/cohort.h"
#include "analysis/responder.h"
#include "analysis/timepoint.h"
#include "fixture.h"

static uint64_t rng;
static unsigned next(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Two measures of two instruments, and one of them spelled again under
 * another pointer (an alias the index must resolve by comparing strings). */
static const char *const instruments[] = {"nprs", "koos", "patient_global"};
static const char *const keys[] = {"intensity", "pain", "score"};

static void random_cohort(genu_date base)
{
    fx_reset();
    for (size_t p = 0; p < 12; p++) {
        fx_patient("oak", "female", 1950);
        for (int knee = GENU_KNEE_LEFT; knee <= GENU_KNEE_RIGHT; knee++) {
            if (next(3) == 0)
                continue;
            fx_treat(p, (genu_knee)knee, base + (int)next(20), "prp");
            if (next(4) == 0)
                fx_treat(p, (genu_knee)knee, base + 100 + (int)next(600), "total_knee_replacement");
        }
        for (int r = 0, nr = 4 + (int)next(14); r < nr && FX.ds.n[GENU_REC_RESPONSE] < FX_MAX;
             r++) {
            unsigned m = next(3);
            genu_knee knee = next(4) == 0 ? GENU_KNEE_NONE : next(2) ? GENU_KNEE_LEFT
                                                                       : GENU_KNEE_RIGHT;
            /* a coarse grid of dates, so that several fall on one date */
            genu_date d = base - 60 + 15 * (int)next(60);
            double v = next(6) == 0 ? NAN : (double)next(11);
            fx_resp(p, knee, d, instruments[m], keys[m], v);
        }
    }
}

static void same_answers(void **state)
{
    (void)state;
    genu_date base = D("2020-01-01"), as_of = base + 800;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        rng = seed * 0x9e3779b97f4a7c15u;
        random_cohort(base);
        const genu_dataset *ds = fx_done();
        genu_arena *a = genu_arena_create();
        assert_non_null(a);
        cohort_filter f;
        cohort_filter_init(&f);
        cohort c;
        assert_int_equal(cohort_build(ds, &f, COHORT_UNIT_KNEE, as_of, a, &c, NULL), GENU_OK);
        char alias_inst[] = "nprs", alias_key[] = "intensity";
        const char *inst[] = {instruments[0], instruments[1], alias_inst, instruments[2]};
        const char *key[] = {keys[0], keys[1], alias_key, keys[2]};
        const cohort_mindex *x;
        assert_int_equal(cohort_index_measures(&c, inst, key, 4, a, &x, NULL), GENU_OK);
        cohort ix = c;
        ix.mindex = x;
        for (size_t i = 0; i < c.nknee; i++) {
            const cohort_knee *k = &c.knees[i];
            for (size_t m = 0; m < 4; m++)
                for (int q = 0; q < 40; q++) {
                    genu_date from = base - 90 + 15 * (int)next(50);
                    genu_date to = from + 15 * (int)next(30);
                    genu_date before = next(3) ? GENU_DATE_NONE : from + 15 * (int)next(40);
                    genu_date target = from + (int)next(400);
                    double v1 = -1, v2 = -1, w1 = -1, w2 = -1;
                    const genu_record *r1 =
                        cohort_latest(&c, k, inst[m], key[m], from, to, before, &v1);
                    const genu_record *r2 =
                        cohort_latest(&ix, k, inst[m], key[m], from, to, before, &v2);
                    const genu_record *n1 =
                        cohort_nearest(&c, k, inst[m], key[m], from, to, before, target, &w1);
                    const genu_record *n2 =
                        cohort_nearest(&ix, k, inst[m], key[m], from, to, before, target, &w2);
                    if (r1 != r2 || n1 != n2 || (r1 && v1 != v2) || (n1 && w1 != w2)) {
                        print_error("seed %llu knee %zu measure %zu: index and scan differ\n",
                                    (unsigned long long)seed, i, m);
                        fail();
                    }
                }
            static const char *const defs[] = {"improvement_pct:nprs.intensity>=50",
                                               "change:koos.pain>=5", "omeract_oarsi"};
            for (size_t d = 0; d < 3; d++) {
                responder_def def;
                timepoint t;
                assert_int_equal(responder_parse(defs[d], &def, NULL), GENU_OK);
                assert_int_equal(timepoint_parse(d == 2 ? "6m" : "12m", &t, NULL), GENU_OK);
                responder_outcome o1, o2;
                responder_eval(&c, k, &def, &t, &o1);
                responder_eval(&ix, k, &def, &t, &o2);
                if (o1.status != o2.status || o1.responder != o2.responder ||
                    o1.followup_date != o2.followup_date) {
                    print_error("seed %llu knee %zu %s: index and scan differ\n",
                                (unsigned long long)seed, i, defs[d]);
                    fail();
                }
            }
        }
        genu_arena_destroy(a);
    }
}

static void too_many_measures(void **state)
{
    (void)state;
    fx_reset();
    fx_patient("oak", "female", 1950);
    fx_treat(0, GENU_KNEE_LEFT, D("2020-01-01"), "prp");
    const genu_dataset *ds = fx_done();
    genu_arena *a = genu_arena_create();
    cohort_filter f;
    cohort_filter_init(&f);
    cohort c;
    assert_int_equal(cohort_build(ds, &f, COHORT_UNIT_KNEE, D("2021-01-01"), a, &c, NULL),
                     GENU_OK);
    const char *inst[65], *key[65];
    for (size_t i = 0; i < 65; i++) {
        inst[i] = "nprs";
        key[i] = "intensity";
    }
    const cohort_mindex *x;
    genu_err err = {0};
    assert_int_equal(cohort_index_measures(&c, inst, key, 65, a, &x, &err), GENU_EINVAL);
    assert_int_equal(cohort_index_measures(&c, inst, key, 64, a, &x, NULL), GENU_OK);
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_answers),
        cmocka_unit_test(too_many_measures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
