/* policy: what storing and deleting a record means, once for every backend
 * (store.h): a put is added, updated or unchanged by the record's canonical
 * doc, a delete needs the record and no record referring to it, and each
 * change writes one row of the audit trail in the same transaction — the
 * creation's row holding the doc's digest, an update's the doc before and
 * after, a delete's the doc before. The backends supply the primitives
 * (backend.h). */
#include <string.h>

#include "store/audit_chain.h"
#include "store/backend.h"
#include "store/sha256.h"

static int put_locked(genu_store *s, const genu_record *r, store_put_result *res, genu_err *err)
{
    bool added;
    if (s->ops->insert_new(s, r, &added, err))
        return err->code;
    if (added) {
        *res = STORE_ADDED;
        return GENU_OK;
    }
    genu_arena *a = genu_arena_create();
    const char *before = NULL;
    int rc = a ? s->ops->stored_doc(s, r->type, r->id, a, &before, err)
               : GENU_OOM(err);
    if (!rc && before && strcmp(before, r->doc) == 0) {
        *res = STORE_UNCHANGED;
    } else if (!rc) {
        *res = STORE_UPDATED;
        rc = s->ops->update(s, r, err);
        if (!rc)
            rc = s->ops->audit(s, "update", record_type_name(r->type), r->id, before, r->doc,
                               err);
    }
    genu_arena_destroy(a);
    return rc;
}

int store_put(genu_store *s, const genu_record *r, store_put_result *res, genu_err *err)
{
    if ((unsigned)r->type >= GENU_REC_NTYPES || !r->id || !r->patient || !r->doc)
        return GENU_FAIL(err, GENU_EINVAL, "incomplete record");
    bool own;
    if (s->ops->write_begin(s, &own, err))
        return err->code;
    return s->ops->write_end(s, own, put_locked(s, r, res, err), err);
}

static int delete_locked(genu_store *s, genu_rtype type, const char *id, genu_err *err)
{
    const char *name = record_type_name(type);
    genu_arena *a = genu_arena_create();
    const char *before = NULL;
    int rc = a ? s->ops->stored_doc(s, type, id, a, &before, err)
               : GENU_OOM(err);
    if (!rc && !before)
        rc = GENU_FAIL(err, GENU_ENOTFOUND, "no %s \"%s\"", name, id);
    if (!rc) {
        genu_err e = {0};
        rc = s->ops->remove(s, type, id, &e);
        if (rc == GENU_ECONFLICT)
            GENU_FAIL(err, rc, "%s \"%s\" still has records; delete them first", name, id);
        else if (rc)
            GENU_FAIL(err, rc, "%s", e.msg);
    }
    if (!rc)
        rc = s->ops->audit(s, "delete", name, id, before, NULL, err);
    genu_arena_destroy(a);
    return rc;
}

void store_doc_digest(const char *doc, store_digest *out)
{
    sha256(doc, strlen(doc), out->b);
}

int store_stage_audit(genu_store *s, const genu_record *const *recs,
                      const store_digest *const *digests, size_t n, genu_err *err)
{
    if (s->ops->stage_audit)
        return s->ops->stage_audit(s, recs, digests, n, err);
    char digest[AUDIT_DIGEST_LEN];
    for (size_t i = 0; i < n; i++)
        if (s->ops->audit(s, "create", record_type_name(recs[i]->type), recs[i]->id, NULL,
                          audit_chain_digest_of(digests ? digests[i] : NULL, recs[i]->doc,
                                                digest),
                          err))
            return err->code;
    return GENU_OK;
}

int store_delete(genu_store *s, genu_rtype type, const char *id, genu_err *err)
{
    if ((unsigned)type >= GENU_REC_NTYPES || !id)
        return GENU_FAIL(err, GENU_EINVAL, "no such record type");
    bool own;
    if (s->ops->write_begin(s, &own, err))
        return err->code;
    return s->ops->write_end(s, own, delete_locked(s, type, id, err), err);
}

int store_audit_user(genu_store *s, const char *action, const store_user *u, int64_t id,
                     genu_err *err)
{
    genu_buf b = GENU_BUF_INIT;
    audit_chain_user_doc(u, id, &b);
    int rc = b.oom ? GENU_OOM(err)
                   : s->ops->audit(s, action, "user", u->name, NULL, b.p, err);
    genu_buf_free(&b);
    return rc;
}
