/* store_pg_load: the PostgreSQL backend's load of the analysis dataset
 * (store.h store_load_scope): whole tables or a lean scope, every table
 * streamed as a binary COPY, and what a lean load can read on a second
 * connection sharing its snapshot (docs/scaling.md). The SQLite twin is
 * store_sqlite_load.c. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hash.h"
#include "store/contacts.h"
#include "store/pg.h"

static int place(genu_rtype t, genu_record *r, size_t k, genu_dataset *ds, genu_err *err)
{
    if (t == GENU_REC_PATIENT) {
        r->pat = (uint32_t)k; /* store_check_count: it fits */
        return GENU_OK;
    }
    r->pat = k ? r[-1].pat : 0; /* r is recs[k]; rows come by patient: the hint */
    if (!store_patient_at(ds, r->patient, &r->pat))
        return GENU_FAIL(err, GENU_EIO, "registry: %s %s names a missing patient",
                         store_tables[t].name, r->id ? r->id : r->patient);
    /* it pointed into the row until now */
    r->patient = ds->recs[GENU_REC_PATIENT][r->pat].id;
    return GENU_OK;
}

/* The columns a load selects of table t, from seq to the payload. */
static void load_columns(genu_buf *b, genu_rtype t, bool lean)
{
    genu_buf_printf(b, "SELECT seq,%s,patient,knee,date,NULL,%s",
                    lean && t != GENU_REC_PATIENT ? "NULL" : "id",
                    lean ? store_tables[t].lean_cols : store_tables[t].cols);
}

/* A streamed load's destination: rows read into recs[0..cap) as they
 * come (a COPY: the server sends the next rows while this side reads the
 * last), each kept or dropped by the keeper. recs grows as rows come
 * (genu_arena_grow): counting them first would cost the server a pass
 * over the table (a third of a second for the responses of 100,000
 * patients). */
typedef struct load_sink {
    genu_rtype t;
    genu_record *recs;
    size_t n, cap;
    genu_arena *a;
    genu_dataset *ds;
    genu_hash *strings;
    store_keeper keep;
} load_sink;

static int sink_grow(load_sink *k, genu_err *err)
{
    size_t cap = k->cap ? k->cap * 2 : 4096;
    genu_record *v = cap < SIZE_MAX / 2 / sizeof *v ? genu_arena_grow(k->recs, cap * sizeof *v)
                                                    : NULL;
    if (!v)
        return GENU_FAIL(err, GENU_ENOMEM, "out of memory loading %s records",
                         store_tables[k->t].name);
    k->recs = v;
    k->cap = cap;
    return store_check_count(k->t, k->n + 1, err);
}

static int sink_row(const pg_fields *f, void *ctx, genu_err *err)
{
    load_sink *k = ctx;
    if (k->n == k->cap && sink_grow(k, err))
        return err->code;
    genu_record *r = &k->recs[k->n];
    int rc = pg_read_row(f, k->t, false, r, k->a, k->strings, err);
    if (!rc)
        rc = place(k->t, r, k->n, k->ds, err);
    if (!rc)
        rc = store_keeper_row(&k->keep, k->recs, &k->n, err);
    return rc;
}

/* Streams sql into k's records and sets them as ds's of k's type; the
 * arena arrays owns them from then on, even after a failure (the caller
 * has nothing to free). */
static int sink_stream(pg_store *s, load_sink *k, const char *sql, genu_arena *arrays,
                       genu_err *err, const char *what)
{
    int rc = sink_grow(k, err);
    if (!rc)
        rc = pg_copy_rows(s, sql, sink_row, k, err, what);
    if (!rc)
        rc = store_keeper_end(&k->keep, k->recs, &k->n, err);
    if (k->recs && k->n < k->cap / 2) { /* give back the room not used */
        genu_record *v = genu_arena_grow(k->recs, (k->n ? k->n : 1) * sizeof *v);
        k->recs = v ? v : k->recs;
    }
    genu_arena_keep(arrays, k->recs);
    k->ds->n[k->t] = k->n;
    k->ds->recs[k->t] = k->recs;
    return rc;
}

/* The rows of a whole table, streamed. */
static int load_whole(pg_store *s, genu_rtype t, const store_scope *scope, genu_arena *arrays,
                      genu_arena *a, genu_hash *strings, store_contacts *days, genu_dataset *ds,
                      genu_err *err)
{
    load_sink k = {t, NULL, 0, 0, a, ds, strings, {0}};
    store_keeper_init(&k.keep, scope, t, days);
    genu_buf b = GENU_BUF_INIT;
    load_columns(&b, t, scope && scope->lean);
    genu_buf_printf(&b, " FROM %s ORDER BY %s", store_tables[t].name,
                    t == GENU_REC_PATIENT ? PG_ORDER_PATIENTS : PG_ORDER_LOAD);
    int rc = b.oom ? GENU_OOM(err) : sink_stream(s, &k, b.p, arrays, err, "loading records");
    genu_buf_free(&b);
    return rc;
}

/* The rows of one patient (a patient's own row, or its records). */
static int load_one(pg_store *s, genu_rtype t, const char *patient, genu_arena *arrays,
                    genu_arena *a, genu_hash *strings, genu_dataset *ds, genu_err *err)
{
    PGresult *res = pg_run1(s, s->q_load_one[t], patient, err, "loading records");
    if (!res)
        return err->code;
    size_t n = (size_t)PQntuples(res), k = 0;
    genu_record *recs = genu_arena_calloc(arrays, n ? n : 1, sizeof *recs);
    int rc = recs ? GENU_OK
                  : GENU_FAIL(err, GENU_ENOMEM, "out of memory loading %s records",
                              store_tables[t].name);
    for (; !rc && k < n; k++) {
        rc = pg_read_result_row(res, (int)k, t, false, &recs[k], a, strings, err);
        if (!rc)
            rc = place(t, &recs[k], k, ds, err);
    }
    PQclear(res);
    ds->n[t] = k;
    ds->recs[t] = recs;
    return rc;
}

/* The responses of the scope's instruments, and the scope's patient's:
 * the index response_by_instrument answers most of it. */
static int load_instruments(pg_store *s, const store_scope *scope, genu_arena *a,
                            genu_hash *strings, genu_dataset *ds, genu_err *err)
{
    /* instrument ids are [a-z0-9_], so the array's text needs no quoting;
     * the values go into the text (COPY takes no parameters), as literals */
    genu_buf arr = GENU_BUF_INIT, b = GENU_BUF_INIT;
    genu_buf_putc(&arr, '{');
    for (size_t i = 0; i < scope->ninstruments; i++)
        genu_buf_printf(&arr, "%s%s", i ? "," : "", scope->instruments[i]);
    genu_buf_putc(&arr, '}');
    char *ids = arr.oom ? NULL : PQescapeLiteral(s->db, arr.p, arr.len);
    char *pid = scope->patient ? PQescapeLiteral(s->db, scope->patient, strlen(scope->patient))
                               : NULL;
    load_columns(&b, GENU_REC_RESPONSE, scope->lean);
    /* without a patient no OR: the index alone then answers */
    genu_buf_printf(&b, " FROM response WHERE instrument=ANY(%s::text[])", ids ? ids : "");
    if (pid)
        genu_buf_printf(&b, " OR patient=%s", pid);
    load_sink k = {GENU_REC_RESPONSE, NULL, 0, 0, a, ds, strings, {0}};
    store_keeper_init(&k.keep, scope, GENU_REC_RESPONSE, NULL); /* keeps every row */
    int rc = b.oom || !ids || (scope->patient && !pid)
                 ? GENU_OOM(err)
                 : sink_stream(s, &k, b.p, store_scope_arrays(scope, a), err, "loading responses");
    PQfreemem(ids);
    PQfreemem(pid);
    genu_buf_free(&arr);
    genu_buf_free(&b);
    if (!rc) /* not in the query: the server would sort them all before the first */
        qsort(ds->recs[GENU_REC_RESPONSE], ds->n[GENU_REC_RESPONSE], sizeof(genu_record),
              record_dataset_cmp);
    return rc;
}

static int contact_row(const pg_fields *f, void *ctx, genu_err *err)
{
    store_contacts *b = ctx;
    return store_contacts_add(b, (int)pg_field_int(f, 3), pg_field_raw(f, 0), pg_field_raw(f, 1),
                              pg_field_raw(f, 2), err);
}

/* Every distinct (patient, date, knee) of table t, by patient. */
static int contact_rows(void *ctx, int t, store_contacts *b, genu_err *err)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT DISTINCT patient,date,knee,%d FROM %s ORDER BY 1,2,3 NULLS FIRST", t,
             store_tables[t].name);
    return pg_copy_rows(ctx, sql, contact_row, b, err, "reading contact days");
}

/* What a lean load reads beside itself, on a second connection in a
 * second thread while the first loads the other records, so that two
 * server processes read at once: the diagnoses and the responses of the
 * scope's instruments (into an arena of its own, adopted by the load's
 * after) and the contact days. The second connection sees the load's own
 * snapshot (pg_export_snapshot, SET TRANSACTION SNAPSHOT), so both read
 * the same registry. What it could not read (no second connection, a
 * server that cannot export snapshots) the load reads itself. */
typedef struct pg_beside {
    store_days_beside b; /* the days, when b.scope wants them */
    PGconn *model;       /* the load's connection, whose settings the second takes */
    char snapshot[64];
    genu_dataset *ds;
    bool diagnoses, responses; /* read them too */
    genu_arena *ra;            /* theirs: records and strings */
    bool diagnoses_done, responses_done;
} pg_beside;

static void *pg_read_beside(void *arg)
{
    pg_beside *d = arg;
    PQconninfoOption *opts = PQconninfo(d->model);
    const char *keys[64], *vals[64];
    int n = 0;
    for (PQconninfoOption *o = opts; o && o->keyword && n < 63; o++)
        if (o->val && o->val[0]) {
            keys[n] = o->keyword;
            vals[n++] = o->val;
        }
    keys[n] = vals[n] = NULL;
    pg_store two = {.db = opts ? PQconnectdbParams(keys, vals, 0) : NULL};
    PQconninfoFree(opts);
    char begin[160];
    snprintf(begin, sizeof begin,
             "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '%s'",
             d->snapshot);
    if (two.db && PQstatus(two.db) == CONNECTION_OK &&
        pg_exec(&two, begin, &d->b.err, "sharing the load's snapshot") == GENU_OK) {
        two.in_tx = true;
        const store_scope *scope = d->b.scope;
        bool records = d->diagnoses || d->responses;
        genu_hash *strings = records ? genu_hash_create() : NULL;
        if (strings)
            d->ra = genu_arena_create();
        genu_err derr = {0}, rerr = {0}; /* what failed is read again by the load */
        if (d->diagnoses && d->ra)
            d->diagnoses_done = load_whole(&two, GENU_REC_DIAGNOSIS, scope, d->ra, d->ra, strings,
                                           NULL, d->ds, &derr) == GENU_OK;
        if (d->responses && d->ra)
            d->responses_done = load_instruments(&two, scope, d->ra, strings, d->ds, &rerr) ==
                                GENU_OK;
        genu_hash_destroy(strings);
        if (scope->contacts)
            d->b.done = store_contacts_rows(scope, contact_rows, &two, &d->b.days, &d->b.err) ==
                        GENU_OK;
    }
    PQfinish(two.db);
    return NULL;
}

/* The load's snapshot, for a second connection (the first statement of
 * the load's own read transaction, so nothing of it is uncommitted);
 * false on a standby, which this asks first (an error would end the
 * transaction, and a snapshot cannot be exported under a savepoint). */
static bool export_snapshot(pg_store *s, char out[64])
{
    PGresult *r = PQexec(s->db, "SELECT CASE WHEN pg_is_in_recovery() THEN NULL"
                                " ELSE pg_export_snapshot() END");
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
              !PQgetisnull(r, 0, 0) && strlen(PQgetvalue(r, 0, 0)) < 64;
    if (ok)
        snprintf(out, 64, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return ok;
}

int pg_load(genu_store *gs, const store_scope *scope, genu_arena *a, genu_dataset *ds,
            genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    memset(ds, 0, sizeof *ds);
    /* one snapshot, so the dataset is consistent */
    bool own;
    genu_hash *strings = genu_hash_create();
    if (!strings)
        return GENU_OOM(err);
    store_contacts days;
    store_contacts_init(&days, ds);
    /* the diagnoses and responses beside only where the load's arena takes
     * all of them (not into arrays apart, which another version may share) */
    bool apart = !scope || scope->patient || scope->arrays;
    bool diagnoses = !apart && store_scope_whole(scope, GENU_REC_DIAGNOSIS);
    bool responses = !apart && scope->ninstruments && !store_scope_whole(scope, GENU_REC_RESPONSE);
    pg_beside dr = {.b = {.scope = scope}, .model = s->db, .ds = ds, .diagnoses = diagnoses,
                    .responses = responses};
    store_contacts_init(&dr.b.days, ds);
    pthread_t th;
    bool beside = false;
    int rc = pg_read_begin(s, &own, err);
    bool shared = !rc && own && scope && (scope->contacts || responses || diagnoses) &&
                  export_snapshot(s, dr.snapshot);
    for (int t = 0; t < PG_NT && !rc; t++) {
        if (t == GENU_REC_IDENTITY || (beside && t == GENU_REC_DIAGNOSIS && diagnoses))
            continue; /* (the second connection's) */
        if (store_scope_whole(scope, t))
            rc = load_whole(s, t, scope, store_scope_arrays(scope, a), a, strings, &days, ds,
                            err);
        else if (t == GENU_REC_RESPONSE && scope->ninstruments)
            rc = beside && responses ? GENU_OK /* the second connection's */
                                     : load_instruments(s, scope, a, strings, ds, err);
        else if (scope->patient)
            rc = load_one(s, t, scope->patient, store_scope_arrays(scope, a), a, strings, ds,
                          err);
        /* the patients are there: the rest can be read beside */
        if (!rc && t == GENU_REC_PATIENT && shared)
            beside = pthread_create(&th, NULL, pg_read_beside, &dr) == 0;
    }
    if (beside) {
        pthread_join(th, NULL);
        genu_arena_adopt(a, dr.ra); /* what it read, even in part */
        if (diagnoses && !dr.diagnoses_done) { /* read here after all */
            ds->n[GENU_REC_DIAGNOSIS] = 0;
            ds->recs[GENU_REC_DIAGNOSIS] = NULL;
            if (!rc)
                rc = load_whole(s, GENU_REC_DIAGNOSIS, scope, a, a, strings, &days, ds, err);
        }
        if (responses && !dr.responses_done) {
            ds->n[GENU_REC_RESPONSE] = 0;
            ds->recs[GENU_REC_RESPONSE] = NULL;
            if (!rc)
                rc = load_instruments(s, scope, a, strings, ds, err);
        }
    }
    rc = store_contacts_load_beside(scope, beside, &dr.b, contact_rows, s, &days, a, ds, rc, err);
    pg_read_end(s, own);
    genu_hash_destroy(strings);
    return rc;
}

