/* cmd_report: `genu report` is the cohort report of DESIGN.md §5
 * (docs/analysis.md): follow-up completeness per timepoint, responder
 * definitions × timepoints × strata with all counts and cost per responder,
 * comparisons across strata, change from baseline and Kaplan–Meier
 * durability (replacement). Computed once by analysis/report and rendered
 * as JSON (the default, for scripts) or as one self-contained HTML file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/cohort.h"
#include "analysis/report.h"
#include "analysis/responder.h"
#include "analysis/timepoint.h"
#include "cli/cli.h"
#include "cli/report_html.h"
#include "io/report_json.h"
#include "core/buf.h"
#include "store/store.h"

static const char usage[] =
    "usage: genu report [--format json|html] [--by FIELD] [--as-of DATE] [--unit knee|patient]\n"
    "                   [--responder DEF]... [--at T]... [--mcid MEASURE=VALUE]... [filters]\n\n"
    "The cohort report: follow-up completeness, responder rates per stratum with\n"
    "cost per responder, comparisons across strata, change from baseline and\n"
    "replacement-free survival.\n"
    "  --format F     json (default: one line for scripts) or html (one self-contained\n"
    "                 file to read or e-mail)\n"
    "  --by FIELD     kl, sites, kind, protocol, sex, site or age_band\n"
    "  --as-of DATE   data cut-off YYYY-MM-DD (default today)\n"
    "  --responder D  a responder definition (repeatable; replaces the defaults\n"
    "                 improvement_pct:nprs.intensity>=50, mcid:nprs.intensity,\n"
    "                 mcid:koos.pain, omeract_oarsi)\n"
    "  --at T         a timepoint (repeatable; replaces 6w 3m 6m 12m 24m 36m 48m)\n"
    "  --mcid M=V     the MCID of measure M for mcid:M definitions (repeatable)\n"
    "Filters: --site S --sex S --age 50-70 --condition C --kl 0-2 --kind K\n"
    "         --protocol P --sites whole_knee|intra_articular_only --index-year Y\n"
    "         --index-kinds a,b\n";

typedef struct report_opts {
    bool html;
    cohort_by by;
    genu_date as_of;
    cohort_unit unit;
    cohort_filter filter;
    responder_mcids mcids;
    size_t ndef, ntp;
    const char *defs[REPORT_MAXDEF];
    timepoint tps[REPORT_MAXTP];
} report_opts;

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
    if (cohort_filter_set(f, name, v, &err)) {
        cli_error("%s", err.msg);
        return -1;
    }
    return 1;
}

static int usage_error(const genu_err *err)
{
    cli_error("%s", err->msg);
    return CLI_EUSAGE;
}

/* One option of the report's own (not a filter): 1 taken, 0 not ours, -1 error. */
static int own_opt(int argc, char **argv, int *i, report_opts *o)
{
    genu_err err = {0};
    const char *v;
    int r;
    if ((r = cli_opt(argc, argv, i, "--by", &v)) != 0) {
        if (r > 0 && cohort_by_parse(v, &o->by, &err))
            return usage_error(&err), -1;
    } else if ((r = cli_opt(argc, argv, i, "--as-of", &v)) != 0) {
        if (r > 0 && genu_date_parse(v, strlen(v), &o->as_of, &err))
            return cli_error("--as-of: expected a date YYYY-MM-DD, not \"%s\"", v), -1;
    } else if ((r = cli_opt(argc, argv, i, "--unit", &v)) != 0) {
        if (r > 0 && cohort_unit_parse(v, &o->unit, &err))
            return usage_error(&err), -1;
    } else if ((r = cli_opt(argc, argv, i, "--format", &v)) != 0) {
        if (r > 0 && strcmp(v, "json") != 0 && strcmp(v, "html") != 0)
            return cli_error("--format: expected json or html, not \"%s\"", v), -1;
        o->html = r > 0 && strcmp(v, "html") == 0;
    } else if ((r = cli_opt(argc, argv, i, "--mcid", &v)) != 0) {
        if (r > 0 && responder_mcid_set(&o->mcids, v, &err))
            return usage_error(&err), -1;
    } else if ((r = cli_opt(argc, argv, i, "--responder", &v)) != 0) {
        if (r > 0 && o->ndef == REPORT_MAXDEF)
            return cli_error("--responder: at most %d definitions", REPORT_MAXDEF), -1;
        if (r > 0)
            o->defs[o->ndef++] = v;
    } else if ((r = cli_opt(argc, argv, i, "--at", &v)) != 0) {
        if (r > 0 && o->ntp == REPORT_MAXTP)
            return cli_error("--at: at most %d timepoints", REPORT_MAXTP), -1;
        if (r > 0 && timepoint_parse(v, &o->tps[o->ntp], &err)) {
            genu_err_prefix(&err, "--at: ");
            return usage_error(&err), -1;
        }
        o->ntp += r > 0;
    }
    return r;
}

static int parse_args(int argc, char **argv, report_opts *o)
{
    memset(o, 0, sizeof *o);
    cohort_filter_init(&o->filter);
    responder_mcids_init(&o->mcids);
    o->as_of = genu_date_today();
    for (int i = 1; i < argc;) {
        int r = own_opt(argc, argv, &i, o);
        if (r == 0)
            r = filter_opt(argc, argv, &i, &o->filter);
        if (r < 0)
            return CLI_EUSAGE;
        if (r == 0) {
            cli_error("unknown option %s (see genu report --help)", argv[i]);
            return CLI_EUSAGE;
        }
    }
    return CLI_OK;
}

/* The spec from the options; definitions are parsed here, after every
 * --mcid has been read, so their order on the command line does not matter. */
static int make_spec(const report_opts *o, report_spec *s)
{
    genu_err err = {0};
    report_spec_defaults(s, o->by, &o->mcids);
    if (o->ndef) {
        s->ndef = 0;
        for (size_t i = 0; i < o->ndef; i++)
            if (responder_parse_with(o->defs[i], &o->mcids, &s->defs[s->ndef++], &err))
                return usage_error(&err);
    }
    if (o->ntp) {
        s->ntp = o->ntp;
        memcpy(s->tps, o->tps, o->ntp * sizeof *o->tps);
    }
    return CLI_OK;
}

int cmd_report(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    report_opts o;
    report_spec spec;
    int rc = parse_args(argc, argv, &o);
    if (rc || (rc = make_spec(&o, &spec)))
        return rc;
    genu_err err = {0};
    genu_store *s = NULL;
    genu_arena *a = genu_arena_create();
    genu_buf out = GENU_BUF_INIT;
    genu_dataset ds;
    cohort c;
    report r;
    if (!a) {
        cli_error("out of memory");
        return CLI_ESTORE;
    }
    if (store_open(env->db, false, &s, &err) || store_load(s, a, &ds, &err) ||
        cohort_build(&ds, &o.filter, o.unit, o.as_of, a, &c, &err) ||
        report_build(&c, &spec, a, &r, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (o.html)
        report_html_write(&out, &r, &o.filter);
    else
        report_json_write(&out, &r, &o.filter);
    if (out.oom) {
        cli_error("out of memory");
        rc = CLI_ESTORE;
        goto out;
    }
    fwrite(out.p, 1, out.len, stdout);
    rc = CLI_OK;
out:
    genu_buf_free(&out);
    genu_arena_destroy(a);
    store_close(s);
    return rc;
}
