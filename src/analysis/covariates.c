/* covariates: per-knee covariates, their lists and the design matrix
 * (docs/analysis.md, "Covariates"). */
#include "analysis/covariates.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/vocab.h"

static const char *const names[COV_N] = {
    "age", "female", "bmi", "kl", "baseline", "bilateral", "whole_knee", "early_oa",
};

const char *covariate_name(covariate_id id)
{
    return (unsigned)id < COV_N ? names[id] : "?";
}

/* "age, female or bmi": the allowed names, for messages. */
static void allowed_text(unsigned allowed, char *out, size_t size)
{
    size_t n = 0, total = 0;
    for (int i = 0; i < COV_N; i++)
        total += (allowed >> i) & 1u;
    out[0] = '\0';
    for (int i = 0; i < COV_N; i++) {
        if (!((allowed >> i) & 1u))
            continue;
        size_t at = strlen(out);
        const char *sep = n == 0 ? "" : n + 1 == total ? " or " : ", ";
        snprintf(out + at, size - at, "%s%s", sep, names[i]);
        n++;
    }
}

static int find(const char *s, size_t len)
{
    for (int i = 0; i < COV_N; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
            return i;
    return -1;
}

int covariate_parse_one(const char *s, const char *option, unsigned allowed, covariate_id *out,
                        genu_err *err)
{
    int id = find(s, strlen(s));
    if (id < 0 || !((allowed >> id) & 1u)) {
        char list[160];
        allowed_text(allowed, list, sizeof list);
        return GENU_FAIL(err, GENU_EINVAL, "--%s: unknown covariate \"%s\" (expected %s)", option,
                         s, list);
    }
    *out = (covariate_id)id;
    return GENU_OK;
}

int covariate_parse_list(const char *s, const char *option, unsigned allowed, int exposure,
                         covariate_list *out, genu_err *err)
{
    covariate_list l = {0};
    char list[160];
    allowed_text(allowed, list, sizeof list);
    for (const char *p = s; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0)
            return GENU_FAIL(err, GENU_EINVAL,
                             "--%s: expected a comma-separated list of covariates (%s), "
                             "found an empty name",
                             option, list);
        int id = find(p, len);
        if (id < 0 || !((allowed >> id) & 1u))
            return GENU_FAIL(err, GENU_EINVAL, "--%s: unknown covariate \"%.*s\" (expected %s)",
                             option, (int)len, p, list);
        if (id == exposure || (exposure == COV_EARLY_OA && id == COV_KL) ||
            (exposure == COV_KL && id == COV_EARLY_OA))
            return GENU_FAIL(err, GENU_EINVAL,
                             "--%s: \"%s\": a covariate may not repeat the exposure \"%s\"",
                             option, names[id], names[exposure]);
        for (size_t i = 0; i < l.n; i++) {
            if ((int)l.id[i] == id)
                return GENU_FAIL(err, GENU_EINVAL, "--%s: \"%s\" is repeated", option,
                                 names[id]);
            if ((l.id[i] == COV_KL && id == COV_EARLY_OA) ||
                (l.id[i] == COV_EARLY_OA && id == COV_KL))
                return GENU_FAIL(err, GENU_EINVAL,
                                 "--%s: \"kl\" and \"early_oa\" are the same grade: give one",
                                 option);
        }
        l.id[l.n++] = (covariate_id)id;
        if (!comma)
            break;
        p = comma + 1;
        if (!*p)
            return GENU_FAIL(err, GENU_EINVAL,
                             "--%s: expected a comma-separated list of covariates (%s), "
                             "found an empty name",
                             option, list);
    }
    *out = l;
    return GENU_OK;
}

double covariate_value(const cohort *c, size_t i, covariate_id id, double baseline)
{
    const cohort_knee *k = &c->knees[i];
    const genu_patient *p = &c->ds->recs[GENU_REC_PATIENT][k->pat].u.patient;
    switch (id) {
    case COV_AGE:
        return k->age >= 0 ? (double)k->age : NAN;
    case COV_FEMALE: {
        const char *sex = p->sex >= 0 ? vocab_sex_name(p->sex) : NULL;
        if (sex && strcmp(sex, "female") == 0)
            return 1.0;
        if (sex && strcmp(sex, "male") == 0)
            return 0.0;
        return NAN;
    }
    case COV_BMI:
        /* isfinite: NAN when either is absent; a recorded 0 height is no height */
        if (!isfinite(p->height_cm) || !isfinite(p->weight_kg) || p->height_cm <= 0.0)
            return NAN;
        return p->weight_kg / ((p->height_cm / 100.0) * (p->height_cm / 100.0));
    case COV_KL:
        return k->kl >= 0 ? (double)k->kl : NAN;
    case COV_BASELINE:
        return baseline;
    case COV_BILATERAL:
        /* a patient's knees are adjacent in the cohort */
        return (i > 0 && c->knees[i - 1].pat == k->pat) ||
                       (i + 1 < c->nknee && c->knees[i + 1].pat == k->pat)
                   ? 1.0
                   : 0.0;
    case COV_WHOLE_KNEE:
        switch (vocab_sites_classify(k->sites)) {
        case VOCAB_SITES_WHOLE_KNEE:
            return 1.0;
        case VOCAB_SITES_IA_ONLY:
            return 0.0;
        default:
            return NAN;
        }
    case COV_EARLY_OA:
        return k->kl < 0 ? NAN : k->kl <= 2 ? 1.0 : 0.0;
    case COV_N:
        break;
    }
    return NAN;
}

int covariate_design_build(const cohort *c, const bool *member, const double *baseline,
                           bool intercept, const covariate_id *cols, size_t ncols, genu_arena *a,
                           covariate_design *out, genu_err *err)
{
    covariate_design d;
    memset(&d, 0, sizeof d);
    d.p = ncols + (intercept ? 1 : 0);
    size_t rows = c->nknee ? c->nknee : 1, p = d.p ? d.p : 1;
    double *x = rows <= SIZE_MAX / p ? genu_arena_calloc(a, rows * p, sizeof *x) : NULL;
    d.knee = genu_arena_calloc(a, rows, sizeof *d.knee);
    d.cluster = genu_arena_calloc(a, rows, sizeof *d.cluster);
    d.names = genu_arena_calloc(a, p, sizeof *d.names);
    if (!x || !d.knee || !d.cluster || !d.names)
        return GENU_FAIL(err, GENU_ENOMEM, "covariates: out of memory");
    size_t col = 0;
    if (intercept)
        d.names[col++] = "intercept";
    for (size_t j = 0; j < ncols; j++)
        d.names[col++] = covariate_name(cols[j]);
    for (size_t i = 0; i < c->nknee; i++) {
        if (member && !member[i])
            continue;
        double *row = &x[d.n * d.p];
        bool complete = true;
        col = 0;
        if (intercept)
            row[col++] = 1.0;
        for (size_t j = 0; j < ncols && complete; j++) {
            double v = covariate_value(c, i, cols[j], baseline ? baseline[i] : NAN);
            complete = isfinite(v);
            row[col++] = v;
        }
        if (!complete) {
            memset(row, 0, d.p * sizeof *row);
            d.excluded_missing++;
            continue;
        }
        d.knee[d.n] = i;
        d.cluster[d.n] = c->knees[i].pat;
        d.n++;
    }
    d.x = gsl_matrix_view_array(x, d.n ? d.n : 1, p);
    *out = d;
    return GENU_OK;
}
