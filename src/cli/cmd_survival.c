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

typedef struct surv_opts {
    cohort_opts co;
    survival_event event;
    bool has_event, json;
    const char *responder;
    responder_def def;
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
    genu_err err = {0};
    if (o->responder && responder_parse_with(o->responder, &o->co.mcids, &o->def, &err)) {
        cli_error("%s", err.msg);
        return CLI_EUSAGE;
    }
    return CLI_OK;
}

/* Stratum labels of the cohort's knees, the sorted distinct labels, and each
 * knee's group index. */
typedef struct strata {
    size_t n;
    const char **names;
    size_t *group; /* per knee */
} strata;

static int cmp_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int make_strata(const cohort *c, cohort_by by, genu_arena *a, strata *s)
{
    const char **label = genu_arena_calloc(a, c->nknee + 1, sizeof *label);
    s->names = genu_arena_calloc(a, c->nknee + 1, sizeof *s->names);
    s->group = genu_arena_calloc(a, c->nknee + 1, sizeof *s->group);
    if (!label || !s->names || !s->group)
        return -1;
    for (size_t i = 0; i < c->nknee; i++) {
        label[i] = cohort_stratum(c, &c->knees[i], by, a);
        if (!label[i])
            return -1;
        s->names[i] = label[i];
    }
    qsort(s->names, c->nknee, sizeof *s->names, cmp_name);
    s->n = 0;
    for (size_t i = 0; i < c->nknee; i++)
        if (s->n == 0 || strcmp(s->names[i], s->names[s->n - 1]) != 0)
            s->names[s->n++] = s->names[i];
    for (size_t i = 0; i < c->nknee; i++) {
        const char **hit = bsearch(&label[i], s->names, s->n, sizeof *s->names, cmp_name);
        s->group[i] = (size_t)(hit - s->names);
    }
    return 0;
}

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

static int run(const cohort *c, genu_arena *a, genu_buf *b, void *ctx, genu_err *err)
{
    const surv_opts *o = ctx;
    strata s;
    size_t n = c->nknee;
    double *time = genu_arena_calloc(a, n + 1, sizeof *time);
    double *st_time = genu_arena_calloc(a, n + 1, sizeof *st_time);
    int *status = genu_arena_calloc(a, n + 1, sizeof *status);
    int *st_status = genu_arena_calloc(a, n + 1, sizeof *st_status);
    if (!time || !st_time || !status || !st_status || make_strata(c, o->co.by, a, &s))
        return GENU_FAIL(err, GENU_ENOMEM, "survival: out of memory");
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

int cmd_survival(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    surv_opts o;
    int rc = parse_args(argc, argv, &o);
    return rc ? rc : cohort_opts_run(env, &o.co, run, &o);
}
