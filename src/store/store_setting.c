/* store_setting: a registry setting an administrator changes, written with
 * its audit row in one transaction; and audit events that change no
 * record. Apart from store_set_setting, which
 * also keeps values that must never reach the trail (deid_key, a secret;
 * the audit chain's own head). The transaction and the audit row are the
 * backend's (backend.h: write_begin, write_end, audit). */
#include "store/store.h"

#include <string.h>

#include "core/buf.h"
#include "store/backend.h"

/* {"value":"..."} into b, or nothing for NULL. */
static void value_doc(genu_buf *b, const char *value)
{
    if (!value)
        return;
    genu_jw w;
    genu_jw_init(&w, b);
    genu_jw_obj(&w);
    genu_jw_kstr(&w, "value", value);
    genu_jw_end(&w);
}

static int put_locked(genu_store *s, const char *key, const char *value, genu_arena *a,
                      bool *changed, genu_err *err)
{
    const char *old;
    if (store_get_setting(s, key, a, &old, err))
        return err->code;
    *changed = !old || strcmp(old, value) != 0;
    if (!*changed)
        return GENU_OK;
    genu_buf before = GENU_BUF_INIT, after = GENU_BUF_INIT;
    value_doc(&before, old);
    value_doc(&after, value);
    int rc = before.oom || after.oom ? GENU_OOM(err) : GENU_OK;
    if (!rc)
        rc = store_set_setting(s, key, value, err);
    if (!rc)
        rc = s->ops->audit(s, old ? "update" : "create", "setting", key, old ? before.p : NULL,
                           after.p, err);
    genu_buf_free(&before);
    genu_buf_free(&after);
    return rc;
}

int store_put_setting(genu_store *s, const char *key, const char *value, genu_arena *a,
                      bool *changed, genu_err *err)
{
    bool own, ch = false;
    if (s->ops->write_begin(s, &own, err))
        return err->code;
    int rc = s->ops->write_end(s, own, put_locked(s, key, value, a, &ch, err), err);
    if (!rc)
        *changed = ch;
    return rc;
}

int store_audit_event(genu_store *s, const char *action, const char *type, const char *id,
                      const char *detail, genu_err *err)
{
    bool own;
    if (s->ops->write_begin(s, &own, err))
        return err->code;
    return s->ops->write_end(s, own, s->ops->audit(s, action, type, id, NULL, detail, err), err);
}
