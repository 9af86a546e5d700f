/* api: the request pipeline after the body is read: routing, the session
 * (cookie → hashed token → user), 401/403 gates (sign-in, CSRF on every
 * state-changing request made with a session, roles), the audit actor, and
 * the small handlers (session, me, instruments, users, audit, index). */
#ifndef GENU_HTTP_API_H
#define GENU_HTTP_API_H

#include <jansson.h>

#include "http/ctx.h"

/* Fills c's response for c's request. c->store, arena, env, now_us set. */
void api_handle(ctx *c);

/* The sign-in, account and instrument handlers the route table names
 * (http/route.c): POST and DELETE /api/v1/session, GET /api/v1/me,
 * /api/v1/instruments, /api/v1/users and /api/v1/audit. */
void api_session_new(ctx *c);
void api_session_end(ctx *c);
void api_me(ctx *c);
void api_instruments(ctx *c);
/* GET /api/v1/vocabulary: every vocabulary table, code → label for people. */
void api_vocabulary(ctx *c);
void api_users(ctx *c);
void api_audit(ctx *c);
/* GET /healthz, for monitoring: 200 {"status":"ok"} when the registry
 * answers a query, else 503 {"status":"unavailable"}; no data, no session. */
void api_health(ctx *c);

/* Parses the body as a JSON object; on failure writes the 400 and returns
 * NULL. Caller decrefs. */
json_t *api_body_object(ctx *c);

/* Runs fn(store, arg) as one durable write under the audit actor: through
 * the server's group commit (writer.h) when c->env->writer is set, else in
 * a transaction of its own on c->store. GENU_OK only once committed; else
 * fn's error or the commit's, and nothing of fn kept. Blocks until then. */
int api_write(ctx *c, const char *actor, writer_fn fn, void *arg, genu_err *err);

/* The same without holding the worker while the write waits for its commit:
 * when the server runs writes itself (env->write_later) this only records
 * the write in c->pending and returns; the server calls then(c, arg, rc, err)
 * once the write committed or failed. Else it runs api_write and then()
 * before returning. actor and arg must outlive the request (the arena). */
void api_write_then(ctx *c, const char *actor, writer_fn fn, void *arg, ctx_then_fn then);

/* Checks that body has no member outside names (NULL-terminated); an
 * unknown one is a 400 naming it (a misspelt option must not be ignored),
 * and -1 is returned. */
int api_known_fields(ctx *c, json_t *body, const char *const *names);

/* Whether the signed-in user may see a patient of `site` (clinicians and
 * researchers with a site scope see only those sites). */
int api_site_allowed(const ctx *c, const char *site);

/* Whether patient `id` exists and is within the caller's sites (the
 * patient-level reads: advice, case history): 0, else -1 with the 404, 403
 * or 500 written. */
int api_patient_visible(ctx *c, const char *id);

/* Parses the query argument as_of (value v) into *out; on a bad date, the
 * 400 naming as_of and -1. */
int api_as_of(ctx *c, const char *v, genu_date *out);

#endif
