/* synth: the synthetic registry model of `genu synth` (docs/synth.md). It
 * writes a whole registry in the JSON Lines format of docs/format.md: patients
 * of a knee-arthritis clinic, their diagnoses with Kellgren-Lawrence grades,
 * their history along the staged pathway, a regenerative injection series per
 * treated knee, outcome trajectories with waning effects and attrition,
 * conversions to surgery, adverse events and exams, and deaths by an
 * age-dependent (Gompertz) law, with nothing of a patient after the death.
 *
 * Generation is deterministic: the same options give byte-identical output on
 * one platform. Each patient draws from its own xoshiro256** stream seeded
 * from (seed, patient number), so the first N patients of a larger cohort are
 * the cohort of N. No record is dated after opts->as_of. Every parameter of
 * the model lives in one static table (synth_param_at). Pure apart from the
 * emit callback; thread-safe. */
#ifndef GENU_SYNTH_SYNTH_H
#define GENU_SYNTH_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"

/* Explicit RNG state (xoshiro256**, seeded through splitmix64). */
typedef struct synth_rng {
    uint64_t s[4];
} synth_rng;

void synth_rng_seed(synth_rng *r, uint64_t seed);
/* splitmix64: the next value of the sequence at *x (a seed's mixer). */
uint64_t synth_rng_mix(uint64_t *x);
uint64_t synth_rng_next(synth_rng *r);
/* Uniform in [0, 1). */
double synth_rng_uniform(synth_rng *r);
/* Standard normal (Box-Muller, no cached second value). */
double synth_rng_normal(synth_rng *r);

#define SYNTH_MAX_PARAMS 128

typedef struct synth_opts {
    uint64_t seed;
    size_t patients;
    int start_year;        /* first visits fall in [start_year-01-01, as_of] */
    genu_date as_of;       /* nothing is dated after it */
    const char *id_prefix; /* patient ids are prefix + 6 digits; NULL: "S" */
    /* the model's parameters for this run, indexed like synth_param_at (an
     * array of SYNTH_MAX_PARAMS): NULL, or NAN in an entry, keeps the
     * table's value (docs/synth.md, --set) */
    const double *values;
} synth_opts;

/* Receives one JSON line (n bytes, no newline, NUL-terminated, borrowed for
 * the call). A non-zero return stops generation and is returned. */
typedef int (*synth_emit_fn)(const char *line, size_t n, void *ctx);

/* Generates the registry. GENU_EINVAL when start_year is after the as-of
 * year or outside 1900..9999; GENU_ENOMEM; else the emit callback's first
 * non-zero return. */
int synth_generate(const synth_opts *o, synth_emit_fn emit, void *ctx, genu_err *err);

/* One model parameter: its name, value, unit and why it has that value. */
typedef struct synth_param {
    const char *name;
    double value;
    const char *unit;
    const char *rationale;
} synth_param;

size_t synth_param_count(void);
/* i < synth_param_count(); static. */
const synth_param *synth_param_at(size_t i);
/* The value of the parameter called name; GENU_ENOTFOUND when unknown. */
int synth_param_find(const char *name, double *out, genu_err *err);
/* The index of the parameter called name (for synth_opts.values), or -1. */
int synth_param_index(const char *name);

#endif
