/* analyses: the analysis endpoints. Each request loads the dataset and
 * builds its cohort (as the CLI does); aggregate results carry no identity,
 * so every reader role may call claim and survival. Follow-ups name
 * patients and are for staff, scoped to their sites. */
#include "http/analyses.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/claim.h"
#include "analysis/cohort.h"
#include "analysis/compare.h"
#include "analysis/covariates.h"
#include "analysis/durability.h"
#include "analysis/report.h"
#include "analysis/responder.h"
#include "analysis/survival.h"
#include "analysis/timepoint.h"
#include "http/api.h"
#include "http/auth.h"
#include "io/compare_json.h"
#include "io/report_json.h"

typedef struct aopts {
    cohort_filter filter;
    cohort_unit unit;
    genu_date as_of;
} aopts;

/* Reads the shared arguments (as_of, unit, cohort filters); every other
 * argument must be one of `own`. On failure the 400 is written. */
static int common_args(ctx *c, const char *const *own, size_t nown, aopts *o)
{
    genu_err err = {0};
    cohort_filter_init(&o->filter);
    o->unit = COHORT_UNIT_KNEE;
    o->as_of = genu_date_today();
    for (size_t i = 0; i < c->nquery; i++) {
        const char *k = c->qkey[i], *v = c->qval[i];
        bool mine = false;
        for (size_t j = 0; j < nown; j++)
            mine = mine || strcmp(k, own[j]) == 0;
        if (mine)
            continue;
        if (strcmp(k, "as_of") == 0) {
            if (api_as_of(c, v, &o->as_of))
                return -1;
        } else if (strcmp(k, "unit") == 0) {
            if (cohort_unit_parse(v, &o->unit, &err))
                goto bad;
        } else if (cohort_filter_known(k)) {
            if (cohort_filter_set(&o->filter, k, v, &err))
                goto bad;
        } else {
            ctx_error(c, 400, "bad_request", k, "unknown query argument \"%s\"", k);
            return -1;
        }
        continue;
    bad:
        ctx_error(c, 400, "bad_request", k, "%s", err.msg);
        return -1;
    }
    return 0;
}

static int load_cohort(ctx *c, const aopts *o, genu_dataset *ds, cohort *co)
{
    genu_err err = {0};
    if (dscache_load(c->env->datasets, c->store, c->arena, ds, &c->dataset, &err) ||
        cohort_build(ds, &o->filter, o->unit, o->as_of, c->arena, co, &err)) {
        ctx_fail(c, &err);
        return -1;
    }
    return 0;
}

static const char *required(ctx *c, const char *key)
{
    const char *v = ctx_query(c, key);
    if (!v || !*v)
        ctx_error(c, 400, "bad_request", key, "query argument %s is required", key);
    return v && *v ? v : NULL;
}

static void num(genu_buf *b, const char *key, double v)
{
    genu_buf_printf(b, ",\"%s\":", key);
    genu_buf_json_num(b, v);
}

void analyses_claim(ctx *c)
{
    static const char *const own[] = {"responder", "at", "expect"};
    aopts o;
    responder_def def;
    timepoint at;
    genu_err err = {0};
    if (common_args(c, own, 3, &o))
        return;
    const char *rs = required(c, "responder");
    const char *ats = rs ? required(c, "at") : NULL;
    const char *es = ats ? required(c, "expect") : NULL;
    if (!es)
        return;
    if (responder_parse(rs, &def, &err)) {
        ctx_error(c, 400, "bad_request", "responder", "%s", err.msg);
        return;
    }
    if (timepoint_parse(ats, &at, &err)) {
        ctx_error(c, 400, "bad_request", "at", "at: %s", err.msg);
        return;
    }
    char *end;
    double expect = strtod(es, &end);
    if (*end || !(expect >= 0.0 && expect <= 1.0)) {
        ctx_error(c, 400, "bad_request", "expect", "expect: a rate between 0 and 1");
        return;
    }
    genu_dataset ds;
    cohort co;
    if (load_cohort(c, &o, &ds, &co))
        return;
    claim_counts n;
    claim_rates r;
    claim_count(&co, &def, &at, NULL, &n);
    claim_rates_of(&n, &r);
    claim_verdict v = claim_judge(&n, &r, expect);
    genu_buf *b = &c->out;
    char date[GENU_DATE_STRLEN];
    genu_date_format(o.as_of, date);
    ctx_json(c, 200);
    genu_buf_puts(b, "{\"claim\":{\"responder\":");
    genu_buf_json_str(b, def.text);
    genu_buf_puts(b, ",\"at\":");
    genu_buf_json_str(b, at.text);
    num(b, "expect", expect);
    genu_buf_puts(b, ",\"filters\":");
    report_json_filters(b, &o.filter);
    genu_buf_printf(b, "},\"as_of\":\"%s\",\"unit\":\"%s\"", date,
                    o.unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
    genu_buf_printf(b, ",\"timepoint\":{\"nominal_days\":%d,\"window_days\":%d}", at.nominal,
                    at.half);
    genu_buf_printf(b,
                    ",\"counts\":{\"entered\":%zu,\"eligible\":%zu,\"converted\":%zu,"
                    "\"not_evaluable\":%zu,\"missing\":%zu,\"analysed\":%zu,\"responders\":%zu}",
                    n.entered, n.eligible, n.converted, n.not_evaluable, n.missing, n.analysed,
                    n.responders);
    num(b, "rate", r.rate);
    if (isnan(r.lo)) {
        genu_buf_puts(b, ",\"ci95\":null");
    } else {
        genu_buf_puts(b, ",\"ci95\":[");
        genu_buf_json_num(b, r.lo);
        genu_buf_putc(b, ',');
        genu_buf_json_num(b, r.hi);
        genu_buf_putc(b, ']');
    }
    num(b, "worst_case", r.worst_case);
    num(b, "best_case", r.best_case);
    genu_buf_printf(b, ",\"verdict\":\"%s\"}\n", claim_verdict_name(v));
}

void analyses_compare(ctx *c)
{
    static const char *const own[] = {"responder", "at", "exposure", "adjust"};
    aopts o;
    compare_spec spec;
    genu_err err = {0};
    memset(&spec, 0, sizeof spec);
    if (common_args(c, own, 4, &o))
        return;
    const char *rs = required(c, "responder");
    const char *ats = rs ? required(c, "at") : NULL;
    const char *es = ats ? required(c, "exposure") : NULL;
    if (!es)
        return;
    if (responder_parse(rs, &spec.def, &err)) {
        ctx_error(c, 400, "bad_request", "responder", "%s", err.msg);
        return;
    }
    if (timepoint_parse(ats, &spec.at, &err)) {
        ctx_error(c, 400, "bad_request", "at", "at: %s", err.msg);
        return;
    }
    if (compare_spec_set(&spec, es, ctx_query(c, "adjust"), &err)) {
        /* the message starts with the option it is about */
        bool adj = strncmp(err.msg, "--adjust", 8) == 0;
        ctx_error(c, 400, "bad_request", adj ? "adjust" : "exposure", "%s",
                  err.msg + 2); /* "adjust: ...", as the API names arguments */
        return;
    }
    genu_dataset ds;
    cohort co;
    if (load_cohort(c, &o, &ds, &co))
        return;
    compare_result r;
    if (compare_run(&co, &spec, c->arena, &r, &err)) {
        ctx_fail(c, &err);
        return;
    }
    ctx_json(c, 200);
    compare_json_write(&c->out, &spec, &r, &o.filter, o.as_of, o.unit);
}

/* cox= and competing= (docs/api.md): parsed into covs and *competing, or
 * the 400 is written. */
static int survival_variant_args(ctx *c, survival_event ev, cohort_by by, covariate_list *covs,
                                 bool *competing)
{
    genu_err err = {0};
    const char *cs = ctx_query(c, "cox"), *ks = ctx_query(c, "competing");
    covs->n = 0;
    *competing = ks != NULL;
    if (ks && durability_competing_parse(ks, &err)) {
        ctx_error(c, 400, "bad_request", "competing", "%s", err.msg);
        return -1;
    }
    if (ks && ev == SURVIVAL_LOSS) {
        ctx_error(c, 400, "bad_request", "competing",
                  "competing: only for event replacement or surgery");
        return -1;
    }
    if (!cs)
        return 0;
    if (covariate_parse_list(cs, "cox", COV_COX_ALLOWED, -1, covs, &err)) {
        ctx_error(c, 400, "bad_request", "cox", "%s", err.msg);
        return -1;
    }
    const char *why = covs->n == 0 ? "cox: expected a comma list of covariates"
                      : ks         ? "cox: not with competing (the Cox model censors at death)"
                      : by         ? "cox: one model over the cohort, not with by"
                                   : NULL;
    if (why) {
        ctx_error(c, 400, "bad_request", "cox", "%s", why);
        return -1;
    }
    return 0;
}

/* The Kaplan–Meier curves per stratum and the log-rank test. */
static void km_answer(ctx *c, const cohort *co, survival_event ev, const responder_def *def,
                      cohort_by by, genu_date as_of)
{
    genu_err err = {0};
    durability_strata s;
    size_t n = co->nknee;
    double *time = genu_arena_calloc(c->arena, n + 1, sizeof *time);
    double *st = genu_arena_calloc(c->arena, n + 1, sizeof *st);
    int *status = genu_arena_calloc(c->arena, n + 1, sizeof *status);
    int *ss = genu_arena_calloc(c->arena, n + 1, sizeof *ss);
    if (!time || !st || !status || !ss) {
        GENU_FAIL(&err, GENU_ENOMEM, "survival: out of memory");
        ctx_fail(c, &err);
        return;
    }
    if (durability_strata_make(co, by, c->arena, &s, &err)) {
        ctx_fail(c, &err);
        return;
    }
    for (size_t i = 0; i < n; i++)
        survival_knee(co, &co->knees[i], ev, def, &time[i], &status[i]);
    genu_buf *b = &c->out;
    char date[GENU_DATE_STRLEN];
    genu_date_format(as_of, date);
    ctx_json(c, 200);
    genu_buf_printf(b, "{\"event\":\"%s\",\"as_of\":\"%s\",\"strata\":[", survival_event_name(ev),
                    date);
    for (size_t g = 0; g < s.n; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (s.group[i] == g) {
                st[m] = time[i];
                ss[m++] = status[i];
            }
        survival_curve k;
        if (survival_km(st, ss, m, c->arena, &k, &err)) {
            ctx_fail(c, &err);
            return;
        }
        if (g)
            genu_buf_putc(b, ',');
        report_json_curve(b, s.names[g], &k);
    }
    survival_logrank lr;
    if (survival_logrank_test(time, status, s.group, n, s.n, c->arena, &lr, &err)) {
        ctx_fail(c, &err);
        return;
    }
    genu_buf_puts(b, "],\"logrank\":");
    report_json_logrank(b, &lr);
    genu_buf_puts(b, "}\n");
}

void analyses_survival(ctx *c)
{
    static const char *const own[] = {"event", "responder", "by", "cox", "competing"};
    aopts o;
    survival_event ev;
    responder_def def;
    cohort_by by = COHORT_BY_NONE;
    covariate_list covs;
    bool competing;
    genu_err err = {0};
    memset(&def, 0, sizeof def);
    if (common_args(c, own, 5, &o))
        return;
    const char *es = required(c, "event"), *rs = ctx_query(c, "responder"),
               *bys = ctx_query(c, "by");
    if (!es)
        return;
    if (survival_event_parse(es, &ev, &err)) {
        ctx_error(c, 400, "bad_request", "event", "%s", err.msg);
        return;
    }
    if (ev == SURVIVAL_LOSS && !rs) {
        ctx_error(c, 400, "bad_request", "responder",
                  "responder: required with event=loss_of_response");
        return;
    }
    if (rs && responder_parse(rs, &def, &err)) {
        ctx_error(c, 400, "bad_request", "responder", "%s", err.msg);
        return;
    }
    if (bys && cohort_by_parse(bys, &by, &err)) {
        ctx_error(c, 400, "bad_request", "by", "%s", err.msg);
        return;
    }
    if (survival_variant_args(c, ev, by, &covs, &competing))
        return;
    genu_dataset ds;
    cohort co;
    if (load_cohort(c, &o, &ds, &co))
        return;
    if (covs.n) {
        durability_cox r;
        if (durability_cox_run(&co, ev, &def, &covs, c->arena, &r, &err)) {
            ctx_fail(c, &err);
            return;
        }
        ctx_json(c, 200);
        report_json_cox(&c->out, ev, o.as_of, &r);
    } else if (competing) {
        durability_competing r;
        if (durability_competing_run(&co, ev, by, c->arena, &r, &err)) {
            ctx_fail(c, &err);
            return;
        }
        ctx_json(c, 200);
        report_json_competing(&c->out, ev, o.as_of, &r);
    } else {
        km_answer(c, &co, ev, &def, by, o.as_of);
    }
}

/* The report's own repeatable arguments (responder, at, mcid) into spec;
 * definitions are parsed after every mcid, as the CLI does. */
static int report_spec_args(ctx *c, cohort_by by, report_spec *s)
{
    genu_err err = {0};
    responder_mcids mcids;
    const char *defs[REPORT_MAXDEF];
    size_t ndef = 0, ntp = 0;
    timepoint tps[REPORT_MAXTP];
    responder_mcids_init(&mcids);
    for (size_t i = 0; i < c->nquery; i++) {
        const char *k = c->qkey[i], *v = c->qval[i];
        if (strcmp(k, "mcid") == 0 && responder_mcid_set(&mcids, v, &err))
            goto bad;
        if (strcmp(k, "responder") == 0) {
            if (ndef == REPORT_MAXDEF) {
                ctx_error(c, 400, "bad_request", k, "responder: at most %d definitions",
                          REPORT_MAXDEF);
                return -1;
            }
            defs[ndef++] = v;
        }
        if (strcmp(k, "at") == 0) {
            if (ntp == REPORT_MAXTP) {
                ctx_error(c, 400, "bad_request", k, "at: at most %d timepoints", REPORT_MAXTP);
                return -1;
            }
            if (timepoint_parse(v, &tps[ntp++], &err)) {
                genu_err_prefix(&err, "at: ");
                goto bad;
            }
        }
        continue;
    bad:
        ctx_error(c, 400, "bad_request", k, "%s", err.msg);
        return -1;
    }
    report_spec_defaults(s, by, &mcids);
    if (ndef) {
        s->ndef = ndef;
        for (size_t i = 0; i < ndef; i++)
            if (responder_parse_with(defs[i], &mcids, &s->defs[i], &err)) {
                ctx_error(c, 400, "bad_request", "responder", "%s", err.msg);
                return -1;
            }
    }
    if (ntp) {
        s->ntp = ntp;
        memcpy(s->tps, tps, ntp * sizeof *tps);
    }
    return 0;
}

void analyses_report(ctx *c)
{
    static const char *const own[] = {"by", "responder", "at", "mcid"};
    aopts o;
    cohort_by by = COHORT_BY_NONE;
    report_spec spec;
    genu_dataset ds;
    cohort co;
    report r;
    genu_err err = {0};
    if (common_args(c, own, 4, &o))
        return;
    const char *bys = ctx_query(c, "by");
    if (bys && cohort_by_parse(bys, &by, &err)) {
        ctx_error(c, 400, "bad_request", "by", "%s", err.msg);
        return;
    }
    if (report_spec_args(c, by, &spec) || load_cohort(c, &o, &ds, &co))
        return;
    if (report_build(&co, &spec, c->arena, &r, &err)) {
        ctx_fail(c, &err);
        return;
    }
    ctx_json(c, 200);
    report_json_write(&c->out, &r, &o.filter);
}

/* ---- follow-ups ---- */

/* Whether knee k has any response (its own or patient-level) dated in
 * [from, to]. */
static bool answered(const cohort *co, const cohort_knee *k, genu_date from, genu_date to)
{
    const genu_dataset *ds = co->ds;
    for (size_t i = co->lo[GENU_REC_RESPONSE][k->pat]; i < co->hi[GENU_REC_RESPONSE][k->pat];
         i++) {
        const genu_record *r = &ds->recs[GENU_REC_RESPONSE][i];
        if ((r->knee == k->knee || r->knee == GENU_KNEE_NONE) && r->date >= from && r->date <= to)
            return true;
    }
    return false;
}

/* The scheduled timepoints (those of loss_of_response, docs/analysis.md): 6w,
 * 3m, 6m, 12m, then every 12 months. The i-th one into *t; false past the
 * last (100 years). */
static bool scheduled(size_t i, timepoint *t)
{
    static const struct {
        int n;
        char unit;
    } first[] = {{6, 'w'}, {3, 'm'}, {6, 'm'}, {12, 'm'}};
    if (i < 4) {
        timepoint_make(first[i].n, first[i].unit, t);
        return true;
    }
    int months = 12 * (int)(i - 2);
    if (months > 1200)
        return false;
    timepoint_make(months, 'm', t);
    return true;
}

void analyses_followups(ctx *c)
{
    static const char *const own[] = {"status"};
    aopts o;
    if (common_args(c, own, 1, &o))
        return;
    const char *st = ctx_query(c, "status");
    if (!st)
        st = "due";
    bool due = strcmp(st, "due") == 0;
    if (!due && strcmp(st, "overdue") != 0) {
        ctx_error(c, 400, "bad_request", "status", "status: expected due or overdue");
        return;
    }
    genu_dataset ds;
    cohort co;
    if (load_cohort(c, &o, &ds, &co))
        return;
    genu_buf *b = &c->out;
    char date[GENU_DATE_STRLEN];
    genu_date_format(o.as_of, date);
    ctx_json(c, 200);
    genu_buf_printf(b, "{\"status\":\"%s\",\"as_of\":\"%s\",\"followups\":[", st, date);
    size_t count = 0;
    for (size_t i = 0; i < co.nknee; i++) {
        const cohort_knee *k = &co.knees[i];
        const genu_record *p = &ds.recs[GENU_REC_PATIENT][k->pat];
        if (!api_site_allowed(c, p->u.patient.site))
            continue;
        timepoint t;
        for (size_t j = 0; scheduled(j, &t); j++) {
            genu_date first, last;
            timepoint_window(&t, k->index, &first, &last);
            if (first > o.as_of)
                break;
            if (k->replaced != GENU_DATE_NONE && first > k->replaced)
                break; /* no follow-up is expected of a replaced knee */
            bool open = last >= o.as_of;
            if (open != due)
                continue;
            if (answered(&co, k, first, open ? o.as_of : last))
                continue;
            char f[GENU_DATE_STRLEN], l[GENU_DATE_STRLEN], ix[GENU_DATE_STRLEN];
            genu_date_format(first, f);
            genu_date_format(last, l);
            genu_date_format(k->index, ix);
            genu_buf_puts(b, count++ ? ",{\"patient\":" : "{\"patient\":");
            genu_buf_json_str(b, p->id);
            genu_buf_puts(b, ",\"site\":");
            genu_buf_json_str(b, p->u.patient.site);
            genu_buf_printf(b,
                            ",\"knee\":\"%s\",\"index_date\":\"%s\",\"timepoint\":\"%s\","
                            "\"window\":[\"%s\",\"%s\"]}",
                            k->knee == GENU_KNEE_LEFT ? "left" : "right", ix, t.text, f, l);
        }
    }
    genu_buf_printf(b, "],\"count\":%zu}\n", count);
}
