/* cost: knees' bills and cost per responder (docs/design.md, Analyses "Cost
 * per responder"). Amounts in different currencies are never added; a bill
 * with an uncosted treatment is set apart rather than summed as if that
 * treatment were free, so both numerator and denominator come from the same
 * knees. */
#include "analysis/cost.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"

void cost_bill_of(const cohort *c, const cohort_knee *k, const timepoint *t, cost_bill *out)
{
    const genu_record *tr = c->ds->recs[GENU_REC_TREATMENT];
    /* bills need every treatment of an index kind (store_scope.index_costs) */
    assert(!c->ds->index_kinds || c->ds->index_costs);
    genu_date end = k->index + t->nominal;
    memset(out, 0, sizeof *out);
    out->status = COST_COMPLETE;
    double total = 0.0;
    for (size_t i = c->lo[GENU_REC_TREATMENT][k->pat]; i < c->hi[GENU_REC_TREATMENT][k->pat];
         i++) {
        const genu_record *r = &tr[i];
        if (r->date > end)
            break; /* sorted by date */
        if (r->knee != k->knee || r->date < k->index ||
            !((c->index_kinds >> r->u.treatment.kind) & 1u))
            continue;
        out->ntreat++;
        const genu_treatment *tt = &r->u.treatment;
        if (isnan(tt->cost) || !tt->currency) {
            out->status = COST_MISSING;
        } else if (out->status == COST_COMPLETE) {
            if (!out->currency)
                out->currency = tt->currency;
            else if (out->currency != tt->currency && strcmp(out->currency, tt->currency) != 0)
                out->status = COST_MIXED;
            total += tt->cost;
        }
    }
    if (out->status != COST_COMPLETE) {
        out->currency = NULL;
        out->total = NAN;
    } else {
        out->total = total;
    }
}

void cost_tally_init(cost_tally *t)
{
    memset(t, 0, sizeof *t);
}

static cost_currency *find_currency(cost_tally *t, const char *cur, genu_arena *a)
{
    for (size_t i = 0; i < t->ncur; i++)
        if (t->cur[i].currency == cur || strcmp(t->cur[i].currency, cur) == 0)
            return &t->cur[i];
    cost_currency *v = genu_vec_room_arena(a, t->cur, &t->cap, t->ncur, sizeof *v, 4);
    if (!v)
        return NULL;
    t->cur = v;
    cost_currency *n = &t->cur[t->ncur++];
    memset(n, 0, sizeof *n);
    n->currency = cur;
    n->per_responder = NAN;
    return n;
}

bool cost_counts(const responder_outcome *o)
{
    return o->eligible && (o->status == RESPONDER_CONVERTED || o->status == RESPONDER_EVALUATED);
}

int cost_add_bill(cost_tally *t, const cost_bill *s, const responder_outcome *o,
                    genu_arena *a, genu_err *err)
{
    if (!cost_counts(o))
        return GENU_OK;
    t->analysed++;
    t->responders += o->responder;
    if (s->status == COST_MISSING) {
        t->knees_without_cost++;
        return GENU_OK;
    }
    if (s->status == COST_MIXED) {
        t->knees_mixed_currency++;
        return GENU_OK;
    }
    cost_currency *cur = find_currency(t, s->currency, a);
    if (!cur)
        return GENU_FAIL(err, GENU_ENOMEM, "cost: out of memory");
    cur->knees++;
    cur->responders += o->responder;
    cur->total += s->total;
    return GENU_OK;
}

int cost_add(cost_tally *t, const cohort *c, const cohort_knee *k, const timepoint *tp,
             const responder_outcome *o, genu_arena *a, genu_err *err)
{
    if (!cost_counts(o))
        return GENU_OK;
    cost_bill s;
    cost_bill_of(c, k, tp, &s);
    return cost_add_bill(t, &s, o, a, err);
}

static int cmp_currency(const void *x, const void *y)
{
    return strcmp(((const cost_currency *)x)->currency, ((const cost_currency *)y)->currency);
}

void cost_finish(cost_tally *t)
{
    if (t->ncur > 1)
        qsort(t->cur, t->ncur, sizeof *t->cur, cmp_currency);
    for (size_t i = 0; i < t->ncur; i++)
        t->cur[i].per_responder =
            t->cur[i].responders ? t->cur[i].total / (double)t->cur[i].responders : NAN;
}

int cost_count(const cohort *c, const responder_def *d, const timepoint *t, const bool *member,
               genu_arena *a, cost_tally *out, genu_err *err)
{
    cost_tally tally;
    cost_tally_init(&tally);
    for (size_t i = 0; i < c->nknee; i++) {
        if (member && !member[i])
            continue;
        responder_outcome o;
        responder_eval(c, &c->knees[i], d, t, &o);
        int rc = cost_add(&tally, c, &c->knees[i], t, &o, a, err);
        if (rc)
            return rc;
    }
    cost_finish(&tally);
    *out = tally;
    return GENU_OK;
}
