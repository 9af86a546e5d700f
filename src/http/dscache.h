/* dscache: the analysis dataset (store_load), loaded once and shared by
 * every request that reads it until the registry changes.
 *
 * The cohort report, claims, survival, follow-ups and decision support all
 * start from the whole dataset. Loading it costs seconds and hundreds of
 * MiB on a large registry (about 7 s and 900 MiB for 100,000 patients), far
 * more than the analyses themselves, and a dashboard or a patient page
 * asks for it on every view. So the server keeps the last dataset it
 * loaded with the head of the audit trail at that moment: every change to
 * the registry, through the server or the command line, appends to the
 * trail in the same transaction, so while the head is the same the dataset
 * is what a fresh load would give.
 *
 * A dataset is read-only once loaded and stays valid for a request until
 * it releases it, even when a newer one replaced it meanwhile; the last
 * release of a replaced dataset frees it. One load runs at a time: the
 * requests that arrive during a load wait for it instead of loading the
 * same registry again. Thread-safe. */
#ifndef GENU_HTTP_DSCACHE_H
#define GENU_HTTP_DSCACHE_H

#include "core/err.h"
#include "model/record.h"
#include "store/store.h"

typedef struct dscache dscache;
typedef struct dscache_ref dscache_ref;

/* NULL when out of memory. */
dscache *dscache_create(void);
/* Frees the cache and its dataset; no reference may be outstanding. NULL
 * is a no-op. */
void dscache_destroy(dscache *c);

/* The registry's dataset as s sees it now, in *ds, held by *ref until
 * dscache_release. Loads it with s when the registry changed since the
 * cached one was loaded (or nothing is cached). */
int dscache_get(dscache *c, genu_store *s, const genu_dataset **ds, dscache_ref **ref,
                genu_err *err);
/* NULL is a no-op. */
void dscache_release(dscache *c, dscache_ref *ref);

/* What a request handler calls: the dataset into *ds (a shallow copy of the
 * cached one, held by *ref until dscache_release), or, without a cache
 * (c NULL), loaded from s into the arena a (*ref NULL). */
int dscache_load(dscache *c, genu_store *s, genu_arena *a, genu_dataset *ds, dscache_ref **ref,
                 genu_err *err);

#endif
