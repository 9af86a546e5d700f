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
    COHORT_OPTS_FILTERS_HELP;

typedef struct report_run {
    int format; /* 1 html, otherwise json */
    const analysis_request *q;
} report_run;

static int write_report(const cohort *c, genu_arena *a, genu_buf *out, void *ctx, genu_err *err)
{
    const report_run *run = ctx;
    report r;
    if (report_build_for(c, run->q, a, &r, err))
        return err->code;
    if (run->format == 1)
        report_html_write(out, &r, &run->q->filter);
    else
        report_json_write(out, &r, &run->q->filter);
    return GENU_OK;
}

static const responder_def *defs(const analysis_request *q, void *ctx, responder_def *room,
                                 size_t *n)
{
    (void)ctx;
    *n = report_defs_read(q, room);
    return room;
}

static const cohort_cmd report_cmd = {usage, &report_use, "json|html", NULL,
                                      defs,  COHORT_READS_DAYS | COHORT_READS_COSTS,        write_report};

int cmd_report(int argc, char **argv, const cli_env *env)
{
    analysis_request q;
    report_run run = {-1, &q};
    return cohort_opts_main(&report_cmd, argc, argv, env, &q, &run.format, &run);
}
