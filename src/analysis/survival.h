/* survival: durability (docs/design.md, Analyses): each knee's time to an
 * event or to censoring, Kaplan–Meier curves with Greenwood standard errors
 * and log intervals as R's survfit reports them by default, the median as
 * print.survfit gives it, and the log-rank test as survdiff computes it. */
#ifndef GENU_ANALYSIS_SURVIVAL_H
#define GENU_ANALYSIS_SURVIVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/cohort.h"
#include "analysis/responder.h"
#include "core/arena.h"
#include "core/err.h"

typedef enum {
    SURVIVAL_REPLACEMENT = 1, /* first partial or total replacement after index */
    SURVIVAL_SURGERY,         /* first surgery of any kind after index */
    SURVIVAL_LOSS             /* loss_of_response under a responder definition */
} survival_event;

/* "replacement", "surgery", "loss_of_response"; GENU_EINVAL "event: ...". */
int survival_event_parse(const char *s, survival_event *out, genu_err *err);
const char *survival_event_name(survival_event e);

/* Knee k's time in days from its index date and status (1 event, 0
 * censored at its last contact). d is required for SURVIVAL_LOSS. */
void survival_knee(const cohort *c, const cohort_knee *k, survival_event ev,
                   const responder_def *d, double *time, int *status);

/* Every knee's time and status (survival_knee) in two arrays of c->nknee
 * allocated from a. GENU_ENOMEM. */
int survival_times(const cohort *c, survival_event ev, const responder_def *d, genu_arena *a,
                   double **time, int **status, genu_err *err);

/* A curve of n (time, status) pairs into *curve: survival_km, cuminc_aj. */
typedef int survival_curve_fn(const double *time, const int *status, size_t n, genu_arena *a,
                              void *curve, genu_err *err);
/* Calls fn on the pairs (time[i], status[i]) of the knees with group[i] ==
 * g, for each g in 0..ngroup−1, with curve = (char *)curves + g · size. */
int survival_each_group(const double *time, const int *status, const size_t *group, size_t n,
                        size_t ngroup, survival_curve_fn *fn, void *curves, size_t size,
                        genu_arena *a, genu_err *err);

/* One observation of the time-to-event analyses (survival, cuminc): a time,
 * its status or state as the caller gave it, and its group (< 64). */
typedef struct survival_obs {
    double time;
    uint32_t status;
    uint32_t group;
} survival_obs;

/* The n observations (time[i], status[i], group[i], group 0 when group is
 * NULL) sorted by time, -0.0 made 0.0, the order of equal times unspecified;
 * malloc'd (the caller frees), NULL when memory runs out. */
survival_obs *survival_sort(const double *time, const int *status, const size_t *group, size_t n);
/* The same for a curve: with room in a for one row of size bytes per
 * distinct time (*rows); NULL when memory runs out. */
survival_obs *survival_sort_rows(const double *time, const int *status, size_t n, size_t size,
                                 genu_arena *a, void **rows);
/* The same for a test across ngroup groups, into *o: *o NULL when there
 * are fewer than two (nothing to test); GENU_EINVAL "WHAT over more than 64
 * groups"; GENU_ENOMEM. */
int survival_sort_groups(const double *time, const int *status, const size_t *group, size_t n,
                         size_t ngroup, const char *what, survival_obs **o, genu_err *err);

/* One row of summary(survfit(...), censored = TRUE). */
typedef struct survival_row {
    double time;
    size_t n_risk, n_event, n_censor;
    double surv;
    double std_err; /* Greenwood, on the cumulative-hazard scale; NAN where R has Inf */
    double lower, upper; /* exp(log S ∓ z·std_err), upper capped at 1; NAN when S = 0 */
} survival_row;

typedef struct survival_curve {
    size_t n, events;
    double median; /* print.survfit's median; NAN when S never reaches 0.5 */
    double median_lo, median_hi; /* its 0.95LCL and 0.95UCL; NAN where a curve never does */
    size_t nrow;
    survival_row *rows; /* in the arena; one per distinct time */
} survival_curve;

/* Kaplan–Meier over n (time, status) pairs; times must be finite. Rows in
 * the arena. GENU_ENOMEM when out of memory. */
int survival_km(const double *time, const int *status, size_t n, genu_arena *a,
                survival_curve *out, genu_err *err);

/* Median of a computed curve (print.survfit's rule: the first time S <= 0.5;
 * on an exact 0.5 plateau the midpoint to the next lower step). */
double survival_median(const survival_curve *c);
/* The median's 95% interval as print.survfit reports it (0.95LCL, 0.95UCL):
 * the same rule over the lower and the upper curve (rows where S = 0 have
 * no bounds and are passed over, as R's NA); NAN where that curve never
 * reaches 0.5. */
void survival_median_ci(const survival_curve *c, double *lo, double *hi);

/* Charts draw a curve only while at least this many knees are at risk
 * (docs/design.md, Analyses "Median survival"); the JSON keeps every row. */
#define SURVIVAL_CHART_MIN_AT_RISK 10

typedef struct survival_logrank {
    bool defined; /* false with fewer than two groups having expected events */
    double chisq;
    int df;
    double p;
} survival_logrank;

/* survdiff (rho = 0) over n observations in groups 0..ngroup−1. */
int survival_logrank_test(const double *time, const int *status, const size_t *group, size_t n,
                          size_t ngroup, genu_arena *a, survival_logrank *out, genu_err *err);

/* Durability of a cohort, as genu survival and the API answer it: one
 * Kaplan–Meier curve per stratum of `by` (one, "all", without) and the
 * log-rank test across them. d is required for SURVIVAL_LOSS. */
/* The Kaplan–Meier curve of each group 0..ngroup−1 of the n knees into
 * curves[0..ngroup) and the log-rank test between the groups into lr. */
int survival_by_group(const double *time, const int *status, const size_t *group, size_t n,
                      size_t ngroup, genu_arena *a, survival_curve *curves, survival_logrank *lr,
                      genu_err *err);

typedef struct survival_result {
    survival_event event;
    size_t nstrata;
    const char **names;     /* sorted */
    survival_curve *curves; /* per stratum */
    survival_logrank logrank;
} survival_result;
int survival_analyse(const cohort *c, survival_event ev, const responder_def *d, cohort_by by,
                     genu_arena *a, survival_result *out, genu_err *err);

/* A request's survival question is whole: loss_of_response has one
 * responder definition, the other events none. "responder: ..." when not. */
struct analysis_request;
int survival_request_check(const struct analysis_request *q, genu_err *err);
/* survival_analyse of what request q asks (event, responder, by). */
int survival_request(const cohort *c, const struct analysis_request *q, genu_arena *a,
                     survival_result *out, genu_err *err);

/* The keys of this analysis in a request (analysis/request.h). */
struct request_use;
extern const struct request_use survival_use;

#endif
