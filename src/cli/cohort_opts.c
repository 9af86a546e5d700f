/* cohort_opts: the command line's analysis requests (cohort_opts.h). */
#include "cli/cohort_opts.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

int cohort_opts_error(const genu_err *err, const char *command)
{
    char key[40];
    request_error_key(err->msg, key, sizeof key);
    if (!*key) {
        cli_error("%s", err->msg);
        return CLI_EUSAGE;
    }
    for (char *p = key; *p; p++)
        if (*p == '_')
            *p = '-';
    const char *rest = err->msg + strlen(key);
    if (strcmp(rest, ": required") == 0)
        cli_error("--%s is required (see genu %s --help)", key, command);
    else
        cli_error("--%s%s", key, rest);
    return CLI_EUSAGE;
}

int cohort_opts_parse(int argc, char **argv, const request_use *u, const char *formats,
                      int *format, analysis_request *r)
{
    genu_err err = {0};
    request_init(r);
    if (format)
        *format = -1;
    for (int i = 1; i < argc;) {
        const char *a = argv[i];
        int f = formats ? cohort_opts_format(argc, argv, &i, formats, format) : 0;
        if (f < 0)
            return CLI_EUSAGE;
        if (f > 0)
            continue;
        char key[40];
        size_t n = strcspn(a, "=");
        bool flag;
        if (strncmp(a, "--", 2) != 0 || n - 2 >= sizeof key ||
            (memcpy(key, a + 2, n - 2), key[n - 2] = '\0', !request_accepts(u, key, &flag))) {
            cli_error("unknown option %s (see genu %s --help)", a, u->name);
            return CLI_EUSAGE;
        }
        const char *v = NULL;
        if (flag && !a[n]) {
            i++;
        } else {
            char opt[48];
            snprintf(opt, sizeof opt, "--%s", key);
            if (cli_opt(argc, argv, &i, opt, &v) < 0)
                return CLI_EUSAGE;
        }
        if (request_set(r, u, key, v, &err))
            return cohort_opts_error(&err, u->name);
    }
    return request_finish(r, u, &err) ? cohort_opts_error(&err, u->name) : CLI_OK;
}

int cohort_opts_format(int argc, char **argv, int *i, const char *allowed, int *which)
{
    const char *v;
    int r = cli_opt(argc, argv, i, "--format", &v);
    if (r <= 0)
        return r;
    size_t n = strlen(v);
    int k = 0;
    for (const char *p = allowed; *p; k++) {
        const char *bar = strchr(p, '|');
        size_t m = bar ? (size_t)(bar - p) : strlen(p);
        if (m == n && strncmp(p, v, n) == 0) {
            *which = k;
            return 1;
        }
        p += m + (bar != NULL);
    }
    /* "a|b|c" reads "a, b or c" */
    char list[96];
    size_t k2 = 0;
    const char *last = strrchr(allowed, '|');
    for (const char *p = allowed; *p && k2 + 5 < sizeof list; p++) {
        if (*p != '|') {
            list[k2++] = *p;
            continue;
        }
        const char *sep = p == last ? " or " : ", ";
        size_t m = strlen(sep);
        memcpy(list + k2, sep, m);
        k2 += m;
    }
    list[k2] = '\0';
    cli_error("--format: expected %s, not \"%s\"", list, v);
    return -1;
}

#define COHORT_OPTS_CACHE (2u << 20) /* SQLite's own default */

int cohort_opts_run(const cli_env *env, const analysis_request *o, const responder_def *defs,
                    size_t ndef, unsigned reads, cohort_opts_write_fn write, void *ctx)
{
    const char *ins[32];
    size_t nins = responder_instruments(defs, ndef, ins, 32);
    assert(nins <= 32); /* there are fewer instruments */
    /* what every cohort reads whole, the responses of those instruments,
     * every record's day when last contact is read, no ids or staff names */
    store_scope lean = {
        .every = 1u << GENU_REC_PATIENT | 1u << GENU_REC_DIAGNOSIS | 1u << GENU_REC_TREATMENT |
                 1u << GENU_REC_DEATH,
        .instruments = ins,
        .ninstruments = nins,
        .contacts = (reads & COHORT_READS_DAYS) != 0,
        .index_kinds = cohort_index_kinds(&o->filter),
        .index_costs = (reads & COHORT_READS_COSTS) || o->cost,
        .lean = true,
    };
    genu_err err = {0};
    genu_store *s = NULL;
    genu_arena *a = genu_arena_create();
    genu_buf out = GENU_BUF_INIT;
    genu_dataset ds;
    cohort c;
    int rc;
    if (!a) {
        GENU_OOM(&err);
        return cli_fail(&err);
    }
    /* a load reads each page once: a page cache would only hold memory */
    if (store_open(env->db, false, &s, &err) ||
        store_cache_limit(s, COHORT_OPTS_CACHE, &err) || cli_load(s, &lean, a, &ds, &err) ||
        cohort_build(&ds, &o->filter, o->unit, o->as_of, a, &c, &err) ||
        write(&c, a, &out, ctx, &err)) {
        rc = cli_fail(&err);
    } else if (out.oom) {
        GENU_OOM(&err);
        rc = cli_fail(&err);
    } else {
        fwrite(out.p, 1, out.len, stdout);
        rc = CLI_OK;
    }
    genu_buf_free(&out);
    genu_arena_destroy(a);
    store_close(s);
    return rc;
}

int cohort_opts_main(const cohort_cmd *cmd, int argc, char **argv, const cli_env *env,
                     analysis_request *q, int *format, void *ctx)
{
    if (cli_help(argc, argv, cmd->usage))
        return CLI_OK;
    genu_err err = {0};
    int rc = cohort_opts_parse(argc, argv, cmd->use, cmd->formats, format, q);
    if (rc)
        return rc;
    if (cmd->prepare && cmd->prepare(q, ctx, &err))
        return cohort_opts_error(&err, cmd->use->name);
    responder_def room[COHORT_OPTS_MAXDEF];
    size_t ndef = q->ndef;
    const responder_def *defs = cmd->defs ? cmd->defs(q, ctx, room, &ndef) : q->defs;
    return cohort_opts_run(env, q, defs, ndef, cmd->reads, cmd->write, ctx);
}
