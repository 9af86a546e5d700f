/* fuzz_csv: libFuzzer target for the CSV importer (io/csv.h): one record
 * type's table, as `genu import --format csv` reads it. The first byte picks
 * the record type (mod 8: patients, identities, diagnoses, treatments,
 * responses, adverse_events, exams, messages), the rest is the file's text,
 * written to TYPE.csv in a private temporary directory (csv_read takes
 * files; there is no buffer API).
 *
 * Per input:
 * - csv_read alone: GENU_OK gives rows in the arena, each with a line number
 *   (non-decreasing, within the file) and NUL-terminated cells; an error has
 *   a code and a message;
 * - csv_import into the base registry of fuzz_common.h, all or nothing:
 *   the invariants of fuzz_import_done (a failure has its code and message
 *   and stores nothing; a success rejects nothing and accounts for every
 *   record). */
#define FUZZ_NAME "fuzz_csv"
#include "fuzz_common.h"

#include "core/arena.h"
#include "io/csv.h"

static void check_table(const csv_table *t, size_t size)
{
    size_t last = 0;
    for (size_t r = 0; r < t->n; r++) {
        const csv_row *row = &t->rows[r];
        if (row->line < last || row->line == 0 || row->line > size + 1)
            die("a row with an impossible line number", NULL);
        last = row->line;
        if (row->n && !row->cells)
            die("a row with cells but no cell array", NULL);
        for (size_t c = 0; c < row->n; c++)
            if (!row->cells[c] || strlen(row->cells[c]) > size)
                die("a cell longer than the file", NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    genu_rtype type = (genu_rtype)(data[0] % GENU_REC_NTYPES);
    const char *path = fuzz_write(csv_file_name(type), data + 1, size - 1);

    genu_arena *a = genu_arena_create();
    if (!a)
        die("out of memory", NULL);
    csv_table t;
    genu_err err = {0};
    int rc = csv_read(path, a, &t, &err);
    fuzz_say("%s: %s", csv_file_name(type), rc ? err.msg : "read");
    if (rc == GENU_OK)
        check_table(&t, size - 1);
    else if (err.code != rc || !err.msg[0])
        die("a csv_read error without its code or message", err.msg);
    genu_arena_destroy(a);

    genu_store *s = fuzz_base(false);
    fuzz_rejects rj = {0};
    jsonl_import_opts o = {false, fuzz_on_reject, NULL, &rj};
    jsonl_stats st;
    genu_err ierr = {0};
    const char *files[1] = {path};
    rc = csv_import(s, files, 1, &o, &st, &ierr);
    fuzz_import_done(rc, &ierr, &st, &rj);
    unlink(path);
    return 0;
}
