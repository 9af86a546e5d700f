/* case: a case history over HTTP. Like `genu case`, each request loads
 * only the patient's own records (store_load_scope) into its arena: a case
 * history needs nothing of the rest of the registry, and a page view must
 * not cost a load of it. */
#include "http/case.h"

#include <string.h>

#include "analysis/case.h"
#include "http/api.h"
#include "io/case_json.h"

/* as_of is the one argument; any other is a 400 naming it (a misspelt
 * argument must not be ignored). */
static int case_args(ctx *c, genu_date *as_of)
{
    const char *v = ctx_query(c, "as_of");
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
    if (case_args(c, &as_of) || api_patient_visible(c, id))
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
