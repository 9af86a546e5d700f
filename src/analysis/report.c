/* report: computes the cohort report once (docs/analysis.md "genu report")
 * so that the JSON and HTML renderings cannot disagree. */
#include "analysis/report.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_defs[] = {"improvement_pct:nprs.intensity>=50",
                                           "mcid:nprs.intensity", "mcid:koos.pain",
                                           "omeract_oarsi"};
static const char *const default_tps[] = {"6w", "3m", "6m", "12m", "24m", "36m", "48m"};
static const char *const default_change[] = {"nprs.intensity", "koos.pain"};

void report_spec_defaults(report_spec *s, cohort_by by, const responder_mcids *mcids)
{
    memset(s, 0, sizeof *s);
    s->by = by;
    for (size_t i = 0; i < sizeof default_defs / sizeof default_defs[0]; i++)
        if (responder_parse_with(default_defs[i], mcids, &s->defs[s->ndef], NULL) == GENU_OK)
            s->ndef++;
    for (size_t i = 0; i < sizeof default_tps / sizeof default_tps[0]; i++)
        timepoint_parse(default_tps[i], &s->tps[s->ntp++], NULL);
    for (size_t i = 0; i < sizeof default_change / sizeof default_change[0]; i++)
        responder_measure_parse(default_change[i], &s->change[s->nchange++], NULL);
}

static int make_strata(const cohort *c, cohort_by by, genu_arena *a, report *r)
{
    cohort_strata s;
    genu_err e = {0};
    if (cohort_strata_of(c, by, a, &s, &e))
        return -1;
    r->strata = s.names;
    r->nstrata = s.n;
    r->group = s.group;
    r->entered = genu_arena_calloc(a, s.n + 1, sizeof *r->entered);
    if (!r->entered)
        return -1;
    for (size_t i = 0; i < c->nknee; i++)
        r->entered[r->group[i]]++;
    r->npair = r->nstrata * (r->nstrata ? r->nstrata - 1 : 0) / 2;
    return 0;
}

/* Follow-up completeness: any response of any instrument (knee- or
 * patient-level) in the window, before a replacement. */
static bool any_response(const cohort *c, const cohort_knee *k, const timepoint *t)
{
    genu_date first, last;
    timepoint_window(t, k->index, &first, &last);
    return cohort_any_response(c, k, first, last, k->replaced);
}

static void compare(const report_cell *x, const report_cell *y, report_cmp *out)
{
    size_t x1 = x->n.responders, n1 = x->n.analysed, x2 = y->n.responders, n2 = y->n.analysed;
    stats_newcombe(x1, n1, x2, n2, STATS_Z95, &out->diff, &out->lo, &out->hi);
    out->statistic = out->p = NAN;
    out->test = REPORT_TEST_NONE;
    if (n1 == 0 || n2 == 0)
        return;
    double chi, p, mine;
    int df;
    size_t xx[2] = {x1, x2}, nn[2] = {n1, n2};
    stats_chisq(xx, nn, 2, &chi, &df, &p, &mine);
    if (isnan(chi) || mine < 5.0) {
        out->test = REPORT_TEST_FISHER;
        out->p = stats_fisher(x1, n1 - x1, x2, n2 - x2);
    } else {
        out->test = REPORT_TEST_CHISQ;
        out->statistic = chi;
        out->p = p;
    }
}

/* Scratch of the knee-by-knee pass: each change value, and whether the
 * knee was evaluated for it, at [(m · ntp + t) · nknee + i]. */
typedef struct change_vals {
    double *v;
    unsigned char *ok;
} change_vals;

/* Everything about knee i at timepoint t: follow-up completeness, each
 * definition's outcome with its cost, each change measure. */
static int knee_at(const cohort *c, report *r, const responder_def *cdefs, size_t i, size_t t,
                   change_vals *cv, genu_arena *a, genu_err *err)
{
    const report_spec *s = &r->spec;
    const cohort_knee *k = &c->knees[i];
    const timepoint *tp = &s->tps[t];
    size_t g = r->group[i];
    if (timepoint_closed(tp, k->index, c->as_of)) {
        report_followup *f = &r->followup[t * r->nstrata + g];
        f->due++;
        f->done += any_response(c, k, tp);
    }
    cost_bill cs;
    bool have_cs = false;
    for (size_t d = 0; d < s->ndef; d++) {
        responder_outcome o;
        report_cell *x = &r->cells[(d * s->ntp + t) * r->nstrata + g];
        responder_eval(c, k, &s->defs[d], tp, &o);
        claim_add(&x->n, &o);
        if (!cost_counts(&o))
            continue;
        if (!have_cs) /* the bill is the same for every definition */
            cost_bill_of(c, k, tp, &cs);
        have_cs = true;
        int rc = cost_add_bill(&x->cost, &cs, &o, a, err);
        if (rc)
            return rc;
    }
    for (size_t m = 0; m < s->nchange; m++) {
        responder_outcome o;
        size_t at = (m * s->ntp + t) * c->nknee + i;
        responder_eval(c, k, &cdefs[m], tp, &o);
        cv->ok[at] = o.eligible && o.status == RESPONDER_EVALUATED;
        cv->v[at] = o.change;
    }
    return GENU_OK;
}

/* One pass over the knees doing every timepoint and definition of a knee
 * together, while its responses are in cache (the report's time goes into
 * these lookups). Each cell still sees its knees in cohort order, so sums
 * are added in the same order as one cell at a time would add them. */
static int knees_pass(const cohort *c, report *r, const responder_def *cdefs, change_vals *cv,
                      genu_arena *a, genu_err *err)
{
    const report_spec *s = &r->spec;
    for (size_t j = 0; j < s->ndef * s->ntp * r->nstrata; j++)
        cost_tally_init(&r->cells[j].cost);
    for (size_t i = 0; i < c->nknee; i++)
        for (size_t t = 0; t < s->ntp; t++) {
            int rc = knee_at(c, r, cdefs, i, t, cv, a, err);
            if (rc)
                return rc;
        }
    for (size_t j = 0; j < s->ntp * r->nstrata; j++)
        r->followup[j].missing = r->followup[j].due - r->followup[j].done;
    return GENU_OK;
}

/* Rates, costs and comparisons of every cell, once all knees are in. */
static void finish_cells(report *r)
{
    const report_spec *s = &r->spec;
    for (size_t d = 0; d < s->ndef; d++) {
        for (size_t t = 0; t < s->ntp; t++) {
            report_cell *cell = &r->cells[(d * s->ntp + t) * r->nstrata];
            for (size_t g = 0; g < r->nstrata; g++) {
                claim_rates_of(&cell[g].n, &cell[g].r);
                cost_finish(&cell[g].cost);
            }
            report_cmp *cmp = &r->cmps[(d * s->ntp + t) * r->npair];
            size_t j = 0;
            for (size_t g = 0; g < r->nstrata; g++)
                for (size_t h = g + 1; h < r->nstrata; h++, j++) {
                    cmp[j].a = g;
                    cmp[j].b = h;
                    compare(&cell[g], &cell[h], &cmp[j]);
                }
        }
    }
}

/* The change definitions: each measure's change, unthresholded. */
static void change_defs(const report_spec *s, responder_def *defs)
{
    for (size_t m = 0; m < s->nchange; m++) {
        memset(&defs[m], 0, sizeof defs[m]);
        defs[m].kind = RESPONDER_CHANGE;
        defs[m].m = s->change[m];
    }
}

/* Mean change per measure, timepoint and stratum, over the knees of the
 * stratum in cohort order. */
static int change_means(const cohort *c, report *r, const change_vals *cv, genu_arena *a)
{
    const report_spec *s = &r->spec;
    size_t n = c->nknee;
    double *v = genu_arena_calloc(a, n + 1, sizeof *v);
    size_t *order = genu_arena_calloc(a, n + 1, sizeof *order);
    size_t *from = genu_arena_calloc(a, r->nstrata + 1, sizeof *from);
    if (!v || !order || !from)
        return -1;
    /* knees by stratum, in cohort order within each (a counting sort) */
    for (size_t g = 0; g < r->nstrata; g++)
        from[g + 1] = from[g] + r->entered[g];
    for (size_t i = 0; i < n; i++)
        order[from[r->group[i]]++] = i;
    for (size_t g = r->nstrata; g > 0; g--)
        from[g] = from[g - 1];
    from[0] = 0;
    for (size_t m = 0; m < s->nchange; m++)
        for (size_t t = 0; t < s->ntp; t++) {
            size_t base = (m * s->ntp + t) * n;
            for (size_t g = 0; g < r->nstrata; g++) {
                size_t k = 0;
                for (size_t j = from[g]; j < from[g + 1]; j++)
                    if (cv->ok[base + order[j]])
                        v[k++] = cv->v[base + order[j]];
                stats_mean_ci(v, k, &r->change[(m * s->ntp + t) * r->nstrata + g]);
            }
        }
    return 0;
}

static int survival(const cohort *c, report *r, genu_arena *a, genu_err *err)
{
    double *time;
    int *status;
    if (survival_times(c, SURVIVAL_REPLACEMENT, NULL, a, &time, &status, err))
        return err->code;
    return survival_by_group(time, status, r->group, c->nknee, r->nstrata, a, r->km, &r->logrank,
                             err);
}

/* When any knee's patient died: the cumulative incidence of replacement
 * with death competing, beside 1 − Kaplan–Meier (docs/analysis.md). */
static int competing(const cohort *c, report *r, genu_arena *a, genu_err *err)
{
    size_t i = 0;
    while (i < c->nknee && c->knees[i].death == GENU_DATE_NONE)
        i++;
    r->competing = NULL;
    if (i == c->nknee)
        return GENU_OK;
    durability_competing *d = genu_arena_calloc(a, 1, sizeof *d);
    if (!d)
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    int rc = durability_competing_run(c, SURVIVAL_REPLACEMENT, r->spec.by, a, d, err);
    if (rc)
        return rc;
    assert(d->strata.n == r->nstrata); /* the same labels, sorted the same way */
    r->competing = d;
    return GENU_OK;
}

/* n × m × k elements of size sz, zeroed, or NULL on overflow or OOM. */
static void *table(genu_arena *a, size_t n, size_t m, size_t k, size_t sz)
{
    if (m && n > SIZE_MAX / m)
        return NULL;
    size_t nm = n * m;
    if (k && nm > SIZE_MAX / k)
        return NULL;
    return genu_arena_calloc(a, nm * k + 1, sz);
}

/* *ix: a copy of c with an index of every measure the report looks up,
 * under the very pointers it looks them up with (r's definitions, the
 * change definitions, the static OMERACT-OARSI sources): each knee's
 * responses are then read once instead of once per definition, timepoint
 * and source, and no score key is compared while evaluating. */
static int index_measures(const cohort *c, const report *r, const responder_def *cdefs,
                          genu_arena *a, cohort *ix, genu_err *err)
{
    const char *inst[64], *key[64];
    size_t n = 0;
    for (size_t d = 0; d < r->spec.ndef + r->spec.nchange; d++) {
        const responder_def *def = d < r->spec.ndef ? &r->spec.defs[d] : &cdefs[d - r->spec.ndef];
        size_t want = responder_sources(def, inst + n, key + n, 64 - n);
        if (want > 64 - n)
            return GENU_OK; /* too many to index: lookups scan, as without */
        n += want;
    }
    *ix = *c;
    const cohort_mindex *x;
    int rc = cohort_index_measures(c, inst, key, n, a, &x, err);
    if (rc)
        return rc;
    ix->mindex = x;
    return GENU_OK;
}

int report_build(const cohort *c, const report_spec *s, genu_arena *a, report *out,
                 genu_err *err)
{
    report r;
    memset(&r, 0, sizeof r);
    r.c = c;
    r.spec = *s;
    responder_def cdefs[REPORT_MAXCHANGE];
    change_defs(&r.spec, cdefs);
    cohort ix = *c;
    int rc = index_measures(c, &r, cdefs, a, &ix, err);
    if (rc)
        return rc;
    c = &ix; /* the same cohort with the index; r.c stays the caller's */
    if (make_strata(c, s->by, a, &r))
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    r.followup = table(a, s->ntp, r.nstrata, 1, sizeof *r.followup);
    r.cells = table(a, s->ndef, s->ntp, r.nstrata, sizeof *r.cells);
    r.cmps = table(a, s->ndef, s->ntp, r.npair, sizeof *r.cmps);
    r.change = table(a, s->nchange, s->ntp, r.nstrata, sizeof *r.change);
    r.km = table(a, r.nstrata, 1, 1, sizeof *r.km);
    if (!r.followup || !r.cells || !r.cmps || !r.change || !r.km)
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    size_t nchg = s->nchange * s->ntp; /* <= REPORT_MAXCHANGE · REPORT_MAXTP */
    change_vals cv = {table(a, nchg, c->nknee, 1, sizeof *cv.v),
                      table(a, nchg, c->nknee, 1, sizeof *cv.ok)};
    if (!cv.v || !cv.ok)
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    if ((rc = knees_pass(c, &r, cdefs, &cv, a, err)))
        return rc;
    finish_cells(&r);
    if (change_means(c, &r, &cv, a))
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    if ((rc = survival(c, &r, a, err)) || (rc = competing(c, &r, a, err)))
        return rc;
    *out = r;
    return GENU_OK;
}

/* The spec q asks for: the defaults, with q's definitions and timepoints
 * in their place when given. */
static void spec_for(const analysis_request *q, report_spec *s)
{
    report_spec_defaults(s, q->by, &q->mcids);
    _Static_assert(REQUEST_MAXDEF <= REPORT_MAXDEF && REQUEST_MAXTP <= REPORT_MAXTP,
                   "a request's definitions and timepoints fit a report");
    if (q->ndef) {
        s->ndef = q->ndef;
        memcpy(s->defs, q->defs, q->ndef * sizeof *q->defs);
    }
    if (q->nat) {
        s->ntp = q->nat;
        memcpy(s->tps, q->at, q->nat * sizeof *q->at);
    }
}

int report_build_for(const cohort *c, const analysis_request *q, genu_arena *a, report *out,
                     genu_err *err)
{
    report_spec *s = genu_arena_alloc(a, sizeof *s);
    if (!s)
        return GENU_OOM(err);
    spec_for(q, s);
    return report_build(c, s, a, out, err);
}

size_t report_defs_read(const analysis_request *q, responder_def *out)
{
    report_spec s;
    spec_for(q, &s);
    memcpy(out, s.defs, s.ndef * sizeof *s.defs);
    change_defs(&s, out + s.ndef);
    return s.ndef + s.nchange;
}

/* What genu report and GET /api/v1/report accept beside as_of, unit and the
 * filters. */
const request_use report_use = {"report", "by responder* at* mcid*"};
