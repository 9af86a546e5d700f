/* case_json: `genu case --format json` and GET /api/v1/patients/{id}/case,
 * shared here so both print the same bytes. Key order and names are the
 * documented, stable interface (docs/case.md); values not recorded are null;
 * the narrative is case_text's, as a JSON string. A history in days (a
 * researcher's, deid_case) says "day" where the other says "date", and has
 * no as_of. */
#include "io/case_json.h"

#include <math.h>

#include "model/vocab.h"

static void json_date(genu_buf *b, genu_date d)
{
    char s[GENU_DATE_STRLEN];
    if (d == GENU_DATE_NONE) {
        genu_buf_puts(b, "null");
        return;
    }
    genu_date_format(d, s);
    genu_buf_printf(b, "\"%s\"", s);
}

/* The value of a date: "2009-03-02", or 12 (days from the index) in a
 * history in days; null when there is none. */
static void json_when(genu_buf *b, const case_history *h, genu_date d)
{
    if (!h->in_days)
        json_date(b, d);
    else if (d == GENU_DATE_NONE || h->index == GENU_DATE_NONE)
        genu_buf_puts(b, "null");
    else
        genu_buf_printf(b, "%ld", (long)d - (long)h->index);
}

/* The key of a date: "date", or "day" in a history in days. */
static const char *date_key(const case_history *h)
{
    return h->in_days ? "day" : "date";
}

static void json_knees(genu_buf *b, unsigned k)
{
    genu_buf_printf(b, "[%s%s%s]", k & CASE_LEFT ? "\"left\"" : "",
                    (k & CASE_LEFT) && (k & CASE_RIGHT) ? "," : "",
                    k & CASE_RIGHT ? "\"right\"" : "");
}

static void json_treats(genu_buf *b, const case_history *h, const case_treat *t, size_t n)
{
    genu_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        const vocab_kind *k = vocab_kind_at(t[i].kind);
        genu_buf_printf(b, "%s{\"%s\":", i ? "," : "", date_key(h));
        json_when(b, h, t[i].date);
        genu_buf_printf(b, ",\"knees\":");
        json_knees(b, t[i].knees);
        genu_buf_printf(b, ",\"kind\":\"%s\",\"stage\":%d}", k->name, (int)k->stage);
    }
    genu_buf_putc(b, ']');
}

static void json_series(genu_buf *b, const case_history *h)
{
    genu_buf_putc(b, '[');
    for (size_t i = 0; i < h->nseries; i++) {
        const case_series *s = &h->series[i];
        genu_buf_printf(b, "%s{\"kind\":\"%s\",\"protocol\":", i ? "," : "",
                        vocab_kind_at(s->kind)->name);
        if (s->protocol)
            genu_buf_json_str(b, s->protocol);
        else
            genu_buf_puts(b, "null");
        genu_buf_puts(b, ",\"knees\":");
        json_knees(b, s->knees);
        genu_buf_printf(b, ",\"sites_class\":\"%s\",\"sites\":[",
                        vocab_sites_class_name(vocab_sites_classify(s->sites)));
        const char *sep = "";
        for (size_t j = 0; j < vocab_nsite(); j++)
            if (s->sites & (1u << j)) {
                genu_buf_printf(b, "%s\"%s\"", sep, vocab_site_name((int)j));
                sep = ",";
            }
        genu_buf_printf(b, "],\"%s\":[", h->in_days ? "session_days" : "sessions");
        for (size_t j = 0; j < s->nsess; j++) {
            genu_buf_puts(b, j ? "," : "");
            json_when(b, h, s->dates[j]);
        }
        genu_buf_puts(b, "],\"intervals_days\":[");
        for (size_t j = 1; j < s->nsess; j++)
            genu_buf_printf(b, "%s%d", j > 1 ? "," : "", (int)(s->dates[j] - s->dates[j - 1]));
        genu_buf_puts(b, "],\"cost\":");
        if (isnan(s->cost))
            genu_buf_puts(b, "null");
        else {
            genu_buf_puts(b, "{\"amount\":");
            genu_buf_json_num(b, s->cost);
            genu_buf_puts(b, ",\"currency\":");
            genu_buf_json_str(b, s->currency ? s->currency : "");
            genu_buf_putc(b, '}');
        }
        genu_buf_putc(b, '}');
    }
    genu_buf_putc(b, ']');
}

static void json_pair(genu_buf *b, const char *name, const double v[2])
{
    genu_buf_printf(b, ",\"%s\":{\"left\":", name);
    genu_buf_json_num(b, v[0]);
    genu_buf_puts(b, ",\"right\":");
    genu_buf_json_num(b, v[1]);
    genu_buf_putc(b, '}');
}

static void json_points(genu_buf *b, const case_history *h)
{
    genu_buf_putc(b, '[');
    for (size_t i = 0; i < h->npoint; i++) {
        const case_point *p = &h->points[i];
        genu_buf_printf(b, "%s{\"%s\":", i ? "," : "", date_key(h));
        json_when(b, h, p->date);
        json_pair(b, "nprs", p->nprs);
        json_pair(b, "pain_frequency", p->freq);
        json_pair(b, "global_improvement", p->improvement);
        genu_buf_puts(b, ",\"sleep_interrupted\":");
        genu_buf_puts(b, isnan(p->sleep) ? "null" : p->sleep > 0 ? "true" : "false");
        genu_buf_puts(b, ",\"sleep_nights_per_week\":");
        genu_buf_json_num(b, p->nights);
        genu_buf_puts(b, ",\"patient_global\":");
        genu_buf_json_num(b, p->patient_global);
        genu_buf_putc(b, '}');
    }
    genu_buf_putc(b, ']');
}

/* ,"death":{"date":…,"cause":…} or null */
static void json_death(genu_buf *b, const case_history *h)
{
    genu_buf_puts(b, ",\"death\":");
    if (h->died == GENU_DATE_NONE) {
        genu_buf_puts(b, "null");
        return;
    }
    genu_buf_printf(b, "{\"%s\":", date_key(h));
    json_when(b, h, h->died);
    genu_buf_puts(b, ",\"cause\":");
    if (h->death_cause)
        genu_buf_json_str(b, h->death_cause);
    else
        genu_buf_puts(b, "null");
    genu_buf_putc(b, '}');
}

/* {"patient":{…}, then as_of and first_visit, or in days first_visit_day
 * and each knee's index day */
static void json_head(genu_buf *b, const case_history *h)
{
    genu_buf_puts(b, "{\"patient\":{\"id\":");
    genu_buf_json_str(b, h->id);
    genu_buf_puts(b, ",\"site\":");
    genu_buf_json_str(b, h->site ? h->site : "");
    genu_buf_printf(b, ",\"sex\":\"%s\",\"birth_year\":", vocab_sex_name(h->sex));
    if (h->in_days && h->birth_year <= 0) /* withheld (deid_case) */
        genu_buf_puts(b, "null");
    else
        genu_buf_printf(b, "%d", h->birth_year);
    genu_buf_puts(b, ",\"age_at_first_visit\":");
    if (h->age >= 0)
        genu_buf_printf(b, "%d", h->age);
    else
        genu_buf_puts(b, "null");
    if (h->in_days) {
        genu_buf_printf(b, ",\"age_capped\":%s},\"first_visit_day\":",
                        h->age_capped ? "true" : "false");
        json_when(b, h, h->first_visit);
        genu_buf_puts(b, ",\"knee_index_day\":{\"left\":");
        json_when(b, h, h->knee_index[0]);
        genu_buf_puts(b, ",\"right\":");
        json_when(b, h, h->knee_index[1]);
        genu_buf_putc(b, '}');
        return;
    }
    genu_buf_puts(b, "},\"as_of\":");
    json_date(b, h->as_of);
    genu_buf_puts(b, ",\"first_visit\":");
    json_date(b, h->first_visit);
}

void case_json_write(genu_buf *b, const case_history *h)
{
    json_head(b, h);
    genu_buf_puts(b, ",\"knees\":");
    json_knees(b, h->knees);
    genu_buf_puts(b, ",\"diagnoses\":[");
    for (size_t i = 0; i < h->ndiag; i++) {
        genu_buf_printf(b, "%s{\"%s\":", i ? "," : "", date_key(h));
        json_when(b, h, h->diag[i].date);
        genu_buf_puts(b, ",\"knees\":");
        json_knees(b, h->diag[i].knees);
        genu_buf_printf(b, ",\"condition\":\"%s\",\"kl_grade\":",
                        vocab_condition_name(h->diag[i].condition));
        if (h->diag[i].kl >= 0)
            genu_buf_printf(b, "%d}", h->diag[i].kl);
        else
            genu_buf_puts(b, "null}");
    }
    genu_buf_puts(b, "],\"prior_treatments\":");
    json_treats(b, h, h->prior, h->nprior);
    genu_buf_puts(b, ",\"series\":");
    json_series(b, h);
    genu_buf_puts(b, ",\"timeline\":");
    json_points(b, h);
    genu_buf_puts(b, ",\"adverse_events\":[");
    for (size_t i = 0; i < h->nevent; i++) {
        const case_event *e = &h->events[i];
        genu_buf_printf(b, "%s{\"%s\":", i ? "," : "", date_key(h));
        json_when(b, h, e->date);
        genu_buf_puts(b, ",\"knee\":");
        if (e->knee)
            genu_buf_printf(b, "\"%s\"", vocab_knee_name(e->knee));
        else
            genu_buf_puts(b, "null");
        genu_buf_puts(b, ",\"kind\":");
        genu_buf_json_str(b, e->kind);
        genu_buf_printf(b, ",\"severity\":%d,\"serious\":%s}", e->severity,
                        e->serious ? "true" : "false");
    }
    genu_buf_puts(b, "],\"surgery\":");
    json_treats(b, h, h->surgery, h->nsurgery);
    json_death(b, h);
    genu_buf_puts(b, ",\"narrative\":");
    genu_buf text = GENU_BUF_INIT;
    case_text(h, &text);
    genu_buf_json_str(b, text.p ? text.p : "");
    if (text.oom)
        b->oom = true;
    genu_buf_free(&text);
    genu_buf_puts(b, "}\n");
}
