/* store_pg_admin: accounts, sessions, survey links, the hash-chained audit
 * trail and backup for the PostgreSQL backend; the same behaviour as
 * store_sqlite_admin.c.
 *
 * The audit trail is append-only (a trigger refuses UPDATE, DELETE and
 * TRUNCATE), each row's hash is audit_chain_hash() — the same as SQLite's,
 * so a trail copied from one backend verifies on the other — and the chain
 * head is kept in setting 'audit_head', written in the same transaction.
 *
 * Backup: a consistent snapshot (one REPEATABLE READ transaction) copied
 * into a new SQLite registry file, which `genu --db FILE` opens like any
 * other: every table, row for row, seq and audit trail included. For
 * PostgreSQL-native backups use pg_dump (docs/architecture.md). */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "store/audit_chain.h"
#include "store/pg.h"


int pg_audit_init(pg_store *s, genu_err *err)
{
    (void)s;
    if (sodium_init() < 0)
        return GENU_FAIL(err, GENU_ENOMEM, "cannot initialise libsodium");
    return GENU_OK;
}

static const char q_audit_last[] = "SELECT seq,hash FROM audit ORDER BY seq DESC LIMIT 1";

static int load_head(pg_store *s, genu_err *err)
{
    PGresult *r = pg_run(s, q_audit_last, NULL, err, "reading the audit trail");
    if (!r)
        return err->code;
    if (PQntuples(r)) {
        s->chain_seq = pg_col_int(r, 0, 0);
        snprintf(s->chain_hash, sizeof s->chain_hash, "%s", PQgetvalue(r, 0, 1));
    } else {
        s->chain_seq = 0;
        memcpy(s->chain_hash, AUDIT_CHAIN_GENESIS, sizeof s->chain_hash);
    }
    PQclear(r);
    s->chain_known = true;
    return GENU_OK;
}

static const char q_audit_insert[] =
    "INSERT INTO audit(seq,at_us,actor,action,type,record_id,before,after,prev,hash)"
    " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)";

int pg_audit_next(pg_store *s, const char *action, const char *type, const char *id,
                  const char *before, const char *after, store_audit_row *r, char hash[65],
                  genu_err *err)
{
    if (!s->chain_known && load_head(s, err))
        return err->code;
    *r = (store_audit_row){s->chain_seq + 1, audit_chain_now_us(), s->base.actor, action, type, id,
                           before, after, s->chain_hash, NULL};
    audit_chain_hash(r, hash);
    return GENU_OK;
}

void pg_audit_advance(pg_store *s, const store_audit_row *r, const char hash[65])
{
    s->chain_seq = r->seq;
    memcpy(s->chain_hash, hash, sizeof s->chain_hash);
}

/* The audit row of a change, bound for q_audit_insert; *r and hash are the
 * row (not yet stored) and its hash. */
static int audit_bind(pg_store *s, const char *action, const char *type, const char *id,
                      const char *before, const char *after, store_audit_row *r, char hash[65],
                      pg_params *p, genu_err *err)
{
    if (pg_audit_next(s, action, type, id, before, after, r, hash, err))
        return err->code;
    pg_p_int(p, r->seq);
    pg_p_int(p, r->at_us);
    pg_p_text(p, r->actor);
    pg_p_text(p, action);
    pg_p_text(p, type);
    pg_p_text(p, id);
    pg_p_text(p, before);
    pg_p_text(p, after);
    pg_p_text(p, r->prev);
    pg_p_text(p, hash);
    return GENU_OK;
}

int pg_audit(pg_store *s, const char *action, const char *type, const char *id,
             const char *before, const char *after, genu_err *err)
{
    store_audit_row r;
    char hash[65];
    pg_params p = {0};
    if (audit_bind(s, action, type, id, before, after, &r, hash, &p, err) ||
        pg_do(s, q_audit_insert, &p, NULL, err, "writing the audit trail"))
        return err->code;
    pg_audit_advance(s, &r, hash);
    return GENU_OK;
}

int pg_audit_ready(pg_store *s, genu_err *err)
{
    char name[16];
    if (!s->chain_known && load_head(s, err))
        return err->code;
    return pg_prepared(s, q_audit_insert, name, err);
}

int pg_audit_send(pg_store *s, const char *action, const char *type, const char *id,
                  const char *before, const char *after, genu_err *err)
{
    store_audit_row r;
    char hash[65], name[16];
    pg_params p = {0};
    if (audit_bind(s, action, type, id, before, after, &r, hash, &p, err) ||
        pg_prepared(s, q_audit_insert, name, err))
        return err->code;
    if (!PQsendQueryPrepared(s->db, name, p.n, p.v, NULL, NULL, 0))
        return pg_fail(s, NULL, err, "writing the audit trail");
    pg_audit_advance(s, &r, hash);
    return GENU_OK;
}

static const char q_set_head[] = "INSERT INTO setting(key,value) VALUES('audit_head',$1) "
                                 "ON CONFLICT(key) DO UPDATE SET value=excluded.value";

int pg_audit_before_commit(pg_store *s, genu_err *err)
{
    if (!s->chain_known || s->chain_seq == 0)
        return GENU_OK;
    char head[96];
    snprintf(head, sizeof head, "%lld %s", (long long)s->chain_seq, s->chain_hash);
    pg_params p = {0};
    pg_p_text(&p, head);
    return pg_do(s, q_set_head, &p, NULL, err, "writing the audit head");
}

void pg_audit_forget(pg_store *s)
{
    s->chain_known = false;
}

/* ---- audit reading and verification ---- */

static void read_audit(const PGresult *res, int k, genu_arena *a, store_audit_row *r)
{
    r->seq = pg_col_int(res, k, 0);
    r->at_us = pg_col_int(res, k, 1);
    r->actor = pg_col_text(res, k, 2, a);
    r->action = pg_col_text(res, k, 3, a);
    r->type = pg_col_text(res, k, 4, a);
    r->id = pg_col_text(res, k, 5, a);
    r->before = pg_col_text(res, k, 6, a);
    r->after = pg_col_text(res, k, 7, a);
    r->prev = pg_col_text(res, k, 8, a);
    r->hash = pg_col_text(res, k, 9, a);
}

#define AUDIT_SELECT "SELECT seq,at_us,actor,action,type,record_id,before,after,prev,hash FROM audit"
static const char q_audit_list[] = AUDIT_SELECT " WHERE seq>$1 ORDER BY seq LIMIT $2";

int pg_audit_list(genu_store *gs, int64_t after_seq, size_t limit, genu_arena *a,
                  store_audit_row **rows, size_t *n, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params p = {0};
    pg_p_int(&p, after_seq);
    pg_p_int(&p, (int64_t)limit);
    PGresult *r = pg_run(s, q_audit_list, &p, err, "reading the audit trail");
    if (!r)
        return err->code;
    store_audit_row *v = genu_arena_calloc(a, limit ? limit : 1, sizeof *v);
    size_t k = 0;
    for (int row = 0; v && k < limit && row < PQntuples(r); row++)
        read_audit(r, row, a, &v[k++]);
    PQclear(r);
    if (!v)
        return GENU_OOM(err);
    *rows = v;
    *n = k;
    return GENU_OK;
}

static const char q_read_head[] = "SELECT value FROM setting WHERE key='audit_head'";

static int read_head(pg_store *s, int64_t *seq, char hash[65], genu_err *err)
{
    *seq = 0;
    hash[0] = '\0';
    PGresult *r = pg_run(s, q_read_head, NULL, err, "reading the audit head");
    if (!r)
        return err->code;
    long long q = 0;
    if (PQntuples(r) && sscanf(PQgetvalue(r, 0, 0), "%lld %64s", &q, hash) == 2)
        *seq = q;
    PQclear(r);
    return GENU_OK;
}

int pg_audit_verify(genu_store *gs, int64_t *broken, size_t *checked, char *why, size_t whylen,
                    genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    audit_walk w = AUDIT_WALK_INIT;
    pg_cursor c = {0};
    bool own;
    *broken = 0;
    *checked = 0;
    genu_arena *a = genu_arena_create();
    if (!a)
        return GENU_OOM(err);
    int rc = pg_read_begin(s, &own, err);
    if (!rc)
        rc = read_head(s, &w.head_seq, w.head_hash, err);
    if (!rc)
        rc = pg_cursor_open(s, &c, "genu_audit", AUDIT_SELECT " ORDER BY seq", err);
    while (!rc && c.row < c.nrows) {
        store_audit_row r;
        read_audit(c.res, c.row, a, &r);
        if (!audit_walk_row(&w, &r, broken, why, whylen))
            break;
        genu_arena_reset(a);
        rc = pg_cursor_next(s, &c, err);
    }
    pg_cursor_close(s, &c);
    pg_read_end(s, own);
    genu_arena_destroy(a);
    *checked = w.checked;
    if (rc)
        return rc;
    audit_walk_end(&w, broken, why, whylen);
    return GENU_OK;
}

/* ---- accounts ---- */

static const char q_user_put[] =
    "INSERT INTO account(name,role,sites,pwhash,disabled,created_us) VALUES($1,$2,$3,$4,$5,$6)"
    " ON CONFLICT(name) DO UPDATE SET role=$2,sites=$3,pwhash=$4,disabled=$5 RETURNING id";

static const char q_session_end_user[] = "DELETE FROM session WHERE account=$1";

static int user_put_locked(pg_store *s, const store_user *u, int64_t *id, genu_err *err)
{
    pg_params p = {0};
    pg_p_text(&p, u->name);
    pg_p_text(&p, u->role);
    pg_p_text(&p, u->sites ? u->sites : "");
    pg_p_text(&p, u->pwhash);
    pg_p_int(&p, u->disabled);
    pg_p_int(&p, audit_chain_now_us());
    genu_err e = {0};
    PGresult *r = pg_run(s, q_user_put, &p, &e, "storing a user");
    if (!r)
        return e.code == GENU_ECONFLICT
                   ? GENU_FAIL(err, GENU_EINVAL, "role \"%s\" is not admin, clinician, "
                               "researcher or patient", u->role)
                   : GENU_FAIL(err, e.code, "%s", e.msg);
    *id = pg_col_int(r, 0, 0);
    PQclear(r);
    /* a changed account (password, role, sites, disabled) ends its sessions */
    pg_params q = {0};
    pg_p_int(&q, *id);
    if (pg_do(s, q_session_end_user, &q, NULL, err, "ending a user's sessions"))
        return err->code;
    return store_audit_user(&s->base, "put", u, *id, err);
}

int pg_user_put(genu_store *gs, const store_user *u, int64_t *id, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    bool own;
    if (pg_write_begin(s, &own, err))
        return err->code;
    return pg_write_end(s, own, user_put_locked(s, u, id, err), err);
}

static void read_user(const PGresult *r, int k, genu_arena *a, store_user *u)
{
    u->id = pg_col_int(r, k, 0);
    u->name = pg_col_text(r, k, 1, a);
    u->role = pg_col_text(r, k, 2, a);
    u->sites = pg_col_text(r, k, 3, a);
    u->pwhash = pg_col_text(r, k, 4, a);
    u->disabled = pg_col_int(r, k, 5) != 0;
}

#define USER_COLS "SELECT id,name,role,sites,pwhash,disabled FROM account"
static const char q_user_by_name[] = USER_COLS " WHERE name=$1";
static const char q_user_by_id[] = USER_COLS " WHERE id=$1";
static const char q_user_list[] = USER_COLS " ORDER BY name";

int pg_user_get(genu_store *gs, const char *name, int64_t id, genu_arena *a, store_user *out,
                genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params p = {0};
    if (name)
        pg_p_text(&p, name);
    else
        pg_p_int(&p, id);
    PGresult *r = pg_run(s, name ? q_user_by_name : q_user_by_id, &p, err, "reading a user");
    if (!r)
        return err->code;
    int n = PQntuples(r);
    if (n)
        read_user(r, 0, a, out);
    PQclear(r);
    if (!n)
        return name ? GENU_FAIL(err, GENU_ENOTFOUND, "no user \"%s\"", name)
                    : GENU_FAIL(err, GENU_ENOTFOUND, "no user %lld", (long long)id);
    return GENU_OK;
}

int pg_user_list(genu_store *gs, genu_arena *a, store_user **out, size_t *n, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    PGresult *r = pg_run(s, q_user_list, NULL, err, "listing users");
    if (!r)
        return err->code;
    size_t k = (size_t)PQntuples(r);
    store_user *v = genu_arena_calloc(a, k ? k : 1, sizeof *v);
    for (size_t i = 0; v && i < k; i++)
        read_user(r, (int)i, a, &v[i]);
    PQclear(r);
    if (!v)
        return GENU_OOM(err);
    *out = v;
    *n = k;
    return GENU_OK;
}

/* ---- sessions ---- */

static const char q_session_sweep[] = "DELETE FROM session WHERE expires_us<$1";
static const char q_session_put[] =
    "INSERT INTO session(token_hash,account,csrf,expires_us,ends_us) VALUES($1,$2,$3,$4,$5)";
static const char q_session_touch[] =
    "UPDATE session SET expires_us=LEAST($2,coalesce(ends_us,expires_us)) "
    "WHERE token_hash=$1 AND expires_us<$3";
static const char q_session_get[] =
    "SELECT account,csrf FROM session WHERE token_hash=$1 AND expires_us>$2";
static const char q_session_delete[] = "DELETE FROM session WHERE token_hash=$1";

int pg_session_touch(genu_store *gs, const char *token_hash, int64_t until_us, int64_t slack_us,
                     genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params p = {0};
    pg_p_text(&p, token_hash);
    pg_p_int(&p, until_us);
    pg_p_int(&p, until_us - slack_us);
    return pg_do(s, q_session_touch, &p, NULL, err, "extending a session");
}

int pg_session_put(genu_store *gs, const char *token_hash, int64_t user, const char *csrf,
                   int64_t expires_us, int64_t ends_us, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params sweep = {0}, p = {0};
    /* expired sessions are swept whenever a new one starts */
    pg_p_int(&sweep, audit_chain_now_us());
    pg_p_text(&p, token_hash);
    pg_p_int(&p, user);
    pg_p_text(&p, csrf);
    pg_p_int(&p, expires_us);
    pg_p_int(&p, ends_us);
    if (pg_do(s, q_session_sweep, &sweep, NULL, err, "sweeping sessions") ||
        pg_do(s, q_session_put, &p, NULL, err, "storing a session"))
        return err->code;
    return GENU_OK;
}

int pg_session_get(genu_store *gs, const char *token_hash, int64_t now, genu_arena *a,
                   int64_t *user, const char **csrf, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params p = {0};
    pg_p_text(&p, token_hash);
    pg_p_int(&p, now);
    PGresult *r = pg_run(s, q_session_get, &p, err, "reading a session");
    if (!r)
        return err->code;
    int n = PQntuples(r);
    if (n) {
        *user = pg_col_int(r, 0, 0);
        *csrf = pg_col_text(r, 0, 1, a);
    }
    PQclear(r);
    return n ? GENU_OK : GENU_FAIL(err, GENU_ENOTFOUND, "no such session, or it expired");
}

int pg_session_delete(genu_store *gs, const char *token_hash, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params p = {0};
    pg_p_text(&p, token_hash);
    return pg_do(s, q_session_delete, &p, NULL, err, "ending a session");
}

/* ---- survey links ---- */

static const char q_survey_put[] =
    "INSERT INTO survey_link(token_hash,patient,knee,instruments,timepoint,created_us,"
    "expires_us,used_us,created_by) VALUES($1,$2,$3,$4,$5,$6,$7,NULL,$8)";
static const char q_survey_get[] =
    "SELECT token_hash,patient,knee,instruments,timepoint,created_us,expires_us,"
    "coalesce(used_us,0),coalesce(created_by,0) FROM survey_link WHERE token_hash=$1";
static const char q_survey_use[] =
    "UPDATE survey_link SET used_us=$1 WHERE token_hash=$2 AND used_us IS NULL";

int pg_survey_put(genu_store *gs, const store_survey *v, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params p = {0};
    pg_p_text(&p, v->token_hash);
    pg_p_text(&p, v->patient);
    pg_p_text(&p, vocab_knee_name(v->knee));
    pg_p_text(&p, v->instruments);
    pg_p_text(&p, v->timepoint);
    pg_p_int(&p, v->created_us);
    pg_p_int(&p, v->expires_us);
    if (v->created_by)
        pg_p_int(&p, v->created_by);
    else
        pg_p_text(&p, NULL);
    return pg_do(s, q_survey_put, &p, NULL, err, "storing a survey link");
}

int pg_survey_get(genu_store *gs, const char *token_hash, genu_arena *a, store_survey *out,
                  genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    PGresult *r = pg_run1(s, q_survey_get, token_hash, err, "reading a survey link");
    if (!r)
        return err->code;
    int n = PQntuples(r);
    if (n) {
        out->token_hash = pg_col_text(r, 0, 0, a);
        out->patient = pg_col_text(r, 0, 1, a);
        const char *knee = PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2);
        out->knee = knee ? (genu_knee)vocab_knee(knee) : GENU_KNEE_NONE;
        out->instruments = pg_col_text(r, 0, 3, a);
        out->timepoint = pg_col_text(r, 0, 4, a);
        out->created_us = pg_col_int(r, 0, 5);
        out->expires_us = pg_col_int(r, 0, 6);
        out->used_us = pg_col_int(r, 0, 7);
        out->created_by = pg_col_int(r, 0, 8);
    }
    PQclear(r);
    return n ? GENU_OK : GENU_FAIL(err, GENU_ENOTFOUND, "no such survey link");
}

int pg_survey_use(genu_store *gs, const char *token_hash, int64_t now, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    pg_params p = {0};
    int64_t changed = 0;
    pg_p_int(&p, now);
    pg_p_text(&p, token_hash);
    if (pg_do(s, q_survey_use, &p, &changed, err, "using a survey link"))
        return err->code;
    return changed == 1 ? GENU_OK
                        : GENU_FAIL(err, GENU_ECONFLICT, "this survey link was used already");
}

/* ---- backup: a snapshot into a new SQLite registry ---- */

/* The tables in an order that satisfies every reference, with the columns
 * both backends share. */
static const char *const copy_tables[][2] = {
    {"setting", "key,value"},
    {"patient", NULL}, {"identity", NULL}, {"diagnosis", NULL}, {"treatment", NULL},
    {"response", NULL}, {"adverse_event", NULL}, {"exam", NULL}, {"message", NULL},
    {"death", NULL},
    {"account", "id,name,role,sites,pwhash,disabled,created_us"},
    {"session", "token_hash,account,csrf,expires_us,ends_us"},
    {"survey_link", "token_hash,patient,knee,instruments,timepoint,created_us,expires_us,"
                    "used_us,created_by"},
    {"audit", "seq,at_us,actor,action,type,record_id,before,after,prev,hash"},
};
#define NCOPY (sizeof copy_tables / sizeof copy_tables[0])

/* Copies the rows of the cursor's query into dst with st (one text
 * parameter per column; SQLite's column affinity restores the types). */
static int copy_rows(pg_store *s, pg_cursor *c, sqlite3 *dst, sqlite3_stmt *st, genu_err *err)
{
    int rc = GENU_OK;
    while (!rc && c->row < c->nrows) {
        int ncol = PQnfields(c->res);
        for (int i = 0; i < ncol; i++) {
            if (PQgetisnull(c->res, c->row, i))
                sqlite3_bind_null(st, i + 1);
            else
                sqlite3_bind_text(st, i + 1, PQgetvalue(c->res, c->row, i),
                                  PQgetlength(c->res, c->row, i), SQLITE_STATIC);
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = GENU_FAIL(err, GENU_EIO, "backup: %s", sqlite3_errmsg(dst));
        sqlite3_reset(st);
        if (!rc)
            rc = pg_cursor_next(s, c, err);
    }
    return rc;
}

static int copy_table(pg_store *s, sqlite3 *dst, size_t t, genu_err *err)
{
    genu_buf cols = GENU_BUF_INIT, sql = GENU_BUF_INIT;
    if (copy_tables[t][1]) {
        genu_buf_puts(&cols, copy_tables[t][1]);
    } else {
        for (int k = 0; k < PG_NT; k++)
            if (strcmp(store_tables[k].name, copy_tables[t][0]) == 0)
                genu_buf_printf(&cols, "seq,id,patient,knee,date,doc,%s", store_tables[k].cols);
    }
    const char *list = cols.p ? cols.p : "";
    int ncol = 1;
    for (const char *c = list; *c; c++)
        ncol += *c == ',';
    genu_buf_printf(&sql, "INSERT INTO %s(%s) VALUES(?", copy_tables[t][0], list);
    for (int i = 1; i < ncol; i++)
        genu_buf_puts(&sql, ",?");
    genu_buf_puts(&sql, ")");
    sqlite3_stmt *st = NULL;
    pg_cursor c = {0};
    int rc = cols.oom || sql.oom ? GENU_OOM(err) : GENU_OK;
    if (!rc && sqlite3_prepare_v2(dst, sql.p, -1, &st, NULL) != SQLITE_OK)
        rc = GENU_FAIL(err, GENU_EIO, "backup: %s", sqlite3_errmsg(dst));
    genu_buf_clear(&sql);
    genu_buf_printf(&sql, "SELECT %s FROM %s", list, copy_tables[t][0]);
    if (!rc)
        rc = sql.oom ? GENU_OOM(err)
                     : pg_cursor_open(s, &c, "genu_backup", sql.p, err);
    if (!rc)
        rc = copy_rows(s, &c, dst, st, err);
    pg_cursor_close(s, &c);
    sqlite3_finalize(st);
    genu_buf_free(&cols);
    genu_buf_free(&sql);
    return rc;
}

static void remove_file(const char *path)
{
    char p[4096];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* Creates the empty registry at path with the SQLite backend's own
 * migrations, and checks it has this registry's schema version. */
static int create_copy(pg_store *s, const char *path, genu_err *err)
{
    genu_store *c = NULL;
    if (access(path, F_OK) == 0)
        return GENU_FAIL(err, GENU_EEXIST, "backup: %s exists; a backup goes to a new file", path);
    if (store_sqlite_open(path, STORE_MODE_CREATE, NULL, NULL, &c, err))
        return err->code;
    int v = store_schema_version(c);
    store_close(c);
    if (v != s->version)
        return GENU_FAIL(err, GENU_ENOTSUP, "backup: schema version %d here, %d in SQLite",
                         s->version, v);
    return GENU_OK;
}

int pg_backup(genu_store *gs, const char *path, genu_err *err)
{
    pg_store *s = (pg_store *)gs;
    sqlite3 *dst = NULL;
    bool own = false;
    if (create_copy(s, path, err))
        return err->code;
    int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK
                 ? GENU_OK
                 : GENU_FAIL(err, GENU_EIO, "backup: cannot open %s", path);
    if (!rc && sqlite3_exec(dst, "PRAGMA synchronous=FULL; BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        rc = GENU_FAIL(err, GENU_EIO, "backup: %s", sqlite3_errmsg(dst));
    if (!rc)
        rc = pg_read_begin(s, &own, err);
    for (size_t t = 0; t < NCOPY && !rc; t++)
        rc = copy_table(s, dst, t, err);
    if (!rc && sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = GENU_FAIL(err, GENU_EIO, "backup: %s", sqlite3_errmsg(dst));
    pg_read_end(s, own);
    sqlite3_close(dst);
    if (rc)
        remove_file(path);
    return rc;
}
