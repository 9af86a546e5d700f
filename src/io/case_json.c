/* case_json: `genu case --format json` and GET /api/v1/patients/{id}/case,
 * shared here so both print the same bytes. Key order and names are the
 * documented, stable interface (docs/case.md); values not recorded are null;
 * the narrative is case_text's, as a JSON string. A history in days (a
 * researcher's, deid_case) says "day" where the other says "date", and has
 * no as_of. */
#include "io/case_json.h"

#include <math.h>

#include "model/vocab.h"

/* A date's value: "2009-03-02", or 12 (days from the index) in a history
 * in days; null when there is none. */
static void when(genu_jw *w, const case_history *h, genu_date d)
{
    if (!h->in_days)
        genu_jw_date(w, d);
    else if (d == GENU_DATE_NONE || h->index == GENU_DATE_NONE)
        genu_jw_null(w);
    else
        genu_jw_int(w, (long long)d - (long long)h->index);
}

/* "date": its value, or "day" in a history in days. */
static void kwhen(genu_jw *w, const case_history *h, genu_date d)
{
    genu_jw_key(w, h->in_days ? "day" : "date");
    when(w, h, d);
}

static void knees(genu_jw *w, unsigned k)
{
    genu_jw_karr(w, "knees");
    if (k & CASE_LEFT)
        genu_jw_str(w, "left");
    if (k & CASE_RIGHT)
        genu_jw_str(w, "right");
    genu_jw_end(w);
}

static void treats(genu_jw *w, const char *key, const case_history *h, const case_treat *t,
                   size_t n)
{
    genu_jw_karr(w, key);
    for (size_t i = 0; i < n; i++) {
        const vocab_kind *k = vocab_kind_at(t[i].kind);
        genu_jw_obj(w);
        kwhen(w, h, t[i].date);
        knees(w, t[i].knees);
        genu_jw_kstr(w, "kind", k->name);
        genu_jw_kint(w, "stage", (long long)k->stage);
        genu_jw_end(w);
    }
    genu_jw_end(w);
}

static void series(genu_jw *w, const case_history *h)
{
    genu_jw_karr(w, "series");
    for (size_t i = 0; i < h->nseries; i++) {
        const case_series *s = &h->series[i];
        genu_jw_obj(w);
        genu_jw_kstr(w, "kind", vocab_kind_at(s->kind)->name);
        genu_jw_kstr(w, "protocol", s->protocol);
        knees(w, s->knees);
        genu_jw_kstr(w, "sites_class", vocab_sites_class_name(vocab_sites_classify(s->sites)));
        genu_jw_karr(w, "sites");
        for (size_t j = 0; j < vocab_nsite(); j++)
            if (s->sites & (1u << j))
                genu_jw_str(w, vocab_site_name((int)j));
        genu_jw_end(w);
        genu_jw_karr(w, h->in_days ? "session_days" : "sessions");
        for (size_t j = 0; j < s->nsess; j++)
            when(w, h, s->dates[j]);
        genu_jw_end(w);
        genu_jw_karr(w, "intervals_days");
        for (size_t j = 1; j < s->nsess; j++)
            genu_jw_int(w, (long long)(s->dates[j] - s->dates[j - 1]));
        genu_jw_end(w);
        if (isnan(s->cost)) {
            genu_jw_knull(w, "cost");
        } else {
            genu_jw_kobj(w, "cost");
            genu_jw_knum(w, "amount", s->cost);
            genu_jw_kstr(w, "currency", s->currency ? s->currency : "");
            genu_jw_end(w);
        }
        genu_jw_end(w);
    }
    genu_jw_end(w);
}

static void pair(genu_jw *w, const char *name, const double v[2])
{
    genu_jw_kobj(w, name);
    genu_jw_knum(w, "left", v[0]);
    genu_jw_knum(w, "right", v[1]);
    genu_jw_end(w);
}

static void points(genu_jw *w, const case_history *h)
{
    genu_jw_karr(w, "timeline");
    for (size_t i = 0; i < h->npoint; i++) {
        const case_point *p = &h->points[i];
        genu_jw_obj(w);
        kwhen(w, h, p->date);
        pair(w, "nprs", p->nprs);
        pair(w, "pain_frequency", p->freq);
        pair(w, "global_improvement", p->improvement);
        if (isnan(p->sleep))
            genu_jw_knull(w, "sleep_interrupted");
        else
            genu_jw_kbool(w, "sleep_interrupted", p->sleep > 0);
        genu_jw_knum(w, "sleep_nights_per_week", p->nights);
        genu_jw_knum(w, "patient_global", p->patient_global);
        genu_jw_end(w);
    }
    genu_jw_end(w);
}

/* "death":{"date":…,"cause":…} or null */
static void death(genu_jw *w, const case_history *h)
{
    if (h->died == GENU_DATE_NONE) {
        genu_jw_knull(w, "death");
        return;
    }
    genu_jw_kobj(w, "death");
    kwhen(w, h, h->died);
    genu_jw_kstr(w, "cause", h->death_cause);
    genu_jw_end(w);
}

/* "patient":{…}, then as_of and first_visit, or in days first_visit_day
 * and each knee's index day */
static void head(genu_jw *w, const case_history *h)
{
    genu_jw_kobj(w, "patient");
    genu_jw_kstr(w, "id", h->id);
    genu_jw_kstr(w, "site", h->site ? h->site : "");
    genu_jw_kstr(w, "sex", vocab_sex_name(h->sex));
    if (h->in_days && h->birth_year <= 0) /* withheld (deid_case) */
        genu_jw_knull(w, "birth_year");
    else
        genu_jw_kint(w, "birth_year", h->birth_year);
    if (h->age >= 0)
        genu_jw_kint(w, "age_at_first_visit", h->age);
    else
        genu_jw_knull(w, "age_at_first_visit");
    if (h->in_days) {
        genu_jw_kbool(w, "age_capped", h->age_capped);
        genu_jw_end(w);
        genu_jw_key(w, "first_visit_day");
        when(w, h, h->first_visit);
        genu_jw_kobj(w, "knee_index_day");
        genu_jw_key(w, "left");
        when(w, h, h->knee_index[0]);
        genu_jw_key(w, "right");
        when(w, h, h->knee_index[1]);
        genu_jw_end(w);
        return;
    }
    genu_jw_end(w);
    genu_jw_kdate(w, "as_of", h->as_of);
    genu_jw_kdate(w, "first_visit", h->first_visit);
}

void case_json_write(genu_buf *b, const case_history *h)
{
    genu_jw w;
    genu_jw_doc(&w, b);
    head(&w, h);
    knees(&w, h->knees);
    genu_jw_karr(&w, "diagnoses");
    for (size_t i = 0; i < h->ndiag; i++) {
        genu_jw_obj(&w);
        kwhen(&w, h, h->diag[i].date);
        knees(&w, h->diag[i].knees);
        genu_jw_kstr(&w, "condition", vocab_condition_name(h->diag[i].condition));
        if (h->diag[i].kl >= 0)
            genu_jw_kint(&w, "kl_grade", h->diag[i].kl);
        else
            genu_jw_knull(&w, "kl_grade");
        genu_jw_end(&w);
    }
    genu_jw_end(&w);
    treats(&w, "prior_treatments", h, h->prior, h->nprior);
    series(&w, h);
    points(&w, h);
    genu_jw_karr(&w, "adverse_events");
    for (size_t i = 0; i < h->nevent; i++) {
        const case_event *e = &h->events[i];
        genu_jw_obj(&w);
        kwhen(&w, h, e->date);
        genu_jw_kstr(&w, "knee", e->knee ? vocab_knee_name(e->knee) : NULL);
        genu_jw_kstr(&w, "kind", e->kind);
        genu_jw_kint(&w, "severity", e->severity);
        genu_jw_kbool(&w, "serious", e->serious);
        genu_jw_end(&w);
    }
    genu_jw_end(&w);
    treats(&w, "surgery", h, h->surgery, h->nsurgery);
    death(&w, h);
    genu_buf text = GENU_BUF_INIT;
    case_text(h, &text);
    genu_jw_kstr(&w, "narrative", text.p ? text.p : "");
    if (text.oom)
        b->oom = true;
    genu_buf_free(&text);
    genu_jw_doc_end(&w);
}
