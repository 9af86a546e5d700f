/* advice: the decision-support engine (docs/design.md, Decision support).
 * Evaluates a rule set (rules.h) over one knee's facts (facts.h) as of a date
 * and returns the findings, each with its rule, level, source, message and
 * the facts that fired it (values and record ids). Decision support for
 * clinicians, not a diagnosis: every rendering carries ADVICE_DISCLAIMER.
 * Pure over a loaded dataset; results in the caller's arena. */
#ifndef GENU_ADVICE_ADVICE_H
#define GENU_ADVICE_ADVICE_H

#include <stddef.h>

#include "advice/facts.h"
#include "advice/rules.h"
#include "core/arena.h"
#include "core/err.h"
#include "model/record.h"

#define ADVICE_DISCLAIMER                                                                         \
    "Decision support for clinicians, not a diagnosis: findings come from the rules and the "  \
    "registry's records and must be weighed by a clinician who has examined the patient."

typedef struct advice_finding {
    const rules_rule *rule; /* borrowed from the rule set */
    const char *message;    /* facts filled in, in the arena */
    size_t nfacts;
    const int *facts;       /* fact indices (facts_at), deciding facts first */
} advice_finding;

typedef struct advice_knee {
    facts f;
    size_t n;
    advice_finding *finding; /* urgent first, then caution, then info; file order within */
} advice_knee;

/* Evaluates every rule of rs for knee `knee` of patient index pat. */
int advice_knee_eval(const rules *rs, const genu_dataset *ds, size_t pat, genu_knee knee,
                     genu_date as_of, genu_arena *a, advice_knee *out, genu_err *err);
/* advice_knee_eval with the registry's figures from sum (facts_build_from):
 * ds needs to hold only patient pat. sum NULL is advice_knee_eval. */
int advice_knee_eval_from(const rules *rs, const genu_dataset *ds, size_t pat, genu_knee knee,
                          genu_date as_of, const summary *sum, genu_arena *a, advice_knee *out,
                          genu_err *err);

#endif
