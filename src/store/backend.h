/* backend: the table of operations a storage backend implements (the shape
 * of sqlite3_io_methods). Private to src/store; callers use store.h. */
#ifndef GENU_STORE_BACKEND_H
#define GENU_STORE_BACKEND_H

#include "store/store.h"

typedef struct store_ops {
    const char *name;
    void (*close)(genu_store *s);
    int (*schema_version)(genu_store *s);
    int (*begin)(genu_store *s, genu_err *err);
    int (*commit)(genu_store *s, genu_err *err);
    void (*rollback)(genu_store *s);
    int (*savepoint)(genu_store *s, genu_err *err);
    int (*release)(genu_store *s, genu_err *err);
    void (*rollback_to)(genu_store *s);
    /* The record policy (store/policy.c) runs on these primitives, inside
     * a write transaction it opened: insert_new stores r when no record of
     * its type has its id, audits the creation and sets *added (false, and
     * nothing written, when the id exists); stored_doc reads the doc of
     * (type, id), NULL when absent, into a; update replaces the stored
     * record; remove deletes (type, id), GENU_ECONFLICT while other
     * records refer to it. */
    int (*insert_new)(genu_store *s, const genu_record *r, bool *added, genu_err *err);
    int (*stored_doc)(genu_store *s, genu_rtype type, const char *id, genu_arena *a,
                      const char **doc, genu_err *err);
    int (*update)(genu_store *s, const genu_record *r, genu_err *err);
    int (*remove)(genu_store *s, genu_rtype type, const char *id, genu_err *err);
    /* optional: NULL means store_put_many calls store_put for each record */
    int (*put_many)(genu_store *s, const genu_record *const *recs, size_t n,
                    store_put_result *res, size_t *failed, genu_err *err);
    /* optional (store_stage_new): new records without audit rows, their
     * references checked at commit; NULL when the backend cannot */
    int (*stage_new)(genu_store *s, const genu_record *const *recs, size_t n, bool *all_new,
                     genu_err *err);
    /* optional (store_stage_audit; digests may be NULL, or hold NULLs): NULL
     * means an audit row at a time */
    int (*stage_audit)(genu_store *s, const genu_record *const *recs,
                       const store_digest *const *digests, size_t n, genu_err *err);
    /* optional (store_cache_limit): NULL when the backend keeps no cache */
    int (*cache_limit)(genu_store *s, size_t bytes, genu_err *err);
    int (*has)(genu_store *s, genu_rtype type, const char *id, bool *out, genu_err *err);
    int (*count)(genu_store *s, genu_rtype type, size_t *out, genu_err *err);
    int (*each)(genu_store *s, bool skip_identity, store_each_fn fn, void *ctx, genu_err *err);
    int (*load)(genu_store *s, const store_scope *scope, genu_arena *a, genu_dataset *ds,
                genu_err *err);
    int (*get_setting)(genu_store *s, const char *key, genu_arena *a, const char **out,
                       genu_err *err);
    /* keep: insert only when absent (an existing value stays) */
    int (*set_setting)(genu_store *s, const char *key, const char *value, bool keep,
                       genu_err *err);
    int (*get)(genu_store *s, genu_rtype type, const char *id, genu_arena *a, genu_record *out,
               genu_err *err);
    int (*user_put)(genu_store *s, const store_user *u, int64_t *id, genu_err *err);
    int (*user_get)(genu_store *s, const char *name, int64_t id, genu_arena *a, store_user *out,
                    genu_err *err);
    int (*user_list)(genu_store *s, genu_arena *a, store_user **out, size_t *n, genu_err *err);
    int (*session_put)(genu_store *s, const char *token_hash, int64_t user, const char *csrf,
                       int64_t expires_us, int64_t ends_us, genu_err *err);
    int (*session_touch)(genu_store *s, const char *token_hash, int64_t until_us,
                         int64_t slack_us, genu_err *err);
    int (*session_get)(genu_store *s, const char *token_hash, int64_t now_us, genu_arena *a,
                       int64_t *user, const char **csrf, genu_err *err);
    int (*session_delete)(genu_store *s, const char *token_hash, genu_err *err);
    int (*survey_put)(genu_store *s, const store_survey *v, genu_err *err);
    int (*survey_get)(genu_store *s, const char *token_hash, genu_arena *a, store_survey *out,
                      genu_err *err);
    int (*survey_use)(genu_store *s, const char *token_hash, int64_t now_us, genu_err *err);
    int (*audit_list)(genu_store *s, int64_t after_seq, size_t limit, genu_arena *a,
                      store_audit_row **rows, size_t *n, genu_err *err);
    int (*audit_verify)(genu_store *s, int64_t *broken, size_t *checked, char *why,
                        size_t whylen, genu_err *err);
    int (*backup)(genu_store *s, const char *path, genu_err *err);
    int (*list)(genu_store *s, genu_rtype type, const store_query *q, genu_arena *a,
                genu_record **out, size_t *n, size_t *total, genu_err *err);
    /* For changes made above the backend (store_setting.c): a write
     * transaction unless one is open (*own says whether it was opened, and
     * write_end commits or, on rc != 0, rolls back only what it opened),
     * and one row of the audit trail inside it. */
    int (*write_begin)(genu_store *s, bool *own, genu_err *err);
    int (*write_end)(genu_store *s, bool own, int rc, genu_err *err);
    int (*audit)(genu_store *s, const char *action, const char *type, const char *id,
                 const char *before, const char *after, genu_err *err);
    /* optional: whether the database answered the last use (NULL: always,
     * as an in-process SQLite file does) */
    bool (*connected)(genu_store *s);
} store_ops;

/* The audit row of an account change (store/policy.c), through ops->audit. */
int store_audit_user(genu_store *s, const char *action, const store_user *u, int64_t id,
                     genu_err *err);

/* How many records a page of a list can hold: the query's limit, or fewer
 * when the total says so (a page is allocated before its rows are read). */
static inline size_t store_page_len(const store_query *q, size_t total)
{
    size_t left = total > q->offset ? total - q->offset : 0;
    return q->limit < left ? q->limit : left;
}

/* Every backend's handle starts with this. */
struct genu_store {
    const store_ops *ops;
    char actor[128]; /* who changes things: audited with every write; "system" at open */
};

/* Whether a load with scope (NULL = everything) reads type t whole. */
static inline bool store_scope_whole(const store_scope *scope, int t)
{
    return !scope || ((scope->every >> t) & 1u);
}

/* A dataset indexes patients with 32 bits (model/record.h): GENU_EINVAL
 * for a load of more patients than that. */
static inline int store_check_count(int type, size_t n, genu_err *err)
{
    if (type == GENU_REC_PATIENT && n > UINT32_MAX)
        return GENU_FAIL(err, GENU_EINVAL, "registry: more than %lu patients",
                         (unsigned long)UINT32_MAX);
    return GENU_OK;
}

/* The index in ds->recs[GENU_REC_PATIENT] (loaded, sorted by id) of the
 * patient whose id is id; false when there is none. *pat is also the hint:
 * rows that come by patient find theirs at once: the hint's, or the one after. */
bool store_patient_at(const genu_dataset *ds, const char *id, uint32_t *pat);

/* In a load with scope->index_kinds: keeps of r[0..n), one patient's
 * treatments in dataset order, those the scope asks for (store.h), moved
 * to the front in the same order; returns how many. */
size_t store_keep_index_treatments(const store_scope *scope, genu_record *r, size_t n);

/* Applies store_keep_index_treatments to a table's rows as they are read,
 * a patient's rows together and by day: after placing recs[*k] (its pat
 * set), store_keeper_row(&kp, recs, k, err) sets *k to the next free
 * index; after the last row, store_keeper_end the count. The days of every
 * row read, kept or not, go to `days` when the scope asks for contacts
 * (store_contacts_load then reads no treatment days). For any other load
 * both just count. GENU_ENOMEM. */
struct store_contacts;
typedef struct store_keeper {
    const store_scope *scope;    /* NULL: keep every row */
    struct store_contacts *days; /* NULL: none asked for */
    size_t run;                  /* recs[run..k): the current patient's rows */
} store_keeper;
void store_keeper_init(store_keeper *kp, const store_scope *scope, int type,
                       struct store_contacts *days);
int store_keeper_row(store_keeper *kp, genu_record *recs, size_t *k, genu_err *err);
int store_keeper_end(store_keeper *kp, genu_record *recs, size_t *k, genu_err *err);

/* The arena a load with scope puts its record arrays in. */
static inline genu_arena *store_scope_arrays(const store_scope *scope, genu_arena *a)
{
    return scope && scope->arrays ? scope->arrays : a;
}

/* How a backend's open treats the schema: OPEN refuses a registry whose
 * schema is older than this genu's (genu migrate upgrades it), CREATE
 * makes the schema in an empty database, MIGRATE applies the pending
 * migrations, all in one transaction. OPEN and CREATE are false and true,
 * so the older `bool create` callers keep their meaning. READ checks the
 * schema as OPEN does and makes every transaction of the handle read-only
 * (store_open_read; PostgreSQL only). */
enum { STORE_MODE_OPEN = 0, STORE_MODE_CREATE = 1, STORE_MODE_MIGRATE = 2, STORE_MODE_READ = 3 };

/* Whether a registry of schema version v (0: none) may be opened for mode
 * by a genu whose migrations make version latest: GENU_OK, else
 * GENU_ENOTFOUND (no registry) or GENU_ENOTSUP (newer; older outside
 * MIGRATE) with the message. Both backends' rule (store.c). */
int store_check_version(int v, int latest, int mode, genu_err *err);

/* Fault injection for the tests only: when the environment variable
 * GENU_TEST_FAIL_MIGRATION is set, a migration run fails after applying
 * its migrations, before it commits (tests/e2e/upgrade.sh). */
#define STORE_FAIL_MIGRATION_ENV "GENU_TEST_FAIL_MIGRATION"

/* SQLite backend (store_sqlite.c). With backup (MIGRATE only), the
 * registry is first copied as it is into that new file; *from (may be
 * NULL) gets the schema version found. */
int store_sqlite_open(const char *path, int mode, const char *backup, int *from,
                      genu_store **out, genu_err *err);
/* The newest schema version each backend's migrations make. */
int store_sqlite_schema_latest(void);
int store_pg_schema_latest(void);

#endif
