/* cox: coxph with Efron ties, its cluster-robust variance and cox.zph, as
 * R's survival package computes them (coxfit6.c, coxscore2.c, zph1.c,
 * residuals.coxph and cox.zph.R), so that genu and R agree on the same data
 * to 1e-6 relative (both iterate). */
#include "analysis/cox.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"

#define Q2 (2 * COX_MAXP)

/* coxph.control() defaults */
static const double EPS = 1e-9;                   /* relative change of the log-likelihood */
static const int ITER_MAX = 20;
#define TOLER_CHOL 1.8189894035458617e-12         /* .Machine$double.eps^0.75 */
static const double TOLER_INF = 3.1622776601683795e-05; /* sqrt(eps) */

/* The data sorted by time, deaths before censorings at a tied time (the
 * order coxscore2 needs; the other passes only group tied times), with the
 * covariates centred and scaled as coxfit6 does: a column of values in
 * {-1, 0, 1} is left alone, any other has its mean subtracted and is
 * multiplied by n / sum |x − mean|. Newton's method is invariant under such
 * a change of variables; R does it for numerical stability, and so do we. */
typedef struct cdata {
    size_t n, p;
    double *time;
    int *status;
    size_t *cluster;
    double *x[COX_MAXP];
    double scale[COX_MAXP];
} cdata;

typedef struct ord {
    double time;
    int status;
    size_t row;
} ord;

static int cmp_ord(const void *x, const void *y)
{
    const ord *a = x, *b = y;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->status != b->status)
        return b->status - a->status;
    return (a->row > b->row) - (a->row < b->row);
}

static int prepare(const cox_input *in, genu_arena *a, cdata *d)
{
    size_t n = in->n, p = in->p;
    ord *o = malloc(n * sizeof *o);
    d->n = n;
    d->p = p;
    d->time = genu_arena_calloc(a, n, sizeof *d->time);
    d->status = genu_arena_calloc(a, n, sizeof *d->status);
    d->cluster = genu_arena_calloc(a, n, sizeof *d->cluster);
    bool ok = o && d->time && d->status && d->cluster;
    for (size_t j = 0; j < p && ok; j++)
        ok = (d->x[j] = genu_arena_calloc(a, n, sizeof *d->x[j])) != NULL;
    if (!ok) {
        free(o);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        o[i] = (ord){in->time[i], in->status[i] != 0, i};
    qsort(o, n, sizeof *o, cmp_ord);
    for (size_t i = 0; i < n; i++) {
        size_t r = o[i].row;
        d->time[i] = o[i].time;
        d->status[i] = o[i].status;
        d->cluster[i] = in->cluster ? in->cluster[r] : r;
        for (size_t j = 0; j < p; j++)
            d->x[j][i] = in->x[r * p + j];
    }
    free(o);
    for (size_t j = 0; j < p; j++) {
        double *x = d->x[j], mean = 0.0, abssum = 0.0;
        bool zero_one = true;
        for (size_t i = 0; i < n; i++)
            zero_one = zero_one && (x[i] == 0.0 || x[i] == 1.0 || x[i] == -1.0);
        d->scale[j] = 1.0;
        if (zero_one)
            continue;
        for (size_t i = 0; i < n; i++)
            mean += x[i];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            x[i] -= mean;
            abssum += fabs(x[i]);
        }
        d->scale[j] = abssum > 0.0 ? (double)n / abssum : 1.0;
        for (size_t i = 0; i < n; i++)
            x[i] *= d->scale[j];
    }
    return 0;
}

/* One pass over the data at beta (coxfit6_iter with Efron ties): returns
 * the log partial likelihood and fills the score u and the information
 * imat (q × q, row-major). With gt (one value per row, a function of time),
 * q = 2p and the second half is for the covariates x·g(t), at coefficient
 * 0: the score and information of zph1.c. Otherwise q = p. */
static double pass(const cdata *d, const double *beta, const double *gt, double *u, double *imat)
{
    size_t n = d->n, p = d->p, q = gt ? 2 * p : p;
    double a[COX_MAXP], a2[COX_MAXP], cmat[COX_MAXP][COX_MAXP], cmat2[COX_MAXP][COX_MAXP];
    double loglik = 0.0, denom = 0.0;
    memset(u, 0, q * sizeof *u);
    memset(imat, 0, q * q * sizeof *imat);
    memset(a, 0, sizeof a);
    memset(cmat, 0, sizeof cmat);
    for (size_t end = n; end > 0;) {
        double dtime = d->time[end - 1], g = gt ? gt[end - 1] : 0.0;
        double ndead = 0.0, denom2 = 0.0;
        memset(a2, 0, sizeof a2);
        memset(cmat2, 0, sizeof cmat2);
        for (; end > 0 && d->time[end - 1] == dtime; end--) {
            size_t i = end - 1;
            double zbeta = 0.0;
            for (size_t j = 0; j < p; j++)
                zbeta += beta[j] * d->x[j][i];
            double risk = exp(zbeta);
            double *as = d->status[i] ? a2 : a;
            double(*cs)[COX_MAXP] = d->status[i] ? cmat2 : cmat;
            if (d->status[i]) {
                ndead += 1.0;
                denom2 += risk;
                loglik += zbeta;
                for (size_t j = 0; j < p; j++) {
                    u[j] += d->x[j][i];
                    if (gt)
                        u[j + p] += g * d->x[j][i];
                }
            } else {
                denom += risk;
            }
            for (size_t j = 0; j < p; j++) {
                as[j] += risk * d->x[j][i];
                for (size_t k = 0; k <= j; k++)
                    cs[j][k] += risk * d->x[j][i] * d->x[k][i];
            }
        }
        if (ndead == 0.0)
            continue;
        /* Efron: with d deaths, d terms in which the deaths count 1/d, 2/d, …,
         * 1 (one death: Breslow's single term) */
        for (double k = 0; k < ndead; k += 1.0) {
            denom += denom2 / ndead;
            loglik -= log(denom);
            for (size_t j = 0; j < p; j++) {
                a[j] += a2[j] / ndead;
                double mean = a[j] / denom;
                u[j] -= mean;
                if (gt)
                    u[j + p] -= g * mean;
                for (size_t m = 0; m <= j; m++) {
                    cmat[j][m] += cmat2[j][m] / ndead;
                    double v = (cmat[j][m] - mean * a[m]) / denom;
                    imat[j * q + m] += v;
                    if (gt) { /* the (x·g, x) block is all below the diagonal */
                        imat[(j + p) * q + m] += g * v;
                        if (m != j)
                            imat[(m + p) * q + j] += g * v;
                        imat[(j + p) * q + m + p] += g * g * v;
                    }
                }
            }
        }
    }
    for (size_t j = 0; j < q; j++)
        for (size_t m = 0; m < j; m++)
            imat[m * q + j] = imat[j * q + m];
    return loglik;
}

/* Cholesky of the q × q matrix m in place; false when it is not positive
 * definite within R's cholesky2 tolerance (a pivot below toler.chol times
 * the largest diagonal element). */
static bool cholesky(double *m, size_t q)
{
    double maxdiag = 0.0;
    for (size_t i = 0; i < q; i++) {
        if (!isfinite(m[i * q + i]))
            return false;
        maxdiag = fmax(maxdiag, m[i * q + i]);
    }
    gsl_matrix_view v = gsl_matrix_view_array(m, q, q);
    if (maxdiag <= 0.0 || gsl_linalg_cholesky_decomp1(&v.matrix) != 0)
        return false;
    for (size_t i = 0; i < q; i++) {
        double l = m[i * q + i];
        if (!(l * l >= TOLER_CHOL * maxdiag))
            return false;
    }
    return true;
}

/* x = M⁻¹ b from a Cholesky factor; b and x may be the same. */
static void chol_solve(double *m, size_t q, const double *b, double *x)
{
    gsl_matrix_view v = gsl_matrix_view_array(m, q, q);
    gsl_vector_const_view bv = gsl_vector_const_view_array(b, q);
    double tmp[Q2];
    gsl_vector_view xv = gsl_vector_view_array(tmp, q);
    gsl_linalg_cholesky_solve(&v.matrix, &bv.vector, &xv.vector);
    memcpy(x, tmp, q * sizeof *x);
}

/* The quadratic form b' M⁻¹ b, NAN when M is singular. M is overwritten. */
static double quad_form(double *m, size_t q, const double *b)
{
    double x[Q2], s = 0.0;
    if (!cholesky(m, q))
        return NAN;
    chol_solve(m, q, b, x);
    for (size_t i = 0; i < q; i++)
        s += x[i] * b[i];
    return s;
}

typedef struct nr {
    double beta[COX_MAXP]; /* scaled */
    double var[COX_MAXP * COX_MAXP]; /* inverse information, scaled */
    double u[COX_MAXP];
    double loglik[2], sctest;
    int iter;
    const char *note;
} nr;

/* Newton–Raphson as coxfit6: start at 0, step halving when the likelihood
 * falls or a value is not finite, done when |1 − best/new| <= 1e-9. */
static void newton(const cdata *d, nr *r)
{
    size_t p = d->p;
    double beta[COX_MAXP] = {0}, newbeta[COX_MAXP], step[COX_MAXP];
    double *imat = r->var, *u = r->u;
    r->note = NULL;
    r->iter = 0;
    r->loglik[0] = r->loglik[1] = pass(d, beta, NULL, u, imat);
    if (!cholesky(imat, p)) {
        r->note = "the covariates are collinear: the information matrix is singular";
        return;
    }
    chol_solve(imat, p, u, step);
    r->sctest = 0.0;
    for (size_t j = 0; j < p; j++) {
        r->sctest += u[j] * step[j];
        newbeta[j] = beta[j] + step[j];
    }
    double best = r->loglik[0];
    int halving = 0;
    for (r->iter = 1; r->iter <= ITER_MAX; r->iter++) {
        double newlk = pass(d, newbeta, NULL, u, imat);
        bool finite = isfinite(newlk);
        for (size_t j = 0; j < p * p; j++)
            finite = finite && isfinite(imat[j]);
        for (size_t j = 0; j < p; j++)
            finite = finite && isfinite(u[j]);
        bool chol_ok = finite && cholesky(imat, p);
        if (finite && fabs(1.0 - best / newlk) <= EPS) {
            if (!chol_ok) {
                r->note = "the covariates are collinear: the information matrix is singular";
                return;
            }
            gsl_matrix_view v = gsl_matrix_view_array(imat, p, p);
            gsl_linalg_cholesky_invert(&v.matrix);
            r->loglik[1] = newlk;
            memcpy(r->beta, newbeta, p * sizeof *newbeta);
            return;
        }
        if (!finite || newlk < best) {
            halving++;
            for (size_t j = 0; j < p; j++)
                newbeta[j] = (newbeta[j] + halving * beta[j]) / (halving + 1.0);
            continue;
        }
        if (!chol_ok) {
            r->note = "the covariates are collinear: the information matrix is singular";
            return;
        }
        halving = 0;
        best = newlk;
        chol_solve(imat, p, u, step);
        for (size_t j = 0; j < p; j++) {
            beta[j] = newbeta[j];
            newbeta[j] += step[j];
        }
    }
    r->iter = ITER_MAX;
    r->note = "the model did not converge in 20 iterations";
}

/* Score residuals (coxscore2.c, Efron) at beta, in the sorted order, into
 * res (n × p, row-major). */
static void score_resid(const cdata *d, const double *beta, double *res)
{
    size_t n = d->n, p = d->p;
    double a[COX_MAXP] = {0}, a2[COX_MAXP], xhaz[COX_MAXP] = {0};
    double denom = 0.0, cumhaz = 0.0;
    double *score = malloc(n * sizeof *score);
    if (!score)
        return;
    for (size_t i = 0; i < n; i++) {
        double eta = 0.0;
        for (size_t j = 0; j < p; j++)
            eta += beta[j] * d->x[j][i];
        score[i] = exp(eta);
    }
    for (size_t end = n; end > 0;) {
        double t = d->time[end - 1], deaths = 0.0, e_denom = 0.0;
        memset(a2, 0, sizeof a2);
        size_t i = end;
        for (; i > 0 && d->time[i - 1] == t; i--) {
            size_t k = i - 1;
            denom += score[k];
            for (size_t j = 0; j < p; j++) {
                res[k * p + j] = score[k] * (d->x[j][k] * cumhaz - xhaz[j]);
                a[j] += score[k] * d->x[j][k];
            }
            if (d->status[k]) {
                deaths += 1.0;
                e_denom += score[k];
                for (size_t j = 0; j < p; j++)
                    a2[j] += score[k] * d->x[j][k];
            }
        }
        /* rows i .. i + deaths − 1 are this time's deaths (sorted first) */
        size_t nd = (size_t)deaths;
        if (nd == 1) {
            double hazard = 1.0 / denom;
            cumhaz += hazard;
            for (size_t j = 0; j < p; j++) {
                double xbar = a[j] / denom;
                xhaz[j] += xbar * hazard;
                res[i * p + j] += d->x[j][i] - xbar;
            }
        } else if (nd > 1) {
            for (size_t dd = 0; dd < nd; dd++) {
                /* d deaths: d hazard pieces of 1/temp (the mean case weight is 1),
                 * each death at risk for the fraction 1 − dd/d of piece dd */
                double downwt = (double)dd / deaths, temp = denom - downwt * e_denom;
                double hazard = 1.0 / temp;
                cumhaz += hazard;
                for (size_t j = 0; j < p; j++) {
                    double xbar = (a[j] - downwt * a2[j]) / temp;
                    xhaz[j] += xbar * hazard;
                    for (size_t k = i; k < i + nd; k++) {
                        double t2 = d->x[j][k] - xbar;
                        res[k * p + j] += t2 / deaths + t2 * score[k] * hazard * downwt;
                    }
                }
            }
        }
        end = i;
    }
    for (size_t k = 0; k < n; k++)
        for (size_t j = 0; j < p; j++)
            res[k * p + j] += score[k] * (xhaz[j] - d->x[j][k] * cumhaz);
    free(score);
}

/* The robust variance D'D (scaled), D the dfbeta residuals (score
 * residuals times the inverse information) summed within clusters. */
static int robust_var(const cdata *d, const nr *r, size_t ncluster, double *vr)
{
    size_t n = d->n, p = d->p;
    double *res = calloc(n * p, sizeof *res), *dsum = calloc(ncluster * p, sizeof *dsum);
    if (!res || !dsum) {
        free(res);
        free(dsum);
        return -1;
    }
    score_resid(d, r->beta, res);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++) {
            double s = 0.0;
            for (size_t k = 0; k < p; k++)
                s += res[i * p + k] * r->var[k * p + j];
            dsum[d->cluster[i] * p + j] += s;
        }
    memset(vr, 0, p * p * sizeof *vr);
    for (size_t c = 0; c < ncluster; c++)
        for (size_t j = 0; j < p; j++)
            for (size_t k = 0; k < p; k++)
                vr[j * p + k] += dsum[c * p + j] * dsum[c * p + k];
    free(res);
    free(dsum);
    return 0;
}

/* cox.zph(fit, transform = "km"): g(t) = 1 − S(t−) of the Kaplan–Meier
 * over all rows, centred on its mean over the events; one score test per
 * column (df 1) and the global one (df p). NULL when undefined. */
static cox_test *zph(const cdata *d, const nr *r, genu_arena *a)
{
    size_t n = d->n, p = d->p, q = 2 * p;
    double *gt = malloc(n * sizeof *gt);
    cox_test *out = genu_arena_calloc(a, p + 1, sizeof *out);
    if (!gt || !out) {
        free(gt);
        return NULL;
    }
    double s = 1.0, gsum = 0.0, ev = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double dd = 0.0;
        for (; j < n && d->time[j] == d->time[i]; j++)
            dd += d->status[j];
        for (size_t k = i; k < j; k++)
            gt[k] = 1.0 - s;
        gsum += dd * (1.0 - s);
        ev += dd;
        s *= ((double)(n - i) - dd) / (double)(n - i);
        i = j;
    }
    for (size_t i = 0; i < n; i++)
        gt[i] -= gsum / ev;
    double u[Q2], imat[Q2 * Q2], m[Q2 * Q2], b[Q2];
    pass(d, r->beta, gt, u, imat);
    free(gt);
    bool ok = true;
    for (size_t t = 0; t <= p; t++) {
        /* a term: rows and columns 0..p−1 and p + t; global: all 2p */
        size_t idx[Q2], k = 0;
        for (size_t j = 0; j < p; j++)
            idx[k++] = j;
        if (t < p)
            idx[k++] = p + t;
        else
            for (size_t j = 0; j < p; j++)
                idx[k++] = p + j;
        for (size_t i = 0; i < k; i++) {
            b[i] = idx[i] < p ? 0.0 : u[idx[i]];
            for (size_t j = 0; j < k; j++)
                m[i * k + j] = imat[idx[i] * q + idx[j]];
        }
        out[t].chisq = quad_form(m, k, b);
        out[t].df = t < p ? 1 : (int)p;
        out[t].p = gsl_cdf_chisq_Q(out[t].chisq, out[t].df);
        ok = ok && isfinite(out[t].chisq);
    }
    return ok ? out : NULL;
}

static void not_fitted(cox_model *out, const char *note)
{
    out->converged = false;
    out->note = note;
    out->loglik[1] = NAN;
    out->terms = NULL;
    out->ph = NULL;
}

/* R's check for a coefficient going to infinity (coxph.fit): the last
 * Newton step u·V larger than eps and than toler.inf × |coef|. */
static const char *infinite(const cdata *d, const nr *r, const cox_input *in, genu_arena *a)
{
    size_t p = d->p;
    for (size_t j = 0; j < p; j++) {
        double s = 0.0;
        for (size_t k = 0; k < p; k++)
            s += r->u[k] * r->var[k * p + j];
        double step = fabs(s * d->scale[j]), coef = fabs(r->beta[j] * d->scale[j]);
        if (!isfinite(r->u[j]) || (step > EPS && step > TOLER_INF * coef))
            return genu_arena_printf(a,
                                     "the coefficient of %s may be infinite: the likelihood "
                                     "has no maximum (all events on one side)",
                                     in->name ? in->name[j] : "a covariate");
    }
    return NULL;
}

static int fill_terms(const cdata *d, const nr *r, const double *vr, genu_arena *a,
                      cox_model *out)
{
    size_t p = d->p;
    out->terms = genu_arena_calloc(a, p, sizeof *out->terms);
    if (!out->terms)
        return -1;
    for (size_t j = 0; j < p; j++) {
        cox_term *t = &out->terms[j];
        double sc = d->scale[j];
        t->coef = r->beta[j] * sc;
        t->hazard_ratio = exp(t->coef);
        t->std_err = sqrt(vr[j * p + j]) * sc;
        t->std_err_model = sqrt(r->var[j * p + j]) * sc;
        t->lower = exp(t->coef - STATS_Z95 * t->std_err);
        t->upper = exp(t->coef + STATS_Z95 * t->std_err);
        t->p = 2.0 * gsl_cdf_ugaussian_Q(fabs(t->coef / t->std_err));
    }
    return 0;
}

int cox_fit(const cox_input *in, genu_arena *a, cox_model *out, genu_err *err)
{
    if (in->n == 0 || in->p == 0 || in->p > COX_MAXP)
        return GENU_FAIL(err, GENU_EINVAL, "cox: %zu rows of %zu covariates (1 to %d covariates)",
                         in->n, in->p, COX_MAXP);
    memset(out, 0, sizeof *out);
    out->n = in->n;
    for (size_t i = 0; i < in->n; i++)
        out->events += in->status[i] != 0;
    out->loglik[0] = out->loglik[1] = NAN;
    out->score_test = NAN;
    if (out->events == 0) {
        not_fitted(out, "no events: the model cannot be fitted");
        return GENU_OK;
    }
    for (size_t j = 0; j < in->p; j++) {
        bool constant = true;
        for (size_t i = 1; i < in->n && constant; i++)
            constant = in->x[i * in->p + j] == in->x[j];
        if (constant) {
            not_fitted(out, genu_arena_printf(a, "%s has the same value for every knee",
                                              in->name ? in->name[j] : "a covariate"));
            return out->note ? GENU_OK : GENU_FAIL(err, GENU_ENOMEM, "cox: out of memory");
        }
    }
    cdata d;
    nr r;
    double vr[COX_MAXP * COX_MAXP];
    size_t ncluster = in->cluster ? in->ncluster : in->n;
    if (prepare(in, a, &d))
        return GENU_FAIL(err, GENU_ENOMEM, "cox: out of memory");
    newton(&d, &r);
    out->iter = r.iter;
    out->loglik[0] = r.loglik[0];
    out->score_test = r.note ? NAN : r.sctest;
    const char *note = r.note ? r.note : infinite(&d, &r, in, a);
    if (note) {
        not_fitted(out, note);
        return GENU_OK;
    }
    if (robust_var(&d, &r, ncluster, vr) || fill_terms(&d, &r, vr, a, out))
        return GENU_FAIL(err, GENU_ENOMEM, "cox: out of memory");
    out->converged = true;
    out->loglik[1] = r.loglik[1];
    out->ph = zph(&d, &r, a);
    return GENU_OK;
}
