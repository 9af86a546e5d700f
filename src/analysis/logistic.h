/* logistic: logistic regression fitted as R's glm(family = binomial) —
 * the same start, IRLS steps and convergence rule — with the model-based
 * covariance, the cluster-robust covariance of
 * sandwich::vcovCL(fit, cluster = ~cluster, type = "HC0") (its default
 * G/(G − 1) adjustment included), and the standardised risks of one binary
 * term with delta-method intervals (docs/analysis.md, "Adjusted
 * comparisons"). Linear algebra from GSL. Pure; results in the arena
 * given; thread-safe. */
#ifndef GENU_ANALYSIS_LOGISTIC_H
#define GENU_ANALYSIS_LOGISTIC_H

#include <stdbool.h>
#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "core/arena.h"
#include "core/err.h"

/* glm.control()'s defaults. */
#define LOGISTIC_EPSILON 1e-8
#define LOGISTIC_MAXIT 25
/* A fitted linear predictor beyond ±LOGISTIC_ETA_MAX (a probability below
 * 3.1e-7 or above 1 − 3.1e-7) is taken as separation. */
#define LOGISTIC_ETA_MAX 15.0

typedef struct logistic_fit {
    bool converged;   /* false: the numbers below are not to be reported */
    const char *note; /* why not converged (static text), NULL when converged */
    size_t n, p;      /* observations, coefficients */
    size_t clusters;  /* distinct cluster ids */
    int iter;         /* IRLS iterations run */
    double deviance, null_deviance;
    /* p each, in the arena; filled only when converged */
    double *coef;
    double *se_model;  /* sqrt(diag(vcov_model)) */
    double *se_robust; /* sqrt(diag(vcov_robust)) */
    double *vcov_model;  /* p × p row-major: (X'WX)⁻¹, R's vcov(fit) */
    double *vcov_robust; /* p × p row-major: vcovCL(..., type = "HC0") */
} logistic_fit;

/* Fits y ~ x (x holds every column, an intercept included when wanted;
 * n = x->size1 rows, p = x->size2 columns) with y[i] 0 or 1 and cluster[i]
 * the cluster id of row i (any values; equal ids share a cluster).
 * Not converged (converged false, a note, no estimates): n ≤ p, fewer than
 * two clusters, a rank-deficient design, no convergence in LOGISTIC_MAXIT
 * iterations, a fitted linear predictor beyond ±LOGISTIC_ETA_MAX
 * (separation). GENU_ENOMEM; GENU_EINVAL for y outside {0, 1}. */
int logistic_fit_glm(const gsl_matrix *x, const double *y, const size_t *cluster, genu_arena *a,
                     logistic_fit *out, genu_err *err);

/* Wald statistics of coefficient j from the robust covariance: the 95%
 * interval coef ± z·se (z = qnorm(0.975)) and the two-sided normal p. */
void logistic_wald(const logistic_fit *f, size_t j, double *lo, double *hi, double *p);

/* Standardised risks for the binary column `col` of x (x and f as fitted):
 * r1 (r0) = the mean fitted probability over the rows with column col set
 * to 1 (0); difference r1 − r0 and ratio r1 / r0 with 95% delta-method
 * intervals from f->vcov_robust (the ratio's on the log scale). */
typedef struct logistic_std {
    double risk1, risk0;
    double difference, difference_lo, difference_hi;
    double ratio, ratio_lo, ratio_hi;
} logistic_std;

/* GENU_ENOMEM; f must be converged (else every field is NAN). */
int logistic_standardise(const gsl_matrix *x, const logistic_fit *f, size_t col,
                         logistic_std *out, genu_err *err);

#endif
