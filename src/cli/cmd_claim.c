/* cmd_claim: `genu claim` audits a responder claim (DESIGN.md §5 "Claim
 * audit", §7): the counts, the rate with its Wilson interval, worst and best
 * case and a verdict, as JSON (docs/analysis.md) or a readable table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/claim.h"
#include "analysis/cohort.h"
#include "analysis/responder.h"
#include "analysis/timepoint.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "store/store.h"

static const char usage[] =
    "usage: genu claim --responder DEF --at T --expect RATE [filters] [--as-of DATE]\n"
    "                  [--unit knee|patient] [--format text|json]\n\n"
    "Audits a claim such as \"75% of knees improved by 50% at 48 months\".\n\n"
    "  --responder DEF  improvement_pct:MEASURE>=X, change:MEASURE>=X,\n"
    "                   global_improvement>=X, omeract_oarsi or mcid:MEASURE\n"
    "  --at T           timepoint: Nw, Nm or Ny (6w, 3m, 12m, 2y)\n"
    "  --expect RATE    the claimed responder rate, 0..1\n"
    "  --as-of DATE     data cut-off YYYY-MM-DD (default today)\n"
    "  --unit U         knee (default) or patient\n"
    "  --format F       text (default) or json\n"
    "Filters: --site S --sex S --age 50-70 --condition C --kl 0-2 --kind K\n"
    "         --protocol P --sites whole_knee|intra_articular_only --index-year Y\n"
    "         --index-kinds a,b\n";

typedef struct claim_opts {
    responder_def def;
    timepoint at;
    const char *at_text, *expect_text;
    double expect;
    genu_date as_of;
    cohort_unit unit;
    bool json;
    cohort_filter filter;
} claim_opts;

/* Reports err as a usage error: nothing on stdout, exit 2. */
static int usage_error(const genu_err *err)
{
    cli_error("%s", err->msg);
    return CLI_EUSAGE;
}

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

static int parse_args(int argc, char **argv, claim_opts *o)
{
    genu_err err = {0};
    const char *responder = NULL;
    memset(o, 0, sizeof *o);
    cohort_filter_init(&o->filter);
    o->as_of = genu_date_today();
    for (int i = 1; i < argc;) {
        const char *v, *a = argv[i];
        int r;
        if ((r = cli_opt(argc, argv, &i, "--responder", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            responder = v;
            if (responder_parse(v, &o->def, &err))
                return usage_error(&err);
        } else if ((r = cli_opt(argc, argv, &i, "--at", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            o->at_text = v;
            if (timepoint_parse(v, &o->at, &err)) {
                genu_err_prefix(&err, "--at: ");
                return usage_error(&err);
            }
        } else if ((r = cli_opt(argc, argv, &i, "--expect", &v)) != 0) {
            if (r < 0 || parse_expect(v, &o->expect))
                return CLI_EUSAGE;
            o->expect_text = v;
        } else if ((r = cli_opt(argc, argv, &i, "--as-of", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (genu_date_parse(v, strlen(v), &o->as_of, &err)) {
                cli_error("--as-of: expected a date YYYY-MM-DD, not \"%s\"", v);
                return CLI_EUSAGE;
            }
        } else if ((r = cli_opt(argc, argv, &i, "--unit", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (cohort_unit_parse(v, &o->unit, &err))
                return usage_error(&err);
        } else if ((r = cli_opt(argc, argv, &i, "--format", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0) {
                cli_error("--format: expected json or text, not \"%s\"", v);
                return CLI_EUSAGE;
            }
            o->json = strcmp(v, "json") == 0;
        } else {
            char name[32];
            const char *eq = strchr(a, '=');
            size_t n = eq ? (size_t)(eq - a) : strlen(a);
            if (strncmp(a, "--", 2) != 0 || n - 2 >= sizeof name) {
                cli_error("unexpected argument \"%s\" (see genu claim --help)", a);
                return CLI_EUSAGE;
            }
            memcpy(name, a + 2, n - 2);
            name[n - 2] = '\0';
            if (!cohort_filter_known(name)) {
                cli_error("unknown option %.*s (see genu claim --help)", (int)n, a);
                return CLI_EUSAGE;
            }
            char opt[40];
            snprintf(opt, sizeof opt, "--%s", name);
            if ((r = cli_opt(argc, argv, &i, opt, &v)) < 0)
                return CLI_EUSAGE;
            if (cohort_filter_set(&o->filter, name, v, &err))
                return usage_error(&err);
        }
    }
    if (!responder || !o->at_text || !o->expect_text) {
        cli_error("%s is required (see genu claim --help)",
                  !responder ? "--responder" : !o->at_text ? "--at" : "--expect");
        return CLI_EUSAGE;
    }
    return CLI_OK;
}

static void json_size(genu_buf *b, const char *key, size_t v, bool comma)
{
    genu_buf_printf(b, "%s\"%s\":%zu", comma ? "," : "", key, v);
}

static void write_json(genu_buf *b, const claim_opts *o, const claim_counts *c,
                       const claim_rates *r, claim_verdict v)
{
    char date[GENU_DATE_STRLEN];
    genu_date_format(o->as_of, date);
    genu_buf_puts(b, "{\"claim\":{\"responder\":");
    genu_buf_json_str(b, o->def.text);
    genu_buf_puts(b, ",\"at\":");
    genu_buf_json_str(b, o->at.text);
    genu_buf_puts(b, ",\"expect\":");
    genu_buf_json_num(b, o->expect);
    genu_buf_puts(b, ",\"filters\":{");
    for (size_t i = 0; i < o->filter.nset; i++) {
        if (i)
            genu_buf_putc(b, ',');
        genu_buf_json_str(b, o->filter.name[i]);
        genu_buf_putc(b, ':');
        genu_buf_json_str(b, o->filter.value[i]);
    }
    genu_buf_printf(b, "}},\"as_of\":\"%s\",\"unit\":\"%s\"", date,
                    o->unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
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
    genu_buf_printf(b, ",\"verdict\":\"%s\"}\n", claim_verdict_name(v));
}

static void pct(genu_buf *b, double v)
{
    if (isnan(v))
        genu_buf_puts(b, "n/a");
    else
        genu_buf_printf(b, "%.1f%%", 100.0 * v);
}

static void write_text(genu_buf *b, const claim_opts *o, const claim_counts *c,
                       const claim_rates *r, claim_verdict v)
{
    char date[GENU_DATE_STRLEN];
    genu_date_format(o->as_of, date);
    genu_buf_printf(b, "claim      %s at %s, expected rate %g\n", o->def.text, o->at.text,
                    o->expect);
    genu_buf_printf(b, "as of      %s, unit %s", date,
                    o->unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
    for (size_t i = 0; i < o->filter.nset; i++)
        genu_buf_printf(b, ", --%s %s", o->filter.name[i], o->filter.value[i]);
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

int cmd_claim(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    claim_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    genu_err err = {0};
    genu_store *s = NULL;
    genu_arena *a = genu_arena_create();
    genu_buf out = GENU_BUF_INIT;
    genu_dataset ds;
    cohort c;
    if (!a) {
        cli_error("out of memory");
        return CLI_ESTORE;
    }
    if (store_open(env->db, false, &s, &err) || store_load(s, a, &ds, &err) ||
        cohort_build(&ds, &o.filter, o.unit, o.as_of, a, &c, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    claim_counts counts;
    claim_rates rates;
    claim_count(&c, &o.def, &o.at, NULL, &counts);
    claim_rates_of(&counts, &rates);
    claim_verdict v = claim_judge(&counts, &rates, o.expect);
    if (o.json)
        write_json(&out, &o, &counts, &rates, v);
    else
        write_text(&out, &o, &counts, &rates, v);
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
