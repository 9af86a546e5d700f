/* cmd_export: the registry as JSON Lines on stdout (or --output FILE). */
#include <string.h>

#include "cli/cli.h"
#include "io/csv.h"
#include "io/deid.h"
#include "io/fhir.h"
#include "io/jsonl.h"
#include "io/redcap.h"

int cmd_export(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: genu [--db PATH] export [--format jsonl] [--no-identity] [--output FILE]\n\n"
               "Writes every record as JSON Lines, patients by id and each patient's records\n"
               "by type, date, knee and order of entry (docs/format.md). The output imports\n"
               "into a new registry and exports again byte for byte. --no-identity leaves\n"
               "out the identity records (names, dates of birth, contacts).\n\n"
               "--format csv|redcap write files into the directory --output DIR; fhir writes\n"
               "one Bundle (docs/formats.md). --deidentify [--dates index|year] writes the\n"
               "de-identified records: no identities, notes or extra fields, keyed pseudonyms\n"
               "for ids, days from the knee's index date or years for dates (docs/privacy.md).\n");
        return CLI_OK;
    }
    const char *format = "jsonl", *output = NULL, *dates = NULL;
    bool no_identity = false, deidentify = false;
    for (int i = 1; i < argc;) {
        int r = cli_opt(argc, argv, &i, "--format", &format);
        if (!r)
            r = cli_opt(argc, argv, &i, "--output", &output);
        if (!r)
            r = cli_opt(argc, argv, &i, "--dates", &dates);
        if (r < 0)
            return CLI_EUSAGE;
        if (r > 0)
            continue;
        if (strcmp(argv[i], "--no-identity") == 0) {
            no_identity = true;
            i++;
            continue;
        }
        if (strcmp(argv[i], "--deidentify") == 0) {
            deidentify = true;
            i++;
            continue;
        }
        cli_error("export: unknown argument %s", argv[i]);
        return CLI_EUSAGE;
    }
    if (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "redcap") != 0 && strcmp(format, "fhir") != 0) {
        cli_error("export: --format: \"%s\" is not supported (expected jsonl, csv, redcap or "
                  "fhir)", format);
        return CLI_EUSAGE;
    }
    if (dates && (!deidentify || (strcmp(dates, "index") != 0 && strcmp(dates, "year") != 0))) {
        cli_error("export: --dates takes index or year, with --deidentify");
        return CLI_EUSAGE;
    }
    deid_opts dopts = {deidentify, dates && strcmp(dates, "year") == 0 ? DEID_DATES_YEAR
                                                                      : DEID_DATES_INDEX,
                       no_identity};
    bool to_dir = strcmp(format, "csv") == 0 || strcmp(format, "redcap") == 0;
    if (to_dir && !output) {
        cli_error("export: --format %s writes one file per table: give --output DIR", format);
        return CLI_EUSAGE;
    }
    genu_err err = {0};
    genu_store *s;
    if (store_open(env->db, false, &s, &err))
        return cli_fail(&err);
    FILE *out = to_dir ? NULL : output ? fopen(output, "w") : stdout;
    if (!out && !to_dir) {
        store_close(s);
        cli_error("export: cannot write %s", output);
        return CLI_EFAIL;
    }
    size_t n;
    int rc;
    if (strcmp(format, "csv") == 0)
        rc = csv_export(s, &dopts, output, &n, &err);
    else if (strcmp(format, "redcap") == 0)
        rc = redcap_export(s, &dopts, output, &n, &err);
    else if (strcmp(format, "fhir") == 0)
        rc = fhir_export(s, &dopts, out, &n, &err);
    else if (deidentify)
        rc = deid_export_jsonl(s, dopts.dates, out, &n, &err);
    else
        rc = jsonl_export(s, out, no_identity, &n, &err);
    store_close(s);
    if (output && out && fclose(out) != 0 && !rc)
        rc = GENU_FAIL(&err, GENU_EIO, "export: cannot write %s", output);
    if (rc)
        return cli_fail(&err);
    if (output)
        fprintf(stderr, "exported %zu records to %s\n", n, output);
    return CLI_OK;
}
