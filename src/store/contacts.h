/* contacts: the (patient, day, knee, types) list of a lean load
 * (model/record.h genu_dataset.contacts), built from rows each backend reads
 * with its own query and shared here: patient ids to indexes, sorting, and
 * merging the days several record types share. */
#ifndef GENU_STORE_CONTACTS_H
#define GENU_STORE_CONTACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "model/record.h"
#include "store/store.h"

typedef struct store_contacts {
    const genu_dataset *ds; /* its patients are loaded, sorted by id */
    /* malloc'd while building: v[0..nmerged) the types done so far, merged
     * and sorted; v[nmerged..n) the current type's, deduplicated as they
     * come (rows arrive sorted, or `unsorted` is set) */
    genu_contact *v;
    size_t n, cap, nmerged;
    bool unsorted;
    char last[128]; /* the previous row's patient id ("" none): rows come by patient */
    uint32_t last_pat;
    /* the previous row's day and knee as text, and type (-1 none): a row
     * equal to it is the same contact, known without parsing */
    char last_day[16];
    int last_knee, last_type;
} store_contacts;

void store_contacts_init(store_contacts *b, const genu_dataset *ds);
/* One row of a record of type `type`: its patient id, date (YYYY-MM-DD)
 * and knee ("left", "right" or NULL), as the registry stores them.
 * GENU_EIO for a patient missing from ds or a bad date, GENU_ENOMEM. */
int store_contacts_add(store_contacts *b, int type, const char *patient, const char *date,
                       const char *knee, genu_err *err);
/* One loaded record's day (none when it has no date). */
int store_contacts_add_record(store_contacts *b, const genu_record *r, genu_err *err);
/* The days of the records of `type` already in ds (a type loaded whole). */
int store_contacts_of_loaded(store_contacts *b, int type, genu_err *err);
/* Ends a type's rows: merges them into the days of the types before. */
int store_contacts_end_type(store_contacts *b, genu_err *err);
/* Sorts and merges into ds->contacts (in the arena) and frees b's buffer. */
int store_contacts_finish(store_contacts *b, genu_arena *a, genu_dataset *ds, genu_err *err);
void store_contacts_free(store_contacts *b);

/* A backend's rows of every distinct (patient, date, knee) of table t, each
 * given to store_contacts_add, best in that order (patient ids as strcmp
 * orders them, no knee first): then nothing has to be sorted. */
typedef int (*store_contacts_rows_fn)(void *ctx, int t, store_contacts *b, genu_err *err);
/* ds->contacts of a lean load with scope, built in b (store_contacts_init
 * before the load, which may have added the days of the treatments it
 * read: store_keeper) and freed: the days of the types loaded whole from
 * ds, of the others from rows (NULL: b has them already,
 * store_contacts_rows); in the scope's arrays arena. */
int store_contacts_load(const store_scope *scope, store_contacts_rows_fn rows, void *ctx,
                        store_contacts *b, genu_arena *a, genu_dataset *ds, genu_err *err);
/* Only the days store_contacts_load reads from rows, into b (a backend may
 * read them on another connection, beside the load). */
int store_contacts_rows(const store_scope *scope, store_contacts_rows_fn rows, void *ctx,
                        store_contacts *b, genu_err *err);
/* Merges other's days into b's, and frees other. */
int store_contacts_absorb(store_contacts *b, store_contacts *other, genu_err *err);
/* A load's days read beside it: a second reader, on a connection of its
 * own in a thread of its own, fills days from rows (store_contacts_rows)
 * and sets done when it finished. */
typedef struct store_days_beside {
    const store_scope *scope;
    store_contacts days; /* patients' ids from the load's dataset, loaded */
    bool done;
    genu_err err;
} store_days_beside;
/* store_contacts_load after such a reader (started: it ran): its days when
 * it finished, else read from rows now; its days and b freed either way.
 * Does nothing but free them when rc is an error or the scope wants no
 * days; returns rc or the load's result. */
int store_contacts_load_beside(const store_scope *scope, bool started, store_days_beside *beside,
                               store_contacts_rows_fn rows, void *ctx, store_contacts *b,
                               genu_arena *a, genu_dataset *ds, int rc, genu_err *err);

/* The record types whose days are contacts: every dated type but messages
 * (an unanswered message is not contact) and identities. */
#define STORE_CONTACT_TYPES                                                                   \
    ((1u << GENU_REC_DIAGNOSIS) | (1u << GENU_REC_TREATMENT) | (1u << GENU_REC_RESPONSE) |   \
     (1u << GENU_REC_ADVERSE_EVENT) | (1u << GENU_REC_EXAM) | (1u << GENU_REC_DEATH))

#endif
