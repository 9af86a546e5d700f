/* fuzz_fhir: libFuzzer target for the FHIR R4 importer (io/fhir.h): one
 * Bundle, as `genu import --format fhir FILE` reads it. The input is the
 * file's text, written to bundle.json in a private temporary directory
 * (fhir_import takes files).
 *
 * Invariants: those of fuzz_import_done (fuzz_common.h) for the import into
 * the base registry: a failure has its code and message and stores
 * nothing; a success rejects nothing and accounts for every record. */
#define FUZZ_NAME "fuzz_fhir"
#include "fuzz_common.h"

#include "io/fhir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("bundle.json", data, size);
    genu_store *s = fuzz_base(false);
    fuzz_rejects rj = {0};
    jsonl_import_opts o = {false, fuzz_on_reject, NULL, &rj};
    jsonl_stats st;
    genu_err err = {0};
    const char *files[1] = {path};
    int rc = fhir_import(s, files, 1, &o, &st, &err);
    fuzz_import_done(rc, &err, &st, &rj);
    unlink(path);
    return 0;
}
