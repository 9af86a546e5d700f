/* store_sqlite: the embedded SQLite backend. WAL journal with synchronous=FULL
 * so an acknowledged commit survives power loss; foreign keys on; versioned
 * migrations applied each in its own transaction; only prepared statements
 * with bound parameters. Identity lives in its own table, apart from the
 * clinical data.
 *
 * Every record table shares the columns (seq, id, patient, knee, date, doc)
 * and adds its own indexed fields; `doc` is the canonical exchange line kept
 * verbatim for export. The per-type tables (struct table below) list those
 * extra columns, and the statements are built from them once at open. */
#include <fcntl.h>
#include <math.h>
#include <unistd.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "instruments/instrument.h"
#include "store/audit_chain.h"
#include "store/columns.h"
#include "store/sq.h"



#define tables store_tables

/* Migration 1: the schema. Later migrations append to this list. */
static const char *const migrations[] = {
    "CREATE TABLE setting(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE patient(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " patient TEXT NOT NULL, knee TEXT, date TEXT, doc TEXT NOT NULL,"
    " site TEXT NOT NULL, sex TEXT, birth_year INTEGER, height_cm REAL, weight_kg REAL);"
    "CREATE TABLE identity(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " patient TEXT NOT NULL REFERENCES patient(id), knee TEXT, date TEXT, doc TEXT NOT NULL,"
    " name TEXT, date_of_birth TEXT, email TEXT, phone TEXT);"
    "CREATE TABLE diagnosis(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " patient TEXT NOT NULL REFERENCES patient(id), knee TEXT, date TEXT NOT NULL,"
    " doc TEXT NOT NULL, condition TEXT NOT NULL, kl_grade INTEGER);"
    "CREATE TABLE treatment(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " patient TEXT NOT NULL REFERENCES patient(id), knee TEXT, date TEXT NOT NULL,"
    " doc TEXT NOT NULL, kind TEXT NOT NULL, protocol TEXT, sites INTEGER NOT NULL,"
    " cost REAL, currency TEXT, clinician TEXT);"
    "CREATE TABLE response(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " patient TEXT NOT NULL REFERENCES patient(id), knee TEXT, date TEXT NOT NULL,"
    " doc TEXT NOT NULL, instrument TEXT NOT NULL, version INTEGER NOT NULL,"
    " scores TEXT NOT NULL, notes TEXT NOT NULL);"
    "CREATE TABLE adverse_event(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " patient TEXT NOT NULL REFERENCES patient(id), knee TEXT, date TEXT NOT NULL,"
    " doc TEXT NOT NULL, kind TEXT NOT NULL, severity INTEGER NOT NULL,"
    " serious INTEGER NOT NULL, treatment TEXT);"
    "CREATE TABLE exam(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " patient TEXT NOT NULL REFERENCES patient(id), knee TEXT, date TEXT NOT NULL,"
    " doc TEXT NOT NULL, swelling INTEGER, locking INTEGER, unable_to_straighten INTEGER,"
    " unable_to_bend INTEGER, instability INTEGER, deformity INTEGER,"
    " recent_trauma_pop INTEGER, pain_at_rest INTEGER);"
    "CREATE INDEX diagnosis_by_patient ON diagnosis(patient, date, knee);"
    "CREATE INDEX treatment_by_patient ON treatment(patient, date, knee);"
    "CREATE INDEX response_by_patient ON response(patient, date, knee);"
    "CREATE INDEX adverse_event_by_patient ON adverse_event(patient, date, knee);"
    "CREATE INDEX exam_by_patient ON exam(patient, date, knee);",
    /* 2: accounts, sessions, survey links and the append-only audit trail */
    "CREATE TABLE account(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " role TEXT NOT NULL CHECK (role IN ('admin','clinician','researcher','patient')),"
    " sites TEXT NOT NULL DEFAULT '', pwhash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
    " created_us INTEGER NOT NULL);"
    "CREATE TABLE session(token_hash TEXT PRIMARY KEY, account INTEGER NOT NULL"
    " REFERENCES account(id), csrf TEXT NOT NULL, expires_us INTEGER NOT NULL);"
    "CREATE TABLE survey_link(token_hash TEXT PRIMARY KEY, patient TEXT NOT NULL"
    " REFERENCES patient(id), knee TEXT, instruments TEXT NOT NULL, timepoint TEXT,"
    " created_us INTEGER NOT NULL, expires_us INTEGER NOT NULL, used_us INTEGER,"
    " created_by INTEGER REFERENCES account(id));"
    "CREATE TABLE audit(seq INTEGER PRIMARY KEY, at_us INTEGER NOT NULL, actor TEXT NOT NULL,"
    " action TEXT NOT NULL, type TEXT NOT NULL, record_id TEXT NOT NULL, before TEXT,"
    " after TEXT, prev TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
    "CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
    /* 3: follow-up messages (docs/followup.md) */
    "CREATE TABLE message(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " patient TEXT NOT NULL REFERENCES patient(id), knee TEXT, date TEXT NOT NULL,"
    " doc TEXT NOT NULL, kind TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL);"
    "CREATE INDEX message_by_patient ON message(patient, date, knee);",
    /* 4: a session's absolute end (its expiry slides with use, up to it) */
    "ALTER TABLE session ADD COLUMN ends_us INTEGER;",
    /* 5: deaths, at most one per patient (docs/format.md) */
    "CREATE TABLE death(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " patient TEXT NOT NULL REFERENCES patient(id), knee TEXT, date TEXT NOT NULL,"
    " doc TEXT NOT NULL, cause TEXT);"
    "CREATE UNIQUE INDEX death_by_patient ON death(patient);",
    /* 6: what a lean load reads (docs/scaling.md), each from an index that
     * answers its query alone, without the rows and their docs: the
     * responses to some instruments, the treatments and the diagnoses */
    /* (patient, date, seq first: the dataset's own order, nothing to sort) */
    ("CREATE INDEX response_by_instrument ON response(instrument, patient, date, seq, knee,"
     " version, scores);"
     "CREATE INDEX treatment_for_analysis ON treatment(patient, date, seq, knee, kind, sites,"
     " protocol, cost, currency);"
     "CREATE INDEX diagnosis_for_analysis ON diagnosis(patient, date, seq, knee, condition,"
     " kl_grade);"),
    /* 7: the audit trail's hashes, and a create's digest of its doc, as
     * their 32 bytes instead of 64 hex digits: a third of an import's pages
     * were the trail's (sq_bind_audit_text; genu_audit_bytes is
     * audit_bytes below). The trail is append-only, so its guard steps
     * aside for this one rewrite. */
    ("DROP TRIGGER audit_append_only_u;"
     "UPDATE audit SET after=genu_audit_bytes(after,'sha256:'), prev=genu_audit_bytes(prev,''),"
     " hash=genu_audit_bytes(hash,'');"
     "CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit"
     " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"),
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

void sq_private_file(const char *path)
{
    if (!path || !*path || path[0] == ':')
        return; /* in memory, or SQLite's temporary file */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
}

int sq_fail(sq_store *s, genu_err *err, const char *what)
{
    int code = sqlite3_errcode(s->db);
    int c = code == SQLITE_CONSTRAINT ? GENU_ECONFLICT
            : code == SQLITE_NOMEM    ? GENU_ENOMEM
                                      : GENU_EIO;
    return GENU_FAIL(err, c, "registry: %s: %s", what, sqlite3_errmsg(s->db));
}

int sq_exec(sq_store *s, const char *sql, genu_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        GENU_FAIL(err, GENU_EIO, "registry: %s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return GENU_EIO;
    }
    return GENU_OK;
}

int sq_prepare(sq_store *s, const char *sql, sqlite3_stmt **st, genu_err *err)
{
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return sq_fail(s, err, "prepare");
    return GENU_OK;
}

/* ---- migrations ---- */

static int read_version(sq_store *s, genu_err *err)
{
    sqlite3_stmt *st;
    if (sq_prepare(s, "PRAGMA user_version", &st, err))
        return -1;
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (v < 0)
        sq_fail(s, err, "reading the schema version");
    return v;
}

int store_sqlite_schema_latest(void)
{
    return NMIGRATIONS;
}

/* genu_audit_bytes(x, prefix), for migration 7: the 32 bytes x stands for
 * when it is prefix and a hash's hex (audit_chain_unhex); else x. */
static void audit_bytes(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    uint8_t d[SHA256_BYTES];
    const char *prefix = (const char *)sqlite3_value_text(argv[1]);
    if (sqlite3_value_type(argv[0]) == SQLITE_TEXT && prefix &&
        audit_chain_unhex((const char *)sqlite3_value_text(argv[0]), prefix, d))
        sqlite3_result_blob(ctx, d, sizeof d, SQLITE_TRANSIENT);
    else
        sqlite3_result_value(ctx, argv[0]);
}

/* Applies every pending migration in one transaction (BEGIN IMMEDIATE:
 * no other writer meanwhile), so a failure leaves the registry as it was.
 * A registry older than this genu is opened only to migrate it. */
static int migrate(sq_store *s, int mode, int *from, genu_err *err)
{
    int v = read_version(s, err);
    if (v < 0)
        return GENU_EIO;
    if (from)
        *from = v;
    if (store_check_version(v, NMIGRATIONS, mode, err))
        return err->code;
    if (v == NMIGRATIONS) {
        s->version = v;
        return GENU_OK;
    }
    char pragma[48];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d;", NMIGRATIONS);
    if (sqlite3_create_function(s->db, "genu_audit_bytes", 2,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                audit_bytes, NULL, NULL) != SQLITE_OK)
        return sq_fail(s, err, "preparing the migration");
    if (sq_exec(s, "BEGIN IMMEDIATE", err))
        return GENU_EIO;
    int rc = GENU_OK;
    for (int m = v; !rc && m < NMIGRATIONS; m++)
        if ((rc = sq_exec(s, migrations[m], err)))
            genu_err_prefix(err, "migration %d: ", m + 1);
    if (!rc)
        rc = sq_exec(s, pragma, err);
    if (!rc && getenv(STORE_FAIL_MIGRATION_ENV))
        rc = GENU_FAIL(err, GENU_EIO, "migration failed on purpose (%s is set)",
                       STORE_FAIL_MIGRATION_ENV);
    if (!rc)
        rc = sq_exec(s, "COMMIT", err);
    if (rc) {
        sq_exec(s, "ROLLBACK", NULL);
        return GENU_EIO;
    }
    s->version = NMIGRATIONS;
    return GENU_OK;
}

/* ---- binding and reading the per-type columns ---- */

void sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* The codec's primitives (store/columns.h) on a SQLite statement. */
static void b_null(void *st, int i)
{
    sqlite3_bind_null(st, i);
}

static void b_text(void *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void b_int(void *st, int i, int64_t v)
{
    sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

static void b_real(void *st, int i, double v)
{
    sqlite3_bind_double(st, i, v);
}

static const char *c_raw(const void *st, int i)
{
    sqlite3_stmt *s = (sqlite3_stmt *)st;
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NULL
                                                     : (const char *)sqlite3_column_text(s, i);
}

static int64_t c_int(const void *st, int i)
{
    return sqlite3_column_int64((sqlite3_stmt *)st, i);
}

static double c_real(const void *st, int i)
{
    sqlite3_stmt *s = (sqlite3_stmt *)st;
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static int bind_payload(sqlite3_stmt *st, int i, const genu_record *r, char **tmp)
{
    store_binder b = {st, b_null, b_text, b_int, b_real};
    return store_cols_bind(&b, i, r, tmp);
}

const char *sq_col_text(sqlite3_stmt *st, int i, genu_arena *a)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? genu_arena_strndup(a, (const char *)v, (size_t)sqlite3_column_bytes(st, i))
             : NULL;
}

static int read_payload(sqlite3_stmt *st, int i, row_mode mode, genu_record *r, genu_arena *a,
                        genu_hash *strings, genu_err *err)
{
    store_reader rd = {st, c_raw, c_int, c_real, strings};
    return store_cols_read(&rd, i, mode == ROW_FULL, r, a, err);
}

int sq_read_row(sqlite3_stmt *st, genu_rtype type, row_mode mode, genu_record *r,
                genu_arena *a, genu_hash *strings, genu_err *err)
{
    memset(r, 0, sizeof *r);
    r->type = type;
    r->seq = sqlite3_column_int64(st, 0);
    /* a lean load selects NULL for the ids of records other than patients */
    r->id = sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : sq_col_text(st, 1, a);
    r->patient = mode == ROW_FULL ? sq_col_text(st, 2, a) : NULL;
    const char *knee = (const char *)sqlite3_column_text(st, 3);
    r->knee = knee ? (genu_knee)vocab_knee(knee) : GENU_KNEE_NONE;
    const char *date = (const char *)sqlite3_column_text(st, 4);
    r->date = GENU_DATE_NONE;
    if (date && genu_date_parse(date, strlen(date), &r->date, err))
        return GENU_FAIL(err, GENU_EIO, "registry holds a bad date");
    r->doc = mode == ROW_FULL ? sq_col_text(st, 5, a) : NULL;
    if ((!r->id && (mode == ROW_FULL || type == GENU_REC_PATIENT)) ||
        (mode == ROW_FULL && !r->patient))
        return GENU_FAIL(err, GENU_ENOMEM, "out of memory reading the registry");
    return read_payload(st, 6, mode, r, a, strings, err);
}

/* ---- statements ---- */

static int build_statements(sq_store *s, genu_err *err)
{
    for (int t = 0; t < NT; t++) {
        const store_table *tb = &tables[t];
        genu_buf b = GENU_BUF_INIT;
        genu_buf_printf(&b, "INSERT OR IGNORE INTO %s(id,patient,knee,date,doc,%s) VALUES(?,?,?,?,?",
                        tb->name, tb->cols);
        for (int k = 0; k < tb->ncols; k++)
            genu_buf_puts(&b, ",?");
        genu_buf_puts(&b, ")");
        int rc = b.oom ? GENU_ENOMEM : sq_prepare(s, b.p, &s->insert[t], err);
        genu_buf_clear(&b);
        /* the same parameter order: id is ?1 and doc ?5 in both statements */
        genu_buf_printf(&b, "UPDATE %s SET patient=?2,knee=?3,date=?4,doc=?5", tb->name);
        const char *c = tb->cols;
        for (int k = 0; k < tb->ncols; k++) {
            const char *comma = strchr(c, ',');
            size_t n = comma ? (size_t)(comma - c) : strlen(c);
            genu_buf_printf(&b, ",%.*s=?%d", (int)n, c, 6 + k);
            c = comma ? comma + 1 : c + n;
        }
        genu_buf_puts(&b, " WHERE id=?1 AND doc IS NOT ?5");
        if (!rc)
            rc = b.oom ? GENU_ENOMEM : sq_prepare(s, b.p, &s->update[t], err);
        genu_buf_clear(&b);
        genu_buf_printf(&b, "SELECT doc FROM %s WHERE id=?", tb->name);
        if (!rc)
            rc = b.oom ? GENU_ENOMEM : sq_prepare(s, b.p, &s->has[t], err);
        genu_buf_clear(&b);
        genu_buf_printf(&b, "SELECT seq,id,patient,knee,date,doc,%s FROM %s WHERE id=?",
                        tb->cols, tb->name);
        if (!rc)
            rc = b.oom ? GENU_ENOMEM : sq_prepare(s, b.p, &s->get[t], err);
        genu_buf_clear(&b);
        genu_buf_printf(&b, "DELETE FROM %s WHERE id=?", tb->name);
        if (!rc)
            rc = b.oom ? GENU_ENOMEM : sq_prepare(s, b.p, &s->del[t], err);
        genu_buf_free(&b);
        if (rc)
            return rc == GENU_ENOMEM ? GENU_FAIL(err, rc, "out of memory") : rc;
    }
    return GENU_OK;
}

/* ---- operations ---- */

static void sq_close(genu_store *gs)
{
    sq_store *s = (sq_store *)gs;
    for (int t = 0; t < NT; t++) {
        sqlite3_finalize(s->insert[t]);
        sqlite3_finalize(s->update[t]);
        sqlite3_finalize(s->has[t]);
        sqlite3_finalize(s->get[t]);
        sqlite3_finalize(s->del[t]);
        sqlite3_finalize(s->list_count[t]);
        sqlite3_finalize(s->list_page[t]);
    }
    sq_admin_finalize(s);
    sqlite3_close(s->db);
    free(s);
}

static int sq_schema_version(genu_store *gs)
{
    return ((sq_store *)gs)->version;
}

/* A write transaction keeps its statement journals in memory (SQLite
 * decides where at BEGIN, from temp_store). A statement that writes
 * several rows needs one, since a later row may fail after earlier ones
 * were written: an import's INSERT of STAGE_ROWS rows, or of AUDIT_ROWS
 * audit rows. In a temporary file they cost an import 1.8 million writes
 * for 900,000 records, a sixth of its time (docs/benchmarks.md). Every
 * statement of such a transaction touches a few pages, so the memory is
 * small; the setting is put back after it, so that nothing else (a sort,
 * a migration's UPDATE of a whole table in a transaction of its own)
 * keeps temporary data in memory. (SQLITE_CONFIG_STMTJRNL_SPILL, the
 * process-wide threshold, failed with "database or disk is full" in
 * SQLite 3.40 when set above about 128 KiB and a journal outgrew it.) */
static void temp_store_back(sq_store *s)
{
    if (sqlite3_get_autocommit(s->db))
        sq_exec(s, "PRAGMA temp_store=DEFAULT", NULL);
}

static int sq_begin(genu_store *gs, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    s->own_txn = false;
    int rc = sq_exec(s, "PRAGMA temp_store=MEMORY; BEGIN IMMEDIATE", err);
    if (rc) /* busy: no transaction, and the setting as it was */
        temp_store_back(s);
    return rc;
}

static int sq_commit(genu_store *gs, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    if (sq_audit_before_commit(s, err))
        return err->code;
    int rc = sq_exec(s, "COMMIT", err);
    sq_audit_forget(s);
    temp_store_back(s);
    return rc;
}

static void sq_rollback(genu_store *gs)
{
    sq_store *s = (sq_store *)gs;
    if (!sqlite3_get_autocommit(s->db))
        sq_exec(s, "ROLLBACK", NULL);
    sq_audit_forget(s);
    temp_store_back(s);
}

static int sq_savepoint(genu_store *gs, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    s->sp_known = s->chain_known;
    s->sp_seq = s->chain_seq;
    memcpy(s->sp_hash, s->chain_hash, sizeof s->sp_hash);
    return sq_exec(s, "SAVEPOINT w", err);
}

static int sq_release(genu_store *gs, genu_err *err)
{
    return sq_exec((sq_store *)gs, "RELEASE w", err);
}

static void sq_rollback_to(genu_store *gs)
{
    sq_store *s = (sq_store *)gs;
    sq_exec(s, "ROLLBACK TO w; RELEASE w", NULL);
    s->chain_known = s->sp_known;
    s->chain_seq = s->sp_seq;
    memcpy(s->chain_hash, s->sp_hash, sizeof s->chain_hash);
}

int sq_write_begin(sq_store *s, bool *own, genu_err *err)
{
    *own = sqlite3_get_autocommit(s->db) != 0;
    return *own ? sq_begin(&s->base, err) : GENU_OK;
}

int sq_write_end(sq_store *s, bool own, int rc, genu_err *err)
{
    if (!own)
        return rc;
    if (rc) {
        sq_rollback(&s->base);
        return rc;
    }
    rc = sq_commit(&s->base, err);
    if (rc)
        sq_rollback(&s->base);
    return rc;
}

int sq_bind_row(sqlite3_stmt *st, int at, const genu_record *r, char date[GENU_DATE_STRLEN],
                char *tmp[2])
{
    sq_bind_text(st, at + 1, r->id);
    sq_bind_text(st, at + 2, r->patient);
    sq_bind_text(st, at + 3, vocab_knee_name(r->knee));
    if (r->date != GENU_DATE_NONE) {
        genu_date_format(r->date, date);
        sq_bind_text(st, at + 4, date);
    } else {
        sqlite3_bind_null(st, at + 4);
    }
    sq_bind_text(st, at + 5, r->doc);
    return bind_payload(st, at + 6, r, tmp);
}

int sq_run_put(sq_store *s, sqlite3_stmt *st, const genu_record *r, genu_err *err)
{
    char *tmp[2] = {NULL, NULL};
    char date[GENU_DATE_STRLEN];
    int rc = sq_bind_row(st, 0, r, date, tmp);
    if (rc) {
        GENU_FAIL(err, rc, "out of memory storing a %s", record_type_name(r->type));
    } else if (sqlite3_step(st) != SQLITE_DONE) {
        rc = sq_fail(s, err, "storing a record");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    free(tmp[0]);
    free(tmp[1]);
    return rc;
}

/* The record primitives under store/policy.c (backend.h). */
static int sq_stored_doc(genu_store *gs, genu_rtype t, const char *id, genu_arena *a,
                         const char **doc, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st = s->has[t];
    sq_bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    *doc = rc == SQLITE_ROW ? sq_col_text(st, 0, a) : NULL;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(s, err, "looking up a record");
    if (rc == SQLITE_ROW && !*doc)
        return GENU_OOM(err);
    return GENU_OK;
}

static int sq_insert_new(genu_store *gs, const genu_record *r, bool *added, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    if (sq_run_put(s, s->insert[r->type], r, err))
        return err->code;
    *added = sqlite3_changes(s->db) == 1;
    if (!*added)
        return GENU_OK;
    char digest[AUDIT_DIGEST_LEN];
    audit_chain_digest(r->doc, digest);
    return sq_audit(s, "create", record_type_name(r->type), r->id, NULL, digest, err);
}

static int sq_cache_limit(genu_store *gs, size_t bytes, genu_err *err)
{
    /* a PRAGMA takes no parameters; the number is ours, not input */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=-%zu", bytes / 1024 ? bytes / 1024 : 1);
    return sq_exec((sq_store *)gs, sql, err);
}

static int sq_update(genu_store *gs, const genu_record *r, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    return sq_run_put(s, s->update[r->type], r, err);
}

static int sq_get(genu_store *gs, genu_rtype type, const char *id, genu_arena *a,
                  genu_record *out, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st = s->get[type];
    sq_bind_text(st, 1, id);
    int step = sqlite3_step(st);
    int rc = step == SQLITE_ROW    ? sq_read_row(st, type, ROW_FULL, out, a, NULL, err)
             : step == SQLITE_DONE ? GENU_FAIL(err, GENU_ENOTFOUND, "no %s \"%s\"",
                                               record_type_name(type), id)
                                   : sq_fail(s, err, "reading a record");
    sqlite3_reset(st);
    return rc;
}

static int sq_remove(genu_store *gs, genu_rtype type, const char *id, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st = s->del[type];
    sq_bind_text(st, 1, id);
    int rc = GENU_OK;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sq_fail(s, err, "deleting a record"); /* a reference: GENU_ECONFLICT */
    sqlite3_reset(st);
    return rc;
}

static int sq_has(genu_store *gs, genu_rtype type, const char *id, bool *out, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st = s->has[type];
    sq_bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(s, err, "looking up a record");
    *out = rc == SQLITE_ROW;
    return GENU_OK;
}

static int sq_count(genu_store *gs, genu_rtype type, size_t *out, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[type].name);
    sqlite3_stmt *st;
    if (sq_prepare(s, sql, &st, err))
        return err->code;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? GENU_OK : sq_fail(s, err, "counting records");
}

/* SELECT seq,id,patient,knee,date,doc,<cols> FROM t ORDER BY <order>. */
static int select_all(sq_store *s, genu_rtype t, const char *order, bool with_doc,
                      sqlite3_stmt **st, genu_err *err)
{
    char sql[512];
    /* a load leaves the docs (the bulk of each row) unread */
    snprintf(sql, sizeof sql, "SELECT seq,id,patient,knee,date,%s,%s FROM %s ORDER BY %s",
             with_doc ? "doc" : "NULL", tables[t].cols, tables[t].name, order);
    return sq_prepare(s, sql, st, err);
}

/* Export order: patients by id; under each, the record types in enum order,
 * each by (date, knee, seq). One cursor per table, merged on patient id. */
static int sq_each(genu_store *gs, bool skip_identity, store_each_fn fn, void *ctx,
                   genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *cur[NT] = {0};
    int state[NT]; /* SQLITE_ROW while the cursor holds a row */
    genu_arena *a = genu_arena_create();
    int rc = a ? GENU_OK : GENU_OOM(err);
    for (int t = 0; t < NT && !rc; t++) {
        rc = select_all(s, t, t == GENU_REC_PATIENT ? "id" : "patient,date,knee,seq", true, &cur[t],
                        err);
        state[t] = rc ? SQLITE_DONE : sqlite3_step(cur[t]);
    }
    genu_record r;
    while (!rc && state[GENU_REC_PATIENT] == SQLITE_ROW) {
        const char *pid = (const char *)sqlite3_column_text(cur[0], 1);
        rc = sq_read_row(cur[0], GENU_REC_PATIENT, ROW_FULL, &r, a, NULL, err);
        if (!rc)
            rc = fn(&r, ctx);
        for (int t = 1; t < NT && !rc; t++) {
            if (t == GENU_REC_IDENTITY && skip_identity) {
                while (state[t] == SQLITE_ROW &&
                       strcmp((const char *)sqlite3_column_text(cur[t], 2), pid) == 0)
                    state[t] = sqlite3_step(cur[t]);
                continue;
            }
            while (!rc && state[t] == SQLITE_ROW &&
                   strcmp((const char *)sqlite3_column_text(cur[t], 2), pid) == 0) {
                rc = sq_read_row(cur[t], t, ROW_FULL, &r, a, NULL, err);
                if (!rc)
                    rc = fn(&r, ctx);
                state[t] = sqlite3_step(cur[t]);
            }
        }
        genu_arena_reset(a);
        if (!rc)
            state[GENU_REC_PATIENT] = sqlite3_step(cur[GENU_REC_PATIENT]);
    }
    for (int t = 0; t < NT; t++) {
        if (!rc && cur[t] && state[t] != SQLITE_DONE && state[t] != SQLITE_ROW)
            rc = sq_fail(s, err, "reading records");
        sqlite3_finalize(cur[t]);
    }
    genu_arena_destroy(a);
    return rc;
}

static int sq_get_setting(genu_store *gs, const char *key, genu_arena *a, const char **out,
                          genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st;
    if (sq_prepare(s, "SELECT value FROM setting WHERE key=?", &st, err))
        return err->code;
    sq_bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sq_col_text(st, 0, a) : NULL;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? GENU_OK : sq_fail(s, err, "reading a setting");
}

static int sq_set_setting(genu_store *gs, const char *key, const char *value, bool keep,
                          genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st;
    if (sq_prepare(s,
                   keep ? "INSERT INTO setting(key,value) VALUES(?,?) ON CONFLICT(key) DO NOTHING"
                        : "INSERT INTO setting(key,value) VALUES(?,?) "
                          "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                   &st, err))
        return err->code;
    sq_bind_text(st, 1, key);
    sq_bind_text(st, 2, value);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? GENU_OK : sq_fail(s, err, "writing a setting");
}

/* The WHERE clause of store_list: patients by sites and id prefix, other
 * records by patient. */
static const char *list_where(genu_rtype t)
{
    return t == GENU_REC_PATIENT
               ? " WHERE (?1 IS NULL OR instr(','||?1||',', ','||site||',')>0)"
                 " AND (?2 IS NULL OR substr(id,1,length(?2))=?2)"
               : " WHERE patient=?3";
}

static void list_bind(sqlite3_stmt *st, const store_query *q)
{
    sq_bind_text(st, 1, q->sites);
    sq_bind_text(st, 2, q->search);
    sq_bind_text(st, 3, q->patient);
}

/* *total from a prepared count statement (bound), then reset. */
static int count_rows(sq_store *s, sqlite3_stmt *st, size_t *total, genu_err *err)
{
    int rc = sqlite3_step(st);
    *total = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_ROW ? GENU_OK : sq_fail(s, err, "counting records");
}

/* The page a bound statement selects: as many records as the total leaves
 * room for, read in full; the statement is reset. */
static int read_page(sqlite3_stmt *st, genu_rtype t, const store_query *q, size_t total,
                     genu_arena *a, genu_record **out, size_t *n, genu_err *err)
{
    size_t room = store_page_len(q, total), k = 0;
    genu_record *v = genu_arena_calloc(a, room ? room : 1, sizeof *v);
    int rc = v ? GENU_OK : GENU_OOM(err);
    while (!rc && k < room && sqlite3_step(st) == SQLITE_ROW)
        rc = sq_read_row(st, t, ROW_FULL, &v[k++], a, NULL, err);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    *out = v;
    *n = k;
    return rc;
}

/* store_list of every patient's records of type t (q->every_patient). */
static int sq_list_every(sq_store *s, genu_rtype t, const store_query *q, genu_arena *a,
                         genu_record **out, size_t *n, size_t *total, genu_err *err)
{
    char sql[512];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[t].name);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_fail(s, err, "prepare");
    int rc = count_rows(s, st, total, err);
    sqlite3_finalize(st);
    if (rc)
        return rc;
    snprintf(sql, sizeof sql,
             "SELECT seq,id,patient,knee,date,doc,%s FROM %s ORDER BY patient,date,knee,seq"
             " LIMIT ?1 OFFSET ?2",
             tables[t].cols, tables[t].name);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_fail(s, err, "prepare");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)q->limit);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)q->offset);
    rc = read_page(st, t, q, *total, a, out, n, err);
    sqlite3_finalize(st);
    return rc;
}

static int sq_list(genu_store *gs, genu_rtype t, const store_query *q, genu_arena *a,
                   genu_record **out, size_t *n, size_t *total, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    char sql[640];
    if (t != GENU_REC_PATIENT && !q->patient && q->every_patient)
        return sq_list_every(s, t, q, a, out, n, total, err);
    if (!s->list_count[t]) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s%s", tables[t].name, list_where(t));
        if (sq_prepare(s, sql, &s->list_count[t], err))
            return err->code;
    }
    if (!s->list_page[t]) {
        snprintf(sql, sizeof sql,
                 "SELECT seq,id,patient,knee,date,doc,%s FROM %s%s ORDER BY %s LIMIT ?4 OFFSET ?5",
                 tables[t].cols, tables[t].name, list_where(t),
                 t == GENU_REC_PATIENT ? "id" : "date,knee,seq");
        if (sq_prepare(s, sql, &s->list_page[t], err))
            return err->code;
    }
    list_bind(s->list_count[t], q);
    if (count_rows(s, s->list_count[t], total, err))
        return err->code;
    sqlite3_stmt *st = s->list_page[t];
    list_bind(st, q);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)q->limit);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)q->offset);
    return read_page(st, t, q, *total, a, out, n, err);
}

static int sq_op_write_begin(genu_store *gs, bool *own, genu_err *err)
{
    return sq_write_begin((sq_store *)gs, own, err);
}

static int sq_op_write_end(genu_store *gs, bool own, int rc, genu_err *err)
{
    return sq_write_end((sq_store *)gs, own, rc, err);
}

static int sq_op_audit(genu_store *gs, const char *action, const char *type, const char *id,
                       const char *before, const char *after, genu_err *err)
{
    return sq_audit((sq_store *)gs, action, type, id, before, after, err);
}

static const store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .insert_new = sq_insert_new,
    .stored_doc = sq_stored_doc,
    .update = sq_update,
    .stage_new = sq_stage_new,
    .stage_audit = sq_stage_audit,
    .cache_limit = sq_cache_limit,
    .remove = sq_remove,
    .has = sq_has,
    .count = sq_count,
    .each = sq_each,
    .load = sq_load,
    .get_setting = sq_get_setting,
    .set_setting = sq_set_setting,
    .get = sq_get,
    .user_put = sq_user_put,
    .user_get = sq_user_get,
    .user_list = sq_user_list,
    .session_put = sq_session_put,
    .session_get = sq_session_get,
    .session_touch = sq_session_touch,
    .session_delete = sq_session_delete,
    .survey_put = sq_survey_put,
    .survey_get = sq_survey_get,
    .survey_use = sq_survey_use,
    .audit_list = sq_audit_list,
    .audit_verify = sq_audit_verify,
    .backup = sq_backup,
    .list = sq_list,
    .write_begin = sq_op_write_begin,
    .write_end = sq_op_write_end,
    .audit = sq_op_audit,
};

/* SQLite's process-wide settings, before its first use: no memory
 * statistics (genu reads none; keeping them takes a mutex on every
 * allocation, about 5% of an import's writing thread). */
static void sq_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_sqlite_open(const char *path, int mode, const char *backup, int *from,
                      genu_store **out, genu_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_configure);
    bool create = mode == STORE_MODE_CREATE;
    store_tables_init();
    sq_store *s = calloc(1, sizeof *s);
    if (!s)
        return GENU_OOM(err);
    s->base.ops = &sqlite_ops;
    memcpy(s->base.actor, "system", sizeof "system");
    /* a handle is used by one thread at a time (the server checks handles
     * out to its workers), so SQLite need not lock it for every call */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (create)
        sq_private_file(path);
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        if (!create && rc == SQLITE_CANTOPEN)
            GENU_FAIL(err, GENU_ENOTFOUND, "no registry at %s (create one with genu init)", path);
        else
            GENU_FAIL(err, GENU_EIO, "cannot open registry %s: %s", path,
                      s->db ? sqlite3_errmsg(s->db) : "out of memory");
        sq_close(&s->base);
        return err ? err->code : GENU_EIO;
    }
    sqlite3_busy_timeout(s->db, 10000);
    sqlite3_extended_result_codes(s->db, 0);
    rc = sq_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                   "PRAGMA cache_size=-65536;", err);
    if (!rc && backup)
        rc = sq_backup(&s->base, backup, err);
    if (!rc)
        rc = migrate(s, mode, from, err);
    if (!rc)
        rc = build_statements(s, err);
    if (!rc)
        rc = sq_admin_prepare(s, err);
    if (rc) {
        genu_err_prefix(err, "%s: ", path);
        sq_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return GENU_OK;
}
