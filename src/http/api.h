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

/* Parses the body as a JSON object; on failure writes the 400 and returns
 * NULL. Caller decrefs. */
json_t *api_body_object(ctx *c);

/* Whether the signed-in user may see a patient of `site` (clinicians and
 * researchers with a site scope see only those sites). */
int api_site_allowed(const ctx *c, const char *site);

/* Appends a JSON object of the signed-in user: name, role, sites. */
void api_user_json(ctx *c);

#endif
