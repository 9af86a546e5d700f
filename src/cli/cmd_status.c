/* cmd_status: what a registry holds, at a glance. */
#include "cli/cli.h"
#include "store/store.h"

int cmd_status(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: genu [--db PATH] status\n\n"
               "Prints the registry's backend, schema version and the number of records of\n"
               "each type.\n");
        return CLI_OK;
    }
    if (argc > 1) {
        cli_error("status takes no arguments (got \"%s\")", argv[1]);
        return CLI_EUSAGE;
    }
    genu_err err = {0};
    genu_store *s;
    if (store_open(env->db, false, &s, &err))
        return cli_fail(&err);
    printf("registry   %s (%s, schema version %d)\n", env->db, store_backend(s),
           store_schema_version(s));
    int rc = GENU_OK;
    for (int t = 0; t < GENU_REC_NTYPES && !rc; t++) {
        size_t n;
        rc = store_count(s, (genu_rtype)t, &n, &err);
        if (!rc)
            printf("%-14s %zu\n", record_type_name((genu_rtype)t), n);
    }
    store_close(s);
    return rc ? cli_fail(&err) : CLI_OK;
}
