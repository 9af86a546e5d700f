/* advice: decision support over HTTP. The rule set is parsed once at
 * start-up (ctx_env.rules, read-only and shared between threads); the
 * dataset is the server's shared one (dscache.h), as the analyses'; what
 * advice reads of the other patients comes from the registry summary
 * (io/advice_kept.h), built from that dataset when none is current. */
#include "http/advice.h"

#include <string.h>

#include "advice/advice.h"
#include "advice/facts.h"
#include "http/api.h"
#include "io/advice_json.h"
#include "io/advice_kept.h"
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

/* The registry summary for ds, which is of the registry's state at head
 * `before` when the head read after loading it is the same: the kept one,
 * else built from ds and kept (a summary that cannot be kept is only not
 * kept). *sum NULL when the registry moved: advice reads ds itself. Answers
 * the error and returns -1 on failure. */
static int advice_summary(ctx *c, const genu_dataset *ds, const char *before, const char *after,
                          genu_date as_of, const summary **sum)
{
    genu_err err = {0};
    const char *label, *warn;
    *sum = NULL;
    if (strcmp(before, after) != 0)
        return 0;
    if (!(label = advice_kept_label(c->env->rules, before, as_of, c->arena)))
        GENU_OOM(&err);
    else if (!advice_kept_get(c->read, label, c->arena, sum, &err) && !*sum)
        advice_kept_build(c->store, ds, c->env->rules, as_of, label, c->arena, sum, &warn, &err);
    if (!err.code)
        return 0;
    ctx_fail(c, &err);
    return -1;
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
    /* the heads, the dataset and the kept summary from where the records
     * are read (a replica, when there is one); a summary built is kept on
     * the primary, whence it reaches the replica */
    const char *before, *after;
    if (advice_kept_head(c->read, c->arena, &before, &err) ||
        dscache_load(c->env->datasets, c->read, c->arena, &ds, &c->dataset, &err) ||
        advice_kept_head(c->read, c->arena, &after, &err)) {
        ctx_fail(c, &err);
        return;
    }
    long pat = facts_find_patient(&ds, id);
    if (pat < 0) {
        ctx_error(c, 404, "not_found", NULL, "no patient \"%s\"", id);
        return;
    }
    const summary *sum;
    if (advice_summary(c, &ds, before, after, as_of, &sum))
        return;
    unsigned knees = knee == GENU_KNEE_LEFT    ? 1u
                     : knee == GENU_KNEE_RIGHT ? 2u
                                               : facts_knees(&ds, (size_t)pat, as_of);
    if (!knees)
        knees = 3u; /* nothing knee-level on record yet: advise on both, as the CLI */
    genu_buf b = GENU_BUF_INIT;
    bool array = knee == GENU_KNEE_NONE;
    genu_jw w;
    genu_jw_init(&w, &b);
    if (array)
        genu_jw_arr(&w);
    for (int k = 1; k <= 2; k++) {
        advice_knee ak;
        if (!(knees & (unsigned)k))
            continue;
        if (advice_knee_eval_from(rs, &ds, (size_t)pat, (genu_knee)k, as_of, sum, c->arena, &ak,
                                  &err)) {
            genu_buf_free(&b);
            ctx_fail(c, &err);
            return;
        }
        advice_json_knee(genu_jw_val(&w), rs, &ak, c->arena);
    }
    if (array)
        genu_jw_end(&w);
    genu_buf_putc(&b, '\n');
    ctx_json(c, 200);
    genu_buf_free(&c->out);
    c->out = b;
}
