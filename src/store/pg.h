/* pg: what the PostgreSQL backend's files share. Private to src/store.
 *
 * Statements are prepared once per connection, on first use, keyed by the
 * address of their SQL text (a static const string, or one built at open
 * and kept for the handle's life). Every value travels as a bound text
 * parameter; results are read in text format. */
#ifndef GENU_STORE_PG_H
#define GENU_STORE_PG_H

#include <libpq-fe.h>

#include "store/backend.h"
#include "store/columns.h"

#define PG_NT        GENU_REC_NTYPES
/* pg_advisory_xact_lock key of writers and migrations ("genu" in ASCII) */
#define PG_WRITER_LOCK "SELECT pg_advisory_xact_lock(1734702453)"
#define PG_MAXSTMT   96
#define PG_MAXPARAMS 24

typedef struct pg_store {
    genu_store base;
    PGconn *db;
    int version;
    bool in_tx;    /* a transaction (read or write) is open on db */
    bool readonly; /* STORE_MODE_READ: every session is default_transaction_read_only */
    /* the per-type statements, built at open */
    char *q_insert_audited[PG_NT], *q_update[PG_NT], *q_doc[PG_NT], *q_docs[PG_NT],
        *q_get[PG_NT], *q_load_one[PG_NT], *q_del[PG_NT], *q_count[PG_NT], *q_list_count[PG_NT], *q_list[PG_NT],
        *q_list_every[PG_NT];
    /* statements prepared on this connection (by SQL address), named "g<i>" */
    const char *prepared[PG_MAXSTMT];
    int nprepared;
    /* the audit chain's head inside the current transaction */
    bool chain_known;
    int64_t chain_seq;
    char chain_hash[65];
    /* the chain's head when the savepoint was taken */
    bool sp_known;
    int64_t sp_seq;
    char sp_hash[65];
} pg_store;

/* Bound parameters of one statement: text or NULL. Numbers are formatted
 * into num[] (never into SQL). */
typedef struct pg_params {
    const char *v[PG_MAXPARAMS];
    char num[PG_MAXPARAMS][32];
    int n;
} pg_params;

void pg_p_text(pg_params *p, const char *v);
void pg_p_int(pg_params *p, int64_t v);
void pg_p_real(pg_params *p, double v); /* NAN binds NULL */
void pg_p_level(pg_params *p, int v);   /* a 0.. level; negative binds NULL */

/* libpq's message's first line into dst (its messages end with a newline
 * and may span lines). */
void pg_first_line(char *dst, size_t n, const char *msg);
/* What every connection sets at the start (durable commits, exact
 * doubles, warnings only), and on a read-only handle
 * default_transaction_read_only, on the connection as it is now: at open
 * and after a reconnection (pg_conn.c). */
int pg_setup_session(pg_store *s, genu_err *err);

/* Fails err from a failed result or the connection (SQLSTATE class 23 and
 * 40 are GENU_ECONFLICT, the rest GENU_EIO), naming what was being done.
 * Clears res. */
int pg_fail(pg_store *s, PGresult *res, genu_err *err, const char *what);
/* Runs a parameterless command (BEGIN, COMMIT, DDL, cursor commands). */
int pg_exec(pg_store *s, const char *sql, genu_err *err, const char *what);
/* The name ("g<i>") of sql's statement on this connection, prepared on first
 * use; outside a pipeline only (pipelines prepare theirs before they start). */
int pg_prepared(pg_store *s, const char *sql, char name[16], genu_err *err);
/* Runs sql (prepared on first use) with p (NULL for none). Returns the
 * result (caller PQclears) or NULL with err set. */
PGresult *pg_run(pg_store *s, const char *sql, const pg_params *p, genu_err *err,
                 const char *what);
/* pg_run with one text parameter (an id, a key, a token hash). */
PGresult *pg_run1(pg_store *s, const char *sql, const char *v, genu_err *err, const char *what);
/* Runs sql and discards the result; *changed (may be NULL) gets the number
 * of rows the command touched. */
int pg_do(pg_store *s, const char *sql, const pg_params *p, int64_t *changed, genu_err *err,
          const char *what);

/* Binds r in the parameter order of q_insert_audited and q_update: id,
 * patient, knee, date, doc, the type's own columns, then (with ar) the audit
 * row and its hash. Strings made for the binding go to tmp (the caller frees
 * both), the date's text to date. GENU_ENOMEM when out of memory. */
int pg_bind_record(pg_params *p, const genu_record *r, const store_audit_row *ar,
                   const char *hash, char *tmp[2], char date[GENU_DATE_STRLEN]);

/* An import's new records and then their audit rows, by COPY
 * (store_stage_new, store_stage_audit; store_pg_batch.c). */
int pg_stage_new(genu_store *gs, const genu_record *const *recs, size_t n, bool *all_new,
                 genu_err *err);
int pg_stage_audit(genu_store *gs, const genu_record *const *recs,
                   const store_digest *const *digests, size_t n, genu_err *err);

/* Many puts in few round trips (store_pg_batch.c): store_put_many. */
int pg_put_many(genu_store *gs, const genu_record *const *recs, size_t n,
                store_put_result *res, size_t *failed, genu_err *err);

/* Column readers: NULL (or NAN, -1, 0) for SQL NULL; strings into a. */
const char *pg_col_text(const PGresult *r, int row, int col, genu_arena *a);
int64_t pg_col_int(const PGresult *r, int row, int col);
double pg_col_real(const PGresult *r, int row, int col);
int pg_col_level(const PGresult *r, int row, int col);
/* Borrowed until the result is cleared. */
const char *pg_col_raw(const PGresult *r, int row, int col);

/* A forward cursor in batches, inside the current transaction. */
typedef struct pg_cursor {
    char name[32];
    PGresult *res;
    int row, nrows;
} pg_cursor;
/* One row's fields, NULL for SQL NULL: of a result's row (pg_fields_of:
 * text, borrowed until it is cleared) or of a binary COPY's (NUL-ended,
 * borrowed while the row is handled). Read them with pg_field_*, which
 * know both forms. */
#define PG_MAX_FIELDS 32
typedef struct pg_fields {
    const char *v[PG_MAX_FIELDS];
    int len[PG_MAX_FIELDS];
    int n;
    bool binary; /* numbers in the binary form: big-endian integers, IEEE reals */
} pg_fields;
void pg_fields_of(const PGresult *r, int row, pg_fields *f);
/* An integer or real field: 0 and NAN for NULL. */
int64_t pg_field_int(const pg_fields *f, int i);
double pg_field_real(const pg_fields *f, int i);
/* A text field (or NULL), borrowed; its copy into a (NULL for NULL, or out
 * of memory). */
const char *pg_field_raw(const pg_fields *f, int i);
const char *pg_field_text(const pg_fields *f, int i, genu_arena *a);

/* Runs the query `select` (no parameters) as COPY (select) TO STDOUT in the
 * binary format and calls fn for each row as it arrives: one row in memory
 * at a time, none of the per-row work of a result (a PGresult each, in
 * single-row mode), numbers not formatted by the server nor parsed here.
 * Stops calling fn once it fails, reads the rest and returns that error. */
typedef int (*pg_fields_fn)(const pg_fields *f, void *ctx, genu_err *err);
int pg_copy_rows(pg_store *s, const char *select, pg_fields_fn fn, void *ctx, genu_err *err,
                 const char *what);

/* A load's orders (store_pg_load.c, and the statements made once):
 * patients by id, other records by (patient, date, seq), the dataset's
 * own order, which the covering indexes of schema 6 give. */
#define PG_ORDER_PATIENTS "id"
#define PG_ORDER_LOAD     "patient,date NULLS FIRST,seq"

/* Reads (seq, id, patient, knee, date, doc, payload...) of a row into r:
 * strings into a, equal payload texts once when strings is given; without
 * with_doc, patient points into the row (a load places it) and the doc
 * and notes are left out. pg_read_result_row reads a result's row k. */
struct genu_hash;
int pg_read_row(const pg_fields *f, genu_rtype type, bool with_doc, genu_record *r,
                genu_arena *a, struct genu_hash *strings, genu_err *err);
int pg_read_result_row(const PGresult *res, int k, genu_rtype type, bool with_doc,
                       genu_record *r, genu_arena *a, struct genu_hash *strings, genu_err *err);

/* store_pg_load.c: the ops table's load. */
int pg_load(genu_store *gs, const store_scope *scope, genu_arena *a, genu_dataset *ds,
            genu_err *err);
/* Declares the cursor for sql (no parameters) and fetches the first batch;
 * c->row < c->nrows while it holds a row. */
int pg_cursor_open(pg_store *s, pg_cursor *c, const char *name, const char *sql, genu_err *err);
/* Steps to the next row, fetching the next batch when needed. */
int pg_cursor_next(pg_store *s, pg_cursor *c, genu_err *err);
void pg_cursor_close(pg_store *s, pg_cursor *c);

/* Opens a read snapshot (REPEATABLE READ, READ ONLY) unless a transaction
 * is open; pg_read_end ends what pg_read_begin opened. */
int pg_read_begin(pg_store *s, bool *own, genu_err *err);
void pg_read_end(pg_store *s, bool own);

/* Opens a write transaction unless one is open; *own says whether it did.
 * pg_write_end commits (or rolls back on rc != 0) what pg_write_begin
 * opened. */
int pg_write_begin(pg_store *s, bool *own, genu_err *err);
int pg_write_end(pg_store *s, bool own, int rc, genu_err *err);

/* Audit trail (store_pg_admin.c): append one change inside a transaction;
 * write the chain head before a commit; forget it on rollback. */
int pg_audit(pg_store *s, const char *action, const char *type, const char *id,
             const char *before, const char *after, genu_err *err);
int pg_audit_before_commit(pg_store *s, genu_err *err);
/* The next audit row for a change and its hash, not yet written (r's
 * strings are borrowed from the arguments and s); pg_audit_advance moves
 * the chain's head once the row is stored. pg_audit is the two around an
 * INSERT. */
int pg_audit_next(pg_store *s, const char *action, const char *type, const char *id,
                  const char *before, const char *after, store_audit_row *r, char hash[65],
                  genu_err *err);
void pg_audit_advance(pg_store *s, const store_audit_row *r, const char hash[65]);
void pg_audit_forget(pg_store *s);
/* For pipelines: pg_audit_ready (outside the pipeline) reads the chain's
 * head and prepares the audit INSERT; pg_audit_send (inside) sends the row
 * without waiting for its result and moves the head. */
int pg_audit_ready(pg_store *s, genu_err *err);
int pg_audit_send(pg_store *s, const char *action, const char *type, const char *id,
                  const char *before, const char *after, genu_err *err);
/* Initialises what the audit trail needs (libsodium). */
int pg_audit_init(pg_store *s, genu_err *err);

/* Checks the schema version for mode (STORE_MODE_*, backend.h) and, to
 * create or migrate, applies the pending migrations in one transaction
 * (pg_schema.c); *from (may be NULL) gets the version found. Without
 * CREATE, a database holding no genu schema is GENU_ENOTFOUND. */
int pg_migrate(pg_store *s, int mode, int *from, genu_err *err);

/* Opens the registry at a postgresql:// or postgres:// URL (libpq's URI
 * syntax, e.g. postgresql://user@host/db or postgresql:///db?host=/run/pg).
 * mode is STORE_MODE_* (backend.h): OPEN fails with GENU_ENOTFOUND when the
 * database holds no genu schema and GENU_ENOTSUP when its schema is older. Server down, authentication failure and a missing database are
 * GENU_EIO / GENU_EIO / GENU_ENOTFOUND with libpq's reason, naming the
 * database, user, host and port but never the password. */
int store_pg_open(const char *url, int mode, int *from, genu_store **out, genu_err *err);

/* Operations implemented in store_pg_admin.c. */
int pg_user_put(genu_store *gs, const store_user *u, int64_t *id, genu_err *err);
int pg_user_get(genu_store *gs, const char *name, int64_t id, genu_arena *a, store_user *out,
                genu_err *err);
int pg_user_list(genu_store *gs, genu_arena *a, store_user **out, size_t *n, genu_err *err);
int pg_session_put(genu_store *gs, const char *token_hash, int64_t user, const char *csrf,
                   int64_t expires_us, int64_t ends_us, genu_err *err);
int pg_session_touch(genu_store *gs, const char *token_hash, int64_t until_us, int64_t slack_us,
                     genu_err *err);
int pg_session_get(genu_store *gs, const char *token_hash, int64_t now_us, genu_arena *a,
                   int64_t *user, const char **csrf, genu_err *err);
int pg_session_delete(genu_store *gs, const char *token_hash, genu_err *err);
int pg_survey_put(genu_store *gs, const store_survey *v, genu_err *err);
int pg_survey_get(genu_store *gs, const char *token_hash, genu_arena *a, store_survey *out,
                  genu_err *err);
int pg_survey_use(genu_store *gs, const char *token_hash, int64_t now_us, genu_err *err);
int pg_audit_list(genu_store *gs, int64_t after_seq, size_t limit, genu_arena *a,
                  store_audit_row **rows, size_t *n, genu_err *err);
int pg_audit_verify(genu_store *gs, int64_t *broken, size_t *checked, char *why, size_t whylen,
                    genu_err *err);
int pg_backup(genu_store *gs, const char *path, genu_err *err);

#endif
