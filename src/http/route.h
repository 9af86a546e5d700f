/* route: the server's routing table, one row per route: a method, a path
 * pattern whose `{name}` segments match one non-empty path segment, the
 * roles that may call it (or ROUTE_PUBLIC), how it treats sessions and
 * researchers (flags), and its handler. Adding a route is adding a row. The
 * table is static and is what docs/openapi.json must describe (`genu serve
 * --routes` prints it). */
#ifndef GENU_HTTP_ROUTE_H
#define GENU_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

struct ctx;

typedef enum {
    ROUTE_INDEX = 1,
    ROUTE_SESSION_NEW,
    ROUTE_SESSION_END,
    ROUTE_ME,
    ROUTE_PATIENTS,
    ROUTE_PATIENT,
    ROUTE_RECORD_NEW,
    ROUTE_RECORD_GET,
    ROUTE_RECORD_PUT,
    ROUTE_RECORD_DELETE,
    ROUTE_INSTRUMENTS,
    ROUTE_CLAIM,
    ROUTE_SURVIVAL,
    ROUTE_REPORT,
    ROUTE_EXPORT,
    ROUTE_SURVEY_NEW,
    ROUTE_SURVEY_PAGE,
    ROUTE_SURVEY_SUBMIT,
    ROUTE_FOLLOWUPS,
    ROUTE_AUDIT,
    ROUTE_USERS,
    ROUTE_ASSET,
    ROUTE_ADVICE,
    ROUTE_CASE,
    ROUTE_FU_CALLS,
    ROUTE_FU_RATES,
    ROUTE_FU_WINDOWS,
    ROUTE_UNSUB_PAGE,
    ROUTE_UNSUB_SUBMIT,
    ROUTE_WORDING,
    ROUTE_COMPARE,
    ROUTE_HEALTH,
    ROUTE_VOCABULARY
} route_id;

#define ROUTE_PUBLIC 0 /* roles: no session needed */
#define ROUTE_MAXPARAM 2

/* How a route treats sessions and researchers. */
enum {
    /* its token is the credential (survey and unsubscribe links, assets):
     * no session is read and no CSRF header asked for */
    ROUTE_LINK = 1,
    /* shows identified records one at a time: researchers get 403 */
    ROUTE_IDENTIFIED = 2,
    /* researchers get the `researcher` handler instead (http/rview.h) */
    ROUTE_RESEARCHER_VIEW = 4,
    /* an analysis: researchers see counts of 1 to 4 as "< 5" */
    ROUTE_AGGREGATE = 8,
    /* a read of records (analyses, exports, patients and records by GET):
     * served from the read replica when the server has one (ctx.read) */
    ROUTE_REPLICA = 16,
};

typedef struct route_def {
    const char *method;
    const char *pattern; /* "/api/v1/records/{type}/{id}" */
    route_id id;
    int roles;      /* auth_role bits allowed; ROUTE_PUBLIC = anyone */
    unsigned flags; /* ROUTE_LINK, ... */
    void (*handler)(struct ctx *c);
    void (*researcher)(struct ctx *c); /* with ROUTE_RESEARCHER_VIEW */
} route_def;

/* The table, in order. */
size_t route_count(void);
const route_def *route_at(size_t i);

typedef struct route_match {
    const route_def *def;
    size_t nparam;
    genu_str param[ROUTE_MAXPARAM]; /* borrowed from the path */
} route_match;

/* Matches method and path (no query string). Returns 200 and fills *out,
 * 404 when no pattern matches the path, 405 when patterns match but not
 * with this method (allow, when not NULL, receives the allowed methods,
 * comma-separated, at most allowlen bytes). */
int route_match_path(const char *method, const char *path, route_match *out, char *allow,
                     size_t allowlen);

/* Whether the method changes state (anything but GET and HEAD). */
bool route_changes_state(const char *method);

#endif
