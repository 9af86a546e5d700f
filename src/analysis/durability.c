/* durability: strata, competing risks and the Cox model over a cohort —
 * the glue between the cohort (who, when) and the estimators of cuminc.c
 * and cox.c, written once for the command line and the API. */
#include "analysis/durability.h"

#include "analysis/request.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int durability_competing_parse(const char *s, genu_err *err)
{
    if (strcmp(s, "death") != 0)
        return GENU_FAIL(err, GENU_EINVAL, "competing: expected death, not \"%s\"", s);
    return GENU_OK;
}

void durability_competing_knee(const cohort *c, const cohort_knee *k, survival_event ev,
                               double *time, int *state)
{
    int status;
    survival_knee(c, k, ev, NULL, time, &status);
    *state = status ? CUMINC_EVENT : CUMINC_CENSOR;
    /* nothing is recorded after a death, so an event is on or before it */
    if (!status && k->death != GENU_DATE_NONE) {
        *state = CUMINC_COMPETING;
        *time = (double)(k->death - k->index);
    }
}

static int aj_curve(const double *time, const int *state, size_t n, genu_arena *a, void *curve,
                    genu_err *err)
{
    return cuminc_aj(time, state, n, a, curve, err);
}

int durability_competing_run(const cohort *c, survival_event ev, cohort_by by, genu_arena *a,
                             durability_competing *out, genu_err *err)
{
    if (ev == SURVIVAL_LOSS)
        return GENU_FAIL(err, GENU_EINVAL,
                         "competing: only for event replacement or surgery");
    memset(out, 0, sizeof *out);
    size_t n = c->nknee;
    double *time = genu_arena_calloc(a, n + 1, sizeof *time);
    int *state = genu_arena_calloc(a, n + 1, sizeof *state);
    if (!time || !state)
        return GENU_OOM(err);
    if (cohort_strata_of(c, by, a, &out->strata, err))
        return err->code;
    out->curves = genu_arena_calloc(a, out->strata.n + 1, sizeof *out->curves);
    if (!out->curves)
        return GENU_OOM(err);
    for (size_t i = 0; i < n; i++)
        durability_competing_knee(c, &c->knees[i], ev, &time[i], &state[i]);
    if (survival_each_group(time, state, out->strata.group, n, out->strata.n, aj_curve,
                            out->curves, sizeof *out->curves, a, err))
        return err->code;
    return cuminc_gray_test(time, state, out->strata.group, n, out->strata.n, a, &out->gray, err);
}

int durability_cox_run(const cohort *c, survival_event ev, const responder_def *d,
                       const covariate_list *covs, genu_arena *a, durability_cox *out,
                       genu_err *err)
{
    if (covs->n == 0 || covs->n > COX_MAXP)
        return GENU_FAIL(err, GENU_EINVAL, "cox: expected 1 to %d covariates", COX_MAXP);
    memset(out, 0, sizeof *out);
    out->covs = *covs;
    covariate_design x;
    if (covariate_design_build(c, NULL, NULL, false, covs->id, covs->n, a, &x, err))
        return err->code;
    out->excluded_missing = x.excluded_missing;
    if (x.n == 0) {
        out->model.converged = false;
        out->model.note = "no knee has every covariate";
        for (int i = 0; i < 2; i++)
            out->model.loglik[i] = NAN;
        out->model.score_test = NAN;
        return GENU_OK;
    }
    double *time = genu_arena_calloc(a, x.n, sizeof *time);
    int *status = genu_arena_calloc(a, x.n, sizeof *status);
    size_t *cluster = genu_arena_calloc(a, x.n, sizeof *cluster);
    if (!time || !status || !cluster)
        return GENU_FAIL(err, GENU_ENOMEM, "survival: out of memory");
    /* patients numbered 0, 1, … in order of first appearance (the cohort
     * keeps a patient's knees together) */
    size_t ncluster = 0;
    for (size_t r = 0; r < x.n; r++) {
        survival_knee(c, &c->knees[x.knee[r]], ev, d, &time[r], &status[r]);
        if (r == 0 || x.cluster[r] != x.cluster[r - 1])
            ncluster++;
        cluster[r] = ncluster - 1;
    }
    cox_input in = {.n = x.n,
                    .p = x.p,
                    .x = x.x.matrix.data,
                    .time = time,
                    .status = status,
                    .cluster = cluster,
                    .ncluster = ncluster,
                    .name = x.names};
    return cox_fit(&in, a, &out->model, err);
}

int durability_request(const analysis_request *q, durability_kind *kind, covariate_list *covs,
                       genu_err *err)
{
    const char *competing = request_other(q, "competing"), *cox = request_other(q, "cox");
    memset(covs, 0, sizeof *covs);
    *kind = DURABILITY_KM;
    if (survival_request_check(q, err))
        return err->code;
    if (competing) {
        if (durability_competing_parse(competing, err))
            return err->code;
        if (q->event == SURVIVAL_LOSS)
            return GENU_FAIL(err, GENU_EINVAL,
                             "competing: only for event replacement or surgery");
        *kind = DURABILITY_COMPETING;
    }
    if (cox) {
        if (competing)
            return GENU_FAIL(err, GENU_EINVAL,
                             "cox: not with competing (the Cox model censors at death)");
        if (q->by != COHORT_BY_NONE)
            return GENU_FAIL(err, GENU_EINVAL, "cox: one model over the cohort, not with by");
        if (covariate_parse_list(cox, "cox", COV_COX_ALLOWED, -1, covs, err))
            return err->code;
        if (covs->n == 0)
            return GENU_FAIL(err, GENU_EINVAL, "cox: expected a comma list of covariates");
        *kind = DURABILITY_COX;
    }
    return GENU_OK;
}
