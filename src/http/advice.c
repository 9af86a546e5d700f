/* advice: decision support over HTTP. The rule set is parsed once at
 * start-up (ctx_env.rules, read-only and shared between threads); the
 * dataset is the server's shared one (dscache.h), as the analyses'. */
#include "http/advice.h"

#include <string.h>

#include "advice/advice.h"
#include "advice/facts.h"
#include "http/api.h"
#include "io/advice_json.h"
#include "model/vocab.h"

/* knee and as_of; anything else is a 400. */
static int advice_args(ctx *c, genu_knee *knee, genu_date *as_of)
{
    *knee = GENU_KNEE_NONE;
    *as_of = genu_date_today();
    for (size_t i = 0; i < c->nquery; i++) {
        const char *k = c->qkey[i], *v = c->qval[i];
        if (strcmp(k, "knee") == 0) {
            int kn = vocab_knee(v);
            if (kn < 0) {
                ctx_error(c, 400, "bad_request", "knee", "knee: expected left or right");
                return -1;
            }
            *knee = (genu_knee)kn;
        } else if (strcmp(k, "as_of") == 0) {
            if (api_as_of(c, v, as_of))
                return -1;
        } else {
            ctx_error(c, 400, "bad_request", k, "unknown query argument \"%s\"", k);
            return -1;
        }
    }
    return 0;
}

void advice_get(ctx *c)
{
    genu_err err = {0};
    genu_knee knee;
    genu_date as_of;
    genu_dataset ds;
    const rules *rs = c->env->rules;
    const char *id = genu_arena_strndup(c->arena, c->route.param[0].p, c->route.param[0].n);
    if (!id) {
        ctx_error(c, 500, "internal", NULL, "out of memory");
        return;
    }
    if (advice_args(c, &knee, &as_of) || api_patient_visible(c, id))
        return;
    if (!rs) {
        ctx_error(c, 501, "not_implemented", NULL, "decision support is not configured");
        return;
    }
    if (dscache_load(c->env->datasets, c->read, c->arena, &ds, &c->dataset, &err)) {
        ctx_fail(c, &err);
        return;
    }
    long pat = facts_find_patient(&ds, id);
    if (pat < 0) {
        ctx_error(c, 404, "not_found", NULL, "no patient \"%s\"", id);
        return;
    }
    unsigned knees = knee == GENU_KNEE_LEFT    ? 1u
                     : knee == GENU_KNEE_RIGHT ? 2u
                                               : facts_knees(&ds, (size_t)pat, as_of);
    if (!knees)
        knees = 3u; /* nothing knee-level on record yet: advise on both, as the CLI */
    genu_buf b = GENU_BUF_INIT;
    bool array = knee == GENU_KNEE_NONE;
    int n = 0;
    if (array)
        genu_buf_putc(&b, '[');
    for (int k = 1; k <= 2; k++) {
        advice_knee ak;
        if (!(knees & (unsigned)k))
            continue;
        if (advice_knee_eval(rs, &ds, (size_t)pat, (genu_knee)k, as_of, c->arena, &ak, &err)) {
            genu_buf_free(&b);
            ctx_fail(c, &err);
            return;
        }
        if (n++)
            genu_buf_putc(&b, ',');
        advice_json_knee(&b, rs, &ak, c->arena);
    }
    genu_buf_puts(&b, array ? "]\n" : "\n");
    ctx_json(c, 200);
    genu_buf_free(&c->out);
    c->out = b;
}
