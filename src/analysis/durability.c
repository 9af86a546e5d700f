/* durability: strata, competing risks and the Cox model over a cohort —
 * the glue between the cohort (who, when) and the estimators of cuminc.c
 * and cox.c, written once for the command line and the API. */
#include "analysis/durability.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int durability_strata_make(const cohort *c, cohort_by by, genu_arena *a, durability_strata *out,
                           genu_err *err)
{
    size_t n = c->nknee;
    const char **label = genu_arena_calloc(a, n + 1, sizeof *label);
    const char **names = genu_arena_calloc(a, n + 1, sizeof *names);
    size_t *group = genu_arena_calloc(a, n + 1, sizeof *group);
    if (!label || !names || !group)
        return GENU_FAIL(err, GENU_ENOMEM, "survival: out of memory");
    for (size_t i = 0; i < n; i++)
        if (!(names[i] = label[i] = cohort_stratum(c, &c->knees[i], by, a)))
            return GENU_FAIL(err, GENU_ENOMEM, "survival: out of memory");
    qsort(names, n, sizeof *names, cmp_name);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || strcmp(names[i], names[k - 1]) != 0)
            names[k++] = names[i];
    for (size_t i = 0; i < n; i++)
        group[i] = (size_t)((const char **)bsearch(&label[i], names, k, sizeof *names, cmp_name) -
                            names);
    out->n = k;
    out->names = names;
    out->group = group;
    return GENU_OK;
}

int durability_competing_parse(const char *s, genu_err *err)
{
    if (strcmp(s, "death") != 0)
        return GENU_FAIL(err, GENU_EINVAL, "--competing: expected death, not \"%s\"", s);
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

int durability_competing_run(const cohort *c, survival_event ev, cohort_by by, genu_arena *a,
                             durability_competing *out, genu_err *err)
{
    if (ev == SURVIVAL_LOSS)
        return GENU_FAIL(err, GENU_EINVAL,
                         "--competing: only for --event replacement or surgery");
    memset(out, 0, sizeof *out);
    size_t n = c->nknee;
    double *time = genu_arena_calloc(a, n + 1, sizeof *time);
    double *st = genu_arena_calloc(a, n + 1, sizeof *st);
    int *state = genu_arena_calloc(a, n + 1, sizeof *state);
    int *ss = genu_arena_calloc(a, n + 1, sizeof *ss);
    if (!time || !st || !state || !ss)
        return GENU_FAIL(err, GENU_ENOMEM, "survival: out of memory");
    if (durability_strata_make(c, by, a, &out->strata, err))
        return err->code;
    out->curves = genu_arena_calloc(a, out->strata.n + 1, sizeof *out->curves);
    if (!out->curves)
        return GENU_FAIL(err, GENU_ENOMEM, "survival: out of memory");
    for (size_t i = 0; i < n; i++)
        durability_competing_knee(c, &c->knees[i], ev, &time[i], &state[i]);
    for (size_t g = 0; g < out->strata.n; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (out->strata.group[i] == g) {
                st[m] = time[i];
                ss[m++] = state[i];
            }
        if (cuminc_aj(st, ss, m, a, &out->curves[g], err))
            return err->code;
    }
    return cuminc_gray_test(time, state, out->strata.group, n, out->strata.n, a, &out->gray, err);
}

int durability_cox_run(const cohort *c, survival_event ev, const responder_def *d,
                       const covariate_list *covs, genu_arena *a, durability_cox *out,
                       genu_err *err)
{
    if (covs->n == 0 || covs->n > COX_MAXP)
        return GENU_FAIL(err, GENU_EINVAL, "--cox: expected 1 to %d covariates", COX_MAXP);
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
