/* cohort_opts: shared option parsing and cohort loading for claim,
 * survival and report. */
#include "cli/cohort_opts.h"

#include <stdio.h>
#include <string.h>

void cohort_opts_init(cohort_opts *o)
{
    memset(o, 0, sizeof *o);
    cohort_filter_init(&o->filter);
    responder_mcids_init(&o->mcids);
    o->as_of = genu_date_today();
}

static int usage_error(const genu_err *err)
{
    cli_error("%s", err->msg);
    return -1;
}

/* A cohort filter (--kl 0-2, --kl=0-2). */
static int filter_opt(int argc, char **argv, int *i, cohort_filter *f)
{
    const char *a = argv[*i], *eq = strchr(a, '='), *v;
    char name[32], opt[40];
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    if (strncmp(a, "--", 2) != 0 || n < 2 || n - 2 >= sizeof name)
        return 0;
    memcpy(name, a + 2, n - 2);
    name[n - 2] = '\0';
    if (!cohort_filter_known(name))
        return 0;
    snprintf(opt, sizeof opt, "--%s", name);
    if (cli_opt(argc, argv, i, opt, &v) < 0)
        return -1;
    genu_err err = {0};
    return cohort_filter_set(f, name, v, &err) ? usage_error(&err) : 1;
}

int cohort_opts_take(int argc, char **argv, int *i, cohort_opts *o, bool allow_by)
{
    genu_err err = {0};
    const char *v;
    int r;
    if (allow_by && (r = cli_opt(argc, argv, i, "--by", &v)) != 0) {
        if (r > 0 && cohort_by_parse(v, &o->by, &err))
            return usage_error(&err);
        o->has_by = r > 0;
    } else if ((r = cli_opt(argc, argv, i, "--as-of", &v)) != 0) {
        if (r > 0 && genu_date_parse(v, strlen(v), &o->as_of, &err)) {
            cli_error("--as-of: expected a date YYYY-MM-DD, not \"%s\"", v);
            return -1;
        }
    } else if ((r = cli_opt(argc, argv, i, "--unit", &v)) != 0) {
        if (r > 0 && cohort_unit_parse(v, &o->unit, &err))
            return usage_error(&err);
    } else if ((r = cli_opt(argc, argv, i, "--mcid", &v)) != 0) {
        if (r > 0 && responder_mcid_set(&o->mcids, v, &err))
            return usage_error(&err);
    } else {
        r = filter_opt(argc, argv, i, &o->filter);
    }
    return r;
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

int cohort_opts_run(const cli_env *env, const cohort_opts *o, cohort_opts_write_fn write,
                    void *ctx)
{
    genu_err err = {0};
    genu_store *s = NULL;
    genu_arena *a = genu_arena_create();
    genu_buf out = GENU_BUF_INIT;
    genu_dataset ds;
    cohort c;
    int rc;
    if (!a) {
        cli_error("out of memory");
        return CLI_ESTORE;
    }
    if (store_open(env->db, false, &s, &err) || store_load(s, a, &ds, &err) ||
        cohort_build(&ds, &o->filter, o->unit, o->as_of, a, &c, &err) ||
        write(&c, a, &out, ctx, &err)) {
        rc = cli_fail(&err);
    } else if (out.oom) {
        cli_error("out of memory");
        rc = CLI_ESTORE;
    } else {
        fwrite(out.p, 1, out.len, stdout);
        rc = CLI_OK;
    }
    genu_buf_free(&out);
    genu_arena_destroy(a);
    store_close(s);
    return rc;
}
