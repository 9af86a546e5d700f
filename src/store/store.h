/* store: the one storage interface of genu. Callers see genu_store and these
 * functions only; each backend (store_sqlite.c, store_pg.c) fills a
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
 * create=false fails with GENU_ENOTFOUND when the registry does not exist
 * and with GENU_ENOTSUP when its schema is older than this genu's (migrations
 * are explicit: store_migrate); create=true makes the schema in an empty
 * registry. Caller closes. */
int store_open(const char *url, bool create, genu_store **out, genu_err *err);
/* Opens an existing registry for reading only: every transaction on the
 * handle is read-only, so a write through it fails and changes nothing.
 * For a PostgreSQL hot standby (a read replica, docs/scaling.md), whose
 * schema version is checked as store_open checks the primary's.
 * PostgreSQL only: GENU_ENOTSUP for a SQLite path. Caller closes. */
int store_open_read(const char *url, genu_store **out, genu_err *err);
/* NULL is a no-op. */
void store_close(genu_store *s);
/* Whether the database answered s's last use: false after a PostgreSQL
 * connection was lost and could not be made again (the next use tries
 * again). Always true on SQLite. */
bool store_connected(genu_store *s);
/* Whether url names a PostgreSQL registry (postgresql:// or postgres://). */
bool store_url_is_pg(const char *url);

/* Applies the registry's pending migrations, all in one transaction: a
 * failure leaves it as it was. With backup (SQLite only; GENU_ENOTSUP on
 * PostgreSQL, which pg_dump backs up), the registry is first copied as it
 * is into that new file. *from and *to get the schema versions before and
 * after (equal when nothing was pending). */
int store_migrate(const char *url, const char *backup, int *from, int *to, genu_err *err);
/* The schema version this genu's migrations make (both backends). */
int store_schema_latest(void);

/* Schema version after migrations; backend name ("sqlite"). */
int store_schema_version(genu_store *s);
const char *store_backend(const genu_store *s);

int store_begin(genu_store *s, genu_err *err);
int store_commit(genu_store *s, genu_err *err);
void store_rollback(genu_store *s);

/* A savepoint inside the transaction opened by store_begin (one level): what
 * is done after store_savepoint is kept by store_release or undone by
 * store_rollback_to, which leaves the transaction usable even after a failed
 * statement, so one bad write of a batch does not spoil the others. The
 * audit chain's head follows. */
int store_savepoint(genu_store *s, genu_err *err);
int store_release(genu_store *s, genu_err *err);
void store_rollback_to(genu_store *s);

/* Outcome of a put. */
typedef enum { STORE_ADDED, STORE_UPDATED, STORE_UNCHANGED } store_put_result;

/* Inserts r, or replaces the stored record of the same type and id. A record
 * whose doc equals the stored one is left alone (STORE_UNCHANGED), so
 * re-importing a file is idempotent. r->doc must be set. A record other than
 * a patient must name an existing patient (GENU_ENOTFOUND otherwise). */
int store_put(genu_store *s, const genu_record *r, store_put_result *res, genu_err *err);

/* store_put of recs[0..n) in order, with the same outcomes in res[0..n), in
 * fewer round trips where the backend can (PostgreSQL sends them in
 * pipelines; SQLite, in process, simply loops). On failure *failed is the
 * index of the record that failed (n when none in particular did) and the
 * transaction can only be rolled back. Meant for use between store_begin
 * and store_commit. */
int store_put_many(genu_store *s, const genu_record *const *recs, size_t n,
                   store_put_result *res, size_t *failed, genu_err *err);

/* Staging, for an import that checks its records while it parses them
 * (io/jsonl.c): inside the transaction of store_begin, store_stage_new
 * stores recs[0..n) in order as new records without their audit rows (the
 * reference of each to its patient is checked at commit, not at once), and
 * sets *all_new false, stopping there, at the first whose id is already
 * stored: the caller then rolls the transaction back and puts its records
 * the ordinary way. store_stage_audit then writes the creation rows of the
 * staged records, in the order given, as store_put would have written
 * them; digests, when not NULL, holds each doc's store_doc_digest computed
 * beforehand (by the import's parsing threads), NULL where it was not.
 * store_can_stage: whether the backend stages at all. */
bool store_can_stage(const genu_store *s);
/* The SHA-256 of a record's doc, which its creation's audit row records. */
typedef struct store_digest {
    uint8_t b[32];
} store_digest;
void store_doc_digest(const char *doc, store_digest *out);
int store_stage_new(genu_store *s, const genu_record *const *recs, size_t n, bool *all_new,
                    genu_err *err);
int store_stage_audit(genu_store *s, const genu_record *const *recs,
                      const store_digest *const *digests, size_t n, genu_err *err);

/* Keeps this handle's cache of database pages under about bytes (SQLite's
 * cache_size; the default is 64 MiB, for imports and loads). A server with
 * a handle per worker thread caps each, so that its resident memory does
 * not grow with the pages its requests happen to read. PostgreSQL caches
 * in the server: nothing to do. */
int store_cache_limit(genu_store *s, size_t bytes, genu_err *err);

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

/* What a partial load holds: the records of the types in `every` (a mask of
 * 1u << type) for the whole registry, and of the other types only those of
 * `patient` (its own patient record included). A case history needs one
 * patient ({id, 0}); decision support needs one patient and the registry's
 * patients and treatments. */
typedef struct store_scope {
    const char *patient;
    unsigned every;
    /* Responses of these instruments (static strings, an instrument's id)
     * for the whole registry, when responses are not in `every`. */
    const char *const *instruments;
    size_t ninstruments;
    /* Fill ds->contacts (model/record.h) from every record type. */
    bool contacts;
    /* Leave out what analyses never read: the ids of records other than
     * patients (NULL), staff names (a treatment's clinician) and notes. */
    bool lean;
    /* Treatments as an analysis that enters knees on these kinds reads
     * them (bit k = vocab kind k; 0: every treatment, as otherwise): per
     * knee, those on the day of its first treatment of one of these kinds,
     * and every replacement or surgery; with index_costs also every
     * treatment of these kinds (what cost bills read). Patient-level
     * treatments are left out. Sets ds->index_kinds (model/record.h). */
    uint32_t index_kinds;
    bool index_costs;
    /* Where the record arrays and contacts go; NULL: the load's arena,
     * with the strings. Apart, they can be freed before the strings
     * (http/dscache.c keeps strings across versions of a dataset). */
    genu_arena *arrays;
} store_scope;
/* store_load restricted to scope (NULL = everything), in the same order and
 * form: each patient's records are exactly those store_load would give. */
int store_load_scope(genu_store *s, const store_scope *scope, genu_arena *a, genu_dataset *ds,
                     genu_err *err);

/* A string setting of the registry (e.g. "deid_key"); *out NULL when unset,
 * else in the arena. */
int store_get_setting(genu_store *s, const char *key, genu_arena *a, const char **out,
                      genu_err *err);
int store_set_setting(genu_store *s, const char *key, const char *value, genu_err *err);
/* store_set_setting only when key has no value yet (a value stored
 * meanwhile by another process stays): for secrets made on first use. */
int store_add_setting(genu_store *s, const char *key, const char *value, genu_err *err);
/* store_set_setting for a setting an administrator changes (io/settings.h),
 * audited: action create or update, type "setting", id key, before and
 * after {"value":"..."}, in the caller's transaction or its own.
 * *changed false (nothing written) when the value is the stored one.
 * (store_set_setting itself is not audited: it also keeps secrets.) */
int store_put_setting(genu_store *s, const char *key, const char *value, genu_arena *a,
                      bool *changed, genu_err *err);

/* A page of records of one type, docs included, in export order. */
typedef struct store_query {
    const char *patient; /* records of this patient only (not for patients) */
    const char *sites;   /* patients: comma-separated sites to keep; NULL = all */
    const char *search;  /* patients: id prefix; NULL = all */
    size_t offset, limit;
    /* other types with patient NULL: the records of every patient, by
     * (patient, date, knee, seq) — for whole-registry jobs over small
     * tables (identities, messages); false lists nothing without patient */
    bool every_patient;
} store_query;

/* Fills *out with up to q->limit records (in the arena) and *total with the
 * number matching the query. */
int store_list(genu_store *s, genu_rtype type, const store_query *q, genu_arena *a,
               genu_record **out, size_t *n, size_t *total, genu_err *err);

/* ---- changes: reading one record, deleting, and the actor ---- */

/* Every change made through this handle is written to the audit trail under
 * this actor ("user:alice", "cli:import"); copied. Default "system". */
int store_set_actor(genu_store *s, const char *actor, genu_err *err);

/* One record by type and id, doc included, strings in the arena.
 * GENU_ENOTFOUND when absent. */
int store_get(genu_store *s, genu_rtype type, const char *id, genu_arena *a, genu_record *out,
              genu_err *err);

/* Deletes a record (audited). A patient with records of its own is refused
 * with GENU_ECONFLICT. GENU_ENOTFOUND when absent. */
int store_delete(genu_store *s, genu_rtype type, const char *id, genu_err *err);

/* ---- accounts, sessions and survey links (server) ---- */

typedef struct store_user {
    int64_t id;
    const char *name;
    const char *role;   /* admin, clinician, researcher, patient */
    const char *sites;  /* comma-separated sites the user may see; "" = every site */
    const char *pwhash; /* Argon2id string (crypto_pwhash_str) */
    bool disabled;
} store_user;

/* Inserts a user, or updates the one with the same name (audited without the
 * password hash); an update ends every session of the user (a new password,
 * a disabled account or a narrower role takes effect at once). *id receives
 * its id. */
int store_user_put(genu_store *s, const store_user *u, int64_t *id, genu_err *err);
/* By name when name is not NULL, else by id. GENU_ENOTFOUND when absent. */
int store_user_get(genu_store *s, const char *name, int64_t id, genu_arena *a, store_user *out,
                   genu_err *err);
int store_user_list(genu_store *s, genu_arena *a, store_user **out, size_t *n, genu_err *err);

/* Sessions are stored by the hash of their token only. A session expires
 * at expires_us unless store_session_touch moves that on, never past
 * ends_us (its absolute end). */
int store_session_put(genu_store *s, const char *token_hash, int64_t user, const char *csrf,
                      int64_t expires_us, int64_t ends_us, genu_err *err);
/* A session in use: its expiry moves to until_us (at most its end), when
 * that is more than slack_us later than the expiry it has (so a session
 * read many times a minute is written at most once a minute). */
int store_session_touch(genu_store *s, const char *token_hash, int64_t until_us,
                        int64_t slack_us, genu_err *err);
/* GENU_ENOTFOUND when absent or expired at now_us. */
int store_session_get(genu_store *s, const char *token_hash, int64_t now_us, genu_arena *a,
                      int64_t *user, const char **csrf, genu_err *err);
int store_session_delete(genu_store *s, const char *token_hash, genu_err *err);

typedef struct store_survey {
    const char *token_hash;
    const char *patient;
    genu_knee knee;          /* GENU_KNEE_NONE for patient-level surveys */
    const char *instruments; /* comma-separated instrument ids */
    const char *timepoint;   /* "12m", or NULL */
    int64_t created_us, expires_us, used_us; /* used_us 0 while unused */
    int64_t created_by;                      /* user id */
} store_survey;

int store_survey_put(genu_store *s, const store_survey *v, genu_err *err);
/* GENU_ENOTFOUND when there is no such link. */
int store_survey_get(genu_store *s, const char *token_hash, genu_arena *a, store_survey *out,
                     genu_err *err);
/* Marks the link used at now_us, once: GENU_ECONFLICT when it was used. */
int store_survey_use(genu_store *s, const char *token_hash, int64_t now_us, genu_err *err);

/* ---- the audit trail ---- */

/* Appends an event that changes no record to the audit trail, under the
 * store's actor, in the caller's transaction or its own: action
 * ("sign_in", "sign_in_failed", "create"), type ("session", "survey_link",
 * "secret"), id (what it is about) and detail (a JSON object, or NULL).
 * Never a password, token or secret value. */
int store_audit_event(genu_store *s, const char *action, const char *type, const char *id,
                      const char *detail, genu_err *err);

/* One change: who, when, what, before and after (docs; NULL for none), and
 * the SHA-256 chain (hex): hash = H(prev, seq, at, actor, action, type, id,
 * before, after). */
typedef struct store_audit_row {
    int64_t seq, at_us;
    const char *actor, *action, *type, *id, *before, *after, *prev, *hash;
} store_audit_row;

/* Up to limit rows with seq > after_seq, oldest first. */
int store_audit_list(genu_store *s, int64_t after_seq, size_t limit, genu_arena *a,
                     store_audit_row **rows, size_t *n, genu_err *err);

/* Recomputes the chain. *broken = 0 when intact, else the seq of the first
 * row that does not verify (-1 when rows are missing at the end); why says
 * what is wrong. *checked = rows verified. */
int store_audit_verify(genu_store *s, int64_t *broken, size_t *checked, char *why, size_t whylen,
                       genu_err *err);

/* Consistent online copy of the registry into path (a new file). */
int store_backup(genu_store *s, const char *path, genu_err *err);

#endif
