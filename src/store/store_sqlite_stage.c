/* store_sqlite_stage: an import's new records and their audit rows on
 * SQLite (store_stage_new, store_stage_audit), many rows to a statement;
 * the single-record puts are store_sqlite.c's. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/audit_ahead.h"
#include "store/audit_chain.h"
#include "store/columns.h"
#include "store/sq.h"

#define tables store_tables

#define STAGE_ROWS 32 /* rows per INSERT while staging */

/* The INSERT of STAGE_ROWS rows of table t (the same as s->insert[t] for
 * one), prepared for one call of sq_stage_new. */
static int prepare_stage(sq_store *s, genu_rtype t, sqlite3_stmt **st, genu_err *err)
{
    const store_table *tb = &tables[t];
    genu_buf b = GENU_BUF_INIT;
    genu_buf_printf(&b, "INSERT OR IGNORE INTO %s(id,patient,knee,date,doc,%s) VALUES", tb->name,
                    tb->cols);
    for (int j = 0; j < STAGE_ROWS; j++) {
        genu_buf_puts(&b, j ? ",(?,?,?,?,?" : "(?,?,?,?,?");
        for (int k = 0; k < tb->ncols; k++)
            genu_buf_puts(&b, ",?");
        genu_buf_putc(&b, ')');
    }
    int rc = b.oom ? GENU_OOM(err) : sq_prepare(s, b.p, st, err);
    genu_buf_free(&b);
    return rc;
}

/* Stores rows[0..STAGE_ROWS) of one table with one statement; *added: how
 * many were new. */
static int run_stage(sq_store *s, sqlite3_stmt *st, const genu_record *const *rows, int *added,
                     genu_err *err)
{
    char *tmp[STAGE_ROWS][2] = {{NULL}};
    char date[STAGE_ROWS][GENU_DATE_STRLEN];
    int per = 5 + tables[rows[0]->type].ncols, rc = GENU_OK;
    for (int j = 0; j < STAGE_ROWS && !rc; j++)
        if (sq_bind_row(st, j * per, rows[j], date[j], tmp[j]))
            rc = GENU_FAIL(err, GENU_ENOMEM, "out of memory storing a %s",
                           record_type_name(rows[j]->type));
    if (!rc && sqlite3_step(st) != SQLITE_DONE)
        rc = sq_fail(s, err, "storing records");
    *added = rc ? 0 : sqlite3_changes(s->db);
    sqlite3_reset(st);
    for (int j = 0; j < STAGE_ROWS; j++) {
        free(tmp[j][0]);
        free(tmp[j][1]);
    }
    return rc;
}

/* An import's new records (store_stage_new): the rows alone, the foreign
 * keys counted until commit so that a record may come before its patient
 * (the import has checked that every patient exists). Each table's rows go
 * in in their order (the order of its seq), STAGE_ROWS to a statement, and
 * what is left of them one at a time; the tables one after another. */
int sq_stage_new(genu_store *gs, const genu_record *const *recs, size_t n, bool *all_new,
                        genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    const genu_record **rows = malloc((n ? n : 1) * sizeof *rows);
    sqlite3_stmt *many = NULL;
    int rc = rows ? sq_exec(s, "PRAGMA defer_foreign_keys=ON", err) : GENU_OOM(err);
    for (int t = 0; t < NT && !rc && *all_new; t++) {
        size_t m = 0, i = 0;
        for (size_t k = 0; k < n; k++)
            if (recs[k]->type == (genu_rtype)t)
                rows[m++] = recs[k];
        if (m >= STAGE_ROWS)
            rc = prepare_stage(s, (genu_rtype)t, &many, err);
        for (; i + STAGE_ROWS <= m && !rc && *all_new; i += STAGE_ROWS) {
            int added;
            rc = run_stage(s, many, rows + i, &added, err);
            *all_new = added == STAGE_ROWS;
        }
        for (; i < m && !rc && *all_new; i++) {
            rc = sq_run_put(s, s->insert[t], rows[i], err);
            *all_new = sqlite3_changes(s->db) == 1;
        }
        sqlite3_finalize(many);
        many = NULL;
    }
    free(rows);
    return rc ? err->code : GENU_OK;
}

#define AUDIT_ROWS 32 /* audit rows per INSERT while staging */

static int prepare_audit_many(sq_store *s, sqlite3_stmt **st, genu_err *err)
{
    genu_buf b = GENU_BUF_INIT;
    genu_buf_puts(&b, "INSERT INTO audit(seq,at_us,actor,action,type,record_id,before,after,prev,"
                      "hash) VALUES");
    for (int j = 0; j < AUDIT_ROWS; j++)
        genu_buf_puts(&b, j ? ",(?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?)");
    int rc = b.oom ? GENU_OOM(err) : sq_prepare(s, b.p, st, err);
    genu_buf_free(&b);
    return rc;
}

/* Creation rows [i, i + k) of the hashed chain, with one statement (k is
 * AUDIT_ROWS, or 1 for s->audit_insert): the rows sq_audit writes. */
static int audit_rows(sq_store *s, sqlite3_stmt *st, audit_ahead *ahead,
                      const genu_record *const *recs, size_t i, int k, genu_err *err)
{
    const audit_ahead_row *r = NULL;
    for (int j = 0; j < k; j++) {
        const genu_record *rec = recs[i + (size_t)j];
        r = audit_ahead_row_at(ahead, i + (size_t)j);
        int at = j * 10;
        sqlite3_bind_int64(st, at + 1, r->seq);
        sqlite3_bind_int64(st, at + 2, r->at_us);
        sq_bind_text(st, at + 3, s->base.actor);
        sq_bind_text(st, at + 4, "create");
        sq_bind_text(st, at + 5, record_type_name(rec->type));
        sq_bind_text(st, at + 6, rec->id);
        sqlite3_bind_null(st, at + 7);
        sqlite3_bind_blob(st, at + 8, r->after_b, SHA256_BYTES, SQLITE_STATIC);
        sqlite3_bind_blob(st, at + 9, r->prev_b, SHA256_BYTES, SQLITE_STATIC);
        sqlite3_bind_blob(st, at + 10, r->hash_b, SHA256_BYTES, SQLITE_STATIC);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, err, "writing the audit trail");
    s->chain_seq = r->seq;
    memcpy(s->chain_hash, r->hash, sizeof s->chain_hash);
    return GENU_OK;
}

/* The staged records' creation rows (store_stage_audit), in order: the
 * first by sq_audit (which reads the chain's head when it is not known),
 * then the rest as audit_ahead hashes them beside the writes, AUDIT_ROWS
 * to a statement and what is left one at a time. */
int sq_stage_audit(genu_store *gs, const genu_record *const *recs,
                          const store_digest *const *digests, size_t n, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    if (!n)
        return GENU_OK;
    char d[AUDIT_DIGEST_LEN];
    int rc = sq_audit(s, "create", record_type_name(recs[0]->type), recs[0]->id, NULL,
                      audit_chain_digest_of(digests ? digests[0] : NULL, recs[0]->doc, d), err);
    if (rc || n == 1)
        return rc;
    recs++, n--;
    if (digests)
        digests++;
    sqlite3_stmt *many = NULL;
    audit_ahead *ahead =
        audit_ahead_start(recs, digests, n, s->chain_seq + 1, s->chain_hash, s->base.actor);
    size_t i = 0;
    if (!ahead)
        rc = GENU_OOM(err);
    else if (n >= AUDIT_ROWS)
        rc = prepare_audit_many(s, &many, err);
    for (; i + AUDIT_ROWS <= n && !rc; i += AUDIT_ROWS)
        rc = audit_rows(s, many, ahead, recs, i, AUDIT_ROWS, err);
    for (; i < n && !rc; i++) {
        rc = audit_rows(s, s->audit_insert, ahead, recs, i, 1, err);
        sqlite3_clear_bindings(s->audit_insert);
    }
    audit_ahead_end(ahead);
    sqlite3_finalize(many);
    return rc;
}

