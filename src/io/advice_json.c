/* advice_json: one knee's findings as JSON; the shape is documented in
 * docs/advice.md and shared by the CLI and the server. */
#include "io/advice_json.h"

#include <math.h>

#include "model/vocab.h"

static void fact(genu_buf *b, const facts *f, int i, genu_arena *a)
{
    const facts_def *d = facts_at((size_t)i);
    const facts_value *v = &f->v[i];
    genu_buf_puts(b, "{\"fact\":");
    genu_buf_json_str(b, d->name);
    genu_buf_puts(b, ",\"value\":");
    if (!v->known)
        genu_buf_puts(b, "null");
    else if (d->type == FACTS_BOOL)
        genu_buf_puts(b, v->b ? "true" : "false");
    else if (d->type == FACTS_NUM)
        genu_buf_json_num(b, v->d);
    else
        genu_buf_json_str(b, v->s);
    genu_buf_puts(b, ",\"records\":[");
    for (size_t r = 0; r < v->nrec; r++) {
        if (r)
            genu_buf_putc(b, ',');
        genu_buf_json_str(b, v->recs[r]);
    }
    genu_buf_puts(b, "],\"date\":");
    if (v->date == GENU_DATE_NONE) {
        genu_buf_puts(b, "null");
    } else {
        char date[GENU_DATE_STRLEN];
        genu_date_format(v->date, date);
        genu_buf_json_str(b, date);
    }
    /* the value as people read it (the text form's "because") */
    genu_buf_puts(b, ",\"text\":");
    genu_buf_json_str(b, facts_format(d, v, a));
    genu_buf_putc(b, '}');
}

static void similar(genu_buf *b, const rules *rs, const facts_similar *s)
{
    genu_buf_puts(b, "{\"kl_band\":");
    if (s->band)
        genu_buf_json_str(b, s->band);
    else
        genu_buf_puts(b, "null");
    genu_buf_puts(b, ",\"family\":");
    genu_buf_json_str(b, s->family);
    genu_buf_puts(b, ",\"index_kinds\":");
    genu_buf_json_str(b, s->kinds);
    genu_buf_puts(b, ",\"responder\":");
    genu_buf_json_str(b, rs->similar.def.text);
    genu_buf_puts(b, ",\"at\":");
    genu_buf_json_str(b, rs->similar.at.text);
    genu_buf_printf(b, ",\"min\":%zu,\"analysed\":", s->min);
    if (s->computed)
        genu_buf_printf(b, "%zu,\"responders\":%zu", s->analysed, s->responders);
    else
        genu_buf_puts(b, "null,\"responders\":null");
    genu_buf_puts(b, ",\"rate\":");
    genu_buf_json_num(b, s->rate);
    genu_buf_puts(b, ",\"ci95\":");
    if (isnan(s->lo)) {
        genu_buf_puts(b, "null");
    } else {
        genu_buf_putc(b, '[');
        genu_buf_json_num(b, s->lo);
        genu_buf_putc(b, ',');
        genu_buf_json_num(b, s->hi);
        genu_buf_putc(b, ']');
    }
    genu_buf_printf(b, ",\"enough\":%s,\"summary\":", s->enough ? "true" : "false");
    genu_buf_json_str(b, s->summary);
    genu_buf_putc(b, '}');
}

void advice_json_knee(genu_buf *b, const rules *rs, const advice_knee *k, genu_arena *a)
{
    char date[GENU_DATE_STRLEN];
    genu_date_format(k->f.as_of, date);
    genu_buf_puts(b, "{\"patient\":");
    genu_buf_json_str(b, k->f.patient);
    genu_buf_printf(b, ",\"knee\":\"%s\",\"as_of\":\"%s\",\"findings\":[",
                    vocab_knee_name(k->f.knee), date);
    for (size_t i = 0; i < k->n; i++) {
        const advice_finding *x = &k->finding[i];
        genu_buf_puts(b, i ? ",{\"rule\":" : "{\"rule\":");
        genu_buf_json_str(b, x->rule->id);
        genu_buf_puts(b, ",\"title\":");
        genu_buf_json_str(b, x->rule->title);
        genu_buf_printf(b, ",\"level\":\"%s\",\"message\":", rules_level_name(x->rule->level));
        genu_buf_json_str(b, x->message);
        genu_buf_puts(b, ",\"facts\":[");
        for (size_t j = 0; j < x->nfacts; j++) {
            if (j)
                genu_buf_putc(b, ',');
            fact(b, &k->f, x->facts[j], a);
        }
        genu_buf_puts(b, "]}");
    }
    genu_buf_puts(b, "],\"similar_knees\":");
    similar(b, rs, &k->f.similar);
    genu_buf_puts(b, ",\"disclaimer\":");
    genu_buf_json_str(b, ADVICE_DISCLAIMER);
    genu_buf_putc(b, '}');
}
