/* bench_import: DESIGN.md §10 import target. JSON Lines into SQLite at
 * >= 50% of the rate of raw prepared inserts of the same rows in one
 * transaction.
 *
 * usage: bench_import FILE.jsonl [WORKDIR]
 *
 * (a) import: jsonl_import of FILE into a fresh registry (read, parse,
 *     validate, score, canonicalise, check references, store in one
 *     transaction), timed from the call to its return.
 * (b) ceiling: the rows (a) stored, read back from that registry and held in
 *     memory, inserted into a second fresh registry (the same schema, made by
 *     store_open) with one prepared INSERT per table, bound values only, in
 *     one transaction, with the same PRAGMAs (WAL, synchronous=FULL,
 *     foreign_keys=ON), timed from BEGIN to the end of COMMIT.
 * Also, for the profile: parsing alone (record_json_parse of every line from
 * memory, no storage).
 *
 * Prints lines/s of each and the ratio import/ceiling. No assertion: the
 * figure is for people (docs/benchmarks.md). */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"
#include "io/jsonl.h"
#include "io/record_json.h"
#include "store/store.h"

/* Tables in insert order: patients first, as the importer does. */
static const char *const tables[] = {"patient",  "identity",      "diagnosis", "treatment",
                                     "response", "adverse_event", "exam"};
#define NTABLES (sizeof tables / sizeof tables[0])

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "bench_import: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void on_reject(const char *file, size_t line, const char *msg, const char *text, void *ctx)
{
    (void)text;
    (void)ctx;
    fprintf(stderr, "bench_import: rejected %s:%zu: %s\n", file, line, msg);
}

static void remove_db(const char *path)
{
    char p[4096];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* A fresh, empty registry at path with genu's schema. */
static void fresh_registry(const char *path)
{
    remove_db(path);
    genu_store *s = NULL;
    genu_err err = {0};
    if (store_open(path, true, &s, &err))
        die("cannot create a registry", err.msg);
    store_close(s);
}

static sqlite3 *open_raw(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die("cannot open", path);
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                     NULL, NULL, NULL) != SQLITE_OK)
        die("pragmas", sqlite3_errmsg(db));
    return db;
}

/* One table's rows held in memory: every column but seq. */
typedef struct rows {
    char insert_sql[1024];
    int ncols;
    size_t n;
    sqlite3_value **v; /* n * ncols */
} rows;

static void load_rows(sqlite3 *db, const char *table, rows *out)
{
    char sql[256];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY seq", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("select", sqlite3_errmsg(db));
    int ncol = sqlite3_column_count(st);
    /* column 0 is seq (INTEGER PRIMARY KEY): let the insert assign it */
    int len = snprintf(out->insert_sql, sizeof out->insert_sql, "INSERT INTO %s(", table);
    for (int c = 1; c < ncol; c++)
        len += snprintf(out->insert_sql + len, sizeof out->insert_sql - (size_t)len, "%s%s",
                        c > 1 ? "," : "", sqlite3_column_name(st, c));
    len += snprintf(out->insert_sql + len, sizeof out->insert_sql - (size_t)len, ") VALUES(");
    for (int c = 1; c < ncol; c++)
        len += snprintf(out->insert_sql + len, sizeof out->insert_sql - (size_t)len, "%s?",
                        c > 1 ? "," : "");
    snprintf(out->insert_sql + len, sizeof out->insert_sql - (size_t)len, ")");
    out->ncols = ncol - 1;
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

static void free_rows(rows *r)
{
    for (size_t i = 0; i < r->n * (size_t)r->ncols; i++)
        sqlite3_value_free(r->v[i]);
    free(r->v);
}

/* The ceiling: raw prepared inserts of the rows, one transaction. */
static double raw_inserts(const char *path, rows *rs, size_t *nrows)
{
    sqlite3 *db = open_raw(path);
    sqlite3_stmt *st[NTABLES];
    *nrows = 0;
    double t0 = now();
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
    double dt = now() - t0;
    for (size_t t = 0; t < NTABLES; t++)
        sqlite3_finalize(st[t]);
    sqlite3_close(db);
    return dt;
}

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
    double t0 = now();
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
    double dt = now() - t0;
    genu_arena_destroy(a);
    free(text);
    return dt;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_import FILE.jsonl [WORKDIR]\n");
        return 2;
    }
    const char *file = argv[1];
    const char *dir = argc > 2 ? argv[2] : ".";
    char a_path[4096], b_path[4096];
    snprintf(a_path, sizeof a_path, "%s/bench_import.db", dir);
    snprintf(b_path, sizeof b_path, "%s/bench_ceiling.db", dir);
    if (sodium_init() < 0)
        die("sodium_init", NULL);

    /* (a) the genu import path */
    fresh_registry(a_path);
    genu_store *s = NULL;
    genu_err err = {0};
    if (store_open(a_path, false, &s, &err))
        die("open", err.msg);
    jsonl_import_opts o = {false, on_reject, NULL, NULL};
    jsonl_stats stats;
    const char *files[1] = {file};
    double t0 = now();
    int rc = jsonl_import(s, files, 1, &o, &stats, &err);
    double t_import = now() - t0;
    if (rc)
        die("import failed", err.msg);
    store_close(s);

    /* (b) the ceiling: the same rows, raw prepared inserts */
    sqlite3 *db = open_raw(a_path);
    rows rs[NTABLES];
    for (size_t t = 0; t < NTABLES; t++)
        load_rows(db, tables[t], &rs[t]);
    sqlite3_close(db);
    fresh_registry(b_path);
    size_t nrows;
    double t_raw = raw_inserts(b_path, rs, &nrows);
    for (size_t t = 0; t < NTABLES; t++)
        free_rows(&rs[t]);
    if (nrows != stats.records)
        fprintf(stderr, "bench_import: warning: %zu rows read back, %zu records imported\n", nrows,
                stats.records);

    size_t nparsed;
    double t_parse = parse_only(file, &nparsed);

    double import_rate = (double)stats.records / t_import;
    double raw_rate = (double)nrows / t_raw;
    printf("import: %zu lines in %.2f s\n", stats.records, t_import);
    printf("  parse+validate alone (record_json_parse, from memory): %.0f lines/s (%.2f s)\n",
           (double)nparsed / t_parse, t_parse);
    printf("  raw prepared inserts, one transaction: %zu rows in %.2f s\n", nrows, t_raw);
    printf("import: %.0f lines/s  ceiling (raw prepared inserts): %.0f lines/s  ratio %.2f "
           "(target >= 0.50)\n",
           import_rate, raw_rate, import_rate / raw_rate);
    remove_db(a_path);
    remove_db(b_path);
    return 0;
}
