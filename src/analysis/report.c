/* report: computes the cohort report once (docs/analysis.md "genu report")
 * so that the JSON and HTML renderings cannot disagree. */
#include "analysis/report.h"

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

static int cmp_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int make_strata(const cohort *c, cohort_by by, genu_arena *a, report *r)
{
    size_t n = c->nknee;
    const char **label = genu_arena_calloc(a, n + 1, sizeof *label);
    r->strata = genu_arena_calloc(a, n + 1, sizeof *r->strata);
    r->group = genu_arena_calloc(a, n + 1, sizeof *r->group);
    r->entered = genu_arena_calloc(a, n + 1, sizeof *r->entered);
    if (!label || !r->strata || !r->group || !r->entered)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(r->strata[i] = label[i] = cohort_stratum(c, &c->knees[i], by, a)))
            return -1;
    qsort(r->strata, n, sizeof *r->strata, cmp_name);
    r->nstrata = 0;
    for (size_t i = 0; i < n; i++)
        if (r->nstrata == 0 || strcmp(r->strata[i], r->strata[r->nstrata - 1]) != 0)
            r->strata[r->nstrata++] = r->strata[i];
    for (size_t i = 0; i < n; i++) {
        const char **hit = bsearch(&label[i], r->strata, r->nstrata, sizeof *r->strata, cmp_name);
        r->group[i] = (size_t)(hit - r->strata);
        r->entered[r->group[i]]++;
    }
    r->npair = r->nstrata * (r->nstrata ? r->nstrata - 1 : 0) / 2;
    return 0;
}

/* Follow-up completeness: any response of any instrument (knee- or
 * patient-level) in the window, before a replacement. */
static bool any_response(const cohort *c, const cohort_knee *k, const timepoint *t)
{
    genu_date first, last;
    timepoint_window(t, k->index, &first, &last);
    const genu_record *rs = c->ds->recs[GENU_REC_RESPONSE];
    for (size_t i = c->lo[GENU_REC_RESPONSE][k->pat]; i < c->hi[GENU_REC_RESPONSE][k->pat]; i++) {
        const genu_record *r = &rs[i];
        if ((r->knee == k->knee || r->knee == GENU_KNEE_NONE) && r->date >= first &&
            r->date <= last && (k->replaced == GENU_DATE_NONE || r->date < k->replaced))
            return true;
    }
    return false;
}

static void followup(const cohort *c, report *r)
{
    for (size_t t = 0; t < r->spec.ntp; t++) {
        for (size_t i = 0; i < c->nknee; i++) {
            const cohort_knee *k = &c->knees[i];
            if (!timepoint_closed(&r->spec.tps[t], k->index, c->as_of))
                continue;
            report_followup *f = &r->followup[t * r->nstrata + r->group[i]];
            f->due++;
            f->done += any_response(c, k, &r->spec.tps[t]);
        }
        for (size_t g = 0; g < r->nstrata; g++) {
            report_followup *f = &r->followup[t * r->nstrata + g];
            f->missing = f->due - f->done;
        }
    }
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

static int responders(const cohort *c, report *r, genu_arena *a, genu_err *err)
{
    const report_spec *s = &r->spec;
    for (size_t d = 0; d < s->ndef; d++) {
        for (size_t t = 0; t < s->ntp; t++) {
            report_cell *cell = &r->cells[(d * s->ntp + t) * r->nstrata];
            for (size_t g = 0; g < r->nstrata; g++)
                cost_tally_init(&cell[g].cost);
            for (size_t i = 0; i < c->nknee; i++) {
                responder_outcome o;
                report_cell *x = &cell[r->group[i]];
                responder_eval(c, &c->knees[i], &s->defs[d], &s->tps[t], &o);
                claim_add(&x->n, &o);
                int rc = cost_add(&x->cost, c, &c->knees[i], &s->tps[t], &o, a, err);
                if (rc)
                    return rc;
            }
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
    return GENU_OK;
}

static int change(const cohort *c, report *r, genu_arena *a)
{
    const report_spec *s = &r->spec;
    double *v = genu_arena_calloc(a, c->nknee + 1, sizeof *v);
    if (!v)
        return -1;
    for (size_t m = 0; m < s->nchange; m++) {
        responder_def def;
        memset(&def, 0, sizeof def);
        def.kind = RESPONDER_CHANGE;
        def.m = s->change[m];
        for (size_t t = 0; t < s->ntp; t++)
            for (size_t g = 0; g < r->nstrata; g++) {
                size_t k = 0;
                for (size_t i = 0; i < c->nknee; i++) {
                    responder_outcome o;
                    if (r->group[i] != g)
                        continue;
                    responder_eval(c, &c->knees[i], &def, &s->tps[t], &o);
                    if (o.eligible && o.status == RESPONDER_EVALUATED)
                        v[k++] = o.change;
                }
                stats_mean_ci(v, k, &r->change[(m * s->ntp + t) * r->nstrata + g]);
            }
    }
    return 0;
}

static int survival(const cohort *c, report *r, genu_arena *a, genu_err *err)
{
    size_t n = c->nknee;
    double *time = genu_arena_calloc(a, n + 1, sizeof *time);
    double *st = genu_arena_calloc(a, n + 1, sizeof *st);
    int *status = genu_arena_calloc(a, n + 1, sizeof *status);
    int *ss = genu_arena_calloc(a, n + 1, sizeof *ss);
    if (!time || !st || !status || !ss)
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    for (size_t i = 0; i < n; i++)
        survival_knee(c, &c->knees[i], SURVIVAL_REPLACEMENT, NULL, &time[i], &status[i]);
    for (size_t g = 0; g < r->nstrata; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (r->group[i] == g) {
                st[m] = time[i];
                ss[m++] = status[i];
            }
        int rc = survival_km(st, ss, m, a, &r->km[g], err);
        if (rc)
            return rc;
    }
    return survival_logrank_test(time, status, r->group, n, r->nstrata, a, &r->logrank, err);
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

int report_build(const cohort *c, const report_spec *s, genu_arena *a, report *out,
                 genu_err *err)
{
    report r;
    memset(&r, 0, sizeof r);
    r.c = c;
    r.spec = *s;
    if (make_strata(c, s->by, a, &r))
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    r.followup = table(a, s->ntp, r.nstrata, 1, sizeof *r.followup);
    r.cells = table(a, s->ndef, s->ntp, r.nstrata, sizeof *r.cells);
    r.cmps = table(a, s->ndef, s->ntp, r.npair, sizeof *r.cmps);
    r.change = table(a, s->nchange, s->ntp, r.nstrata, sizeof *r.change);
    r.km = table(a, r.nstrata, 1, 1, sizeof *r.km);
    if (!r.followup || !r.cells || !r.cmps || !r.change || !r.km)
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    followup(c, &r);
    int rc = responders(c, &r, a, err);
    if (rc)
        return rc;
    if (change(c, &r, a))
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    if ((rc = survival(c, &r, a, err)))
        return rc;
    *out = r;
    return GENU_OK;
}
