/* cmd_export: the registry as JSON Lines on stdout (or --output FILE). */
#include <string.h>

#include "cli/cli.h"
#include "io/jsonl.h"

int cmd_export(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: genu [--db PATH] export [--format jsonl] [--no-identity] [--output FILE]\n\n"
               "Writes every record as JSON Lines, patients by id and each patient's records\n"
               "by type, date, knee and order of entry (docs/format.md). The output imports\n"
               "into a new registry and exports again byte for byte. --no-identity leaves\n"
               "out the identity records (names, dates of birth, contacts).\n");
        return CLI_OK;
    }
    const char *format = "jsonl", *output = NULL;
    bool no_identity = false;
    for (int i = 1; i < argc;) {
        int r = cli_opt(argc, argv, &i, "--format", &format);
        if (!r)
            r = cli_opt(argc, argv, &i, "--output", &output);
        if (r < 0)
            return CLI_EUSAGE;
        if (r > 0)
            continue;
        if (strcmp(argv[i], "--no-identity") == 0) {
            no_identity = true;
            i++;
            continue;
        }
        cli_error("export: unknown argument %s", argv[i]);
        return CLI_EUSAGE;
    }
    if (strcmp(format, "jsonl") != 0) {
        cli_error("export: --format: \"%s\" is not supported (expected jsonl)", format);
        return CLI_EUSAGE;
    }
    genu_err err = {0};
    genu_store *s;
    if (store_open(env->db, false, &s, &err))
        return cli_fail(&err);
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        store_close(s);
        cli_error("export: cannot write %s", output);
        return CLI_EFAIL;
    }
    size_t n;
    int rc = jsonl_export(s, out, no_identity, &n, &err);
    store_close(s);
    if (output && fclose(out) != 0 && !rc)
        rc = GENU_FAIL(&err, GENU_EIO, "export: cannot write %s", output);
    if (rc)
        return cli_fail(&err);
    if (output)
        fprintf(stderr, "exported %zu records to %s\n", n, output);
    return CLI_OK;
}
