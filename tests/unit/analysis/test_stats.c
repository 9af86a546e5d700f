/* test_stats: Wilson, t intervals, Newcombe, chi-square and Fisher against
 * published worked examples and hand computations. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "analysis/stats.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* Newcombe (1998) Stat Med 17:857, table I, method 3 (Wilson score). */
static void wilson_matches_newcombe_single_proportion(void **state)
{
    (void)state;
    double lo, hi;
    stats_wilson(81, 263, STATS_Z95, &lo, &hi);
    NEAR(lo, 0.2553, 5e-5);
    NEAR(hi, 0.3662, 5e-5);
    stats_wilson(15, 148, STATS_Z95, &lo, &hi);
    NEAR(lo, 0.0624, 5e-5);
    NEAR(hi, 0.1605, 5e-5);
    stats_wilson(0, 20, STATS_Z95, &lo, &hi);
    assert_true(lo == 0.0);
    NEAR(hi, 0.1611, 5e-5);
    stats_wilson(1, 29, STATS_Z95, &lo, &hi);
    NEAR(lo, 0.0061, 5e-5);
    NEAR(hi, 0.1718, 5e-5);
}

static void wilson_by_hand(void **state)
{
    (void)state;
    /* 5/10, z = 1.96: centre (5 + 1.9208)/13.8416 = 0.5; half =
     * 1.96 √(2.5 + 0.9604) / 13.8416 = 0.263410406 */
    double lo, hi;
    stats_wilson(5, 10, 1.96, &lo, &hi);
    NEAR(lo, 0.5 - 0.263410406, 1e-7);
    NEAR(hi, 0.5 + 0.263410406, 1e-7);
    stats_wilson(10, 10, STATS_Z95, &lo, &hi);
    assert_true(hi == 1.0);
    stats_wilson(0, 0, STATS_Z95, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
}

static void mean_and_t_interval(void **state)
{
    (void)state;
    double v[] = {1, 2, 3, 4, 5};
    stats_mean m;
    stats_mean_ci(v, 5, &m);
    NEAR(m.mean, 3.0, 1e-12);
    NEAR(m.sd, sqrt(2.5), 1e-12);
    /* t(0.975, 4) = 2.776445105 */
    double half = 2.776445105197793 * sqrt(2.5) / sqrt(5.0);
    NEAR(m.lo, 3.0 - half, 1e-9);
    NEAR(m.hi, 3.0 + half, 1e-9);
    stats_mean_ci(v, 1, &m);
    assert_true(m.mean == 1.0 && isnan(m.sd) && isnan(m.lo));
}

/* Newcombe (1998) Stat Med 17:873, table II, method 10. */
static void newcombe_worked_examples(void **state)
{
    (void)state;
    static const struct {
        size_t x1, n1, x2, n2;
        double lo, hi;
    } ex[] = {
        {56, 70, 48, 80, 0.0524, 0.3339}, {9, 10, 3, 10, 0.1705, 0.8090},
        {6, 7, 2, 7, 0.0582, 0.8062},     {5, 56, 0, 29, -0.0381, 0.1926},
        {0, 10, 0, 20, -0.1611, 0.2775},  {0, 10, 0, 10, -0.2775, 0.2775},
        {10, 10, 0, 20, 0.6791, 1.0000},  {10, 10, 0, 10, 0.6075, 1.0000},
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        double d, lo, hi;
        stats_newcombe(ex[i].x1, ex[i].n1, ex[i].x2, ex[i].n2, STATS_Z95, &d, &lo, &hi);
        NEAR(d, (double)ex[i].x1 / ex[i].n1 - (double)ex[i].x2 / ex[i].n2, 1e-12);
        NEAR(lo, ex[i].lo, 5e-5);
        NEAR(hi, ex[i].hi, 5e-5);
    }
}

static void chisq_by_hand(void **state)
{
    (void)state;
    /* 10/30 vs 20/30: every expected count 15, X² = 4 · 25/15 */
    size_t x[] = {10, 20}, n[] = {30, 30};
    double chi, p, mine;
    int df;
    stats_chisq(x, n, 2, &chi, &df, &p, &mine);
    NEAR(chi, 20.0 / 3.0, 1e-12);
    assert_int_equal(df, 1);
    NEAR(p, 0.009823274507519, 1e-12); /* pchisq(20/3, 1, lower = FALSE) */
    NEAR(mine, 15.0, 1e-12);
    size_t x0[] = {0, 0};
    stats_chisq(x0, n, 2, &chi, &df, &p, &mine);
    assert_true(isnan(chi) && df == 0);
}

static void fisher_tea_tasting(void **state)
{
    (void)state;
    /* Fisher's lady tasting tea: [[3,1],[1,3]], two-sided p = 34/70 */
    NEAR(stats_fisher(3, 1, 1, 3), 34.0 / 70.0, 1e-12);
    /* [[4,0],[0,4]]: 2/70 */
    NEAR(stats_fisher(4, 0, 0, 4), 2.0 / 70.0, 1e-12);
    /* R: fisher.test(matrix(c(1,9,11,3),2))$p.value = 0.002759456 */
    NEAR(stats_fisher(1, 11, 9, 3), 0.002759456185220088, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wilson_matches_newcombe_single_proportion),
        cmocka_unit_test(wilson_by_hand),
        cmocka_unit_test(mean_and_t_interval),
        cmocka_unit_test(newcombe_worked_examples),
        cmocka_unit_test(chisq_by_hand),
        cmocka_unit_test(fisher_tea_tasting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
