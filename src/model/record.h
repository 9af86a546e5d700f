/* record: the clinical record types (docs/design.md, Domain) as plain C
 * structs, the analysis dataset, and the compact text form of computed scores.
 *
 * Strings in records are borrowed: whoever built the record (an arena, the
 * store's loader) owns them. `doc` is the record's canonical exchange line
 * (JSON Lines, docs/format.md), produced and read only by io; lower layers
 * carry it as opaque text so export reproduces exactly what was imported,
 * `extra` included. */
#ifndef GENU_MODEL_RECORD_H
#define GENU_MODEL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "model/vocab.h"

typedef enum {
    GENU_REC_PATIENT = 0,
    GENU_REC_IDENTITY,
    GENU_REC_DIAGNOSIS,
    GENU_REC_TREATMENT,
    GENU_REC_RESPONSE,
    GENU_REC_ADVERSE_EVENT,
    GENU_REC_EXAM,
    GENU_REC_MESSAGE,
    GENU_REC_DEATH,
    GENU_REC_NTYPES
} genu_rtype;

/* "patient", "identity", ... as in the `type` field; -1 when unknown. */
int record_type_find(const char *s);
const char *record_type_name(genu_rtype t);

typedef struct genu_patient {
    const char *site;
    int sex; /* vocab_sex() */
    int birth_year;
    double height_cm, weight_kg; /* NAN when not recorded */
} genu_patient;

/* language ("en") and contact ("email", "sms" or "none": how the patient
 * wants follow-up invitations, docs/followup.md) are read from the doc by
 * io; the store's columns hold the others. */
typedef struct genu_identity {
    const char *name, *date_of_birth, *email, *phone; /* NULL when absent */
    const char *language, *contact;                   /* NULL when absent */
} genu_identity;

typedef struct genu_diagnosis {
    int condition; /* vocab_condition() */
    int kl_grade;  /* 0..4, -1 when no radiograph */
} genu_diagnosis;

typedef struct genu_treatment {
    int kind;             /* vocab_kind_find() */
    const char *protocol; /* NULL when absent */
    uint32_t sites;       /* VOCAB site bits */
    double cost;          /* NAN when no cost recorded */
    const char *currency; /* NULL when no cost recorded */
    const char *clinician;
} genu_treatment;

/* One computed score. value is NAN when the score is null. key is the
 * instrument's score name, derived scores with a dot: "pain",
 * "womac.pain_norm", "koos_jr". */
typedef struct genu_score {
    const char *key;
    double value;
} genu_score;

typedef struct genu_response {
    const char *instrument; /* instrument id, "koos" */
    int version;            /* scoring version the scores were computed with */
    size_t nscores;
    const genu_score *scores;
    size_t nnotes;
    const char *const *notes;
} genu_response;

typedef struct genu_adverse_event {
    const char *kind;
    int severity; /* 1..5 */
    int serious;  /* 0/1 */
    const char *treatment; /* related treatment id, NULL when none */
} genu_adverse_event;

/* -1 = not examined. Levels index the vocab tables. */
typedef struct genu_exam {
    int8_t swelling, locking, unable_to_straighten, unable_to_bend, instability, deformity,
        recent_trauma_pop, pain_at_rest;
} genu_exam;

/* A follow-up message to a patient (docs/followup.md): an invitation or
 * reminder sent for some of the patient's open follow-up windows, or an
 * opt-out. Codes index the vocab message tables (model/vocab.h). The
 * windows it covers live in the doc ("followups"), read by the follow-up
 * layer. */
typedef struct genu_message {
    int kind;    /* vocab_message_kind(): invitation, reminder, opt_out */
    int channel; /* vocab_message_channel(): email, sms, web, staff */
    int status;  /* vocab_message_status(): pending, sending, sent, failed, abandoned, recorded */
    int attempts;
} genu_message;

/* The patient died on the record's date (patient-level: no knee). A death
 * ends follow-up and is the competing risk of every knee event
 * (docs/analysis.md). cause is free text, NULL when not recorded. */
typedef struct genu_death {
    const char *cause;
} genu_death;

/* The fields are ordered so that the struct packs (96 bytes): a registry's
 * dataset holds millions. */
typedef struct genu_record {
    genu_rtype type;
    genu_knee knee;      /* GENU_KNEE_NONE for patient-level records */
    genu_date date;      /* GENU_DATE_NONE for patient and identity */
    uint32_t pat;        /* in a dataset: index of the patient in ds->recs[PATIENT] */
    const char *id;      /* record id; a patient's own id; identity: the patient id */
    const char *patient; /* owning patient id (== id for patients) */
    int64_t seq;         /* order in which the record was stored */
    const char *doc;     /* canonical exchange line, no newline; may be NULL in datasets */
    union {
        genu_patient patient;
        genu_identity identity;
        genu_diagnosis diagnosis;
        genu_treatment treatment;
        genu_response response;
        genu_adverse_event adverse_event;
        genu_exam exam;
        genu_message message;
        genu_death death;
    } u;
} genu_record;

/* Everything an analysis reads, loaded by the store: one array per type.
 * Patients are sorted by id; other records by (patient index, date, seq), and
 * each record's `pat` is set. Identities are never loaded here. */
/* A day on which a patient has some record (contacts below). */
typedef struct genu_contact {
    uint32_t pat;   /* index in ds->recs[PATIENT] */
    genu_date date;
    int8_t knee;    /* genu_knee; GENU_KNEE_NONE for a patient-level record */
    uint16_t types; /* bit t: a record of type t on that day (for that knee) */
} genu_contact;

typedef struct genu_dataset {
    size_t n[GENU_REC_NTYPES];
    genu_record *recs[GENU_REC_NTYPES];
    /* A lean load (store_scope.contacts) leaves some records out — responses
     * of instruments nobody asked for, exams, adverse events — and keeps
     * instead every dated record's (patient, day, knee, type), one entry per
     * distinct (patient, day, knee) with the types OR-ed, sorted by (pat,
     * date, knee): what last contact and "any response" need. NULL (0) when
     * the dataset holds every record: then they are read from the records. */
    size_t ncontacts;
    genu_contact *contacts;
    /* A lean load without contacts: records left out and their days not
     * known, so last contact cannot be told (the cohort leaves it
     * GENU_DATE_NONE). Enough for what reads no last contact (claims). */
    bool partial;
    /* Not 0: only the treatments an analysis entering knees on these kinds
     * reads (store_scope.index_kinds), with or without every one of these
     * kinds (index_costs). */
    uint32_t index_kinds;
    bool index_costs;
} genu_dataset;

/* The dataset's order within a type (qsort): patient index, date, then
 * entry order (seq). record_dataset_sorted: whether r[0..n) is in it. */
int record_dataset_cmp(const void *x, const void *y);
bool record_dataset_sorted(const genu_record *r, size_t n);

/* Score value for key in r (a response), or NAN when absent or null. */
double record_score(const genu_record *r, const char *key);
bool record_has_score(const genu_record *r, const char *key);

/* Scores as text: one "key value" pair per line, value the 16 lower-case hex
 * digits of the double's IEEE 754 bits, or "null".
 * Encoded into a malloc'd string the caller frees; decoded into the arena.
 * A decoded key equal to one of keys[0..nkeys) (the instrument's static score
 * names) points there; other keys are copied into the arena. */
char *record_scores_encode(const genu_score *s, size_t n);
int record_scores_decode(const char *text, const char *const *keys, size_t nkeys, genu_arena *a,
                         genu_score **out, size_t *n, genu_err *err);
/* Notes as text: one note per line (notes never hold a newline). */
char *record_notes_encode(const char *const *notes, size_t n);
int record_notes_decode(const char *text, genu_arena *a, const char *const **out, size_t *n,
                        genu_err *err);

#endif
