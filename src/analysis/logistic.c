/* logistic: glm(family = binomial) by IRLS as R's glm.fit does it, and
 * the cluster-robust covariance of sandwich::vcovCL (docs/analysis.md,
 * "Adjusted comparisons").
 *
 * The steps follow glm.fit (R's src/library/stats/R/glm.R) for the logit
 * link with unit prior weights: binomial()$initialize's mustart
 * (y + 0.5) / 2, then per iteration the working response
 * z = eta + (y − mu) / mu.eta(eta) and weights w = mu.eta² / (mu (1 − mu)),
 * a weighted least-squares solve (QR with column pivoting, as R's Cdqrls),
 * and the stopping rule |dev − devold| / (|dev| + 0.1) < 1e-8 within 25
 * iterations. The link functions clamp as R's C code does (logit_linkinv,
 * logit_mu_eta: ±30 on the linear predictor). Like glm.fit, the covariance
 * and the working weights come from the last iteration's weights, the
 * working residuals from the final fit; this is what vcov() and
 * sandwich's estfun() and bread() read. */
#include "analysis/logistic.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_vector.h>

#include "analysis/stats.h"

#define THRESH 30.0
#define MTHRESH -30.0
#define INVEPS (1.0 / DBL_EPSILON)
/* A pivoted column whose R diagonal is below this fraction of the first
 * one is taken as aliased (R's Cdqrls uses min(1e-7, epsilon / 1000)
 * relative to the column's norm). */
#define RANK_TOL 1e-10

static double linkinv(double eta)
{
    double t = eta < MTHRESH ? DBL_EPSILON : eta > THRESH ? INVEPS : exp(eta);
    return t / (1.0 + t);
}

static double mu_eta(double eta)
{
    double opexp = 1.0 + exp(eta);
    return eta > THRESH || eta < MTHRESH ? DBL_EPSILON : exp(eta) / (opexp * opexp);
}

static double ylogy(double y, double mu)
{
    return y != 0.0 ? y * log(y / mu) : 0.0;
}

static double deviance(const double *y, const double *mu, size_t n)
{
    double d = 0.0;
    for (size_t i = 0; i < n; i++)
        d += 2.0 * (ylogy(y[i], mu[i]) + ylogy(1.0 - y[i], 1.0 - mu[i]));
    return d;
}

/* Working memory of one fit (malloc'd; freed by work_free). */
typedef struct work {
    gsl_matrix *a;       /* n × p: x scaled by w, then its QR */
    gsl_vector *b, *tau, *norm, *beta, *resid, *eta, *mu, *w;
    gsl_permutation *perm;
    gsl_matrix *cov, *meat, *tmp;
} work;

static void work_free(work *k)
{
    gsl_matrix_free(k->a);
    gsl_vector_free(k->b);
    gsl_vector_free(k->tau);
    gsl_vector_free(k->norm);
    gsl_vector_free(k->beta);
    gsl_vector_free(k->resid);
    gsl_vector_free(k->eta);
    gsl_vector_free(k->mu);
    gsl_vector_free(k->w);
    gsl_permutation_free(k->perm);
    gsl_matrix_free(k->cov);
    gsl_matrix_free(k->meat);
    gsl_matrix_free(k->tmp);
}

static bool work_alloc(work *k, size_t n, size_t p)
{
    memset(k, 0, sizeof *k);
    k->a = gsl_matrix_alloc(n, p);
    k->b = gsl_vector_alloc(n);
    k->tau = gsl_vector_alloc(p);
    k->norm = gsl_vector_alloc(p);
    k->beta = gsl_vector_alloc(p);
    k->resid = gsl_vector_alloc(n);
    k->eta = gsl_vector_alloc(n);
    k->mu = gsl_vector_alloc(n);
    k->w = gsl_vector_alloc(n);
    k->perm = gsl_permutation_alloc(p);
    k->cov = gsl_matrix_alloc(p, p);
    k->meat = gsl_matrix_calloc(p, p);
    k->tmp = gsl_matrix_alloc(p, p);
    return k->a && k->b && k->tau && k->norm && k->beta && k->resid && k->eta && k->mu && k->w &&
           k->perm && k->cov && k->meat && k->tmp;
}

/* One IRLS step from eta/mu: solves for beta. False when the design is
 * rank deficient. */
static bool irls_step(const gsl_matrix *x, const double *y, work *k)
{
    size_t n = x->size1, p = x->size2;
    for (size_t i = 0; i < n; i++) {
        double eta = gsl_vector_get(k->eta, i), mu = gsl_vector_get(k->mu, i);
        double me = mu_eta(eta);
        double z = eta + (y[i] - mu) / me;
        double w = sqrt(me * me / (mu * (1.0 - mu)));
        gsl_vector_set(k->w, i, w);
        gsl_vector_set(k->b, i, z * w);
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(k->a, i, j, gsl_matrix_get(x, i, j) * w);
    }
    int signum;
    if (gsl_linalg_QRPT_decomp(k->a, k->tau, k->perm, &signum, k->norm))
        return false;
    double r0 = fabs(gsl_matrix_get(k->a, 0, 0));
    for (size_t j = 0; j < p; j++)
        if (!(fabs(gsl_matrix_get(k->a, j, j)) > RANK_TOL * r0))
            return false;
    return gsl_linalg_QRPT_lssolve(k->a, k->tau, k->perm, k->b, k->beta, k->resid) == GSL_SUCCESS;
}

/* eta = x beta, mu = linkinv(eta). */
static void predict(const gsl_matrix *x, work *k)
{
    gsl_blas_dgemv(CblasNoTrans, 1.0, x, k->beta, 0.0, k->eta);
    for (size_t i = 0; i < x->size1; i++)
        gsl_vector_set(k->mu, i, linkinv(gsl_vector_get(k->eta, i)));
}

typedef struct clrow {
    size_t cluster, row;
} clrow;

static int cmp_clrow(const void *x, const void *y)
{
    const clrow *a = x, *b = y;
    if (a->cluster != b->cluster)
        return a->cluster < b->cluster ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* meat = Σ_g U_g U_gᵀ with U_g the sum over cluster g's rows of
 * estfun = working residual × working weight × x_i; returns G. */
static size_t cluster_meat(const gsl_matrix *x, const double *y, const clrow *order, work *k,
                           double *u)
{
    size_t n = x->size1, p = x->size2, g = 0;
    gsl_matrix_set_zero(k->meat);
    for (size_t s = 0; s < n;) {
        size_t e = s;
        memset(u, 0, p * sizeof *u);
        while (e < n && order[e].cluster == order[s].cluster) {
            size_t i = order[e].row;
            double eta = gsl_vector_get(k->eta, i), mu = gsl_vector_get(k->mu, i);
            double w = gsl_vector_get(k->w, i);
            double ef = (y[i] - mu) / mu_eta(eta) * w * w;
            for (size_t j = 0; j < p; j++)
                u[j] += ef * gsl_matrix_get(x, i, j);
            e++;
        }
        for (size_t j = 0; j < p; j++)
            for (size_t l = 0; l < p; l++)
                gsl_matrix_set(k->meat, j, l, gsl_matrix_get(k->meat, j, l) + u[j] * u[l]);
        g++;
        s = e;
    }
    return g;
}

static int finish(const gsl_matrix *x, const double *y, const size_t *cluster, work *k,
                  genu_arena *a, logistic_fit *f, genu_err *err)
{
    size_t n = x->size1, p = x->size2;
    /* (X'WX)⁻¹ with the last iteration's weights, by Cholesky */
    for (size_t i = 0; i < n; i++) {
        double w = gsl_vector_get(k->w, i);
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(k->a, i, j, gsl_matrix_get(x, i, j) * w);
    }
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, k->a, 0.0, k->cov);
    for (size_t j = 0; j < p; j++)
        for (size_t l = j + 1; l < p; l++)
            gsl_matrix_set(k->cov, j, l, gsl_matrix_get(k->cov, l, j));
    if (gsl_linalg_cholesky_decomp1(k->cov) || gsl_linalg_cholesky_invert(k->cov)) {
        f->note = "the design is singular: a term is constant or a combination of others";
        return GENU_OK;
    }
    clrow *order = malloc(n * sizeof *order);
    double *u = malloc(p * sizeof *u);
    if (!order || !u) {
        free(order);
        free(u);
        return GENU_FAIL(err, GENU_ENOMEM, "logistic: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (clrow){cluster[i], i};
    qsort(order, n, sizeof *order, cmp_clrow);
    size_t g = cluster_meat(x, y, order, k, u);
    free(order);
    free(u);
    f->clusters = g;
    if (g < 2) {
        f->note = "fewer than two patients: no cluster-robust covariance";
        return GENU_OK;
    }
    /* V = G/(G − 1) · C M C: vcovCL's sandwich 1/n · bread · meat · bread
     * with bread = n C and meat = G/(G − 1) M / n */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, k->cov, k->meat, 0.0, k->tmp);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, (double)g / (double)(g - 1), k->tmp, k->cov, 0.0,
                   k->meat);
    f->coef = genu_arena_alloc(a, p * sizeof(double));
    f->se_model = genu_arena_alloc(a, p * sizeof(double));
    f->se_robust = genu_arena_alloc(a, p * sizeof(double));
    f->vcov_model = genu_arena_alloc(a, p * p * sizeof(double));
    f->vcov_robust = genu_arena_alloc(a, p * p * sizeof(double));
    if (!f->coef || !f->se_model || !f->se_robust || !f->vcov_model || !f->vcov_robust)
        return GENU_FAIL(err, GENU_ENOMEM, "logistic: out of memory");
    for (size_t j = 0; j < p; j++) {
        f->coef[j] = gsl_vector_get(k->beta, j);
        for (size_t l = 0; l < p; l++) {
            f->vcov_model[j * p + l] = gsl_matrix_get(k->cov, j, l);
            f->vcov_robust[j * p + l] = gsl_matrix_get(k->meat, j, l);
        }
        f->se_model[j] = sqrt(f->vcov_model[j * p + j]);
        f->se_robust[j] = sqrt(f->vcov_robust[j * p + j]);
    }
    f->converged = true;
    f->note = NULL;
    return GENU_OK;
}

/* The IRLS loop from binomial()'s start, then the checks and finish(). */
static int iterate(const gsl_matrix *x, const double *y, const size_t *cluster, work *k,
                   genu_arena *a, logistic_fit *f, genu_err *err)
{
    size_t n = x->size1, p = x->size2;
    double ybar = 0.0;
    for (size_t i = 0; i < n; i++) {
        double mu = (y[i] + 0.5) / 2.0; /* binomial()$initialize, unit weights */
        gsl_vector_set(k->mu, i, mu);
        gsl_vector_set(k->eta, i, log(mu / (1.0 - mu)));
        ybar += y[i];
    }
    ybar /= (double)n;
    double devold = deviance(y, k->mu->data, n), dev = devold;
    bool conv = false;
    for (f->iter = 1; f->iter <= LOGISTIC_MAXIT; f->iter++) {
        if (!irls_step(x, y, k)) {
            f->note = "the design is rank deficient: a term is constant or a combination of "
                      "others";
            return GENU_OK;
        }
        for (size_t j = 0; j < p; j++)
            if (!isfinite(gsl_vector_get(k->beta, j))) {
                f->note = "the fit diverged (non-finite coefficients)";
                return GENU_OK;
            }
        predict(x, k);
        dev = deviance(y, k->mu->data, n);
        if (fabs(dev - devold) / (fabs(dev) + 0.1) < LOGISTIC_EPSILON) {
            conv = true;
            break;
        }
        devold = dev;
    }
    f->deviance = dev;
    f->null_deviance = 0.0;
    for (size_t i = 0; i < n; i++)
        f->null_deviance += 2.0 * (ylogy(y[i], ybar) + ylogy(1.0 - y[i], 1.0 - ybar));
    double eta_max = 0.0;
    for (size_t i = 0; i < n; i++)
        eta_max = fmax(eta_max, fabs(gsl_vector_get(k->eta, i)));
    if (eta_max > LOGISTIC_ETA_MAX) {
        f->note = "fitted probabilities numerically 0 or 1: the outcome is (nearly) perfectly "
                  "separated by the terms, so the odds ratios are not estimable";
        return GENU_OK;
    }
    if (!conv) {
        f->note = "the fit did not converge in 25 iterations";
        f->iter = LOGISTIC_MAXIT;
        return GENU_OK;
    }
    return finish(x, y, cluster, k, a, f, err);
}

int logistic_fit_glm(const gsl_matrix *x, const double *y, const size_t *cluster, genu_arena *a,
                     logistic_fit *out, genu_err *err)
{
    size_t n = x->size1, p = x->size2;
    logistic_fit f;
    memset(&f, 0, sizeof f);
    f.n = n;
    f.p = p;
    f.deviance = f.null_deviance = NAN;
    for (size_t i = 0; i < n; i++)
        if (y[i] != 0.0 && y[i] != 1.0)
            return GENU_FAIL(err, GENU_EINVAL, "logistic: response %zu is %g, not 0 or 1", i + 1,
                             y[i]);
    if (n <= p || p == 0) {
        f.note = "too few knees for the number of terms";
        *out = f;
        return GENU_OK;
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    work k;
    int rc = work_alloc(&k, n, p) ? iterate(x, y, cluster, &k, a, &f, err)
                                  : GENU_FAIL(err, GENU_ENOMEM, "logistic: out of memory");
    work_free(&k);
    gsl_set_error_handler(old);
    if (rc == GENU_OK)
        *out = f;
    return rc;
}

void logistic_wald(const logistic_fit *f, size_t j, double *lo, double *hi, double *p)
{
    if (!f->converged || j >= f->p) {
        *lo = *hi = *p = NAN;
        return;
    }
    double b = f->coef[j], se = f->se_robust[j];
    *lo = b - STATS_Z95 * se;
    *hi = b + STATS_Z95 * se;
    *p = 2.0 * gsl_cdf_ugaussian_Q(fabs(b / se));
}

static double expit(double eta)
{
    return 1.0 / (1.0 + exp(-eta));
}

/* gᵀ V g for V p × p row-major. */
static double quad(const double *g, const double *v, size_t p)
{
    double s = 0.0;
    for (size_t j = 0; j < p; j++)
        for (size_t l = 0; l < p; l++)
            s += g[j] * v[j * p + l] * g[l];
    return s;
}

int logistic_standardise(const gsl_matrix *x, const logistic_fit *f, size_t col,
                         logistic_std *out, genu_err *err)
{
    logistic_std s;
    s.risk1 = s.risk0 = s.difference = s.difference_lo = s.difference_hi = NAN;
    s.ratio = s.ratio_lo = s.ratio_hi = NAN;
    size_t n = x->size1, p = x->size2;
    if (!f->converged || col >= p || n == 0) {
        *out = s;
        return GENU_OK;
    }
    double *g1 = calloc(3 * p, sizeof *g1);
    if (!g1)
        return GENU_FAIL(err, GENU_ENOMEM, "logistic: out of memory");
    double *g0 = g1 + p, *g = g0 + p;
    double r1 = 0.0, r0 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double base = 0.0; /* the linear predictor without column col */
        for (size_t j = 0; j < p; j++)
            if (j != col)
                base += gsl_matrix_get(x, i, j) * f->coef[j];
        double p1 = expit(base + f->coef[col]), p0 = expit(base);
        r1 += p1;
        r0 += p0;
        for (size_t j = 0; j < p; j++) {
            double xj = gsl_matrix_get(x, i, j);
            g1[j] += p1 * (1.0 - p1) * (j == col ? 1.0 : xj);
            g0[j] += p0 * (1.0 - p0) * (j == col ? 0.0 : xj);
        }
    }
    double dn = (double)n;
    r1 /= dn;
    r0 /= dn;
    for (size_t j = 0; j < p; j++) {
        g1[j] /= dn;
        g0[j] /= dn;
    }
    s.risk1 = r1;
    s.risk0 = r0;
    s.difference = r1 - r0;
    for (size_t j = 0; j < p; j++)
        g[j] = g1[j] - g0[j];
    double se = sqrt(quad(g, f->vcov_robust, p));
    s.difference_lo = s.difference - STATS_Z95 * se;
    s.difference_hi = s.difference + STATS_Z95 * se;
    s.ratio = r1 / r0;
    for (size_t j = 0; j < p; j++)
        g[j] = g1[j] / r1 - g0[j] / r0; /* gradient of log(r1 / r0) */
    double sel = sqrt(quad(g, f->vcov_robust, p));
    s.ratio_lo = exp(log(s.ratio) - STATS_Z95 * sel);
    s.ratio_hi = exp(log(s.ratio) + STATS_Z95 * sel);
    free(g1);
    *out = s;
    return GENU_OK;
}
