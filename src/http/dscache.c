/* dscache: one shared analysis dataset per registry state, loaded once and
 * then patched by what each change touched (dscache.h). */
#include "http/dscache.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define HEAD_MAX 96 /* "seq hash": a 64-bit number and 64 hex digits */

/* A version may borrow the strings of this many earlier ones; past it the
 * next change reloads the dataset whole. */
#define MAX_POOLS 32
/* A change touching more patients than this (an import) reloads whole. */
#define MAX_TOUCHED 256
/* Audit rows read per page while finding what changed. */
#define AUDIT_PAGE 512

/* An arena of strings (ids, sites, score keys...) that several versions of
 * the dataset point into: freed with the last version that does. */
typedef struct pool {
    genu_arena *a;
    size_t refs; /* under dscache.mu */
} pool;

struct dscache_ref {
    genu_dataset ds;
    genu_arena *arrays;    /* the record arrays: this version's own */
    size_t cap[GENU_REC_NTYPES]; /* room in each array, >= ds.n (patch_in_place) */
    pool *pools[MAX_POOLS]; /* the strings it points into, each held */
    size_t npools;
    char head[HEAD_MAX]; /* the audit head the dataset is of; "" matches nothing */
    size_t users;
};

struct dscache {
    pthread_mutex_t mu;   /* cur, every ref's users, every pool's refs, the counts */
    pthread_mutex_t load; /* one load or patch at a time */
    dscache_ref *cur;
    size_t loads, patches, in_place;
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

/* Drops r's hold on its pools; returns those nobody holds any more, to be
 * freed outside the lock, in gone (room for MAX_POOLS). Under c->mu. */
static size_t ref_drop_pools(dscache_ref *r, pool **gone)
{
    size_t n = 0;
    for (size_t i = 0; i < r->npools; i++)
        if (--r->pools[i]->refs == 0)
            gone[n++] = r->pools[i];
    r->npools = 0;
    return n;
}

static void pools_free(pool **gone, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        genu_arena_destroy(gone[i]->a);
        free(gone[i]);
    }
}

/* Frees r, a version nobody uses; under c->mu for the pools' counts. */
static void ref_free_locked(dscache_ref *r, pool **gone, size_t *ngone)
{
    *ngone = ref_drop_pools(r, gone);
    genu_arena_destroy(r->arrays);
    free(r);
}

static void ref_free(dscache *c, dscache_ref *r)
{
    if (!r)
        return;
    pool *gone[MAX_POOLS];
    size_t n;
    pthread_mutex_lock(&c->mu);
    ref_free_locked(r, gone, &n);
    pthread_mutex_unlock(&c->mu);
    pools_free(gone, n);
}

void dscache_destroy(dscache *c)
{
    if (!c)
        return;
    ref_free(c, c->cur);
    pthread_mutex_destroy(&c->load);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

void dscache_counts(dscache *c, size_t *loads, size_t *patches)
{
    pthread_mutex_lock(&c->mu);
    *loads = c->loads;
    *patches = c->patches;
    pthread_mutex_unlock(&c->mu);
}

size_t dscache_patched_in_place(dscache *c)
{
    pthread_mutex_lock(&c->mu);
    size_t n = c->in_place;
    pthread_mutex_unlock(&c->mu);
    return n;
}

/* The audit trail's head as the registry has it now ("0" for an empty
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

/* The sequence number that starts a head ("seq hash"); -1 when none. */
static int64_t head_seq(const char *head)
{
    char *end;
    long long v = strtoll(head, &end, 10);
    return end != head && v >= 0 ? (int64_t)v : -1;
}

/* The current dataset when it is of head, taken for one more user. */
static dscache_ref *take_if_current(dscache *c, const char *head)
{
    pthread_mutex_lock(&c->mu);
    dscache_ref *r = c->cur && strcmp(c->cur->head, head) == 0 ? c->cur : NULL;
    if (r)
        r->users++;
    pthread_mutex_unlock(&c->mu);
    return r;
}

static dscache_ref *ref_new(genu_err *err)
{
    dscache_ref *r = calloc(1, sizeof *r);
    if (r && !(r->arrays = genu_arena_create())) {
        free(r);
        r = NULL;
    }
    if (!r)
        GENU_OOM(err);
    return r;
}

/* A new pool held once by r. */
static int ref_add_pool(dscache_ref *r, genu_arena **strings, genu_err *err)
{
    pool *p = calloc(1, sizeof *p);
    if (!p || !(p->a = genu_arena_create())) {
        free(p);
        return GENU_OOM(err);
    }
    p->refs = 1;
    r->pools[r->npools++] = p;
    *strings = p->a;
    return GENU_OK;
}

/* Labels r with head when the registry's head is still head (else with
 * "", so that the next request loads again rather than trust a dataset of
 * uncertain state). */
static int label(genu_store *s, const char *head, dscache_ref *r, genu_err *err)
{
    char after[HEAD_MAX];
    if (head_of(s, after, err))
        return err->code;
    r->head[0] = '\0';
    if (strcmp(after, head) == 0)
        memcpy(r->head, head, strlen(head) + 1);
    return GENU_OK;
}

/* Loads the whole dataset as of head: arrays and strings apart, so that a
 * later patch can free these arrays and keep the strings. */
static int load(dscache *c, genu_store *s, const char *head, dscache_ref **out, genu_err *err)
{
    dscache_ref *r = ref_new(err);
    genu_arena *strings = NULL;
    if (!r)
        return err->code;
    int rc = ref_add_pool(r, &strings, err);
    store_scope all = {.every = ~0u, .arrays = r->arrays};
    if (!rc)
        rc = store_load_scope(s, &all, strings, &r->ds, err);
    for (int t = 0; !rc && t < GENU_REC_NTYPES; t++)
        r->cap[t] = r->ds.n[t]; /* no room: the first patch copies, with room */
    if (!rc)
        rc = label(s, head, r, err);
    if (rc) {
        ref_free(c, r);
        return rc;
    }
    r->users = 1;
    *out = r;
    return GENU_OK;
}

/* ---- patching -------------------------------------------------------- */

static int cmp_id(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const genu_record *)elem)->id);
}

/* Adds k to the sorted set touched[0..*n) (room for MAX_TOUCHED); false
 * when it is full. */
static bool add_touched(size_t *touched, size_t *n, size_t k)
{
    size_t m = 0;
    while (m < *n && touched[m] < k)
        m++;
    if (m < *n && touched[m] == k)
        return true;
    if (*n == MAX_TOUCHED)
        return false;
    memmove(touched + m + 1, touched + m, (*n - m) * sizeof *touched);
    touched[m] = k;
    (*n)++;
    return true;
}

static bool patient_index(const genu_dataset *ds, const char *pid, size_t *k)
{
    const genu_record *p = pid ? bsearch(pid, ds->recs[GENU_REC_PATIENT],
                                         ds->n[GENU_REC_PATIENT], sizeof *p, cmp_id)
                               : NULL;
    if (p)
        *k = (size_t)(p - ds->recs[GENU_REC_PATIENT]);
    return p != NULL;
}

/* The index in ds of the patient a record's doc names; false when the doc
 * or the patient is not there. */
static bool patient_of(const genu_dataset *ds, const char *doc, size_t *k)
{
    json_t *j = json_loads(doc, 0, NULL);
    bool ok = patient_index(ds, json_string_value(json_object_get(j, "patient")), k);
    json_decref(j);
    return ok;
}

/* The patient(s) of one audit row about a record of type t, added to
 * touched; false when a patch cannot follow. A create's row holds a digest
 * of the doc (audit_chain.h), so the record is read for its patient; gone
 * since, a later delete's row (which holds the doc) names it. An update's
 * and a delete's rows hold the docs before and after: a record may move to
 * another patient. */
static bool row_patients(genu_store *s, const genu_dataset *ds, int t, const store_audit_row *row,
                         genu_arena *a, size_t *touched, size_t *n)
{
    const char *docs[2] = {row->before, row->after};
    for (int d = 0; d < 2; d++) {
        size_t k;
        if (!docs[d])
            continue;
        if (strncmp(docs[d], "sha256:", 7) == 0) {
            genu_record r;
            genu_err e = {0};
            int rc = store_get(s, (genu_rtype)t, row->id, a, &r, &e);
            if (rc == GENU_ENOTFOUND)
                continue;
            if (rc || !patient_index(ds, r.patient, &k) || !add_touched(touched, n, k))
                return false;
        } else if (!patient_of(ds, docs[d], &k) || !add_touched(touched, n, k)) {
            return false;
        }
    }
    return true;
}

/* The patients the audit rows after `from` (a seq) touched, as indexes
 * into ds's patients, sorted and unique, into touched (room for
 * MAX_TOUCHED); *whole when the change is one a patch cannot follow (a
 * patient added, changed or deleted, too many patients, an unreadable
 * row), reading the rows up to seq upto. */
static int touched_patients(genu_store *s, const genu_dataset *ds, int64_t from, int64_t upto,
                            size_t *touched, size_t *n, bool *whole, genu_err *err)
{
    genu_arena *a = genu_arena_create();
    if (!a)
        return GENU_OOM(err);
    *n = 0;
    *whole = false;
    int rc = GENU_OK;
    for (int64_t at = from; !rc && !*whole && at < upto;) {
        store_audit_row *rows;
        size_t nrows;
        if ((rc = store_audit_list(s, at, AUDIT_PAGE, a, &rows, &nrows, err)))
            break;
        if (nrows == 0)
            break;
        for (size_t i = 0; i < nrows && !*whole && rows[i].seq <= upto; i++) {
            int t = record_type_find(rows[i].type);
            if (t < 0 || t == GENU_REC_IDENTITY)
                continue; /* sessions, links, settings, identities: not in the dataset */
            if (t == GENU_REC_PATIENT) {
                *whole = true;
                break;
            }
            if (!row_patients(s, ds, t, &rows[i], a, touched, n))
                *whole = true;
        }
        at = rows[nrows - 1].seq;
        genu_arena_reset(a);
    }
    genu_arena_destroy(a);
    return rc;
}

/* Type t of the new dataset: old's records with those of the touched
 * patients replaced by fresh[j]'s (each a load of touched[j] alone). */
static int merge_type(int t, const genu_dataset *old, const size_t *touched, size_t n,
                      const genu_dataset *fresh, genu_arena *arrays, genu_dataset *out,
                      size_t *cap, genu_err *err)
{
    const genu_record *o = old->recs[t];
    size_t total = old->n[t], at = 0, k = 0;
    for (size_t j = 0; j < n; j++)
        total += fresh[j].n[t];
    /* room for the records of later changes, patched in place */
    *cap = total + total / 64 + 16;
    genu_record *v = genu_arena_alloc(arrays, *cap * sizeof *v);
    if (!v)
        return GENU_OOM(err);
    for (size_t j = 0; j < n; j++) {
        size_t p = touched[j];
        size_t lo = at;
        while (lo < old->n[t] && o[lo].pat < p)
            lo++;
        memcpy(v + k, o + at, (lo - at) * sizeof *v); /* untouched patients before p */
        k += lo - at;
        for (size_t i = 0; i < fresh[j].n[t]; i++) {
            v[k] = fresh[j].recs[t][i];
            v[k].pat = p;
            v[k].patient = old->recs[GENU_REC_PATIENT][p].id;
            k++;
        }
        at = lo;
        while (at < old->n[t] && o[at].pat == p) /* p's records as they were */
            at++;
    }
    memcpy(v + k, o + at, (old->n[t] - at) * sizeof *v);
    k += old->n[t] - at;
    out->recs[t] = v;
    out->n[t] = k;
    return GENU_OK;
}

/* The span of patient p's records in r[0..n) (sorted by patient): *lo, and
 * the end returned. */
static size_t span_of(const genu_record *r, size_t n, size_t p, size_t *lo)
{
    size_t a = 0, b = n;
    while (a < b) { /* the first record of a patient >= p */
        size_t m = a + (b - a) / 2;
        if (r[m].pat < p)
            a = m + 1;
        else
            b = m;
    }
    *lo = a; /* and b == a */
    while (b < n && r[b].pat == p)
        b++;
    return b;
}

/* Takes old for patch_in_place when nobody uses it: from now on nobody can
 * (its head matches no request's) until it is labelled again. */
static bool claim(dscache *c, dscache_ref *old)
{
    pthread_mutex_lock(&c->mu);
    bool mine = old->users == 0 && old->npools > 0;
    if (mine) {
        old->head[0] = '\0';
        old->users = 1;
    }
    pthread_mutex_unlock(&c->mu);
    return mine;
}

/* A change that touched one patient p (a survey answered, a form saved),
 * made in old itself when nobody is reading it and its arrays have room:
 * p's records are read again (their strings into old's newest pool), the
 * records after p's move by how many p gained or lost, and p's new ones
 * are copied in. The cost is that move, a memory copy, not a new dataset.
 * *done false (old untouched, and free again) when it could not be. */
static int patch_in_place(dscache *c, genu_store *s, dscache_ref *old, size_t p,
                          const char *head, bool *done, genu_err *err)
{
    *done = false;
    if (!claim(c, old))
        return GENU_OK;
    genu_arena *scratch = genu_arena_create();
    genu_dataset fresh;
    store_scope one = {.patient = old->ds.recs[GENU_REC_PATIENT][p].id, .arrays = scratch};
    int rc = scratch ? store_load_scope(s, &one, old->pools[old->npools - 1]->a, &fresh, err)
                     : GENU_OOM(err);
    size_t lo[GENU_REC_NTYPES], hi[GENU_REC_NTYPES];
    bool fits = !rc && fresh.n[GENU_REC_PATIENT] == 1;
    for (int t = 0; fits && t < GENU_REC_NTYPES; t++) {
        if (t == GENU_REC_PATIENT || t == GENU_REC_IDENTITY)
            continue;
        hi[t] = span_of(old->ds.recs[t], old->ds.n[t], p, &lo[t]);
        fits = old->ds.n[t] - (hi[t] - lo[t]) + fresh.n[t] <= old->cap[t];
    }
    for (int t = 0; fits && t < GENU_REC_NTYPES; t++) {
        if (t == GENU_REC_PATIENT || t == GENU_REC_IDENTITY)
            continue;
        genu_record *v = old->ds.recs[t];
        size_t n = old->ds.n[t], now = fresh.n[t];
        memmove(v + lo[t] + now, v + hi[t], (n - hi[t]) * sizeof *v);
        for (size_t i = 0; i < now; i++) {
            v[lo[t] + i] = fresh.recs[t][i];
            v[lo[t] + i].pat = (uint32_t)p;
            v[lo[t] + i].patient = old->ds.recs[GENU_REC_PATIENT][p].id;
        }
        old->ds.n[t] = n - (hi[t] - lo[t]) + now;
    }
    genu_arena_destroy(scratch);
    if (fits && !rc)
        rc = label(s, head, old, err);
    *done = fits && !rc;
    pthread_mutex_lock(&c->mu);
    if (*done)
        c->in_place++;
    else
        old->users--; /* free again; with head "" a failure leaves no doubt */
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* The dataset of head made from old (of an earlier head) by reloading the
 * patients the changes in between touched; *out NULL when the change needs
 * a whole load instead. */
static int patch(dscache *c, genu_store *s, dscache_ref *old, const char *head,
                 dscache_ref **out, genu_err *err)
{
    *out = NULL;
    int64_t from = head_seq(old->head), upto = head_seq(head);
    if (from < 0 || upto < from || old->npools >= MAX_POOLS)
        return GENU_OK;
    size_t touched[MAX_TOUCHED], n = 0;
    bool whole = false;
    if (touched_patients(s, &old->ds, from, upto, touched, &n, &whole, err))
        return err->code;
    if (whole)
        return GENU_OK;
    if (n == 1) {
        bool done;
        int rc = patch_in_place(c, s, old, touched[0], head, &done, err);
        if (rc || done) {
            *out = rc ? NULL : old;
            return rc;
        }
    }
    dscache_ref *r = ref_new(err);
    genu_arena *strings = NULL, *scratch = genu_arena_create();
    genu_dataset *fresh = calloc(n ? n : 1, sizeof *fresh);
    int rc = r && scratch && fresh ? ref_add_pool(r, &strings, err) : GENU_OOM(err);
    /* each touched patient's records as they are now: arrays in scratch
     * (merged below), strings in this version's own pool */
    for (size_t j = 0; j < n && !rc; j++) {
        store_scope one = {.patient = old->ds.recs[GENU_REC_PATIENT][touched[j]].id,
                           .arrays = scratch};
        rc = store_load_scope(s, &one, strings, &fresh[j], err);
        if (!rc && fresh[j].n[GENU_REC_PATIENT] != 1)
            whole = true; /* deleted meanwhile: a whole load sorts it out */
    }
    /* the patients are the same: their array is copied, their strings
     * borrowed */
    size_t np = old->ds.n[GENU_REC_PATIENT];
    if (!rc && !whole) {
        r->ds.recs[GENU_REC_PATIENT] = genu_arena_alloc(r->arrays, (np ? np : 1) * sizeof(genu_record));
        if (!r->ds.recs[GENU_REC_PATIENT])
            rc = GENU_OOM(err);
        else if (np)
            memcpy(r->ds.recs[GENU_REC_PATIENT], old->ds.recs[GENU_REC_PATIENT],
                   np * sizeof(genu_record));
        r->ds.n[GENU_REC_PATIENT] = np;
    }
    for (int t = 0; t < GENU_REC_NTYPES && !rc && !whole; t++)
        if (t != GENU_REC_PATIENT && t != GENU_REC_IDENTITY)
            rc = merge_type(t, &old->ds, touched, n, fresh, r->arrays, &r->ds, &r->cap[t], err);
    free(fresh);
    genu_arena_destroy(scratch);
    if (!rc && !whole)
        rc = label(s, head, r, err);
    if (rc || whole) {
        if (r)
            ref_free(c, r);
        return rc;
    }
    /* the strings of every version before, held as long as this one */
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < old->npools; i++) {
        old->pools[i]->refs++;
        r->pools[r->npools++] = old->pools[i];
    }
    pthread_mutex_unlock(&c->mu);
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
        /* whoever held the load lock may have made this very state */
        if (!(r = take_if_current(c, head))) {
            /* the current version stays as it is while this lock is held */
            dscache_ref *old = c->cur;
            int rc = old && old->head[0] ? patch(c, s, old, head, &r, err) : GENU_OK;
            bool patched = !rc && r;
            if (!rc && !r)
                rc = load(c, s, head, &r, err);
            if (rc) {
                pthread_mutex_unlock(&c->load);
                return rc;
            }
            pool *gone[MAX_POOLS];
            size_t ngone = 0;
            pthread_mutex_lock(&c->mu);
            c->cur = r;
            if (patched)
                c->patches++;
            else
                c->loads++;
            if (old && !old->users)
                ref_free_locked(old, gone, &ngone);
            pthread_mutex_unlock(&c->mu);
            pools_free(gone, ngone);
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
    pool *gone[MAX_POOLS];
    size_t ngone = 0;
    pthread_mutex_lock(&c->mu);
    if (--ref->users == 0 && ref != c->cur)
        ref_free_locked(ref, gone, &ngone);
    pthread_mutex_unlock(&c->mu);
    pools_free(gone, ngone);
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
