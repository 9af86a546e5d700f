/* records: patients and records (docs/format.md) over the store. Clinicians (and scoped
 * researchers) see only patients of their sites; a record of another site
 * answers 403. Researchers never receive identity or message records. */
#include "http/records.h"

#include <string.h>

#include "core/json.h"
#include "http/api.h"
#include "http/auth.h"
#include "io/death.h"
#include "io/deid.h"
#include "io/record_json.h"
#include "io/settings.h"

#define PAGE_MAX 500
#define PATIENT_RECORDS_MAX 100000

static const char *param(ctx *c, size_t i)
{
    return genu_arena_strndup(c->arena, c->route.param[i].p, c->route.param[i].n);
}

/* The user's site scope for store_list (NULL = all). */
static const char *scope(const ctx *c)
{
    if (c->role == AUTH_ADMIN || !c->user.sites || !*c->user.sites)
        return NULL;
    return c->user.sites;
}

/* Loads patient id and checks the caller may see it: 0, or the response
 * (404/403/500) is written and -1 returned. */
static int patient_visible(ctx *c, const char *id, genu_record *p)
{
    genu_err err = {0};
    if (store_get(c->read, GENU_REC_PATIENT, id, c->arena, p, &err)) {
        if (err.code == GENU_ENOTFOUND)
            ctx_error(c, 404, "not_found", NULL, "no patient \"%s\"", id);
        else
            ctx_fail(c, &err);
        return -1;
    }
    if (!api_site_allowed(c, p->u.patient.site)) {
        ctx_error(c, 403, "forbidden", NULL, "patient \"%s\" belongs to a site outside yours",
                  id);
        return -1;
    }
    return 0;
}

void records_patients(ctx *c)
{
    store_query q = {0};
    genu_err err = {0};
    genu_record *recs;
    size_t n, total;
    q.sites = scope(c);
    q.search = ctx_query(c, "search");
    if (q.search && !*q.search)
        q.search = NULL;
    uint64_t offset, limit;
    if (ctx_query_count(c, "offset", 0, 1000000000, &offset) ||
        ctx_query_count(c, "limit", 50, PAGE_MAX, &limit))
        return;
    q.offset = (size_t)offset;
    q.limit = (size_t)limit;
    if (store_list(c->read, GENU_REC_PATIENT, &q, c->arena, &recs, &n, &total, &err)) {
        ctx_fail(c, &err);
        return;
    }
    genu_jw w;
    ctx_json(c, 200);
    genu_jw_doc(&w, &c->out);
    genu_jw_ksize(&w, "total", total);
    genu_jw_ksize(&w, "offset", q.offset);
    genu_jw_ksize(&w, "limit", q.limit);
    genu_jw_karr(&w, "patients");
    for (size_t i = 0; i < n; i++)
        genu_jw_raw(&w, recs[i].doc);
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
}

void records_patient(ctx *c)
{
    const char *id = param(c, 0);
    genu_record p;
    genu_err err = {0};
    if (!id || patient_visible(c, id, &p))
        return;
    genu_buf b = GENU_BUF_INIT;
    genu_jw w;
    genu_jw_doc(&w, &b);
    genu_jw_kraw(&w, "patient", p.doc);
    genu_jw_kobj(&w, "records");
    for (int t = GENU_REC_IDENTITY; t < GENU_REC_NTYPES; t++) {
        /* identities, and messages (their errors may quote an address), are
         * the staff's */
        if ((t == GENU_REC_IDENTITY || t == GENU_REC_MESSAGE) && c->role == AUTH_RESEARCHER)
            continue;
        store_query q = {.patient = id, .limit = PATIENT_RECORDS_MAX};
        genu_record *recs;
        size_t n, total;
        if (store_list(c->read, (genu_rtype)t, &q, c->arena, &recs, &n, &total, &err)) {
            genu_buf_free(&b);
            ctx_fail(c, &err);
            return;
        }
        genu_jw_karr(&w, record_type_name((genu_rtype)t));
        for (size_t i = 0; i < n; i++)
            genu_jw_raw(&w, recs[i].doc);
        genu_jw_end(&w);
    }
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
    ctx_json(c, 200);
    genu_buf_free(&c->out);
    c->out = b;
}

/* Parses the body as one JSON Lines record (docs/format.md), scored with the default options (the
 * write re-scores it with the registry's, settings_rescore_stale); on
 * failure the 400 is written. */
static int parse_record(ctx *c, genu_record *r)
{
    genu_err err = {0};
    json_t *probe = api_body_object(c); /* the JSON error shape for bad JSON */
    if (!probe)
        return -1;
    json_decref(probe);
    if (record_json_parse(c->body, c->body_len, c->arena, r, &err)) {
        ctx_fail(c, &err);
        return -1;
    }
    return 0;
}

/* The checks every write shares: the caller may write a record of this
 * patient, and its references exist. */
static int write_allowed(ctx *c, const genu_record *r)
{
    genu_err err = {0};
    if (r->type == GENU_REC_PATIENT) {
        if (!api_site_allowed(c, r->u.patient.site)) {
            ctx_error(c, 403, "forbidden", "site", "site \"%s\" is outside yours",
                      r->u.patient.site);
            return -1;
        }
        return 0;
    }
    genu_record p;
    int rc = store_get(c->store, GENU_REC_PATIENT, r->patient, c->arena, &p, &err);
    if (rc == GENU_ENOTFOUND) {
        ctx_error(c, 422, "unknown_reference", "patient", "field \"patient\": no patient \"%s\"",
                  r->patient);
        return -1;
    }
    if (rc) {
        ctx_fail(c, &err);
        return -1;
    }
    if (!api_site_allowed(c, p.u.patient.site)) {
        ctx_error(c, 403, "forbidden", "patient", "patient \"%s\" belongs to a site outside yours",
                  r->patient);
        return -1;
    }
    if (r->type == GENU_REC_ADVERSE_EVENT && r->u.adverse_event.treatment) {
        /* the patient's own treatment; another patient's (of another site,
         * perhaps) answers exactly as a missing one, so that the answer
         * tells nothing of other patients */
        genu_record t;
        int got = store_get(c->store, GENU_REC_TREATMENT, r->u.adverse_event.treatment,
                            c->arena, &t, &err);
        if (got && got != GENU_ENOTFOUND) {
            ctx_fail(c, &err);
            return -1;
        }
        if (got || strcmp(t.patient, r->patient) != 0) {
            ctx_error(c, 422, "unknown_reference", "treatment",
                      "field \"treatment\": no treatment \"%s\" of patient \"%s\"",
                      r->u.adverse_event.treatment, r->patient);
            return -1;
        }
    }
    char why[400];
    if (death_check(c->store, r, c->arena, why, sizeof why, &err)) {
        ctx_fail(c, &err);
        return -1;
    }
    if (why[0]) {
        ctx_error(c, 422, "death_rule", strstr(why, "\"patient\"") == why + 6 ? "patient" : "date",
                  "%s", why);
        return -1;
    }
    return 0;
}

/* Whether type/id exists: 1 yes, 0 no, -1 error written. */
static int exists(ctx *c, genu_rtype t, const char *id, genu_record *out)
{
    genu_err err = {0};
    int rc = store_get(c->read, t, id, c->arena, out, &err);
    if (rc == GENU_ENOTFOUND)
        return 0;
    if (rc) {
        ctx_fail(c, &err);
        return -1;
    }
    return 1;
}

/* A record write as the writer runs it: a create fails with
 * GENU_ECONFLICT when the id appeared since the handler looked; a response
 * is scored with the registry's options as they are inside the write. */
typedef struct put_job {
    genu_record *r;
    bool create;
    genu_arena *arena; /* the request's; its thread waits meanwhile */
    instr_opts opts;   /* what r was scored with */
    store_put_result res;
} put_job;

static int put_write(genu_store *s, void *arg, genu_err *err)
{
    put_job *j = arg;
    genu_record old;
    if (j->create) {
        int rc = store_get(s, j->r->type, j->r->id, j->arena, &old, err);
        if (rc == GENU_OK)
            return GENU_FAIL(err, GENU_ECONFLICT, "a %s \"%s\" exists already (PUT replaces it)",
                             record_type_name(j->r->type), j->r->id);
        if (rc != GENU_ENOTFOUND)
            return rc;
        genu_err_clear(err);
    }
    if (settings_rescore_stale(s, &j->opts, j->r, 1, j->arena, err))
        return err->code;
    return store_put(s, j->r, &j->res, err);
}

static int put(ctx *c, genu_record *r, bool create, store_put_result *res)
{
    genu_err err = {0};
    put_job j = {.r = r, .create = create, .arena = c->arena, .opts = instrument_opts_default};
    if (api_write(c, c->actor, put_write, &j, &err)) {
        if (err.code == GENU_ECONFLICT && create)
            ctx_error(c, 409, "conflict", "id", "%s", err.msg);
        else
            ctx_fail(c, &err);
        return -1;
    }
    *res = j.res;
    return 0;
}

static void write_result(ctx *c, int status, store_put_result res, const char *doc)
{
    static const char *const names[] = {"added", "updated", "unchanged"};
    genu_jw w;
    ctx_json(c, status);
    genu_jw_doc(&w, &c->out);
    genu_jw_kstr(&w, "result", names[res]);
    genu_jw_kraw(&w, "record", doc);
    genu_jw_doc_end(&w);
}

void records_create(ctx *c)
{
    genu_record r, old;
    store_put_result res;
    if (parse_record(c, &r) || write_allowed(c, &r))
        return;
    int e = exists(c, r.type, r.id, &old);
    if (e < 0)
        return;
    if (e) {
        ctx_error(c, 409, "conflict", "id", "a %s \"%s\" exists already (PUT replaces it)",
                  record_type_name(r.type), r.id);
        return;
    }
    if (put(c, &r, true, &res) == 0)
        write_result(c, 201, res, r.doc);
}

/* The path's type and id; on failure the response is written. */
static int path_record(ctx *c, genu_rtype *t, const char **id)
{
    const char *ts = param(c, 0);
    *id = param(c, 1);
    int k = ts ? record_type_find(ts) : -1;
    if (k < 0 || !*id) {
        ctx_error(c, 404, "not_found", "type", "unknown record type \"%s\"", ts ? ts : "");
        return -1;
    }
    *t = (genu_rtype)k;
    if ((*t == GENU_REC_IDENTITY || *t == GENU_REC_MESSAGE) && c->role == AUTH_RESEARCHER) {
        ctx_error(c, 403, "forbidden", NULL, "researchers never see %s records",
                  record_type_name(*t));
        return -1;
    }
    return 0;
}

/* Loads the path's record and checks its patient's site. */
static int visible_record(ctx *c, genu_rtype *t, const char **id, genu_record *r)
{
    genu_record p;
    if (path_record(c, t, id))
        return -1;
    int e = exists(c, *t, *id, r);
    if (e < 0)
        return -1;
    if (!e) {
        ctx_error(c, 404, "not_found", NULL, "no %s \"%s\"", record_type_name(*t), *id);
        return -1;
    }
    return patient_visible(c, r->patient ? r->patient : *id, &p);
}

void records_get(ctx *c)
{
    genu_rtype t;
    const char *id;
    genu_record r;
    if (visible_record(c, &t, &id, &r))
        return;
    genu_jw w;
    ctx_json(c, 200);
    genu_jw_doc(&w, &c->out);
    genu_jw_kraw(&w, "record", r.doc);
    genu_jw_doc_end(&w);
}

void records_put(ctx *c)
{
    genu_rtype t;
    const char *id;
    genu_record old, r;
    store_put_result res;
    if (visible_record(c, &t, &id, &old) || parse_record(c, &r))
        return;
    if (r.type != t) {
        ctx_error(c, 400, "bad_request", "type", "field \"type\": the path says %s",
                  record_type_name(t));
        return;
    }
    if (strcmp(r.id, id) != 0) {
        ctx_error(c, 400, "bad_request", "id", "field \"id\": the path says \"%s\"", id);
        return;
    }
    if (write_allowed(c, &r) || put(c, &r, false, &res))
        return;
    write_result(c, 200, res, r.doc);
}

typedef struct delete_job {
    genu_rtype type;
    const char *id;
} delete_job;

static int delete_write(genu_store *s, void *arg, genu_err *err)
{
    const delete_job *j = arg;
    return store_delete(s, j->type, j->id, err);
}

void records_delete(ctx *c)
{
    genu_rtype t;
    const char *id;
    genu_record r;
    genu_err err = {0};
    if (visible_record(c, &t, &id, &r))
        return;
    delete_job j = {t, id};
    if (api_write(c, c->actor, delete_write, &j, &err)) {
        ctx_fail(c, &err);
        return;
    }
    genu_jw w;
    ctx_json(c, 200);
    genu_jw_doc(&w, &c->out);
    genu_jw_kobj(&w, "deleted");
    genu_jw_kstr(&w, "type", record_type_name(t));
    genu_jw_kstr(&w, "id", id);
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
}

/* ---- export ---- */

typedef struct export_state {
    ctx *c;
    bool skip; /* the current patient is outside the caller's sites */
} export_state;

static int export_one(genu_rtype type, const char *doc, int32_t day, void *arg)
{
    export_state *x = arg;
    (void)day;
    if (type == GENU_REC_PATIENT) {
        json_t *p = json_loads(doc, 0, NULL);
        x->skip = !api_site_allowed(x->c, json_string_value(json_object_get(p, "site")));
        json_decref(p);
    }
    if (x->skip)
        return 0;
    genu_buf_puts(&x->c->out, doc);
    genu_buf_putc(&x->c->out, '\n');
    return x->c->out.oom ? GENU_ENOMEM : 0;
}

void records_export(ctx *c)
{
    export_state x = {.c = c};
    genu_err err = {0};
    deid_opts o = {0};
    o.deidentify = c->role == AUTH_RESEARCHER;
    o.dates = DEID_DATES_INDEX;
    c->status = 200;
    c->ctype = "application/x-ndjson";
    genu_buf_clear(&c->out);
    int rc = deid_each(c->read, &o, export_one, &x, &err);
    if (rc && !err.code)
        GENU_FAIL(&err, GENU_ENOMEM, "export: out of memory");
    if (rc || c->out.oom)
        ctx_fail(c, &err);
}
