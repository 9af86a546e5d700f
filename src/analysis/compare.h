/* compare: `genu compare`, a responder rate compared between the two
 * levels of an exposure (whole_knee, early_oa), crude and adjusted
 * (docs/analysis.md, "Adjusted comparisons"): the crude rates with their
 * Newcombe difference, the logistic regression responder ~ exposure +
 * covariates with cluster-robust standard errors by patient, and the
 * standardised risks. Pure over a built cohort; results in the arena. */
#ifndef GENU_ANALYSIS_COMPARE_H
#define GENU_ANALYSIS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/cohort.h"
#include "analysis/covariates.h"
#include "analysis/logistic.h"
#include "analysis/responder.h"
#include "analysis/timepoint.h"
#include "core/arena.h"
#include "core/err.h"

typedef struct compare_spec {
    responder_def def;
    timepoint at;
    covariate_id exposure;  /* COV_WHOLE_KNEE or COV_EARLY_OA */
    covariate_list adjust;  /* in the order given */
} compare_spec;

/* Parses exposure (option `exposure`) and the adjust list (option
 * `adjust`; NULL or "" for none) into s->exposure and s->adjust, and checks
 * them against s->def (which must be set): baseline needs an
 * improvement_pct, change or mcid definition. GENU_EINVAL naming the
 * option. */
int compare_spec_set(compare_spec *s, const char *exposure, const char *adjust, genu_err *err);

typedef struct compare_group {
    size_t n, responders;
    double rate; /* responders / n, NAN when n is 0 */
} compare_group;

typedef struct compare_term {
    const char *term; /* "intercept", "whole_knee", "age", ... */
    /* NAN unless the fit converged; ci95 on the odds-ratio scale */
    double coef, odds_ratio, std_err, std_err_model, lo, hi, p;
} compare_term;

#define COMPARE_MAXNOTE 4

typedef struct compare_result {
    size_t analysed;         /* the claim's analysed knees at T */
    size_t excluded_missing; /* of those, missing the exposure or a covariate */
    size_t n;                /* compared: analysed − excluded_missing */
    compare_group exposed, unexposed;
    double crude_difference, crude_lo, crude_hi; /* Newcombe; NAN when undefined */
    bool converged;
    size_t nterm;
    compare_term *terms; /* intercept, the exposure, the covariates in order */
    logistic_std standardised; /* NAN everywhere unless converged */
    size_t nnote;
    const char *note[COMPARE_MAXNOTE]; /* static or in the arena */
} compare_result;

/* Runs the comparison over cohort c. GENU_ENOMEM. */
int compare_run(const cohort *c, const compare_spec *s, genu_arena *a, compare_result *out,
                genu_err *err);

#endif
