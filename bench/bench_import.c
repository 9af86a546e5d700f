/* bench_import: the import target (docs/design.md, Performance). JSON Lines
 * into the registry at >= 0.70 of the rate of raw prepared inserts of the
 * same rows in one transaction on SQLite, >= 0.60 of raw COPY on PostgreSQL
 * (the first release's target was 0.50 on both).
 *
 * usage: bench_import FILE.jsonl [TARGET]
 *
 * TARGET is a directory for SQLite (default .; the registries are
 * TARGET/bench_import.db and TARGET/bench_ceiling.db), or a postgresql://
 * (postgres://) URL of a database on a PostgreSQL server: the bench connects
 * to it only to CREATE and, at the end, DROP two databases of its own on the
 * same server, bench_import_PID and bench_ceiling_PID (the URL with its
 * database path replaced; the role needs CREATEDB). scripts/pg-test.sh start
 * prints such a URL.
 *
 * (a) import: jsonl_import of FILE into a fresh registry made by store_open
 *     (read, parse, validate, score, canonicalise, check references, store in
 *     one transaction), timed from the call to its return.
 * (b) ceiling: the rows (a) stored in the eight record tables (not the
 *     audit trail), read back from that registry and held in memory, written
 *     into another fresh registry (the same schema, made by store_open) in
 *     one transaction with the bare database API, timed from the first
 *     statement to the end of COMMIT:
 *     SQLite: one prepared INSERT per table, bound values, the same PRAGMAs
 *     as the store (WAL, synchronous=FULL, foreign_keys=ON, a 64 MiB page
 *     cache).
 *     PostgreSQL (libpq, synchronous_commit on, as the store), two ceilings,
 *     each into a fresh database:
 *       COPY: one COPY t(...) FROM STDIN per table, the rows held as the
 *         COPY text that COPY (SELECT ...) TO STDOUT gave. The importer loads
 *         the new records of a chunk with COPY (src/store/store_pg_batch.c),
 *         so this is the ceiling of like with like, and the ratio printed
 *         last.
 *       INSERT: one prepared INSERT per table, values bound as text as the
 *         store binds them, sent in pipeline mode (PQsendQueryPrepared, a
 *         PQpipelineSync every PG_CHUNK statements, the results of a chunk
 *         read after the next one is sent, so neither side waits for the
 *         other), as the importer sends the writes it cannot COPY.
 * Also, for the profile: parsing alone (record_json_parse of every line from
 * memory, no storage).
 *
 * Prints lines/s of each and the ratio import/ceiling of each ceiling,
 * labelled with the backend. No assertion: the figure is for people (docs/benchmarks.md). */
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "core/arena.h"
#include "core/err.h"
#include "io/jsonl.h"
#include "io/record_json.h"
#include "store/store.h"

/* Tables in insert order: patients first, as the importer does. */
static const char *const tables[] = {"patient",  "identity",      "diagnosis", "treatment",
                                     "response", "adverse_event", "exam",      "death"};
#define NTABLES  (sizeof tables / sizeof tables[0])
#define MAXCOLS  32
#define SQL_LEN  1024
#define PATH_LEN 4096
/* PostgreSQL: statements per pipeline sync */
#define PG_CHUNK 500
#define STR_(x)  #x
#define STR(x)   STR_(x)

_Noreturn static void die(const char *what, const char *detail)
{
    bench_die("bench_import", what, detail);
}

static void on_reject(const char *file, size_t line, const char *msg, const char *text, void *ctx)
{
    (void)text;
    (void)ctx;
    fprintf(stderr, "bench_import: rejected %s:%zu: %s\n", file, line, msg);
}

/* One table's columns but seq (the insert assigns it), from a SELECT * of it
 * whose first column is seq. */
typedef struct columns {
    int n;
    char list[SQL_LEN]; /* "c1,c2,..." */
} columns;

static void columns_set(columns *c, const char *table, int nselected,
                        const char *(*name)(void *, int), void *ctx)
{
    if (nselected - 1 > MAXCOLS || nselected < 2)
        die("unexpected columns in", table);
    int len = 0;
    c->n = nselected - 1;
    for (int i = 0; i < c->n; i++) {
        len +=
            snprintf(c->list + len, SQL_LEN - (size_t)len, "%s%s", i ? "," : "", name(ctx, i + 1));
        if (len >= SQL_LEN)
            die("too many columns in", table);
    }
}

/* "INSERT INTO table(c1,...) VALUES(?,...)", placeholders $1... when
 * numbered (PostgreSQL). */
static void insert_sql(char out[SQL_LEN], const char *table, const columns *cols, bool numbered)
{
    int ncols = cols->n;
    int len = snprintf(out, SQL_LEN, "INSERT INTO %s(%s) VALUES(", table, cols->list);
    for (int c = 0; c < ncols; c++)
        len += numbered ? snprintf(out + len, SQL_LEN - (size_t)len, "%s$%d", c ? "," : "", c + 1)
                        : snprintf(out + len, SQL_LEN - (size_t)len, "%s?", c ? "," : "");
    if (len + 2 > SQL_LEN)
        die("INSERT too long for", table);
    snprintf(out + len, SQL_LEN - (size_t)len, ")");
}

/* A fresh, empty registry at url with genu's schema. */
static void create_registry(const char *url)
{
    genu_store *s = NULL;
    genu_err err = {0};
    if (store_open(url, true, &s, &err))
        die("cannot create a registry", err.msg);
    store_close(s);
}

/* One way of writing the imported rows raw into an empty registry. */
typedef struct ceiling {
    const char *name; /* "COPY", for the summary */
    const char *what; /* how, for the output */
    /* the rows of every record table of registry from, held in memory */
    void *(*load)(const char *from);
    /* writes them into the empty registry to: seconds, rows to *nrows */
    double (*write)(const char *to, void *rows, size_t *nrows);
    void (*release)(void *rows);
} ceiling;

static void *alloc_tables(size_t size)
{
    void *p = calloc(NTABLES, size);
    if (!p)
        die("out of memory", NULL);
    return p;
}

#define MAXCEILINGS 2

/* One backend: where its registries live, and its ceilings. */
typedef struct backend {
    const char *name;
    /* a fresh registry called name under target; its store URL to url */
    void (*fresh)(const char *target, const char *name, char url[PATH_LEN]);
    void (*drop)(const char *target, const char *name);
    ceiling ceilings[MAXCEILINGS]; /* the last one set is the headline */
    double target; /* of the headline ratio (docs/benchmarks.md) */
} backend;

/* ---- SQLite ---- */

static void sq_path(const char *dir, const char *name, char path[PATH_LEN])
{
    snprintf(path, PATH_LEN, "%s/%s.db", dir, name);
}

static void sq_drop(const char *dir, const char *name)
{
    char path[PATH_LEN], p[PATH_LEN + 8];
    sq_path(dir, name, path);
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static void sq_fresh(const char *dir, const char *name, char path[PATH_LEN])
{
    sq_drop(dir, name);
    sq_path(dir, name, path);
    create_registry(path);
}

static sqlite3 *sq_open_raw(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die("cannot open", path);
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                     "PRAGMA cache_size=-65536;",
                     NULL, NULL, NULL) != SQLITE_OK)
        die("pragmas", sqlite3_errmsg(db));
    return db;
}

/* One table's rows held in memory: every column but seq. */
typedef struct sq_rows {
    char insert_sql[SQL_LEN];
    int ncols;
    size_t n;
    sqlite3_value **v; /* n * ncols */
} sq_rows;

static const char *sq_column_name(void *st, int c)
{
    return sqlite3_column_name(st, c);
}

static void sq_load_rows(sqlite3 *db, const char *table, sq_rows *out)
{
    char sql[256];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY seq", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("select", sqlite3_errmsg(db));
    columns cols;
    columns_set(&cols, table, sqlite3_column_count(st), sq_column_name, st);
    out->ncols = cols.n;
    insert_sql(out->insert_sql, table, &cols, false);
    out->n = 0;
    size_t cap = 1024;
    out->v = malloc(cap * (size_t)out->ncols * sizeof *out->v);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (out->n == cap) {
            cap *= 2;
            out->v = realloc(out->v, cap * (size_t)out->ncols * sizeof *out->v);
        }
        if (!out->v)
            die("out of memory", NULL);
        for (int c = 0; c < out->ncols; c++) {
            sqlite3_value *d = sqlite3_value_dup(sqlite3_column_value(st, c + 1));
            if (!d)
                die("out of memory", NULL);
            out->v[out->n * (size_t)out->ncols + (size_t)c] = d;
        }
        out->n++;
    }
    sqlite3_finalize(st);
}

static void *sq_load(const char *from)
{
    sq_rows *rs = alloc_tables(sizeof *rs);
    sqlite3 *db = sq_open_raw(from);
    for (size_t t = 0; t < NTABLES; t++)
        sq_load_rows(db, tables[t], &rs[t]);
    sqlite3_close(db);
    return rs;
}

static void sq_release(void *rows)
{
    sq_rows *rs = rows;
    for (size_t t = 0; t < NTABLES; t++) {
        for (size_t i = 0; i < rs[t].n * (size_t)rs[t].ncols; i++)
            sqlite3_value_free(rs[t].v[i]);
        free(rs[t].v);
    }
    free(rs);
}

static double sq_raw_inserts(const char *to, void *rows, size_t *nrows)
{
    const sq_rows *rs = rows;
    sqlite3 *db = sq_open_raw(to);
    sqlite3_stmt *st[NTABLES];
    *nrows = 0;
    double t0 = bench_now();
    for (size_t t = 0; t < NTABLES; t++)
        if (sqlite3_prepare_v3(db, rs[t].insert_sql, -1, SQLITE_PREPARE_PERSISTENT, &st[t], NULL))
            die("prepare", sqlite3_errmsg(db));
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        die("begin", sqlite3_errmsg(db));
    for (size_t t = 0; t < NTABLES; t++) {
        for (size_t i = 0; i < rs[t].n; i++) {
            sqlite3_value **v = &rs[t].v[i * (size_t)rs[t].ncols];
            for (int c = 0; c < rs[t].ncols; c++)
                sqlite3_bind_value(st[t], c + 1, v[c]);
            if (sqlite3_step(st[t]) != SQLITE_DONE)
                die("insert", sqlite3_errmsg(db));
            sqlite3_reset(st[t]);
        }
        *nrows += rs[t].n;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die("commit", sqlite3_errmsg(db));
    double dt = bench_now() - t0;
    for (size_t t = 0; t < NTABLES; t++)
        sqlite3_finalize(st[t]);
    sqlite3_close(db);
    return dt;
}

static const backend sqlite_backend = {
    "sqlite",
    sq_fresh,
    sq_drop,
    {{"prepared INSERTs", "raw prepared INSERTs, one transaction", sq_load, sq_raw_inserts,
      sq_release}},
    0.70};

/* ---- PostgreSQL ---- */

static void pg_quiet(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

static PGconn *pg_connect(const char *url)
{
    const char *const keys[] = {"dbname", "client_encoding", "application_name", NULL};
    const char *const vals[] = {url, "UTF8", "bench_import", NULL};
    PGconn *db = PQconnectdbParams(keys, vals, 1);
    if (!db || PQstatus(db) != CONNECTION_OK)
        die("cannot connect to PostgreSQL", db ? PQerrorMessage(db) : "out of memory");
    PQsetNoticeProcessor(db, pg_quiet, NULL); /* "does not exist, skipping" */
    return db;
}

static void pg_cmd(PGconn *db, const char *sql)
{
    PGresult *r = PQexec(db, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(sql, PQerrorMessage(db));
    PQclear(r);
}

/* The database of this process called name: name_PID (two runs on one
 * server do not meet). */
static void pg_dbname(const char *name, char out[64])
{
    snprintf(out, 64, "%s_%ld", name, (long)getpid());
}

/* url with its database path replaced by db:
 * postgresql://[user@][host][:port][/db][?params]. */
static void pg_url_with_db(const char *url, const char *db, char out[PATH_LEN])
{
    const char *auth = strstr(url, "://") + 3;
    const char *end = auth + strcspn(auth, "/?"), *rest = end;
    if (*rest == '/')
        rest += strcspn(rest, "?");
    if (snprintf(out, PATH_LEN, "%.*s/%s%s", (int)(end - url), url, db, rest) >= PATH_LEN)
        die("URL too long", NULL);
}

static void pg_drop(const char *url, const char *name)
{
    char db[64], sql[128];
    pg_dbname(name, db);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
    PGconn *m = pg_connect(url);
    pg_cmd(m, sql);
    PQfinish(m);
}

static void pg_fresh(const char *url, const char *name, char out[PATH_LEN])
{
    char db[64], sql[128];
    pg_drop(url, name);
    pg_dbname(name, db);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    PGconn *m = pg_connect(url);
    pg_cmd(m, sql);
    PQfinish(m);
    pg_url_with_db(url, db, out);
    create_registry(out);
}

/* Reads the results of one pipeline sync: every INSERT must have worked. */
static void pg_drain_sync(PGconn *db)
{
    int nulls = 0;
    for (;;) {
        PGresult *r = PQgetResult(db);
        if (!r) {
            if (++nulls > 1)
                die("pipeline", "no sync result");
            continue;
        }
        nulls = 0;
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC)
            return;
        if (st != PGRES_COMMAND_OK)
            die("insert", PQerrorMessage(db));
    }
}

static const char *pg_column_name(void *res, int c)
{
    return PQfname(res, c);
}

/* Every row of table in registry db (none when no_rows), in text, in seq
 * order; its columns. */
static PGresult *pg_select(PGconn *db, const char *table, bool no_rows, columns *cols)
{
    char q[256];
    snprintf(q, sizeof q, "SELECT * FROM %s ORDER BY seq%s", table, no_rows ? " LIMIT 0" : "");
    PGresult *r = PQexec(db, q);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        die("select", PQerrorMessage(db));
    columns_set(cols, table, PQnfields(r), pg_column_name, r);
    return r;
}

/* The registry to, for writing as the store writes. */
static PGconn *pg_connect_writer(const char *to)
{
    PGconn *db = pg_connect(to);
    pg_cmd(db, "SET synchronous_commit TO on");
    return db;
}

/* One table's rows held for a ceiling: for INSERTs the rows as text (res)
 * and the INSERT, for COPY the COPY text of the rows and the COPY. */
typedef struct pg_rows {
    char sql[SQL_LEN + 64];
    PGresult *res;
    char *text;
    size_t len, n;
} pg_rows;

/* The rows of table as COPY text into out. */
static void pg_copy_out(PGconn *db, const char *table, const columns *cols, pg_rows *out)
{
    snprintf(out->sql, sizeof out->sql, "COPY %s(%s) FROM STDIN", table, cols->list);
    char q[SQL_LEN + 64];
    snprintf(q, sizeof q, "COPY (SELECT %s FROM %s ORDER BY seq) TO STDOUT", cols->list, table);
    PGresult *r = PQexec(db, q);
    if (PQresultStatus(r) != PGRES_COPY_OUT)
        die("copy out", PQerrorMessage(db));
    PQclear(r);
    size_t cap = 1 << 20;
    out->text = malloc(cap);
    out->len = out->n = 0;
    char *row;
    int got;
    while ((got = PQgetCopyData(db, &row, 0)) > 0) {
        if (out->len + (size_t)got > cap) {
            cap = (out->len + (size_t)got) * 2;
            out->text = realloc(out->text, cap);
        }
        if (!out->text)
            die("out of memory", NULL);
        memcpy(out->text + out->len, row, (size_t)got);
        out->len += (size_t)got;
        out->n++;
        PQfreemem(row);
    }
    if (got != -1)
        die("copy out", PQerrorMessage(db));
    r = PQgetResult(db);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die("copy out", PQerrorMessage(db));
    PQclear(r);
}

/* The rows of every record table of registry from, for INSERTs or COPY. */
static void *pg_load_tables(const char *from, bool copy)
{
    pg_rows *rs = alloc_tables(sizeof *rs);
    PGconn *db = pg_connect(from);
    for (size_t t = 0; t < NTABLES; t++) {
        columns cols;
        rs[t].res = pg_select(db, tables[t], copy, &cols);
        if (copy)
            pg_copy_out(db, tables[t], &cols, &rs[t]);
        else
            insert_sql(rs[t].sql, tables[t], &cols, true);
    }
    PQfinish(db);
    return rs;
}

static void *pg_load(const char *from)
{
    return pg_load_tables(from, false);
}

static void *pg_copy_load(const char *from)
{
    return pg_load_tables(from, true);
}

static void pg_release(void *rows)
{
    pg_rows *rs = rows;
    for (size_t t = 0; t < NTABLES; t++) {
        PQclear(rs[t].res);
        free(rs[t].text);
    }
    free(rs);
}

static double pg_raw_inserts(const char *to, void *rows, size_t *nrows)
{
    const pg_rows *rs = rows;
    PGconn *db = pg_connect_writer(to);
    *nrows = 0;
    double t0 = bench_now();
    for (size_t t = 0; t < NTABLES; t++) {
        char name[8];
        snprintf(name, sizeof name, "i%zu", t);
        PGresult *r = PQprepare(db, name, rs[t].sql, PQnfields(rs[t].res) - 1, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die("prepare", PQerrorMessage(db));
        PQclear(r);
    }
    pg_cmd(db, "BEGIN");
    if (!PQenterPipelineMode(db))
        die("pipeline mode", PQerrorMessage(db));
    size_t in_chunk = 0, unread = 0; /* syncs sent whose results are not read */
    for (size_t t = 0; t < NTABLES; t++) {
        char name[8];
        snprintf(name, sizeof name, "i%zu", t);
        const PGresult *res = rs[t].res;
        int ncols = PQnfields(res) - 1, nrow = PQntuples(res);
        for (int i = 0; i < nrow; i++) {
            const char *v[MAXCOLS];
            for (int c = 0; c < ncols; c++)
                v[c] = PQgetisnull(res, i, c + 1) ? NULL : PQgetvalue(res, i, c + 1);
            if (!PQsendQueryPrepared(db, name, ncols, v, NULL, NULL, 0))
                die("insert", PQerrorMessage(db));
            if (++in_chunk < PG_CHUNK)
                continue;
            if (!PQpipelineSync(db))
                die("pipeline sync", PQerrorMessage(db));
            in_chunk = 0;
            /* one chunk in flight while the next is sent */
            if (++unread > 1) {
                pg_drain_sync(db);
                unread--;
            }
        }
        *nrows += (size_t)nrow;
    }
    if (in_chunk) {
        if (!PQpipelineSync(db))
            die("pipeline sync", PQerrorMessage(db));
        unread++;
    }
    for (; unread; unread--)
        pg_drain_sync(db);
    if (!PQexitPipelineMode(db))
        die("pipeline mode", PQerrorMessage(db));
    pg_cmd(db, "COMMIT");
    double dt = bench_now() - t0;
    PQfinish(db);
    return dt;
}

static double pg_raw_copy(const char *to, void *rows, size_t *nrows)
{
    const pg_rows *rs = rows;
    PGconn *db = pg_connect_writer(to);
    *nrows = 0;
    double t0 = bench_now();
    pg_cmd(db, "BEGIN");
    for (size_t t = 0; t < NTABLES; t++) {
        PGresult *r = PQexec(db, rs[t].sql);
        if (PQresultStatus(r) != PGRES_COPY_IN)
            die("copy in", PQerrorMessage(db));
        PQclear(r);
        for (size_t at = 0; at < rs[t].len;) {
            size_t n = rs[t].len - at < (1u << 20) ? rs[t].len - at : (1u << 20);
            if (PQputCopyData(db, rs[t].text + at, (int)n) != 1)
                die("copy in", PQerrorMessage(db));
            at += n;
        }
        if (PQputCopyEnd(db, NULL) != 1)
            die("copy in", PQerrorMessage(db));
        while ((r = PQgetResult(db)) != NULL) {
            if (PQresultStatus(r) != PGRES_COMMAND_OK)
                die("copy in", PQerrorMessage(db));
            PQclear(r);
        }
        *nrows += rs[t].n;
    }
    pg_cmd(db, "COMMIT");
    double dt = bench_now() - t0;
    PQfinish(db);
    return dt;
}

static const backend pg_backend = {
    "postgresql",
    pg_fresh,
    pg_drop,
    {{"prepared INSERTs",
      "raw prepared INSERTs, pipelined (" STR(PG_CHUNK) " per sync), one transaction", pg_load,
      pg_raw_inserts, pg_release},
     {"COPY", "raw COPY FROM STDIN, one per table, one transaction", pg_copy_load, pg_raw_copy,
      pg_release}},
    0.60};

/* Parsing alone: every line through record_json_parse from memory. */
static double parse_only(const char *file, size_t *nlines)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        die("cannot open", file);
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    char chunk[1 << 16];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got > cap) {
            cap = (len + got) * 2;
            text = realloc(text, cap);
            if (!text)
                die("out of memory", NULL);
        }
        memcpy(text + len, chunk, got);
        len += got;
    }
    fclose(f);
    genu_arena *a = genu_arena_create();
    *nlines = 0;
    double t0 = bench_now();
    for (size_t at = 0; at < len;) {
        char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        if (n) {
            genu_record r;
            genu_err err = {0};
            if (record_json_parse(text + at, n, a, &r, &err))
                die("parse", err.msg);
            (*nlines)++;
            if (*nlines % 4096 == 0)
                genu_arena_reset(a);
        }
        at += n + 1;
    }
    double dt = bench_now() - t0;
    genu_arena_destroy(a);
    free(text);
    return dt;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_import FILE.jsonl [WORKDIR | postgresql://URL]\n");
        return 2;
    }
    const char *file = argv[1];
    const char *target = argc > 2 ? argv[2] : ".";
    if (!*target)
        die("empty target", "a directory or a postgresql:// URL");
    const backend *be =
        strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0
            ? &pg_backend
            : &sqlite_backend;
    char a_url[PATH_LEN], b_url[PATH_LEN];
    if (sodium_init() < 0)
        die("sodium_init", NULL);

    /* (a) the genu import path */
    be->fresh(target, "bench_import", a_url);
    genu_store *s = NULL;
    genu_err err = {0};
    if (store_open(a_url, false, &s, &err))
        die("open", err.msg);
    jsonl_import_opts o = {false, on_reject, NULL, NULL};
    jsonl_stats stats;
    const char *files[1] = {file};
    double t0 = bench_now();
    int rc = jsonl_import(s, files, 1, &o, &stats, &err);
    double t_import = bench_now() - t0;
    if (rc)
        die("import failed", err.msg);
    store_close(s);

    /* (b) the ceilings: the same rows, written raw */
    double t_raw[MAXCEILINGS], raw_rate = 0;
    size_t nrows[MAXCEILINGS], nc = 0;
    for (; nc < MAXCEILINGS && be->ceilings[nc].load; nc++) {
        const ceiling *c = &be->ceilings[nc];
        void *rows = c->load(a_url);
        be->fresh(target, "bench_ceiling", b_url);
        t_raw[nc] = c->write(b_url, rows, &nrows[nc]);
        be->drop(target, "bench_ceiling");
        c->release(rows);
        if (nrows[nc] != stats.records)
            fprintf(stderr, "bench_import: warning: %zu rows read back, %zu records imported\n",
                    nrows[nc], stats.records);
    }
    be->drop(target, "bench_import");

    size_t nparsed;
    double t_parse = parse_only(file, &nparsed);

    double import_rate = (double)stats.records / t_import;
    printf("import (%s): %zu lines in %.2f s\n", be->name, stats.records, t_import);
    printf("  parse+validate alone (record_json_parse, from memory): %.0f lines/s (%.2f s)\n",
           (double)nparsed / t_parse, t_parse);
    for (size_t k = 0; k < nc; k++) {
        raw_rate = (double)nrows[k] / t_raw[k];
        printf("  ceiling, %s: %zu rows in %.2f s, %.0f rows/s, import/ceiling %.2f\n",
               be->ceilings[k].what, nrows[k], t_raw[k], raw_rate, import_rate / raw_rate);
    }
    printf("import (%s): %.0f lines/s  ceiling (raw %s): %.0f lines/s  ratio %.2f "
           "(target >= %.2f)\n",
           be->name, import_rate, be->ceilings[nc - 1].name, raw_rate, import_rate / raw_rate,
           be->target);
    return 0;
}
