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
 * puts store_pg_batch.c, the analysis dataset's load store_pg_load.c,
 * accounts and the audit trail store_pg_admin.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/audit_chain.h"
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
int pg_read_row(const pg_fields *f, genu_rtype type, bool with_doc, genu_record *r,
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

int pg_read_result_row(const PGresult *res, int k, genu_rtype type, bool with_doc,
                       genu_record *r, genu_arena *a, genu_hash *strings, genu_err *err)
{
    pg_fields f;
    pg_fields_of(res, k, &f);
    return pg_read_row(&f, type, with_doc, r, a, strings, err);
}

/* ---- statements ---- */

static char *build(genu_buf *b)
{
    char *p = b->oom ? NULL : strdup(b->p ? b->p : "");
    genu_buf_clear(b);
    return p;
}

/* Orders: patients by id (PG_ORDER_PATIENTS); export by (patient, date,
 * knee, seq); a load by PG_ORDER_LOAD (pg.h). */
#define ORDER_EXPORT "patient,date NULLS FIRST,knee NULLS FIRST,seq"

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
                        t == GENU_REC_PATIENT ? PG_ORDER_PATIENTS : PG_ORDER_LOAD);
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
    int rc = PQntuples(r) ? pg_read_result_row(r, 0, type, true, out, a, NULL, err)
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
        select_all(&b, t, t == GENU_REC_PATIENT ? PG_ORDER_PATIENTS : ORDER_EXPORT, true);
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
        rc = pg_read_result_row(pc->res, pc->row, GENU_REC_PATIENT, true, &r, a, NULL, err);
        if (!rc)
            rc = fn(&r, ctx);
        for (int t = 1; t < PG_NT && !rc; t++) {
            pg_cursor *c = &cur[t];
            while (!rc && cur_of(c, pid)) {
                if (t != GENU_REC_IDENTITY || !skip_identity) {
                    rc = pg_read_result_row(c->res, c->row, t, true, &r, a, NULL, err);
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
        rc = pg_read_result_row(r, row, t, true, &v[k++], a, NULL, err);
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
