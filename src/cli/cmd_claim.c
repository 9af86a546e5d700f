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

static const char usage[] =
    "usage: genu claim --responder DEF --at T --expect RATE [filters] [--as-of DATE]\n"
    "                  [--unit knee|patient] [--mcid MEASURE=VALUE]... [--cost]\n"
    "                  [--format text|json]\n\n"
    "Audits a claim such as \"75% of knees improved by 50% at 48 months\".\n\n"
    "  --responder DEF  improvement_pct:MEASURE>=X, change:MEASURE>=X,\n"
    "                   global_improvement>=X, omeract_oarsi or mcid:MEASURE\n"
    "  --at T           timepoint: Nw, Nm or Ny (6w, 3m, 12m, 2y)\n"
    "  --expect RATE    the claimed responder rate, 0..1\n"
    "  --as-of DATE     data cut-off YYYY-MM-DD (default today)\n"
    "  --unit U         knee (default) or patient\n"
    "  --mcid M=V       the MCID of measure M for mcid:M (repeatable)\n"
    "  --cost           add cost per responder (a \"cost\" object in the JSON)\n"
    "  --format F       text (default) or json\n"
    "Filters: --site S --sex S --age 50-70 --condition C --kl 0-2 --kind K\n"
    "         --protocol P --sites whole_knee|intra_articular_only --index-year Y\n"
    "         --index-kinds a,b\n";

typedef struct claim_opts {
    cohort_opts co;
    responder_def def;
    timepoint at;
    double expect;
    bool json, cost;
} claim_opts;

static int parse_expect(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= 0.0 && v <= 1.0)) {
        cli_error("--expect: expected a rate between 0 and 1 (e.g. 0.75), not \"%s\"", s);
        return CLI_EUSAGE;
    }
    *out = v;
    return CLI_OK;
}

/* The claim's own options: 1 taken, 0 not ours, -1 usage error (printed). */
static int own_opt(int argc, char **argv, int *i, claim_opts *o, const char **responder,
                   const char **at, const char **expect)
{
    genu_err err = {0};
    int r, fmt = 0;
    if ((r = cli_opt(argc, argv, i, "--responder", responder)) != 0)
        return r;
    if ((r = cli_opt(argc, argv, i, "--at", at)) != 0) {
        if (r > 0 && timepoint_parse(*at, &o->at, &err)) {
            cli_error("--at: %s", err.msg);
            return -1;
        }
        return r;
    }
    if ((r = cli_opt(argc, argv, i, "--expect", expect)) != 0)
        return r > 0 && parse_expect(*expect, &o->expect) ? -1 : r;
    if ((r = cohort_opts_format(argc, argv, i, "json|text", &fmt)) != 0) {
        o->json = r > 0 && fmt == 0;
        return r;
    }
    if (strcmp(argv[*i], "--cost") == 0) {
        o->cost = true;
        ++*i;
        return 1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, claim_opts *o)
{
    const char *responder = NULL, *at = NULL, *expect = NULL;
    memset(o, 0, sizeof *o);
    cohort_opts_init(&o->co);
    for (int i = 1; i < argc;) {
        int r = own_opt(argc, argv, &i, o, &responder, &at, &expect);
        if (r == 0)
            r = cohort_opts_take(argc, argv, &i, &o->co, false);
        if (r < 0)
            return CLI_EUSAGE;
        if (r == 0) {
            cli_error("unknown option %s (see genu claim --help)", argv[i]);
            return CLI_EUSAGE;
        }
    }
    if (!responder || !at || !expect) {
        cli_error("%s is required (see genu claim --help)",
                  !responder ? "--responder" : !at ? "--at" : "--expect");
        return CLI_EUSAGE;
    }
    /* parsed last, so every --mcid is known whatever the order */
    genu_err err = {0};
    if (responder_parse_with(responder, &o->co.mcids, &o->def, &err)) {
        cli_error("%s", err.msg);
        return CLI_EUSAGE;
    }
    return CLI_OK;
}

static void json_size(genu_buf *b, const char *key, size_t v, bool comma)
{
    genu_buf_printf(b, "%s\"%s\":%zu", comma ? "," : "", key, v);
}

static void write_json(genu_buf *b, const claim_opts *o, const claim_counts *c,
                       const claim_rates *r, claim_verdict v, const cost_tally *cost)
{
    char date[GENU_DATE_STRLEN];
    genu_date_format(o->co.as_of, date);
    genu_buf_puts(b, "{\"claim\":{\"responder\":");
    genu_buf_json_str(b, o->def.text);
    genu_buf_puts(b, ",\"at\":");
    genu_buf_json_str(b, o->at.text);
    genu_buf_puts(b, ",\"expect\":");
    genu_buf_json_num(b, o->expect);
    genu_buf_puts(b, ",\"filters\":");
    report_json_filters(b, &o->co.filter);
    genu_buf_printf(b, "},\"as_of\":\"%s\",\"unit\":\"%s\"", date,
                    o->co.unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
    genu_buf_printf(b, ",\"timepoint\":{\"nominal_days\":%d,\"window_days\":%d}", o->at.nominal,
                    o->at.half);
    genu_buf_puts(b, ",\"counts\":{");
    json_size(b, "entered", c->entered, false);
    json_size(b, "eligible", c->eligible, true);
    json_size(b, "converted", c->converted, true);
    json_size(b, "not_evaluable", c->not_evaluable, true);
    json_size(b, "missing", c->missing, true);
    json_size(b, "analysed", c->analysed, true);
    json_size(b, "responders", c->responders, true);
    genu_buf_puts(b, "},\"rate\":");
    genu_buf_json_num(b, r->rate);
    genu_buf_puts(b, ",\"ci95\":");
    if (isnan(r->lo)) {
        genu_buf_puts(b, "null");
    } else {
        genu_buf_putc(b, '[');
        genu_buf_json_num(b, r->lo);
        genu_buf_putc(b, ',');
        genu_buf_json_num(b, r->hi);
        genu_buf_putc(b, ']');
    }
    genu_buf_puts(b, ",\"worst_case\":");
    genu_buf_json_num(b, r->worst_case);
    genu_buf_puts(b, ",\"best_case\":");
    genu_buf_json_num(b, r->best_case);
    genu_buf_printf(b, ",\"verdict\":\"%s\"", claim_verdict_name(v));
    if (cost) {
        genu_buf_puts(b, ",\"cost\":");
        report_json_cost(b, cost);
    }
    genu_buf_puts(b, "}\n");
}

static void pct(genu_buf *b, double v)
{
    if (isnan(v))
        genu_buf_puts(b, "n/a");
    else
        genu_buf_printf(b, "%.1f%%", 100.0 * v);
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

static void write_text(genu_buf *b, const claim_opts *o, const claim_counts *c,
                       const claim_rates *r, claim_verdict v)
{
    char date[GENU_DATE_STRLEN];
    genu_date_format(o->co.as_of, date);
    genu_buf_printf(b, "claim      %s at %s, expected rate %g\n", o->def.text, o->at.text,
                    o->expect);
    genu_buf_printf(b, "as of      %s, unit %s", date,
                    o->co.unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
    for (size_t i = 0; i < o->co.filter.nset; i++)
        genu_buf_printf(b, ", --%s %s", o->co.filter.name[i], o->co.filter.value[i]);
    genu_buf_printf(b, "\ntimepoint  day %d, window ±%d days\n\n", o->at.nominal, o->at.half);
    genu_buf_printf(b, "  entered        %8zu\n  eligible       %8zu\n  converted      %8zu\n"
                       "  not evaluable  %8zu\n  missing        %8zu\n  analysed       %8zu\n"
                       "  responders     %8zu\n\n",
                    c->entered, c->eligible, c->converted, c->not_evaluable, c->missing,
                    c->analysed, c->responders);
    genu_buf_puts(b, "rate       ");
    pct(b, r->rate);
    genu_buf_puts(b, " (95% CI ");
    pct(b, r->lo);
    genu_buf_puts(b, " to ");
    pct(b, r->hi);
    genu_buf_puts(b, ")\nworst case ");
    pct(b, r->worst_case);
    genu_buf_puts(b, ", best case ");
    pct(b, r->best_case);
    genu_buf_printf(b, "\nverdict    %s\n", claim_verdict_name(v));
}

static int write_claim(const cohort *c, genu_arena *a, genu_buf *out, void *ctx, genu_err *err)
{
    const claim_opts *o = ctx;
    cost_tally cost;
    if (o->cost && cost_count(c, &o->def, &o->at, NULL, a, &cost, err))
        return err->code;
    claim_counts counts;
    claim_rates rates;
    claim_count(c, &o->def, &o->at, NULL, &counts);
    claim_rates_of(&counts, &rates);
    claim_verdict v = claim_judge(&counts, &rates, o->expect);
    if (o->json) {
        write_json(out, o, &counts, &rates, v, o->cost ? &cost : NULL);
    } else {
        write_text(out, o, &counts, &rates, v);
        if (o->cost)
            write_cost_text(out, &cost);
    }
    return GENU_OK;
}

int cmd_claim(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    claim_opts o;
    int rc = parse_args(argc, argv, &o);
    return rc ? rc : cohort_opts_run(env, &o.co, write_claim, &o);
}
