/* compare_json: the JSON of a comparison (docs/analysis.md, "Adjusted
 * comparisons"). */
#include "io/compare_json.h"

#include "io/report_json.h"

static void group(genu_buf *b, const char *name, const compare_group *g, bool comma)
{
    genu_buf_printf(b, "%s\"%s\":{\"n\":%zu,\"responders\":%zu", comma ? "," : "", name, g->n,
                    g->responders);
    report_json_num(b, "rate", g->rate);
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
    genu_buf_puts(b, "],\"filters\":");
    report_json_filters(b, f);
    char date[GENU_DATE_STRLEN];
    genu_date_format(as_of, date);
    genu_buf_printf(b, "},\"as_of\":\"%s\",\"unit\":\"%s\"", date,
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
    report_json_interval(b, "ci95", r->crude_lo, r->crude_hi);
    genu_buf_printf(b, "},\"logistic\":{\"converged\":%s,\"terms\":[",
                    r->converged ? "true" : "false");
    for (size_t j = 0; j < r->nterm; j++) {
        const compare_term *t = &r->terms[j];
        genu_buf_puts(b, j ? ",{\"term\":" : "{\"term\":");
        genu_buf_json_str(b, t->term);
        report_json_num(b, "coef", t->coef);
        report_json_num(b, "odds_ratio", t->odds_ratio);
        report_json_num(b, "std_err", t->std_err);
        report_json_num(b, "std_err_model", t->std_err_model);
        report_json_interval(b, "ci95", t->lo, t->hi);
        report_json_num(b, "p", t->p);
        genu_buf_putc(b, '}');
    }
    const logistic_std *st = &r->standardised;
    genu_buf_puts(b, "]},\"standardised\":{\"risk_exposed\":");
    genu_buf_json_num(b, st->risk1);
    report_json_num(b, "risk_unexposed", st->risk0);
    report_json_num(b, "difference", st->difference);
    report_json_interval(b, "difference_ci95", st->difference_lo, st->difference_hi);
    report_json_num(b, "ratio", st->ratio);
    report_json_interval(b, "ratio_ci95", st->ratio_lo, st->ratio_hi);
    genu_buf_puts(b, "},\"notes\":[");
    for (size_t i = 0; i < r->nnote; i++) {
        if (i)
            genu_buf_putc(b, ',');
        genu_buf_json_str(b, r->note[i]);
    }
    genu_buf_puts(b, "]}\n");
}
