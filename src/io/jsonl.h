/* jsonl: importing and exporting a registry as JSON Lines (docs/format.md).
 *
 * Import is atomic: every line of every file is read and checked first
 * (fields, vocabularies, duplicate ids, references to patients and
 * treatments — in the files or already in the registry), and only then are
 * the records stored, in one transaction. With skip_invalid the valid records
 * are stored and each rejected line is reported; a record whose patient (or
 * related treatment) was rejected is rejected too. Re-importing a record with
 * an id the registry has is an update; an identical record changes nothing. */
#ifndef GENU_IO_JSONL_H
#define GENU_IO_JSONL_H

#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"
#include "store/store.h"

typedef struct jsonl_stats {
    size_t lines, records, added, updated, unchanged, rejected;
} jsonl_stats;

/* Called for each rejected line: where, why, and the line's text. line is 0
 * for in-memory lines (jsonl_import_lines), whose file names the place. */
typedef void (*jsonl_reject_fn)(const char *file, size_t line, const char *msg,
                                const char *text, void *ctx);
/* Called now and then with the number of lines read (progress display). */
typedef void (*jsonl_progress_fn)(size_t lines, void *ctx);

typedef struct jsonl_import_opts {
    bool skip_invalid;
    jsonl_reject_fn on_reject; /* required */
    jsonl_progress_fn on_progress; /* optional */
    void *ctx;
} jsonl_import_opts;

/* Imports files[0..n) ("-" is stdin). Returns GENU_OK when stored (with
 * skip_invalid, even if lines were rejected: stats->rejected says how many),
 * GENU_EINVAL when lines were rejected without skip_invalid (nothing stored;
 * every rejection went to on_reject), or another code for I/O and storage
 * failures (nothing stored). */
int jsonl_import(genu_store *s, const char *const *files, size_t n, const jsonl_import_opts *o,
                 jsonl_stats *stats, genu_err *err);

/* One record already in memory (converted from CSV, REDCap or FHIR), with
 * the place messages name for it. */
typedef struct jsonl_line {
    const char *text;  /* a JSON Lines record, NUL-terminated; NULL allowed when error is set */
    const char *where; /* "patients.csv:12", "bundle.json: entry[3] (Condition)" */
    const char *const *cols; /* optional, NULL-terminated: the field each column holds
                                ("id", "cost.amount"), so a rejection names
                                where:COLUMN (1-based) */
    const char *error; /* non-NULL: the source could not be converted; this is the
                          rejection, reported like any other */
} jsonl_line;

/* Imports lines[0..n) with jsonl_import's checks, atomicity and skip_invalid
 * rule. Rejections go to o->on_reject with file = the line's where (plus
 * ":COLUMN" when its cols name the field at fault) and line = 0, meaning
 * "file names the whole place". Strings are borrowed for the call. */
int jsonl_import_lines(genu_store *s, const jsonl_line *lines, size_t n,
                       const jsonl_import_opts *o, jsonl_stats *stats, genu_err *err);

/* Writes the registry in export order, one canonical line per record.
 * deidentify is not supported here (GENU_ENOTSUP); identities are written
 * unless skip_identity. */
int jsonl_export(genu_store *s, FILE *out, bool skip_identity, size_t *count, genu_err *err);

#endif
