/* pg_conn: the PostgreSQL backend's connection to its server — bound
 * parameters, errors in genu's words, statements prepared once per
 * connection, reconnection between transactions, column readers and
 * cursors. What store_pg.c, store_pg_admin.c and store_pg_batch.c share
 * (pg.h). */
#include <assert.h>
#include <math.h>
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

/* ---- streaming ---- */

int pg_stream(pg_store *s, const char *sql, const pg_params *p, pg_row_fn fn, void *ctx,
              genu_err *err, const char *what)
{
    if (alive(s, err))
        return err->code;
    if (!PQsendQueryParams(s->db, sql, p ? p->n : 0, NULL, p ? p->v : NULL, NULL, NULL, 0) ||
        !PQsetSingleRowMode(s->db))
        return pg_fail(s, NULL, err, what);
    int rc = GENU_OK;
    PGresult *r;
    while ((r = PQgetResult(s->db))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && !rc)
            rc = fn(r, ctx, err);
        else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && !rc)
            rc = pg_fail(s, r, err, what), r = NULL;
        PQclear(r); /* the rest is read and dropped, so the connection stays usable */
    }
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
