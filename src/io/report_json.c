/* report_json: `genu report --format json` and GET /api/v1/report, shared
 * here so both print the same bytes. Key order and names are the documented,
 * stable interface (docs/analysis.md); numbers at full precision, null where
 * undefined. */
#include "io/report_json.h"

#include <math.h>

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

void report_json_cost(genu_buf *b, const cost_tally *t)
{
    genu_buf_printf(b, "{\"knees_without_cost\":%zu,\"knees_mixed_currency\":%zu,\"currencies\":[",
                    t->knees_without_cost, t->knees_mixed_currency);
    for (size_t i = 0; i < t->ncur; i++) {
        const cost_currency *c = &t->cur[i];
        genu_buf_puts(b, i ? ",{\"currency\":" : "{\"currency\":");
        genu_buf_json_str(b, c->currency);
        genu_buf_printf(b, ",\"knees\":%zu,\"responders\":%zu", c->knees, c->responders);
        num(b, "total", c->total);
        num(b, "per_responder", c->per_responder);
        genu_buf_putc(b, '}');
    }
    genu_buf_puts(b, "]}");
}

static void header(genu_buf *b, const report *r, const cohort_filter *f)
{
    char date[GENU_DATE_STRLEN];
    const char *by = cohort_by_name(r->spec.by);
    genu_date_format(r->c->as_of, date);
    genu_buf_printf(b, "{\"as_of\":\"%s\",\"unit\":\"%s\",\"by\":", date,
                    r->c->unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
    if (by)
        genu_buf_json_str(b, by);
    else
        genu_buf_puts(b, "null");
    genu_buf_puts(b, ",\"filters\":");
    report_json_filters(b, f);
    genu_buf_printf(b, ",\"entered\":%zu,\"strata\":[", r->c->nknee);
    for (size_t g = 0; g < r->nstrata; g++) {
        genu_buf_puts(b, g ? ",{\"stratum\":" : "{\"stratum\":");
        genu_buf_json_str(b, r->strata[g]);
        genu_buf_printf(b, ",\"entered\":%zu}", r->entered[g]);
    }
    genu_buf_putc(b, ']');
}

static void followup(genu_buf *b, const report *r)
{
    genu_buf_puts(b, ",\"followup\":[");
    for (size_t t = 0; t < r->spec.ntp; t++)
        for (size_t g = 0; g < r->nstrata; g++) {
            const report_followup *f = &r->followup[t * r->nstrata + g];
            genu_buf_puts(b, t || g ? ",{\"at\":" : "{\"at\":");
            genu_buf_json_str(b, r->spec.tps[t].text);
            genu_buf_puts(b, ",\"stratum\":");
            genu_buf_json_str(b, r->strata[g]);
            genu_buf_printf(b, ",\"due\":%zu,\"done\":%zu,\"missing\":%zu}", f->due, f->done,
                            f->missing);
        }
    genu_buf_putc(b, ']');
}

static void cell(genu_buf *b, const report_cell *x)
{
    const claim_counts *n = &x->n;
    genu_buf_printf(b,
                    ",\"counts\":{\"entered\":%zu,\"eligible\":%zu,\"converted\":%zu,"
                    "\"not_evaluable\":%zu,\"missing\":%zu,\"analysed\":%zu,\"responders\":%zu}",
                    n->entered, n->eligible, n->converted, n->not_evaluable, n->missing,
                    n->analysed, n->responders);
    num(b, "rate", x->r.rate);
    interval(b, "ci95", x->r.lo, x->r.hi);
    num(b, "worst_case", x->r.worst_case);
    num(b, "best_case", x->r.best_case);
    genu_buf_puts(b, ",\"cost\":");
    report_json_cost(b, &x->cost);
}

static void comparison(genu_buf *b, const report *r, const report_cmp *c, bool first)
{
    genu_buf_puts(b, first ? "{\"a\":" : ",{\"a\":");
    genu_buf_json_str(b, r->strata[c->a]);
    genu_buf_puts(b, ",\"b\":");
    genu_buf_json_str(b, r->strata[c->b]);
    num(b, "difference", c->diff);
    interval(b, "ci95", c->lo, c->hi);
    genu_buf_puts(b, ",\"test\":");
    genu_buf_puts(b, c->test == REPORT_TEST_CHISQ    ? "\"chisq\""
                     : c->test == REPORT_TEST_FISHER ? "\"fisher\""
                                                     : "null");
    num(b, "statistic", c->statistic);
    num(b, "p", c->p);
    genu_buf_putc(b, '}');
}

static void responders(genu_buf *b, const report *r)
{
    genu_buf_puts(b, ",\"responders\":[");
    for (size_t d = 0; d < r->spec.ndef; d++)
        for (size_t t = 0; t < r->spec.ntp; t++) {
            const responder_def *def = &r->spec.defs[d];
            genu_buf_puts(b, d || t ? ",{\"definition\":" : "{\"definition\":");
            genu_buf_json_str(b, def->text);
            num(b, "threshold", def->kind == RESPONDER_OMERACT ? NAN : def->threshold);
            genu_buf_puts(b, ",\"at\":");
            genu_buf_json_str(b, r->spec.tps[t].text);
            genu_buf_puts(b, ",\"strata\":[");
            for (size_t g = 0; g < r->nstrata; g++) {
                genu_buf_puts(b, g ? ",{\"stratum\":" : "{\"stratum\":");
                genu_buf_json_str(b, r->strata[g]);
                cell(b, report_cell_at(r, d, t, g));
                genu_buf_putc(b, '}');
            }
            genu_buf_puts(b, "],\"comparisons\":[");
            for (size_t j = 0; j < r->npair; j++)
                comparison(b, r, report_cmp_at(r, d, t, j), j == 0);
            genu_buf_puts(b, "]}");
        }
    genu_buf_putc(b, ']');
}

static void change(genu_buf *b, const report *r)
{
    genu_buf_puts(b, ",\"change\":[");
    bool first = true;
    for (size_t m = 0; m < r->spec.nchange; m++)
        for (size_t t = 0; t < r->spec.ntp; t++)
            for (size_t g = 0; g < r->nstrata; g++) {
                const stats_mean *sm = report_change_at(r, m, t, g);
                genu_buf_puts(b, first ? "{\"measure\":" : ",{\"measure\":");
                first = false;
                genu_buf_json_str(b, r->spec.change[m].name);
                genu_buf_puts(b, ",\"at\":");
                genu_buf_json_str(b, r->spec.tps[t].text);
                genu_buf_puts(b, ",\"stratum\":");
                genu_buf_json_str(b, r->strata[g]);
                genu_buf_printf(b, ",\"n\":%zu", sm->n);
                num(b, "mean", sm->mean);
                num(b, "sd", sm->sd);
                interval(b, "ci95", sm->lo, sm->hi);
                genu_buf_putc(b, '}');
            }
    genu_buf_putc(b, ']');
}

void report_json_curve(genu_buf *b, const char *name, const survival_curve *k)
{
    genu_buf_puts(b, "{\"stratum\":");
    genu_buf_json_str(b, name);
    genu_buf_printf(b, ",\"n\":%zu,\"events\":%zu", k->n, k->events);
    num(b, "median", k->median);
    genu_buf_puts(b, ",\"curve\":[");
    for (size_t i = 0; i < k->nrow; i++) {
        const survival_row *w = &k->rows[i];
        genu_buf_puts(b, i ? ",{\"time\":" : "{\"time\":");
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

void report_json_logrank(genu_buf *b, const survival_logrank *lr)
{
    if (!lr->defined) {
        genu_buf_puts(b, "null");
        return;
    }
    genu_buf_puts(b, "{\"chisq\":");
    genu_buf_json_num(b, lr->chisq);
    genu_buf_printf(b, ",\"df\":%d", lr->df);
    num(b, "p", lr->p);
    genu_buf_putc(b, '}');
}

static void survival(genu_buf *b, const report *r)
{
    genu_buf_puts(b, ",\"survival\":{\"event\":\"replacement\",\"strata\":[");
    for (size_t g = 0; g < r->nstrata; g++) {
        if (g)
            genu_buf_putc(b, ',');
        report_json_curve(b, r->strata[g], &r->km[g]);
    }
    genu_buf_puts(b, "],\"logrank\":");
    report_json_logrank(b, &r->logrank);
    genu_buf_putc(b, '}');
}

void report_json_write(genu_buf *b, const report *r, const cohort_filter *f)
{
    header(b, r, f);
    followup(b, r);
    responders(b, r);
    change(b, r);
    survival(b, r);
    genu_buf_puts(b, "}\n");
}

void report_json_filters(genu_buf *b, const cohort_filter *f)
{
    genu_buf_putc(b, '{');
    for (size_t i = 0; i < f->nset; i++) {
        if (i)
            genu_buf_putc(b, ',');
        genu_buf_json_str(b, f->name[i]);
        genu_buf_putc(b, ':');
        genu_buf_json_str(b, f->value[i]);
    }
    genu_buf_putc(b, '}');
}

/* "as_of":"…","unit":"…" of an answer. */
static void as_of_unit(genu_buf *b, const analysis_request *q)
{
    char date[GENU_DATE_STRLEN];
    genu_date_format(q->as_of, date);
    genu_buf_printf(b, "\"as_of\":\"%s\",\"unit\":\"%s\"", date,
                    q->unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
}

void report_json_claim(genu_buf *b, const analysis_request *q, const claim_answer *ans)
{
    const claim_counts *c = &ans->counts;
    const claim_rates *r = &ans->rates;
    genu_buf_puts(b, "{\"claim\":{\"responder\":");
    genu_buf_json_str(b, q->defs[0].text);
    genu_buf_puts(b, ",\"at\":");
    genu_buf_json_str(b, q->at[0].text);
    num(b, "expect", q->expect);
    genu_buf_puts(b, ",\"filters\":");
    report_json_filters(b, &q->filter);
    genu_buf_puts(b, "},");
    as_of_unit(b, q);
    genu_buf_printf(b, ",\"timepoint\":{\"nominal_days\":%d,\"window_days\":%d}",
                    q->at[0].nominal, q->at[0].half);
    genu_buf_printf(b,
                    ",\"counts\":{\"entered\":%zu,\"eligible\":%zu,\"converted\":%zu,"
                    "\"not_evaluable\":%zu,\"missing\":%zu,\"analysed\":%zu,\"responders\":%zu}",
                    c->entered, c->eligible, c->converted, c->not_evaluable, c->missing,
                    c->analysed, c->responders);
    num(b, "rate", r->rate);
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
    num(b, "worst_case", r->worst_case);
    num(b, "best_case", r->best_case);
    genu_buf_printf(b, ",\"verdict\":\"%s\"", claim_verdict_name(ans->verdict));
    if (q->cost) {
        genu_buf_puts(b, ",\"cost\":");
        report_json_cost(b, &ans->cost);
    }
    genu_buf_puts(b, "}\n");
}

void report_json_survival(genu_buf *b, const analysis_request *q, const survival_result *s)
{
    char date[GENU_DATE_STRLEN];
    genu_date_format(q->as_of, date);
    genu_buf_printf(b, "{\"event\":\"%s\",\"as_of\":\"%s\",\"strata\":[",
                    survival_event_name(s->event), date);
    for (size_t g = 0; g < s->nstrata; g++) {
        if (g)
            genu_buf_putc(b, ',');
        report_json_curve(b, s->names[g], &s->curves[g]);
    }
    genu_buf_puts(b, "],\"logrank\":");
    report_json_logrank(b, &s->logrank);
    genu_buf_puts(b, "}\n");
}
