/* route: a linear scan over a short static table; paths are split into
 * segments on '/', and a pattern segment "{x}" takes any non-empty one. */
#include "http/route.h"

#include <string.h>

#include "http/advice.h"
#include "http/analyses.h"
#include "http/api.h"
#include "http/assets.h"
#include "http/auth.h"
#include "http/case.h"
#include "http/fupages.h"
#include "http/records.h"
#include "http/rview.h"
#include "http/survey.h"

#define STAFF (AUTH_ADMIN | AUTH_CLINICIAN)
#define READERS (AUTH_ADMIN | AUTH_CLINICIAN | AUTH_RESEARCHER)
#define SIGNED (AUTH_ADMIN | AUTH_CLINICIAN | AUTH_RESEARCHER | AUTH_PATIENT)

#define LINK ROUTE_LINK
#define IDENT ROUTE_IDENTIFIED
#define RVIEW ROUTE_RESEARCHER_VIEW
#define AGG ROUTE_AGGREGATE
#define REPL ROUTE_REPLICA

static const route_def routes[] = {
    {"GET", "/", ROUTE_INDEX, ROUTE_PUBLIC, 0, assets_index, NULL},
    {"GET", "/assets/{file}", ROUTE_ASSET, ROUTE_PUBLIC, LINK, assets_file_get, NULL},
    {"POST", "/api/v1/session", ROUTE_SESSION_NEW, ROUTE_PUBLIC, 0, api_session_new, NULL},
    {"DELETE", "/api/v1/session", ROUTE_SESSION_END, SIGNED, 0, api_session_end, NULL},
    {"GET", "/api/v1/me", ROUTE_ME, SIGNED, 0, api_me, NULL},
    {"GET", "/api/v1/patients", ROUTE_PATIENTS, READERS, RVIEW | REPL, records_patients,
     rview_patients},
    {"GET", "/api/v1/patients/{id}", ROUTE_PATIENT, READERS, RVIEW | REPL, records_patient,
     rview_patient},
    {"GET", "/api/v1/patients/{id}/advice", ROUTE_ADVICE, READERS, IDENT | REPL, advice_get, NULL},
    {"GET", "/api/v1/patients/{id}/case", ROUTE_CASE, READERS, RVIEW | REPL, case_get,
     case_get_deid},
    {"POST", "/api/v1/records", ROUTE_RECORD_NEW, STAFF, 0, records_create, NULL},
    {"GET", "/api/v1/records/{type}/{id}", ROUTE_RECORD_GET, READERS, IDENT | REPL, records_get,
     NULL},
    {"PUT", "/api/v1/records/{type}/{id}", ROUTE_RECORD_PUT, STAFF, 0, records_put, NULL},
    {"DELETE", "/api/v1/records/{type}/{id}", ROUTE_RECORD_DELETE, STAFF, 0, records_delete,
     NULL},
    {"GET", "/api/v1/instruments", ROUTE_INSTRUMENTS, READERS, 0, api_instruments, NULL},
    {"GET", "/api/v1/vocabulary", ROUTE_VOCABULARY, READERS, 0, api_vocabulary, NULL},
    {"GET", "/api/v1/instruments/{id}/wording", ROUTE_WORDING, READERS, 0, survey_wording,
     NULL},
    {"GET", "/api/v1/claim", ROUTE_CLAIM, READERS, AGG | REPL, analyses_claim, NULL},
    {"GET", "/api/v1/compare", ROUTE_COMPARE, READERS, AGG | REPL, analyses_compare, NULL},
    {"GET", "/api/v1/survival", ROUTE_SURVIVAL, READERS, AGG | REPL, analyses_survival, NULL},
    {"GET", "/api/v1/report", ROUTE_REPORT, READERS, AGG | REPL, analyses_report, NULL},
    {"GET", "/api/v1/export", ROUTE_EXPORT, READERS, REPL, records_export, NULL},
    {"POST", "/api/v1/surveys", ROUTE_SURVEY_NEW, STAFF, 0, survey_create, NULL},
    {"GET", "/s/{token}", ROUTE_SURVEY_PAGE, ROUTE_PUBLIC, LINK, survey_page, NULL},
    {"POST", "/s/{token}", ROUTE_SURVEY_SUBMIT, ROUTE_PUBLIC, LINK, survey_submit, NULL},
    {"GET", "/api/v1/followups", ROUTE_FOLLOWUPS, STAFF, REPL, analyses_followups, NULL},
    {"GET", "/api/v1/followup/calls", ROUTE_FU_CALLS, STAFF, 0, fupages_calls, NULL},
    {"GET", "/api/v1/followup/rates", ROUTE_FU_RATES, STAFF, 0, fupages_rates, NULL},
    {"GET", "/api/v1/followup/windows", ROUTE_FU_WINDOWS, STAFF, 0, fupages_windows, NULL},
    {"GET", "/u/{token}", ROUTE_UNSUB_PAGE, ROUTE_PUBLIC, LINK, fupages_unsub_page, NULL},
    {"POST", "/u/{token}", ROUTE_UNSUB_SUBMIT, ROUTE_PUBLIC, LINK, fupages_unsub_submit, NULL},
    {"GET", "/api/v1/audit", ROUTE_AUDIT, AUTH_ADMIN, 0, api_audit, NULL},
    {"GET", "/api/v1/users", ROUTE_USERS, AUTH_ADMIN, 0, api_users, NULL},
    {"GET", "/healthz", ROUTE_HEALTH, ROUTE_PUBLIC, 0, api_health, NULL},
};

size_t route_count(void)
{
    return sizeof routes / sizeof routes[0];
}

const route_def *route_at(size_t i)
{
    return i < route_count() ? &routes[i] : NULL;
}

/* Next segment of *p (after a '/'); false at the end. */
static bool next_seg(const char **p, genu_str *seg)
{
    if (**p != '/')
        return false;
    const char *s = *p + 1, *e = strchr(s, '/');
    if (!e)
        e = s + strlen(s);
    seg->p = s;
    seg->n = (size_t)(e - s);
    *p = e;
    return true;
}

static bool match(const char *pattern, const char *path, route_match *out)
{
    const char *a = pattern, *b = path;
    genu_str pa, pb;
    size_t np = 0;
    if (strcmp(pattern, "/") == 0)
        return strcmp(path, "/") == 0;
    for (;;) {
        bool ha = next_seg(&a, &pa), hb = next_seg(&b, &pb);
        if (!ha || !hb)
            return ha == hb && *b == '\0';
        if (pa.n > 2 && pa.p[0] == '{') {
            if (pb.n == 0 || np >= ROUTE_MAXPARAM)
                return false;
            out->param[np++] = pb;
        } else if (pa.n != pb.n || memcmp(pa.p, pb.p, pa.n) != 0) {
            return false;
        }
        out->nparam = np;
    }
}

int route_match_path(const char *method, const char *path, route_match *out, char *allow,
                     size_t allowlen)
{
    bool path_seen = false;
    if (allow && allowlen)
        allow[0] = '\0';
    for (size_t i = 0; i < route_count(); i++) {
        route_match m = {0};
        if (!match(routes[i].pattern, path, &m))
            continue;
        if (strcmp(routes[i].method, method) == 0) {
            m.def = &routes[i];
            *out = m;
            return 200;
        }
        if (allow && allowlen) {
            size_t used = strlen(allow);
            const char *sep = path_seen ? ", " : "";
            if (used + strlen(sep) + strlen(routes[i].method) < allowlen) {
                memcpy(allow + used, sep, strlen(sep));
                memcpy(allow + used + strlen(sep), routes[i].method,
                       strlen(routes[i].method) + 1);
            }
        }
        path_seen = true;
    }
    return path_seen ? 405 : 404;
}

bool route_changes_state(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}
