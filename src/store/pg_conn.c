/* pg_conn: the PostgreSQL backend's connection to its server — bound
 * parameters, errors in genu's words, statements prepared once per
 * connection, reconnection between transactions, column readers and
 * cursors. What store_pg.c, store_pg_admin.c and store_pg_batch.c share
 * (pg.h). */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/pg.h"

/* ---- parameters, results and errors ---- */

void pg_p_text(pg_params *p, const char *v)
{
    assert(p->n < PG_MAXPARAMS);
    p->v[p->n++] = v;
}

void pg_p_int(pg_params *p, int64_t v)
{
    assert(p->n < PG_MAXPARAMS);
    snprintf(p->num[p->n], sizeof p->num[0], "%lld", (long long)v);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

void pg_p_real(pg_params *p, double v)
{
    assert(p->n < PG_MAXPARAMS);
    if (isnan(v)) {
        p->v[p->n++] = NULL;
        return;
    }
    /* 17 significant digits read back as the same double */
    snprintf(p->num[p->n], sizeof p->num[0], "%.17g", v);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

void pg_p_level(pg_params *p, int v)
{
    if (v < 0)
        pg_p_text(p, NULL);
    else
        pg_p_int(p, v);
}

/* libpq's messages end with a newline and may span lines: keep the first. */
void pg_first_line(char *dst, size_t n, const char *msg)
{
    size_t k = strcspn(msg ? msg : "", "\n");
    snprintf(dst, n, "%.*s", (int)k, msg ? msg : "");
}

int pg_fail(pg_store *s, PGresult *res, genu_err *err, const char *what)
{
    char msg[300];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int code = GENU_EIO;
    if (PQstatus(s->db) == CONNECTION_BAD) {
        pg_first_line(msg, sizeof msg, PQerrorMessage(s->db));
        PQclear(res);
        return GENU_FAIL(err, GENU_EIO, "registry: %s: lost the connection to PostgreSQL: %s",
                         what, msg);
    }
    pg_first_line(msg, sizeof msg, primary ? primary : PQerrorMessage(s->db));
    const char *kind = "";
    if (state && strncmp(state, "23", 2) == 0) {
        code = GENU_ECONFLICT;
        /* the same words as SQLite's, so callers and tests read one message */
        kind = strcmp(state, "23503") == 0   ? "FOREIGN KEY constraint failed: "
               : strcmp(state, "23505") == 0 ? "UNIQUE constraint failed: "
               : strcmp(state, "23514") == 0 ? "CHECK constraint failed: "
                                             : "";
    } else if (state && strncmp(state, "40", 2) == 0) {
        code = GENU_ECONFLICT;
    } else if (state && strcmp(state, "53200") == 0) {
        code = GENU_ENOMEM;
    }
    PQclear(res);
    return GENU_FAIL(err, code, "registry: %s: %s%s", what, kind, msg);
}

/* Session settings every connection needs whatever the server's defaults:
 * commits are durable when acknowledged (docs/design.md, Security and reliability), doubles travel as
 * text that reads back exactly, and statements are not cut short. */
/* (jit off: genu's queries are index scans and plain inserts, which JIT
 * compilation only delays, by 20 ms and more a query on a large table) */
static const char pg_session_setup[] = "SET synchronous_commit TO on; SET extra_float_digits TO 1;"
                                       " SET client_min_messages TO warning; SET jit TO off";

/* A read-only handle (a replica's) refuses writes in PostgreSQL itself, so
 * that a write sent through it by mistake fails even where the database is
 * writable (the primary itself, or a logical replica). */
int pg_setup_session(pg_store *s, genu_err *err)
{
    PGresult *r = PQexec(s->db, pg_session_setup);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return pg_fail(s, r, err, "setting up the session");
    PQclear(r);
    if (!s->readonly)
        return GENU_OK;
    r = PQexec(s->db, "SET default_transaction_read_only TO on");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return pg_fail(s, r, err, "setting up a read-only session");
    PQclear(r);
    return GENU_OK;
}

/* A connection the server dropped (a restart, a failover, an idle
 * timeout) is opened again before the next statement outside a
 * transaction, with its session settings; its prepared statements and the
 * audit chain's head are forgotten. Inside a transaction a lost connection
 * stays an error: what the transaction did is gone, and the caller must
 * know. */
static int reconnect(pg_store *s, genu_err *err)
{
    char msg[300];
    PQreset(s->db);
    if (PQstatus(s->db) != CONNECTION_OK) {
        pg_first_line(msg, sizeof msg, PQerrorMessage(s->db));
        return GENU_FAIL(err, GENU_EIO, "registry: lost the connection to PostgreSQL and "
                                        "cannot connect again: %s", msg);
    }
    s->nprepared = 0;
    pg_audit_forget(s);
    return pg_setup_session(s, err);
}

static int alive(pg_store *s, genu_err *err)
{
    return PQstatus(s->db) == CONNECTION_OK || s->in_tx ? GENU_OK : reconnect(s, err);
}

/* Whether a statement that failed on a connection found lost may run again
 * on a new one: outside a transaction, one that changes nothing (a read or
 * a BEGIN), so running it twice cannot apply a change twice. */
static bool retryable(const pg_store *s, const char *sql)
{
    return !s->in_tx && PQstatus(s->db) == CONNECTION_BAD &&
           (strncmp(sql, "SELECT", 6) == 0 || strncmp(sql, "BEGIN", 5) == 0);
}

int pg_exec(pg_store *s, const char *sql, genu_err *err, const char *what)
{
    for (int attempt = 0;; attempt++) {
        genu_err first = {0};
        if (alive(s, err))
            return err ? err->code : GENU_EIO;
        PGresult *r = PQexec(s->db, sql);
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            PQclear(r);
            return GENU_OK;
        }
        if (attempt || !retryable(s, sql))
            return pg_fail(s, r, err, what);
        pg_fail(s, r, &first, what);
    }
}

int pg_prepared(pg_store *s, const char *sql, char name[16], genu_err *err)
{
    int i = 0;
    while (i < s->nprepared && s->prepared[i] != sql)
        i++;
    snprintf(name, 16, "g%d", i);
    if (i < s->nprepared)
        return GENU_OK;
    if (i >= PG_MAXSTMT)
        return GENU_FAIL(err, GENU_ENOMEM, "registry: too many statements (raise PG_MAXSTMT)");
    PGresult *r = PQprepare(s->db, name, sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return pg_fail(s, r, err, "preparing a statement");
    PQclear(r);
    s->prepared[s->nprepared++] = sql;
    return GENU_OK;
}

PGresult *pg_run(pg_store *s, const char *sql, const pg_params *p, genu_err *err,
                 const char *what)
{
    for (int attempt = 0;; attempt++) {
        char name[16];
        genu_err e = {0};
        if (alive(s, err))
            return NULL;
        if (!pg_prepared(s, sql, name, &e)) {
            PGresult *r =
                PQexecPrepared(s->db, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
            ExecStatusType st = PQresultStatus(r);
            if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
                return r;
            pg_fail(s, r, &e, what);
        }
        if (attempt || !retryable(s, sql)) {
            if (err && !err->code)
                *err = e;
            return NULL;
        }
    }
}

int pg_do(pg_store *s, const char *sql, const pg_params *p, int64_t *changed, genu_err *err,
          const char *what)
{
    PGresult *r = pg_run(s, sql, p, err, what);
    if (!r)
        return err ? err->code : GENU_EIO;
    if (changed)
        *changed = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return GENU_OK;
}

const char *pg_col_text(const PGresult *r, int row, int col, genu_arena *a)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    return genu_arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

int64_t pg_col_int(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double pg_col_real(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NAN : strtod(PQgetvalue(r, row, col), NULL);
}

int pg_col_level(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? -1 : (int)strtol(PQgetvalue(r, row, col), NULL, 10);
}

/* Borrowed until the result is cleared; NULL for SQL NULL. */
const char *pg_col_raw(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* ---- fields ---- */

void pg_fields_of(const PGresult *r, int row, pg_fields *f)
{
    int n = PQnfields(r);
    f->n = n < PG_MAX_FIELDS ? n : PG_MAX_FIELDS;
    f->binary = false;
    for (int i = 0; i < f->n; i++) {
        f->v[i] = pg_col_raw(r, row, i);
        f->len[i] = PQgetlength(r, row, i);
    }
}

static uint64_t big_endian(const char *p, int n)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | u[i];
    return v;
}

int64_t pg_field_int(const pg_fields *f, int i)
{
    if (i >= f->n || !f->v[i])
        return 0;
    if (!f->binary)
        return strtoll(f->v[i], NULL, 10);
    uint64_t v = big_endian(f->v[i], f->len[i]);
    switch (f->len[i]) { /* int2, int4, int8: sign-extended */
    case 2: return (int16_t)(uint16_t)v;
    case 4: return (int32_t)(uint32_t)v;
    case 8: return (int64_t)v;
    default: return 0;
    }
}

double pg_field_real(const pg_fields *f, int i)
{
    if (i >= f->n || !f->v[i])
        return NAN;
    if (!f->binary)
        return strtod(f->v[i], NULL);
    uint64_t v = big_endian(f->v[i], f->len[i]);
    if (f->len[i] == 8) {
        double d;
        memcpy(&d, &v, sizeof d);
        return d;
    }
    if (f->len[i] == 4) {
        uint32_t w = (uint32_t)v;
        float x;
        memcpy(&x, &w, sizeof x);
        return x;
    }
    return NAN;
}

const char *pg_field_raw(const pg_fields *f, int i)
{
    return i < f->n ? f->v[i] : NULL;
}

const char *pg_field_text(const pg_fields *f, int i, genu_arena *a)
{
    return i < f->n && f->v[i] ? genu_arena_strndup(a, f->v[i], (size_t)f->len[i]) : NULL;
}

/* ---- COPY out, binary ---- */

/* Where the rows of a binary COPY are: each CopyData message holds whole
 * rows, the first also the file header before them, the last the trailer. */
typedef struct copy_state {
    bool header, trailer; /* seen */
} copy_state;

static const char copy_signature[11] = "PGCOPY\n\377\r\n";

/* The rows of one message: each split into f (its texts ended in place,
 * the byte after the row kept aside meanwhile) and handed to fn. */
static int copy_message(copy_state *c, char *m, size_t len, pg_fields_fn fn, void *ctx,
                        genu_err *err, const char *what)
{
    size_t at = 0;
    if (!c->header) {
        if (len < 19 || memcmp(m, copy_signature, sizeof copy_signature) != 0)
            return GENU_FAIL(err, GENU_EIO, "registry: %s: not a binary COPY", what);
        uint64_t ext = big_endian(m + 15, 4);
        if (ext > len - 19)
            return GENU_FAIL(err, GENU_EIO, "registry: %s: a cut COPY header", what);
        at = 19 + (size_t)ext;
        c->header = true;
    }
    pg_fields f = {.binary = true};
    while (at < len) {
        if (c->trailer || len - at < 2)
            return GENU_FAIL(err, GENU_EIO, "registry: %s: bytes after a COPY's rows", what);
        int n = (int16_t)(uint16_t)big_endian(m + at, 2);
        at += 2;
        if (n == -1) {
            c->trailer = true;
            continue;
        }
        if (n < 0 || n > PG_MAX_FIELDS)
            return GENU_FAIL(err, GENU_EIO, "registry: %s: a row of %d fields", what, n);
        f.n = n;
        for (int i = 0; i < n; i++) {
            if (len - at < 4)
                return GENU_FAIL(err, GENU_EIO, "registry: %s: a cut COPY row", what);
            int32_t l = (int32_t)(uint32_t)big_endian(m + at, 4);
            at += 4;
            if (l < -1 || (l > 0 && (size_t)l > len - at))
                return GENU_FAIL(err, GENU_EIO, "registry: %s: a cut COPY field", what);
            f.v[i] = l < 0 ? NULL : m + at;
            f.len[i] = l < 0 ? 0 : l;
            at += l < 0 ? 0 : (size_t)l;
        }
        /* each field's end is the next one's length, read already; the
         * last one's the byte after the row (the message ends in a NUL) */
        char after = m[at];
        for (int i = 0; i < n; i++)
            if (f.v[i])
                m[f.v[i] - m + f.len[i]] = '\0';
        int rc = fn(&f, ctx, err);
        m[at] = after;
        if (rc)
            return rc;
    }
    return GENU_OK;
}

int pg_copy_rows(pg_store *s, const char *select, pg_fields_fn fn, void *ctx, genu_err *err,
                 const char *what)
{
    if (alive(s, err))
        return err->code;
    genu_buf b = GENU_BUF_INIT;
    genu_buf_printf(&b, "COPY (%s) TO STDOUT (FORMAT binary)", select);
    if (b.oom) {
        genu_buf_free(&b);
        return GENU_OOM(err);
    }
    int sent = PQsendQuery(s->db, b.p);
    genu_buf_free(&b);
    if (!sent)
        return pg_fail(s, NULL, err, what);
    int rc = GENU_OK;
    PGresult *r = PQgetResult(s->db);
    if (PQresultStatus(r) != PGRES_COPY_OUT) {
        rc = pg_fail(s, r, err, what);
        while ((r = PQgetResult(s->db)))
            PQclear(r);
        return rc;
    }
    PQclear(r);
    copy_state c = {false, false};
    char *m;
    int len;
    while ((len = PQgetCopyData(s->db, &m, 0)) >= 0) {
        if (!rc) /* after a failure the rest is read and dropped */
            rc = copy_message(&c, m, (size_t)len, fn, ctx, err, what);
        PQfreemem(m);
    }
    if (len == -2 && !rc) /* the connection's error; its result, if any, follows */
        rc = pg_fail(s, NULL, err, what);
    while ((r = PQgetResult(s->db))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
            rc = pg_fail(s, r, err, what), r = NULL;
        PQclear(r);
    }
    if (!rc && !c.trailer)
        rc = GENU_FAIL(err, GENU_EIO, "registry: %s: a COPY without its end", what);
    return rc;
}

/* ---- cursors ---- */

static int cursor_fetch(pg_store *s, pg_cursor *c, genu_err *err)
{
    char sql[64];
    PQclear(c->res);
    c->res = NULL;
    c->row = c->nrows = 0;
    snprintf(sql, sizeof sql, "FETCH FORWARD 2000 FROM %s", c->name);
    PGresult *r = PQexec(s->db, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return pg_fail(s, r, err, "reading records");
    c->res = r;
    c->nrows = PQntuples(r);
    return GENU_OK;
}

int pg_cursor_open(pg_store *s, pg_cursor *c, const char *name, const char *sql, genu_err *err)
{
    genu_buf b = GENU_BUF_INIT;
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    genu_buf_printf(&b, "DECLARE %s NO SCROLL CURSOR FOR %s", c->name, sql);
    int rc = b.oom ? GENU_OOM(err)
                   : pg_exec(s, b.p, err, "reading records");
    genu_buf_free(&b);
    if (rc) {
        c->name[0] = '\0';
        return rc;
    }
    return cursor_fetch(s, c, err);
}

int pg_cursor_next(pg_store *s, pg_cursor *c, genu_err *err)
{
    if (++c->row < c->nrows || c->nrows == 0)
        return GENU_OK;
    return cursor_fetch(s, c, err);
}

void pg_cursor_close(pg_store *s, pg_cursor *c)
{
    char sql[64];
    PQclear(c->res);
    c->res = NULL;
    c->row = c->nrows = 0;
    if (c->name[0] && PQtransactionStatus(s->db) == PQTRANS_INTRANS) {
        snprintf(sql, sizeof sql, "CLOSE %s", c->name);
        pg_exec(s, sql, NULL, "closing a cursor");
    }
    c->name[0] = '\0';
}

PGresult *pg_run1(pg_store *s, const char *sql, const char *v, genu_err *err, const char *what)
{
    pg_params p = {0};
    pg_p_text(&p, v);
    return pg_run(s, sql, &p, err, what);
}
