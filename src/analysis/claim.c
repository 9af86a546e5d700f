/* claim: tallies, rates and verdicts of the claim audit (docs/design.md,
 * Analyses). */
#include "analysis/claim.h"

#include <math.h>
#include <string.h>

#include "analysis/stats.h"

void claim_add(claim_counts *c, const responder_outcome *o)
{
    c->entered++;
    if (!o->eligible)
        return;
    c->eligible++;
    switch (o->status) {
    case RESPONDER_CONVERTED:
        c->converted++;
        c->analysed++; /* a treatment failure: analysed as a non-responder */
        break;
    case RESPONDER_NOT_EVALUABLE:
        c->not_evaluable++;
        break;
    case RESPONDER_MISSING:
        c->missing++;
        break;
    case RESPONDER_EVALUATED:
        c->analysed++;
        c->responders += o->responder;
        break;
    }
}

void claim_count(const cohort *c, const responder_def *d, const timepoint *t, const bool *member,
                 claim_counts *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < c->nknee; i++) {
        if (member && !member[i])
            continue;
        responder_outcome o;
        responder_eval(c, &c->knees[i], d, t, &o);
        claim_add(out, &o);
    }
}

static double ratio(size_t num, size_t den)
{
    return den ? (double)num / (double)den : NAN;
}

void claim_rates_of(const claim_counts *c, claim_rates *out)
{
    out->rate = ratio(c->responders, c->analysed);
    stats_wilson(c->responders, c->analysed, STATS_Z95, &out->lo, &out->hi);
    out->worst_case = ratio(c->responders, c->analysed + c->missing);
    out->best_case = ratio(c->responders + c->missing, c->analysed + c->missing);
}

claim_verdict claim_judge(const claim_counts *c, const claim_rates *r, double expect)
{
    if (c->analysed < 10)
        return CLAIM_INSUFFICIENT;
    if (r->lo >= expect)
        return CLAIM_SUPPORTED;
    if (r->hi < expect)
        return CLAIM_CONTRADICTED;
    return CLAIM_CONSISTENT;
}

const char *claim_verdict_name(claim_verdict v)
{
    switch (v) {
    case CLAIM_SUPPORTED:
        return "supported";
    case CLAIM_CONTRADICTED:
        return "contradicted";
    case CLAIM_CONSISTENT:
        return "consistent";
    default:
        return "insufficient";
    }
}

int claim_answer_of(const cohort *c, const analysis_request *q, genu_arena *a, claim_answer *out,
                    genu_err *err)
{
    memset(out, 0, sizeof *out);
    if (!q->ndef || !q->nat || isnan(q->expect))
        return GENU_FAIL(err, GENU_EINVAL, "claim: a responder, a timepoint and a rate");
    if (q->cost && cost_count(c, &q->defs[0], &q->at[0], NULL, a, &out->cost, err))
        return err->code;
    claim_count(c, &q->defs[0], &q->at[0], NULL, &out->counts);
    claim_rates_of(&out->counts, &out->rates);
    out->verdict = claim_judge(&out->counts, &out->rates, q->expect);
    return GENU_OK;
}

/* What genu claim and GET /api/v1/claim accept beside as_of, unit and the
 * filters. */
const request_use claim_use = {"claim", "responder+ at+ expect+ mcid* cost!"};
