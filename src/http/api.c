/* api: the gatekeeper. Every request passes here in one order: route
 * (404/405), session lookup, sign-in required (401), CSRF (403), role (403),
 * then the handler, with the store's audit actor set to the caller. */
#include "http/api.h"

#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "http/auth.h"
#include "http/route.h"
#include "http/rview.h"
#include "instruments/instrument.h"
#include "io/settings.h"
#include "io/wording.h"
#include "model/vocab.h"

#define COOKIE "genu_session"

json_t *api_body_object(ctx *c)
{
    genu_err err = {0};
    if (c->body_len == 0) {
        ctx_error(c, 400, "bad_request", NULL, "a JSON object is required as the body");
        return NULL;
    }
    json_t *v = genu_json_parse_object(c->body, c->body_len, &err);
    if (!v)
        ctx_error(c, 400, "bad_request", NULL, "body: %s", err.msg);
    return v;
}

int api_known_fields(ctx *c, json_t *body, const char *const *names)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        size_t i = 0;
        while (names[i] && strcmp(names[i], key) != 0)
            i++;
        if (!names[i]) {
            ctx_error(c, 400, "bad_request", key, "field \"%s\": unknown here", key);
            return -1;
        }
    }
    return 0;
}

int api_site_allowed(const ctx *c, const char *site)
{
    if (c->role == AUTH_ADMIN)
        return 1;
    return auth_site_allowed(c->user.sites, site);
}

int api_as_of(ctx *c, const char *v, genu_date *out)
{
    genu_err err = {0};
    if (genu_date_parse(v, strlen(v), out, &err)) {
        ctx_error(c, 400, "bad_request", "as_of", "as_of: expected a date YYYY-MM-DD");
        return -1;
    }
    return 0;
}

int api_patient_visible(ctx *c, const char *id)
{
    genu_err err = {0};
    genu_record p;
    if (store_get(c->read, GENU_REC_PATIENT, id, c->arena, &p, &err)) {
        if (err.code == GENU_ENOTFOUND)
            ctx_error(c, 404, "not_found", NULL, "no patient \"%s\"", id);
        else
            ctx_fail(c, &err);
        return -1;
    }
    if (!api_site_allowed(c, p.u.patient.site)) {
        ctx_error(c, 403, "forbidden", NULL, "patient \"%s\" belongs to a site outside yours", id);
        return -1;
    }
    return 0;
}

/* "name","role","sites" of an account ("" for all sites). */
static void user_fields(genu_jw *w, const store_user *u)
{
    genu_jw_kstr(w, "name", u->name);
    genu_jw_kstr(w, "role", u->role);
    genu_jw_kstr(w, "sites", u->sites ? u->sites : "");
}

/* A 200 answer {"key":[ … ]}: list_begin opens it, list_end closes it. */
static void list_begin(ctx *c, genu_jw *w, const char *key)
{
    ctx_json(c, 200);
    genu_jw_doc(w, &c->out);
    genu_jw_karr(w, key);
}

static void list_end(genu_jw *w)
{
    genu_jw_end(w);
    genu_jw_doc_end(w);
}

/* A 200 answer about the signed-in user: {"user":{…},"csrf":…, then the
 * caller's fields; session_end closes it. */
static void session_begin(ctx *c, genu_jw *w, const char *csrf)
{
    ctx_json(c, 200);
    genu_jw_doc(w, &c->out);
    genu_jw_kobj(w, "user");
    user_fields(w, &c->user);
    genu_jw_end(w);
    genu_jw_kstr(w, "csrf", csrf);
}

/* Looks the cookie's session up; leaves c signed out when anything is off. */
/* a session in use is written at most this often (or every third of its
 * idle timeout, when shorter) */
#define SESSION_TOUCH_US ((int64_t)60 * 1000000)

/* How long a session may sit unused: 30 minutes (ctx_env.idle_us), never
 * more than its whole life. */
static int64_t session_idle(const ctx *c)
{
    int64_t idle = c->env->idle_us ? c->env->idle_us : (int64_t)30 * 60 * 1000000;
    return idle < c->env->session_us ? idle : c->env->session_us;
}

static int load_session(ctx *c, genu_err *err)
{
    char hash[AUTH_HEX_LEN];
    int64_t uid;
    const char *csrf;
    if (!c->cookie || strlen(c->cookie) != AUTH_TOKEN_LEN - 1)
        return GENU_OK;
    auth_sha256_hex(c->cookie, hash);
    int rc = store_session_get(c->store, hash, c->now_us, c->arena, &uid, &csrf, err);
    if (rc == GENU_ENOTFOUND) {
        genu_err_clear(err);
        return GENU_OK;
    }
    if (rc)
        return rc;
    rc = store_user_get(c->store, NULL, uid, c->arena, &c->user, err);
    if (rc == GENU_ENOTFOUND) {
        genu_err_clear(err);
        return GENU_OK;
    }
    if (rc)
        return rc;
    if (c->user.disabled)
        return GENU_OK;
    /* in use: the idle deadline moves on (written at most once a minute) */
    genu_err e = {0};
    int64_t idle = session_idle(c), slack = idle / 3 < SESSION_TOUCH_US ? idle / 3 : SESSION_TOUCH_US;
    if (store_session_touch(c->store, hash, c->now_us + idle, slack, &e))
        fprintf(stderr, "genu: serve: extending a session: %s\n", e.msg);
    c->role = auth_role_parse(c->user.role);
    c->signed_in = c->role != 0;
    c->csrf = csrf;
    c->token_hash = genu_arena_strdup(c->arena, hash);
    return c->token_hash ? GENU_OK : GENU_OOM(err);
}

static const char *cookie_value(ctx *c, const char *token, int64_t max_age_s)
{
    return genu_arena_printf(c->arena, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; "
                                              "Max-Age=%lld%s",
                             token, (long long)max_age_s,
                             c->env->secure_cookies ? "; Secure" : "");
}

/* A sign-in, or a failed one, in the audit trail: who and from where
 * (never the password). A failure to write it is logged, not the sign-in's
 * answer. */
static void signin_audit(ctx *c, const char *action, const char *name)
{
    genu_err err = {0};
    genu_buf d = GENU_BUF_INIT;
    const char *actor = strcmp(action, "sign_in") == 0
                            ? genu_arena_printf(c->arena, "user:%s", name)
                            : "anonymous";
    genu_jw w;
    genu_jw_init(&w, &d);
    genu_jw_obj(&w);
    genu_jw_kstr(&w, "address", c->addr ? c->addr : "?");
    genu_jw_end(&w);
    if (d.oom || !actor || store_set_actor(c->store, actor, &err) ||
        store_audit_event(c->store, action, "session", name, d.p, &err))
        fprintf(stderr, "genu: serve: auditing a sign-in: %s\n",
                err.code ? err.msg : "out of memory");
    genu_buf_free(&d);
}

void api_session_new(ctx *c)
{
    static const char *const fields[] = {"name", "password", NULL};
    json_t *body = api_body_object(c);
    if (!body)
        return;
    if (api_known_fields(c, body, fields)) {
        json_decref(body);
        return;
    }
    const char *name = json_string_value(json_object_get(body, "name"));
    const char *pw = json_string_value(json_object_get(body, "password"));
    genu_err err = {0};
    if (!name || !pw) {
        ctx_error(c, 400, "bad_request", !name ? "name" : "password",
                  "field \"%s\": expected a string", !name ? "name" : "password");
        goto out;
    }
    /* Attempts are reserved before the password is checked (Argon2id takes
     * tens of milliseconds, so parallel guesses would otherwise all pass the
     * check of the count): per account and address, so that a stranger
     * cannot lock an account out for its owner, and per address, so that
     * one address cannot spray many accounts. A success forgives the
     * reservation. */
    char pkey[200], akey[80];
    snprintf(pkey, sizeof pkey, "pair:%.120s|%.60s", name, c->addr ? c->addr : "?");
    snprintf(akey, sizeof akey, "addr:%.60s", c->addr ? c->addr : "?");
    if (!ratelimit_take(c->env->signin, pkey, c->now_us)) {
        ctx_error(c, 429, "rate_limited", NULL,
                  "too many failed sign-ins; try again in 15 minutes");
        goto out;
    }
    if (!ratelimit_take(c->env->signin_addr, akey, c->now_us)) {
        ratelimit_clear(c->env->signin, pkey); /* this one was not tried */
        ctx_error(c, 429, "rate_limited", NULL,
                  "too many failed sign-ins from this address; try again in 15 minutes");
        goto out;
    }
    store_user u;
    int rc = auth_name_valid(name) ? store_user_get(c->store, name, 0, c->arena, &u, &err)
                                   : GENU_ENOTFOUND;
    if (rc && rc != GENU_ENOTFOUND) {
        ctx_fail(c, &err);
        goto out;
    }
    /* an unknown name costs the same Argon2id verification as a known one */
    bool ok =
        auth_password_verify_gated(c->env->pwgate, rc ? c->env->dummy_hash : u.pwhash, pw);
    if (rc || !ok || u.disabled) {
        signin_audit(c, "sign_in_failed", auth_name_valid(name) ? name : "(not a user name)");
        ctx_error(c, 401, "invalid_credentials", NULL, "invalid name or password");
        goto out;
    }
    /* a success forgives this account's failures from this address, and
     * gives back only its own reservation of the address's budget (other
     * accounts' failures from it still count) */
    ratelimit_clear(c->env->signin, pkey);
    ratelimit_release(c->env->signin_addr, akey, c->now_us);
    if (auth_role_parse(u.role) == AUTH_PATIENT) {
        ctx_error(c, 403, "forbidden", NULL, "patients answer surveys through their link");
        goto out;
    }
    char token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN], hash[AUTH_HEX_LEN];
    auth_token_new(token);
    auth_token_new(csrf);
    auth_sha256_hex(token, hash);
    if (store_session_put(c->store, hash, u.id, csrf, c->now_us + session_idle(c),
                          c->now_us + c->env->session_us, &err)) {
        ctx_fail(c, &err);
        goto out;
    }
    c->user = u;
    c->role = auth_role_parse(u.role);
    signin_audit(c, "sign_in", u.name);
    c->set_cookie = cookie_value(c, token, c->env->session_us / 1000000);
    genu_jw w;
    session_begin(c, &w, csrf);
    genu_jw_kint(&w, "expires_in", (long long)(c->env->session_us / 1000000));
    genu_jw_doc_end(&w);
out:
    json_decref(body);
}

void api_session_end(ctx *c)
{
    genu_err err = {0};
    if (store_session_delete(c->store, c->token_hash, &err) && err.code != GENU_ENOTFOUND) {
        ctx_fail(c, &err);
        return;
    }
    c->set_cookie = cookie_value(c, "", 0);
    ctx_json(c, 200);
    genu_buf_puts(&c->out, "{\"signed_out\":true}\n");
}

void api_me(ctx *c)
{
    genu_jw w;
    session_begin(c, &w, c->csrf);
    genu_jw_doc_end(&w);
}

void api_health(ctx *c)
{
    genu_err err = {0};
    const char *v;
    /* a read of the registry (a setting that is never set): the database
     * answers, without a word of its content in the answer */
    bool up = store_get_setting(c->store, "genu.health", c->arena, &v, &err) == GENU_OK;
    if (!up)
        fprintf(stderr, "genu: serve: /healthz: %s\n", err.msg);
    ctx_json(c, up ? 200 : 503);
    genu_buf_puts(&c->out, up ? "{\"status\":\"ok\"}\n" : "{\"status\":\"unavailable\"}\n");
}

void api_vocabulary(ctx *c)
{
    genu_jw w;
    ctx_json(c, 200);
    genu_jw_doc(&w, &c->out);
    genu_jw_kobj(&w, "labels");
    for (size_t t = 0; t < vocab_ntable(); t++) {
        size_t n = 0;
        genu_jw_kobj(&w, vocab_table(t, &n));
        for (size_t i = 0; i < n; i++) {
            vocab_entry e = vocab_table_row(t, i);
            genu_jw_kstr(&w, e.name, e.label);
        }
        genu_jw_end(&w);
    }
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
}

void api_instruments(ctx *c)
{
    settings_value v;
    genu_err err = {0};
    const char *dir = settings_get(c->store, "wording.dir", c->arena, &v, &err) ? NULL : v.value;
    genu_jw w;
    ctx_json(c, 200);
    genu_jw_doc(&w, &c->out);
    genu_jw_karr(&w, "instruments");
    for (size_t i = 0; i < instrument_count(); i++) {
        const genu_instrument *in = instrument_at(i);
        genu_jw_obj(&w);
        genu_jw_kstr(&w, "id", in->id);
        genu_jw_kint(&w, "version", in->version);
        genu_jw_kstr(&w, "level", instrument_level_name(in->level));
        genu_jw_kstr(&w, "title", in->title);
        genu_jw_kstr(&w, "source", in->source ? in->source : "");
        genu_jw_karr(&w, "items");
        for (size_t k = 0; k < in->nitems; k++) {
            const instr_item *it = &in->items[k];
            genu_jw_obj(&w);
            genu_jw_kstr(&w, "code", it->code);
            genu_jw_kstr(&w, "kind", it->kind == INSTR_BOOL ? "boolean" : "integer");
            if (it->kind != INSTR_BOOL) {
                if (it->allowed) {
                    genu_jw_karr(&w, "allowed");
                    for (size_t j = 0; j < it->nallowed; j++)
                        genu_jw_int(&w, (int)it->allowed[j]);
                    genu_jw_end(&w);
                } else {
                    genu_jw_kint(&w, "min", (int)it->lo);
                    genu_jw_kint(&w, "max", (int)it->hi);
                }
            }
            genu_jw_kbool(&w, "scored", it->scored);
            genu_jw_kstr(&w, "label", it->label ? it->label : it->code);
            genu_jw_end(&w);
        }
        genu_jw_end(&w);
        genu_jw_karr(&w, "scores");
        for (size_t k = 0; k < in->nscores; k++)
            genu_jw_str(&w, in->score_keys[k]);
        genu_jw_end(&w);
        const char *origin = NULL;
        genu_jw_kstr(&w, "wording",
                     dir && wording_available(dir, in, c->arena, &origin) ? origin : NULL);
        genu_jw_end(&w);
    }
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
}

void api_users(ctx *c)
{
    genu_err err = {0};
    store_user *u;
    size_t n;
    if (store_user_list(c->store, c->arena, &u, &n, &err)) {
        ctx_fail(c, &err);
        return;
    }
    genu_jw w;
    list_begin(c, &w, "users");
    for (size_t i = 0; i < n; i++) {
        genu_jw_obj(&w);
        user_fields(&w, &u[i]);
        genu_jw_kbool(&w, "disabled", u[i].disabled);
        genu_jw_end(&w);
    }
    list_end(&w);
}

/* "key" and a stored document: raw when it is JSON, else as a string. */
static void raw_or_string(genu_jw *w, const char *key, const char *doc)
{
    json_t *v = doc ? json_loads(doc, JSON_DECODE_ANY, NULL) : NULL;
    if (v)
        genu_jw_kraw(w, key, doc);
    else
        genu_jw_kstr(w, key, doc);
    json_decref(v);
}

void api_audit(ctx *c)
{
    uint64_t after, limit;
    if (ctx_query_count(c, "after", 0, (uint64_t)1 << 50, &after) ||
        ctx_query_count(c, "limit", 100, 1000, &limit))
        return;
    genu_err err = {0};
    store_audit_row *rows;
    size_t n;
    if (store_audit_list(c->store, (int64_t)after, (size_t)limit, c->arena, &rows, &n, &err)) {
        ctx_fail(c, &err);
        return;
    }
    genu_jw w;
    list_begin(c, &w, "rows");
    for (size_t i = 0; i < n; i++) {
        const store_audit_row *r = &rows[i];
        genu_jw_obj(&w);
        genu_jw_kint(&w, "seq", (long long)r->seq);
        genu_jw_kint(&w, "at_us", (long long)r->at_us);
        genu_jw_kstr(&w, "actor", r->actor);
        genu_jw_kstr(&w, "action", r->action);
        genu_jw_kstr(&w, "type", r->type ? r->type : "");
        genu_jw_kstr(&w, "id", r->id ? r->id : "");
        raw_or_string(&w, "before", r->before);
        raw_or_string(&w, "after", r->after);
        genu_jw_kstr(&w, "hash", r->hash ? r->hash : "");
        genu_jw_end(&w);
    }
    list_end(&w);
}

int api_write(ctx *c, const char *actor, writer_fn fn, void *arg, genu_err *err)
{
    if (c->env && c->env->writer)
        return writer_run(c->env->writer, actor, fn, arg, err);
    if (store_set_actor(c->store, actor, err) || store_begin(c->store, err))
        return err->code;
    if (fn(c->store, arg, err) || store_commit(c->store, err)) {
        store_rollback(c->store);
        return err->code ? err->code : GENU_EIO;
    }
    return GENU_OK;
}

void api_write_then(ctx *c, const char *actor, writer_fn fn, void *arg, ctx_then_fn then)
{
    if (c->env && c->env->writer && c->env->write_later) {
        c->pending.actor = actor;
        c->pending.fn = fn;
        c->pending.arg = arg;
        c->pending.then = then;
        return;
    }
    genu_err err = {0};
    int rc = api_write(c, actor, fn, arg, &err);
    then(c, arg, rc, &err);
}

/* Whether a Content-Type header names JSON: application/json, parameters
 * (charset) allowed, any case. */
static bool is_json(const char *ct)
{
    static const char json[] = "application/json";
    if (!ct || strncasecmp(ct, json, sizeof json - 1) != 0)
        return false;
    ct += sizeof json - 1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

#define REPLICA_DOWN \
    "the read replica is unavailable; try again shortly (writes are not affected)"

/* The replica could not answer a read routed to it: a lost connection
 * that could not be made again (a 500 while it is down), or a query the
 * standby cancelled to replay the primary's changes (SQLSTATE 40001, a
 * 409). Either is the replica's state, not the request's: 503, and the
 * client may try again; writes go to the primary and are not affected. */
static void replica_unavailable(ctx *c)
{
    bool down = c->status >= 500 && !store_connected(c->read);
    if (!down && c->status != 409)
        return;
    fprintf(stderr, "genu: serve: %s %s: the read replica could not answer\n", c->method,
            c->path);
    ctx_error(c, 503, "unavailable", NULL, REPLICA_DOWN);
}

/* Points c->read at the worker's replica handle, opening it first when
 * the replica could not be reached before; -1 with a 503 when it still
 * cannot. */
static int read_from_replica(ctx *c)
{
    genu_err err = {0};
    if (!*c->replica && store_open_read(c->env->replica, c->replica, &err)) {
        fprintf(stderr, "genu: serve: --read-db: %s\n", err.msg);
        ctx_error(c, 503, "unavailable", NULL, REPLICA_DOWN);
        return -1;
    }
    c->read = *c->replica;
    return 0;
}

static void dispatch(ctx *c)
{
    const route_def *r = c->route.def;
    bool researcher = c->role == AUTH_RESEARCHER;
    if (researcher && (r->flags & ROUTE_IDENTIFIED)) {
        ctx_error(c, 403, "forbidden", NULL,
                  "researchers see de-identified data only: read patients by pseudonym at "
                  "/api/v1/patients/{pseudonym}, or use the de-identified export");
        return;
    }
    if (researcher && (r->flags & ROUTE_RESEARCHER_VIEW) && r->researcher)
        r->researcher(c);
    else
        r->handler(c);
    if (c->read != c->store)
        replica_unavailable(c);
    if (researcher && (r->flags & ROUTE_AGGREGATE) && c->status == 200)
        rview_small_cells(c);
}

void api_handle(ctx *c)
{
    char allow[64];
    genu_err err = {0};
    int st = route_match_path(c->method, c->path, &c->route, allow, sizeof allow);
    if (st == 404) {
        ctx_error(c, 404, "not_found", NULL, "no such resource: %s", c->path);
        return;
    }
    if (st == 405) {
        c->allow = genu_arena_strdup(c->arena, allow);
        ctx_error(c, 405, "method_not_allowed", NULL, "%s is not allowed here (allowed: %s)",
                  c->method, allow);
        return;
    }
    if (c->query_overflow) {
        ctx_error(c, 400, "bad_request", NULL, "too many query arguments");
        return;
    }
    int roles = c->route.def->roles;
    bool link = c->route.def->flags & ROUTE_LINK;
    c->read = c->store;
    /* A state change carries JSON, which a plain HTML form cannot send
     * across sites: so no form can forge one, sign-in included. (Survey and
     * unsubscribe pages are forms: their token is the credential.) */
    if (!link && route_changes_state(c->method) && c->body_len > 0 && !is_json(c->content_type)) {
        ctx_error(c, 415, "unsupported_media_type", NULL,
                  "a request that changes something must be sent as Content-Type: "
                  "application/json");
        return;
    }
    if (!link && load_session(c, &err)) {
        ctx_fail(c, &err);
        return;
    }
    if (roles != ROUTE_PUBLIC && !c->signed_in) {
        ctx_error(c, 401, "unauthorized", NULL, "sign in first (POST /api/v1/session)");
        return;
    }
    if (c->signed_in && !link && route_changes_state(c->method) &&
        !auth_equal(c->csrf_header, c->csrf)) {
        ctx_error(c, 403, "csrf", NULL,
                  "header X-CSRF-Token must carry the token given at sign-in");
        return;
    }
    if (roles != ROUTE_PUBLIC && !(roles & c->role)) {
        ctx_error(c, 403, "forbidden", NULL, "role %s may not %s %s", c->user.role, c->method,
                  c->route.def->pattern);
        return;
    }
    const char *actor = c->signed_in ? genu_arena_printf(c->arena, "user:%s", c->user.name)
                                     : "anonymous";
    c->actor = actor;
    if (!actor || store_set_actor(c->store, actor, &err)) {
        ctx_fail(c, &err);
        return;
    }
    if (c->env->replica && c->replica && (c->route.def->flags & ROUTE_REPLICA) &&
        read_from_replica(c))
        return;
    dispatch(c);
}
