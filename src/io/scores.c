/* scores: score/notes JSON, as jansson values and as direct text for the
 * hot path of `genu score` (no allocation per line). */
#include "io/scores.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Integral doubles print as integers (100, not 100.0), like genu_buf_json_num. */
static json_t *score_value(double v)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
        return json_integer((json_int_t)v);
    return num_or_null(v);
}

json_t *scores_to_json(const genu_score *s, size_t n)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *key = s[i].key, *dot = strchr(key, '.');
        json_t *parent = o;
        if (dot) {
            char head[64];
            snprintf(head, sizeof head, "%.*s", (int)(dot - key), key);
            parent = json_object_get(o, head);
            if (!json_is_object(parent)) {
                parent = json_object();
                if (json_object_set_new(o, head, parent))
                    goto fail;
            }
            key = dot + 1;
        }
        if (json_object_set_new(parent, key, score_value(s[i].value)))
            goto fail;
    }
    return o;
fail:
    json_decref(o);
    return NULL;
}

json_t *notes_to_json(const char *const *notes, size_t n)
{
    json_t *a = json_array();
    if (!a)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (json_array_append_new(a, json_string(notes[i]))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int scores_append_json(genu_buf *b, const genu_score *s, size_t n)
{
    const char *group = NULL; /* prefix of the open nested object */
    size_t glen = 0;
    genu_jw w;
    genu_jw_init(&w, b);
    genu_jw_obj(&w);
    for (size_t i = 0; i < n; i++) {
        const char *key = s[i].key, *dot = strchr(key, '.');
        size_t plen = dot ? (size_t)(dot - key) : 0;
        bool same = group && dot && plen == glen && memcmp(key, group, glen) == 0;
        if (group && !same) {
            genu_jw_end(&w);
            group = NULL;
        }
        if (dot && !same) {
            char prefix[32]; /* an instrument's id */
            assert(plen < sizeof prefix);
            memcpy(prefix, key, plen);
            prefix[plen] = '\0';
            genu_jw_kobj(&w, prefix);
            group = key;
            glen = plen;
        }
        genu_jw_knum(&w, dot ? dot + 1 : key, s[i].value);
    }
    if (group)
        genu_jw_end(&w);
    genu_jw_end(&w);
    return b->oom ? -1 : 0;
}

int scores_append_notes(genu_buf *b, const instr_result *r)
{
    genu_jw w;
    genu_jw_init(&w, b);
    genu_jw_arr(&w);
    for (size_t i = 0; i < r->nnotes; i++)
        genu_jw_str(&w, r->notes[i]);
    genu_jw_end(&w);
    return b->oom ? -1 : 0;
}
