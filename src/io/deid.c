/* deid: keyed pseudonyms, index-relative dates and an allowlist of clinical
 * fields. An allowlist rather than a list of fields to drop, so a field added
 * to the format later stays out of de-identified output until someone
 * decides it is safe. */
#include "io/deid.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/vec.h"
#include "io/settings.h"

#define KEY_SETTING "deid_key"

int deid_key(genu_store *s, unsigned char key[DEID_KEY_BYTES], genu_err *err)
{
    return settings_secret(s, KEY_SETTING, key, DEID_KEY_BYTES, true, NULL, err);
}

void deid_hash_id(const unsigned char key[DEID_KEY_BYTES], genu_rtype type, const char *id,
                  char out[DEID_ID_LEN])
{
    const char *tname = record_type_name(type);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, DEID_KEY_BYTES);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)tname, strlen(tname));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)":", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_final(&st, mac);
    out[0] = tname[0];
    out[1] = '-';
    sodium_bin2hex(out + 2, DEID_ID_LEN - 2, mac, (DEID_ID_LEN - 3) / 2);
}

static genu_date earlier(genu_date a, genu_date b)
{
    if (a == GENU_DATE_NONE)
        return b;
    if (b == GENU_DATE_NONE)
        return a;
    return a < b ? a : b;
}

void deid_index_of(const genu_record *recs, size_t n, deid_index *out)
{
    genu_date regen[3], treat[3], any[3];
    for (int k = 0; k < 3; k++)
        regen[k] = treat[k] = any[k] = GENU_DATE_NONE;
    for (size_t i = 0; i < n; i++) {
        const genu_record *r = &recs[i];
        if (r->date == GENU_DATE_NONE || r->type == GENU_REC_IDENTITY)
            continue;
        int k = r->knee;
        any[k] = earlier(any[k], r->date);
        if (r->type != GENU_REC_TREATMENT || k == GENU_KNEE_NONE)
            continue;
        treat[k] = earlier(treat[k], r->date);
        const vocab_kind *vk = vocab_kind_at(r->u.treatment.kind);
        if (vk && (vk->flags & VOCAB_REGENERATIVE))
            regen[k] = earlier(regen[k], r->date);
    }
    genu_date first_knee = GENU_DATE_NONE, first_any = any[GENU_KNEE_NONE];
    for (int k = GENU_KNEE_LEFT; k <= GENU_KNEE_RIGHT; k++) {
        out->knee[k] = regen[k] != GENU_DATE_NONE   ? regen[k]
                       : treat[k] != GENU_DATE_NONE ? treat[k]
                                                    : any[k];
        first_knee = earlier(first_knee, out->knee[k]);
        first_any = earlier(first_any, any[k]);
    }
    out->knee[GENU_KNEE_NONE] = first_knee != GENU_DATE_NONE ? first_knee : first_any;
}

genu_date deid_index_for(const deid_index *ix, genu_knee knee)
{
    genu_date d = ix->knee[knee];
    return d != GENU_DATE_NONE ? d : ix->knee[GENU_KNEE_NONE];
}

/* ---- one doc ---- */

/* The fields a de-identified record keeps, by type; "date" becomes day or
 * year, ids are hashed (see refs). */
static const char *const keep[GENU_REC_NTYPES][12] = {
    [GENU_REC_PATIENT] = {"site", "sex", "birth_year", "height_cm", "weight_kg"},
    [GENU_REC_DIAGNOSIS] = {"knee", "condition", "kl_grade"},
    [GENU_REC_TREATMENT] = {"knee", "kind", "protocol", "sites", "cost"},
    [GENU_REC_RESPONSE] = {"knee", "instrument", "items", "version", "scoring", "scores",
                           "notes"},
    [GENU_REC_ADVERSE_EVENT] = {"knee", "kind", "severity", "serious"},
    [GENU_REC_EXAM] = {"knee", "findings"},
    /* no last_attempt (a time of day) and no error (it may quote an address) */
    [GENU_REC_MESSAGE] = {"kind", "channel", "status", "followups", "attempts"},
    /* the date only: a cause is free text */
    [GENU_REC_DEATH] = {NULL},
};

/* Product details that describe the product, never the person. */
static const char *const product_keys[] = {
    "source",       "processing",  "guidance",     "anesthetic",           "activation",
    "leukocytes",   "volume_ml",   "dextrose_pct", "platelet_count",       "cell_count",
    "concentration_factor",        "sessions",     "tnc_million",          "platelets_per_ul",
    NULL};

/* Ages of 90 and over are reported as 90 and the birth year withheld (the
 * HIPAA Safe Harbor rule for ages). */
#define AGE_CAP 90

static void put_hashed(json_t *o, const char *field, const unsigned char *key, genu_rtype t,
                       const json_t *v)
{
    if (!json_is_string(v))
        return;
    char h[DEID_ID_LEN];
    deid_hash_id(key, t, json_string_value(v), h);
    json_object_set_new(o, field, json_string(h));
}

static void put_product(json_t *o, const json_t *product)
{
    if (!json_is_object(product))
        return;
    json_t *p = json_object();
    for (int i = 0; product_keys[i]; i++) {
        json_t *v = json_object_get(product, product_keys[i]);
        if (v && !json_is_null(v))
            json_object_set(p, product_keys[i], v);
    }
    if (json_object_size(p))
        json_object_set_new(o, "product", p);
    else
        json_decref(p);
}

static void put_date(json_t *o, const json_t *date, deid_dates mode, genu_date index)
{
    genu_date d;
    genu_err e = {0};
    if (!json_is_string(date) ||
        genu_date_parse(json_string_value(date), json_string_length(date), &d, &e))
        return;
    if (mode == DEID_DATES_YEAR)
        json_object_set_new(o, "year", json_integer(genu_date_year(d)));
    else if (index != GENU_DATE_NONE)
        json_object_set_new(o, "day", json_integer((json_int_t)d - index));
}

static void put_patient_ages(json_t *o, const json_t *in, genu_date index)
{
    json_t *by = json_object_get(in, "birth_year");
    if (!json_is_integer(by))
        return;
    json_int_t birth = json_integer_value(by);
    json_int_t now = genu_date_year(genu_date_today()) - birth;
    if (index != GENU_DATE_NONE) {
        json_int_t age = genu_date_year(index) - birth;
        json_object_set_new(o, "age_at_index", json_integer(age < AGE_CAP ? age : AGE_CAP));
    }
    if (now >= AGE_CAP)
        json_object_del(o, "birth_year");
}

int deid_doc(const unsigned char key[DEID_KEY_BYTES], deid_dates dates, genu_date index,
             const char *doc, genu_buf *out, genu_err *err)
{
    json_t *in = genu_json_parse_object(doc, strlen(doc), err);
    if (!in)
        return err->code;
    json_t *type = json_object_get(in, "type");
    int t = json_is_string(type) ? record_type_find(json_string_value(type)) : -1;
    int rc = GENU_OK;
    if (t < 0) {
        rc = GENU_FAIL(err, GENU_EINVAL, "not a record: no known \"type\"");
        goto out;
    }
    if (t == GENU_REC_IDENTITY)
        goto out;
    json_t *o = json_object();
    json_object_set(o, "type", type);
    put_hashed(o, "id", key, (genu_rtype)t, json_object_get(in, "id"));
    if (t != GENU_REC_PATIENT) {
        put_hashed(o, "patient", key, GENU_REC_PATIENT, json_object_get(in, "patient"));
        put_date(o, json_object_get(in, "date"), dates, index);
    }
    for (int i = 0; keep[t][i]; i++) {
        json_t *v = json_object_get(in, keep[t][i]);
        if (v && !json_is_null(v))
            json_object_set(o, keep[t][i], v);
    }
    if (t == GENU_REC_TREATMENT)
        put_product(o, json_object_get(in, "product"));
    if (t == GENU_REC_ADVERSE_EVENT)
        put_hashed(o, "treatment", key, GENU_REC_TREATMENT, json_object_get(in, "treatment"));
    if (t == GENU_REC_PATIENT)
        put_patient_ages(o, in, index);
    if (genu_json_append(out, o) || out->oom)
        rc = GENU_OOM(err);
    json_decref(o);
out:
    json_decref(in);
    return rc;
}

/* ---- a case history ---- */

int deid_case(const unsigned char key[DEID_KEY_BYTES], const genu_dataset *ds, genu_date today,
              genu_arena *a, case_history *h, genu_err *err)
{
    size_t n = 0, k = 0;
    for (int t = 0; t < GENU_REC_NTYPES; t++)
        n += ds->n[t];
    genu_record *mine = genu_arena_calloc(a, n + 1, sizeof *mine);
    char *pseudonym = genu_arena_alloc(a, DEID_ID_LEN);
    if (!mine || !pseudonym)
        return GENU_FAIL(err, GENU_ENOMEM, "case history: out of memory");
    for (int t = 0; t < GENU_REC_NTYPES; t++)
        for (size_t i = 0; i < ds->n[t]; i++) {
            const genu_record *r = &ds->recs[t][i];
            const char *owner = t == GENU_REC_PATIENT ? r->id : r->patient;
            if (t != GENU_REC_IDENTITY && owner && strcmp(owner, h->id) == 0)
                mine[k++] = *r;
        }
    deid_index ix;
    deid_index_of(mine, k, &ix);
    deid_hash_id(key, GENU_REC_PATIENT, h->id, pseudonym);
    h->id = pseudonym;
    h->in_days = true;
    h->index = ix.knee[GENU_KNEE_NONE];
    h->knee_index[0] = ix.knee[GENU_KNEE_LEFT];
    h->knee_index[1] = ix.knee[GENU_KNEE_RIGHT];
    h->death_cause = NULL; /* free text */
    if (h->age >= AGE_CAP) {
        h->age = AGE_CAP;
        h->age_capped = true;
    }
    if (h->birth_year > 0 && genu_date_year(today) - h->birth_year >= AGE_CAP)
        h->birth_year = 0;
    return GENU_OK;
}

/* ---- the iteration ---- */

/* One patient's records, copied out of the store's per-patient arena. */
typedef struct walker {
    const deid_opts *o;
    deid_doc_fn fn;
    void *ctx;
    genu_err *err;
    unsigned char key[DEID_KEY_BYTES];
    genu_arena *a;
    genu_record *v;
    size_t n, cap;
    genu_buf b;
} walker;

static int flush(walker *w)
{
    deid_index ix;
    deid_index_of(w->v, w->n, &ix);
    int rc = GENU_OK;
    for (size_t i = 0; i < w->n && !rc; i++) {
        const genu_record *r = &w->v[i];
        genu_date index = deid_index_for(&ix, r->knee);
        if (r->type == GENU_REC_PATIENT)
            index = ix.knee[GENU_KNEE_NONE];
        int32_t day = r->date != GENU_DATE_NONE && index != GENU_DATE_NONE
                          ? r->date - index
                          : DEID_NO_DAY;
        const char *doc = r->doc;
        if (w->o->deidentify) {
            genu_buf_clear(&w->b);
            if (deid_doc(w->key, w->o->dates, index, r->doc, &w->b, w->err))
                return w->err->code;
            if (!w->b.len)
                continue;
            doc = w->b.p;
        }
        rc = w->fn(r->type, doc, day, w->ctx);
    }
    w->n = 0;
    genu_arena_reset(w->a);
    return rc;
}

static int collect(const genu_record *r, void *ctx)
{
    walker *w = ctx;
    if (r->type == GENU_REC_PATIENT && w->n) {
        int rc = flush(w);
        if (rc)
            return rc;
    }
    genu_record *v = genu_vec_room(w->v, &w->cap, w->n, sizeof *v, 64);
    if (!v)
        return GENU_OOM(w->err);
    w->v = v;
    genu_record *c = &w->v[w->n];
    *c = *r;
    c->id = genu_arena_strdup(w->a, r->id);
    c->patient = genu_arena_strdup(w->a, r->patient);
    c->doc = genu_arena_strdup(w->a, r->doc ? r->doc : "{}");
    if (!c->id || !c->patient || !c->doc)
        return GENU_OOM(w->err);
    /* only the fields deid_index_of reads survive the store's arena */
    memset(&c->u, 0, sizeof c->u);
    if (r->type == GENU_REC_TREATMENT)
        c->u.treatment.kind = r->u.treatment.kind;
    w->n++;
    return GENU_OK;
}

int deid_each(genu_store *s, const deid_opts *o, deid_doc_fn fn, void *ctx, genu_err *err)
{
    walker w = {o, fn, ctx, err, {0}, genu_arena_create(), NULL, 0, 0, GENU_BUF_INIT};
    int rc = w.a ? GENU_OK : GENU_OOM(err);
    if (!rc && o->deidentify)
        rc = deid_key(s, w.key, err);
    if (!rc)
        rc = store_each(s, o->deidentify || o->skip_identity, collect, &w, err);
    if (!rc && w.n)
        rc = flush(&w);
    if (rc && !err->code)
        GENU_FAIL(err, rc, "write error: %s", strerror(errno));
    sodium_memzero(w.key, sizeof w.key);
    genu_buf_free(&w.b);
    free(w.v);
    genu_arena_destroy(w.a);
    return rc;
}

typedef struct jsonl_out {
    FILE *f;
    size_t count;
} jsonl_out;

static int write_line(genu_rtype type, const char *doc, int32_t day, void *ctx)
{
    (void)type;
    (void)day;
    jsonl_out *x = ctx;
    fputs(doc, x->f);
    fputc('\n', x->f);
    x->count++;
    return ferror(x->f) ? GENU_EIO : GENU_OK;
}

int deid_export_jsonl(genu_store *s, deid_dates dates, FILE *out, size_t *count, genu_err *err)
{
    deid_opts o = {true, dates, true};
    jsonl_out x = {out, 0};
    int rc = deid_each(s, &o, write_line, &x, err);
    if (!rc && fflush(out) != 0)
        rc = GENU_FAIL(err, GENU_EIO, "write error: %s", strerror(errno));
    *count = x.count;
    return rc;
}
