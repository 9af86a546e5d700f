/* store_sqlite_load: the SQLite backend's load of the analysis dataset
 * (store.h store_load_scope): whole tables or a lean scope, and the
 * contact days read beside it on a second connection (docs/scaling.md). */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hash.h"
#include "store/columns.h"
#include "store/contacts.h"
#include "store/sq.h"

#define tables store_tables

/* What a load with scope reads of table t: the whole table; the responses
 * of the scope's instruments (the covering index response_by_instrument
 * answers it) and the scope's patient's others; or the scope's patient's
 * own rows. ?1 is the patient, ?2.. the instruments. `what` is the select
 * list ("count(*)" counts). */
static void load_sql(genu_rtype t, const store_scope *scope, const char *what, genu_buf *b)
{
    const char *by = t == GENU_REC_PATIENT ? "id" : "patient";
    genu_buf_printf(b, "SELECT %s FROM %s", what, tables[t].name);
    if (store_scope_whole(scope, t))
        return;
    if (t != GENU_REC_RESPONSE || !scope->ninstruments) {
        genu_buf_printf(b, " WHERE %s=?1", by);
        return;
    }
    genu_buf_puts(b, " WHERE instrument IN (");
    for (size_t i = 0; i < scope->ninstruments; i++)
        genu_buf_printf(b, "%s?%zu", i ? "," : "", i + 2);
    genu_buf_puts(b, ")");
    if (!scope->patient)
        return;
    /* no OR: SQLite would read every row from the table to merge the two */
    genu_buf_printf(b, " UNION ALL SELECT %s FROM response WHERE patient=?1 AND instrument NOT IN (",
                    what);
    for (size_t i = 0; i < scope->ninstruments; i++)
        genu_buf_printf(b, "%s?%zu", i ? "," : "", i + 2);
    genu_buf_puts(b, ")");
}

static int load_prepare(sq_store *s, genu_rtype t, const store_scope *scope, bool count,
                        sqlite3_stmt **st, genu_err *err)
{
    bool lean = scope && scope->lean;
    genu_buf b = GENU_BUF_INIT, what = GENU_BUF_INIT;
    genu_buf_printf(&what, "seq,%s,patient,knee,date,NULL,%s",
                    lean && t != GENU_REC_PATIENT ? "NULL" : "id",
                    lean ? tables[t].lean_cols : tables[t].cols);
    if (count)
        genu_buf_puts(&b, "SELECT count(*) FROM (");
    load_sql(t, scope, what.p ? what.p : "", &b);
    if (count)
        genu_buf_puts(&b, ")");
    else if (t == GENU_REC_PATIENT)
        genu_buf_puts(&b, " ORDER BY id"); /* the dataset's order: indexes are positions */
    else if (t == GENU_REC_TREATMENT && scope && scope->index_kinds)
        /* a patient's rows together, by day: treatment_for_analysis's order */
        genu_buf_puts(&b, " ORDER BY patient,date,seq");
    int rc = b.oom || what.oom ? GENU_OOM(err) : sq_prepare(s, b.p, st, err);
    genu_buf_free(&b);
    genu_buf_free(&what);
    if (rc || store_scope_whole(scope, t))
        return rc;
    if (scope->patient)
        sqlite3_bind_text(*st, 1, scope->patient, -1, SQLITE_STATIC);
    if (t == GENU_REC_RESPONSE)
        for (size_t i = 0; i < scope->ninstruments; i++)
            sqlite3_bind_text(*st, (int)i + 2, scope->instruments[i], -1, SQLITE_STATIC);
    return GENU_OK;
}

/* Reads one table in the order SQLite finds cheapest (for a whole table
 * the analysis indexes, which cover the columns read and are in the
 * dataset's order; treatments kept for an index must come a patient at a
 * time, so they are asked for in that order) and sorts in memory when the
 * order is not the dataset's. Patients come first, by id: other rows find
 * theirs by binary search (store_patient_at), once per run of one
 * patient's rows. */
static int load_type(sq_store *s, genu_rtype t, const store_scope *scope, genu_arena *a,
                     genu_dataset *ds, genu_hash *strings, store_contacts *days,
                     genu_err *err)
{
    size_t n = 0;
    sqlite3_stmt *st;
    if (scope && !store_scope_whole(scope, t) && !scope->patient &&
        !(t == GENU_REC_RESPONSE && scope->ninstruments)) {
        ds->n[t] = 0; /* nothing of this type is asked for */
        ds->recs[t] = NULL;
        return GENU_OK;
    }
    if (load_prepare(s, t, scope, true, &st, err))
        return err->code;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (store_check_count(t, n, err))
        return err->code;
    genu_record *recs = genu_arena_calloc(store_scope_arrays(scope, a), n ? n : 1, sizeof *recs);
    if (!recs)
        return GENU_FAIL(err, GENU_ENOMEM, "out of memory loading %s records", tables[t].name);
    if (load_prepare(s, t, scope, false, &st, err))
        return err->code;
    size_t k = 0;
    store_keeper keep;
    store_keeper_init(&keep, scope, t, days);
    int rc = GENU_OK, step;
    while (!rc && k < n && (step = sqlite3_step(st)) == SQLITE_ROW) {
        genu_record *r = &recs[k];
        rc = sq_read_row(st, t, ROW_LOAD, r, a, strings, err);
        if (rc)
            break;
        if (t == GENU_REC_PATIENT) {
            r->pat = (uint32_t)k; /* store_check_count: it fits */
            r->patient = r->id;
        } else {
            /* a patient's rows mostly follow each other: one lookup per run */
            const char *pid = (const char *)sqlite3_column_text(st, 2);
            r->pat = k ? recs[k - 1].pat : 0; /* and the hint for the next one */
            bool same = k && pid && strcmp(pid, recs[k - 1].patient) == 0;
            if (!same && !store_patient_at(ds, pid, &r->pat))
                rc = GENU_FAIL(err, GENU_EIO, "registry: %s %s names a missing patient",
                               tables[t].name, r->id ? r->id : pid ? pid : "(none)");
            r->patient = rc ? NULL : ds->recs[GENU_REC_PATIENT][r->pat].id;
        }
        if (!rc)
            rc = store_keeper_row(&keep, recs, &k, err);
    }
    if (!rc)
        rc = store_keeper_end(&keep, recs, &k, err);
    sqlite3_finalize(st);
    if (t != GENU_REC_PATIENT && !record_dataset_sorted(recs, k))
        qsort(recs, k, sizeof *recs, record_dataset_cmp);
    ds->n[t] = k;
    ds->recs[t] = recs;
    return rc;
}

/* Every (patient, date, knee) of table t in that order, read from its
 * (patient, date, knee) index alone; store_contacts_add merges the repeats
 * (docs/scaling.md: cheaper than SQLite's DISTINCT). */
static int contact_rows(void *ctx, int t, store_contacts *b, genu_err *err)
{
    sq_store *s = ctx;
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT patient,date,knee FROM %s ORDER BY patient,date,knee",
             tables[t].name);
    sqlite3_stmt *st;
    if (sq_prepare(s, sql, &st, err))
        return err->code;
    int rc = GENU_OK, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = store_contacts_add(b, t, (const char *)sqlite3_column_text(st, 0),
                                (const char *)sqlite3_column_text(st, 1),
                                (const char *)sqlite3_column_text(st, 2), err);
    if (!rc && step != SQLITE_DONE)
        rc = sq_fail(s, err, "reading contact days");
    sqlite3_finalize(st);
    return rc;
}

/* The last audit row's seq (0 for none): every change to the records adds
 * one, so two read transactions that see the same seq see the same
 * records. */
static int audit_seq(sq_store *s, int64_t *seq, genu_err *err)
{
    sqlite3_stmt *st;
    if (sq_prepare(s, "SELECT coalesce(max(seq),0) FROM audit", &st, err))
        return err->code;
    int rc = sqlite3_step(st);
    *seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? GENU_OK : sq_fail(s, err, "reading the audit trail");
}

/* The contact days a lean load reads from rows, read on a connection of
 * their own in a second thread while the first loads the records (the
 * machine's other core). Its work counts only when its read transaction
 * saw the same registry as the load's (the same audit seq); else, or when
 * anything failed, the load reads them itself. */
typedef struct day_reader {
    store_days_beside b;
    const char *path;
    int64_t seq; /* the load's */
} day_reader;

static void *read_days(void *arg)
{
    day_reader *d = arg;
    sq_store s = {0};
    int64_t seq = -1;
    if (sqlite3_open_v2(d->path, &s.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) ==
            SQLITE_OK &&
        sq_exec(&s, "BEGIN", &d->b.err) == GENU_OK) {
        if (audit_seq(&s, &seq, &d->b.err) == GENU_OK && seq == d->seq)
            d->b.done = store_contacts_rows(d->b.scope, contact_rows, &s, &d->b.days,
                                            &d->b.err) == GENU_OK;
        sq_exec(&s, "COMMIT", NULL);
    }
    sqlite3_close(s.db);
    return NULL;
}

int sq_load(genu_store *gs, const store_scope *scope, genu_arena *a, genu_dataset *ds,
                   genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    memset(ds, 0, sizeof *ds);
    genu_hash *strings = genu_hash_create();
    if (!strings)
        return GENU_OOM(err);
    store_contacts days;
    store_contacts_init(&days, ds);
    day_reader dr = {.b = {.scope = scope}, .path = sqlite3_db_filename(s->db, "main")};
    store_contacts_init(&dr.b.days, ds);
    pthread_t th;
    bool beside = false;
    /* one read transaction, so the dataset is a consistent snapshot */
    int rc = sq_exec(s, "BEGIN", err);
    for (int t = 0; t < NT && !rc; t++) {
        if (t == GENU_REC_IDENTITY)
            continue;
        rc = load_type(s, t, scope, a, ds, strings, &days, err);
        /* the patients are there: the days can be read beside the rest
         * (if that cannot start, the load reads them after) */
        genu_err quiet = {0};
        if (!rc && t == GENU_REC_PATIENT && scope && scope->contacts && dr.path && dr.path[0] &&
            audit_seq(s, &dr.seq, &quiet) == GENU_OK)
            beside = pthread_create(&th, NULL, read_days, &dr) == 0;
    }
    if (beside)
        pthread_join(th, NULL);
    rc = store_contacts_load_beside(scope, beside, &dr.b, contact_rows, s, &days, a, ds, rc, err);
    sq_exec(s, rc ? "ROLLBACK" : "COMMIT", rc ? NULL : err);
    genu_hash_destroy(strings);
    return rc ? rc : (err && err->code);
}
