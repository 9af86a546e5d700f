#include "io/fhir.h"
int fhir_export(genu_store *s, const deid_opts *o, FILE *out, size_t *count, genu_err *err)
{ (void)s; (void)o; (void)out; *count = 0; return GENU_FAIL(err, GENU_ENOTSUP, "fhir: not yet"); }
int fhir_import(genu_store *s, const char *const *files, size_t n, const jsonl_import_opts *o,
                jsonl_stats *stats, genu_err *err)
{ (void)s; (void)files; (void)n; (void)o; (void)stats; return GENU_FAIL(err, GENU_ENOTSUP, "fhir: not yet"); }
