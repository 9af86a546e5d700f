/* store_pg_batch: many puts in few round trips, for imports (libpq's
 * pipeline mode).
 *
 * store_put costs a round trip per record, so an import waits on the
 * network and the server in turn instead of at once. pg_put_many does what
 * the same store_put calls would, with the same statements and audit rows,
 * a chunk of records at a time:
 *
 *  1. one query per record type in the chunk reads the stored docs of the
 *     chunk's ids (id = ANY($1)), so each record is known to be new,
 *     unchanged or changed before anything is written;
 *  2. when the chunk only adds records (an import of new data), they and
 *     their audit rows are loaded with COPY, a table at a time, patients
 *     first, inside a savepoint;
 *  3. otherwise — or when the COPY fails, which rolls back to the savepoint
 *     — the writes (an insert with its audit row for a new record; an
 *     update, then its audit row, for a changed one) go out in one
 *     pipeline, the audit chain advancing on the client as each is sent,
 *     and their results are read after one sync. Because each statement
 *     is one record's, a failure names its record exactly.
 *
 * Step 1 needs no query for a table that was empty when the call began
 * (an import into a new registry): under the writers' lock the only rows
 * it can hold are those this call wrote, which the call remembers.
 *
 * The writers' advisory lock is held throughout (the transaction is a write
 * transaction), so no one changes the rows between 1 and 2. A chunk never
 * holds the same (type, id) twice: a repeated record starts the next chunk,
 * so it sees the first one as a later store_put would. A chunk is small
 * enough that the results the server writes while we are still sending fit
 * in the socket buffers (and libpq reads while it waits to write anyway).
 * When a statement fails PostgreSQL aborts the rest of the pipeline and the
 * transaction; *failed names the record whose statement failed. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hash.h"
#include "store/audit_chain.h"
#include "store/pg.h"

#define CHUNK 4096

/* What was sent for one record of the chunk. */
typedef enum { SENT_NOTHING, SENT_INSERT, SENT_UPDATE } sent_kind;

/* What one pg_put_many call knows across its chunks. */
typedef struct many {
    const genu_record *const *recs;
    bool fresh[PG_NT];       /* the table was empty when the call began */
    genu_hash *seen[PG_NT];  /* fresh tables: id -> index of its first record */
    size_t *latest;          /* by that index: the last record written with the id */
} many;

typedef struct chunk {
    const genu_record *const *recs; /* the chunk's records */
    size_t n;
    const char *before[CHUNK];      /* stored doc, NULL when new */
    sent_kind sent[CHUNK];
    PGresult *docs[PG_NT];          /* holds the before[] strings */
    genu_hash *ids[PG_NT];          /* id -> index in the chunk */
} chunk;

static void chunk_clear(chunk *c)
{
    for (int t = 0; t < PG_NT; t++) {
        PQclear(c->docs[t]);
        c->docs[t] = NULL;
        genu_hash_destroy(c->ids[t]);
        c->ids[t] = NULL;
    }
}

/* Takes up to CHUNK records from recs[0..n), stopping before a (type, id)
 * the chunk already holds. */
static int chunk_fill(chunk *c, const genu_record *const *recs, size_t n, genu_err *err)
{
    c->recs = recs;
    c->n = 0;
    while (c->n < n && c->n < CHUNK) {
        const genu_record *r = recs[c->n];
        if ((unsigned)r->type >= PG_NT || !r->id || !r->patient || !r->doc)
            return GENU_FAIL(err, GENU_EINVAL, "incomplete record");
        genu_hash **h = &c->ids[r->type];
        if (!*h && !(*h = genu_hash_create()))
            return GENU_OOM(err);
        int added = genu_hash_put(*h, r->id, c->n, NULL);
        if (added < 0)
            return GENU_OOM(err);
        if (added == 0)
            break;
        c->before[c->n] = NULL;
        c->sent[c->n] = SENT_NOTHING;
        c->n++;
    }
    return GENU_OK;
}

/* Appends s to a text[] literal, quoted. */
static void array_item(genu_buf *b, const char *s)
{
    genu_buf_putc(b, b->len ? ',' : '{');
    genu_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            genu_buf_putc(b, '\\');
        genu_buf_putc(b, *s);
    }
    genu_buf_putc(b, '"');
}

/* ---- step 1: the stored doc of each record of the chunk that exists ---- */

/* Which record tables are empty, inside the write transaction. */
/* "SELECT NOT EXISTS(SELECT 1 FROM patient), ..." over every record table,
 * built once (a prepared statement is keyed by its text's address). */
static char q_fresh[1024];
static pthread_once_t q_fresh_once = PTHREAD_ONCE_INIT;

static void build_q_fresh(void)
{
    size_t at = 0;
    for (int t = 0; t < PG_NT; t++) {
        int w = snprintf(q_fresh + at, sizeof q_fresh - at, "%sNOT EXISTS(SELECT 1 FROM %s)",
                         t ? ", " : "SELECT ", store_tables[t].name);
        assert(w > 0 && (size_t)w < sizeof q_fresh - at);
        at += (size_t)w;
    }
}

static int many_init(pg_store *s, many *m, const genu_record *const *recs, size_t n,
                     genu_err *err)
{
    pthread_once(&q_fresh_once, build_q_fresh);
    m->recs = recs;
    PGresult *r = pg_run(s, q_fresh, NULL, err, "looking at the registry");
    if (!r)
        return err->code;
    for (int t = 0; t < PG_NT; t++)
        m->fresh[t] = strcmp(PQgetvalue(r, 0, t), "t") == 0;
    PQclear(r);
    if (!(m->latest = malloc((n ? n : 1) * sizeof *m->latest)))
        return GENU_OOM(err);
    return GENU_OK;
}

static void many_free(many *m)
{
    for (int t = 0; t < PG_NT; t++)
        genu_hash_destroy(m->seen[t]);
    free(m->latest);
}

/* Remembers the chunk's records (recs[base..]) of fresh tables, written. */
static int many_note(many *m, const chunk *c, size_t base, genu_err *err)
{
    for (size_t k = 0; k < c->n; k++) {
        const genu_record *r = c->recs[k];
        genu_hash **h = &m->seen[r->type];
        size_t first;
        if (!m->fresh[r->type])
            continue;
        if (!*h && !(*h = genu_hash_create()))
            return GENU_OOM(err);
        int added = genu_hash_put(*h, r->id, base + k, &first);
        if (added < 0)
            return GENU_OOM(err);
        m->latest[added ? base + k : first] = base + k;
    }
    return GENU_OK;
}

/* A fresh table's stored docs are the ones this call wrote. */
static void lookup_fresh(const many *m, chunk *c, int t)
{
    for (size_t k = 0; k < c->n; k++) {
        size_t first;
        const genu_record *r = c->recs[k];
        if (r->type == (genu_rtype)t && m->seen[t] && genu_hash_get(m->seen[t], r->id, &first))
            c->before[k] = m->recs[m->latest[first]]->doc;
    }
}

static int chunk_lookup(pg_store *s, const many *m, chunk *c, genu_err *err)
{
    genu_buf b = GENU_BUF_INIT;
    int rc = GENU_OK;
    for (int t = 0; t < PG_NT && !rc; t++) {
        if (!c->ids[t])
            continue;
        if (m->fresh[t]) {
            lookup_fresh(m, c, t);
            continue;
        }
        genu_buf_clear(&b);
        for (size_t k = 0; k < c->n; k++)
            if (c->recs[k]->type == (genu_rtype)t)
                array_item(&b, c->recs[k]->id);
        genu_buf_putc(&b, '}');
        if (b.oom) {
            rc = GENU_OOM(err);
            break;
        }
        pg_params p = {0};
        pg_p_text(&p, b.p);
        c->docs[t] = pg_run(s, s->q_docs[t], &p, err, "looking up records");
        if (!c->docs[t]) {
            rc = err->code;
            break;
        }
        for (int row = 0; row < PQntuples(c->docs[t]); row++) {
            size_t k;
            if (genu_hash_get(c->ids[t], PQgetvalue(c->docs[t], row, 0), &k))
                c->before[k] = PQgetvalue(c->docs[t], row, 1);
        }
    }
    genu_buf_free(&b);
    return rc;
}

/* ---- step 2: COPY ---- */

/* Appends one COPY text-format field: \N for NULL, else v with backslash,
 * newline, carriage return and tab escaped. */
static void copy_field(genu_buf *b, const char *v, bool first)
{
    if (!first)
        genu_buf_putc(b, '\t');
    if (!v) {
        genu_buf_puts(b, "\\N");
        return;
    }
    for (const char *run = v;; v++) {
        const char *esc = *v == '\\' ? "\\\\" : *v == '\n' ? "\\n" : *v == '\r' ? "\\r"
                        : *v == '\t' ? "\\t" : NULL;
        if (!esc && *v)
            continue;
        genu_buf_append(b, run, (size_t)(v - run));
        if (!*v)
            return;
        genu_buf_puts(b, esc);
        run = v + 1;
    }
}

static void copy_row(genu_buf *b, const pg_params *p)
{
    for (int i = 0; i < p->n; i++)
        copy_field(b, p->v[i], i == 0);
    genu_buf_putc(b, '\n');
}

/* Runs COPY sql FROM STDIN with the rows in b. */
static int copy_in(pg_store *s, const char *sql, const genu_buf *b, genu_err *err)
{
    PGresult *r = PQexec(s->db, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN)
        return pg_fail(s, r, err, "loading records");
    PQclear(r);
    bool sent = PQputCopyData(s->db, b->p, (int)b->len) == 1;
    if (PQputCopyEnd(s->db, sent ? NULL : "genu could not send the rows") != 1)
        return pg_fail(s, NULL, err, "loading records");
    int rc = GENU_OK;
    while ((r = PQgetResult(s->db)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
            rc = pg_fail(s, r, err, "loading records");
        else
            PQclear(r);
    }
    return rc;
}

/* Appends r's row of its table in COPY text. */
static int copy_record(genu_buf *b, const genu_record *r, genu_err *err)
{
    char *tmp[2] = {NULL, NULL};
    char date[GENU_DATE_STRLEN];
    pg_params p = {0};
    int rc = pg_bind_record(&p, r, NULL, NULL, tmp, date);
    if (!rc)
        copy_row(b, &p);
    free(tmp[0]);
    free(tmp[1]);
    return rc ? GENU_FAIL(err, rc, "out of memory storing a %s", record_type_name(r->type))
              : GENU_OK;
}

/* COPY of the rows in b (when any) into type t's table. */
static int copy_table(pg_store *s, int t, const genu_buf *b, genu_err *err)
{
    if (!b->len)
        return GENU_OK;
    if (b->oom || b->len > 1u << 30)
        return GENU_OOM(err);
    char sql[400];
    snprintf(sql, sizeof sql, "COPY %s(id,patient,knee,date,doc,%s) FROM STDIN",
             store_tables[t].name, store_tables[t].cols);
    return copy_in(s, sql, b, err);
}

/* The rows of the chunk's new records of type t, then COPY. */
static int copy_type(pg_store *s, const chunk *c, int t, genu_buf *b, genu_err *err)
{
    genu_buf_clear(b);
    for (size_t k = 0; k < c->n; k++)
        if (c->recs[k]->type == (genu_rtype)t && !c->before[k] &&
            copy_record(b, c->recs[k], err))
            return err->code;
    return copy_table(s, t, b, err);
}

/* Appends the creation row of r to the audit trail's COPY text in b, the
 * chain advancing. */
/* given: r's doc's digest when computed already, else NULL */
static int copy_audit_row(pg_store *s, const genu_record *r, const store_digest *given,
                          genu_buf *b, genu_err *err)
{
    store_audit_row ar;
    char hash[65], digest[AUDIT_DIGEST_LEN];
    if (pg_audit_next(s, "create", record_type_name(r->type), r->id, NULL,
                      audit_chain_digest_of(given, r->doc, digest), &ar, hash, err))
        return err->code;
    pg_params p = {0};
    pg_p_int(&p, ar.seq);
    pg_p_int(&p, ar.at_us);
    pg_p_text(&p, ar.actor);
    pg_p_text(&p, ar.action);
    pg_p_text(&p, ar.type);
    pg_p_text(&p, ar.id);
    pg_p_text(&p, NULL);
    pg_p_text(&p, ar.after);
    pg_p_text(&p, ar.prev);
    pg_p_text(&p, hash);
    copy_row(b, &p);
    pg_audit_advance(s, &ar, hash);
    return GENU_OK;
}

static int copy_audit_in(pg_store *s, const genu_buf *b, genu_err *err)
{
    if (b->oom || b->len > 1u << 30)
        return GENU_OOM(err);
    return copy_in(s, "COPY audit(seq,at_us,actor,action,type,record_id,before,after,prev,hash)"
                      " FROM STDIN", b, err);
}

/* The audit rows of the chunk's new records, in the chunk's order. */
static int copy_audit(pg_store *s, const chunk *c, genu_buf *b, genu_err *err)
{
    genu_buf_clear(b);
    for (size_t k = 0; k < c->n; k++)
        if (!c->before[k] && copy_audit_row(s, c->recs[k], NULL, b, err))
            return err->code;
    return copy_audit_in(s, b, err);
}

/* Step 2: a chunk that only adds records, by COPY inside a savepoint.
 * GENU_OK when loaded; otherwise nothing of it is kept (the audit chain's
 * head included) and *retry says whether step 3 can still run. */
static int chunk_copy(pg_store *s, chunk *c, store_put_result *res, bool *retry, genu_err *err)
{
    *retry = false;
    bool known = s->chain_known;
    int64_t seq = s->chain_seq;
    char hash[65];
    memcpy(hash, s->chain_hash, sizeof hash);
    if (pg_exec(s, "SAVEPOINT genu_many", err, "taking a savepoint"))
        return err->code;
    genu_buf b = GENU_BUF_INIT;
    int rc = GENU_OK;
    for (int t = 0; t < PG_NT && !rc; t++) /* patients first: the others refer to them */
        if (c->ids[t])
            rc = copy_type(s, c, t, &b, err);
    if (!rc)
        rc = copy_audit(s, c, &b, err);
    genu_buf_free(&b);
    if (!rc && !pg_exec(s, "RELEASE SAVEPOINT genu_many", err, "releasing a savepoint")) {
        for (size_t k = 0; k < c->n; k++)
            res[k] = c->before[k] ? STORE_UNCHANGED : STORE_ADDED;
        return GENU_OK;
    }
    if (PQstatus(s->db) != CONNECTION_OK)
        return err->code;
    genu_err ignored = {0};
    if (pg_exec(s, "ROLLBACK TO SAVEPOINT genu_many; RELEASE SAVEPOINT genu_many", &ignored,
                "rolling back a load"))
        return err->code;
    s->chain_known = known;
    s->chain_seq = seq;
    memcpy(s->chain_hash, hash, sizeof hash);
    *retry = true;
    return err->code;
}

/* ---- step 3: a pipeline ---- */

/* Sends sql with r's parameters into the pipeline. */
static int send_record(pg_store *s, const char *sql, const genu_record *r,
                       const store_audit_row *ar, const char *hash, genu_err *err)
{
    char *tmp[2] = {NULL, NULL};
    char date[GENU_DATE_STRLEN], name[16];
    pg_params p = {0};
    int rc = pg_bind_record(&p, r, ar, hash, tmp, date);
    if (rc)
        rc = GENU_FAIL(err, rc, "out of memory storing a %s", record_type_name(r->type));
    else if (!(rc = pg_prepared(s, sql, name, err)) &&
             !PQsendQueryPrepared(s->db, name, p.n, p.v, NULL, NULL, 0))
        rc = pg_fail(s, NULL, err, "storing a record");
    free(tmp[0]);
    free(tmp[1]);
    return rc;
}

/* Sends each record's writes; res gets each outcome. */
static int chunk_send(pg_store *s, chunk *c, store_put_result *res, size_t *failed,
                      genu_err *err)
{
    for (size_t k = 0; k < c->n; k++) {
        const genu_record *r = c->recs[k];
        const char *type = record_type_name(r->type);
        int rc;
        if (c->before[k] && strcmp(c->before[k], r->doc) == 0) {
            res[k] = STORE_UNCHANGED;
            continue;
        }
        if (!c->before[k]) {
            store_audit_row ar;
            char hash[65], digest[AUDIT_DIGEST_LEN];
            audit_chain_digest(r->doc, digest);
            rc = pg_audit_next(s, "create", type, r->id, NULL, digest, &ar, hash, err);
            if (!rc)
                rc = send_record(s, s->q_insert_audited[r->type], r, &ar, hash, err);
            if (!rc)
                pg_audit_advance(s, &ar, hash);
            c->sent[k] = SENT_INSERT;
            res[k] = STORE_ADDED;
        } else {
            rc = send_record(s, s->q_update[r->type], r, NULL, NULL, err);
            if (!rc)
                rc = pg_audit_send(s, "update", type, r->id, c->before[k], r->doc, err);
            c->sent[k] = SENT_UPDATE;
            res[k] = STORE_UPDATED;
        }
        if (rc) {
            *failed = k;
            return rc;
        }
    }
    return GENU_OK;
}

/* The result of one pipelined statement: GENU_OK when it succeeded and
 * touched exactly one row (want_one) or any number. Consumes the NULL that
 * ends it. */
static int read_one(pg_store *s, bool want_one, genu_err *err)
{
    PGresult *r = PQgetResult(s->db);
    if (!r)
        return pg_fail(s, NULL, err, "storing records");
    int rc = GENU_OK;
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_PIPELINE_ABORTED) {
        PQclear(r);
        rc = GENU_FAIL(err, GENU_EIO, "registry: storing records: the pipeline was aborted");
    } else if (st != PGRES_COMMAND_OK) {
        rc = pg_fail(s, r, err, "storing a record");
    } else {
        /* cannot happen under the writers' lock: the lookup said otherwise */
        if (want_one && strcmp(PQcmdTuples(r), "1") != 0)
            rc = GENU_FAIL(err, GENU_ECONFLICT, "registry: a record changed while it was "
                                                "being stored");
        PQclear(r);
    }
    while ((r = PQgetResult(s->db)) != NULL) /* the end of this statement's results */
        PQclear(r);
    return rc;
}

/* The results, in the order sent, then the sync. The first
 * failure is kept (later statements only report the abort). */
static int chunk_collect(pg_store *s, chunk *c, size_t *failed, genu_err *err)
{
    int rc = GENU_OK;
    genu_err later = {0};
    for (size_t k = 0; k < c->n && PQstatus(s->db) == CONNECTION_OK; k++) {
        int nstmt = c->sent[k] == SENT_INSERT ? 1 : c->sent[k] == SENT_UPDATE ? 2 : 0;
        for (int j = 0; j < nstmt; j++) {
            int r = read_one(s, j == 0, rc ? &later : err);
            if (r && !rc) {
                rc = r;
                *failed = k;
            }
        }
    }
    /* the sync's own result ends the pipeline */
    PGresult *r;
    while (PQstatus(s->db) == CONNECTION_OK && (r = PQgetResult(s->db)) != NULL) {
        bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync)
            break;
    }
    if (!rc && PQstatus(s->db) != CONNECTION_OK)
        rc = pg_fail(s, NULL, err, "storing records");
    return rc;
}

/* One chunk: look up; load, or prepare, send, sync and collect. */
static int chunk_put(pg_store *s, const many *m, chunk *c, store_put_result *res,
                     size_t *failed, genu_err *err)
{
    *failed = c->n;
    if (chunk_lookup(s, m, c, err) || pg_audit_ready(s, err))
        return err->code;
    bool adds_only = true, adds = false;
    for (size_t k = 0; k < c->n; k++) {
        adds |= !c->before[k];
        adds_only &= !c->before[k] || strcmp(c->before[k], c->recs[k]->doc) == 0;
    }
    if (adds && adds_only) {
        bool retry;
        int rc = chunk_copy(s, c, res, &retry, err);
        if (!rc || !retry)
            return rc;
        genu_err_clear(err); /* the pipeline says which record failed */
    }
    char name[16];
    for (int t = 0; t < PG_NT; t++)
        if (c->ids[t] && (pg_prepared(s, s->q_insert_audited[t], name, err) ||
                          pg_prepared(s, s->q_update[t], name, err)))
            return err->code;
    if (!PQenterPipelineMode(s->db))
        return pg_fail(s, NULL, err, "starting a pipeline");
    int rc = chunk_send(s, c, res, failed, err);
    if (!PQpipelineSync(s->db) && !rc)
        rc = pg_fail(s, NULL, err, "sending records");
    /* even after a failed send, what was sent must be read before the
     * connection leaves pipeline mode */
    size_t bad = c->n;
    genu_err later = {0};
    int rc2 = chunk_collect(s, c, &bad, rc ? &later : err);
    if (!rc && rc2) {
        rc = rc2;
        *failed = bad;
    }
    if (!PQexitPipelineMode(s->db) && !rc)
        rc = pg_fail(s, NULL, err, "ending a pipeline");
    return rc;
}

int pg_put_many(genu_store *gs, const genu_record *const *recs, size_t n,
                store_put_result *res, size_t *failed, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    chunk *c = calloc(1, sizeof *c);
    many m = {0};
    if (!c)
        return GENU_OOM(err);
    bool own;
    int rc = pg_write_begin(s, &own, err);
    if (!rc)
        rc = many_init(s, &m, recs, n, err);
    size_t done = 0;
    *failed = n;
    while (!rc && done < n) {
        size_t bad;
        if ((rc = chunk_fill(c, recs + done, n - done, err)) != GENU_OK)
            *failed = done + c->n; /* the record it could not take */
        else if ((rc = chunk_put(s, &m, c, res + done, &bad, err)) != GENU_OK && bad < c->n)
            *failed = done + bad;
        else if (!rc)
            rc = many_note(&m, c, done, err);
        done += c->n;
        chunk_clear(c);
    }
    many_free(&m);
    free(c);
    return own ? pg_write_end(s, own, rc, err) : rc;
}

/* ---- staging (store_stage_new): an import's new records by COPY ---- */

int pg_stage_new(genu_store *gs, const genu_record *const *recs, size_t n, bool *all_new,
                 genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    genu_buf b = GENU_BUF_INIT;
    int rc = GENU_OK;
    /* patients first, then each type: a record's patient is staged before
     * it when the files name patients before their records (else the
     * foreign key fails, and the import goes the ordinary way) */
    for (int t = 0; t < PG_NT && !rc && *all_new; t++) {
        genu_buf_clear(&b);
        for (size_t k = 0; k < n && !rc; k++)
            if (recs[k]->type == (genu_rtype)t)
                rc = copy_record(&b, recs[k], err);
        genu_err e = {0};
        if (!rc && copy_table(s, t, &b, &e)) {
            if (e.code == GENU_ECONFLICT) /* an id already stored, or a patient not yet */
                *all_new = false;
            else
                rc = GENU_FAIL(err, e.code, "%s", e.msg);
        }
    }
    genu_buf_free(&b);
    return rc;
}

#define AUDIT_COPY 8192 /* audit rows per COPY */

int pg_stage_audit(genu_store *gs, const genu_record *const *recs,
                   const store_digest *const *digests, size_t n, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    genu_buf b = GENU_BUF_INIT;
    int rc = GENU_OK;
    for (size_t at = 0; at < n && !rc; at += AUDIT_COPY) {
        genu_buf_clear(&b);
        for (size_t k = at; k < n && k < at + AUDIT_COPY && !rc; k++)
            rc = copy_audit_row(s, recs[k], digests ? digests[k] : NULL, &b, err);
        if (!rc)
            rc = copy_audit_in(s, &b, err);
    }
    genu_buf_free(&b);
    return rc;
}
