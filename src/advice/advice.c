/* advice: runs a rule set over one knee and orders the findings so the
 * most pressing come first. */
#include "advice/advice.h"

#include <string.h>

int advice_knee_eval(const rules *rs, const genu_dataset *ds, size_t pat, genu_knee knee,
                     genu_date as_of, genu_arena *a, advice_knee *out, genu_err *err)
{
    return advice_knee_eval_from(rs, ds, pat, knee, as_of, NULL, a, out, err);
}

int advice_knee_eval_from(const rules *rs, const genu_dataset *ds, size_t pat, genu_knee knee,
                          genu_date as_of, const summary *sum, genu_arena *a, advice_knee *out,
                          genu_err *err)
{
    advice_knee k;
    memset(&k, 0, sizeof k);
    int rc = facts_build_from(ds, pat, knee, as_of, &rs->similar, sum, a, &k.f, err);
    if (rc)
        return rc;
    size_t nf = facts_count();
    k.finding = genu_arena_calloc(a, rs->n ? rs->n : 1, sizeof *k.finding);
    if (!k.finding)
        return GENU_OOM(err);
    for (int level = RULES_URGENT; level >= RULES_INFO; level--) {
        for (size_t i = 0; i < rs->n; i++) {
            const rules_rule *r = &rs->rule[i];
            if ((int)r->level != level)
                continue;
            int *used = genu_arena_alloc(a, nf * sizeof *used);
            if (!used)
                return GENU_OOM(err);
            bool fired;
            size_t nused;
            rules_eval(r, &k.f, &fired, used, &nused);
            if (!fired)
                continue;
            advice_finding *x = &k.finding[k.n++];
            x->rule = r;
            x->facts = used;
            x->nfacts = nused;
            if (!(x->message = rules_message(r, &k.f, a)))
                return GENU_OOM(err);
        }
    }
    *out = k;
    return GENU_OK;
}
