/* compare_json: the JSON of a comparison (docs/analysis.md, "Adjusted
 * comparisons"). */
#include "io/compare_json.h"

#include "io/report_json.h"

static void group(genu_jw *w, const char *name, const compare_group *g)
{
    genu_jw_kobj(w, name);
    genu_jw_ksize(w, "n", g->n);
    genu_jw_ksize(w, "responders", g->responders);
    genu_jw_knum(w, "rate", g->rate);
    genu_jw_end(w);
}

static void header(genu_jw *w, const compare_spec *s, const cohort_filter *f, genu_date as_of,
                   cohort_unit unit)
{
    genu_jw_kobj(w, "compare");
    genu_jw_kstr(w, "responder", s->def.text);
    genu_jw_kstr(w, "at", s->at.text);
    genu_jw_kstr(w, "exposure", covariate_name(s->exposure));
    genu_jw_karr(w, "adjust");
    for (size_t i = 0; i < s->adjust.n; i++)
        genu_jw_str(w, covariate_name(s->adjust.id[i]));
    genu_jw_end(w);
    genu_jw_key(w, "filters");
    report_json_filters(w, f);
    genu_jw_end(w);
    genu_jw_kdate(w, "as_of", as_of);
    genu_jw_kstr(w, "unit", unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
}

void compare_json_write(genu_buf *b, const compare_spec *s, const compare_result *r,
                        const cohort_filter *f, genu_date as_of, cohort_unit unit)
{
    genu_jw w;
    genu_jw_doc(&w, b);
    header(&w, s, f, as_of, unit);
    genu_jw_kobj(&w, "counts");
    genu_jw_ksize(&w, "analysed", r->analysed);
    genu_jw_ksize(&w, "excluded_missing", r->excluded_missing);
    genu_jw_ksize(&w, "n", r->n);
    genu_jw_end(&w);
    genu_jw_kobj(&w, "groups");
    group(&w, "exposed", &r->exposed);
    group(&w, "unexposed", &r->unexposed);
    genu_jw_end(&w);
    genu_jw_kobj(&w, "crude");
    genu_jw_knum(&w, "difference", r->crude_difference);
    report_json_interval(&w, "ci95", r->crude_lo, r->crude_hi);
    genu_jw_end(&w);
    genu_jw_kobj(&w, "logistic");
    genu_jw_kbool(&w, "converged", r->converged);
    genu_jw_karr(&w, "terms");
    for (size_t j = 0; j < r->nterm; j++) {
        const compare_term *t = &r->terms[j];
        genu_jw_obj(&w);
        genu_jw_kstr(&w, "term", t->term);
        genu_jw_knum(&w, "coef", t->coef);
        genu_jw_knum(&w, "odds_ratio", t->odds_ratio);
        genu_jw_knum(&w, "std_err", t->std_err);
        genu_jw_knum(&w, "std_err_model", t->std_err_model);
        report_json_interval(&w, "ci95", t->lo, t->hi);
        genu_jw_knum(&w, "p", t->p);
        genu_jw_end(&w);
    }
    genu_jw_end(&w);
    genu_jw_end(&w);
    const logistic_std *st = &r->standardised;
    genu_jw_kobj(&w, "standardised");
    genu_jw_knum(&w, "risk_exposed", st->risk1);
    genu_jw_knum(&w, "risk_unexposed", st->risk0);
    genu_jw_knum(&w, "difference", st->difference);
    report_json_interval(&w, "difference_ci95", st->difference_lo, st->difference_hi);
    genu_jw_knum(&w, "ratio", st->ratio);
    report_json_interval(&w, "ratio_ci95", st->ratio_lo, st->ratio_hi);
    genu_jw_end(&w);
    genu_jw_karr(&w, "notes");
    for (size_t i = 0; i < r->nnote; i++)
        genu_jw_str(&w, r->note[i]);
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
}
