/* compare_json: the JSON of a comparison (docs/analysis.md, "Adjusted
 * comparisons"). */
#include "io/compare_json.h"

#include <math.h>

static void num(genu_buf *b, const char *key, double v)
{
    genu_buf_printf(b, ",\"%s\":", key);
    genu_buf_json_num(b, v);
}

/* [lo,hi], or null when either is not a number. */
static void interval(genu_buf *b, const char *key, double lo, double hi)
{
    genu_buf_printf(b, ",\"%s\":", key);
    if (isnan(lo) || isnan(hi)) {
        genu_buf_puts(b, "null");
        return;
    }
    genu_buf_putc(b, '[');
    genu_buf_json_num(b, lo);
    genu_buf_putc(b, ',');
    genu_buf_json_num(b, hi);
    genu_buf_putc(b, ']');
}

static void group(genu_buf *b, const char *name, const compare_group *g, bool comma)
{
    genu_buf_printf(b, "%s\"%s\":{\"n\":%zu,\"responders\":%zu", comma ? "," : "", name, g->n,
                    g->responders);
    num(b, "rate", g->rate);
    genu_buf_putc(b, '}');
}

static void header(genu_buf *b, const compare_spec *s, const cohort_filter *f, genu_date as_of,
                   cohort_unit unit)
{
    genu_buf_puts(b, "{\"compare\":{\"responder\":");
    genu_buf_json_str(b, s->def.text);
    genu_buf_puts(b, ",\"at\":");
    genu_buf_json_str(b, s->at.text);
    genu_buf_printf(b, ",\"exposure\":\"%s\",\"adjust\":[", covariate_name(s->exposure));
    for (size_t i = 0; i < s->adjust.n; i++)
        genu_buf_printf(b, "%s\"%s\"", i ? "," : "", covariate_name(s->adjust.id[i]));
    genu_buf_puts(b, "],\"filters\":{");
    for (size_t i = 0; i < f->nset; i++) {
        if (i)
            genu_buf_putc(b, ',');
        genu_buf_json_str(b, f->name[i]);
        genu_buf_putc(b, ':');
        genu_buf_json_str(b, f->value[i]);
    }
    char date[GENU_DATE_STRLEN];
    genu_date_format(as_of, date);
    genu_buf_printf(b, "}},\"as_of\":\"%s\",\"unit\":\"%s\"", date,
                    unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
}

void compare_json_write(genu_buf *b, const compare_spec *s, const compare_result *r,
                        const cohort_filter *f, genu_date as_of, cohort_unit unit)
{
    header(b, s, f, as_of, unit);
    genu_buf_printf(b, ",\"counts\":{\"analysed\":%zu,\"excluded_missing\":%zu,\"n\":%zu}",
                    r->analysed, r->excluded_missing, r->n);
    genu_buf_puts(b, ",\"groups\":{");
    group(b, "exposed", &r->exposed, false);
    group(b, "unexposed", &r->unexposed, true);
    genu_buf_puts(b, "},\"crude\":{\"difference\":");
    genu_buf_json_num(b, r->crude_difference);
    interval(b, "ci95", r->crude_lo, r->crude_hi);
    genu_buf_printf(b, "},\"logistic\":{\"converged\":%s,\"terms\":[",
                    r->converged ? "true" : "false");
    for (size_t j = 0; j < r->nterm; j++) {
        const compare_term *t = &r->terms[j];
        genu_buf_puts(b, j ? ",{\"term\":" : "{\"term\":");
        genu_buf_json_str(b, t->term);
        num(b, "coef", t->coef);
        num(b, "odds_ratio", t->odds_ratio);
        num(b, "std_err", t->std_err);
        num(b, "std_err_model", t->std_err_model);
        interval(b, "ci95", t->lo, t->hi);
        num(b, "p", t->p);
        genu_buf_putc(b, '}');
    }
    const logistic_std *st = &r->standardised;
    genu_buf_puts(b, "]},\"standardised\":{\"risk_exposed\":");
    genu_buf_json_num(b, st->risk1);
    num(b, "risk_unexposed", st->risk0);
    num(b, "difference", st->difference);
    interval(b, "difference_ci95", st->difference_lo, st->difference_hi);
    num(b, "ratio", st->ratio);
    interval(b, "ratio_ci95", st->ratio_lo, st->ratio_hi);
    genu_buf_puts(b, "},\"notes\":[");
    for (size_t i = 0; i < r->nnote; i++) {
        if (i)
            genu_buf_putc(b, ',');
        genu_buf_json_str(b, r->note[i]);
    }
    genu_buf_puts(b, "]}\n");
}
