/* cohort: who enters an analysis (docs/design.md, Analyses "Cohort and
 * index"). Applies the as-of cut-off (records dated after it are invisible),
 * finds each knee's index date and index treatment, applies the cohort
 * filters, picks one knee per patient for --unit patient, labels strata
 * (--by), and finds the responses analyses read (baseline, follow-up).
 *
 * A cohort borrows its dataset: the dataset must outlive it. Everything else
 * lives in the arena given to cohort_build. Not thread-safe to build; a
 * built cohort is read-only and may be shared. */
#ifndef GENU_ANALYSIS_COHORT_H
#define GENU_ANALYSIS_COHORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "model/record.h"

#define COHORT_NFILTER 16

/* Cohort filters. Values are borrowed from the strings given to
 * cohort_filter_set (argv, usually). */
typedef struct cohort_filter {
    const char *site;     /* NULL: any */
    int sex;              /* vocab_sex(), -1: any */
    int age_lo, age_hi;   /* age at index, both ends included; -1: any */
    int condition;        /* vocab_condition(), -1: any */
    int kl_lo, kl_hi;     /* KL grade at index, both ends included; -1: any */
    int kind;             /* vocab kind on the index day, -1: any */
    const char *protocol; /* a protocol on the index day, NULL: any */
    int sites;            /* vocab_sites_class of the index day, -1: any */
    int index_year;       /* 0: any */
    uint32_t index_kinds; /* bit k = vocab kind k; 0: the regenerative kinds */
    /* The filters as given, in order of first appearance (for echoing). */
    size_t nset;
    const char *name[COHORT_NFILTER];  /* "kl", "index-kinds", ... */
    const char *value[COHORT_NFILTER]; /* "0-2", ... */
} cohort_filter;

void cohort_filter_init(cohort_filter *f);
/* True when name ("kl", without dashes) is a cohort filter option. */
bool cohort_filter_known(const char *name);
/* The filter's own (static) name for name, which may write '_' for '-'
 * ("index_kinds" is "index-kinds"); NULL when not a filter. */
const char *cohort_filter_name(const char *name);
/* Sets filter `name` (without dashes) from its text. A repeated filter
 * replaces the earlier value. GENU_EINVAL "kl: expected ..." on a bad
 * value or an unknown name. */
int cohort_filter_set(cohort_filter *f, const char *name, const char *value, genu_err *err);

typedef enum { COHORT_UNIT_KNEE = 0, COHORT_UNIT_PATIENT } cohort_unit;
/* "knee" or "patient"; GENU_EINVAL "unit: expected knee or patient". */
int cohort_unit_parse(const char *s, cohort_unit *out, genu_err *err);

typedef enum {
    COHORT_BY_NONE = 0,
    COHORT_BY_KL,
    COHORT_BY_SITES,
    COHORT_BY_KIND,
    COHORT_BY_PROTOCOL,
    COHORT_BY_SEX,
    COHORT_BY_SITE,
    COHORT_BY_AGE_BAND
} cohort_by;
/* kl, sites, kind, protocol, sex, site, age_band; GENU_EINVAL "by: ...". */
int cohort_by_parse(const char *s, cohort_by *out, genu_err *err);
/* "kl", ...; NULL for COHORT_BY_NONE. Static. */
const char *cohort_by_name(cohort_by by);

/* One entered knee. */
typedef struct cohort_knee {
    size_t pat;            /* patient index in the dataset */
    genu_knee knee;        /* left or right */
    genu_date index;       /* date of its first treatment of an index kind */
    uint32_t index_kinds;  /* kinds on the index day (of any kind, bit k) */
    uint32_t sites;        /* union of the index day's injection sites */
    const char *protocols; /* index day's protocols, sorted, unique, "+"-joined; NULL: none */
    int kl;                /* KL grade at index (docs/analysis.md), -1 unknown */
    int age;               /* index year − birth year, -1 unknown */
    genu_date replaced;    /* first replacement after index, GENU_DATE_NONE: none */
    genu_date surgery;     /* first surgery of any kind after index, or NONE */
    genu_date last_contact;/* latest record of the knee or patient (on or before as-of);
                              GENU_DATE_NONE from a partial dataset (record.h) */
    genu_date death;       /* the patient's death (on or before as-of), or NONE */
} cohort_knee;

typedef struct cohort {
    const genu_dataset *ds; /* borrowed */
    genu_date as_of;
    cohort_unit unit;
    uint32_t index_kinds;   /* the kinds that index (bit k = vocab kind k) */
    size_t nknee;
    cohort_knee *knees;     /* by patient index, then left before right */
    /* Per patient p and record type t, the visible records of p are
     * ds->recs[t][lo[t][p] .. hi[t][p]) (hi excludes those after as_of). */
    uint32_t *lo[GENU_REC_NTYPES], *hi[GENU_REC_NTYPES]; /* cohort_build checks the sizes */
    /* Likewise ds->contacts[clo[p] .. chi[p]) when the dataset has contacts
     * (a lean load, model/record.h); NULL otherwise. */
    uint32_t *clo, *chi;
    /* NULL (as cohort_build leaves it): measure lookups scan the patient's
     * responses. Else an index from cohort_index_measures, which they read
     * for the measures and knees it covers (same answers, faster). */
    const struct cohort_mindex *mindex;
} cohort;

/* Whether knee k had a response of any instrument (knee-level or the
 * patient's) dated in [from, to] and before `before` (exclusive;
 * GENU_DATE_NONE: no limit). Reads the contacts of a lean dataset. */
bool cohort_any_response(const cohort *c, const cohort_knee *k, genu_date from, genu_date to,
                         genu_date before);

/* The kinds whose first treatment enters a knee under f (bit k = vocab kind
 * k): f's index_kinds, or the regenerative kinds. A lean load asks for the
 * treatments these need (store_scope.index_kinds); cohort_build then wants
 * ds->index_kinds 0 or equal to them. */
uint32_t cohort_index_kinds(const cohort_filter *f);

/* Builds the cohort of ds as of as_of under filter f. ds must be sorted as
 * record.h says (GENU_EINVAL otherwise). Results in the arena. */
int cohort_build(const genu_dataset *ds, const cohort_filter *f, cohort_unit unit,
                 genu_date as_of, genu_arena *a, cohort *out, genu_err *err);

/* The stratum label of knee k for `by` (docs/design.md, Analyses): kl
 * "0-2"/"3-4"/"unknown"; sites "whole_knee"/"intra_articular_only"/"other";
 * kind the index day's kinds sorted and joined with "+"; protocol likewise
 * ("none" when none); sex; site; age_band "50-59" ("unknown" without a birth
 * year); "all" for COHORT_BY_NONE. In the arena or static; NULL only when out
 * of memory. */
const char *cohort_stratum(const cohort *c, const cohort_knee *k, cohort_by by, genu_arena *a);

/* Measure lookups over the responses that apply to knee k: its knee-level
 * responses and the patient's patient-level ones, of `instrument`, with a
 * non-null score `key`, dated in [from, to] and before `before` (exclusive;
 * GENU_DATE_NONE: no limit). Several on one date: the one recorded last
 * (highest seq) counts. Return the record (borrowed) and its value, or NULL. */
/* The latest such response. */
const genu_record *cohort_latest(const cohort *c, const cohort_knee *k, const char *instrument,
                                 const char *key, genu_date from, genu_date to,
                                 genu_date before, double *value);
/* The one nearest `target`; on a tie in distance, the earlier. */
const genu_record *cohort_nearest(const cohort *c, const cohort_knee *k, const char *instrument,
                                  const char *key, genu_date from, genu_date to,
                                  genu_date before, genu_date target, double *value);

/* An index, per entered knee, of the responses that carry some measures:
 * for each measure, the ones cohort_latest and cohort_nearest would look
 * at, one per date (the one recorded last), in date order. Analyses that
 * ask for the same measures many times (a report: definitions × timepoints
 * × knees) build it once. */
typedef struct cohort_mindex cohort_mindex;

/* The cohort's knees grouped by a stratum field (`by`): the distinct
 * labels sorted by name, and each knee's group (an index into names). */
typedef struct cohort_strata {
    size_t n;
    const char **names;
    size_t *group; /* per knee, in cohort order */
} cohort_strata;
/* Fills s in the arena; GENU_ENOMEM when out of memory. */
int cohort_strata_of(const cohort *c, cohort_by by, genu_arena *a, cohort_strata *s,
                     genu_err *err);

/* Indexes the n measures (instrument[i], key[i]) of c's knees; a measure
 * may be given more than once (under other pointers). The strings are
 * borrowed for the index's life: lookups that pass these very pointers skip
 * comparing strings. To use it, set mindex on a copy of c (the copy's knees
 * are c's, so that lookups know the knee): a built cohort stays read-only.
 * In the arena; GENU_ENOMEM, or GENU_EINVAL for more than 64 measures. */
int cohort_index_measures(const cohort *c, const char *const *instrument, const char *const *key,
                          size_t n, genu_arena *a, const cohort_mindex **out, genu_err *err);

#endif
