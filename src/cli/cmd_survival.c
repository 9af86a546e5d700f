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
    "  --as-of DATE     data cut-off YYYY-MM-DD (default today)\n"
    "  --unit U         knee (default) or patient\n"
    "  --mcid M=V       the MCID of measure M for mcid:M (repeatable)\n"
    "  --format F       text (default) or json\n"
    "Filters: --site S --sex S --age 50-70 --condition C --kl 0-2 --kind K\n"
    "         --protocol P --sites whole_knee|intra_articular_only --index-year Y\n"
    "         --index-kinds a,b\n";

typedef struct surv_opts {
    cohort_opts co;
    survival_event event;
    bool has_event, json;
    const char *responder;
    responder_def def;
    bool competing;
    const char *cox;
    covariate_list covs;
} surv_opts;

/* The command's own options: 1 taken, 0 not ours, -1 usage error (printed). */
static int own_opt(int argc, char **argv, int *i, surv_opts *o)
{
    genu_err err = {0};
    const char *v;
    int r, fmt = 0;
    if ((r = cli_opt(argc, argv, i, "--event", &v)) != 0) {
        if (r > 0 && survival_event_parse(v, &o->event, &err)) {
            cli_error("%s", err.msg);
            return -1;
        }
        o->has_event = r > 0;
        return r;
    }
    if ((r = cli_opt(argc, argv, i, "--responder", &o->responder)) != 0)
        return r;
    if ((r = cli_opt(argc, argv, i, "--competing", &v)) != 0) {
        if (r > 0 && durability_competing_parse(v, &err)) {
            cli_error("%s", err.msg);
            return -1;
        }
        o->competing = r > 0;
        return r;
    }
    if ((r = cli_opt(argc, argv, i, "--cox", &v)) != 0) {
        if (r > 0 && covariate_parse_list(v, "cox", COV_COX_ALLOWED, -1, &o->covs, &err)) {
            cli_error("%s", err.msg);
            return -1;
        }
        o->cox = r > 0 ? v : NULL;
        return r;
    }
    if ((r = cohort_opts_format(argc, argv, i, "json|text", &fmt)) != 0)
        o->json = r > 0 && fmt == 0;
    return r;
}

static int parse_args(int argc, char **argv, surv_opts *o)
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
            cli_error("unknown option %s (see genu survival --help)", argv[i]);
            return CLI_EUSAGE;
        }
    }
    if (!o->has_event) {
        cli_error("--event is required: replacement, surgery or loss_of_response");
        return CLI_EUSAGE;
    }
    if (o->event == SURVIVAL_LOSS && !o->responder) {
        cli_error("--responder: loss_of_response needs a responder definition");
        return CLI_EUSAGE;
    }
    if (o->event != SURVIVAL_LOSS && o->responder) {
        cli_error("--responder: only used with --event loss_of_response");
        return CLI_EUSAGE;
    }
    if (o->competing && o->event == SURVIVAL_LOSS) {
        cli_error("--competing: only for --event replacement or surgery");
        return CLI_EUSAGE;
    }
    if (o->cox && o->competing) {
        cli_error("--cox: not with --competing (the Cox model censors at death)");
        return CLI_EUSAGE;
    }
    if (o->cox && o->co.has_by) {
        cli_error("--cox: one model over the cohort, not with --by");
        return CLI_EUSAGE;
    }
    if (o->cox && o->covs.n == 0) {
        cli_error("--cox: expected a comma list of covariates");
        return CLI_EUSAGE;
    }
    genu_err err = {0};
    if (o->responder && responder_parse_with(o->responder, &o->co.mcids, &o->def, &err)) {
        cli_error("%s", err.msg);
        return CLI_EUSAGE;
    }
    return CLI_OK;
}

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

static int run(const cohort *c, genu_arena *a, genu_buf *b, void *ctx, genu_err *err)
{
    const surv_opts *o = ctx;
    durability_strata s;
    size_t n = c->nknee;
    double *time = genu_arena_calloc(a, n + 1, sizeof *time);
    double *st_time = genu_arena_calloc(a, n + 1, sizeof *st_time);
    int *status = genu_arena_calloc(a, n + 1, sizeof *status);
    int *st_status = genu_arena_calloc(a, n + 1, sizeof *st_status);
    if (!time || !st_time || !status || !st_status)
        return GENU_FAIL(err, GENU_ENOMEM, "survival: out of memory");
    if (durability_strata_make(c, o->co.by, a, &s, err))
        return err->code;
    for (size_t i = 0; i < n; i++)
        survival_knee(c, &c->knees[i], o->event, &o->def, &time[i], &status[i]);
    char date[GENU_DATE_STRLEN];
    genu_date_format(o->co.as_of, date);
    if (o->json)
        genu_buf_printf(b, "{\"event\":\"%s\",\"as_of\":\"%s\",\"strata\":[",
                        survival_event_name(o->event), date);
    else
        genu_buf_printf(b, "event %s, as of %s\n\n", survival_event_name(o->event), date);
    for (size_t g = 0; g < s.n; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (s.group[i] != g)
                continue;
            st_time[m] = time[i];
            st_status[m++] = status[i];
        }
        survival_curve k;
        if (survival_km(st_time, st_status, m, a, &k, err))
            return err->code;
        if (o->json) {
            if (g)
                genu_buf_putc(b, ',');
            report_json_curve(b, s.names[g], &k);
        } else {
            write_curve_text(b, s.names[g], &k);
        }
    }
    survival_logrank lr;
    if (survival_logrank_test(time, status, s.group, n, s.n, a, &lr, err))
        return err->code;
    if (o->json) {
        genu_buf_puts(b, "],\"logrank\":");
        report_json_logrank(b, &lr);
        genu_buf_puts(b, "}\n");
    } else if (lr.defined) {
        genu_buf_printf(b, "log-rank: chisq %.4f on %d df, p = %.4g\n", lr.chisq, lr.df, lr.p);
    } else {
        genu_buf_puts(b, "log-rank: not applicable (fewer than two strata with events)\n");
    }
    return b->oom ? GENU_FAIL(err, GENU_ENOMEM, "out of memory") : GENU_OK;
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

/* --cox or --competing: the model or the curves, as JSON or text. */
static int run_more(const cohort *c, genu_arena *a, genu_buf *b, void *ctx, genu_err *err)
{
    const surv_opts *o = ctx;
    durability_competing k;
    durability_cox x;
    if (o->cox ? durability_cox_run(c, o->event, &o->def, &o->covs, a, &x, err)
               : durability_competing_run(c, o->event, o->co.by, a, &k, err))
        return err->code;
    char date[GENU_DATE_STRLEN];
    genu_date_format(o->co.as_of, date);
    if (o->json && o->cox) {
        report_json_cox(b, o->event, o->co.as_of, &x);
    } else if (o->json) {
        report_json_competing(b, o->event, o->co.as_of, &k);
    } else if (o->cox) {
        genu_buf_printf(b,
                        "event %s, as of %s\nCox model (Efron ties; robust standard errors "
                        "clustered by patient)\n",
                        survival_event_name(o->event), date);
        cox_text(b, &x);
    } else {
        genu_buf_printf(b, "event %s, death as a competing event, as of %s\n",
                        survival_event_name(o->event), date);
        competing_all_text(b, &k);
    }
    return b->oom ? GENU_FAIL(err, GENU_ENOMEM, "out of memory") : GENU_OK;
}

int cmd_survival(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    surv_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    return cohort_opts_run(env, &o.co, o.cox || o.competing ? run_more : run, &o);
}
