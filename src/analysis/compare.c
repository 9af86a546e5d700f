/* compare: crude and adjusted comparisons of a responder rate between the
 * levels of an exposure (docs/analysis.md, "Adjusted comparisons"). */
#include "analysis/compare.h"

#include <math.h>
#include <string.h>

#include "analysis/stats.h"

int compare_spec_set(compare_spec *s, const char *exposure, const char *adjust, genu_err *err)
{
    if (!exposure || !*exposure)
        return GENU_FAIL(err, GENU_EINVAL, "--exposure: expected whole_knee or early_oa");
    int rc = covariate_parse_one(exposure, "exposure", COV_EXPOSURE_ALLOWED, &s->exposure, err);
    if (rc)
        return rc;
    rc = covariate_parse_list(adjust ? adjust : "", "adjust", COV_ADJUST_ALLOWED,
                              (int)s->exposure, &s->adjust, err);
    if (rc)
        return rc;
    bool has_baseline = s->def.kind == RESPONDER_IMPROVEMENT_PCT ||
                        s->def.kind == RESPONDER_CHANGE || s->def.kind == RESPONDER_MCID;
    for (size_t i = 0; i < s->adjust.n; i++)
        if (s->adjust.id[i] == COV_BASELINE && !has_baseline)
            return GENU_FAIL(err, GENU_EINVAL,
                             "--adjust: \"baseline\" needs an improvement_pct, change or mcid "
                             "definition (\"%s\" has no baseline of one measure)",
                             s->def.text);
    return GENU_OK;
}

static void group_rate(compare_group *g)
{
    g->rate = g->n ? (double)g->responders / (double)g->n : NAN;
}

static void note(compare_result *r, const char *text)
{
    if (r->nnote < COMPARE_MAXNOTE)
        r->note[r->nnote++] = text;
}

/* The logistic fit and what is derived from it. */
static int fit(const covariate_design *d, const double *y, genu_arena *a, compare_result *r,
               genu_err *err)
{
    logistic_fit f;
    int rc = logistic_fit_glm(&d->x.matrix, y, d->cluster, a, &f, err);
    if (rc)
        return rc;
    r->converged = f.converged;
    if (!f.converged) {
        note(r, f.note);
        return GENU_OK;
    }
    for (size_t j = 0; j < r->nterm; j++) {
        compare_term *t = &r->terms[j];
        double lo, hi, p;
        logistic_wald(&f, j, &lo, &hi, &p);
        t->coef = f.coef[j];
        t->odds_ratio = exp(f.coef[j]);
        t->std_err = f.se_robust[j];
        t->std_err_model = f.se_model[j];
        t->lo = exp(lo);
        t->hi = exp(hi);
        t->p = p;
    }
    return logistic_standardise(&d->x.matrix, &f, 1, &r->standardised, err);
}

int compare_run(const cohort *c, const compare_spec *s, genu_arena *a, compare_result *out,
                genu_err *err)
{
    compare_result r;
    memset(&r, 0, sizeof r);
    r.crude_difference = r.crude_lo = r.crude_hi = NAN;
    r.standardised = (logistic_std){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    size_t nk = c->nknee ? c->nknee : 1;
    bool *member = genu_arena_calloc(a, nk, sizeof *member);
    double *baseline = genu_arena_calloc(a, nk, sizeof *baseline);
    bool *responder = genu_arena_calloc(a, nk, sizeof *responder);
    if (!member || !baseline || !responder)
        return GENU_FAIL(err, GENU_ENOMEM, "compare: out of memory");
    /* the claim's analysed knees: converted ones are non-responders */
    for (size_t i = 0; i < c->nknee; i++) {
        responder_outcome o;
        responder_eval(c, &c->knees[i], &s->def, &s->at, &o);
        baseline[i] = o.baseline;
        member[i] = o.eligible &&
                    (o.status == RESPONDER_CONVERTED || o.status == RESPONDER_EVALUATED);
        responder[i] = o.status == RESPONDER_EVALUATED && o.responder;
        r.analysed += member[i];
    }
    covariate_id cols[COV_N + 1];
    size_t ncols = 0;
    cols[ncols++] = s->exposure;
    for (size_t j = 0; j < s->adjust.n; j++)
        cols[ncols++] = s->adjust.id[j];
    covariate_design d;
    int rc = covariate_design_build(c, member, baseline, true, cols, ncols, a, &d, err);
    if (rc)
        return rc;
    r.excluded_missing = d.excluded_missing;
    r.n = d.n;
    r.nterm = d.p;
    r.terms = genu_arena_calloc(a, d.p, sizeof *r.terms);
    double *y = genu_arena_calloc(a, d.n ? d.n : 1, sizeof *y);
    if (!r.terms || !y)
        return GENU_FAIL(err, GENU_ENOMEM, "compare: out of memory");
    for (size_t j = 0; j < d.p; j++) {
        compare_term *t = &r.terms[j];
        t->term = d.names[j];
        t->coef = t->odds_ratio = t->std_err = t->std_err_model = t->lo = t->hi = t->p = NAN;
    }
    for (size_t row = 0; row < d.n; row++) {
        y[row] = responder[d.knee[row]] ? 1.0 : 0.0;
        compare_group *g = gsl_matrix_get(&d.x.matrix, row, 1) == 1.0 ? &r.exposed : &r.unexposed;
        g->n++;
        g->responders += responder[d.knee[row]];
    }
    group_rate(&r.exposed);
    group_rate(&r.unexposed);
    stats_newcombe(r.exposed.responders, r.exposed.n, r.unexposed.responders, r.unexposed.n,
                   STATS_Z95, &r.crude_difference, &r.crude_lo, &r.crude_hi);
    if (r.exposed.n == 0 || r.unexposed.n == 0) {
        note(&r, r.n == 0 ? "no analysed knee has the exposure and every covariate: nothing "
                            "to compare"
                 : r.exposed.n == 0 ? "no knee is exposed: nothing to compare"
                                    : "no knee is unexposed: nothing to compare");
    } else if ((rc = fit(&d, y, a, &r, err)) != GENU_OK) {
        return rc;
    }
    if (c->unit == COHORT_UNIT_PATIENT)
        for (size_t j = 0; j < s->adjust.n; j++)
            if (s->adjust.id[j] == COV_BILATERAL)
                note(&r, "with --unit patient the other knee is never in the cohort: "
                         "bilateral is 0 for every knee");
    *out = r;
    return GENU_OK;
}
