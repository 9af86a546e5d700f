/* cmd_backup: `genu backup FILE` makes a consistent online copy of the
 * registry (store_backup), safe while a server is writing. It never
 * overwrites: FILE must not exist. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "store/store.h"

int cmd_backup(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: genu [--db PATH] backup FILE\n\n"
               "Copies the registry into FILE, consistently, while it is in use (a server\n"
               "may keep writing). FILE must not exist. Restore: stop the server, copy FILE\n"
               "over the registry, run genu audit verify (docs/operations.md).\n");
        return CLI_OK;
    }
    if (argc != 2 || argv[1][0] == '\0') {
        cli_error("backup takes one argument, the FILE to write (see genu backup --help)");
        return CLI_EUSAGE;
    }
    const char *file = argv[1];
    struct stat st;
    if (stat(file, &st) == 0 || errno != ENOENT) {
        cli_error("backup: %s exists already; choose a new file name", file);
        return CLI_EFAIL;
    }
    genu_err err = {0};
    genu_store *s;
    if (store_open(env->db, false, &s, &err))
        return cli_fail(&err);
    int rc = store_backup(s, file, &err);
    store_close(s);
    if (rc)
        return cli_fail(&err);
    printf("backed up %s to %s\n", env->db, file);
    return CLI_OK;
}
