/* report_json: `genu report --format json` and GET /api/v1/report, shared
 * here so both print the same bytes. Key order and names are the documented,
 * stable interface (docs/analysis.md); numbers at full precision, null where
 * undefined. */
#include "io/report_json.h"

#include <math.h>
#include <stddef.h>

/* A member of a struct written as "key":value. */
typedef enum { COL_NUM, COL_COUNT, COL_STR } column_type;
typedef struct column {
    const char *key;
    size_t offset;
    column_type type; /* double, size_t, const char * */
} column;

/* _Generic makes a member of another type than named a compile error. */
#define NUM(type, f) {#f, offsetof(type, f), _Generic(((type *)0)->f, double: COL_NUM)}
#define COUNT(type, f) {#f, offsetof(type, f), _Generic(((type *)0)->f, size_t: COL_COUNT)}
#define STR(type, f) {#f, offsetof(type, f), _Generic(((type *)0)->f, const char *: COL_STR)}
#define NCOL(t) (sizeof t / sizeof t[0])

static const column count_columns[] = {
    COUNT(claim_counts, entered),       COUNT(claim_counts, eligible),
    COUNT(claim_counts, converted),     COUNT(claim_counts, not_evaluable),
    COUNT(claim_counts, missing),       COUNT(claim_counts, analysed),
    COUNT(claim_counts, responders)};

static const column currency_columns[] = {
    STR(cost_currency, currency), COUNT(cost_currency, knees), COUNT(cost_currency, responders),
    NUM(cost_currency, total), NUM(cost_currency, per_responder)};

static const column km_columns[] = {
    NUM(survival_row, time),     COUNT(survival_row, n_risk), COUNT(survival_row, n_event),
    COUNT(survival_row, n_censor), NUM(survival_row, surv),   NUM(survival_row, std_err),
    NUM(survival_row, lower),    NUM(survival_row, upper)};

static const column cuminc_columns[] = {
    NUM(cuminc_row, time),          COUNT(cuminc_row, n_risk),   COUNT(cuminc_row, n_event),
    COUNT(cuminc_row, n_competing), COUNT(cuminc_row, n_censor), NUM(cuminc_row, cuminc),
    NUM(cuminc_row, std_err)};

/* The object of the ncol columns of the struct at p. */
static void columns_obj(genu_jw *w, const void *p, const column *col, size_t ncol)
{
    genu_jw_obj(w);
    for (size_t j = 0; j < ncol; j++) {
        const char *m = (const char *)p + col[j].offset;
        genu_jw_key(w, col[j].key);
        if (col[j].type == COL_COUNT)
            genu_jw_size(w, *(const size_t *)(const void *)m);
        else if (col[j].type == COL_NUM)
            genu_jw_num(w, *(const double *)(const void *)m);
        else
            genu_jw_str(w, *(const char *const *)(const void *)m);
    }
    genu_jw_end(w);
}

/* An array of the objects of nrow structs of size bytes from rows. */
static void columns_arr(genu_jw *w, const void *rows, size_t nrow, size_t size,
                        const column *col, size_t ncol)
{
    genu_jw_arr(w);
    for (size_t i = 0; i < nrow; i++)
        columns_obj(w, (const char *)rows + i * size, col, ncol);
    genu_jw_end(w);
}

/* "key":[lo,hi], or null when lo is NAN. */
static void interval(genu_jw *w, const char *key, double lo, double hi)
{
    genu_jw_key(w, key);
    if (isnan(lo)) {
        genu_jw_null(w);
        return;
    }
    genu_jw_arr(w);
    genu_jw_num(w, lo);
    genu_jw_num(w, hi);
    genu_jw_end(w);
}

void report_json_interval(genu_jw *w, const char *key, double lo, double hi)
{
    interval(w, key, isnan(hi) ? NAN : lo, hi);
}

void report_json_filters(genu_jw *w, const cohort_filter *f)
{
    genu_jw_obj(w);
    for (size_t i = 0; i < f->nset; i++)
        genu_jw_kstr(w, f->name[i], f->value[i]);
    genu_jw_end(w);
}

/* "as_of":"…","unit":"…" of an answer. */
static void as_of_unit(genu_jw *w, genu_date as_of, cohort_unit unit)
{
    genu_jw_kdate(w, "as_of", as_of);
    genu_jw_kstr(w, "unit", unit == COHORT_UNIT_PATIENT ? "patient" : "knee");
}

void report_json_cost(genu_jw *w, const cost_tally *t)
{
    genu_jw_obj(w);
    genu_jw_ksize(w, "knees_without_cost", t->knees_without_cost);
    genu_jw_ksize(w, "knees_mixed_currency", t->knees_mixed_currency);
    genu_jw_key(w, "currencies");
    columns_arr(w, t->cur, t->ncur, sizeof *t->cur, currency_columns, NCOL(currency_columns));
    genu_jw_end(w);
}

static void header(genu_jw *w, const report *r, const cohort_filter *f)
{
    as_of_unit(w, r->c->as_of, r->c->unit);
    genu_jw_kstr(w, "by", cohort_by_name(r->spec.by));
    genu_jw_key(w, "filters");
    report_json_filters(w, f);
    genu_jw_ksize(w, "entered", r->c->nknee);
    genu_jw_karr(w, "strata");
    for (size_t g = 0; g < r->nstrata; g++) {
        genu_jw_obj(w);
        genu_jw_kstr(w, "stratum", r->strata[g]);
        genu_jw_ksize(w, "entered", r->entered[g]);
        genu_jw_end(w);
    }
    genu_jw_end(w);
}

static void followup(genu_jw *w, const report *r)
{
    genu_jw_karr(w, "followup");
    for (size_t t = 0; t < r->spec.ntp; t++)
        for (size_t g = 0; g < r->nstrata; g++) {
            const report_followup *f = &r->followup[t * r->nstrata + g];
            genu_jw_obj(w);
            genu_jw_kstr(w, "at", r->spec.tps[t].text);
            genu_jw_kstr(w, "stratum", r->strata[g]);
            genu_jw_ksize(w, "due", f->due);
            genu_jw_ksize(w, "done", f->done);
            genu_jw_ksize(w, "missing", f->missing);
            genu_jw_end(w);
        }
    genu_jw_end(w);
}

/* The counts and rates of a responder question, as claim and report give them. */
static void counts_rates(genu_jw *w, const claim_counts *n, const claim_rates *r)
{
    genu_jw_key(w, "counts");
    columns_obj(w, n, count_columns, NCOL(count_columns));
    genu_jw_knum(w, "rate", r->rate);
    interval(w, "ci95", r->lo, r->hi);
    genu_jw_knum(w, "worst_case", r->worst_case);
    genu_jw_knum(w, "best_case", r->best_case);
}

static void comparison(genu_jw *w, const report *r, const report_cmp *c)
{
    genu_jw_obj(w);
    genu_jw_kstr(w, "a", r->strata[c->a]);
    genu_jw_kstr(w, "b", r->strata[c->b]);
    genu_jw_knum(w, "difference", c->diff);
    interval(w, "ci95", c->lo, c->hi);
    genu_jw_kstr(w, "test", c->test == REPORT_TEST_CHISQ    ? "chisq"
                            : c->test == REPORT_TEST_FISHER ? "fisher"
                                                            : NULL);
    genu_jw_knum(w, "statistic", c->statistic);
    genu_jw_knum(w, "p", c->p);
    genu_jw_end(w);
}

static void responders(genu_jw *w, const report *r)
{
    genu_jw_karr(w, "responders");
    for (size_t d = 0; d < r->spec.ndef; d++)
        for (size_t t = 0; t < r->spec.ntp; t++) {
            const responder_def *def = &r->spec.defs[d];
            genu_jw_obj(w);
            genu_jw_kstr(w, "definition", def->text);
            genu_jw_knum(w, "threshold", def->kind == RESPONDER_OMERACT ? NAN : def->threshold);
            genu_jw_kstr(w, "at", r->spec.tps[t].text);
            genu_jw_karr(w, "strata");
            for (size_t g = 0; g < r->nstrata; g++) {
                const report_cell *x = report_cell_at(r, d, t, g);
                genu_jw_obj(w);
                genu_jw_kstr(w, "stratum", r->strata[g]);
                counts_rates(w, &x->n, &x->r);
                genu_jw_key(w, "cost");
                report_json_cost(w, &x->cost);
                genu_jw_end(w);
            }
            genu_jw_end(w);
            genu_jw_karr(w, "comparisons");
            for (size_t j = 0; j < r->npair; j++)
                comparison(w, r, report_cmp_at(r, d, t, j));
            genu_jw_end(w);
            genu_jw_end(w);
        }
    genu_jw_end(w);
}

static void change(genu_jw *w, const report *r)
{
    genu_jw_karr(w, "change");
    for (size_t m = 0; m < r->spec.nchange; m++)
        for (size_t t = 0; t < r->spec.ntp; t++)
            for (size_t g = 0; g < r->nstrata; g++) {
                const stats_mean *sm = report_change_at(r, m, t, g);
                genu_jw_obj(w);
                genu_jw_kstr(w, "measure", r->spec.change[m].name);
                genu_jw_kstr(w, "at", r->spec.tps[t].text);
                genu_jw_kstr(w, "stratum", r->strata[g]);
                genu_jw_ksize(w, "n", sm->n);
                genu_jw_knum(w, "mean", sm->mean);
                genu_jw_knum(w, "sd", sm->sd);
                interval(w, "ci95", sm->lo, sm->hi);
                genu_jw_end(w);
            }
    genu_jw_end(w);
}

/* {"stratum":name,"n":n,"events":events, left open. */
static void stratum_open(genu_jw *w, const char *name, size_t n, size_t events)
{
    genu_jw_obj(w);
    genu_jw_kstr(w, "stratum", name);
    genu_jw_ksize(w, "n", n);
    genu_jw_ksize(w, "events", events);
}

void report_json_curve(genu_jw *w, const char *name, const survival_curve *k)
{
    stratum_open(w, name, k->n, k->events);
    genu_jw_knum(w, "median", k->median);
    genu_jw_karr(w, "median_ci95");
    genu_jw_num(w, k->median_lo);
    genu_jw_num(w, k->median_hi);
    genu_jw_end(w);
    genu_jw_key(w, "curve");
    columns_arr(w, k->rows, k->nrow, sizeof *k->rows, km_columns, NCOL(km_columns));
    genu_jw_end(w);
}

/* A test: {"<stat>":x,"df":N,"p":x}, or null when it is not defined. */
static void test_json(genu_jw *w, bool defined, const char *stat, double x, int df, double p)
{
    if (!defined) {
        genu_jw_null(w);
        return;
    }
    genu_jw_obj(w);
    genu_jw_knum(w, stat, x);
    genu_jw_kint(w, "df", df);
    genu_jw_knum(w, "p", p);
    genu_jw_end(w);
}

void report_json_logrank(genu_jw *w, const survival_logrank *lr)
{
    test_json(w, lr->defined, "chisq", lr->chisq, lr->df, lr->p);
}

static void cuminc_curve_json(genu_jw *w, const char *name, const cuminc_curve *k)
{
    stratum_open(w, name, k->n, k->events);
    genu_jw_ksize(w, "competing_events", k->competing);
    genu_jw_key(w, "curve");
    columns_arr(w, k->rows, k->nrow, sizeof *k->rows, cuminc_columns, NCOL(cuminc_columns));
    genu_jw_end(w);
}

/* "strata":[…],"gray":… of a competing-risks analysis. */
static void competing_strata(genu_jw *w, const durability_competing *r)
{
    genu_jw_karr(w, "strata");
    for (size_t g = 0; g < r->strata.n; g++)
        cuminc_curve_json(w, r->strata.names[g], &r->curves[g]);
    genu_jw_end(w);
    genu_jw_key(w, "gray");
    test_json(w, r->gray.defined, "statistic", r->gray.statistic, r->gray.df, r->gray.p);
}

void report_json_competing(genu_buf *b, survival_event ev, genu_date as_of,
                           const durability_competing *r)
{
    genu_jw w;
    genu_jw_doc(&w, b);
    genu_jw_kstr(&w, "event", survival_event_name(ev));
    genu_jw_kstr(&w, "competing", "death");
    genu_jw_kdate(&w, "as_of", as_of);
    competing_strata(&w, r);
    genu_jw_doc_end(&w);
}

static void cox_terms(genu_jw *w, const durability_cox *r)
{
    const cox_model *m = &r->model;
    genu_jw_karr(w, "terms");
    for (size_t j = 0; j < r->covs.n; j++) {
        const cox_term *t = m->terms ? &m->terms[j] : NULL;
        genu_jw_obj(w);
        genu_jw_kstr(w, "term", covariate_name(r->covs.id[j]));
        genu_jw_knum(w, "coef", t ? t->coef : NAN);
        genu_jw_knum(w, "hazard_ratio", t ? t->hazard_ratio : NAN);
        genu_jw_knum(w, "std_err", t ? t->std_err : NAN);
        genu_jw_knum(w, "std_err_model", t ? t->std_err_model : NAN);
        interval(w, "ci95", t ? t->lower : NAN, t ? t->upper : NAN);
        genu_jw_knum(w, "p", t ? t->p : NAN);
        genu_jw_end(w);
    }
    genu_jw_end(w);
    genu_jw_key(w, "ph_test");
    if (!m->ph) {
        genu_jw_null(w);
        return;
    }
    genu_jw_arr(w);
    for (size_t j = 0; j <= r->covs.n; j++) {
        const cox_test *t = &m->ph[j];
        genu_jw_obj(w);
        genu_jw_kstr(w, "term", j < r->covs.n ? covariate_name(r->covs.id[j]) : "global");
        genu_jw_knum(w, "chisq", t->chisq);
        genu_jw_kint(w, "df", t->df);
        genu_jw_knum(w, "p", t->p);
        genu_jw_end(w);
    }
    genu_jw_end(w);
}

void report_json_cox(genu_buf *b, survival_event ev, genu_date as_of, const durability_cox *r)
{
    const cox_model *m = &r->model;
    genu_jw w;
    genu_jw_doc(&w, b);
    genu_jw_kstr(&w, "event", survival_event_name(ev));
    genu_jw_kdate(&w, "as_of", as_of);
    genu_jw_kobj(&w, "cox");
    genu_jw_karr(&w, "covariates");
    for (size_t j = 0; j < r->covs.n; j++)
        genu_jw_str(&w, covariate_name(r->covs.id[j]));
    genu_jw_end(&w);
    genu_jw_ksize(&w, "n", m->n);
    genu_jw_ksize(&w, "excluded_missing", r->excluded_missing);
    genu_jw_ksize(&w, "events", m->events);
    genu_jw_kbool(&w, "converged", m->converged);
    genu_jw_karr(&w, "loglik");
    genu_jw_num(&w, m->loglik[0]);
    genu_jw_num(&w, m->loglik[1]);
    genu_jw_end(&w);
    cox_terms(&w, r);
    genu_jw_karr(&w, "notes");
    if (m->note)
        genu_jw_str(&w, m->note);
    genu_jw_end(&w);
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
}

static void survival(genu_jw *w, const report *r)
{
    genu_jw_kobj(w, "survival");
    genu_jw_kstr(w, "event", "replacement");
    genu_jw_karr(w, "strata");
    for (size_t g = 0; g < r->nstrata; g++)
        report_json_curve(w, r->strata[g], &r->km[g]);
    genu_jw_end(w);
    genu_jw_key(w, "logrank");
    report_json_logrank(w, &r->logrank);
    genu_jw_key(w, "cumulative_incidence");
    if (r->competing) {
        genu_jw_obj(w);
        genu_jw_kstr(w, "competing", "death");
        competing_strata(w, r->competing);
        genu_jw_end(w);
    } else {
        genu_jw_null(w);
    }
    genu_jw_end(w);
}

void report_json_write(genu_buf *b, const report *r, const cohort_filter *f)
{
    genu_jw w;
    genu_jw_doc(&w, b);
    header(&w, r, f);
    followup(&w, r);
    responders(&w, r);
    change(&w, r);
    survival(&w, r);
    genu_jw_doc_end(&w);
}

void report_json_claim(genu_buf *b, const analysis_request *q, const claim_answer *ans)
{
    genu_jw w;
    genu_jw_doc(&w, b);
    genu_jw_kobj(&w, "claim");
    genu_jw_kstr(&w, "responder", q->defs[0].text);
    genu_jw_kstr(&w, "at", q->at[0].text);
    genu_jw_knum(&w, "expect", q->expect);
    genu_jw_key(&w, "filters");
    report_json_filters(&w, &q->filter);
    genu_jw_end(&w);
    as_of_unit(&w, q->as_of, q->unit);
    genu_jw_kobj(&w, "timepoint");
    genu_jw_kint(&w, "nominal_days", q->at[0].nominal);
    genu_jw_kint(&w, "window_days", q->at[0].half);
    genu_jw_end(&w);
    counts_rates(&w, &ans->counts, &ans->rates);
    genu_jw_kstr(&w, "verdict", claim_verdict_name(ans->verdict));
    if (q->cost) {
        genu_jw_key(&w, "cost");
        report_json_cost(&w, &ans->cost);
    }
    genu_jw_doc_end(&w);
}

void report_json_survival(genu_buf *b, const analysis_request *q, const survival_result *s)
{
    genu_jw w;
    genu_jw_doc(&w, b);
    genu_jw_kstr(&w, "event", survival_event_name(s->event));
    genu_jw_kdate(&w, "as_of", q->as_of);
    genu_jw_karr(&w, "strata");
    for (size_t g = 0; g < s->nstrata; g++)
        report_json_curve(&w, s->names[g], &s->curves[g]);
    genu_jw_end(&w);
    genu_jw_key(&w, "logrank");
    report_json_logrank(&w, &s->logrank);
    genu_jw_doc_end(&w);
}
