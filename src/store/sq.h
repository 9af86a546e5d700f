/* sq: what the SQLite backend's files share. Private to src/store. */
#ifndef GENU_STORE_SQ_H
#define GENU_STORE_SQ_H

#include <sqlite3.h>

#include "core/hash.h"
#include "store/backend.h"

#define NT GENU_REC_NTYPES

/* store_sqlite_admin.c's cached statements. */
enum {
    SQ_ST_SET_HEAD,
    SQ_ST_USER_PUT,
    SQ_ST_USER_BY_NAME,
    SQ_ST_USER_BY_ID,
    SQ_ST_USER_LIST,
    SQ_ST_SESSION_SWEEP,
    SQ_ST_SESSION_PUT,
    SQ_ST_SESSION_GET,
    SQ_ST_SESSION_DELETE,
    SQ_ST_SESSION_END_USER,
    SQ_ST_SESSION_TOUCH,
    SQ_ST_SURVEY_PUT,
    SQ_ST_SURVEY_GET,
    SQ_ST_SURVEY_USE,
    SQ_NADMIN
};

typedef struct sq_store {
    genu_store base;
    sqlite3 *db;
    int version;
    sqlite3_stmt *insert[NT], *update[NT], *has[NT], *get[NT], *del[NT];
    sqlite3_stmt *list_count[NT], *list_page[NT]; /* prepared on first use */
    sqlite3_stmt *audit_insert, *audit_last;
    /* the audit chain's head inside the current transaction */
    bool chain_known;
    int64_t chain_seq;
    char chain_hash[65];
    bool own_txn; /* a write op opened the transaction itself */
    /* the chain's head when the savepoint was taken */
    bool sp_known;
    int64_t sp_seq;
    char sp_hash[65];
    /* store_sqlite_admin.c's statements, prepared on first use and kept
     * (SQLITE_PREPARE_PERSISTENT) until close; SQ_ST_* index them */
    sqlite3_stmt *admin[SQ_NADMIN];
} sq_store;

/* How much of a row to read: everything (export, API), or what analyses
 * need (no doc, no notes; the patient id is set by the caller). */
typedef enum { ROW_FULL, ROW_LOAD } row_mode;
/* Reads (seq, id, patient, knee, date, doc, payload...) at the cursor into
 * r, texts into a (equal ones shared when strings is not NULL). */
int sq_read_row(sqlite3_stmt *st, genu_rtype type, row_mode mode, genu_record *r,
                genu_arena *a, genu_hash *strings, genu_err *err);
/* Binds r's row (id, patient, knee, date, doc, the payload columns) to the
 * parameters after the at-th; date and tmp (freed by the caller) hold what
 * the bound text points into. */
int sq_bind_row(sqlite3_stmt *st, int at, const genu_record *r, char date[GENU_DATE_STRLEN],
                char *tmp[2]);
/* Binds r to st (a one-row INSERT or UPDATE), steps and resets it. */
int sq_run_put(sq_store *s, sqlite3_stmt *st, const genu_record *r, genu_err *err);
/* store_sqlite_stage.c: the ops table's staging of an import. */
int sq_stage_new(genu_store *gs, const genu_record *const *recs, size_t n, bool *all_new,
                 genu_err *err);
int sq_stage_audit(genu_store *gs, const genu_record *const *recs,
                   const store_digest *const *digests, size_t n, genu_err *err);
/* store_sqlite_load.c: the ops table's load. */
int sq_load(genu_store *gs, const store_scope *scope, genu_arena *a, genu_dataset *ds,
            genu_err *err);

int sq_fail(sq_store *s, genu_err *err, const char *what);
/* Creates path empty with mode 0600 when it does not exist, so that the
 * registry (or a backup) SQLite then opens, and its WAL and shared-memory
 * files, which take the database file's mode, are the owner's alone. */
void sq_private_file(const char *path);
int sq_exec(sq_store *s, const char *sql, genu_err *err);
int sq_prepare(sq_store *s, const char *sql, sqlite3_stmt **st, genu_err *err);
void sq_bind_text(sqlite3_stmt *st, int i, const char *v);
const char *sq_col_text(sqlite3_stmt *st, int i, genu_arena *a);
/* The audit trail's after, prev and hash columns (schema 7): a hash (prefix
 * ""), or a create's digest in after (prefix "sha256:"), is kept as its 32
 * bytes, anything else (a document, NULL) as it is; read back as the text
 * it stands for. */
void sq_bind_audit_text(sqlite3_stmt *st, int i, const char *v, const char *prefix);
const char *sq_col_audit_text(sqlite3_stmt *st, int i, const char *prefix, genu_arena *a);

/* Opens a write transaction unless one is open; *own says whether it did.
 * sq_write_end commits (or rolls back on rc != 0) what sq_write_begin
 * opened. */
int sq_write_begin(sq_store *s, bool *own, genu_err *err);
int sq_write_end(sq_store *s, bool own, int rc, genu_err *err);

/* Appends one change to the audit trail (inside a transaction). */
int sq_audit(sq_store *s, const char *action, const char *type, const char *id,
             const char *before, const char *after, genu_err *err);
/* Writes the chain head to settings before a commit; forgets it on
 * rollback. */
int sq_audit_before_commit(sq_store *s, genu_err *err);
void sq_audit_forget(sq_store *s);
int sq_admin_prepare(sq_store *s, genu_err *err);
void sq_admin_finalize(sq_store *s);

/* Operations implemented in store_sqlite_admin.c. */
int sq_user_put(genu_store *gs, const store_user *u, int64_t *id, genu_err *err);
int sq_user_get(genu_store *gs, const char *name, int64_t id, genu_arena *a, store_user *out,
                genu_err *err);
int sq_user_list(genu_store *gs, genu_arena *a, store_user **out, size_t *n, genu_err *err);
int sq_session_put(genu_store *gs, const char *token_hash, int64_t user, const char *csrf,
                   int64_t expires_us, int64_t ends_us, genu_err *err);
int sq_session_touch(genu_store *gs, const char *token_hash, int64_t until_us, int64_t slack_us,
                     genu_err *err);
int sq_session_get(genu_store *gs, const char *token_hash, int64_t now_us, genu_arena *a,
                   int64_t *user, const char **csrf, genu_err *err);
int sq_session_delete(genu_store *gs, const char *token_hash, genu_err *err);
int sq_survey_put(genu_store *gs, const store_survey *v, genu_err *err);
int sq_survey_get(genu_store *gs, const char *token_hash, genu_arena *a, store_survey *out,
                  genu_err *err);
int sq_survey_use(genu_store *gs, const char *token_hash, int64_t now_us, genu_err *err);
int sq_audit_list(genu_store *gs, int64_t after_seq, size_t limit, genu_arena *a,
                  store_audit_row **rows, size_t *n, genu_err *err);
int sq_audit_verify(genu_store *gs, int64_t *broken, size_t *checked, char *why, size_t whylen,
                    genu_err *err);
int sq_backup(genu_store *gs, const char *path, genu_err *err);

#endif
