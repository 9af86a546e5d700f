/* case: a case history over HTTP. Like `genu case`, each request loads
 * only the patient's own records (store_load_scope) into its arena: a case
 * history needs nothing of the rest of the registry, and a page view must
 * not cost a load of it. */
#include "http/case.h"

#include <string.h>

#include <sodium.h>

#include "analysis/case.h"
#include "http/api.h"
#include "http/rview.h"
#include "io/case_json.h"
#include "io/deid.h"

/* as_of is the one argument; any other is a 400 naming it (a misspelt
 * argument must not be ignored). A researcher's history is as of today:
 * a date chosen by the researcher could date the records one by one (the
 * day a record appears), so as_of is refused to researchers too. */
static int case_args(ctx *c, genu_date *as_of, bool researcher)
{
    const char *v = ctx_query(c, "as_of");
    if (v && researcher) {
        ctx_error(c, 400, "bad_request", "as_of",
                  "as_of: not available to researchers, whose case histories are as of "
                  "today and speak in days from the index date");
        return -1;
    }
    for (size_t i = 0; i < c->nquery; i++)
        if (strcmp(c->qkey[i], "as_of") != 0) {
            ctx_error(c, 400, "bad_request", c->qkey[i], "unknown query argument \"%s\"",
                      c->qkey[i]);
            return -1;
        }
    *as_of = genu_date_today();
    return v ? api_as_of(c, v, as_of) : 0;
}

void case_get(ctx *c)
{
    genu_err err = {0};
    genu_date as_of;
    genu_dataset ds;
    case_history h;
    const char *id = genu_arena_strndup(c->arena, c->route.param[0].p, c->route.param[0].n);
    if (!id) {
        ctx_error(c, 500, "internal", NULL, "out of memory");
        return;
    }
    if (case_args(c, &as_of, false) || api_patient_visible(c, id))
        return;
    store_scope scope = {.patient = id};
    /* a patient deleted since api_patient_visible is case_build's ENOTFOUND: 404 */
    if (store_load_scope(c->read, &scope, c->arena, &ds, &err) ||
        case_build(&ds, id, as_of, c->arena, &h, &err)) {
        ctx_fail(c, &err);
        return;
    }
    ctx_json(c, 200);
    case_json_write(&c->out, &h); /* out of memory: c->out.oom, the server's 500 */
}

void case_get_deid(ctx *c)
{
    genu_err err = {0};
    genu_date as_of;
    genu_dataset ds;
    case_history h;
    unsigned char key[DEID_KEY_BYTES];
    const genu_record *p;
    if (case_args(c, &as_of, true) || rview_find_patient(c, key, &p))
        return;
    store_scope scope = {.patient = p->id};
    int rc = store_load_scope(c->read, &scope, c->arena, &ds, &err);
    if (!rc)
        rc = case_build(&ds, p->id, as_of, c->arena, &h, &err);
    if (!rc)
        rc = deid_case(key, &ds, as_of, c->arena, &h, &err);
    sodium_memzero(key, sizeof key);
    if (rc) {
        ctx_fail(c, &err);
        return;
    }
    ctx_json(c, 200);
    case_json_write(&c->out, &h);
}
