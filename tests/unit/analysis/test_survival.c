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
#include "fixture.h"

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

/* loss_of_response under improvement_pct:nprs.intensity>=50, index I =
 * 2020-01-01, as-of I+1096. Scheduled windows (days after I): 6w [28,56],
 * 3m [61,121], 6m [123,243], 12m [275,455], 24m [551,911], 36m [916,1276]
 * (open: first day 916 <= 1096, evaluated with what is there), 48m starts
 * at 1281: not evaluated. Baselines are 8 at I.
 *  K0: 3m 3 (62.5%: responds), 6m 2 (responds), 12m 7 (12.5%: fails), 24m 2
 *      → event at the 12m follow-up: time 365, status 1
 *  K1: 6w 8 (0%: no response yet, not a loss), 3m 2 (responds), no 6m,
 *      replaced at I+300 (12m converted, not evaluated) → event at the
 *      replacement: time 300, status 1
 *  K2: 3m 3 (responds), no 6m (skipped, not a loss), 12m 3 (responds),
 *      24m 5 (37.5%: fails) → time 731, status 1
 *  K3: 3m 7, 12m 6, 24m (I+800) 8: never responds → censored at the last
 *      contact: time 800, status 0
 *  K4: 3m 8, replaced at I+400: never responded, so the replacement is not
 *      a loss → censored at the last contact (the replacement): 400, 0 */
static const genu_dataset *loss_fixture(void)
{
    fx_reset();
    genu_date I = D("2020-01-01");
    for (int i = 0; i < 5; i++) {
        fx_patient("oak", "female", 1960);
        fx_treat((size_t)i, GENU_KNEE_LEFT, I, "prp");
        fx_resp((size_t)i, GENU_KNEE_LEFT, I, "nprs", "intensity", 8);
    }
    const int day[5][4] = {{91, 183, 365, 731}, {42, 91, 0, 0}, {91, 365, 731, 0},
                           {91, 365, 800, 0}, {91, 0, 0, 0}};
    const double val[5][4] = {{3, 2, 7, 2}, {8, 2, 0, 0}, {3, 3, 5, 0}, {7, 6, 8, 0},
                              {8, 0, 0, 0}};
    for (size_t p = 0; p < 5; p++)
        for (size_t j = 0; j < 4 && day[p][j]; j++)
            fx_resp(p, GENU_KNEE_LEFT, I + day[p][j], "nprs", "intensity", val[p][j]);
    fx_treat(1, GENU_KNEE_LEFT, I + 300, "total_knee_replacement");
    fx_treat(4, GENU_KNEE_LEFT, I + 400, "partial_knee_replacement");
    return fx_done();
}

static void loss_of_response_by_hand(void **state)
{
    genu_arena *a = *state;
    cohort c;
    cohort_filter f;
    cohort_filter_init(&f);
    responder_def d;
    genu_err err = {0};
    assert_int_equal(cohort_build(loss_fixture(), &f, COHORT_UNIT_KNEE, D("2020-01-01") + 1096, a,
                                  &c, &err),
                     GENU_OK);
    assert_int_equal(responder_parse("improvement_pct:nprs.intensity>=50", &d, &err), GENU_OK);
    assert_int_equal(c.nknee, 5);
    const double want_time[5] = {365, 300, 731, 800, 400};
    const int want_status[5] = {1, 1, 1, 0, 0};
    double time[5];
    int status[5];
    for (size_t i = 0; i < 5; i++) {
        survival_knee(&c, &c.knees[i], SURVIVAL_LOSS, &d, &time[i], &status[i]);
        NEAR(time[i], want_time[i]);
        assert_int_equal(status[i], want_status[i]);
    }
    /* KM: 300 (n 5, d 1) S = 4/5; 365 (4, 1) 3/5; 400 censored; 731 (2, 1)
     * 3/10; 800 censored. Median: first S < 0.5 is at 731. */
    survival_curve k;
    assert_int_equal(survival_km(time, status, 5, a, &k, &err), GENU_OK);
    assert_int_equal(k.nrow, 5);
    NEAR(k.rows[0].surv, 0.8);
    NEAR(k.rows[1].surv, 0.6);
    NEAR(k.rows[3].surv, 0.3);
    assert_int_equal(k.rows[3].n_risk, 2);
    NEAR(k.median, 731);
}

/* Large inputs take the radix sort: compared with a direct count at every
 * distinct time, on times that are negative, fractional, huge, tiny, -0.0
 * beside 0.0, and tied. */
#define BIG_N 5000
#define POOL 300
static void large_inputs_match_direct_counts(void **state)
{
    genu_arena *a = *state;
    static double t[BIG_N], pool[POOL];
    static int s[BIG_N];
    static size_t g[BIG_N];
    uint64_t x = 88172645463325252u;
    for (size_t i = 0; i < POOL; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double u = (double)(x >> 11) / 9007199254740992.0;
        pool[i] = i % 5 == 0 ? floor(u * 3000) : i % 5 == 1 ? (u - 0.5) * 1e3
                : i % 5 == 2 ? u * 1e12 : i % 5 == 3 ? u * 1e-300 : u;
    }
    pool[0] = 0.0;
    pool[1] = -0.0;
    for (size_t i = 0; i < BIG_N; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        t[i] = pool[x % POOL];
        s[i] = (x >> 20) % 3 == 0;
        g[i] = (x >> 30) % 2;
    }
    survival_curve c;
    assert_int_equal(survival_km(t, s, BIG_N, a, &c, NULL), GENU_OK);
    double surv = 1.0, o1 = 0.0, e1 = 0.0, v11 = 0.0, prev = -INFINITY;
    for (size_t r = 0; r < c.nrow; r++) {
        double tm = c.rows[r].time;
        assert_true(tm > prev);
        prev = tm;
        size_t risk = 0, d = 0, cen = 0, risk1 = 0, d1 = 0;
        for (size_t i = 0; i < BIG_N; i++) {
            risk += t[i] >= tm;
            risk1 += t[i] >= tm && g[i] == 1;
            d += t[i] == tm && s[i];
            d1 += t[i] == tm && s[i] && g[i] == 1;
            cen += t[i] == tm && !s[i];
        }
        assert_int_equal(c.rows[r].n_risk, risk);
        assert_int_equal(c.rows[r].n_event, d);
        assert_int_equal(c.rows[r].n_censor, cen);
        surv *= (double)(risk - d) / (double)risk;
        NEAR(c.rows[r].surv, surv);
        if (d) {
            double n = (double)risk, p = (double)risk1 / n;
            o1 += (double)d1;
            e1 += (double)d * p;
            if (risk > 1)
                v11 += (double)d * (n - (double)d) / (n - 1.0) * p * (1.0 - p);
        }
    }
    survival_logrank lr;
    assert_int_equal(survival_logrank_test(t, s, g, BIG_N, 2, a, &lr, NULL), GENU_OK);
    assert_true(lr.defined);
    assert_true(fabs(lr.chisq - (o1 - e1) * (o1 - e1) / v11) <= 1e-9 * lr.chisq);
}

static void event_names(void **state)
{
    (void)state;
    survival_event e;
    genu_err err = {0};
    assert_int_equal(survival_event_parse("loss_of_response", &e, &err), GENU_OK);
    assert_int_equal(e, SURVIVAL_LOSS);
    assert_int_equal(survival_event_parse("death", &e, &err), GENU_EINVAL);
    assert_non_null(strstr(err.msg, "event: "));
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
        cmocka_unit_test_setup_teardown(loss_of_response_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(large_inputs_match_direct_counts, setup, teardown),
        cmocka_unit_test(event_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
