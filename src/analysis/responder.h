/* responder: measures and responder definitions (docs/design.md, Analyses),
 * and their evaluation for one knee at one timepoint (baseline, follow-up,
 * and the count category the knee falls in). Pure over a built cohort. */
#ifndef GENU_ANALYSIS_RESPONDER_H
#define GENU_ANALYSIS_RESPONDER_H

#include <stdbool.h>

#include "analysis/cohort.h"
#include "analysis/timepoint.h"
#include "core/err.h"

/* Tolerance of every threshold comparison (x >= X − tol). */
#define RESPONDER_TOL 1e-9

/* A measure INSTRUMENT.SCORE ("koos.womac.pain_norm" = instrument "koos",
 * score key "womac.pain_norm"). */
typedef struct responder_measure {
    char name[64];       /* as written */
    char instrument[24];
    char key[40];
    bool lower_better;   /* nprs, pain_frequency, patient_global, WOMAC, sleep,
                            rom.extension_deg */
    double mcid;         /* default MCID, NAN when none is configured */
} responder_measure;

/* Parses a measure name; GENU_EINVAL 'unknown measure "koos.foo"'. */
int responder_measure_parse(const char *s, responder_measure *out, genu_err *err);

typedef enum {
    RESPONDER_IMPROVEMENT_PCT = 1, /* improvement_pct:M>=X */
    RESPONDER_CHANGE,              /* change:M>=X */
    RESPONDER_GLOBAL,              /* global_improvement>=X */
    RESPONDER_OMERACT,             /* omeract_oarsi */
    RESPONDER_MCID                 /* mcid:M */
} responder_kind;

typedef struct responder_def {
    responder_kind kind;
    responder_measure m; /* the measure (global_improvement.percent for GLOBAL;
                            unused for OMERACT) */
    double threshold;    /* X, or the MCID */
    char text[128];      /* the definition as written */
} responder_def;

/* MCIDs configured for one command (--mcid MEASURE=VALUE), read by mcid:
 * definitions before the defaults. A repeated measure replaces the earlier
 * value. */
#define RESPONDER_MAXMCID 16
typedef struct responder_mcids {
    size_t n;
    responder_measure m[RESPONDER_MAXMCID]; /* m[i].mcid is the configured value */
} responder_mcids;

void responder_mcids_init(responder_mcids *m);
/* Parses "MEASURE=VALUE": a known measure and a finite number > 0.
 * GENU_EINVAL starting "mcid: " (unknown measure, bad value, more than
 * RESPONDER_MAXMCID measures). */
int responder_mcid_set(responder_mcids *m, const char *text, genu_err *err);

/* Parses a --responder definition. Errors (GENU_EINVAL) start with
 * "responder: " and say what was expected: unknown measure, a definition
 * that does not fit its measure (improvement_pct on a higher-is-better
 * measure, mcid without a configured MCID), a malformed threshold. */
int responder_parse(const char *s, responder_def *out, genu_err *err);
/* The same with configured MCIDs (NULL: the defaults only). */
int responder_parse_with(const char *s, const responder_mcids *mcids, responder_def *out,
                         genu_err *err);

/* Where a knee stands at a timepoint (the count categories of
 * docs/design.md, Analyses "Counts", applied in this order). */
typedef enum {
    RESPONDER_CONVERTED = 1, /* replaced on or before the window's end, no usable follow-up */
    RESPONDER_NOT_EVALUABLE, /* no baseline (or baseline <= 0 for improvement_pct) */
    RESPONDER_MISSING,       /* no follow-up in the window */
    RESPONDER_EVALUATED      /* baseline and follow-up: responder or not */
} responder_status;

typedef struct responder_outcome {
    bool eligible;           /* the window has closed by the cohort's as-of */
    responder_status status;
    bool responder;          /* EVALUATED and meeting the definition */
    double baseline, followup; /* single-measure definitions, else NAN */
    double change;           /* improvement-signed follow-up − baseline, or NAN */
    genu_date followup_date; /* GENU_DATE_NONE when no follow-up */
} responder_outcome;

/* The measures evaluating d looks up, as (instrument, score key) pairs:
 * d's own measure, or every OMERACT-OARSI source. Writes up to max pairs
 * and returns how many there are. The strings are d's (borrowed as long as
 * d) or static: the pointers responder_eval passes to cohort_latest and
 * cohort_nearest, for cohort_index_measures. */
size_t responder_sources(const responder_def *d, const char **instrument, const char **key,
                         size_t max);

/* The instruments evaluating defs[0..ndef) reads: distinct, each the
 * instrument table's own (static) id, into out[0..max). Returns how many
 * there are (out holds the first max). What a lean load asks the store for
 * (docs/scaling.md). */
size_t responder_instruments(const responder_def *defs, size_t ndef, const char **out,
                             size_t max);

/* Evaluates definition d for knee k of cohort c at timepoint t. */
void responder_eval(const cohort *c, const cohort_knee *k, const responder_def *d,
                    const timepoint *t, responder_outcome *out);

#endif
