/* store: picks the backend from the URL and forwards each call. */
#include "store/store.h"

#include <string.h>

#include "instruments/instrument.h"
#include "store/backend.h"
#include "store/pg.h"

static bool is_pg(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

bool store_url_is_pg(const char *url)
{
    return url && is_pg(url);
}

int store_open(const char *url, bool create, genu_store **out, genu_err *err)
{
    int mode = create ? STORE_MODE_CREATE : STORE_MODE_OPEN;
    if (is_pg(url))
        return store_pg_open(url, mode, NULL, out, err);
    return store_sqlite_open(url, mode, NULL, NULL, out, err);
}

int store_open_read(const char *url, genu_store **out, genu_err *err)
{
    if (!is_pg(url))
        return GENU_FAIL(err, GENU_ENOTSUP,
                         "a read-only registry must be PostgreSQL (a postgresql:// URL), not "
                         "\"%s\"",
                         url);
    return store_pg_open(url, STORE_MODE_READ, NULL, out, err);
}

int store_migrate(const char *url, const char *backup, int *from, int *to, genu_err *err)
{
    genu_store *s = NULL;
    int v = 0, rc;
    if (is_pg(url) && backup)
        return GENU_FAIL(err, GENU_ENOTSUP,
                         "--backup: on PostgreSQL back up with pg_dump before migrating "
                         "(docs/operations.md, Upgrade)");
    rc = is_pg(url) ? store_pg_open(url, STORE_MODE_MIGRATE, &v, &s, err)
                    : store_sqlite_open(url, STORE_MODE_MIGRATE, backup, &v, &s, err);
    if (rc)
        return rc;
    *from = v;
    *to = store_schema_version(s);
    store_close(s);
    return GENU_OK;
}

int store_check_version(int v, int latest, int mode, genu_err *err)
{
    if (v == 0 && mode != STORE_MODE_CREATE)
        return GENU_FAIL(err, GENU_ENOTFOUND, "not a genu registry (create one with genu init)");
    if (v > latest)
        return GENU_FAIL(err, GENU_ENOTSUP,
                         "registry schema version %d is newer than this genu (%d)", v, latest);
    if (v > 0 && v < latest && mode != STORE_MODE_MIGRATE)
        return GENU_FAIL(err, GENU_ENOTSUP,
                         "registry schema version %d is older than this genu (%d): back it up "
                         "and run genu migrate (docs/operations.md, Upgrade)",
                         v, latest);
    return GENU_OK;
}

int store_schema_latest(void)
{
    return store_sqlite_schema_latest();
}

void store_close(genu_store *s)
{
    if (s)
        s->ops->close(s);
}

bool store_connected(genu_store *s)
{
    return !s->ops->connected || s->ops->connected(s);
}

int store_schema_version(genu_store *s)
{
    return s->ops->schema_version(s);
}

const char *store_backend(const genu_store *s)
{
    return s->ops->name;
}

int store_begin(genu_store *s, genu_err *err)
{
    return s->ops->begin(s, err);
}

int store_commit(genu_store *s, genu_err *err)
{
    return s->ops->commit(s, err);
}

void store_rollback(genu_store *s)
{
    s->ops->rollback(s);
}

int store_savepoint(genu_store *s, genu_err *err)
{
    return s->ops->savepoint(s, err);
}

int store_release(genu_store *s, genu_err *err)
{
    return s->ops->release(s, err);
}

void store_rollback_to(genu_store *s)
{
    s->ops->rollback_to(s);
}

int store_put_many(genu_store *s, const genu_record *const *recs, size_t n,
                   store_put_result *res, size_t *failed, genu_err *err)
{
    if (s->ops->put_many)
        return s->ops->put_many(s, recs, n, res, failed, err);
    for (size_t i = 0; i < n; i++) {
        if (store_put(s, recs[i], &res[i], err)) {
            *failed = i;
            return err->code;
        }
    }
    return GENU_OK;
}

int store_cache_limit(genu_store *s, size_t bytes, genu_err *err)
{
    return s->ops->cache_limit ? s->ops->cache_limit(s, bytes, err) : GENU_OK;
}

bool store_can_stage(const genu_store *s)
{
    return s->ops->stage_new != NULL;
}

int store_stage_new(genu_store *s, const genu_record *const *recs, size_t n, bool *all_new,
                    genu_err *err)
{
    *all_new = true;
    return n ? s->ops->stage_new(s, recs, n, all_new, err) : GENU_OK;
}

int store_has(genu_store *s, genu_rtype type, const char *id, bool *out, genu_err *err)
{
    return s->ops->has(s, type, id, out, err);
}

int store_count(genu_store *s, genu_rtype type, size_t *out, genu_err *err)
{
    return s->ops->count(s, type, out, err);
}

int store_each(genu_store *s, bool skip_identity, store_each_fn fn, void *ctx, genu_err *err)
{
    return s->ops->each(s, skip_identity, fn, ctx, err);
}

int store_load(genu_store *s, genu_arena *a, genu_dataset *ds, genu_err *err)
{
    return s->ops->load(s, NULL, a, ds, err);
}

int store_load_scope(genu_store *s, const store_scope *scope, genu_arena *a, genu_dataset *ds,
                     genu_err *err)
{
    /* records are placed under their patient: whole types need every patient */
    if (scope && scope->every && !(scope->every & (1u << GENU_REC_PATIENT)))
        return GENU_FAIL(err, GENU_EINVAL, "a load of whole record types needs every patient");
    if (scope && !scope->patient && (scope->every & (1u << GENU_REC_PATIENT)) == 0)
        return GENU_FAIL(err, GENU_EINVAL, "a partial load needs a patient");
    if (scope && scope->ninstruments && !scope->every)
        return GENU_FAIL(err, GENU_EINVAL, "a load of some instruments needs every patient");
    if (scope && scope->contacts && !(scope->every & (1u << GENU_REC_PATIENT)))
        return GENU_FAIL(err, GENU_EINVAL, "a load of contact days needs every patient");
    for (size_t i = 0; scope && i < scope->ninstruments; i++)
        if (!instrument_find(scope->instruments[i]))
            return GENU_FAIL(err, GENU_EINVAL, "a load of responses to an unknown instrument "
                                               "\"%s\"", scope->instruments[i]);
    if (scope && scope->index_kinds && !store_scope_whole(scope, GENU_REC_TREATMENT))
        return GENU_FAIL(err, GENU_EINVAL, "a load of index treatments needs every treatment");
    int rc = s->ops->load(s, scope, a, ds, err);
    if (!rc && scope && scope->index_kinds) {
        ds->index_kinds = scope->index_kinds;
        ds->index_costs = scope->index_costs;
    }
    if (!rc && scope && !scope->contacts)
        for (int t = 0; t < GENU_REC_NTYPES; t++)
            if (t != GENU_REC_IDENTITY && t != GENU_REC_MESSAGE && !store_scope_whole(scope, t))
                ds->partial = true;
    return rc;
}

int store_get_setting(genu_store *s, const char *key, genu_arena *a, const char **out,
                      genu_err *err)
{
    return s->ops->get_setting(s, key, a, out, err);
}

int store_set_setting(genu_store *s, const char *key, const char *value, genu_err *err)
{
    return s->ops->set_setting(s, key, value, false, err);
}

int store_add_setting(genu_store *s, const char *key, const char *value, genu_err *err)
{
    return s->ops->set_setting(s, key, value, true, err);
}

int store_set_actor(genu_store *s, const char *actor, genu_err *err)
{
    if (!actor || !*actor || strlen(actor) >= sizeof s->actor)
        return GENU_FAIL(err, GENU_EINVAL, "actor must be 1 to %zu bytes", sizeof s->actor - 1);
    memcpy(s->actor, actor, strlen(actor) + 1);
    return GENU_OK;
}

int store_get(genu_store *s, genu_rtype type, const char *id, genu_arena *a, genu_record *out,
              genu_err *err)
{
    return s->ops->get(s, type, id, a, out, err);
}

int store_user_put(genu_store *s, const store_user *u, int64_t *id, genu_err *err)
{
    return s->ops->user_put(s, u, id, err);
}

int store_user_get(genu_store *s, const char *name, int64_t id, genu_arena *a, store_user *out,
                   genu_err *err)
{
    return s->ops->user_get(s, name, id, a, out, err);
}

int store_user_list(genu_store *s, genu_arena *a, store_user **out, size_t *n, genu_err *err)
{
    return s->ops->user_list(s, a, out, n, err);
}

int store_session_put(genu_store *s, const char *token_hash, int64_t user, const char *csrf,
                      int64_t expires_us, int64_t ends_us, genu_err *err)
{
    return s->ops->session_put(s, token_hash, user, csrf, expires_us, ends_us, err);
}

int store_session_touch(genu_store *s, const char *token_hash, int64_t until_us,
                        int64_t slack_us, genu_err *err)
{
    return s->ops->session_touch(s, token_hash, until_us, slack_us, err);
}

int store_session_get(genu_store *s, const char *token_hash, int64_t now_us, genu_arena *a,
                      int64_t *user, const char **csrf, genu_err *err)
{
    return s->ops->session_get(s, token_hash, now_us, a, user, csrf, err);
}

int store_session_delete(genu_store *s, const char *token_hash, genu_err *err)
{
    return s->ops->session_delete(s, token_hash, err);
}

int store_survey_put(genu_store *s, const store_survey *v, genu_err *err)
{
    return s->ops->survey_put(s, v, err);
}

int store_survey_get(genu_store *s, const char *token_hash, genu_arena *a, store_survey *out,
                     genu_err *err)
{
    return s->ops->survey_get(s, token_hash, a, out, err);
}

int store_survey_use(genu_store *s, const char *token_hash, int64_t now_us, genu_err *err)
{
    return s->ops->survey_use(s, token_hash, now_us, err);
}

int store_audit_list(genu_store *s, int64_t after_seq, size_t limit, genu_arena *a,
                     store_audit_row **rows, size_t *n, genu_err *err)
{
    return s->ops->audit_list(s, after_seq, limit, a, rows, n, err);
}

int store_audit_verify(genu_store *s, int64_t *broken, size_t *checked, char *why, size_t whylen,
                       genu_err *err)
{
    return s->ops->audit_verify(s, broken, checked, why, whylen, err);
}

int store_backup(genu_store *s, const char *path, genu_err *err)
{
    return s->ops->backup(s, path, err);
}

int store_list(genu_store *s, genu_rtype type, const store_query *q, genu_arena *a,
               genu_record **out, size_t *n, size_t *total, genu_err *err)
{
    return s->ops->list(s, type, q, a, out, n, total, err);
}
