/* cmd_demo: `genu demo` builds a demo registry: a synthetic cohort
 * (docs/synth.md) and the three published case histories CH1-CH3
 * (src/synth/cases.c, examples/case_histories.jsonl), in one import. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/date.h"
#include "store/store.h"
#include "synth/populate.h"

static const char usage[] =
    "usage: genu [--db PATH] demo [--patients N] [--seed S] [--as-of DATE]\n\n"
    "Fills the registry (created if missing) with a synthetic cohort and the three\n"
    "published case histories (patients CH1, CH2, CH3; see genu case CH1).\n\n"
    "  --patients N   synthetic patients (default 2000; 0 for the case histories only)\n"
    "  --seed S       random seed (default 1)\n"
    "  --as-of DATE   nothing is dated after DATE (default today)\n";

static int parse_count(const char *opt, const char *v, unsigned long long max,
                       unsigned long long *out)
{
    char *end;
    errno = 0;
    if (*v < '0' || *v > '9' || (*out = strtoull(v, &end, 10), errno) || *end || *out > max) {
        cli_error("%s: expected a whole number from 0 to %llu, not \"%s\"", opt, max, v);
        return -1;
    }
    return 0;
}

int cmd_demo(int argc, char **argv, const cli_env *env)
{
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    synth_opts o = {1, 2000, 0, genu_date_today(), NULL, NULL};
    for (int i = 1; i < argc;) {
        const char *v;
        unsigned long long n;
        int r;
        genu_err perr = {0};
        if ((r = cli_opt(argc, argv, &i, "--patients", &v)) != 0) {
            if (r < 0 || parse_count("--patients", v, 10000000, &n))
                return CLI_EUSAGE;
            o.patients = (size_t)n;
        } else if ((r = cli_opt(argc, argv, &i, "--seed", &v)) != 0) {
            if (r < 0 || parse_count("--seed", v, UINT64_MAX, &n))
                return CLI_EUSAGE;
            o.seed = (uint64_t)n;
        } else if ((r = cli_opt(argc, argv, &i, "--as-of", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (genu_date_parse(v, strlen(v), &o.as_of, &perr)) {
                cli_error("--as-of: expected a date YYYY-MM-DD, not \"%s\"", v);
                return CLI_EUSAGE;
            }
        } else {
            cli_error("demo: unknown option %s (see genu demo --help)", argv[i]);
            return CLI_EUSAGE;
        }
    }
    o.start_year = genu_date_year(o.as_of) - 10;

    genu_err err = {0};
    genu_store *s = NULL;
    jsonl_stats st = {0};
    int rc = store_open(env->db, true, &s, &err);
    if (!rc)
        rc = store_set_actor(s, "cli:demo", &err);
    if (!rc)
        rc = populate_store(s, o.patients ? &o : NULL, true, &st, &err);
    store_close(s);
    if (rc)
        return cli_fail(&err);
    printf("demo registry %s: %zu synthetic patients and case histories CH1, CH2, CH3\n"
           "imported %zu records (%zu added, %zu updated, %zu unchanged)\n"
           "try: genu --db %s case CH1\n",
           env->db, o.patients, st.records, st.added, st.updated, st.unchanged, env->db);
    return CLI_OK;
}
