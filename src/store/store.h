/* store: the one storage interface of genu. Callers see genu_store and these
 * functions only; each backend (store_sqlite.c, later store_pg.c) fills a
 * table of operations and keeps its own SQL dialect. No backend type leaks
 * above this header.
 *
 * A store is used by one thread at a time. Writes happen inside
 * store_begin/store_commit; store_rollback undoes everything since begin. */
#ifndef GENU_STORE_STORE_H
#define GENU_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "model/record.h"

typedef struct genu_store genu_store;

/* Opens the registry at url: a file path for SQLite, or postgresql://... .
 * create=false fails with GENU_ENOTFOUND when the registry does not exist.
 * Applies pending migrations (each in its own transaction). Caller closes. */
int store_open(const char *url, bool create, genu_store **out, genu_err *err);
/* NULL is a no-op. */
void store_close(genu_store *s);

/* Schema version after migrations; backend name ("sqlite"). */
int store_schema_version(genu_store *s);
const char *store_backend(const genu_store *s);

int store_begin(genu_store *s, genu_err *err);
int store_commit(genu_store *s, genu_err *err);
void store_rollback(genu_store *s);

/* Outcome of a put. */
typedef enum { STORE_ADDED, STORE_UPDATED, STORE_UNCHANGED } store_put_result;

/* Inserts r, or replaces the stored record of the same type and id. A record
 * whose doc equals the stored one is left alone (STORE_UNCHANGED), so
 * re-importing a file is idempotent. r->doc must be set. A record other than
 * a patient must name an existing patient (GENU_ENOTFOUND otherwise). */
int store_put(genu_store *s, const genu_record *r, store_put_result *res, genu_err *err);

/* Whether a patient (or, for treatments, a treatment id) exists. */
int store_has(genu_store *s, genu_rtype type, const char *id, bool *out, genu_err *err);

/* Counts stored records of a type. */
int store_count(genu_store *s, genu_rtype type, size_t *out, genu_err *err);

/* Calls fn for every record in export order: patients by id; under each
 * patient its identity, then diagnoses, treatments, responses, adverse
 * events and exams, each by (date, knee, seq). Records carry doc and the
 * indexed fields (not the decoded scores). Stops when fn returns non-zero
 * and returns that value. skip_identity leaves identities out. */
typedef int (*store_each_fn)(const genu_record *r, void *ctx);
int store_each(genu_store *s, bool skip_identity, store_each_fn fn, void *ctx, genu_err *err);

/* Loads the analysis dataset (model/record.h): every record but identities,
 * without docs, responses with their decoded scores, into the arena. */
int store_load(genu_store *s, genu_arena *a, genu_dataset *ds, genu_err *err);

/* A string setting of the registry (e.g. "deid_key"); *out NULL when unset,
 * else in the arena. */
int store_get_setting(genu_store *s, const char *key, genu_arena *a, const char **out,
                      genu_err *err);
int store_set_setting(genu_store *s, const char *key, const char *value, genu_err *err);

#endif
