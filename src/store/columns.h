/* columns: each record type's table described once — its name, its own
 * columns (after the shared seq, id, patient, knee, date, doc), where each
 * column's value lives in genu_record and how it travels — and the record
 * policy's row codec built on it. Private to src/store.
 *
 * A backend supplies only its primitives (store_binder, store_reader): bind
 * a NULL, a text, an integer or a real at a parameter index; read a column's
 * raw text, integer or real. The codec does the rest for both backends, the
 * way SQLite's pager knows nothing of the VFS under it. */
#ifndef GENU_STORE_COLUMNS_H
#define GENU_STORE_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hash.h"
#include "model/record.h"

typedef enum {
    SC_TEXT,       /* const char *; NULL is NULL */
    SC_INT,        /* int */
    SC_YEAR,       /* int; 0 is NULL */
    SC_LEVEL,      /* int; negative is NULL */
    SC_LEVEL8,     /* int8_t; negative is NULL */
    SC_BITS,       /* uint32_t */
    SC_REAL,       /* double; NAN is NULL */
    SC_VOCAB,      /* int code of a vocabulary (name/find below) */
    SC_INSTRUMENT, /* response: instrument id (a known one is shared, not copied) */
    SC_SCORES,     /* response: scores as record_scores_encode's text */
    SC_NOTES,      /* response: notes as text; analyses do not read them */
} store_col_kind;

typedef struct store_col {
    const char *name;
    const char *sql; /* its SQL type and constraint, as the schema declares it */
    store_col_kind kind;
    size_t off; /* of the value in genu_record */
    /* SC_VOCAB: code <-> name, and what the vocabulary is called in errors */
    const char *(*vname)(int code);
    int (*vfind)(const char *s);
    const char *what;
    bool not_analysed; /* a lean load reads NULL instead (store_scope.lean) */
} store_col;

typedef struct store_table {
    const char *name; /* the SQL table, as record_type_name() mostly */
    const store_col *col;
    int ncols;
    const char *cols; /* the column names comma-separated (store_tables_init) */
    const char *lean_cols; /* the same with NULL for what a lean load leaves out */
} store_table;

extern const store_table *const store_tables;

/* Builds each table's `cols` once; safe to call from every open. */
void store_tables_init(void);

/* A backend's way to bind parameter i (1-based for SQLite, in order for
 * PostgreSQL: the codec binds the columns in order). */
typedef struct store_binder {
    void *ctx;
    void (*null)(void *ctx, int i);
    void (*text)(void *ctx, int i, const char *v); /* v stays valid until the step */
    void (*integer)(void *ctx, int i, int64_t v);
    void (*real)(void *ctx, int i, double v);
} store_binder;

/* A backend's way to read column i of the current row. */
typedef struct store_reader {
    const void *ctx;
    const char *(*raw)(const void *ctx, int i); /* NULL for NULL; valid for the row */
    int64_t (*integer)(const void *ctx, int i); /* 0 for NULL */
    double (*real)(const void *ctx, int i);     /* NAN for NULL */
    /* Not NULL: equal texts read share one copy, its key (a load, where a
     * million treatments name a few protocols and currencies). */
    genu_hash *strings;
} store_reader;

/* Binds r's own columns from parameter index i. Encoded texts are malloc'd
 * into tmp[0..1] for the caller to free after the statement ran. Returns
 * GENU_OK or GENU_ENOMEM. */
int store_cols_bind(const store_binder *b, int i, const genu_record *r, char *tmp[2]);

/* Reads r's own columns (r->type set) from column i. full = false skips what
 * analyses never read (notes). Strings are copied into a. */
int store_cols_read(const store_reader *rd, int i, bool full, genu_record *r, genu_arena *a,
                    genu_err *err);

#endif
