/* cost: cost per responder (docs/design.md, Analyses): for one responder
 * definition at one timepoint, the summed cost of the analysed knees' bills
 * divided by the responders, per currency, with the knees whose cost is not
 * known counted apart (never treated as free). Pure over a built cohort.
 *
 * A knee's bill at T is every treatment of that knee of an index kind
 * (cohort.index_kinds) dated from its index date to index + T's nominal day,
 * both included (not to be confused with advice's injection series or the
 * case history's treatment series). The bill is
 *   complete: every treatment in it has a cost, all in one currency;
 *   missing:  some treatment in it has no cost (knees_without_cost);
 *   mixed:    every treatment has a cost but in more than one currency
 *             (knees_mixed_currency: amounts in different currencies are
 *             never added, and genu has no exchange rates).
 * Per currency C, over the analysed knees (converted ones included) whose
 * bill is complete in C: knees, responders among them, total, and
 * per_responder = total / responders (NAN when responders = 0). With one
 * currency and every cost known this is the summed cost of all analysed
 * knees divided by all responders. */
#ifndef GENU_ANALYSIS_COST_H
#define GENU_ANALYSIS_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/cohort.h"
#include "analysis/responder.h"
#include "analysis/timepoint.h"
#include "core/arena.h"
#include "core/err.h"

typedef enum { COST_COMPLETE = 0, COST_MISSING, COST_MIXED } cost_status;

typedef struct cost_bill {
    cost_status status;
    size_t ntreat;        /* treatments in the bill (>= 1 for an entered knee) */
    const char *currency; /* COMPLETE: its currency (borrowed from the dataset), else NULL */
    double total;         /* COMPLETE: the summed amount, else NAN */
} cost_bill;

/* Knee k's bill at timepoint t. */
void cost_bill_of(const cohort *c, const cohort_knee *k, const timepoint *t, cost_bill *out);

typedef struct cost_currency {
    const char *currency; /* borrowed from the dataset */
    size_t knees;         /* analysed knees with a complete bill in this currency */
    size_t responders;    /* responders among them */
    double total;         /* their summed bills */
    double per_responder; /* total / responders; NAN when responders = 0 (after cost_finish) */
} cost_currency;

typedef struct cost_tally {
    size_t analysed, responders; /* as in claim_counts */
    size_t knees_without_cost;   /* analysed knees with a missing cost in the bill */
    size_t knees_mixed_currency; /* analysed knees whose bill mixes currencies */
    size_t ncur, cap;
    cost_currency *cur; /* in the arena given to cost_add; by currency after cost_finish */
} cost_tally;

void cost_tally_init(cost_tally *t);

/* Adds knee k (its outcome o at timepoint tp) to the tally: only eligible
 * analysed knees (converted or evaluated) count. GENU_ENOMEM when the
 * arena is exhausted. */
int cost_add(cost_tally *t, const cohort *c, const cohort_knee *k, const timepoint *tp,
             const responder_outcome *o, genu_arena *a, genu_err *err);

/* The same with the knee's bill at tp already worked out (s from
 * cost_bill_of for that knee and timepoint). */
int cost_add_bill(cost_tally *t, const cost_bill *s, const responder_outcome *o,
                    genu_arena *a, genu_err *err);

/* Whether o counts in a tally (an eligible knee, converted or evaluated). */
bool cost_counts(const responder_outcome *o);

/* Sorts the currencies by name (byte order) and sets per_responder. */
void cost_finish(cost_tally *t);

/* The finished tally over the cohort's knees for definition d at t; when
 * `member` is non-NULL only knees i with member[i] true count. */
int cost_count(const cohort *c, const responder_def *d, const timepoint *t, const bool *member,
               genu_arena *a, cost_tally *out, genu_err *err);

#endif
