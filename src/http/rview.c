/* rview: de-identified patients and small-cell suppression for
 * researchers. */
#include "http/rview.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/vec.h"
#include "http/api.h"
#include "io/deid.h"

#define RVIEW_PAGE_MAX 500
#define RVIEW_RECORDS_MAX 100000

/* The researcher's site scope (NULL: every site). */
static const char *scope(const ctx *c)
{
    return c->user.sites && *c->user.sites ? c->user.sites : NULL;
}

static int key_of(ctx *c, unsigned char key[DEID_KEY_BYTES])
{
    genu_err err = {0};
    /* from the primary: the key is made there on first use */
    if (deid_key(c->store, key, &err)) {
        ctx_fail(c, &err);
        return -1;
    }
    return 0;
}

/* Writes the de-identified patient p and, when with_records, its records
 * by type ({"patient":…,"records":{…}}), else the patient's doc alone. */
static int patient_json(ctx *c, const unsigned char key[DEID_KEY_BYTES], const genu_record *p,
                        bool with_records, genu_jw *w, genu_err *err)
{
    genu_record *all = NULL, *recs;
    size_t nall = 0, cap = 0, first[GENU_REC_NTYPES] = {0}, count[GENU_REC_NTYPES] = {0};
    int rc = GENU_OK;
    for (int t = GENU_REC_DIAGNOSIS; t < GENU_REC_NTYPES && !rc; t++) {
        if (t == GENU_REC_MESSAGE)
            continue;
        store_query q = {.patient = p->id, .limit = RVIEW_RECORDS_MAX};
        size_t n, total;
        if ((rc = store_list(c->read, (genu_rtype)t, &q, c->arena, &recs, &n, &total, err)))
            break;
        first[t] = nall;
        count[t] = n;
        for (size_t i = 0; i < n && !rc; i++) {
            genu_record *more = genu_vec_room(all, &cap, nall, sizeof *all, 64);
            if (!more)
                rc = GENU_OOM(err);
            else
                (all = more)[nall++] = recs[i];
        }
    }
    if (rc) {
        free(all);
        return rc;
    }
    deid_index ix;
    deid_index_of(all, nall, &ix);
    if (with_records) {
        genu_jw_obj(w);
        genu_jw_key(w, "patient");
    }
    rc = deid_doc(key, DEID_DATES_INDEX, deid_index_for(&ix, GENU_KNEE_NONE), p->doc,
                  genu_jw_val(w), err);
    if (with_records) { /* closed even after a failure, whose answer is not sent */
        genu_jw_kobj(w, "records");
        for (int t = GENU_REC_DIAGNOSIS; t < GENU_REC_NTYPES && !rc; t++) {
            if (t == GENU_REC_MESSAGE)
                continue;
            genu_jw_karr(w, record_type_name((genu_rtype)t));
            for (size_t i = 0; i < count[t] && !rc; i++) {
                const genu_record *r = &all[first[t] + i];
                rc = deid_doc(key, DEID_DATES_INDEX, deid_index_for(&ix, r->knee), r->doc,
                              genu_jw_val(w), err);
            }
            genu_jw_end(w);
        }
        genu_jw_end(w);
        genu_jw_end(w);
    }
    free(all);
    return rc;
}

/* Answers 200 with b (then freed), or the error of rc. */
static void answer(ctx *c, int rc, genu_buf *b, genu_err *err)
{
    if (!rc && b->oom)
        rc = GENU_OOM(err);
    if (rc) {
        genu_buf_free(b);
        ctx_fail(c, err);
        return;
    }
    ctx_json(c, 200);
    genu_buf_append(&c->out, b->p, b->len);
    genu_buf_free(b);
}

/* Reads a number argument (0..max, default def); -1 with the answer
 * written when malformed. */
static int number(ctx *c, const char *name, size_t def, size_t max, size_t *out)
{
    const char *v = ctx_query(c, name);
    char *end;
    *out = def;
    if (!v)
        return 0;
    unsigned long long x = *v >= '0' && *v <= '9' ? strtoull(v, &end, 10) : max + 1ull;
    if (x > max || (v[0] >= '0' && v[0] <= '9' && *end)) {
        ctx_error(c, 400, "bad_request", name, "%s: expected an integer from 0 to %zu", name,
                  max);
        return -1;
    }
    *out = (size_t)x;
    return 0;
}

void rview_patients(ctx *c)
{
    unsigned char key[DEID_KEY_BYTES];
    store_query q = {0};
    genu_err err = {0};
    genu_record *recs;
    size_t n, total;
    if (ctx_query(c, "search")) {
        ctx_error(c, 400, "bad_request", "search",
                  "search: not available to researchers, who see pseudonyms, not the "
                  "registry's ids");
        return;
    }
    q.sites = scope(c);
    if (number(c, "offset", 0, 1000000000, &q.offset) ||
        number(c, "limit", 50, RVIEW_PAGE_MAX, &q.limit) || key_of(c, key))
        return;
    if (store_list(c->read, GENU_REC_PATIENT, &q, c->arena, &recs, &n, &total, &err)) {
        ctx_fail(c, &err);
        return;
    }
    genu_buf b = GENU_BUF_INIT;
    genu_jw w;
    genu_jw_doc(&w, &b);
    genu_jw_ksize(&w, "total", total);
    genu_jw_ksize(&w, "offset", q.offset);
    genu_jw_ksize(&w, "limit", q.limit);
    genu_jw_karr(&w, "patients");
    int rc = GENU_OK;
    for (size_t i = 0; i < n && !rc; i++)
        rc = patient_json(c, key, &recs[i], false, &w, &err);
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
    sodium_memzero(key, sizeof key);
    answer(c, rc, &b, &err);
}

int rview_find_patient(ctx *c, unsigned char key[DEID_KEY_BYTES], const genu_record **out)
{
    genu_err err = {0};
    const char *want = genu_arena_strndup(c->arena, c->route.param[0].p, c->route.param[0].n);
    size_t count = 0, n, total;
    genu_record *recs;
    if (!want) {
        ctx_error(c, 500, "internal", NULL, "out of memory");
        return -1;
    }
    if (key_of(c, key))
        return -1;
    /* the pseudonym's patient: the registry's patients of the researcher's
     * sites, hashed until one matches (ids cannot be recovered otherwise) */
    int rc = store_count(c->read, GENU_REC_PATIENT, &count, &err);
    store_query q = {.sites = scope(c), .limit = count ? count : 1};
    if (!rc)
        rc = store_list(c->read, GENU_REC_PATIENT, &q, c->arena, &recs, &n, &total, &err);
    if (rc) {
        sodium_memzero(key, DEID_KEY_BYTES);
        ctx_fail(c, &err);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char h[DEID_ID_LEN];
        deid_hash_id(key, GENU_REC_PATIENT, recs[i].id, h);
        if (strcmp(h, want) == 0) {
            *out = &recs[i];
            return 0;
        }
    }
    sodium_memzero(key, DEID_KEY_BYTES);
    ctx_error(c, 404, "not_found", NULL,
              "no patient with pseudonym \"%.40s\" (researchers read patients by the "
              "pseudonyms of the patient list)",
              want);
    return -1;
}

void rview_patient(ctx *c)
{
    unsigned char key[DEID_KEY_BYTES];
    genu_err err = {0};
    const genu_record *p;
    if (rview_find_patient(c, key, &p))
        return;
    genu_buf b = GENU_BUF_INIT;
    genu_jw w;
    genu_jw_init(&w, &b);
    int rc = patient_json(c, key, p, true, &w, &err);
    genu_buf_putc(&b, '\n');
    sodium_memzero(key, sizeof key);
    answer(c, rc, &b, &err);
}

/* ---- small cells ---- */

/* Whether key names a count of knees (or patients) in an analysis answer. */
static bool count_key(const char *key)
{
    static const char *const keys[] = {"entered",   "eligible", "converted", "not_evaluable",
                                       "missing",   "analysed", "responders", "n",
                                       "events",    "n_risk",   "n_event",    "n_censor",
                                       "knees",     "patients", "count",      "excluded",
                                       "competing_events", "n_competing",
                                       "excluded_missing", NULL};
    for (size_t i = 0; keys[i]; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

static void suppress(json_t *v)
{
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, x)
        {
            if (json_is_integer(x) && count_key(k) && json_integer_value(x) >= 1 &&
                json_integer_value(x) <= 4)
                json_object_set_new(v, k, json_string("< 5"));
            else
                suppress(x);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x)
        suppress(x);
    }
}

void rview_small_cells(ctx *c)
{
    json_error_t je;
    json_t *o = c->out.len ? json_loadb(c->out.p, c->out.len, 0, &je) : NULL;
    if (!o)
        return;
    suppress(o);
    genu_buf_clear(&c->out);
    genu_json_append(&c->out, o);
    genu_buf_putc(&c->out, '\n');
    json_decref(o);
}
