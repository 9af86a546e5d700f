/* store_pg: the PostgreSQL backend, on libpq. The same tables, columns and
 * behaviour as store_sqlite.c, in PostgreSQL's dialect:
 *
 * - text columns that are compared or sorted are COLLATE "C", so ordering is
 *   bytewise like SQLite's BINARY (export is byte-identical across
 *   backends), and sorts say NULLS FIRST where SQLite puts NULLs first;
 * - the schema version lives in schema_migrations; each migration runs in
 *   one transaction (PostgreSQL DDL is transactional) under an advisory
 *   lock, so two processes opening a new database do not race;
 * - write transactions take a transaction-level advisory lock, which
 *   serialises writers as SQLite's BEGIN IMMEDIATE does (the audit chain
 *   needs one writer at a time);
 * - after an error inside a transaction PostgreSQL refuses further
 *   statements: the only call that makes sense then is store_rollback, and
 *   store_commit of such a transaction fails (nothing is written).
 *
 * Statements are prepared once per connection (pg_run) with every value
 * bound as a parameter. This file holds the record operations; the
 * connection is pg_conn.c, the tables and migrations pg_schema.c, batched
 * puts store_pg_batch.c, accounts and the audit trail store_pg_admin.c. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "instruments/instrument.h"
#include "store/audit_chain.h"
#include "store/contacts.h"
#include "store/pg.h"



/* ---- transactions ---- */

static int pg_begin(genu_store *gs, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    /* one round trip: the transaction and the writers' lock */
    if (pg_exec(s, "BEGIN; " PG_WRITER_LOCK, err, "starting a transaction"))
        return err->code;
    s->in_tx = true;
    return GENU_OK;
}

static void pg_rollback(genu_store *gs)
{
    pg_store *s = (pg_store *)gs;
    if (PQtransactionStatus(s->db) != PQTRANS_IDLE && PQstatus(s->db) == CONNECTION_OK)
        pg_exec(s, "ROLLBACK", NULL, "rolling back");
    s->in_tx = false;
    pg_audit_forget(s);
}

static int pg_commit(genu_store *gs, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    if (PQtransactionStatus(s->db) == PQTRANS_INERROR) {
        pg_rollback(gs);
        return GENU_FAIL(err, GENU_EIO, "registry: the transaction failed earlier and was "
                                        "rolled back; nothing was written");
    }
    if (pg_audit_before_commit(s, err))
        return err->code;
    PGresult *r = PQexec(s->db, "COMMIT");
    int rc = GENU_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_fail(s, r, err, "committing");
    else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) /* the server rolled back instead */
        rc = GENU_FAIL(err, GENU_EIO, "registry: the transaction was rolled back (%s)",
                       PQcmdStatus(r));
    if (!rc)
        PQclear(r);
    s->in_tx = false;
    pg_audit_forget(s);
    return rc;
}

/* PostgreSQL refuses statements after an error until ROLLBACK TO, which
 * is what makes a savepoint per write of a batch useful here. */
static int pg_savepoint(genu_store *gs, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    s->sp_known = s->chain_known;
    s->sp_seq = s->chain_seq;
    memcpy(s->sp_hash, s->chain_hash, sizeof s->sp_hash);
    return pg_exec(s, "SAVEPOINT w", err, "taking a savepoint");
}

static int pg_release(genu_store *gs, genu_err *err)
{
    return pg_exec((pg_store *)gs, "RELEASE SAVEPOINT w", err, "releasing a savepoint");
}

static void pg_rollback_to(genu_store *gs)
{
    pg_store *s = (pg_store *)gs;
    pg_exec(s, "ROLLBACK TO SAVEPOINT w; RELEASE SAVEPOINT w", NULL, "rolling back a write");
    s->chain_known = s->sp_known;
    s->chain_seq = s->sp_seq;
    memcpy(s->chain_hash, s->sp_hash, sizeof s->chain_hash);
}

int pg_write_begin(pg_store *s, bool *own, genu_err *err)
{
    *own = !s->in_tx;
    return *own ? pg_begin(&s->base, err) : GENU_OK;
}

int pg_write_end(pg_store *s, bool own, int rc, genu_err *err)
{
    if (!own)
        return rc;
    if (rc) {
        pg_rollback(&s->base);
        return rc;
    }
    rc = pg_commit(&s->base, err);
    if (rc)
        pg_rollback(&s->base);
    return rc;
}

int pg_read_begin(pg_store *s, bool *own, genu_err *err)
{
    *own = !s->in_tx;
    if (!*own)
        return GENU_OK;
    if (pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, "starting a read"))
        return err->code;
    s->in_tx = true;
    return GENU_OK;
}

void pg_read_end(pg_store *s, bool own)
{
    if (own && PQtransactionStatus(s->db) != PQTRANS_IDLE && PQstatus(s->db) == CONNECTION_OK)
        pg_exec(s, "COMMIT", NULL, "ending a read");
    if (own)
        s->in_tx = false;
}

/* ---- binding and reading the per-type columns ---- */

/* The codec's primitives (store/columns.h) on bound text parameters and a
 * text-format result row. */
static void b_null(void *p, int i)
{
    (void)i;
    pg_p_text(p, NULL);
}

static void b_text(void *p, int i, const char *v)
{
    (void)i;
    pg_p_text(p, v);
}

static void b_int(void *p, int i, int64_t v)
{
    (void)i;
    pg_p_int(p, v);
}

static void b_real(void *p, int i, double v)
{
    (void)i;
    pg_p_real(p, v);
}

static const char *c_raw(const void *row, int i)
{
    return pg_field_raw(row, i);
}

static int64_t c_int(const void *row, int i)
{
    return pg_field_int(row, i);
}

static double c_real(const void *row, int i)
{
    return pg_field_real(row, i);
}

/* Adds the type's own columns to p; owned strings go to tmp[0..1]. */
static int bind_payload(pg_params *p, const genu_record *r, char **tmp)
{
    store_binder b = {p, b_null, b_text, b_int, b_real};
    return store_cols_bind(&b, 0, r, tmp);
}

/* Reads the type's own columns from field i on into r. */
static int read_payload(const pg_fields *f, int i, bool full, genu_record *r, genu_arena *a,
                        genu_hash *strings, genu_err *err)
{
    store_reader rd = {f, c_raw, c_int, c_real, strings};
    return store_cols_read(&rd, i, full, r, a, err);
}

/* Reads (seq, id, patient, knee, date, doc, payload...) of a row. */
static int read_row(const pg_fields *f, genu_rtype type, bool with_doc, genu_record *r,
                    genu_arena *a, genu_hash *strings, genu_err *err)
{
    memset(r, 0, sizeof *r);
    r->type = type;
    r->seq = pg_field_int(f, 0);
    r->id = pg_field_text(f, 1, a);
    /* a load points patient at its patient's id (place) instead of a copy */
    r->patient = with_doc                    ? pg_field_text(f, 2, a)
                 : type == GENU_REC_PATIENT ? r->id
                                            : c_raw(f, 2);
    const char *knee = c_raw(f, 3);
    r->knee = knee ? (genu_knee)vocab_knee(knee) : GENU_KNEE_NONE;
    const char *date = c_raw(f, 4);
    r->date = GENU_DATE_NONE;
    if (date && genu_date_parse(date, strlen(date), &r->date, err))
        return GENU_FAIL(err, GENU_EIO, "registry holds a bad date");
    r->doc = with_doc ? pg_field_text(f, 5, a) : NULL;
    /* a lean load selects NULL for the ids of records other than patients */
    if ((!r->id && (with_doc || type == GENU_REC_PATIENT)) || !r->patient ||
        (with_doc && !r->doc))
        return GENU_FAIL(err, GENU_ENOMEM, "out of memory reading the registry");
    return read_payload(f, 6, with_doc, r, a, strings, err);
}

/* read_row of a result's row k. */
static int read_result_row(const PGresult *res, int k, genu_rtype type, bool with_doc,
                           genu_record *r, genu_arena *a, genu_hash *strings, genu_err *err)
{
    pg_fields f;
    pg_fields_of(res, k, &f);
    return read_row(&f, type, with_doc, r, a, strings, err);
}

/* ---- statements ---- */

static char *build(genu_buf *b)
{
    char *p = b->oom ? NULL : strdup(b->p ? b->p : "");
    genu_buf_clear(b);
    return p;
}

/* Orders: patients by id; export by (patient, date, knee, seq); a load by
 * (patient, date, seq), as the SQLite backend sorts it in memory. */
#define ORDER_PATIENTS "id"
#define ORDER_EXPORT   "patient,date NULLS FIRST,knee NULLS FIRST,seq"
#define ORDER_LOAD     "patient,date NULLS FIRST,seq"

/* patients: a comma-separated list of sites, and an id prefix */
#define LIST_PATIENT_WHERE                                                                     \
    " WHERE ($1::text IS NULL OR position(','||site||',' in ','||$1::text||',')>0)"            \
    " AND ($2::text IS NULL OR left(id,length($2::text))=$2::text)"

static int build_statements(pg_store *s, genu_err *err)
{
    genu_buf b = GENU_BUF_INIT;
    for (int t = 0; t < PG_NT; t++) {
        const store_table *tb = &store_tables[t];
        /* insert unless the id exists and, when it added the row, its
         * audit row: one round trip per new record (the chain hash is
         * computed first) */
        genu_buf_printf(&b, "WITH ins AS (INSERT INTO %s(id,patient,knee,date,doc,%s) VALUES("
                        "$1,$2,$3,$4,$5", tb->name, tb->cols);
        for (int k = 0; k < tb->ncols; k++)
            genu_buf_printf(&b, ",$%d", 6 + k);
        int a = 6 + tb->ncols;
        genu_buf_printf(&b, ") ON CONFLICT (id) DO NOTHING RETURNING id) INSERT INTO audit(seq,"
                        "at_us,actor,action,type,record_id,before,after,prev,hash) SELECT "
                        "$%d::bigint,$%d::bigint,$%d::text,'create',$%d::text,id,NULL,$%d::text,"
                        "$%d::text,$%d::text FROM ins", a, a + 1, a + 2, a + 3, a + 6, a + 4,
                        a + 5);
        s->q_insert_audited[t] = build(&b);
        /* the same parameter order: id is $1 and doc $5 in both statements */
        genu_buf_printf(&b, "UPDATE %s SET patient=$2,knee=$3,date=$4,doc=$5", tb->name);
        const char *c = tb->cols;
        for (int k = 0; k < tb->ncols; k++) {
            const char *comma = strchr(c, ',');
            size_t n = comma ? (size_t)(comma - c) : strlen(c);
            genu_buf_printf(&b, ",%.*s=$%d", (int)n, c, 6 + k);
            c = comma ? comma + 1 : c + n;
        }
        genu_buf_puts(&b, " WHERE id=$1 AND doc IS DISTINCT FROM $5");
        s->q_update[t] = build(&b);
        genu_buf_printf(&b, "SELECT doc FROM %s WHERE id=$1", tb->name);
        s->q_doc[t] = build(&b);
        /* an index probe per id whatever the planner thinks of the table's
         * size (a table growing inside an import looks small: id=ANY(...)
         * would scan it whole, once per chunk) */
        genu_buf_printf(&b, "SELECT r.id,r.doc FROM unnest($1::text[]) AS u(id), LATERAL "
                        "(SELECT id,doc FROM %s WHERE id=u.id OFFSET 0) AS r", tb->name);
        s->q_docs[t] = build(&b);
        genu_buf_printf(&b, "SELECT seq,id,patient,knee,date,doc,%s FROM %s WHERE id=$1",
                        tb->cols, tb->name);
        s->q_get[t] = build(&b);
        genu_buf_printf(&b, "SELECT seq,id,patient,knee,date,NULL,%s FROM %s WHERE %s=$1 "
                        "ORDER BY %s", tb->cols, tb->name,
                        t == GENU_REC_PATIENT ? "id" : "patient",
                        t == GENU_REC_PATIENT ? ORDER_PATIENTS : ORDER_LOAD);
        s->q_load_one[t] = build(&b);
        genu_buf_printf(&b, "DELETE FROM %s WHERE id=$1", tb->name);
        s->q_del[t] = build(&b);
        genu_buf_printf(&b, "SELECT count(*) FROM %s", tb->name);
        s->q_count[t] = build(&b);
        /* store_list: patients by sites ($1) and id prefix ($2), other
         * records by patient ($1); then LIMIT and OFFSET */
        const char *where = t == GENU_REC_PATIENT ? LIST_PATIENT_WHERE : " WHERE patient=$1";
        int np = t == GENU_REC_PATIENT ? 2 : 1;
        genu_buf_printf(&b, "SELECT count(*) FROM %s%s", tb->name, where);
        s->q_list_count[t] = build(&b);
        genu_buf_printf(&b, "SELECT seq,id,patient,knee,date,doc,%s FROM %s%s ORDER BY %s "
                        "LIMIT $%d OFFSET $%d", tb->cols, tb->name, where,
                        t == GENU_REC_PATIENT ? "id" : "date NULLS FIRST,knee NULLS FIRST,seq",
                        np + 1, np + 2);
        s->q_list[t] = build(&b);
        /* store_list of every patient (q->every_patient): LIMIT $1 OFFSET $2 */
        genu_buf_printf(&b, "SELECT seq,id,patient,knee,date,doc,%s FROM %s ORDER BY patient,"
                        "date NULLS FIRST,knee NULLS FIRST,seq LIMIT $1 OFFSET $2",
                        tb->cols, tb->name);
        s->q_list_every[t] = build(&b);
        if (!s->q_list_every[t] || !s->q_insert_audited[t] || !s->q_update[t] || !s->q_doc[t] || !s->q_docs[t] || !s->q_get[t] || !s->q_load_one[t] ||
            !s->q_del[t] || !s->q_count[t] || !s->q_list_count[t] || !s->q_list[t]) {
            genu_buf_free(&b);
            return GENU_OOM(err);
        }
    }
    genu_buf_free(&b);
    return GENU_OK;
}

/* ---- operations ---- */

static void pg_close(genu_store *gs)
{
    pg_store *s = (pg_store *)gs;
    for (int t = 0; t < PG_NT; t++) {
        free(s->q_insert_audited[t]);
        free(s->q_update[t]);
        free(s->q_doc[t]);
        free(s->q_docs[t]);
        free(s->q_get[t]);
        free(s->q_load_one[t]);
        free(s->q_del[t]);
        free(s->q_count[t]);
        free(s->q_list_count[t]);
        free(s->q_list[t]);
        free(s->q_list_every[t]);
    }
    /* closing the connection rolls back an open transaction */
    PQfinish(s->db);
    free(s);
}

static int pg_schema_version(genu_store *gs)
{
    return ((pg_store *)gs)->version;
}

int pg_bind_record(pg_params *p, const genu_record *r, const store_audit_row *ar,
                   const char *hash, char *tmp[2], char date[GENU_DATE_STRLEN])
{
    pg_p_text(p, r->id);
    pg_p_text(p, r->patient);
    pg_p_text(p, vocab_knee_name(r->knee));
    if (r->date != GENU_DATE_NONE) {
        genu_date_format(r->date, date);
        pg_p_text(p, date);
    } else {
        pg_p_text(p, NULL);
    }
    pg_p_text(p, r->doc);
    if (bind_payload(p, r, tmp))
        return GENU_ENOMEM;
    if (ar) {
        pg_p_int(p, ar->seq);
        pg_p_int(p, ar->at_us);
        pg_p_text(p, ar->actor);
        pg_p_text(p, ar->type);
        pg_p_text(p, ar->prev);
        pg_p_text(p, hash);
        pg_p_text(p, ar->after);
    }
    return GENU_OK;
}

/* Runs an insert or update of r; with ar, also the audit row ar (hash). */
static int run_put(pg_store *s, const char *sql, const genu_record *r, const store_audit_row *ar,
                   const char *hash, int64_t *changed, genu_err *err)
{
    char *tmp[2] = {NULL, NULL};
    char date[GENU_DATE_STRLEN];
    pg_params p = {0};
    int rc = pg_bind_record(&p, r, ar, hash, tmp, date);
    if (rc)
        rc = GENU_FAIL(err, rc, "out of memory storing a %s", record_type_name(r->type));
    else
        rc = pg_do(s, sql, &p, changed, err, "storing a record");
    free(tmp[0]);
    free(tmp[1]);
    return rc;
}

/* The record primitives under store/policy.c (backend.h). */
static int pg_stored_doc(genu_store *gs, genu_rtype t, const char *id, genu_arena *a,
                         const char **doc, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    PGresult *r = pg_run1(s, s->q_doc[t], id, err, "looking up a record");
    if (!r)
        return err->code;
    *doc = PQntuples(r) ? pg_col_text(r, 0, 0, a) : NULL;
    bool oom = PQntuples(r) && !*doc;
    PQclear(r);
    return oom ? GENU_OOM(err) : GENU_OK;
}

/* The insert and its audit row travel in one statement (a round trip). */
static int pg_insert_new(genu_store *gs, const genu_record *r, bool *added, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    int64_t changed = 0;
    store_audit_row ar;
    char hash[65];
    char digest[AUDIT_DIGEST_LEN];
    audit_chain_digest(r->doc, digest);
    if (pg_audit_next(s, "create", record_type_name(r->type), r->id, NULL, digest, &ar, hash,
                      err) ||
        run_put(s, s->q_insert_audited[r->type], r, &ar, hash, &changed, err))
        return err->code;
    *added = changed == 1;
    if (*added)
        pg_audit_advance(s, &ar, hash);
    return GENU_OK;
}

static int pg_update(genu_store *gs, const genu_record *r, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    return run_put(s, s->q_update[r->type], r, NULL, NULL, NULL, err);
}

static int pg_get(genu_store *gs, genu_rtype type, const char *id, genu_arena *a,
                  genu_record *out, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    PGresult *r = pg_run1(s, s->q_get[type], id, err, "reading a record");
    if (!r)
        return err->code;
    int rc = PQntuples(r) ? read_result_row(r, 0, type, true, out, a, NULL, err)
                          : GENU_FAIL(err, GENU_ENOTFOUND, "no %s \"%s\"",
                                      record_type_name(type), id);
    PQclear(r);
    return rc;
}

static int pg_remove(genu_store *gs, genu_rtype type, const char *id, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params p = {0};
    pg_p_text(&p, id);
    return pg_do(s, s->q_del[type], &p, NULL, err, "deleting a record");
}

static int pg_has(genu_store *gs, genu_rtype type, const char *id, bool *out, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    PGresult *r = pg_run1(s, s->q_doc[type], id, err, "looking up a record");
    if (!r)
        return err->code;
    *out = PQntuples(r) > 0;
    PQclear(r);
    return GENU_OK;
}

static int pg_count(genu_store *gs, genu_rtype type, size_t *out, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    PGresult *r = pg_run(s, s->q_count[type], NULL, err, "counting records");
    if (!r)
        return err->code;
    *out = (size_t)pg_col_int(r, 0, 0);
    PQclear(r);
    return GENU_OK;
}

/* SELECT seq,id,patient,knee,date,doc,<cols> FROM t ORDER BY <order>, into b. */
/* with_doc false leaves the docs (the bulk of each row) where they are */
static void select_all(genu_buf *b, genu_rtype t, const char *order, bool with_doc)
{
    genu_buf_clear(b);
    genu_buf_printf(b, "SELECT seq,id,patient,knee,date,%s,%s FROM %s ORDER BY %s",
                    with_doc ? "doc" : "NULL", store_tables[t].cols, store_tables[t].name, order);
}

static int each_open(pg_store *s, pg_cursor cur[PG_NT], genu_err *err)
{
    genu_buf b = GENU_BUF_INIT;
    int rc = GENU_OK;
    for (int t = 0; t < PG_NT && !rc; t++) {
        char name[32];
        snprintf(name, sizeof name, "genu_each_%d", t);
        select_all(&b, t, t == GENU_REC_PATIENT ? ORDER_PATIENTS : ORDER_EXPORT, true);
        rc = b.oom ? GENU_OOM(err)
                   : pg_cursor_open(s, &cur[t], name, b.p, err);
    }
    genu_buf_free(&b);
    return rc;
}

static bool cur_of(const pg_cursor *c, const char *pid)
{
    return c->row < c->nrows && strcmp(PQgetvalue(c->res, c->row, 2), pid) == 0;
}

/* Export order: patients by id; under each, the record types in enum order,
 * each by (date, knee, seq). One cursor per table, merged on patient id. */
static int pg_each(genu_store *gs, bool skip_identity, store_each_fn fn, void *ctx,
                   genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_cursor cur[PG_NT];
    memset(cur, 0, sizeof cur);
    bool own;
    genu_arena *a = genu_arena_create();
    if (!a)
        return GENU_OOM(err);
    int rc = pg_read_begin(s, &own, err);
    if (!rc)
        rc = each_open(s, cur, err);
    genu_record r;
    pg_cursor *pc = &cur[GENU_REC_PATIENT];
    while (!rc && pc->row < pc->nrows) {
        const char *pid = PQgetvalue(pc->res, pc->row, 1);
        rc = read_result_row(pc->res, pc->row, GENU_REC_PATIENT, true, &r, a, NULL, err);
        if (!rc)
            rc = fn(&r, ctx);
        for (int t = 1; t < PG_NT && !rc; t++) {
            pg_cursor *c = &cur[t];
            while (!rc && cur_of(c, pid)) {
                if (t != GENU_REC_IDENTITY || !skip_identity) {
                    rc = read_result_row(c->res, c->row, t, true, &r, a, NULL, err);
                    if (!rc)
                        rc = fn(&r, ctx);
                }
                if (!rc)
                    rc = pg_cursor_next(s, c, err);
            }
        }
        genu_arena_reset(a);
        if (!rc)
            rc = pg_cursor_next(s, pc, err);
    }
    for (int t = 0; t < PG_NT; t++)
        pg_cursor_close(s, &cur[t]);
    pg_read_end(s, own);
    genu_arena_destroy(a);
    return rc;
}

static int place(genu_rtype t, genu_record *r, size_t k, genu_dataset *ds, genu_err *err)
{
    if (t == GENU_REC_PATIENT) {
        r->pat = (uint32_t)k; /* store_check_count: it fits */
        return GENU_OK;
    }
    r->pat = k ? r[-1].pat : 0; /* r is recs[k]; rows come by patient: the hint */
    if (!store_patient_at(ds, r->patient, &r->pat))
        return GENU_FAIL(err, GENU_EIO, "registry: %s %s names a missing patient",
                         store_tables[t].name, r->id ? r->id : r->patient);
    /* it pointed into the query's result until now */
    r->patient = ds->recs[GENU_REC_PATIENT][r->pat].id;
    return GENU_OK;
}

/* The columns a load selects of table t, from seq to the payload. */
static void load_columns(genu_buf *b, genu_rtype t, bool lean)
{
    genu_buf_printf(b, "SELECT seq,%s,patient,knee,date,NULL,%s",
                    lean && t != GENU_REC_PATIENT ? "NULL" : "id",
                    lean ? store_tables[t].lean_cols : store_tables[t].cols);
}

/* A streamed load's destination: rows read into recs[0..cap) as they
 * come (libpq's single-row mode, so the server sends the next rows while
 * this side reads the last), each kept or dropped by the keeper. recs
 * grows as rows come (genu_arena_grow): counting them first would cost
 * the server a pass over the table (a third of a second for the
 * responses of 100,000 patients). */
typedef struct load_sink {
    genu_rtype t;
    genu_record *recs;
    size_t n, cap;
    genu_arena *a;
    genu_dataset *ds;
    genu_hash *strings;
    store_keeper keep;
} load_sink;

static int sink_grow(load_sink *k, genu_err *err)
{
    size_t cap = k->cap ? k->cap * 2 : 4096;
    genu_record *v = cap < SIZE_MAX / 2 / sizeof *v ? genu_arena_grow(k->recs, cap * sizeof *v)
                                                    : NULL;
    if (!v)
        return GENU_FAIL(err, GENU_ENOMEM, "out of memory loading %s records",
                         store_tables[k->t].name);
    k->recs = v;
    k->cap = cap;
    return store_check_count(k->t, k->n + 1, err);
}

static int sink_row(const pg_fields *f, void *ctx, genu_err *err)
{
    load_sink *k = ctx;
    if (k->n == k->cap && sink_grow(k, err))
        return err->code;
    genu_record *r = &k->recs[k->n];
    int rc = read_row(f, k->t, false, r, k->a, k->strings, err);
    if (!rc)
        rc = place(k->t, r, k->n, k->ds, err);
    if (!rc)
        rc = store_keeper_row(&k->keep, k->recs, &k->n, err);
    return rc;
}

/* Streams sql into k's records, which arrays then holds (even after a
 * failure: nothing is left to free), into ds. */
static int sink_stream(pg_store *s, load_sink *k, const char *sql, genu_arena *arrays,
                       genu_err *err, const char *what)
{
    int rc = sink_grow(k, err);
    if (!rc)
        rc = pg_copy_rows(s, sql, sink_row, k, err, what);
    if (!rc)
        rc = store_keeper_end(&k->keep, k->recs, &k->n, err);
    if (k->recs && k->n < k->cap / 2) { /* give back the room not used */
        genu_record *v = genu_arena_grow(k->recs, (k->n ? k->n : 1) * sizeof *v);
        k->recs = v ? v : k->recs;
    }
    genu_arena_keep(arrays, k->recs);
    k->ds->n[k->t] = k->n;
    k->ds->recs[k->t] = k->recs;
    return rc;
}

/* The rows of a whole table, streamed. */
static int load_whole(pg_store *s, genu_rtype t, const store_scope *scope, genu_arena *arrays,
                      genu_arena *a, genu_hash *strings, store_contacts *days, genu_dataset *ds,
                      genu_err *err)
{
    load_sink k = {t, NULL, 0, 0, a, ds, strings, {0}};
    store_keeper_init(&k.keep, scope, t, days);
    genu_buf b = GENU_BUF_INIT;
    load_columns(&b, t, scope && scope->lean);
    genu_buf_printf(&b, " FROM %s ORDER BY %s", store_tables[t].name,
                    t == GENU_REC_PATIENT ? ORDER_PATIENTS : ORDER_LOAD);
    int rc = b.oom ? GENU_OOM(err) : sink_stream(s, &k, b.p, arrays, err, "loading records");
    genu_buf_free(&b);
    return rc;
}

/* The rows of one patient (a patient's own row, or its records). */
static int load_one(pg_store *s, genu_rtype t, const char *patient, genu_arena *arrays,
                    genu_arena *a, genu_hash *strings, genu_dataset *ds, genu_err *err)
{
    PGresult *res = pg_run1(s, s->q_load_one[t], patient, err, "loading records");
    if (!res)
        return err->code;
    size_t n = (size_t)PQntuples(res), k = 0;
    genu_record *recs = genu_arena_calloc(arrays, n ? n : 1, sizeof *recs);
    int rc = recs ? GENU_OK
                  : GENU_FAIL(err, GENU_ENOMEM, "out of memory loading %s records",
                              store_tables[t].name);
    for (; !rc && k < n; k++) {
        rc = read_result_row(res, (int)k, t, false, &recs[k], a, strings, err);
        if (!rc)
            rc = place(t, &recs[k], k, ds, err);
    }
    PQclear(res);
    ds->n[t] = k;
    ds->recs[t] = recs;
    return rc;
}

/* The responses of the scope's instruments, and the scope's patient's:
 * the index response_by_instrument answers most of it. */
static int load_instruments(pg_store *s, const store_scope *scope, genu_arena *a,
                            genu_hash *strings, genu_dataset *ds, genu_err *err)
{
    /* instrument ids are [a-z0-9_], so the array's text needs no quoting;
     * the values go into the text (COPY takes no parameters), as literals */
    genu_buf arr = GENU_BUF_INIT, b = GENU_BUF_INIT;
    genu_buf_putc(&arr, '{');
    for (size_t i = 0; i < scope->ninstruments; i++)
        genu_buf_printf(&arr, "%s%s", i ? "," : "", scope->instruments[i]);
    genu_buf_putc(&arr, '}');
    char *ids = arr.oom ? NULL : PQescapeLiteral(s->db, arr.p, arr.len);
    char *pid = scope->patient ? PQescapeLiteral(s->db, scope->patient, strlen(scope->patient))
                               : NULL;
    load_columns(&b, GENU_REC_RESPONSE, scope->lean);
    /* without a patient no OR: the index alone then answers */
    genu_buf_printf(&b, " FROM response WHERE instrument=ANY(%s::text[])", ids ? ids : "");
    if (pid)
        genu_buf_printf(&b, " OR patient=%s", pid);
    load_sink k = {GENU_REC_RESPONSE, NULL, 0, 0, a, ds, strings, {0}};
    store_keeper_init(&k.keep, scope, GENU_REC_RESPONSE, NULL); /* keeps every row */
    int rc = b.oom || !ids || (scope->patient && !pid)
                 ? GENU_OOM(err)
                 : sink_stream(s, &k, b.p, store_scope_arrays(scope, a), err, "loading responses");
    PQfreemem(ids);
    PQfreemem(pid);
    genu_buf_free(&arr);
    genu_buf_free(&b);
    if (!rc) /* not in the query: the server would sort them all before the first */
        qsort(ds->recs[GENU_REC_RESPONSE], ds->n[GENU_REC_RESPONSE], sizeof(genu_record),
              record_dataset_cmp);
    return rc;
}

static int contact_row(const pg_fields *f, void *ctx, genu_err *err)
{
    store_contacts *b = ctx;
    return store_contacts_add(b, (int)pg_field_int(f, 3), c_raw(f, 0), c_raw(f, 1), c_raw(f, 2),
                              err);
}

/* Every distinct (patient, date, knee) of table t, by patient. */
static int contact_rows(void *ctx, int t, store_contacts *b, genu_err *err)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT DISTINCT patient,date,knee,%d FROM %s ORDER BY 1,2,3 NULLS FIRST", t,
             store_tables[t].name);
    return pg_copy_rows(ctx, sql, contact_row, b, err, "reading contact days");
}

/* What a lean load reads beside itself, on a second connection in a
 * second thread while the first loads the other records, so that two
 * server processes read at once: the diagnoses and the responses of the
 * scope's instruments (into an arena of its own, adopted by the load's
 * after) and the contact days. The second connection sees the load's own
 * snapshot (pg_export_snapshot, SET TRANSACTION SNAPSHOT), so both read
 * the same registry. What it could not read (no second connection, a
 * server that cannot export snapshots) the load reads itself. */
typedef struct pg_beside {
    store_days_beside b; /* the days, when b.scope wants them */
    PGconn *model;       /* the load's connection, whose settings the second takes */
    char snapshot[64];
    genu_dataset *ds;
    bool diagnoses, responses; /* read them too */
    genu_arena *ra;            /* theirs: records and strings */
    bool diagnoses_done, responses_done;
} pg_beside;

static void *pg_read_beside(void *arg)
{
    pg_beside *d = arg;
    PQconninfoOption *opts = PQconninfo(d->model);
    const char *keys[64], *vals[64];
    int n = 0;
    for (PQconninfoOption *o = opts; o && o->keyword && n < 63; o++)
        if (o->val && o->val[0]) {
            keys[n] = o->keyword;
            vals[n++] = o->val;
        }
    keys[n] = vals[n] = NULL;
    pg_store two = {.db = opts ? PQconnectdbParams(keys, vals, 0) : NULL};
    PQconninfoFree(opts);
    char begin[160];
    snprintf(begin, sizeof begin,
             "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '%s'",
             d->snapshot);
    if (two.db && PQstatus(two.db) == CONNECTION_OK &&
        pg_exec(&two, begin, &d->b.err, "sharing the load's snapshot") == GENU_OK) {
        two.in_tx = true;
        const store_scope *scope = d->b.scope;
        bool records = d->diagnoses || d->responses;
        genu_hash *strings = records ? genu_hash_create() : NULL;
        if (strings)
            d->ra = genu_arena_create();
        genu_err derr = {0}, rerr = {0}; /* what failed is read again by the load */
        if (d->diagnoses && d->ra)
            d->diagnoses_done = load_whole(&two, GENU_REC_DIAGNOSIS, scope, d->ra, d->ra, strings,
                                           NULL, d->ds, &derr) == GENU_OK;
        if (d->responses && d->ra)
            d->responses_done = load_instruments(&two, scope, d->ra, strings, d->ds, &rerr) ==
                                GENU_OK;
        genu_hash_destroy(strings);
        if (scope->contacts)
            d->b.done = store_contacts_rows(scope, contact_rows, &two, &d->b.days, &d->b.err) ==
                        GENU_OK;
    }
    PQfinish(two.db);
    return NULL;
}

/* The load's snapshot, for a second connection (the first statement of
 * the load's own read transaction, so nothing of it is uncommitted);
 * false on a standby, which this asks first (an error would end the
 * transaction, and a snapshot cannot be exported under a savepoint). */
static bool export_snapshot(pg_store *s, char out[64])
{
    PGresult *r = PQexec(s->db, "SELECT CASE WHEN pg_is_in_recovery() THEN NULL"
                                " ELSE pg_export_snapshot() END");
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
              !PQgetisnull(r, 0, 0) && strlen(PQgetvalue(r, 0, 0)) < 64;
    if (ok)
        snprintf(out, 64, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return ok;
}

static int pg_load(genu_store *gs, const store_scope *scope, genu_arena *a, genu_dataset *ds,
                   genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    memset(ds, 0, sizeof *ds);
    /* one snapshot, so the dataset is consistent */
    bool own;
    genu_hash *strings = genu_hash_create();
    if (!strings)
        return GENU_OOM(err);
    store_contacts days;
    store_contacts_init(&days, ds);
    /* the diagnoses and responses beside only where the load's arena takes
     * all of them (not into arrays apart, which another version may share) */
    bool apart = !scope || scope->patient || scope->arrays;
    bool diagnoses = !apart && store_scope_whole(scope, GENU_REC_DIAGNOSIS);
    bool responses = !apart && scope->ninstruments && !store_scope_whole(scope, GENU_REC_RESPONSE);
    pg_beside dr = {.b = {.scope = scope}, .model = s->db, .ds = ds, .diagnoses = diagnoses,
                    .responses = responses};
    store_contacts_init(&dr.b.days, ds);
    pthread_t th;
    bool beside = false;
    int rc = pg_read_begin(s, &own, err);
    bool shared = !rc && own && scope && (scope->contacts || responses || diagnoses) &&
                  export_snapshot(s, dr.snapshot);
    for (int t = 0; t < PG_NT && !rc; t++) {
        if (t == GENU_REC_IDENTITY || (beside && t == GENU_REC_DIAGNOSIS && diagnoses))
            continue; /* (the second connection's) */
        if (store_scope_whole(scope, t))
            rc = load_whole(s, t, scope, store_scope_arrays(scope, a), a, strings, &days, ds,
                            err);
        else if (t == GENU_REC_RESPONSE && scope->ninstruments)
            rc = beside && responses ? GENU_OK /* the second connection's */
                                     : load_instruments(s, scope, a, strings, ds, err);
        else if (scope->patient)
            rc = load_one(s, t, scope->patient, store_scope_arrays(scope, a), a, strings, ds,
                          err);
        /* the patients are there: the rest can be read beside */
        if (!rc && t == GENU_REC_PATIENT && shared)
            beside = pthread_create(&th, NULL, pg_read_beside, &dr) == 0;
    }
    if (beside) {
        pthread_join(th, NULL);
        genu_arena_adopt(a, dr.ra); /* what it read, even in part */
        if (diagnoses && !dr.diagnoses_done) { /* read here after all */
            ds->n[GENU_REC_DIAGNOSIS] = 0;
            ds->recs[GENU_REC_DIAGNOSIS] = NULL;
            if (!rc)
                rc = load_whole(s, GENU_REC_DIAGNOSIS, scope, a, a, strings, &days, ds, err);
        }
        if (responses && !dr.responses_done) {
            ds->n[GENU_REC_RESPONSE] = 0;
            ds->recs[GENU_REC_RESPONSE] = NULL;
            if (!rc)
                rc = load_instruments(s, scope, a, strings, ds, err);
        }
    }
    rc = store_contacts_load_beside(scope, beside, &dr.b, contact_rows, s, &days, a, ds, rc, err);
    pg_read_end(s, own);
    genu_hash_destroy(strings);
    return rc;
}

static const char q_get_setting[] = "SELECT value FROM setting WHERE key=$1";

static int pg_get_setting(genu_store *gs, const char *key, genu_arena *a, const char **out,
                          genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    PGresult *r = pg_run1(s, q_get_setting, key, err, "reading a setting");
    if (!r)
        return err->code;
    *out = PQntuples(r) ? pg_col_text(r, 0, 0, a) : NULL;
    PQclear(r);
    return GENU_OK;
}

static const char q_set_setting[] = "INSERT INTO setting(key,value) VALUES($1,$2) "
                                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value";
static const char q_add_setting[] = "INSERT INTO setting(key,value) VALUES($1,$2) "
                                    "ON CONFLICT(key) DO NOTHING";

static int pg_set_setting(genu_store *gs, const char *key, const char *value, bool keep,
                          genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params p = {0};
    pg_p_text(&p, key);
    pg_p_text(&p, value);
    return pg_do(s, keep ? q_add_setting : q_set_setting, &p, NULL, err, "writing a setting");
}

static int pg_list(genu_store *gs, genu_rtype t, const store_query *q, genu_arena *a,
                   genu_record **out, size_t *n, size_t *total, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params p = {0};
    const char *q_count = s->q_list_count[t], *q_page = s->q_list[t];
    if (t != GENU_REC_PATIENT && !q->patient && q->every_patient) {
        /* every patient's records: no parameter but the page ($1, $2) */
        q_count = s->q_count[t];
        q_page = s->q_list_every[t];
    } else if (t == GENU_REC_PATIENT) {
        pg_p_text(&p, q->sites);
        pg_p_text(&p, q->search);
    } else {
        pg_p_text(&p, q->patient);
    }
    PGresult *r;
    if (q_count) {
        if (!(r = pg_run(s, q_count, &p, err, "counting records")))
            return err->code;
        *total = (size_t)pg_col_int(r, 0, 0);
        PQclear(r);
    }
    pg_p_int(&p, (int64_t)q->limit);
    pg_p_int(&p, (int64_t)q->offset);
    if (!(r = pg_run(s, q_page, &p, err, "listing records")))
        return err->code;
    size_t room = store_page_len(q, *total);
    genu_record *v = genu_arena_calloc(a, room ? room : 1, sizeof *v);
    size_t k = 0;
    int rc = v ? GENU_OK : GENU_OOM(err);
    for (int row = 0; !rc && k < room && row < PQntuples(r); row++)
        rc = read_result_row(r, row, t, true, &v[k++], a, NULL, err);
    PQclear(r);
    *out = v;
    *n = k;
    return rc;
}

static int pg_op_write_begin(genu_store *gs, bool *own, genu_err *err)
{
    return pg_write_begin((pg_store *)gs, own, err);
}

static int pg_op_write_end(genu_store *gs, bool own, int rc, genu_err *err)
{
    return pg_write_end((pg_store *)gs, own, rc, err);
}

static int pg_op_audit(genu_store *gs, const char *action, const char *type, const char *id,
                       const char *before, const char *after, genu_err *err)
{
    return pg_audit((pg_store *)gs, action, type, id, before, after, err);
}

static bool pg_connected(genu_store *gs)
{
    return PQstatus(((pg_store *)gs)->db) == CONNECTION_OK;
}

static const store_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .schema_version = pg_schema_version,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .rollback_to = pg_rollback_to,
    .insert_new = pg_insert_new,
    .stored_doc = pg_stored_doc,
    .update = pg_update,
    .remove = pg_remove,
    .put_many = pg_put_many,
    .stage_new = pg_stage_new,
    .stage_audit = pg_stage_audit,
    .has = pg_has,
    .count = pg_count,
    .each = pg_each,
    .load = pg_load,
    .get_setting = pg_get_setting,
    .set_setting = pg_set_setting,
    .get = pg_get,
    .user_put = pg_user_put,
    .user_get = pg_user_get,
    .user_list = pg_user_list,
    .session_put = pg_session_put,
    .session_get = pg_session_get,
    .session_touch = pg_session_touch,
    .session_delete = pg_session_delete,
    .survey_put = pg_survey_put,
    .survey_get = pg_survey_get,
    .survey_use = pg_survey_use,
    .audit_list = pg_audit_list,
    .audit_verify = pg_audit_verify,
    .backup = pg_backup,
    .list = pg_list,
    .write_begin = pg_op_write_begin,
    .write_end = pg_op_write_end,
    .audit = pg_op_audit,
    .connected = pg_connected,
};

/* Connects; the URL's own settings win over these defaults, and the client
 * encoding is always UTF-8. The error names where, never the password. */
static int connect_db(pg_store *s, const char *url, genu_err *err)
{
    const char *const keys[] = {"connect_timeout", "application_name", "dbname",
                                "client_encoding", NULL};
    const char *const vals[] = {"10", "genu", url, "UTF8", NULL};
    s->db = PQconnectdbParams(keys, vals, 1);
    if (!s->db)
        return GENU_FAIL(err, GENU_ENOMEM, "out of memory connecting to PostgreSQL");
    if (PQstatus(s->db) == CONNECTION_OK)
        return GENU_OK;
    char msg[300];
    const char *full = PQerrorMessage(s->db);
    /* libpq puts the useful line last ("connection to server ... failed: X") */
    const char *why = strstr(full, "failed: ");
    pg_first_line(msg, sizeof msg, why ? why + 8 : full);
    if (strncmp(msg, "FATAL:  ", 8) == 0)
        memmove(msg, msg + 8, strlen(msg + 8) + 1);
    const char *db = PQdb(s->db), *user = PQuser(s->db), *host = PQhost(s->db);
    const char *port = PQport(s->db);
    int code = strstr(msg, "does not exist") && strstr(msg, "database") ? GENU_ENOTFOUND
                                                                         : GENU_EIO;
    return GENU_FAIL(err, code,
                     "cannot connect to PostgreSQL (database %s, user %s, host %s, port %s): %s",
                     db && *db ? db : "?", user && *user ? user : "?",
                     host && *host ? host : "local socket", port && *port ? port : "default",
                     msg);
}

int store_pg_open(const char *url, int mode, int *from, genu_store **out, genu_err *err)
{
    store_tables_init();
    pg_store *s = calloc(1, sizeof *s);
    if (!s)
        return GENU_OOM(err);
    s->base.ops = &pg_ops;
    memcpy(s->base.actor, "system", sizeof "system");
    s->readonly = mode == STORE_MODE_READ;
    int rc = connect_db(s, url, err);
    if (!rc)
        rc = pg_setup_session(s, err);
    if (!rc)
        rc = build_statements(s, err);
    if (!rc)
        rc = pg_migrate(s, mode, from, err);
    if (!rc)
        rc = pg_audit_init(s, err);
    if (rc) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return GENU_OK;
}
