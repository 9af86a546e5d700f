/* covariates: the per-knee covariates and exposures of the adjusted
 * analyses (docs/analysis.md, "Covariates"; docs/design.md, Analyses
 * "Adjusted comparisons"), the parsing of their comma lists (--adjust,
 * --exposure, --cox) and the design matrix a model is fitted on.
 * Pure over a built cohort; results in the arena given. */
#ifndef GENU_ANALYSIS_COVARIATES_H
#define GENU_ANALYSIS_COVARIATES_H

#include <stdbool.h>
#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "analysis/cohort.h"
#include "core/arena.h"
#include "core/err.h"

/* Every covariate and exposure, in the order docs/analysis.md lists them.
 * The value of each for knee k (NAN: missing):
 * - AGE: age at index (index year − birth year);
 * - FEMALE: 1 for sex female, 0 for male, else missing;
 * - BMI: weight_kg / (height_cm / 100)² of the patient record;
 * - KL: the KL grade 0–4 behind the kl stratum, missing when unknown;
 * - BASELINE: the responder definition's baseline value (given by the
 *   caller: improvement_pct, change and mcid definitions only);
 * - BILATERAL: 1 when the patient's other knee is also in the cohort;
 * - WHOLE_KNEE: 1 for index sites whole_knee, 0 for intra_articular_only,
 *   missing for other;
 * - EARLY_OA: 1 for KL 0–2, 0 for KL 3–4, missing when unknown. */
typedef enum {
    COV_AGE = 0,
    COV_FEMALE,
    COV_BMI,
    COV_KL,
    COV_BASELINE,
    COV_BILATERAL,
    COV_WHOLE_KNEE,
    COV_EARLY_OA,
    COV_N
} covariate_id;

/* "age", "female", ... (static). */
const char *covariate_name(covariate_id id);

/* Which names each option accepts (bit i = covariate_id i). */
#define COV_BIT(id) (1u << (id))
/* --adjust: every covariate but early_oa. */
#define COV_ADJUST_ALLOWED                                                                     \
    (COV_BIT(COV_AGE) | COV_BIT(COV_FEMALE) | COV_BIT(COV_BMI) | COV_BIT(COV_KL) |             \
     COV_BIT(COV_BASELINE) | COV_BIT(COV_BILATERAL) | COV_BIT(COV_WHOLE_KNEE))
/* --exposure: whole_knee or early_oa. */
#define COV_EXPOSURE_ALLOWED (COV_BIT(COV_WHOLE_KNEE) | COV_BIT(COV_EARLY_OA))
/* --cox: the covariates but baseline, plus early_oa. */
#define COV_COX_ALLOWED                                                                        \
    (COV_BIT(COV_AGE) | COV_BIT(COV_FEMALE) | COV_BIT(COV_BMI) | COV_BIT(COV_KL) |             \
     COV_BIT(COV_BILATERAL) | COV_BIT(COV_WHOLE_KNEE) | COV_BIT(COV_EARLY_OA))

/* A list of covariates in the order given. */
typedef struct covariate_list {
    size_t n;
    covariate_id id[COV_N];
} covariate_list;

/* Parses one name of the set `allowed` for option `option` ("exposure").
 * GENU_EINVAL '--exposure: unknown covariate "x" (expected whole_knee or
 * early_oa)'. */
int covariate_parse_one(const char *s, const char *option, unsigned allowed, covariate_id *out,
                        genu_err *err);

/* Parses a comma list ("age,female,bmi") of names of the set `allowed` for
 * option `option` ("adjust", "cox"). exposure is the exposure the list
 * adjusts, or -1. GENU_EINVAL naming the option and the bad name: an
 * unknown or disallowed name, an empty name, a repeated name, a covariate
 * that repeats the exposure ("a covariate may not repeat the exposure":
 * the exposure itself, or kl with early_oa), kl together with early_oa. An
 * empty string is an empty list. */
int covariate_parse_list(const char *s, const char *option, unsigned allowed, int exposure,
                         covariate_list *out, genu_err *err);

/* The value of covariate id for knee c->knees[i]; baseline is the knee's
 * baseline value (used by COV_BASELINE only; NAN when it has none). NAN
 * when missing. */
double covariate_value(const cohort *c, size_t i, covariate_id id, double baseline);

/* A design matrix: one row per knee kept, the columns an optional
 * intercept (a column of 1) then the covariates in the order given. */
typedef struct covariate_design {
    size_t n, p;            /* rows, columns */
    size_t excluded_missing; /* candidate knees left out for a missing value */
    gsl_matrix_view x;      /* n × p, data in the arena (x.matrix; n ≥ 1) */
    size_t *knee;           /* row → index in c->knees */
    size_t *cluster;        /* row → the knee's patient (dataset index) */
    const char **names;     /* column → "intercept", "age", ... (static) */
} covariate_design;

/* Builds the design over the knees i of c with member[i] true (member NULL:
 * every knee), in cohort order, leaving out (and counting) a knee with a
 * missing value of any of the ncols covariates. baseline[i] is knee i's
 * baseline (NULL: none, so COV_BASELINE is missing everywhere). When no knee
 * remains, n = 0 and x is a 1 × p matrix of zeros (never read).
 * GENU_ENOMEM. */
int covariate_design_build(const cohort *c, const bool *member, const double *baseline,
                           bool intercept, const covariate_id *cols, size_t ncols, genu_arena *a,
                           covariate_design *out, genu_err *err);

#endif
