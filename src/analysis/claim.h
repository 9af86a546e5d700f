/* claim: the counts (docs/design.md, Analyses "Counts") for one responder
 * definition at one timepoint, the rate with its Wilson interval, worst and
 * best case, and the verdict of a claim audit. Pure over a built cohort. */
#ifndef GENU_ANALYSIS_CLAIM_H
#define GENU_ANALYSIS_CLAIM_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/cohort.h"
#include "analysis/cost.h"
#include "analysis/request.h"
#include "analysis/responder.h"
#include "analysis/timepoint.h"

/* The JSON "counts" object, same names. */
typedef struct claim_counts {
    size_t entered, eligible, converted, not_evaluable, missing, analysed, responders;
} claim_counts;

/* Everything derived from counts; NAN where a denominator is 0. */
typedef struct claim_rates {
    double rate, lo, hi;   /* responders / analysed, Wilson 95% (z = STATS_Z95) */
    double worst_case;     /* responders / (analysed + missing) */
    double best_case;      /* (responders + missing) / (analysed + missing) */
} claim_rates;

typedef enum {
    CLAIM_INSUFFICIENT = 0, /* fewer than 10 analysed */
    CLAIM_SUPPORTED,        /* lower bound >= claimed rate */
    CLAIM_CONTRADICTED,     /* upper bound < claimed rate */
    CLAIM_CONSISTENT        /* otherwise */
} claim_verdict;

/* Adds knee k's outcome o to the counts (entered always; the rest when
 * eligible). */
void claim_add(claim_counts *c, const responder_outcome *o);

/* Counts over the cohort's knees; when `member` is non-NULL only knees i
 * with member[i] true count. */
void claim_count(const cohort *c, const responder_def *d, const timepoint *t, const bool *member,
                 claim_counts *out);

void claim_rates_of(const claim_counts *c, claim_rates *out);

/* The verdict for a claimed rate in [0, 1]. */
claim_verdict claim_judge(const claim_counts *c, const claim_rates *r, double expect);
const char *claim_verdict_name(claim_verdict v); /* "supported", ... (static) */

/* A claim audit as genu claim and the API answer it: the request's first
 * responder definition at its first timepoint against its expected rate;
 * cost per responder too when the request asks for it. */
typedef struct claim_answer {
    claim_counts counts;
    claim_rates rates;
    claim_verdict verdict;
    cost_tally cost; /* set when q->cost */
} claim_answer;
int claim_answer_of(const cohort *c, const analysis_request *q, genu_arena *a, claim_answer *out,
                    genu_err *err);

/* The keys of this analysis in a request (analysis/request.h). */
extern const request_use claim_use;

#endif
