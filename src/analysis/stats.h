/* stats: the small statistics genu's analyses report — Wilson score
 * intervals, mean/SD with a t interval, Newcombe's hybrid score interval for
 * a difference of proportions, Pearson's chi-square and Fisher's exact test
 * on a 2×2 table. Distributions come from GSL. Pure functions; a result that
 * is undefined (zero denominator, too few values) is NAN. Thread-safe. */
#ifndef GENU_ANALYSIS_STATS_H
#define GENU_ANALYSIS_STATS_H

#include <stddef.h>

/* The two-sided 95% normal quantile used everywhere (qnorm(0.975)). */
#define STATS_Z95 1.959963984540054

/* Wilson score interval for x successes in n trials with normal quantile z
 * (no continuity correction). n == 0 gives NAN bounds. x <= n. */
void stats_wilson(size_t x, size_t n, double z, double *lo, double *hi);

typedef struct stats_mean {
    size_t n;
    double mean; /* NAN when n == 0 */
    double sd;   /* sample SD (n − 1); NAN when n < 2 */
    double lo, hi; /* mean ± t(0.975, n − 1) · sd / √n; NAN when n < 2 */
} stats_mean;

/* Summary of v[0..n). */
void stats_mean_ci(const double *v, size_t n, stats_mean *out);

/* Newcombe (1998) method 10: the hybrid score interval for p1 − p2 with
 * p1 = x1/n1, p2 = x2/n2 and Wilson limits at z. *diff is p1 − p2. Any
 * zero denominator gives NAN everywhere. */
void stats_newcombe(size_t x1, size_t n1, size_t x2, size_t n2, double z, double *diff,
                    double *lo, double *hi);

/* Pearson's chi-square test of independence on a k×2 table (successes x[i]
 * out of n[i] per row, no continuity correction). Rows with n[i] == 0 are
 * left out. *df = rows kept − 1 when both columns have a positive total,
 * else 0 with NAN statistic and p. *min_expected is the smallest expected
 * cell count (NAN when undefined). */
void stats_chisq(const size_t *x, const size_t *n, size_t k, double *chisq, int *df, double *p,
                 double *min_expected);

/* Fisher's exact test on the 2×2 table [[a, b], [c, d]]: the two-sided p
 * as R's fisher.test computes it (the sum of the probabilities of tables no
 * more likely than the observed, with relative tolerance 1e-7). */
double stats_fisher(size_t a, size_t b, size_t c, size_t d);

#endif
