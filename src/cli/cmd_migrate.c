/* cmd_migrate: `genu migrate [--backup FILE]` upgrades a registry written by
 * an older genu to this genu's schema, all migrations in one transaction.
 * Other commands and the server refuse an older registry instead of
 * migrating it on open, so an upgrade happens when an administrator says
 * so, after a backup (docs/operations.md, Upgrade). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "store/store.h"

static const char usage[] =
    "usage: genu [--db PATH] migrate [--backup FILE]\n\n"
    "Upgrades the registry to this genu's schema, every pending migration in one\n"
    "transaction: if one fails, the registry is left as it was. Other commands and\n"
    "genu serve refuse a registry whose schema is older than this genu's.\n"
    "  --backup FILE  first copy the registry as it is into FILE (a new file;\n"
    "                 SQLite; on PostgreSQL use pg_dump)\n";

int cmd_migrate(int argc, char **argv, const cli_env *env)
{
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    const char *backup = NULL;
    for (int i = 1; i < argc;) {
        const char *v;
        int r = cli_opt(argc, argv, &i, "--backup", &v);
        if (r < 0)
            return CLI_EUSAGE;
        if (r == 0) {
            cli_error("migrate: unknown argument %s (see genu migrate --help)", argv[i]);
            return CLI_EUSAGE;
        }
        if (!*v) {
            cli_error("migrate: --backup needs a file name");
            return CLI_EUSAGE;
        }
        backup = v;
    }
    struct stat st;
    if (backup && (stat(backup, &st) == 0 || errno != ENOENT)) {
        cli_error("migrate: --backup: %s exists already; choose a new file name", backup);
        return CLI_EFAIL;
    }
    genu_err err = {0};
    int from, to;
    if (store_migrate(env->db, backup, &from, &to, &err))
        return cli_fail(&err);
    if (backup)
        printf("backed up %s to %s (schema version %d)\n", env->db, backup, from);
    if (from == to)
        printf("%s: schema version %d is current; nothing to migrate\n", env->db, to);
    else
        printf("%s: migrated from schema version %d to %d\n", env->db, from, to);
    return CLI_OK;
}
