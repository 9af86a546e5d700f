/* cli: shared helpers for the commands. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("genu: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_fail(const genu_err *err)
{
    cli_error("%s", err->msg[0] ? err->msg : genu_err_name(err->code));
    switch (err->code) {
    case GENU_EIO:
    case GENU_ENOMEM:
        return CLI_ESTORE;
    default:
        return CLI_EFAIL;
    }
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

bool cli_help(int argc, char **argv, const char *usage)
{
    if (!cli_wants_help(argc, argv))
        return false;
    fputs(usage, stdout);
    return true;
}

int cli_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        *i += 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        cli_error("option %s needs a value", name);
        return -1;
    }
    *val = argv[*i + 1];
    *i += 2;
    return 1;
}

bool cli_load_full(void)
{
    const char *how = getenv("GENU_LOAD");
    return how && strcmp(how, "full") == 0;
}

int cli_load(genu_store *s, const store_scope *scope, genu_arena *a, genu_dataset *ds,
             genu_err *err)
{
    if (cli_load_full())
        return store_load(s, a, ds, err);
    return store_load_scope(s, scope, a, ds, err);
}
