/* cox: the proportional-hazards model as R's survival package fits it
 * (docs/analysis.md, "Cox model"): coxph(Surv(time, status) ~ x, ties =
 * "efron", cluster = patient) — Newton–Raphson from 0 with step halving and
 * coxph.control()'s rules — with the model-based and the cluster-robust
 * variance, and the proportional-hazards test of cox.zph(fit) (transform
 * "km", one term per column). Linear algebra through GSL's Cholesky.
 *
 * Needs GSL's error handler off (gsl_set_error_handler_off(), which
 * cli/main.c calls at start): a singular information matrix is a result
 * here, never an abort. Pure otherwise; results in the arena. */
#ifndef GENU_ANALYSIS_COX_H
#define GENU_ANALYSIS_COX_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

#define COX_MAXP 16 /* covariates in one model */

typedef struct cox_input {
    size_t n, p;
    const double *x;         /* n rows of p covariates, row-major, finite */
    const double *time;      /* n finite times */
    const int *status;       /* n: 1 event, 0 censored */
    const size_t *cluster;   /* n cluster numbers < ncluster (the patient); NULL: one per row */
    size_t ncluster;
    const char *const *name; /* p covariate names, for notes */
} cox_input;

typedef struct cox_term {
    double coef;          /* log hazard ratio */
    double hazard_ratio;  /* exp(coef) */
    double std_err;       /* robust: sqrt of D'D, D the dfbeta residuals summed by cluster */
    double std_err_model; /* sqrt of the inverse information */
    double lower, upper;  /* 95% interval of the hazard ratio from the robust std_err */
    double p;             /* robust Wald test, two-sided */
} cox_term;

typedef struct cox_test {
    double chisq;
    int df;
    double p;
} cox_test;

typedef struct cox_model {
    bool converged;      /* false: note says why; coefficients, loglik[1] and ph are NAN/NULL */
    const char *note;    /* NULL when converged; static or in the arena */
    size_t n, events;
    int iter;            /* Newton iterations used */
    double loglik[2];    /* partial log-likelihood at 0 and at the estimate (Efron) */
    double score_test;   /* the score test at 0 (summary.coxph's "Score (logrank) test") */
    cox_term *terms;     /* p, in the order of the columns; NULL when not converged */
    cox_test *ph;        /* cox.zph: p terms then the global test; NULL when undefined */
} cox_model;

/* Fits the model. A model that cannot be fitted (no events, a constant or
 * collinear covariate, no convergence in 20 iterations, a coefficient that
 * goes to infinity) is GENU_OK with converged false and a note.
 * GENU_EINVAL for n = 0, p = 0 or p > COX_MAXP; GENU_ENOMEM. */
int cox_fit(const cox_input *in, genu_arena *a, cox_model *out, genu_err *err);

#endif
