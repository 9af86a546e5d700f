/* fuzz_redcap: libFuzzer target for the REDCap importer (io/redcap.h): a
 * data dictionary and a records CSV, as `genu import --format redcap
 * DICTIONARY RECORDS` reads them. The input is the dictionary's text, a
 * line "=====records=====" and the records' text; without that line all of
 * it is the dictionary and the records file is empty. Both are written to a
 * private temporary directory (redcap_import takes files).
 *
 * Invariants: those of fuzz_import_done (fuzz_common.h) for the import into
 * the base registry: a failure has its code and message and stores
 * nothing; a success rejects nothing and accounts for every record. */
#define FUZZ_NAME "fuzz_redcap"
#include "fuzz_common.h"

#include "io/redcap.h"

#define MARK "\n=====records=====\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t mlen = strlen(MARK), dlen = size, roff = size;
    for (size_t i = 0; i + mlen <= size; i++)
        if (memcmp(data + i, MARK, mlen) == 0) {
            dlen = i + 1; /* the dictionary keeps its last newline */
            roff = i + mlen;
            break;
        }
    const char *dict = fuzz_write("dictionary.csv", data, dlen);
    const char *recs = fuzz_write("records.csv", data + roff, size - roff);

    genu_store *s = fuzz_base(false);
    fuzz_rejects rj = {0};
    jsonl_import_opts o = {false, fuzz_on_reject, NULL, &rj};
    jsonl_stats st;
    genu_err err = {0};
    int rc = redcap_import(s, dict, recs, &o, &st, &err);
    fuzz_import_done(rc, &err, &st, &rj);
    unlink(dict);
    unlink(recs);
    return 0;
}
