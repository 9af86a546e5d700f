/* cmd_survival: `genu survival` gives Kaplan–Meier durability curves per
 * stratum with the log-rank test (docs/design.md, Analyses "Durability";
 * Interfaces), as JSON (docs/analysis.md) or a readable table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/survival.h"
#include "cli/cohort_opts.h"
#include "core/buf.h"
#include "io/report_json.h"

static const char usage[] =
    "usage: genu survival --event replacement|surgery|loss_of_response [--responder DEF]\n"
    "                     [--by FIELD] [filters] [--as-of DATE] [--unit knee|patient]\n"
    "                     [--mcid MEASURE=VALUE]... [--format text|json]\n\n"
    "Kaplan-Meier time from the index date to the event, censored at the last\n"
    "contact; log-rank test across strata.\n\n"
    "  --event E        replacement, surgery or loss_of_response\n"
    "  --responder DEF  the responder definition (loss_of_response only, required)\n"
    "  --by FIELD       kl, sites, kind, protocol, sex, site or age_band\n"
    "  --as-of DATE     data cut-off YYYY-MM-DD (default today)\n"
    "  --unit U         knee (default) or patient\n"
    "  --mcid M=V       the MCID of measure M for mcid:M (repeatable)\n"
    "  --format F       text (default) or json\n"
    "Filters: --site S --sex S --age 50-70 --condition C --kl 0-2 --kind K\n"
    "         --protocol P --sites whole_knee|intra_articular_only --index-year Y\n"
    "         --index-kinds a,b\n";

static void write_curve_text(genu_buf *b, const char *name, const survival_curve *k)
{
    genu_buf_printf(b, "stratum %s: n %zu, events %zu, median ", name, k->n, k->events);
    if (isnan(k->median))
        genu_buf_puts(b, "not reached\n");
    else
        genu_buf_printf(b, "%g days\n", k->median);
    genu_buf_puts(b, "    time  n_risk n_event n_censor    surv  std_err   lower   upper\n");
    for (size_t i = 0; i < k->nrow; i++) {
        const survival_row *r = &k->rows[i];
        genu_buf_printf(b, "%8g %7zu %7zu %8zu %7.4f", r->time, r->n_risk, r->n_event,
                        r->n_censor, r->surv);
        if (isnan(r->std_err))
            genu_buf_puts(b, "       NA      NA      NA\n"); /* S = 0: R prints Inf/NA */
        else
            genu_buf_printf(b, " %8.5f %7.4f %7.4f\n", r->std_err, r->lower, r->upper);
    }
    genu_buf_putc(b, '\n');
}

typedef struct surv_run {
    const analysis_request *q;
    bool json;
} surv_run;

static int run(const cohort *c, genu_arena *a, genu_buf *b, void *ctx, genu_err *err)
{
    const surv_run *run = ctx;
    survival_result s;
    if (survival_request(c, run->q, a, &s, err))
        return err->code;
    if (run->json) {
        report_json_survival(b, run->q, &s);
        return b->oom ? GENU_FAIL(err, GENU_ENOMEM, "out of memory") : GENU_OK;
    }
    char date[GENU_DATE_STRLEN];
    genu_date_format(run->q->as_of, date);
    genu_buf_printf(b, "event %s, as of %s\n\n", survival_event_name(s.event), date);
    for (size_t g = 0; g < s.nstrata; g++)
        write_curve_text(b, s.names[g], &s.curves[g]);
    const survival_logrank *lr = &s.logrank;
    if (lr->defined)
        genu_buf_printf(b, "log-rank: chisq %.4f on %d df, p = %.4g\n", lr->chisq, lr->df, lr->p);
    else
        genu_buf_puts(b, "log-rank: not applicable (fewer than two strata with events)\n");
    return b->oom ? GENU_FAIL(err, GENU_ENOMEM, "out of memory") : GENU_OK;
}

int cmd_survival(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    analysis_request q;
    int format;
    genu_err err = {0};
    int rc = cohort_opts_parse(argc, argv, &survival_use, "json|text", &format, &q);
    if (!rc && survival_request_check(&q, &err))
        rc = cohort_opts_error(&err, "survival");
    surv_run sr = {&q, format == 0};
    return rc ? rc : cohort_opts_run(env, &q, run, &sr);
}
