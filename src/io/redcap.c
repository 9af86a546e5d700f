#include "io/redcap.h"
int redcap_export(genu_store *s, const deid_opts *o, const char *dir, size_t *count, genu_err *err)
{ (void)s; (void)o; (void)dir; *count = 0; return GENU_FAIL(err, GENU_ENOTSUP, "redcap: not yet"); }
int redcap_import(genu_store *s, const char *dictionary, const char *records,
                  const jsonl_import_opts *o, jsonl_stats *stats, genu_err *err)
{ (void)s; (void)dictionary; (void)records; (void)o; (void)stats; return GENU_FAIL(err, GENU_ENOTSUP, "redcap: not yet"); }
