/* case: one patient's case history (docs/design.md, Analyses; docs/case.md):
 * who the patient is, the diagnoses, the history before the first visit along
 * the staged pathway, the treatment series with the intervals between
 * sessions, pain intensity and frequency per knee over time, sleep, adverse
 * events and the outcome (surgery after the first visit). Built from a loaded
 * dataset as of a date (records dated after it are invisible), then rendered
 * as the narrative a clinician would write (text) or a self-contained HTML
 * page with an inline SVG chart of each knee's NPRS over time. JSON is the
 * edges' business (io/case_json.c, for the CLI and the server). Not
 * thread-safe to build; a built history is read-only. */
#ifndef GENU_ANALYSIS_CASE_H
#define GENU_ANALYSIS_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "model/record.h"

/* Knee sets: bit 0 left, bit 1 right. */
#define CASE_LEFT  1u
#define CASE_RIGHT 2u

/* A diagnosis, merged across knees when date, condition and grade agree. */
typedef struct case_diag {
    genu_date date;
    unsigned knees;
    int condition; /* vocab_condition() */
    int kl;        /* -1: no grade */
} case_diag;

/* A treatment day of one kind (prior history, or surgery after the first
 * visit), merged across knees. */
typedef struct case_treat {
    genu_date date;
    unsigned knees;
    int kind; /* vocab_kind_find() */
} case_treat;

/* Consecutive sessions of one kind and protocol after the first visit. */
typedef struct case_series {
    int kind;
    const char *protocol; /* NULL: none recorded */
    unsigned knees;       /* union over the sessions */
    uint32_t sites;       /* union of the injection sites (vocab bits) */
    double cost;          /* summed cost, NAN when none recorded */
    const char *currency; /* of the first costed session */
    size_t nsess;
    genu_date *dates; /* session dates, ascending */
} case_series;

/* One date's measures; NAN when not recorded. [0] left, [1] right. */
typedef struct case_point {
    genu_date date;
    double nprs[2], freq[2], improvement[2];
    double sleep;  /* sleep.interrupted 1/0 */
    double nights; /* sleep.nights_per_week */
    double patient_global;
} case_point;

typedef struct case_event {
    genu_date date;
    genu_knee knee;
    const char *kind;
    int severity, serious;
} case_event;

typedef struct case_history {
    const char *id, *site;
    int sex, birth_year;
    genu_date as_of, first_visit; /* first_visit GENU_DATE_NONE: nothing dated */
    int age;                      /* at the first visit (year difference), -1 unknown */
    unsigned knees;               /* knees with any record */
    size_t ndiag, nprior, nseries, npoint, nevent, nsurgery;
    case_diag *diag;
    case_treat *prior;   /* before the first visit, by date */
    case_series *series; /* by first session */
    case_point *points;  /* by date */
    case_event *events;  /* adverse events by date */
    case_treat *surgery; /* surgery kinds after the first visit */
    genu_date died;      /* the death's date; GENU_DATE_NONE: none recorded as of */
    const char *death_cause; /* NULL: not recorded */
    /* A history in days (made so by io/deid.h deid_case, for researchers):
     * text, HTML and JSON give every date as days from index and never show
     * as_of (today, which would date day 0); an age_capped age reads "AGE
     * or over"; knee_index[0] left, [1] right are the knees' own index
     * dates (GENU_DATE_NONE: none). Case_build leaves in_days false. */
    bool in_days, age_capped;
    genu_date index;
    genu_date knee_index[2];
} case_history;

/* Room for one date as a history gives it ("2009-03-02", "day -12345"). */
#define CASE_WHEN_LEN 24

/* Builds the history of `patient` from ds (sorted as record.h says) as of
 * as_of. Everything in the arena. GENU_ENOTFOUND `no patient "X"` when the
 * dataset has no such patient; GENU_ENOMEM. */
int case_build(const genu_dataset *ds, const char *patient, genu_date as_of, genu_arena *a,
               case_history *out, genu_err *err);

/* Appends the narrative (plain text, several paragraphs, ends in a newline;
 * a patient who died ends with "Died on YYYY-MM-DD", or "Died on day N" in
 * a history in days).
 * -1 when the buffer ran out of memory. */
int case_text(const case_history *h, genu_buf *out);

/* Appends a complete HTML page: the narrative and an inline SVG chart of
 * per-knee NPRS over time with a marker at every treatment session. No
 * external resources. -1 when out of memory. */
int case_html(const case_history *h, genu_buf *out);

#endif
