/* cmd_report: `genu report` is the cohort report (docs/design.md, Analyses;
 * docs/analysis.md): follow-up completeness per timepoint, responder
 * definitions × timepoints × strata with all counts and cost per responder,
 * comparisons across strata, change from baseline and Kaplan–Meier
 * durability (replacement). Computed once by analysis/report and rendered
 * as JSON (the default, for scripts) or as one self-contained HTML file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report.h"
#include "analysis/timepoint.h"
#include "cli/cohort_opts.h"
#include "cli/report_html.h"
#include "core/buf.h"
#include "io/report_json.h"

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
    cohort_opts co;
    bool html;
    size_t ndef, ntp;
    const char *defs[REPORT_MAXDEF];
    timepoint tps[REPORT_MAXTP];
} report_opts;

static int usage_error(const genu_err *err)
{
    cli_error("%s", err->msg);
    return CLI_EUSAGE;
}

/* One option of the report's own: 1 taken, 0 not ours, -1 error (printed). */
static int own_opt(int argc, char **argv, int *i, report_opts *o)
{
    genu_err err = {0};
    const char *v;
    int r, fmt = 0;
    if ((r = cohort_opts_format(argc, argv, i, "json|html", &fmt)) != 0) {
        o->html = r > 0 && fmt == 1;
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
    cohort_opts_init(&o->co);
    for (int i = 1; i < argc;) {
        int r = own_opt(argc, argv, &i, o);
        if (r == 0)
            r = cohort_opts_take(argc, argv, &i, &o->co, true);
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
    report_spec_defaults(s, o->co.by, &o->co.mcids);
    if (o->ndef) {
        s->ndef = 0;
        for (size_t i = 0; i < o->ndef; i++)
            if (responder_parse_with(o->defs[i], &o->co.mcids, &s->defs[s->ndef++], &err))
                return usage_error(&err);
    }
    if (o->ntp) {
        s->ntp = o->ntp;
        memcpy(s->tps, o->tps, o->ntp * sizeof *o->tps);
    }
    return CLI_OK;
}

typedef struct report_run {
    const report_opts *o;
    const report_spec *spec;
} report_run;

static int write_report(const cohort *c, genu_arena *a, genu_buf *out, void *ctx, genu_err *err)
{
    const report_run *run = ctx;
    report r;
    if (report_build(c, run->spec, a, &r, err))
        return err->code;
    if (run->o->html)
        report_html_write(out, &r, &run->o->co.filter);
    else
        report_json_write(out, &r, &run->o->co.filter);
    return GENU_OK;
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
    report_run run = {&o, &spec};
    return cohort_opts_run(env, &o.co, write_report, &run);
}
