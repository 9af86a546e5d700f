/* cuminc: competing risks (docs/analysis.md, "Competing risks"): the
 * Aalen–Johansen cumulative incidence of the event with the standard error
 * R's survfit(Surv(time, state) ~ 1, id = knee) reports for it (the
 * infinitesimal jackknife), and Gray's test across groups as
 * cmprsk::cuminc(time, status, group)$Tests gives it (rho = 0).
 *
 * Needs GSL's error handler off (as analysis/cox.h). Pure; results in the
 * arena. */
#ifndef GENU_ANALYSIS_CUMINC_H
#define GENU_ANALYSIS_CUMINC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

/* A knee's state at its time. */
enum { CUMINC_CENSOR = 0, CUMINC_EVENT = 1, CUMINC_COMPETING = 2 };

/* One row per distinct time (censor-only times and time 0 included), as
 * survfit's multi-state rows. */
typedef struct cuminc_row {
    double time;
    size_t n_risk;      /* in the initial state just before time */
    size_t n_event, n_competing, n_censor;
    double cuminc;      /* the event state's probability (pstate) */
    double std_err;     /* its std.err */
} cuminc_row;

typedef struct cuminc_curve {
    size_t n, events, competing;
    size_t nrow;
    cuminc_row *rows; /* in the arena */
} cuminc_curve;

/* The curve of n (time, state) pairs; times finite, states CUMINC_*.
 * GENU_EINVAL for another state; GENU_ENOMEM. */
int cuminc_aj(const double *time, const int *state, size_t n, genu_arena *a, cuminc_curve *out,
              genu_err *err);

typedef struct cuminc_gray {
    bool defined; /* false with fewer than two groups or a singular variance */
    double statistic;
    int df; /* groups − 1 */
    double p;
} cuminc_gray;

/* Gray's test of the event's cumulative incidence across groups
 * 0..ngroup−1 (each non-empty), the competing state as the other cause.
 * GENU_EINVAL for more than 64 groups; GENU_ENOMEM. */
int cuminc_gray_test(const double *time, const int *state, const size_t *group, size_t n,
                     size_t ngroup, genu_arena *a, cuminc_gray *out, genu_err *err);

#endif
