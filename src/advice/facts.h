/* facts: the named facts the advice rules read about one knee as of a date
 * (docs/design.md, Decision support; docs/advice.md "Facts"): conditions and
 * KL grade, the latest exam, treatments tried per stage of the staged pathway
 * with their durations and NPRS responses, the pain trajectory around the
 * first regenerative treatment, the latest injection series (whole-knee or
 * intra-articular only) and its expected cost, and the registry's responder
 * rate for similar knees.
 *
 * The catalogue of fact names and types is static; a knee's values are
 * built from a loaded dataset into an arena. Each value carries the ids of
 * the records it was read from, so a finding can be explained. Records dated
 * after the as-of date are invisible. Pure; not thread-safe to build. */
#ifndef GENU_ADVICE_FACTS_H
#define GENU_ADVICE_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "advice/summary.h"
#include "analysis/responder.h"
#include "analysis/timepoint.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "model/record.h"

typedef enum { FACTS_BOOL = 1, FACTS_NUM, FACTS_STR } facts_type;

/* How a fact reads in text for people (facts_format; JSON keeps the value):
 * a plain value, a number of days as a duration ("19 years"), vocabulary
 * codes as their labels ("bone marrow aspirate, PRP"), an NPRS change in
 * points with its direction ("4 points better"). */
typedef enum { FACTS_PLAIN = 0, FACTS_DAYS, FACTS_CODES, FACTS_POINTS } facts_unit;

/* One entry of the catalogue. `values` lists the allowed values of an
 * enumerated string fact, space-separated ("none mild marked"), else NULL. */
typedef struct facts_def {
    const char *name;
    facts_type type;
    const char *values;
    const char *doc;
    facts_unit unit;
} facts_def;

/* Number of facts in the catalogue; the entry at i (i < facts_count()). */
size_t facts_count(void);
const facts_def *facts_at(size_t i);
/* Index of the fact named s[0..n), or -1. */
int facts_find(const char *s, size_t n);
/* Whether v is one of def's allowed values (always true without a list). */
bool facts_value_allowed(const facts_def *def, const char *v, size_t n);

/* A fact's value for one knee. Unknown (known == false) when the record
 * does not say: not examined, no NPRS, no KL grade. */
typedef struct facts_value {
    bool known;
    bool b;
    double d;
    const char *s;
    genu_date date;           /* date of the deciding record, GENU_DATE_NONE if none */
    size_t nrec;
    const char *const *recs;  /* ids of the records it was read from */
} facts_value;

/* How the registry's similar knees are counted (rules file settings). */
typedef struct facts_similar_cfg {
    responder_def def; /* default improvement_pct:nprs.intensity>=50 */
    timepoint at;      /* default 6m */
    size_t min;        /* fewer analysed knees than this: "too few"; default 10 */
} facts_similar_cfg;

/* Fills cfg with the defaults above. */
void facts_similar_defaults(facts_similar_cfg *cfg);

/* The similar-knee summary, also exposed as similar.* facts. */
typedef struct facts_similar {
    bool computed;        /* false when the knee has no KL grade */
    const char *band;     /* "0-2", "3", "4"; NULL when not computed */
    const char *family;   /* "cells", "prp", "prolotherapy", "regenerative" */
    const char *kinds;    /* the family's kinds, comma-separated (--index-kinds) */
    size_t analysed, responders, min;
    double rate, lo, hi;  /* NAN when nothing was analysed */
    bool enough;          /* analysed >= min */
    const char *summary;  /* one sentence for messages */
} facts_similar;

/* All facts of one knee. v has facts_count() entries. */
typedef struct facts {
    const char *patient;
    genu_knee knee;
    genu_date as_of;
    facts_value *v;
    facts_similar similar;
} facts;

/* Builds the facts of knee `knee` of patient index `pat` in ds (sorted as
 * record.h says) as of as_of. Similar knees are counted over the whole
 * dataset, leaving out this patient. Everything in the arena.
 * GENU_ENOMEM; GENU_EINVAL when pat is out of range. */
int facts_build(const genu_dataset *ds, size_t pat, genu_knee knee, genu_date as_of,
                const facts_similar_cfg *cfg, genu_arena *a, facts *out, genu_err *err);

/* facts_build with the registry's figures — similar knees, the next step,
 * a protocol's sessions and cost — from sum (summary.h, built for as_of and
 * cfg) rather than from ds's other patients: ds needs to hold only patient
 * pat. The facts are those facts_build gives over the registry sum was
 * built from. sum NULL is facts_build. */
int facts_build_from(const genu_dataset *ds, size_t pat, genu_knee knee, genu_date as_of,
                     const facts_similar_cfg *cfg, const summary *sum, genu_arena *a, facts *out,
                     genu_err *err);

/* The summary (summary.h) of every patient of ds as of as_of, for the
 * similar knees of cfg, labelled `label` (borrowed, as are strings of ds:
 * ds must outlive it). In the arena; GENU_ENOMEM. */
int facts_summarize(const genu_dataset *ds, genu_date as_of, const facts_similar_cfg *cfg,
                    const char *label, genu_arena *a, summary *out, genu_err *err);

/* Index of the patient with external id `id` in ds, or -1. */
long facts_find_patient(const genu_dataset *ds, const char *id);

/* The knees of patient pat with any knee-level record dated on or before
 * as_of: bit 0 left, bit 1 right. */
unsigned facts_knees(const genu_dataset *ds, size_t pat, genu_date as_of);

/* v as text for people (messages, the text form's "because"): "unknown",
 * "yes"/"no", a number with at most one decimal, or the string; in words
 * as the fact's unit says (days as a duration, codes as labels, a change of
 * points with its direction). Result in the arena. */
const char *facts_format(const facts_def *def, const facts_value *v, genu_arena *a);

#endif
