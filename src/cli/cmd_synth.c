/* cmd_synth: `genu synth` writes a synthetic registry as JSON Lines
 * (docs/synth.md), or imports it straight into the registry with --import. */
#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/date.h"
#include "store/store.h"
#include "synth/populate.h"
#include "synth/synth.h"

static const char usage[] =
    "usage: genu [--db PATH] synth [--patients N] [--seed S] [--start YEAR] [--as-of DATE]\n"
    "                              [--output FILE|-] [--import] [--params]\n"
    "                              [--set NAME=VALUE]...\n\n"
    "Generates a synthetic registry of knee patients (docs/synth.md) as JSON Lines.\n"
    "The same options give the same bytes.\n\n"
    "  --patients N   patients to generate (default 1000, at most 10000000)\n"
    "  --seed S       random seed, 0 to 2^64-1 (default 1)\n"
    "  --start YEAR   first visits from YEAR-01-01 (default: as-of year - 10)\n"
    "  --as-of DATE   nothing is dated after DATE (default today)\n"
    "  --output FILE  write to FILE (default -, stdout)\n"
    "  --import       import into the registry (--db) instead of writing\n"
    "  --params       print the model's parameter table (markdown) and exit\n"
    "  --set NAME=VALUE  run the model with another value (0 to 1) of one of its\n"
    "                 probabilities, shares or fractions (repeatable): a what-if,\n"
    "                 such as a lower dropout_before_24m for a registry that\n"
    "                 collects its own follow-up\n";

/* A decimal unsigned integer in [0, max], all of s. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    if (!*s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static void print_params(void)
{
    printf("| parameter | value | unit | rationale |\n|---|---|---|---|\n");
    for (size_t i = 0; i < synth_param_count(); i++) {
        const synth_param *p = synth_param_at(i);
        printf("| `%s` | %g | %s | %s |\n", p->name, p->value, p->unit, p->rationale);
    }
}

typedef struct synth_args {
    synth_opts o;
    const char *output;
    bool import, params, has_start;
    double values[SYNTH_MAX_PARAMS]; /* --set, by parameter index; NAN: the table's */
} synth_args;

/* --set NAME=VALUE: a probability, share or fraction of the table and a
 * value from 0 to 1. (Other parameters size the model's arrays and ranges:
 * they are changed in the table, with its tests, not from the command line.) */
static int set_param(synth_args *a, const char *v)
{
    const char *eq = strchr(v, '=');
    char name[64], *end;
    if (!eq || (size_t)(eq - v) >= sizeof name) {
        cli_error("--set: expected NAME=VALUE, not \"%s\"", v);
        return CLI_EUSAGE;
    }
    snprintf(name, sizeof name, "%.*s", (int)(eq - v), v);
    int k = synth_param_index(name);
    if (k < 0 || (size_t)k >= sizeof a->values / sizeof a->values[0]) {
        cli_error("--set: no parameter \"%s\" (see genu synth --params)", name);
        return CLI_EUSAGE;
    }
    double x = strtod(eq + 1, &end);
    const char *unit = synth_param_at((size_t)k)->unit;
    bool unit_range = !strcmp(unit, "probability") || !strcmp(unit, "share") ||
                      !strcmp(unit, "fraction");
    if (!unit_range) {
        cli_error("--set: %s is in %s: only probabilities, shares and fractions can be set",
                  name, unit);
        return CLI_EUSAGE;
    }
    if (!eq[1] || *end || !isfinite(x) || x < 0 || x > 1) {
        cli_error("--set: %s: expected a number from 0 to 1, not \"%s\"", name, eq + 1);
        return CLI_EUSAGE;
    }
    a->values[k] = x;
    a->o.values = a->values;
    return CLI_OK;
}

static int parse_args(int argc, char **argv, synth_args *a)
{
    memset(a, 0, sizeof *a);
    for (size_t k = 0; k < sizeof a->values / sizeof a->values[0]; k++)
        a->values[k] = NAN;
    a->o.patients = 1000;
    a->o.seed = 1;
    a->o.as_of = genu_date_today();
    a->output = "-";
    for (int i = 1; i < argc;) {
        const char *v;
        uint64_t n;
        int r;
        genu_err err = {0};
        if ((r = cli_opt(argc, argv, &i, "--patients", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (parse_u64(v, 10000000, &n)) {
                cli_error("--patients: expected a whole number from 0 to 10000000, not \"%s\"", v);
                return CLI_EUSAGE;
            }
            a->o.patients = (size_t)n;
        } else if ((r = cli_opt(argc, argv, &i, "--seed", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (parse_u64(v, UINT64_MAX, &a->o.seed)) {
                cli_error("--seed: expected a whole number from 0 to 2^64-1, not \"%s\"", v);
                return CLI_EUSAGE;
            }
        } else if ((r = cli_opt(argc, argv, &i, "--start", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (parse_u64(v, 9999, &n) || n < 1900) {
                cli_error("--start: expected a year from 1900, not \"%s\"", v);
                return CLI_EUSAGE;
            }
            a->o.start_year = (int)n;
            a->has_start = true;
        } else if ((r = cli_opt(argc, argv, &i, "--as-of", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (genu_date_parse(v, strlen(v), &a->o.as_of, &err)) {
                cli_error("--as-of: expected a date YYYY-MM-DD, not \"%s\"", v);
                return CLI_EUSAGE;
            }
        } else if ((r = cli_opt(argc, argv, &i, "--set", &v)) != 0) {
            if (r < 0 || set_param(a, v))
                return CLI_EUSAGE;
        } else if ((r = cli_opt(argc, argv, &i, "--output", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            a->output = v;
        } else if (strcmp(argv[i], "--import") == 0) {
            a->import = true;
            i++;
        } else if (strcmp(argv[i], "--params") == 0) {
            a->params = true;
            i++;
        } else {
            cli_error("synth: unknown option %s (see genu synth --help)", argv[i]);
            return CLI_EUSAGE;
        }
    }
    if (!a->has_start)
        a->o.start_year = genu_date_year(a->o.as_of) - 10;
    if (a->o.start_year > genu_date_year(a->o.as_of)) {
        cli_error("--start: %d is after the as-of year %d", a->o.start_year,
                  genu_date_year(a->o.as_of));
        return CLI_EUSAGE;
    }
    if (a->import && strcmp(a->output, "-") != 0) {
        cli_error("--output: not used with --import (the records go into the registry)");
        return CLI_EUSAGE;
    }
    return CLI_OK;
}

static int to_registry(const synth_args *a, const cli_env *env)
{
    genu_err err = {0};
    genu_store *s = NULL;
    jsonl_stats st = {0};
    int rc = store_open(env->db, true, &s, &err);
    if (!rc)
        rc = store_set_actor(s, "cli:synth", &err);
    if (!rc)
        rc = populate_store(s, &a->o, false, &st, &err);
    store_close(s);
    if (rc)
        return cli_fail(&err);
    printf("imported %zu records (%zu added, %zu updated, %zu unchanged)\n", st.records, st.added,
           st.updated, st.unchanged);
    return CLI_OK;
}

int cmd_synth(int argc, char **argv, const cli_env *env)
{
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    synth_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    if (a.params) {
        print_params();
        return CLI_OK;
    }
    if (a.import)
        return to_registry(&a, env);
    genu_err err = {0};
    bool std = strcmp(a.output, "-") == 0;
    FILE *out = std ? stdout : fopen(a.output, "w");
    if (!out) {
        cli_error("synth: cannot write %s: %s", a.output, strerror(errno));
        return CLI_EFAIL;
    }
    rc = populate_write(out, &a.o, false, &err);
    if (!std && fclose(out) != 0 && !rc)
        rc = GENU_FAIL(&err, GENU_EIO, "%s: write error", a.output);
    return rc ? cli_fail(&err) : CLI_OK;
}
