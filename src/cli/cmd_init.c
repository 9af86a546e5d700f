/* cmd_init: creates an empty registry; an existing current one is left as
 * it is, an older one is refused (genu migrate upgrades it). */
#include "cli/cli.h"
#include "store/store.h"

int cmd_init(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: genu [--db PATH] init\n\n"
               "Creates the registry at PATH (default ./genu.db, or $GENU_DB). Safe to run\n"
               "twice. A registry written by an older genu is upgraded by genu migrate.\n");
        return CLI_OK;
    }
    if (argc > 1) {
        cli_error("init takes no arguments (got \"%s\")", argv[1]);
        return CLI_EUSAGE;
    }
    genu_err err = {0};
    genu_store *s;
    if (store_open(env->db, true, &s, &err))
        return cli_fail(&err);
    printf("registry %s ready (%s, schema version %d)\n", env->db, store_backend(s),
           store_schema_version(s));
    store_close(s);
    return CLI_OK;
}
