/* durability: the survival analyses of one cohort beyond Kaplan–Meier
 * (docs/analysis.md "Competing risks" and "Adjusted comparisons"):
 * the competing-risk time and state of each knee with
 * the cumulative incidence per stratum and Gray's test (`--competing
 * death`), and the Cox model over the survival population (`--cox`). The
 * command line and the API both answer from here. Results in the arena. */
#ifndef GENU_ANALYSIS_DURABILITY_H
#define GENU_ANALYSIS_DURABILITY_H

#include <stddef.h>

#include "analysis/cohort.h"
#include "analysis/covariates.h"
#include "analysis/cox.h"
#include "analysis/cuminc.h"
#include "analysis/responder.h"
#include "analysis/survival.h"
#include "core/arena.h"
#include "core/err.h"

/* "death": the only competing event; GENU_EINVAL "competing: …". */
int durability_competing_parse(const char *s, genu_err *err);

/* Knee k's time from index and state (CUMINC_*) for event ev (replacement
 * or surgery) with death as the competing event: the event when it comes
 * on or before the death date, else the death, else censored at the last
 * contact. */
void durability_competing_knee(const cohort *c, const cohort_knee *k, survival_event ev,
                               double *time, int *state);

typedef struct durability_competing {
    cohort_strata strata;
    cuminc_curve *curves; /* one per stratum */
    cuminc_gray gray;
} durability_competing;

/* The cumulative incidence of ev per stratum of `by` and Gray's test
 * across them. GENU_EINVAL for loss_of_response; GENU_ENOMEM. */
int durability_competing_run(const cohort *c, survival_event ev, cohort_by by, genu_arena *a,
                             durability_competing *out, genu_err *err);

typedef struct durability_cox {
    covariate_list covs;
    size_t excluded_missing; /* knees left out for a missing covariate */
    cox_model model;         /* over the knees with every covariate */
} durability_cox;

/* The Cox model of ev (time and status as survival_knee gives them; d for
 * loss_of_response) on the covariates covs, clustered by patient. A model
 * that cannot be fitted (no knee left, …) has converged false and a note.
 * GENU_EINVAL for an empty list; GENU_ENOMEM. */
int durability_cox_run(const cohort *c, survival_event ev, const responder_def *d,
                       const covariate_list *covs, genu_arena *a, durability_cox *out,
                       genu_err *err);

/* What a survival request asks (analysis/request.h): Kaplan–Meier per
 * stratum, cumulative incidence with death competing (competing=death), or
 * a Cox model (cox=COVS, into covs). Checks every rule between them; errors
 * name the key ("cox: not with by"). */
typedef enum { DURABILITY_KM, DURABILITY_COMPETING, DURABILITY_COX } durability_kind;
struct analysis_request;
int durability_request(const struct analysis_request *q, durability_kind *kind,
                       covariate_list *covs, genu_err *err);

#endif
