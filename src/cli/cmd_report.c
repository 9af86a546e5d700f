/* cmd_report: `genu report` is the cohort report of DESIGN.md §5 as JSON
 * (docs/analysis.md): follow-up completeness per timepoint, the default
 * responder definitions × timepoints × strata with all counts, change from
 * baseline, Kaplan–Meier durability (replacement) and comparisons across
 * strata. HTML is not built yet (GENU_ENOTSUP, exit 1). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/claim.h"
#include "analysis/cohort.h"
#include "analysis/responder.h"
#include "analysis/stats.h"
#include "analysis/survival.h"
#include "analysis/timepoint.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "store/store.h"

static const char usage[] =
    "usage: genu report [--format json] [--by FIELD] [--as-of DATE] [--unit knee|patient]\n"
    "                   [filters]\n\n"
    "The cohort report: follow-up completeness, responder rates for the default\n"
    "definitions at 6w, 3m, 6m, 12m, 24m, 36m and 48m per stratum, change from\n"
    "baseline, replacement-free survival and comparisons across strata.\n"
    "  --by FIELD  kl, sites, kind, protocol, sex, site or age_band\n"
    "Filters: --site S --sex S --age 50-70 --condition C --kl 0-2 --kind K\n"
    "         --protocol P --sites whole_knee|intra_articular_only --index-year Y\n"
    "         --index-kinds a,b\n";

static const char *const definitions[] = {
    "improvement_pct:nprs.intensity>=50", "mcid:nprs.intensity", "mcid:koos.pain",
    "omeract_oarsi"};
static const char *const timepoints[] = {"6w", "3m", "6m", "12m", "24m", "36m", "48m"};
static const char *const change_measures[] = {"nprs.intensity", "koos.pain"};
#define NDEF (sizeof definitions / sizeof definitions[0])
#define NTP (sizeof timepoints / sizeof timepoints[0])

typedef struct report_opts {
    cohort_by by;
    genu_date as_of;
    cohort_unit unit;
    cohort_filter filter;
} report_opts;

static int filter_opt(int argc, char **argv, int *i, cohort_filter *f)
{
    const char *a = argv[*i], *eq = strchr(a, '='), *v;
    char name[32], opt[40];
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    if (strncmp(a, "--", 2) != 0 || n - 2 >= sizeof name)
        return 0;
    memcpy(name, a + 2, n - 2);
    name[n - 2] = '\0';
    if (!cohort_filter_known(name))
        return 0;
    snprintf(opt, sizeof opt, "--%s", name);
    if (cli_opt(argc, argv, i, opt, &v) < 0)
        return -1;
    genu_err err = {0};
    if (cohort_filter_set(f, name, v, &err)) {
        cli_error("%s", err.msg);
        return -1;
    }
    return 1;
}

static int parse_args(int argc, char **argv, report_opts *o)
{
    genu_err err = {0};
    memset(o, 0, sizeof *o);
    cohort_filter_init(&o->filter);
    o->as_of = genu_date_today();
    for (int i = 1; i < argc;) {
        const char *v;
        int r;
        if ((r = cli_opt(argc, argv, &i, "--by", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (cohort_by_parse(v, &o->by, &err)) {
                cli_error("%s", err.msg);
                return CLI_EUSAGE;
            }
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
            if (cohort_unit_parse(v, &o->unit, &err)) {
                cli_error("%s", err.msg);
                return CLI_EUSAGE;
            }
        } else if ((r = cli_opt(argc, argv, &i, "--format", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (strcmp(v, "html") == 0) {
                cli_error("--format: html is not available yet; use json");
                return CLI_EFAIL;
            }
            if (strcmp(v, "json") != 0) {
                cli_error("--format: expected json or html, not \"%s\"", v);
                return CLI_EUSAGE;
            }
        } else if ((r = filter_opt(argc, argv, &i, &o->filter)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
        } else {
            cli_error("unknown option %s (see genu report --help)", argv[i]);
            return CLI_EUSAGE;
        }
    }
    return CLI_OK;
}

typedef struct strata {
    size_t n;
    const char **names;
    size_t *group;  /* per knee */
    bool *member;   /* scratch: knee i in the current stratum */
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
    s->member = genu_arena_calloc(a, c->nknee + 1, sizeof *s->member);
    if (!label || !s->names || !s->group || !s->member)
        return -1;
    for (size_t i = 0; i < c->nknee; i++)
        if (!(s->names[i] = label[i] = cohort_stratum(c, &c->knees[i], by, a)))
            return -1;
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

static void num(genu_buf *b, const char *key, double v)
{
    genu_buf_printf(b, ",\"%s\":", key);
    genu_buf_json_num(b, v);
}

static void interval(genu_buf *b, const char *key, double lo, double hi)
{
    genu_buf_printf(b, ",\"%s\":", key);
    if (isnan(lo)) {
        genu_buf_puts(b, "null");
        return;
    }
    genu_buf_putc(b, '[');
    genu_buf_json_num(b, lo);
    genu_buf_putc(b, ',');
    genu_buf_json_num(b, hi);
    genu_buf_putc(b, ']');
}

/* Follow-up completeness: due = window closed, done = some response of any
 * instrument in the window before a replacement. */
static bool any_response(const cohort *c, const cohort_knee *k, const timepoint *t)
{
    genu_date first, last;
    timepoint_window(t, k->index, &first, &last);
    const genu_record *rs = c->ds->recs[GENU_REC_RESPONSE];
    for (size_t i = c->lo[GENU_REC_RESPONSE][k->pat]; i < c->hi[GENU_REC_RESPONSE][k->pat]; i++) {
        const genu_record *r = &rs[i];
        if ((r->knee == k->knee || r->knee == GENU_KNEE_NONE) && r->date >= first &&
            r->date <= last && (k->replaced == GENU_DATE_NONE || r->date < k->replaced))
            return true;
    }
    return false;
}

static void write_followup(genu_buf *b, const cohort *c, const strata *s, const timepoint *tp)
{
    genu_buf_puts(b, ",\"followup\":[");
    bool first_row = true;
    for (size_t t = 0; t < NTP; t++) {
        for (size_t g = 0; g < s->n; g++) {
            size_t due = 0, done = 0;
            for (size_t i = 0; i < c->nknee; i++) {
                if (s->group[i] != g || !timepoint_closed(&tp[t], c->knees[i].index, c->as_of))
                    continue;
                due++;
                done += any_response(c, &c->knees[i], &tp[t]);
            }
            genu_buf_puts(b, first_row ? "{\"at\":" : ",{\"at\":");
            first_row = false;
            genu_buf_json_str(b, tp[t].text);
            genu_buf_puts(b, ",\"stratum\":");
            genu_buf_json_str(b, s->names[g]);
            genu_buf_printf(b, ",\"due\":%zu,\"done\":%zu,\"missing\":%zu}", due, done, due - done);
        }
    }
    genu_buf_putc(b, ']');
}

static void write_counts(genu_buf *b, const claim_counts *n)
{
    genu_buf_printf(b,
                    ",\"counts\":{\"entered\":%zu,\"eligible\":%zu,\"converted\":%zu,"
                    "\"not_evaluable\":%zu,\"missing\":%zu,\"analysed\":%zu,\"responders\":%zu}",
                    n->entered, n->eligible, n->converted, n->not_evaluable, n->missing,
                    n->analysed, n->responders);
    claim_rates r;
    claim_rates_of(n, &r);
    num(b, "rate", r.rate);
    interval(b, "ci95", r.lo, r.hi);
    num(b, "worst_case", r.worst_case);
    num(b, "best_case", r.best_case);
}

static void write_comparisons(genu_buf *b, const claim_counts *n, const strata *s, bool *first)
{
    size_t x[64], m[64], k = s->n < 64 ? s->n : 64;
    for (size_t g = 0; g < k; g++) {
        x[g] = n[g].responders;
        m[g] = n[g].analysed;
    }
    for (size_t g = 0; g < k; g++) {
        for (size_t h = g + 1; h < k; h++) {
            double d, lo, hi, chi, p, mine;
            int df;
            stats_newcombe(x[g], m[g], x[h], m[h], STATS_Z95, &d, &lo, &hi);
            size_t xx[2] = {x[g], x[h]}, mm[2] = {m[g], m[h]};
            stats_chisq(xx, mm, 2, &chi, &df, &p, &mine);
            genu_buf_puts(b, *first ? "{\"a\":" : ",{\"a\":");
            *first = false;
            genu_buf_json_str(b, s->names[g]);
            genu_buf_puts(b, ",\"b\":");
            genu_buf_json_str(b, s->names[h]);
            num(b, "difference", d);
            interval(b, "ci95", lo, hi);
            if (m[g] == 0 || m[h] == 0) {
                genu_buf_puts(b, ",\"test\":null,\"statistic\":null,\"p\":null}");
            } else if (isnan(chi) || mine < 5.0) {
                genu_buf_puts(b, ",\"test\":\"fisher\",\"statistic\":null");
                num(b, "p", stats_fisher(x[g], m[g] - x[g], x[h], m[h] - x[h]));
                genu_buf_putc(b, '}');
            } else {
                genu_buf_puts(b, ",\"test\":\"chisq\"");
                num(b, "statistic", chi);
                num(b, "p", p);
                genu_buf_putc(b, '}');
            }
        }
    }
}

static int write_responders(genu_buf *b, const cohort *c, const strata *s, const timepoint *tp,
                            genu_arena *a)
{
    claim_counts *n = genu_arena_calloc(a, s->n + 1, sizeof *n);
    if (!n)
        return -1;
    genu_buf_puts(b, ",\"responders\":[");
    bool first = true;
    for (size_t d = 0; d < NDEF; d++) {
        responder_def def;
        responder_parse(definitions[d], &def, NULL);
        for (size_t t = 0; t < NTP; t++) {
            memset(n, 0, s->n * sizeof *n);
            for (size_t i = 0; i < c->nknee; i++) {
                responder_outcome o;
                responder_eval(c, &c->knees[i], &def, &tp[t], &o);
                claim_add(&n[s->group[i]], &o);
            }
            genu_buf_puts(b, first ? "{\"definition\":" : ",{\"definition\":");
            first = false;
            genu_buf_json_str(b, def.text);
            genu_buf_puts(b, ",\"at\":");
            genu_buf_json_str(b, tp[t].text);
            genu_buf_puts(b, ",\"strata\":[");
            for (size_t g = 0; g < s->n; g++) {
                genu_buf_puts(b, g ? ",{\"stratum\":" : "{\"stratum\":");
                genu_buf_json_str(b, s->names[g]);
                write_counts(b, &n[g]);
                genu_buf_putc(b, '}');
            }
            genu_buf_puts(b, "],\"comparisons\":[");
            bool cfirst = true;
            write_comparisons(b, n, s, &cfirst);
            genu_buf_puts(b, "]}");
        }
    }
    genu_buf_putc(b, ']');
    return 0;
}

static int write_change(genu_buf *b, const cohort *c, const strata *s, const timepoint *tp,
                        genu_arena *a)
{
    double *v = genu_arena_calloc(a, c->nknee + 1, sizeof *v);
    if (!v)
        return -1;
    genu_buf_puts(b, ",\"change\":[");
    bool first = true;
    for (size_t m = 0; m < sizeof change_measures / sizeof change_measures[0]; m++) {
        responder_def def;
        char text[96];
        snprintf(text, sizeof text, "change:%s>=0", change_measures[m]);
        responder_parse(text, &def, NULL);
        for (size_t t = 0; t < NTP; t++) {
            for (size_t g = 0; g < s->n; g++) {
                size_t k = 0;
                for (size_t i = 0; i < c->nknee; i++) {
                    responder_outcome o;
                    if (s->group[i] != g)
                        continue;
                    responder_eval(c, &c->knees[i], &def, &tp[t], &o);
                    if (o.eligible && o.status == RESPONDER_EVALUATED)
                        v[k++] = o.change;
                }
                stats_mean sm;
                stats_mean_ci(v, k, &sm);
                genu_buf_puts(b, first ? "{\"measure\":" : ",{\"measure\":");
                first = false;
                genu_buf_json_str(b, change_measures[m]);
                genu_buf_puts(b, ",\"at\":");
                genu_buf_json_str(b, tp[t].text);
                genu_buf_puts(b, ",\"stratum\":");
                genu_buf_json_str(b, s->names[g]);
                genu_buf_printf(b, ",\"n\":%zu", k);
                num(b, "mean", sm.mean);
                num(b, "sd", sm.sd);
                interval(b, "ci95", sm.lo, sm.hi);
                genu_buf_putc(b, '}');
            }
        }
    }
    genu_buf_putc(b, ']');
    return 0;
}

static int write_survival(genu_buf *b, const cohort *c, const strata *s, genu_arena *a,
                          genu_err *err)
{
    size_t n = c->nknee;
    double *time = genu_arena_calloc(a, n + 1, sizeof *time), *st = genu_arena_calloc(a, n + 1, sizeof *st);
    int *status = genu_arena_calloc(a, n + 1, sizeof *status);
    int *ss = genu_arena_calloc(a, n + 1, sizeof *ss);
    if (!time || !st || !status || !ss)
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    for (size_t i = 0; i < n; i++)
        survival_knee(c, &c->knees[i], SURVIVAL_REPLACEMENT, NULL, &time[i], &status[i]);
    genu_buf_puts(b, ",\"survival\":{\"event\":\"replacement\",\"strata\":[");
    for (size_t g = 0; g < s->n; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (s->group[i] == g) {
                st[m] = time[i];
                ss[m++] = status[i];
            }
        survival_curve k;
        if (survival_km(st, ss, m, a, &k, err))
            return err->code;
        genu_buf_puts(b, g ? ",{\"stratum\":" : "{\"stratum\":");
        genu_buf_json_str(b, s->names[g]);
        genu_buf_printf(b, ",\"n\":%zu,\"events\":%zu", k.n, k.events);
        num(b, "median", k.median);
        genu_buf_puts(b, ",\"curve\":[");
        for (size_t r = 0; r < k.nrow; r++) {
            const survival_row *w = &k.rows[r];
            genu_buf_puts(b, r ? ",{\"time\":" : "{\"time\":");
            genu_buf_json_num(b, w->time);
            genu_buf_printf(b, ",\"n_risk\":%zu,\"n_event\":%zu,\"n_censor\":%zu", w->n_risk,
                            w->n_event, w->n_censor);
            num(b, "surv", w->surv);
            num(b, "std_err", w->std_err);
            num(b, "lower", w->lower);
            num(b, "upper", w->upper);
            genu_buf_putc(b, '}');
        }
        genu_buf_puts(b, "]}");
    }
    survival_logrank lr;
    if (survival_logrank_test(time, status, s->group, n, s->n, a, &lr, err))
        return err->code;
    genu_buf_puts(b, "],\"logrank\":");
    if (lr.defined) {
        genu_buf_puts(b, "{\"chisq\":");
        genu_buf_json_num(b, lr.chisq);
        genu_buf_printf(b, ",\"df\":%d", lr.df);
        num(b, "p", lr.p);
        genu_buf_puts(b, "}}");
    } else {
        genu_buf_puts(b, "null}");
    }
    return GENU_OK;
}

static int run(const report_opts *o, const cohort *c, genu_arena *a, genu_buf *b, genu_err *err)
{
    static const char *const by_names[] = {"none", "kl", "sites", "kind", "protocol",
                                           "sex", "site", "age_band"};
    strata s;
    timepoint tp[NTP];
    for (size_t t = 0; t < NTP; t++)
        timepoint_parse(timepoints[t], &tp[t], NULL);
    if (make_strata(c, o->by, a, &s))
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    char date[GENU_DATE_STRLEN];
    genu_date_format(o->as_of, date);
    genu_buf_printf(b, "{\"as_of\":\"%s\",\"unit\":\"%s\",\"by\":", date,
                    o->unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
    if (o->by == COHORT_BY_NONE)
        genu_buf_puts(b, "null");
    else
        genu_buf_json_str(b, by_names[o->by]);
    genu_buf_puts(b, ",\"filters\":{");
    for (size_t i = 0; i < o->filter.nset; i++) {
        if (i)
            genu_buf_putc(b, ',');
        genu_buf_json_str(b, o->filter.name[i]);
        genu_buf_putc(b, ':');
        genu_buf_json_str(b, o->filter.value[i]);
    }
    genu_buf_printf(b, "},\"entered\":%zu,\"strata\":[", c->nknee);
    for (size_t g = 0; g < s.n; g++) {
        size_t n = 0;
        for (size_t i = 0; i < c->nknee; i++)
            n += s.group[i] == g;
        genu_buf_puts(b, g ? ",{\"stratum\":" : "{\"stratum\":");
        genu_buf_json_str(b, s.names[g]);
        genu_buf_printf(b, ",\"entered\":%zu}", n);
    }
    genu_buf_putc(b, ']');
    write_followup(b, c, &s, tp);
    if (write_responders(b, c, &s, tp, a) || write_change(b, c, &s, tp, a))
        return GENU_FAIL(err, GENU_ENOMEM, "report: out of memory");
    int rc = write_survival(b, c, &s, a, err);
    if (rc)
        return rc;
    genu_buf_puts(b, "}\n");
    return b->oom ? GENU_FAIL(err, GENU_ENOMEM, "report: out of memory") : GENU_OK;
}

int cmd_report(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    report_opts o;
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
        cohort_build(&ds, &o.filter, o.unit, o.as_of, a, &c, &err) || run(&o, &c, a, &out, &err)) {
        rc = cli_fail(&err);
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
