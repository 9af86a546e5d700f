/* stats: Wilson, t intervals, Newcombe's hybrid score difference interval,
 * chi-square and Fisher's exact test. Formulas from Newcombe (1998) Stat Med
 * 17:873-890 and Agresti, Categorical Data Analysis (3rd ed.) §3.5. */
#include "analysis/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>

void stats_wilson(size_t x, size_t n, double z, double *lo, double *hi)
{
    if (n == 0) {
        *lo = *hi = NAN;
        return;
    }
    double dn = (double)n, dx = (double)x, z2 = z * z;
    double centre = (dx + z2 / 2.0) / (dn + z2);
    double half = z * sqrt(dx * (dn - dx) / dn + z2 / 4.0) / (dn + z2);
    *lo = centre - half;
    *hi = centre + half;
    /* the exact bounds at x = 0 and x = n; rounding can leave ±1 ulp */
    if (x == 0)
        *lo = 0.0;
    if (x == n)
        *hi = 1.0;
}

void stats_mean_ci(const double *v, size_t n, stats_mean *out)
{
    out->n = n;
    out->mean = out->sd = out->lo = out->hi = NAN;
    if (n == 0)
        return;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    double mean = sum / (double)n;
    out->mean = mean;
    if (n < 2)
        return;
    /* two-pass variance: numerically stable enough for scores */
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    out->sd = sqrt(ss / (double)(n - 1));
    double t = gsl_cdf_tdist_Qinv(0.025, (double)(n - 1));
    double half = t * out->sd / sqrt((double)n);
    out->lo = mean - half;
    out->hi = mean + half;
}

void stats_newcombe(size_t x1, size_t n1, size_t x2, size_t n2, double z, double *diff,
                    double *lo, double *hi)
{
    if (n1 == 0 || n2 == 0) {
        *diff = *lo = *hi = NAN;
        return;
    }
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
    double l1, u1, l2, u2;
    stats_wilson(x1, n1, z, &l1, &u1);
    stats_wilson(x2, n2, z, &l2, &u2);
    double d = p1 - p2;
    *diff = d;
    *lo = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    *hi = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
}

void stats_chisq(const size_t *x, const size_t *n, size_t k, double *chisq, int *df, double *p,
                 double *min_expected)
{
    double tot = 0.0, succ = 0.0;
    size_t rows = 0;
    for (size_t i = 0; i < k; i++) {
        if (n[i] == 0)
            continue;
        rows++;
        tot += (double)n[i];
        succ += (double)x[i];
    }
    *chisq = *p = *min_expected = NAN;
    *df = 0;
    if (rows < 2 || succ <= 0.0 || succ >= tot)
        return;
    double frac = succ / tot, stat = 0.0, mine = INFINITY;
    for (size_t i = 0; i < k; i++) {
        if (n[i] == 0)
            continue;
        double e1 = (double)n[i] * frac, e0 = (double)n[i] - e1;
        double o1 = (double)x[i], o0 = (double)(n[i] - x[i]);
        stat += (o1 - e1) * (o1 - e1) / e1 + (o0 - e0) * (o0 - e0) / e0;
        mine = fmin(mine, fmin(e1, e0));
    }
    *chisq = stat;
    *df = (int)rows - 1;
    *p = gsl_cdf_chisq_Q(stat, (double)*df);
    *min_expected = mine;
}

double stats_fisher(size_t a, size_t b, size_t c, size_t d)
{
    /* Condition on the margins: a ~ Hypergeometric(row1 = a+b successes
     * drawn... ) with n1 = a + c (column 1), n2 = b + d, t = a + b draws. */
    unsigned n1 = (unsigned)(a + c), n2 = (unsigned)(b + d), t = (unsigned)(a + b);
    unsigned lo = t > n2 ? t - n2 : 0, hi = t < n1 ? t : n1;
    double pobs = gsl_ran_hypergeometric_pdf((unsigned)a, n1, n2, t);
    double sum = 0.0;
    for (unsigned k = lo; k <= hi; k++) {
        double pk = gsl_ran_hypergeometric_pdf(k, n1, n2, t);
        if (pk <= pobs * (1.0 + 1e-7))
            sum += pk;
    }
    return sum > 1.0 ? 1.0 : sum;
}
