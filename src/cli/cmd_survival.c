/* cmd_survival: `genu survival` gives Kaplan–Meier durability curves per
 * stratum with the log-rank test (docs/design.md, Analyses "Durability";
 * Interfaces), or with --competing death the cumulative incidence and
 * Gray's test, or with --cox the proportional-hazards model, as JSON
 * (docs/analysis.md) or a readable table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/durability.h"
#include "analysis/survival.h"
#include "cli/cohort_opts.h"
#include "core/buf.h"
#include "io/report_json.h"

static const char usage[] =
    "usage: genu survival --event replacement|surgery|loss_of_response [--responder DEF]\n"
    "                     [--by FIELD] [filters] [--as-of DATE] [--unit knee|patient]\n"
    "                     [--competing death | --cox COVS]\n"
    "                     [--mcid MEASURE=VALUE]... [--format text|json]\n\n"
    "Kaplan-Meier time from the index date to the event, censored at the last\n"
    "contact (or at death); log-rank test across strata.\n\n"
    "  --event E        replacement, surgery or loss_of_response\n"
    "  --competing death  death as a competing event (replacement, surgery):\n"
    "                   cumulative incidence per stratum and Gray's test\n"
    "  --cox COVS       proportional-hazards model on a comma list of age, female,\n"
    "                   bmi, kl, bilateral, whole_knee, early_oa (robust standard\n"
    "                   errors by patient; the cox.zph test); not with --by\n"
    "  --responder DEF  the responder definition (loss_of_response only, required)\n"
    "  --by FIELD       kl, sites, kind, protocol, sex, site or age_band\n"
    COHORT_OPTS_COMMON_HELP
    "  --format F       text (default) or json\n"
    COHORT_OPTS_FILTERS_HELP;

static void write_curve_text(genu_buf *b, const char *name, const survival_curve *k)
{
    genu_buf_printf(b, "stratum %s: n %zu, events %zu, median ", name, k->n, k->events);
    if (isnan(k->median))
        genu_buf_puts(b, "not reached");
    else
        genu_buf_printf(b, "%g days", k->median);
    /* print.survfit's 0.95LCL and 0.95UCL */
    genu_buf_puts(b, " (95% CI ");
    if (isnan(k->median_lo))
        genu_buf_puts(b, "not reached");
    else
        genu_buf_printf(b, "%g", k->median_lo);
    if (isnan(k->median_hi))
        genu_buf_puts(b, " to not reached)\n");
    else
        genu_buf_printf(b, " to %g)\n", k->median_hi);
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

static void competing_text(genu_buf *b, const char *name, const cuminc_curve *k)
{
    genu_buf_printf(b, "stratum %s: n %zu, events %zu, deaths first %zu\n", name, k->n, k->events,
                    k->competing);
    genu_buf_puts(b, "    time  n_risk n_event  n_death n_censor  cuminc  std_err\n");
    for (size_t i = 0; i < k->nrow; i++) {
        const cuminc_row *r = &k->rows[i];
        genu_buf_printf(b, "%8g %7zu %7zu %8zu %8zu %7.4f %8.5f\n", r->time, r->n_risk,
                        r->n_event, r->n_competing, r->n_censor, r->cuminc, r->std_err);
    }
    genu_buf_putc(b, '\n');
}

static void competing_all_text(genu_buf *b, const durability_competing *r)
{
    genu_buf_puts(b, "cumulative incidence (Aalen-Johansen)\n\n");
    for (size_t g = 0; g < r->strata.n; g++)
        competing_text(b, r->strata.names[g], &r->curves[g]);
    if (r->gray.defined)
        genu_buf_printf(b, "Gray's test: statistic %.4f on %d df, p = %.4g\n", r->gray.statistic,
                        r->gray.df, r->gray.p);
    else
        genu_buf_puts(b, "Gray's test: not applicable (fewer than two strata)\n");
}

static void cox_text(genu_buf *b, const durability_cox *r)
{
    const cox_model *m = &r->model;
    genu_buf_printf(b, "%zu knees (%zu left out for a missing covariate), %zu events\n", m->n,
                    r->excluded_missing, m->events);
    if (!m->converged) {
        genu_buf_printf(b, "not fitted: %s\n", m->note);
        return;
    }
    genu_buf_printf(b, "log partial likelihood: %.4f (null), %.4f (model)\n\n", m->loglik[0],
                    m->loglik[1]);
    genu_buf_puts(b, "term          coef  hazard ratio  robust se  95% interval        p\n");
    for (size_t j = 0; j < r->covs.n; j++) {
        const cox_term *t = &m->terms[j];
        genu_buf_printf(b, "%-10s %7.4f  %12.4f  %9.4f  %6.3f to %-6.3f %.4g\n",
                        covariate_name(r->covs.id[j]), t->coef, t->hazard_ratio, t->std_err,
                        t->lower, t->upper, t->p);
    }
    if (!m->ph)
        return;
    genu_buf_puts(b, "\nproportional hazards (cox.zph):\nterm          chisq  df       p\n");
    for (size_t j = 0; j <= r->covs.n; j++)
        genu_buf_printf(b, "%-10s %8.4f %3d  %.4g\n",
                        j < r->covs.n ? covariate_name(r->covs.id[j]) : "global", m->ph[j].chisq,
                        m->ph[j].df, m->ph[j].p);
}

typedef struct surv_run {
    const analysis_request *q;
    int format; /* 0 json, otherwise text */
    durability_kind kind;
    covariate_list covs;
} surv_run;

/* --cox or --competing: the model or the curves, as JSON or text. */
static int run_more(const cohort *c, genu_arena *a, genu_buf *b, const surv_run *run,
                    genu_err *err)
{
    const analysis_request *q = run->q;
    const responder_def *d = q->ndef ? &q->defs[0] : NULL;
    bool cox = run->kind == DURABILITY_COX;
    durability_competing k;
    durability_cox x;
    if (cox ? durability_cox_run(c, q->event, d, &run->covs, a, &x, err)
            : durability_competing_run(c, q->event, q->by, a, &k, err))
        return err->code;
    char date[GENU_DATE_STRLEN];
    genu_date_format(q->as_of, date);
    if (run->format == 0 && cox) {
        report_json_cox(b, q->event, q->as_of, &x);
    } else if (run->format == 0) {
        report_json_competing(b, q->event, q->as_of, &k);
    } else if (cox) {
        genu_buf_printf(b,
                        "event %s, as of %s\nCox model (Efron ties; robust standard errors "
                        "clustered by patient)\n",
                        survival_event_name(q->event), date);
        cox_text(b, &x);
    } else {
        genu_buf_printf(b, "event %s, death as a competing event, as of %s\n",
                        survival_event_name(q->event), date);
        competing_all_text(b, &k);
    }
    return b->oom ? GENU_OOM(err) : GENU_OK;
}

static int run(const cohort *c, genu_arena *a, genu_buf *b, void *ctx, genu_err *err)
{
    const surv_run *run = ctx;
    if (run->kind != DURABILITY_KM)
        return run_more(c, a, b, run, err);
    survival_result s;
    if (survival_request(c, run->q, a, &s, err))
        return err->code;
    if (run->format == 0) {
        report_json_survival(b, run->q, &s);
        return b->oom ? GENU_OOM(err) : GENU_OK;
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
    return b->oom ? GENU_OOM(err) : GENU_OK;
}

static int prepare(const analysis_request *q, void *ctx, genu_err *err)
{
    surv_run *sr = ctx;
    return durability_request(q, &sr->kind, &sr->covs, err);
}

static const cohort_cmd survival_cmd = {usage, &survival_use, "json|text", prepare,
                                        NULL,  COHORT_READS_DAYS,          run};

int cmd_survival(int argc, char **argv, const cli_env *env)
{
    analysis_request q;
    surv_run sr = {&q, -1, DURABILITY_KM, {0}};
    return cohort_opts_main(&survival_cmd, argc, argv, env, &q, &sr.format, &sr);
}
