/* csv: the registry as CSV, one file per record type with the columns of
 * docs/formats.md, read and written through libcsv. Import converts each row
 * to a JSON Lines record and goes through jsonl_import_lines, so it has JSON
 * Lines' checks and atomicity; errors name FILE:LINE:COLUMN. Also the CSV
 * reader and writer the REDCap module shares. */
#ifndef GENU_IO_CSV_H
#define GENU_IO_CSV_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "io/deid.h"
#include "io/jsonl.h"
#include "store/store.h"

/* How a cell is read and written. DATE is YYYY-MM-DD text (in de-identified
 * output the column is `day` or `year`, an integer); LIST is values joined
 * with ';'; JSON is a compact JSON value. */
typedef enum { CSV_STR, CSV_INT, CSV_NUM, CSV_BOOL, CSV_DATE, CSV_LIST, CSV_JSON } csv_kind;

#define CSV_F_IDENT 1u /* left out of de-identified output */
#define CSV_F_DEID  2u /* only in de-identified output */

/* A column: its header, which is also the field's dotted path in the record
 * ("cost.amount" is cost's amount). */
typedef struct csv_col {
    const char *name;
    csv_kind kind;
    unsigned flags;
} csv_col;

/* The columns of type t's file, in order; *n receives their number. Static. */
const csv_col *csv_columns(genu_rtype t, size_t *n);
/* "patients.csv", "identities.csv", "diagnoses.csv", ... Static. */
const char *csv_file_name(genu_rtype t);

/* Appends the text of the value at path in obj (a JSON object) as a cell of
 * that kind; nothing when absent or null. -1 on allocation failure. */
int csv_cell(const json_t *obj, const char *path, csv_kind kind, genu_buf *b);
/* Reads a cell (non-empty, NUL-terminated) of that kind and sets path in obj,
 * creating the objects on the way. GENU_EINVAL names the field:
 * `field "birth_year": expected an integer, got "1950x"`. */
int csv_set(json_t *obj, const char *path, csv_kind kind, const char *cell, genu_err *err);

/* A CSV file read whole: rows of cells (NUL-terminated, in the arena), each
 * with the line it starts on. Row 0 is the header when there is one. */
typedef struct csv_row {
    size_t line, n;
    char **cells;
} csv_row;
typedef struct csv_table {
    size_t n;
    csv_row *rows;
} csv_table;

/* Reads path ("-" is stdin) strictly (RFC 4180 quoting; a UTF-8 byte order
 * mark is skipped). GENU_EINVAL "FILE:LINE: malformed CSV: ..."; GENU_EIO,
 * GENU_ENOTFOUND when the file cannot be read. */
int csv_read(const char *path, genu_arena *a, csv_table *out, genu_err *err);

/* Writes one field, quoted when it holds a comma, quote, CR or LF, preceded
 * by a comma unless first. */
void csv_put(FILE *f, const char *s, bool first);

/* Imports files named after their record type (patients.csv, ...; any
 * directory), all or nothing as jsonl_import. Unknown or repeated columns
 * are errors at FILE:1:COLUMN. */
int csv_import(genu_store *s, const char *const *files, size_t n, const jsonl_import_opts *o,
               jsonl_stats *stats, genu_err *err);

/* Writes one file per record type into dir (created when missing); with
 * o->deidentify the de-identified records and no identities file. */
int csv_export(genu_store *s, const deid_opts *o, const char *dir, size_t *count, genu_err *err);

#endif
