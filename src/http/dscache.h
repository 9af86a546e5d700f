/* dscache: the analysis dataset (store_load), loaded once, shared by every
 * request that reads it, and kept up to date by patching.
 *
 * The cohort report, claims, survival, follow-ups and decision support all
 * start from the whole dataset. Loading it costs seconds and hundreds of
 * MiB on a large registry (about 5 s and 900 MiB for 100,000 patients), far
 * more than the analyses themselves, and a dashboard or a patient page
 * asks for it on every view. So the server keeps the dataset with the head
 * of the audit trail it is of: every change to the registry, through the
 * server or the command line, appends to the trail in the same
 * transaction, so while the head is the same the dataset is what a fresh
 * load would give.
 *
 * When the head has moved, the audit rows since say what changed: rows
 * about no record (sign-ins, survey links, settings, identities) change
 * nothing here, and for records the patients they belong to are loaded
 * again on their own and merged into a new version of the dataset, whose
 * record arrays are copied (memory bandwidth, not reads: docs/scaling.md)
 * and whose strings stay where they are. A patient added, changed or
 * deleted, more than 256 patients touched (an import), or 32 patches in a
 * row load the dataset whole instead.
 *
 * A version is read-only once made and stays valid for a request until it
 * releases it, even when a newer one replaced it meanwhile; the last
 * release of a replaced version frees it. One load or patch runs at a
 * time: the requests that arrive meanwhile wait for it instead of doing
 * the same work again. Thread-safe. */
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

/* How many times the dataset was loaded whole, and patched (tests and
 * benchmarks tell the two apart with these). */
void dscache_counts(dscache *c, size_t *loads, size_t *patches);
/* How many of the patches were made in the dataset itself (a change to
 * one patient while no request read the dataset), not in a copy. */
size_t dscache_patched_in_place(dscache *c);

/* What a request handler calls: the dataset into *ds (a shallow copy of the
 * cached one, held by *ref until dscache_release), or, without a cache
 * (c NULL), loaded from s into the arena a (*ref NULL). */
int dscache_load(dscache *c, genu_store *s, genu_arena *a, genu_dataset *ds, dscache_ref **ref,
                 genu_err *err);

#endif
