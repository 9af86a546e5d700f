/* advice_kept: the advice summary in the registry's setting (advice_kept.h). */
#include "io/advice_kept.h"

#include <string.h>

#include "advice/facts.h"
#include "core/buf.h"

int advice_kept_head(genu_store *s, genu_arena *a, const char **head, genu_err *err)
{
    const char *v;
    int rc = store_get_setting(s, "audit_head", a, &v, err);
    if (!rc)
        *head = v ? v : "";
    return rc;
}

const char *advice_kept_label(const rules *rs, const char *head, genu_date as_of, genu_arena *a)
{
    return summary_label(head, as_of, rs->similar.def.text, rs->similar.at.text, a);
}

int advice_kept_get(genu_store *s, const char *label, genu_arena *a, const summary **out,
                    genu_err *err)
{
    const char *text;
    *out = NULL;
    if (store_get_setting(s, SUMMARY_SETTING, a, &text, err))
        return err->code;
    summary *x = genu_arena_alloc(a, sizeof *x);
    genu_err derr = {0};
    if (!x)
        return GENU_OOM(err);
    if (text && !summary_decode(text, a, x, &derr) && strcmp(x->label, label) == 0)
        *out = x;
    return derr.code == GENU_ENOMEM ? GENU_OOM(err) : GENU_OK;
}

int advice_kept_build(genu_store *s, const genu_dataset *ds, const rules *rs, genu_date as_of,
                      const char *label, genu_arena *a, const summary **out, const char **warn,
                      genu_err *err)
{
    summary *x = genu_arena_alloc(a, sizeof *x);
    *warn = NULL;
    if (!x)
        return GENU_OOM(err);
    if (facts_summarize(ds, as_of, &rs->similar, label, a, x, err))
        return err->code;
    genu_buf b = GENU_BUF_INIT;
    genu_err kerr = {0};
    summary_encode(x, &b);
    if (b.oom)
        GENU_OOM(&kerr);
    else
        store_set_setting(s, SUMMARY_SETTING, b.p, &kerr);
    genu_buf_free(&b);
    if (kerr.code && !(*warn = genu_arena_strdup(a, kerr.msg)))
        return GENU_OOM(err);
    *out = x;
    return GENU_OK;
}
