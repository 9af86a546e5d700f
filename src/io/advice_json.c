/* advice_json: one knee's findings as JSON; the shape is documented in
 * docs/advice.md and shared by the CLI and the server. */
#include "io/advice_json.h"

#include <math.h>

#include "model/vocab.h"

static void fact(genu_jw *w, const facts *f, int i, genu_arena *a)
{
    const facts_def *d = facts_at((size_t)i);
    const facts_value *v = &f->v[i];
    genu_jw_obj(w);
    genu_jw_kstr(w, "fact", d->name);
    genu_jw_key(w, "value");
    if (!v->known)
        genu_jw_null(w);
    else if (d->type == FACTS_BOOL)
        genu_jw_bool(w, v->b);
    else if (d->type == FACTS_NUM)
        genu_jw_num(w, v->d);
    else
        genu_jw_str(w, v->s);
    genu_jw_karr(w, "records");
    for (size_t r = 0; r < v->nrec; r++)
        genu_jw_str(w, v->recs[r]);
    genu_jw_end(w);
    genu_jw_kdate(w, "date", v->date);
    /* the value as people read it (the text form's "because") */
    genu_jw_kstr(w, "text", facts_format(d, v, a));
    genu_jw_end(w);
}

static void similar(genu_jw *w, const rules *rs, const facts_similar *s)
{
    genu_jw_obj(w);
    genu_jw_kstr(w, "kl_band", s->band);
    genu_jw_kstr(w, "family", s->family);
    genu_jw_kstr(w, "index_kinds", s->kinds);
    genu_jw_kstr(w, "responder", rs->similar.def.text);
    genu_jw_kstr(w, "at", rs->similar.at.text);
    genu_jw_ksize(w, "min", s->min);
    if (s->computed) {
        genu_jw_ksize(w, "analysed", s->analysed);
        genu_jw_ksize(w, "responders", s->responders);
    } else {
        genu_jw_knull(w, "analysed");
        genu_jw_knull(w, "responders");
    }
    genu_jw_knum(w, "rate", s->rate);
    genu_jw_key(w, "ci95");
    if (isnan(s->lo)) {
        genu_jw_null(w);
    } else {
        genu_jw_arr(w);
        genu_jw_num(w, s->lo);
        genu_jw_num(w, s->hi);
        genu_jw_end(w);
    }
    genu_jw_kbool(w, "enough", s->enough);
    genu_jw_kstr(w, "summary", s->summary);
    genu_jw_end(w);
}

void advice_json_knee(genu_buf *b, const rules *rs, const advice_knee *k, genu_arena *a)
{
    genu_jw w;
    genu_jw_init(&w, b);
    genu_jw_obj(&w);
    genu_jw_kstr(&w, "patient", k->f.patient);
    genu_jw_kstr(&w, "knee", vocab_knee_name(k->f.knee));
    genu_jw_kdate(&w, "as_of", k->f.as_of);
    genu_jw_karr(&w, "findings");
    for (size_t i = 0; i < k->n; i++) {
        const advice_finding *x = &k->finding[i];
        genu_jw_obj(&w);
        genu_jw_kstr(&w, "rule", x->rule->id);
        genu_jw_kstr(&w, "title", x->rule->title);
        genu_jw_kstr(&w, "level", rules_level_name(x->rule->level));
        genu_jw_kstr(&w, "message", x->message);
        genu_jw_karr(&w, "facts");
        for (size_t j = 0; j < x->nfacts; j++)
            fact(&w, &k->f, x->facts[j], a);
        genu_jw_end(&w);
        genu_jw_end(&w);
    }
    genu_jw_end(&w);
    genu_jw_key(&w, "similar_knees");
    similar(&w, rs, &k->f.similar);
    genu_jw_kstr(&w, "disclaimer", ADVICE_DISCLAIMER);
    genu_jw_end(&w);
}
