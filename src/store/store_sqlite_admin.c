/* store_sqlite_admin: accounts, sessions, survey links, the hash-chained
 * audit trail and online backup for the SQLite backend.
 *
 * The audit trail is append-only (triggers refuse UPDATE and DELETE) and each
 * row's hash covers the previous row's hash and every field of the row,
 * length-prefixed so no two rows encode alike. The chain head (last seq and
 * hash) is also kept in the settings table, written in the same transaction,
 * so removing rows at the end is detected too. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "store/audit_chain.h"
#include "store/sq.h"

#define GENESIS AUDIT_CHAIN_GENESIS
#define USER_COLS "SELECT id,name,role,sites,pwhash,disabled FROM account"

/* The cached statements' SQL, by SQ_ST_*. */
static const char *const admin_sql[SQ_NADMIN] = {
    [SQ_ST_SET_HEAD] = "INSERT INTO setting(key,value) VALUES('audit_head',?) "
                       "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
    [SQ_ST_USER_PUT] = "INSERT INTO account(name,role,sites,pwhash,disabled,created_us) "
                       "VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(name) DO UPDATE SET role=?2,"
                       "sites=?3,pwhash=?4,disabled=?5 RETURNING id",
    [SQ_ST_USER_BY_NAME] = USER_COLS " WHERE name=?",
    [SQ_ST_USER_BY_ID] = USER_COLS " WHERE id=?",
    [SQ_ST_USER_LIST] = USER_COLS " ORDER BY name",
    [SQ_ST_SESSION_SWEEP] = "DELETE FROM session WHERE expires_us<?",
    [SQ_ST_SESSION_PUT] = "INSERT INTO session(token_hash,account,csrf,expires_us,ends_us) "
                          "VALUES(?,?,?,?,?)",
    [SQ_ST_SESSION_GET] = "SELECT account,csrf FROM session WHERE token_hash=? AND expires_us>?",
    [SQ_ST_SESSION_DELETE] = "DELETE FROM session WHERE token_hash=?",
    [SQ_ST_SESSION_END_USER] = "DELETE FROM session WHERE account=?",
    [SQ_ST_SESSION_TOUCH] = "UPDATE session SET expires_us=min(?2,coalesce(ends_us,expires_us)) "
                            "WHERE token_hash=?1 AND expires_us<?3",
    [SQ_ST_SURVEY_PUT] = "INSERT INTO survey_link(token_hash,patient,knee,instruments,timepoint,"
                         "created_us,expires_us,used_us,created_by) VALUES(?,?,?,?,?,?,?,NULL,?)",
    [SQ_ST_SURVEY_GET] = "SELECT token_hash,patient,knee,instruments,timepoint,created_us,"
                         "expires_us,coalesce(used_us,0),coalesce(created_by,0) FROM survey_link "
                         "WHERE token_hash=?",
    [SQ_ST_SURVEY_USE] = "UPDATE survey_link SET used_us=? WHERE token_hash=? AND used_us IS NULL",
};



int sq_admin_prepare(sq_store *s, genu_err *err)
{
    if (sodium_init() < 0)
        return GENU_FAIL(err, GENU_ENOMEM, "cannot initialise libsodium");
    if (sq_prepare(s,
                   "INSERT INTO audit(seq,at_us,actor,action,type,record_id,before,after,prev,"
                   "hash) VALUES(?,?,?,?,?,?,?,?,?,?)",
                   &s->audit_insert, err) ||
        sq_prepare(s, "SELECT seq,hash FROM audit ORDER BY seq DESC LIMIT 1", &s->audit_last,
                   err))
        return err->code;
    /* all at open: a statement prepared later, in the middle of a request,
     * can pin the top of the heap above a large buffer freed after it (a
     * password hash's 19 MiB), which then stays resident */
    for (int i = 0; i < SQ_NADMIN; i++)
        if (sq_prepare(s, admin_sql[i], &s->admin[i], err))
            return err->code;
    return GENU_OK;
}

void sq_admin_finalize(sq_store *s)
{
    sqlite3_finalize(s->audit_insert);
    sqlite3_finalize(s->audit_last);
    for (int i = 0; i < SQ_NADMIN; i++)
        sqlite3_finalize(s->admin[i]);
}

/* The cached statement `which`, prepared at open (sq_admin_prepare). The
 * caller ends its use with done(), which also ends the read it held open. */
static int cached(sq_store *s, int which, sqlite3_stmt **st, genu_err *err)
{
    if (!s->admin[which] && sq_prepare(s, admin_sql[which], &s->admin[which], err))
        return err && err->code ? err->code : GENU_EIO;
    *st = s->admin[which];
    return GENU_OK;
}

static void done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

void sq_bind_audit_text(sqlite3_stmt *st, int i, const char *v, const char *prefix)
{
    uint8_t d[SHA256_BYTES];
    if (audit_chain_unhex(v, prefix, d))
        sqlite3_bind_blob(st, i, d, sizeof d, SQLITE_TRANSIENT);
    else
        sq_bind_text(st, i, v);
}

const char *sq_col_audit_text(sqlite3_stmt *st, int i, const char *prefix, genu_arena *a)
{
    if (sqlite3_column_type(st, i) != SQLITE_BLOB || sqlite3_column_bytes(st, i) != SHA256_BYTES)
        return sq_col_text(st, i, a);
    char text[AUDIT_DIGEST_LEN];
    audit_chain_hex(sqlite3_column_blob(st, i), prefix, text);
    return genu_arena_strdup(a, text);
}

static int load_head(sq_store *s, genu_err *err)
{
    int rc = sqlite3_step(s->audit_last);
    if (rc == SQLITE_ROW) {
        s->chain_seq = sqlite3_column_int64(s->audit_last, 0);
        sqlite3_stmt *st = s->audit_last;
        if (sqlite3_column_type(st, 1) == SQLITE_BLOB && sqlite3_column_bytes(st, 1) == SHA256_BYTES) {
            char text[AUDIT_DIGEST_LEN];
            audit_chain_hex(sqlite3_column_blob(st, 1), "", text);
            memcpy(s->chain_hash, text, sizeof s->chain_hash);
        } else {
            const unsigned char *h = sqlite3_column_text(st, 1);
            snprintf(s->chain_hash, sizeof s->chain_hash, "%s", h ? (const char *)h : "");
        }
    } else {
        s->chain_seq = 0;
        memcpy(s->chain_hash, GENESIS, sizeof s->chain_hash);
    }
    sqlite3_reset(s->audit_last);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(s, err, "reading the audit trail");
    s->chain_known = true;
    return GENU_OK;
}

int sq_audit(sq_store *s, const char *action, const char *type, const char *id,
             const char *before, const char *after, genu_err *err)
{
    if (!s->chain_known && load_head(s, err))
        return err->code;
    store_audit_row r = {s->chain_seq + 1, audit_chain_now_us(), s->base.actor, action, type, id,
                         before, after, s->chain_hash, NULL};
    char hash[65];
    audit_chain_hash(&r, hash);
    sqlite3_stmt *st = s->audit_insert;
    sqlite3_bind_int64(st, 1, r.seq);
    sqlite3_bind_int64(st, 2, r.at_us);
    sq_bind_text(st, 3, r.actor);
    sq_bind_text(st, 4, action);
    sq_bind_text(st, 5, type);
    sq_bind_text(st, 6, id);
    sq_bind_text(st, 7, before);
    sq_bind_audit_text(st, 8, after, "sha256:");
    sq_bind_audit_text(st, 9, r.prev, "");
    sq_bind_audit_text(st, 10, hash, "");
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, err, "writing the audit trail");
    s->chain_seq = r.seq;
    memcpy(s->chain_hash, hash, sizeof hash);
    return GENU_OK;
}

static int set_head(sq_store *s, const char *value, genu_err *err)
{
    sqlite3_stmt *st;
    if (cached(s, SQ_ST_SET_HEAD, &st, err))
        return err->code;
    sq_bind_text(st, 1, value);
    int rc = sqlite3_step(st);
    done(st);
    return rc == SQLITE_DONE ? GENU_OK : sq_fail(s, err, "writing the audit head");
}

int sq_audit_before_commit(sq_store *s, genu_err *err)
{
    if (!s->chain_known || s->chain_seq == 0)
        return GENU_OK;
    char head[96];
    snprintf(head, sizeof head, "%lld %s", (long long)s->chain_seq, s->chain_hash);
    return set_head(s, head, err);
}

void sq_audit_forget(sq_store *s)
{
    s->chain_known = false;
}

/* ---- audit reading and verification ---- */

static void read_audit(sqlite3_stmt *st, genu_arena *a, store_audit_row *r)
{
    r->seq = sqlite3_column_int64(st, 0);
    r->at_us = sqlite3_column_int64(st, 1);
    r->actor = sq_col_text(st, 2, a);
    r->action = sq_col_text(st, 3, a);
    r->type = sq_col_text(st, 4, a);
    r->id = sq_col_text(st, 5, a);
    r->before = sq_col_text(st, 6, a);
    r->after = sq_col_audit_text(st, 7, "sha256:", a);
    r->prev = sq_col_audit_text(st, 8, "", a);
    r->hash = sq_col_audit_text(st, 9, "", a);
}

static const char audit_select[] =
    "SELECT seq,at_us,actor,action,type,record_id,before,after,prev,hash FROM audit";

int sq_audit_list(genu_store *gs, int64_t after_seq, size_t limit, genu_arena *a,
                  store_audit_row **rows, size_t *n, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    char sql[256];
    snprintf(sql, sizeof sql, "%s WHERE seq>? ORDER BY seq LIMIT ?", audit_select);
    sqlite3_stmt *st;
    if (sq_prepare(s, sql, &st, err))
        return err->code;
    sqlite3_bind_int64(st, 1, after_seq);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    store_audit_row *v = genu_arena_calloc(a, limit ? limit : 1, sizeof *v);
    size_t k = 0;
    int rc;
    while (v && k < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
        read_audit(st, a, &v[k++]);
    sqlite3_finalize(st);
    if (!v)
        return GENU_OOM(err);
    *rows = v;
    *n = k;
    return GENU_OK;
}

static int read_head(sq_store *s, int64_t *seq, char hash[65], genu_err *err)
{
    sqlite3_stmt *st;
    *seq = 0;
    hash[0] = '\0';
    if (sq_prepare(s, "SELECT value FROM setting WHERE key='audit_head'", &st, err))
        return err->code;
    if (sqlite3_step(st) == SQLITE_ROW) {
        long long q = 0;
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (v && sscanf(v, "%lld %64s", &q, hash) == 2)
            *seq = q;
    }
    sqlite3_finalize(st);
    return GENU_OK;
}

int sq_audit_verify(genu_store *gs, int64_t *broken, size_t *checked, char *why, size_t whylen,
                    genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    char sql[256];
    audit_walk w = AUDIT_WALK_INIT;
    snprintf(sql, sizeof sql, "%s ORDER BY seq", audit_select);
    sqlite3_stmt *st;
    genu_arena *a = genu_arena_create();
    *broken = 0;
    *checked = 0;
    if (!a)
        return GENU_OOM(err);
    int rc = sq_exec(s, "BEGIN", err);
    if (!rc)
        rc = read_head(s, &w.head_seq, w.head_hash, err);
    if (!rc)
        rc = sq_prepare(s, sql, &st, err);
    if (rc) {
        genu_arena_destroy(a);
        return rc;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_audit_row r;
        read_audit(st, a, &r);
        if (!audit_walk_row(&w, &r, broken, why, whylen))
            break;
        genu_arena_reset(a);
    }
    sqlite3_finalize(st);
    sq_exec(s, "COMMIT", NULL);
    genu_arena_destroy(a);
    *checked = w.checked;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return sq_fail(s, err, "reading the audit trail");
    audit_walk_end(&w, broken, why, whylen);
    return GENU_OK;
}

/* ---- accounts ---- */

static int user_put_locked(sq_store *s, const store_user *u, int64_t *id, genu_err *err)
{
    sqlite3_stmt *st;
    if (cached(s, SQ_ST_USER_PUT, &st, err))
        return err->code;
    sq_bind_text(st, 1, u->name);
    sq_bind_text(st, 2, u->role);
    sq_bind_text(st, 3, u->sites ? u->sites : "");
    sq_bind_text(st, 4, u->pwhash);
    sqlite3_bind_int(st, 5, u->disabled);
    sqlite3_bind_int64(st, 6, audit_chain_now_us());
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    done(st);
    if (rc != SQLITE_ROW)
        return sqlite3_errcode(s->db) == SQLITE_CONSTRAINT
                   ? GENU_FAIL(err, GENU_EINVAL,
                               "role \"%s\" is not admin, clinician, "
                               "researcher or patient",
                               u->role)
                   : sq_fail(s, err, "storing a user");
    /* a changed account (password, role, sites, disabled) ends its sessions */
    if (cached(s, SQ_ST_SESSION_END_USER, &st, err))
        return err->code;
    sqlite3_bind_int64(st, 1, *id);
    rc = sqlite3_step(st);
    done(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, err, "ending a user's sessions");
    return store_audit_user(&s->base, "put", u, *id, err);
}

int sq_user_put(genu_store *gs, const store_user *u, int64_t *id, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    bool own;
    if (sq_write_begin(s, &own, err))
        return err->code;
    return sq_write_end(s, own, user_put_locked(s, u, id, err), err);
}

static void read_user(sqlite3_stmt *st, genu_arena *a, store_user *u)
{
    u->id = sqlite3_column_int64(st, 0);
    u->name = sq_col_text(st, 1, a);
    u->role = sq_col_text(st, 2, a);
    u->sites = sq_col_text(st, 3, a);
    u->pwhash = sq_col_text(st, 4, a);
    u->disabled = sqlite3_column_int(st, 5) != 0;
}

int sq_user_get(genu_store *gs, const char *name, int64_t id, genu_arena *a, store_user *out,
                genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st;
    if (name ? cached(s, SQ_ST_USER_BY_NAME, &st, err) : cached(s, SQ_ST_USER_BY_ID, &st, err))
        return err->code;
    if (name)
        sq_bind_text(st, 1, name);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_user(st, a, out);
    done(st);
    if (rc == SQLITE_DONE)
        return name ? GENU_FAIL(err, GENU_ENOTFOUND, "no user \"%s\"", name)
                    : GENU_FAIL(err, GENU_ENOTFOUND, "no user %lld", (long long)id);
    return rc == SQLITE_ROW ? GENU_OK : sq_fail(s, err, "reading a user");
}

int sq_user_list(genu_store *gs, genu_arena *a, store_user **out, size_t *n, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st;
    size_t cap = 16, k = 0;
    store_user *v = genu_arena_calloc(a, cap, sizeof *v);
    if (cached(s, SQ_ST_USER_LIST, &st, err))
        return err->code;
    while (v && sqlite3_step(st) == SQLITE_ROW) {
        if (k == cap) {
            store_user *w = genu_arena_calloc(a, cap * 2, sizeof *w);
            if (w)
                memcpy(w, v, cap * sizeof *v);
            v = w;
            cap *= 2;
            if (!v)
                break;
        }
        read_user(st, a, &v[k++]);
    }
    done(st);
    if (!v)
        return GENU_OOM(err);
    *out = v;
    *n = k;
    return GENU_OK;
}

/* ---- sessions ---- */

/* Runs a one-shot statement binding texts and integers from a format: 't'
 * text, 'i' int64. Returns the sqlite3 step result. */
static int run1(sq_store *s, int which, const char *fmt, const char *const *texts,
                const int64_t *ints, genu_err *err)
{
    sqlite3_stmt *st;
    if (cached(s, which, &st, err))
        return -1;
    for (int i = 0, ti = 0, ii = 0; fmt[i]; i++) {
        if (fmt[i] == 't')
            sq_bind_text(st, i + 1, texts[ti++]);
        else
            sqlite3_bind_int64(st, i + 1, ints[ii++]);
    }
    int rc = sqlite3_step(st);
    done(st);
    return rc;
}

int sq_session_put(genu_store *gs, const char *token_hash, int64_t user, const char *csrf,
                   int64_t expires_us, int64_t ends_us, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    const int64_t now = audit_chain_now_us();
    sqlite3_stmt *st;
    /* expired sessions are swept whenever a new one starts */
    if (run1(s, SQ_ST_SESSION_SWEEP, "i", NULL, &now, err) != SQLITE_DONE)
        return sq_fail(s, err, "sweeping sessions");
    if (cached(s, SQ_ST_SESSION_PUT, &st, err))
        return err->code;
    sq_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, user);
    sq_bind_text(st, 3, csrf);
    sqlite3_bind_int64(st, 4, expires_us);
    sqlite3_bind_int64(st, 5, ends_us);
    int rc = sqlite3_step(st);
    done(st);
    return rc == SQLITE_DONE ? GENU_OK : sq_fail(s, err, "storing a session");
}

int sq_session_touch(genu_store *gs, const char *token_hash, int64_t until_us, int64_t slack_us,
                     genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st;
    if (cached(s, SQ_ST_SESSION_TOUCH, &st, err))
        return err->code;
    sq_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, until_us);
    sqlite3_bind_int64(st, 3, until_us - slack_us);
    int rc = sqlite3_step(st);
    done(st);
    return rc == SQLITE_DONE ? GENU_OK : sq_fail(s, err, "extending a session");
}

int sq_session_get(genu_store *gs, const char *token_hash, int64_t now, genu_arena *a,
                   int64_t *user, const char **csrf, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st;
    if (cached(s, SQ_ST_SESSION_GET, &st, err))
        return err->code;
    sq_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *user = sqlite3_column_int64(st, 0);
        *csrf = sq_col_text(st, 1, a);
    }
    done(st);
    if (rc == SQLITE_DONE)
        return GENU_FAIL(err, GENU_ENOTFOUND, "no such session, or it expired");
    return rc == SQLITE_ROW ? GENU_OK : sq_fail(s, err, "reading a session");
}

int sq_session_delete(genu_store *gs, const char *token_hash, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    if (run1(s, SQ_ST_SESSION_DELETE, "t", &token_hash, NULL, err) != SQLITE_DONE)
        return sq_fail(s, err, "ending a session");
    return GENU_OK;
}

/* ---- survey links ---- */

int sq_survey_put(genu_store *gs, const store_survey *v, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st;
    if (cached(s, SQ_ST_SURVEY_PUT, &st, err))
        return err->code;
    sq_bind_text(st, 1, v->token_hash);
    sq_bind_text(st, 2, v->patient);
    sq_bind_text(st, 3, vocab_knee_name(v->knee));
    sq_bind_text(st, 4, v->instruments);
    sq_bind_text(st, 5, v->timepoint);
    sqlite3_bind_int64(st, 6, v->created_us);
    sqlite3_bind_int64(st, 7, v->expires_us);
    if (v->created_by)
        sqlite3_bind_int64(st, 8, v->created_by);
    else
        sqlite3_bind_null(st, 8);
    int rc = sqlite3_step(st);
    done(st);
    return rc == SQLITE_DONE ? GENU_OK : sq_fail(s, err, "storing a survey link");
}

int sq_survey_get(genu_store *gs, const char *token_hash, genu_arena *a, store_survey *out,
                  genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3_stmt *st;
    if (cached(s, SQ_ST_SURVEY_GET, &st, err))
        return err->code;
    sq_bind_text(st, 1, token_hash);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->token_hash = sq_col_text(st, 0, a);
        out->patient = sq_col_text(st, 1, a);
        const char *knee = (const char *)sqlite3_column_text(st, 2);
        out->knee = knee ? (genu_knee)vocab_knee(knee) : GENU_KNEE_NONE;
        out->instruments = sq_col_text(st, 3, a);
        out->timepoint = sq_col_text(st, 4, a);
        out->created_us = sqlite3_column_int64(st, 5);
        out->expires_us = sqlite3_column_int64(st, 6);
        out->used_us = sqlite3_column_int64(st, 7);
        out->created_by = sqlite3_column_int64(st, 8);
    }
    done(st);
    if (rc == SQLITE_DONE)
        return GENU_FAIL(err, GENU_ENOTFOUND, "no such survey link");
    return rc == SQLITE_ROW ? GENU_OK : sq_fail(s, err, "reading a survey link");
}

int sq_survey_use(genu_store *gs, const char *token_hash, int64_t now, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    if (run1(s, SQ_ST_SURVEY_USE, "it", &token_hash, &now, err) != SQLITE_DONE)
        return sq_fail(s, err, "using a survey link");
    return sqlite3_changes(s->db) == 1
               ? GENU_OK
               : GENU_FAIL(err, GENU_ECONFLICT, "this survey link was used already");
}

/* ---- backup ---- */

int sq_backup(genu_store *gs, const char *path, genu_err *err)
{
    sq_store *s = (sq_store *)gs;
    sqlite3 *dst;
    sq_private_file(path);
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        GENU_FAIL(err, GENU_EIO, "cannot create %s: %s", path, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return GENU_EIO;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->db, "main");
    int rc = b ? SQLITE_OK : sqlite3_errcode(dst);
    /* copy in steps so writers are blocked only briefly; a write in between
     * restarts the copy, which is what keeps it consistent */
    while (b && ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
                 rc == SQLITE_LOCKED))
        if (rc != SQLITE_OK)
            sqlite3_sleep(5);
    if (b)
        sqlite3_backup_finish(b);
    int ret = rc == SQLITE_DONE
                  ? GENU_OK
                  : GENU_FAIL(err, GENU_EIO, "backup to %s failed: %s", path, sqlite3_errmsg(dst));
    if (!ret && sqlite3_exec(dst, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
        ret = GENU_FAIL(err, GENU_EIO, "backup to %s failed: %s", path, sqlite3_errmsg(dst));
    sqlite3_close(dst);
    return ret;
}
