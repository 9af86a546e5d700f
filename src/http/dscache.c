/* dscache: one shared analysis dataset per registry state (dscache.h). */
#include "http/dscache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define HEAD_MAX 96 /* "seq hash": a 64-bit number and 64 hex digits */

struct dscache_ref {
    genu_arena *a;
    genu_dataset ds;
    char head[HEAD_MAX]; /* the audit head the load saw; "" matches nothing */
    size_t users;
};

struct dscache {
    pthread_mutex_t mu;   /* cur and every ref's users */
    pthread_mutex_t load; /* one load at a time */
    dscache_ref *cur;
};

dscache *dscache_create(void)
{
    dscache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->load, NULL);
    return c;
}

static void ref_free(dscache_ref *r)
{
    if (r) {
        genu_arena_destroy(r->a);
        free(r);
    }
}

void dscache_destroy(dscache *c)
{
    if (!c)
        return;
    ref_free(c->cur);
    pthread_mutex_destroy(&c->load);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* The audit trail's head as the registry has it now ("" for an empty
 * trail): it changes with every change to the records. */
static int head_of(genu_store *s, char out[HEAD_MAX], genu_err *err)
{
    genu_arena *a = genu_arena_create();
    const char *v = NULL;
    if (!a)
        return GENU_OOM(err);
    int rc = store_get_setting(s, "audit_head", a, &v, err);
    if (!rc && v && strlen(v) >= HEAD_MAX)
        rc = GENU_FAIL(err, GENU_EIO, "registry: the audit head is malformed");
    if (!rc)
        memcpy(out, v ? v : "0", v ? strlen(v) + 1 : 2);
    genu_arena_destroy(a);
    return rc;
}

/* The current dataset when it was loaded at head, taken for one more user. */
static dscache_ref *take_if_current(dscache *c, const char *head)
{
    pthread_mutex_lock(&c->mu);
    dscache_ref *r = c->cur && strcmp(c->cur->head, head) == 0 ? c->cur : NULL;
    if (r)
        r->users++;
    pthread_mutex_unlock(&c->mu);
    return r;
}

/* Loads a dataset, labelled with the head seen before the load when the
 * head did not move during it (else with "", so the next request loads
 * again rather than trust a dataset of uncertain state). */
static int load(genu_store *s, const char *head, dscache_ref **out, genu_err *err)
{
    dscache_ref *r = calloc(1, sizeof *r);
    char after[HEAD_MAX];
    int rc = r && (r->a = genu_arena_create()) ? GENU_OK
                                               : GENU_OOM(err);
    if (!rc)
        rc = store_load(s, r->a, &r->ds, err);
    if (!rc)
        rc = head_of(s, after, err);
    if (rc) {
        ref_free(r);
        return rc;
    }
    if (strcmp(after, head) == 0)
        memcpy(r->head, head, strlen(head) + 1);
    r->users = 1;
    *out = r;
    return GENU_OK;
}

int dscache_get(dscache *c, genu_store *s, const genu_dataset **ds, dscache_ref **ref,
                genu_err *err)
{
    char head[HEAD_MAX];
    if (head_of(s, head, err))
        return err->code;
    dscache_ref *r = take_if_current(c, head);
    if (!r) {
        pthread_mutex_lock(&c->load);
        /* whoever held the load lock may have loaded this very state */
        if (!(r = take_if_current(c, head))) {
            int rc = load(s, head, &r, err);
            if (rc) {
                pthread_mutex_unlock(&c->load);
                return rc;
            }
            pthread_mutex_lock(&c->mu);
            dscache_ref *old = c->cur;
            c->cur = r;
            if (old && !old->users)
                ref_free(old);
            pthread_mutex_unlock(&c->mu);
        }
        pthread_mutex_unlock(&c->load);
    }
    *ds = &r->ds;
    *ref = r;
    return GENU_OK;
}

void dscache_release(dscache *c, dscache_ref *ref)
{
    if (!ref)
        return;
    pthread_mutex_lock(&c->mu);
    bool last = --ref->users == 0 && ref != c->cur;
    pthread_mutex_unlock(&c->mu);
    if (last)
        ref_free(ref);
}

int dscache_load(dscache *c, genu_store *s, genu_arena *a, genu_dataset *ds, dscache_ref **ref,
                 genu_err *err)
{
    if (c && *ref) /* a second load in one request replaces the first */
        dscache_release(c, *ref);
    *ref = NULL;
    if (!c)
        return store_load(s, a, ds, err);
    const genu_dataset *shared;
    if (dscache_get(c, s, &shared, ref, err))
        return err->code;
    *ds = *shared;
    return GENU_OK;
}
