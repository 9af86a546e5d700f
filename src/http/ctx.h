/* ctx: one HTTP request as the handlers see it (method, path, query, body,
 * session cookie, client address), the per-request resources (a store
 * handle, an arena), the signed-in user, and the response being built.
 * Independent of libmicrohttpd so handlers can be driven by tests. One
 * request, one thread. */
#ifndef GENU_HTTP_CTX_H
#define GENU_HTTP_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advice/rules.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "http/auth.h"
#include "http/dscache.h"
#include "http/ratelimit.h"
#include "http/route.h"
#include "http/writer.h"
#include "store/store.h"

#define CTX_MAXQUERY 32

/* What every request shares; read-only after the server started (the rate
 * limiter locks itself). */
typedef struct ctx_env {
    bool secure_cookies;
    int64_t session_us;     /* session lifetime */
    int64_t idle_us;        /* a session unused this long ends; 0: 30 minutes */
    ratelimit *signin;      /* failed sign-ins per account and address */
    ratelimit *signin_addr; /* failed sign-ins per address, whatever the account */
    const char *dummy_hash; /* Argon2id of nothing, verified for unknown names */
    auth_gate *pwgate;      /* password verifications at once; NULL: unbounded */
    const rules *rules;     /* decision-support rules, parsed at start-up; NULL: none */
    writer *writer;         /* group commit of durable writes; NULL: each in its own */
    bool write_later;       /* the server runs api_write_then's writes itself (ctx.pending) */
    dscache *datasets;      /* the shared analysis dataset; NULL: each request loads its own */
    /* the read replica's URL (serve --read-db): ROUTE_REPLICA routes read
     * there through ctx.replica; NULL: everything reads the primary */
    const char *replica;
} ctx_env;

struct ctx;
/* What a handler does once its write committed or failed (api_write_then). */
typedef void (*ctx_then_fn)(struct ctx *c, void *arg, int rc, genu_err *err);

typedef struct ctx {
    /* the request (borrowed for the request's lifetime) */
    const char *method, *path;
    const char *body;
    size_t body_len;
    size_t nquery;
    const char *qkey[CTX_MAXQUERY], *qval[CTX_MAXQUERY];
    bool query_overflow;      /* more than CTX_MAXQUERY arguments */
    const char *cookie;       /* the session cookie's value, or NULL */
    const char *csrf_header;  /* X-CSRF-Token, or NULL */
    const char *content_type; /* or NULL */
    const char *addr;         /* client address as text */
    route_match route;
    /* resources */
    const ctx_env *env;
    genu_store *store;   /* the primary: writes, sessions, accounts, audit */
    /* this worker's handle on the replica when env->replica (else NULL):
     * *replica is NULL until the replica could be reached, and api_handle
     * opens it then (the slot is this worker's alone during the request) */
    genu_store **replica;
    /* where the handler reads records: the replica on a ROUTE_REPLICA route
     * when there is one, else store (set by api_handle) */
    genu_store *read;
    genu_arena *arena;
    dscache_ref *dataset; /* the shared dataset this request reads; released at its end */
    int64_t now_us;
    /* the session, when signed in */
    bool signed_in;
    int role; /* auth_role */
    store_user user;
    const char *csrf, *token_hash;
    const char *actor; /* the audit actor of this request ("user:alice", "anonymous") */
    /* the response */
    int status;
    const char *ctype;
    const char *set_cookie; /* Set-Cookie value, or NULL */
    const char *allow;      /* Allow header (405), or NULL */
    const char *csp;        /* Content-Security-Policy; NULL: the API's (nothing loads) */
    const char *cache;      /* Cache-Control; NULL: no-store */
    genu_buf out;
    /* a write left for the server to queue (env->write_later): it frees the
     * worker while the write waits for its commit, then calls then() with
     * c->store set again; actor and arg live in the arena */
    struct {
        const char *actor;
        writer_fn fn;
        void *arg;
        ctx_then_fn then;
        genu_err err;
    } pending;
} ctx;

/* The query argument `key`, or NULL (the first when repeated). */
const char *ctx_query(const ctx *c, const char *key);
/* The query argument `key` as a decimal integer from 0 to max into *out
 * (def when absent): 0, or -1 after a 400 naming the key. */
int ctx_query_count(ctx *c, const char *key, uint64_t def, uint64_t max, uint64_t *out);

/* Replaces the response by the error shape
 * {"error":{"code":code,"message":msg,"field":field}} ("field" left out
 * when NULL) with that status. */
void ctx_error(ctx *c, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Maps a genu_err to an error response: EINVAL 400 bad_request, ENOTFOUND
 * 404 not_found, EEXIST/ECONFLICT 409 conflict, ENOTSUP 501, else 500 with
 * a generic message (the detail goes to stderr only). The field is taken
 * from a message of the form `field "knee": ...` or `items.P3: ...`. */
void ctx_fail(ctx *c, const genu_err *err);

/* The field a message names, into out (empty when none). */
void ctx_field_of(const char *msg, char *out, size_t outlen);

/* Whether s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * NUL bytes). */
bool ctx_utf8_valid(const char *s, size_t n);

/* Starts a JSON response with status. */
void ctx_json(ctx *c, int status);

#endif
