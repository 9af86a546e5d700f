/* cmd_compare: `genu compare` compares a responder rate between the two
 * levels of an exposure, crude and adjusted for covariates
 * (docs/analysis.md, "Adjusted comparisons"), as JSON or a readable table. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/timepoint.h"
#include "cli/cohort_opts.h"
#include "core/buf.h"
#include "io/compare_json.h"

static const char usage[] =
    "usage: genu compare --responder DEF --at T --exposure E [--adjust COVS] [filters]\n"
    "                    [--as-of DATE] [--unit knee|patient] [--mcid MEASURE=VALUE]...\n"
    "                    [--format text|json]\n\n"
    "Compares the responder rate at T between exposed and unexposed knees: the\n"
    "crude rates and their difference, a logistic regression adjusted for COVS\n"
    "with standard errors clustered by patient, and the standardised risks.\n\n"
    "  --responder DEF  improvement_pct:MEASURE>=X, change:MEASURE>=X,\n"
    "                   global_improvement>=X, omeract_oarsi or mcid:MEASURE\n"
    "  --at T           timepoint: Nw, Nm or Ny (6w, 3m, 12m, 2y)\n"
    "  --exposure E     whole_knee (whole-knee vs intra-articular only) or\n"
    "                   early_oa (KL 0-2 vs 3-4)\n"
    "  --adjust COVS    comma list of age, female, bmi, kl, baseline, bilateral,\n"
    "                   whole_knee (not the exposure; kl not with early_oa)\n"
    COHORT_OPTS_COMMON_HELP
    "  --format F       text (default) or json\n"
    COHORT_OPTS_FILTERS_HELP;

typedef struct compare_opts {
    analysis_request q;
    compare_spec spec;
    int format; /* 0 json, otherwise text */
} compare_opts;

enum { PCT, POINTS, G4 };

/* v right-aligned in width: a rate in percent, a difference of rates in
 * percentage points, or 4 significant digits; "n/a" when undefined. */
static void value(genu_buf *b, int kind, double v, int width)
{
    char t[40];
    if (isnan(v))
        snprintf(t, sizeof t, "n/a");
    else if (kind == PCT)
        snprintf(t, sizeof t, "%.1f%%", 100.0 * v);
    else if (kind == POINTS)
        snprintf(t, sizeof t, "%+.1f", 100.0 * v);
    else
        snprintf(t, sizeof t, "%.4g", v);
    genu_buf_printf(b, "%*s", width, t);
}

/* The two levels of the exposure in words. */
static void levels(covariate_id e, const char **exposed, const char **unexposed)
{
    if (e == COV_EARLY_OA) {
        *exposed = "KL 0-2";
        *unexposed = "KL 3-4";
    } else {
        *exposed = "whole-knee";
        *unexposed = "intra-articular only";
    }
}

static void write_text(genu_buf *b, const compare_opts *o, const compare_result *r)
{
    const compare_spec *s = &o->spec;
    char date[GENU_DATE_STRLEN];
    genu_date_format(o->q.as_of, date);
    const char *ex, *unex;
    levels(s->exposure, &ex, &unex);
    genu_buf_printf(b, "compare    %s at %s: %s (exposed) vs %s\n", s->def.text, s->at.text, ex,
                    unex);
    genu_buf_puts(b, "adjusted   ");
    if (s->adjust.n == 0)
        genu_buf_puts(b, "for nothing (the exposure alone)");
    for (size_t i = 0; i < s->adjust.n; i++)
        genu_buf_printf(b, "%s%s", i ? ", " : "for ", covariate_name(s->adjust.id[i]));
    genu_buf_printf(b, "\nas of      %s, unit %s", date,
                    o->q.unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
    for (size_t i = 0; i < o->q.filter.nset; i++)
        genu_buf_printf(b, ", --%s %s", o->q.filter.name[i], o->q.filter.value[i]);
    genu_buf_printf(b,
                    "\nknees      %zu analysed, %zu left out for a missing exposure or "
                    "covariate, %zu compared\n\n",
                    r->analysed, r->excluded_missing, r->n);
    genu_buf_printf(b, "  %-22s %6s %11s %8s\n", "", "knees", "responders", "rate");
    genu_buf_printf(b, "  %-22s %6zu %11zu ", ex, r->exposed.n, r->exposed.responders);
    value(b, PCT, r->exposed.rate, 8);
    genu_buf_printf(b, "\n  %-22s %6zu %11zu ", unex, r->unexposed.n, r->unexposed.responders);
    value(b, PCT, r->unexposed.rate, 8);
    genu_buf_puts(b, "\n  crude difference       ");
    value(b, POINTS, r->crude_difference, 0);
    genu_buf_puts(b, " points (95% CI ");
    value(b, POINTS, r->crude_lo, 0);
    genu_buf_puts(b, " to ");
    value(b, POINTS, r->crude_hi, 0);
    genu_buf_puts(b, ", Newcombe)\n\n");
    genu_buf_puts(b, "logistic regression, standard errors clustered by patient\n");
    if (!r->converged) {
        genu_buf_puts(b, "  no estimates (see the notes)\n");
    } else {
        genu_buf_printf(b, "  %-12s %10s  %19s %9s %9s %9s %9s\n", "term", "odds ratio",
                        "95% CI      ", "p", "coef", "SE", "SE model");
        for (size_t j = 0; j < r->nterm; j++) {
            const compare_term *t = &r->terms[j];
            genu_buf_printf(b, "  %-12s ", t->term);
            value(b, G4, t->odds_ratio, 10);
            genu_buf_puts(b, "  ");
            value(b, G4, t->lo, 9);
            genu_buf_puts(b, " to");
            value(b, G4, t->hi, 7);
            genu_buf_puts(b, " ");
            value(b, G4, t->p, 9);
            genu_buf_puts(b, " ");
            value(b, G4, t->coef, 9);
            genu_buf_puts(b, " ");
            value(b, G4, t->std_err, 9);
            genu_buf_puts(b, " ");
            value(b, G4, t->std_err_model, 9);
            genu_buf_putc(b, '\n');
        }
        const logistic_std *st = &r->standardised;
        genu_buf_puts(b, "\nstandardised risks (mean predicted rate, everyone exposed vs none)\n");
        genu_buf_printf(b, "  %-22s ", ex);
        value(b, PCT, st->risk1, 0);
        genu_buf_printf(b, "\n  %-22s ", unex);
        value(b, PCT, st->risk0, 0);
        genu_buf_puts(b, "\n  difference             ");
        value(b, POINTS, st->difference, 0);
        genu_buf_puts(b, " points (95% CI ");
        value(b, POINTS, st->difference_lo, 0);
        genu_buf_puts(b, " to ");
        value(b, POINTS, st->difference_hi, 0);
        genu_buf_puts(b, ")\n  ratio                  ");
        value(b, G4, st->ratio, 0);
        genu_buf_puts(b, " (95% CI ");
        value(b, G4, st->ratio_lo, 0);
        genu_buf_puts(b, " to ");
        value(b, G4, st->ratio_hi, 0);
        genu_buf_puts(b, ")\n");
    }
    if (r->nnote)
        genu_buf_puts(b, "\nnotes\n");
    for (size_t i = 0; i < r->nnote; i++)
        genu_buf_printf(b, "  - %s\n", r->note[i]);
}

static int write_compare(const cohort *c, genu_arena *a, genu_buf *out, void *ctx, genu_err *err)
{
    const compare_opts *o = ctx;
    compare_result r;
    int rc = compare_run(c, &o->spec, a, &r, err);
    if (rc)
        return rc;
    if (o->format == 0)
        compare_json_write(out, &o->spec, &r, &o->q.filter, o->q.as_of, o->q.unit);
    else
        write_text(out, o, &r);
    return GENU_OK;
}

static int prepare(const analysis_request *q, void *ctx, genu_err *err)
{
    return compare_spec_of(q, &((compare_opts *)ctx)->spec, err);
}

/* a comparison reads the measure of its one definition */
static const responder_def *defs(const analysis_request *q, void *ctx, responder_def *room,
                                 size_t *n)
{
    (void)q;
    (void)room;
    *n = 1;
    return &((const compare_opts *)ctx)->spec.def;
}

static const cohort_cmd compare_cmd = {usage,   &compare_use, "json|text", prepare,
                                       defs,    0,        write_compare};

int cmd_compare(int argc, char **argv, const cli_env *env)
{
    compare_opts o;
    return cohort_opts_main(&compare_cmd, argc, argv, env, &o.q, &o.format, &o);
}
