/* analyses: the analysis endpoints. Each request loads the dataset and
 * builds its cohort (as the CLI does); aggregate results carry no identity,
 * so every reader role may call claim and survival. Follow-ups name
 * patients and are for staff, scoped to their sites. */
#include "http/analyses.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/claim.h"
#include "analysis/compare.h"
#include "analysis/durability.h"
#include "analysis/cohort.h"
#include "analysis/request.h"
#include "analysis/report.h"
#include "analysis/responder.h"
#include "analysis/survival.h"
#include "analysis/timepoint.h"
#include "http/api.h"
#include "http/auth.h"
#include "io/compare_json.h"
#include "io/report_json.h"
#include "model/words.h"

/* An overdue window closed longer ago than this is lost: counted, not chased
 * (the dashboard's "Follow-ups to chase"). */
#define FOLLOWUP_LOST_DAYS 90

/* 400 for a request error, naming the key it starts with as the field. */
static void bad_request(ctx *c, const genu_err *err)
{
    char key[40];
    request_error_key(err->msg, key, sizeof key);
    ctx_error(c, 400, "bad_request", *key ? key : NULL, "%s", err->msg);
}

/* The request u describes from the query: every argument through the one
 * parser the command line also calls (analysis/request.h). On failure the
 * 400 naming the argument is written. */
static int request_of(ctx *c, const request_use *u, analysis_request *q)
{
    genu_err err = {0};
    request_init(q);
    for (size_t i = 0; i < c->nquery; i++) {
        const char *k = c->qkey[i];
        if (strcmp(k, "as_of") == 0 && api_as_of(c, c->qval[i], &q->as_of))
            return -1;
        if (strcmp(k, "as_of") == 0)
            continue;
        if (!request_accepts(u, k, NULL)) {
            ctx_error(c, 400, "bad_request", k, "unknown query argument \"%s\"", k);
            return -1;
        }
        if (request_set(q, u, k, c->qval[i], &err)) {
            ctx_error(c, 400, "bad_request", k, "%s", err.msg);
            return -1;
        }
    }
    if (request_finish(q, u, &err)) {
        bad_request(c, &err);
        return -1;
    }
    return 0;
}

static int load_cohort(ctx *c, const analysis_request *q, genu_dataset *ds, cohort *co)
{
    genu_err err = {0};
    if (dscache_load(c->env->datasets, c->read, c->arena, ds, &c->dataset, &err) ||
        cohort_build(ds, &q->filter, q->unit, q->as_of, c->arena, co, &err)) {
        ctx_fail(c, &err);
        return -1;
    }
    return 0;
}

void analyses_claim(ctx *c)
{
    analysis_request q;
    genu_dataset ds;
    cohort co;
    claim_answer ans;
    genu_err err = {0};
    if (request_of(c, &claim_use, &q) || load_cohort(c, &q, &ds, &co))
        return;
    if (claim_answer_of(&co, &q, c->arena, &ans, &err)) {
        ctx_fail(c, &err);
        return;
    }
    ctx_json(c, 200);
    report_json_claim(&c->out, &q, &ans);
}

void analyses_compare(ctx *c)
{
    analysis_request q;
    compare_spec spec;
    genu_dataset ds;
    cohort co;
    compare_result r;
    genu_err err = {0};
    if (request_of(c, &compare_use, &q))
        return;
    if (compare_spec_of(&q, &spec, &err)) {
        bad_request(c, &err);
        return;
    }
    if (load_cohort(c, &q, &ds, &co))
        return;
    if (compare_run(&co, &spec, c->arena, &r, &err)) {
        ctx_fail(c, &err);
        return;
    }
    ctx_json(c, 200);
    compare_json_write(&c->out, &spec, &r, &q.filter, q.as_of, q.unit);
}

void analyses_survival(ctx *c)
{
    analysis_request q;
    genu_dataset ds;
    cohort co;
    survival_result s;
    genu_err err = {0};
    durability_kind kind;
    covariate_list covs;
    if (request_of(c, &survival_use, &q))
        return;
    if (durability_request(&q, &kind, &covs, &err)) {
        bad_request(c, &err);
        return;
    }
    if (load_cohort(c, &q, &ds, &co))
        return;
    const responder_def *d = q.ndef ? &q.defs[0] : NULL;
    durability_competing k;
    durability_cox x;
    int rc = kind == DURABILITY_COX         ? durability_cox_run(&co, q.event, d, &covs, c->arena, &x, &err)
             : kind == DURABILITY_COMPETING ? durability_competing_run(&co, q.event, q.by, c->arena, &k, &err)
                                            : survival_request(&co, &q, c->arena, &s, &err);
    if (rc) {
        ctx_fail(c, &err);
        return;
    }
    ctx_json(c, 200);
    if (kind == DURABILITY_COX)
        report_json_cox(&c->out, q.event, q.as_of, &x);
    else if (kind == DURABILITY_COMPETING)
        report_json_competing(&c->out, q.event, q.as_of, &k);
    else
        report_json_survival(&c->out, &q, &s);
}

void analyses_report(ctx *c)
{
    analysis_request q;
    genu_dataset ds;
    cohort co;
    report r;
    genu_err err = {0};
    if (request_of(c, &report_use, &q) || load_cohort(c, &q, &ds, &co))
        return;
    if (report_build_for(&co, &q, c->arena, &r, &err)) {
        ctx_fail(c, &err);
        return;
    }
    ctx_json(c, 200);
    report_json_write(&c->out, &r, &q.filter);
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

static const request_use followups_use = {"followups", "status"};

void analyses_followups(ctx *c)
{
    analysis_request o;
    if (request_of(c, &followups_use, &o))
        return;
    const char *st = request_other(&o, "status");
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
    genu_jw w;
    ctx_json(c, 200);
    genu_jw_doc(&w, &c->out);
    genu_jw_kstr(&w, "status", st);
    genu_jw_kdate(&w, "as_of", o.as_of);
    genu_jw_karr(&w, "followups");
    size_t count = 0, lost = 0;
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
            count++;
            /* closed more than FOLLOWUP_LOST_DAYS ago: lost, not to chase */
            bool gone = !open && o.as_of - last > FOLLOWUP_LOST_DAYS;
            lost += gone;
            char label[WORDS_MAX];
            genu_jw_obj(&w);
            genu_jw_kstr(&w, "patient", p->id);
            genu_jw_kstr(&w, "site", p->u.patient.site);
            genu_jw_kstr(&w, "knee", k->knee == GENU_KNEE_LEFT ? "left" : "right");
            genu_jw_kdate(&w, "index_date", k->index);
            genu_jw_kstr(&w, "timepoint", t.text);
            genu_jw_karr(&w, "window");
            genu_jw_date(&w, first);
            genu_jw_date(&w, last);
            genu_jw_end(&w);
            genu_jw_kstr(&w, "label", words_timepoint_text(t.text, label, sizeof label));
            genu_jw_kbool(&w, "lost", gone);
            genu_jw_end(&w);
        }
    }
    genu_jw_end(&w);
    genu_jw_ksize(&w, "count", count);
    genu_jw_ksize(&w, "lost", lost);
    genu_jw_kint(&w, "lost_after_days", FOLLOWUP_LOST_DAYS);
    genu_jw_doc_end(&w);
}
