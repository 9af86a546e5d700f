/* store: picks the backend from the URL and forwards each call. */
#include "store/store.h"

#include <string.h>

#include "store/backend.h"

int store_open(const char *url, bool create, genu_store **out, genu_err *err)
{
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return GENU_FAIL(err, GENU_ENOTSUP,
                         "PostgreSQL registries are not supported by this build (%s)", url);
    return store_sqlite_open(url, create, out, err);
}

void store_close(genu_store *s)
{
    if (s)
        s->ops->close(s);
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

int store_put(genu_store *s, const genu_record *r, store_put_result *res, genu_err *err)
{
    return s->ops->put(s, r, res, err);
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
    return s->ops->load(s, a, ds, err);
}

int store_get_setting(genu_store *s, const char *key, genu_arena *a, const char **out,
                      genu_err *err)
{
    return s->ops->get_setting(s, key, a, out, err);
}

int store_set_setting(genu_store *s, const char *key, const char *value, genu_err *err)
{
    return s->ops->set_setting(s, key, value, err);
}
