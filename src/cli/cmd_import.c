/* cmd_import: JSON Lines into the registry, all or nothing (or, with
 * --skip-invalid, the valid records with the rejected lines written out). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "io/csv.h"
#include "io/fhir.h"
#include "io/jsonl.h"
#include "io/redcap.h"

typedef struct ctx {
    FILE *rejects;
    size_t shown;
    bool tty;
} ctx;

#define MAX_SHOWN 200

static void on_reject(const char *file, size_t line, const char *msg, const char *text, void *p)
{
    ctx *c = p;
    char at[32] = "";
    if (line) /* line 0: file names the whole place (CSV, REDCap, FHIR) */
        snprintf(at, sizeof at, ":%zu", line);
    if (c->shown < MAX_SHOWN)
        fprintf(stderr, "%s%s: %s\n", file, at, msg);
    else if (c->shown == MAX_SHOWN)
        fprintf(stderr, "... (more rejected lines not shown)\n");
    c->shown++;
    if (c->rejects)
        fprintf(c->rejects, "%s%s: %s\t%s\n", file, at, msg, text);
}

static void on_progress(size_t lines, void *p)
{
    if (((ctx *)p)->tty)
        fprintf(stderr, "\rgenu: import: %zu lines read", lines);
}

static void usage(void)
{
    printf("usage: genu [--db PATH] import [--skip-invalid REJECTS] FILE...\n"
           "       genu [--db PATH] import --format csv|fhir FILE...\n"
           "       genu [--db PATH] import --format redcap DICTIONARY RECORDS\n\n"
           "Imports JSON Lines records (docs/format.md); FILE - reads stdin. The import is\n"
           "atomic: if any line is invalid, every error is listed as FILE:LINE: message and\n"
           "nothing is stored. With --skip-invalid REJECTS the valid records are stored and\n"
           "each rejected line is written to REJECTS as \"FILE:LINE: reason<TAB>line\".\n"
           "Records whose id is already in the registry are updated; identical ones are\n"
           "left alone, so importing a file twice changes nothing.\n"
           "--format csv takes files named after their record type (patients.csv, ...),\n"
           "redcap a data dictionary and a records CSV, fhir R4 Bundles; errors name\n"
           "FILE:LINE:COLUMN or the Bundle entry (docs/formats.md).\n");
}

int cmd_import(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        usage();
        return CLI_OK;
    }
    const char *rejects_path = NULL, *format = "jsonl";
    const char **files = calloc((size_t)argc, sizeof *files);
    size_t nfiles = 0;
    int i = 1;
    while (i < argc) {
        int r = cli_opt(argc, argv, &i, "--skip-invalid", &rejects_path);
        if (!r)
            r = cli_opt(argc, argv, &i, "--format", &format);
        if (r < 0)
            goto usage_error;
        if (r > 0)
            continue;
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            cli_error("import: unknown option %s", argv[i]);
            goto usage_error;
        }
        files[nfiles++] = argv[i++];
    }
    if (nfiles == 0) {
        cli_error("import: no FILE given (use - for stdin)");
        goto usage_error;
    }
    bool redcap = strcmp(format, "redcap") == 0;
    if (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0 && !redcap &&
        strcmp(format, "fhir") != 0) {
        cli_error("import: --format: \"%s\" is not supported (expected jsonl, csv, redcap or "
                  "fhir)", format);
        goto usage_error;
    }
    if (redcap && nfiles != 2) {
        cli_error("import: --format redcap takes DICTIONARY RECORDS");
        goto usage_error;
    }
    ctx c = {NULL, 0, isatty(STDERR_FILENO)};
    if (rejects_path && !(c.rejects = fopen(rejects_path, "w"))) {
        cli_error("import: cannot write %s", rejects_path);
        free(files);
        return CLI_EFAIL;
    }
    genu_err err = {0};
    genu_store *s = NULL;
    jsonl_stats st = {0};
    jsonl_import_opts o = {rejects_path != NULL, on_reject, on_progress, &c};
    int rc = store_open(env->db, true, &s, &err);
    if (!rc)
        rc = store_set_actor(s, "cli:import", &err);
    if (!rc && strcmp(format, "csv") == 0)
        rc = csv_import(s, files, nfiles, &o, &st, &err);
    else if (!rc && strcmp(format, "fhir") == 0)
        rc = fhir_import(s, files, nfiles, &o, &st, &err);
    else if (!rc && redcap)
        rc = redcap_import(s, files[0], files[1], &o, &st, &err);
    else if (!rc)
        rc = jsonl_import(s, files, nfiles, &o, &st, &err);
    if (c.tty && st.lines >= 65536)
        fputc('\n', stderr);
    store_close(s);
    free(files);
    if (c.rejects && fclose(c.rejects) != 0 && !rc)
        rc = GENU_FAIL(&err, GENU_EIO, "import: cannot write %s", rejects_path);
    if (rc)
        return cli_fail(&err);
    printf("imported %zu records (%zu added, %zu updated, %zu unchanged)", st.records, st.added,
           st.updated, st.unchanged);
    if (st.rejected)
        printf("; %zu lines rejected, see %s", st.rejected, rejects_path);
    printf("\n");
    return st.rejected ? CLI_EFAIL : CLI_OK;
usage_error:
    free(files);
    return CLI_EUSAGE;
}
