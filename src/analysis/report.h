/* report: the cohort report (docs/design.md, Analyses) as plain C structs,
 * computed once and rendered by cli as JSON or HTML (docs/analysis.md):
 * strata, follow-up completeness per timepoint, responder counts and rates
 * with cost per responder for definitions × timepoints × strata, comparisons
 * between strata, change from baseline and replacement-free survival. Pure
 * over a built cohort; everything in the arena given to report_build. */
#ifndef GENU_ANALYSIS_REPORT_H
#define GENU_ANALYSIS_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/claim.h"
#include "analysis/cohort.h"
#include "analysis/request.h"
#include "analysis/cost.h"
#include "analysis/responder.h"
#include "analysis/stats.h"
#include "analysis/durability.h"
#include "analysis/survival.h"
#include "analysis/timepoint.h"
#include "core/arena.h"
#include "core/err.h"

#define REPORT_MAXDEF 16
#define REPORT_MAXTP 16
#define REPORT_MAXCHANGE 4

/* What the report computes. */
typedef struct report_spec {
    cohort_by by;
    size_t ndef;
    responder_def defs[REPORT_MAXDEF];
    size_t ntp;
    timepoint tps[REPORT_MAXTP];
    size_t nchange;
    responder_measure change[REPORT_MAXCHANGE];
} report_spec;

/* The defaults (docs/analysis.md): improvement_pct:nprs.intensity>=50,
 * mcid:nprs.intensity, mcid:koos.pain, omeract_oarsi (MCIDs from `mcids`,
 * NULL: the defaults); 6w 3m 6m 12m 24m 36m 48m; change in nprs.intensity
 * and koos.pain. */
void report_spec_defaults(report_spec *s, cohort_by by, const responder_mcids *mcids);

typedef struct report_followup {
    size_t due;     /* knees whose window has closed */
    size_t done;    /* of those, any response in the window before a replacement */
    size_t missing; /* due − done */
} report_followup;

typedef struct report_cell {
    claim_counts n;
    claim_rates r;
    cost_tally cost;
} report_cell;

typedef enum { REPORT_TEST_NONE = 0, REPORT_TEST_CHISQ, REPORT_TEST_FISHER } report_test;

/* Stratum a versus stratum b (a before b in name order). */
typedef struct report_cmp {
    size_t a, b;
    double diff, lo, hi; /* Newcombe hybrid score; NAN when a side has nothing analysed */
    report_test test;    /* NONE when a side has nothing analysed */
    double statistic;    /* chi-square; NAN for Fisher and NONE */
    double p;
} report_cmp;

typedef struct report {
    const cohort *c;     /* borrowed */
    report_spec spec;
    size_t nstrata;
    const char **strata; /* sorted by name */
    size_t *entered;     /* per stratum */
    size_t *group;       /* per knee: its stratum */
    size_t npair;        /* nstrata·(nstrata − 1)/2 */
    report_followup *followup; /* [t · nstrata + g] */
    report_cell *cells;        /* [(d · ntp + t) · nstrata + g] */
    report_cmp *cmps;          /* [(d · ntp + t) · npair + j], pairs in (a, b) order */
    stats_mean *change;        /* [(m · ntp + t) · nstrata + g] */
    survival_curve *km;        /* [g], event replacement */
    survival_logrank logrank;
    /* Replacement with death as a competing event, the same strata in the
     * same order; NULL when no knee's patient died by as-of. */
    durability_competing *competing;
} report;

/* Computes everything. GENU_ENOMEM when out of memory. */
/* The report a request asks for (genu report, the API): its by, its
 * responder definitions and timepoints, each replacing the defaults. The
 * spec lives in the arena. */
int report_build_for(const cohort *c, const analysis_request *q, genu_arena *a, report *out,
                     genu_err *err);
/* The definitions whose measures the report q asks for reads: its
 * responder definitions, then one per change measure. Into out[0 ..
 * REPORT_MAXDEF + REPORT_MAXCHANGE); returns how many. */
size_t report_defs_read(const analysis_request *q, responder_def *out);
int report_build(const cohort *c, const report_spec *s, genu_arena *a, report *out,
                 genu_err *err);

static inline const report_cell *report_cell_at(const report *r, size_t d, size_t t, size_t g)
{
    return &r->cells[(d * r->spec.ntp + t) * r->nstrata + g];
}
static inline const report_cmp *report_cmp_at(const report *r, size_t d, size_t t, size_t j)
{
    return &r->cmps[(d * r->spec.ntp + t) * r->npair + j];
}
static inline const stats_mean *report_change_at(const report *r, size_t m, size_t t, size_t g)
{
    return &r->change[(m * r->spec.ntp + t) * r->nstrata + g];
}

/* The keys of this analysis in a request (analysis/request.h). */
extern const request_use report_use;

#endif
