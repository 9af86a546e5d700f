/* cmd_claim: `genu claim` audits a responder claim (docs/design.md, Analyses
 * "Claim audit"; Interfaces): the counts, the rate with its Wilson interval,
 * worst and best case and a verdict, as JSON (docs/analysis.md) or a readable
 * table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/claim.h"
#include "analysis/cost.h"
#include "analysis/timepoint.h"
#include "cli/cohort_opts.h"
#include "core/buf.h"
#include "io/report_json.h"
#include "model/words.h"

static const char usage[] =
    "usage: genu claim --responder DEF --at T --expect RATE [filters] [--as-of DATE]\n"
    "                  [--unit knee|patient] [--mcid MEASURE=VALUE]... [--cost]\n"
    "                  [--format text|json]\n\n"
    "Audits a claim such as \"75% of knees improved by 50% at 48 months\".\n\n"
    "  --responder DEF  improvement_pct:MEASURE>=X, change:MEASURE>=X,\n"
    "                   global_improvement>=X, omeract_oarsi or mcid:MEASURE\n"
    "  --at T           timepoint: Nw, Nm or Ny (6w, 3m, 12m, 2y)\n"
    "  --expect RATE    the claimed responder rate, 0..1\n"
    COHORT_OPTS_COMMON_HELP
    "  --cost           add cost per responder (a \"cost\" object in the JSON)\n"
    "  --format F       text (default) or json\n"
    COHORT_OPTS_FILTERS_HELP;

/* v as a percentage with one decimal ("n/a" for NaN) in s. */
static const char *pct(char s[16], double v)
{
    if (isnan(v))
        return "n/a";
    snprintf(s, 16, "%.1f%%", 100.0 * v);
    return s;
}

static void write_cost_text(genu_buf *b, const cost_tally *t)
{
    genu_buf_puts(b, "\ncost per responder (series up to the timepoint, analysed knees)\n");
    for (size_t i = 0; i < t->ncur; i++) {
        const cost_currency *cc = &t->cur[i];
        genu_buf_printf(b, "  %s  %zu knees, %zu responders, total %.2f, per responder ",
                        cc->currency, cc->knees, cc->responders, cc->total);
        if (isnan(cc->per_responder))
            genu_buf_puts(b, "n/a (no responders)\n");
        else
            genu_buf_printf(b, "%.2f\n", cc->per_responder);
    }
    genu_buf_printf(b, "  knees without cost records: %zu; with mixed currencies: %zu\n",
                    t->knees_without_cost, t->knees_mixed_currency);
}

static void write_text(genu_buf *b, const analysis_request *q, const claim_answer *ans)
{
    const claim_counts *c = &ans->counts;
    const claim_rates *r = &ans->rates;
    char date[GENU_DATE_STRLEN];
    genu_date_format(q->as_of, date);
    genu_buf_printf(b, "claim      %s at %s, expected rate %g\n", q->defs[0].text, q->at[0].text,
                    q->expect);
    genu_buf_printf(b, "as of      %s, unit %s", date,
                    q->unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
    for (size_t i = 0; i < q->filter.nset; i++)
        genu_buf_printf(b, ", --%s %s", q->filter.name[i], q->filter.value[i]);
    /* in words (model/words): "4 years after the index, give or take 6 months" */
    char when[WORDS_MAX], half[WORDS_MAX];
    genu_buf_printf(b, "\ntimepoint  %s after the index, give or take %s\n\n",
                    words_duration(q->at[0].nominal, 0, when, sizeof when),
                    words_duration(q->at[0].half, 0, half, sizeof half));
    genu_buf_printf(b, "  entered        %8zu\n  eligible       %8zu\n  converted      %8zu\n"
                       "  not evaluable  %8zu\n  missing        %8zu\n  analysed       %8zu\n"
                       "  responders     %8zu\n\n",
                    c->entered, c->eligible, c->converted, c->not_evaluable, c->missing,
                    c->analysed, c->responders);
    char rate[16], lo[16], hi[16], worst[16], best[16];
    genu_buf_printf(b, "rate       %s (95%% CI %s to %s)\nworst case %s, best case %s\nverdict    %s\n",
                    pct(rate, r->rate), pct(lo, r->lo), pct(hi, r->hi),
                    pct(worst, r->worst_case), pct(best, r->best_case),
                    claim_verdict_name(ans->verdict));
}

typedef struct claim_run {
    const analysis_request *q;
    int format; /* 0 json, otherwise text */
} claim_run;

static int write_claim(const cohort *c, genu_arena *a, genu_buf *out, void *ctx, genu_err *err)
{
    const claim_run *run = ctx;
    claim_answer ans;
    if (claim_answer_of(c, run->q, a, &ans, err))
        return err->code;
    if (run->format == 0) {
        report_json_claim(out, run->q, &ans);
    } else {
        write_text(out, run->q, &ans);
        if (run->q->cost)
            write_cost_text(out, &ans.cost);
    }
    return GENU_OK;
}

static const cohort_cmd claim_cmd = {usage, &claim_use, "json|text", NULL, NULL, 0,
                                       write_claim};

int cmd_claim(int argc, char **argv, const cli_env *env)
{
    analysis_request q;
    claim_run run = {&q, -1};
    return cohort_opts_main(&claim_cmd, argc, argv, env, &q, &run.format, &run);
}
