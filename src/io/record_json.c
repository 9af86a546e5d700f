/* record_json: validation and the canonical form of JSON Lines records (docs/format.md). */
#include "io/record_json.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "instruments/instrument.h"
#include "instruments/womac.h"
#include "io/items.h"
#include "io/json_fast.h"
#include "io/scores.h"

#define ID_MAX 200
#define PARSE_MEM (48 * 1024) /* jansson's memory for one line, on the stack */

/* The known fields of each type, in canonical order ("type" first, "extra"
 * last are implied). */
static const char *const known[GENU_REC_NTYPES][12] = {
    [GENU_REC_PATIENT] = {"id", "site", "sex", "birth_year", "height_cm", "weight_kg"},
    [GENU_REC_IDENTITY] = {"patient", "name", "date_of_birth", "email", "phone", "language",
                           "contact"},
    [GENU_REC_DIAGNOSIS] = {"id", "patient", "knee", "date", "condition", "kl_grade", "note"},
    [GENU_REC_TREATMENT] = {"id", "patient", "knee", "date", "kind", "protocol", "sites",
                            "product", "cost", "clinician", "note"},
    [GENU_REC_RESPONSE] = {"id", "patient", "knee", "date", "instrument", "items", "version",
                           "scoring", "scores", "notes"},
    [GENU_REC_ADVERSE_EVENT] = {"id", "patient", "knee", "date", "kind", "severity", "serious",
                                "treatment", "note"},
    [GENU_REC_EXAM] = {"id", "patient", "knee", "date", "findings", "note"},
    [GENU_REC_MESSAGE] = {"id", "patient", "date", "kind", "channel", "status", "followups",
                          "attempts", "last_attempt", "error"},
    [GENU_REC_DEATH] = {"id", "patient", "date", "cause"},
};

/* The canonical value of one known field: a value of the line (borrowed
 * from rd.in), one made for it (owned), or text written to rd.text. */
typedef struct slot {
    json_t *v;
    bool owned;
    bool text;
    size_t at, len; /* the text: rd.text.p[at .. at+len) */
} slot;

typedef struct rd {
    json_t *in; /* the parsed line */
    genu_rtype type;
    slot out[12]; /* the canonical fields, by their place in known[type] */
    genu_buf text; /* the fields written as text */
    genu_arena *a;
    genu_err *err;
    const instr_opts *opts; /* the registry's scoring options (not NULL) */
    bool opts_matter;       /* a response whose scores opts change */
    bool derived;           /* the id was derived from the content */
} rd;

static int is_known(genu_rtype t, const char *key)
{
    for (int i = 0; known[t][i]; i++)
        if (strcmp(known[t][i], key) == 0)
            return 1;
    return 0;
}

static int bad(rd *r, const char *field, const char *what)
{
    return GENU_FAIL(r->err, GENU_EINVAL, "field \"%s\": %s", field, what);
}

/* The value of field, or NULL when absent or null. */
static json_t *get(rd *r, const char *field)
{
    json_t *v = json_object_get(r->in, field);
    return v && !json_is_null(v) ? v : NULL;
}

static int missing(rd *r, const char *field)
{
    return GENU_FAIL(r->err, GENU_EINVAL, "field \"%s\": required", field);
}

/* The slot of a known field of the record's type; NULL for another field,
 * which the canonical line leaves out. */
static slot *slot_of(rd *r, const char *field)
{
    for (int i = 0; known[r->type][i]; i++)
        if (strcmp(known[r->type][i], field) == 0) {
            slot *x = &r->out[i];
            if (x->owned)
                json_decref(x->v);
            *x = (slot){0};
            return x;
        }
    return NULL;
}

/* The canonical field is the line's own value v. */
static void keep(rd *r, const char *field, json_t *v)
{
    slot *x = slot_of(r, field);
    if (x)
        x->v = v;
}

/* The canonical field is v, made for it (the reference is taken). */
static void put_new(rd *r, const char *field, json_t *v)
{
    slot *x = slot_of(r, field);
    if (x)
        *x = (slot){.v = v, .owned = true};
    else
        json_decref(v);
}

/* The canonical field is the text written to r->text since offset at. */
static void put_text(rd *r, const char *field, size_t at)
{
    slot *x = slot_of(r, field);
    if (x)
        *x = (slot){.text = true, .at = at, .len = r->text.len - at};
}

/* A string field; *out NULL when absent and optional. Strings must be
 * non-empty and free of control characters. */
static int str_field(rd *r, const char *field, bool required, size_t maxlen, const char **out)
{
    json_t *v = get(r, field);
    *out = NULL;
    if (!v)
        return required ? missing(r, field) : GENU_OK;
    if (!json_is_string(v))
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"%s\": expected a string, got %s", field,
                         genu_json_kind(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0)
        return bad(r, field, "must not be empty");
    if (n > maxlen)
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"%s\": longer than %zu bytes", field,
                         maxlen);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && !(maxlen > ID_MAX && (s[i] == '\n' || s[i] == '\t')))
            return bad(r, field, "contains a control character");
    if (!(*out = genu_arena_strndup(r->a, s, n)))
        return GENU_OOM(r->err);
    keep(r, field, v);
    return GENU_OK;
}

/* Whether s holds a code point that changes how text is shown without
 * being seen: zero-width (U+200B-U+200F, U+2060-U+2064, U+FEFF) and
 * direction controls (U+061C, U+202A-U+202E, U+2066-U+2069). s is UTF-8. */
static bool invisible(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (p[0] == 0xD8 && p[1] == 0x9C)
            return true;
        if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
            return true;
        if (p[0] == 0xE2 && p[1] == 0x80 && ((p[2] >= 0x8B && p[2] <= 0x8F) ||
                                             (p[2] >= 0xAA && p[2] <= 0xAE)))
            return true;
        if (p[0] == 0xE2 && p[1] == 0x81 && ((p[2] >= 0xA0 && p[2] <= 0xA4) ||
                                             (p[2] >= 0xA6 && p[2] <= 0xA9)))
            return true;
    }
    return false;
}

/* An identifier or code: a short string without invisible or direction
 * characters (one id must not look like another on screen); the ids that
 * name records (id, patient, treatment) also never hold '/', which would
 * make them unreachable in a URL, and a site never a ',', which separates
 * a user's sites. */
static int id_field(rd *r, const char *field, bool required, const char **out)
{
    if (str_field(r, field, required, ID_MAX, out) || !*out)
        return r->err->code;
    if (invisible(*out))
        return bad(r, field, "contains an invisible or text-direction character");
    bool names = !strcmp(field, "id") || !strcmp(field, "patient") || !strcmp(field, "treatment");
    if (names && strchr(*out, '/'))
        return bad(r, field, "must not contain '/'");
    if (!strcmp(field, "site") && strchr(*out, ','))
        return bad(r, field, "must not contain ',' (a user's sites are separated by commas)");
    return GENU_OK;
}

static int code_field(rd *r, const char *field, int (*lookup)(const char *), const char *allowed,
                      int *out)
{
    const char *s;
    if (str_field(r, field, true, ID_MAX, &s))
        return r->err->code;
    if ((*out = lookup(s)) < 0)
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"%s\": unknown code \"%s\" (expected %s)",
                         field, s, allowed);
    return GENU_OK;
}

static int date_field(rd *r, const char *field, bool required, genu_date *out)
{
    const char *s;
    *out = GENU_DATE_NONE;
    if (str_field(r, field, required, ID_MAX, &s) || !s)
        return r->err->code;
    genu_err e = {0};
    if (genu_date_parse(s, strlen(s), out, &e))
        return strstr(e.msg, s) ? GENU_FAIL(r->err, GENU_EINVAL, "field \"%s\": %s", field, e.msg)
                                : GENU_FAIL(r->err, GENU_EINVAL, "field \"%s\": %s, got \"%s\"",
                                            field, e.msg, s);
    return GENU_OK;
}

static int int_field(rd *r, const char *field, bool required, int64_t lo, int64_t hi, int64_t *out)
{
    json_t *v = get(r, field);
    if (!v)
        return required ? missing(r, field) : GENU_OK;
    if (genu_json_int(v, field, lo, hi, out, r->err))
        return r->err->code;
    keep(r, field, v);
    return GENU_OK;
}

static int num_field(rd *r, const char *field, double lo, double hi, double *out)
{
    json_t *v = get(r, field);
    *out = NAN;
    if (!v)
        return GENU_OK;
    if (genu_json_num(v, field, lo, hi, out, r->err))
        return r->err->code;
    keep(r, field, v);
    return GENU_OK;
}

static int bool_field(rd *r, const char *field, bool required, int *out)
{
    json_t *v = get(r, field);
    if (!v)
        return required ? missing(r, field) : GENU_OK;
    if (!json_is_boolean(v))
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"%s\": expected true or false, got %s",
                         field, genu_json_kind(v));
    *out = json_is_true(v);
    keep(r, field, v);
    return GENU_OK;
}

static int knee_field(rd *r, bool required, genu_knee *out)
{
    const char *s;
    *out = GENU_KNEE_NONE;
    if (str_field(r, "knee", required, ID_MAX, &s) || !s)
        return r->err->code;
    int k = vocab_knee(s);
    if (k < 0)
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"knee\": expected left or right, got \"%s\"",
                         s);
    *out = (genu_knee)k;
    return GENU_OK;
}

/* ---- per type ---- */

static int parse_patient(rd *r, genu_record *rec)
{
    genu_patient *p = &rec->u.patient;
    int64_t by = 0;
    int this_year = genu_date_year(genu_date_today());
    if (id_field(r, "id", true, &rec->id) || id_field(r, "site", true, &p->site) ||
        code_field(r, "sex", vocab_sex, "male, female, other or unknown", &p->sex) ||
        int_field(r, "birth_year", true, 1880, this_year, &by) ||
        num_field(r, "height_cm", 50, 250, &p->height_cm) ||
        num_field(r, "weight_kg", 20, 400, &p->weight_kg))
        return r->err->code;
    p->birth_year = (int)by;
    rec->patient = rec->id;
    return GENU_OK;
}

static int parse_identity(rd *r, genu_record *rec)
{
    genu_identity *id = &rec->u.identity;
    genu_date dob;
    if (id_field(r, "patient", true, &rec->patient) ||
        str_field(r, "name", false, 500, &id->name) ||
        date_field(r, "date_of_birth", false, &dob) ||
        str_field(r, "email", false, 320, &id->email) ||
        str_field(r, "phone", false, 64, &id->phone) ||
        str_field(r, "language", false, 16, &id->language) ||
        str_field(r, "contact", false, 16, &id->contact))
        return r->err->code;
    if (id->contact && vocab_contact(id->contact) < 0)
        return GENU_FAIL(r->err, GENU_EINVAL,
                         "field \"contact\": unknown code \"%s\" (expected email, sms or none)",
                         id->contact);
    for (const char *p = id->language; p && *p; p++)
        if (!islower((unsigned char)*p) && *p != '-')
            return bad(r, "language", "expected a language tag such as en or de");
    if (dob != GENU_DATE_NONE)
        id->date_of_birth =
            genu_arena_strdup(r->a, json_string_value(json_object_get(r->in, "date_of_birth")));
    if (id->email && !strchr(id->email, '@'))
        return bad(r, "email", "expected an e-mail address");
    rec->id = rec->patient;
    return GENU_OK;
}

static int parse_diagnosis(rd *r, genu_record *rec)
{
    int64_t kl = -1;
    const char *note;
    if (code_field(r, "condition", vocab_condition, vocab_list_conditions(),
                   &rec->u.diagnosis.condition) ||
        int_field(r, "kl_grade", false, 0, 4, &kl) || str_field(r, "note", false, 20000, &note))
        return r->err->code;
    rec->u.diagnosis.kl_grade = (int)kl;
    return GENU_OK;
}

static int parse_sites(rd *r, uint32_t *mask)
{
    json_t *v = get(r, "sites");
    *mask = 0;
    if (!v)
        return GENU_OK;
    if (!json_is_array(v))
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"sites\": expected an array, got %s",
                         genu_json_kind(v));
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        int s = json_is_string(e) ? vocab_site(json_string_value(e)) : -1;
        if (s < 0)
            return GENU_FAIL(r->err, GENU_EINVAL,
                             "field \"sites[%zu]\": unknown injection site %s%s%s (expected %s)",
                             i, json_is_string(e) ? "\"" : "",
                             json_is_string(e) ? json_string_value(e) : genu_json_kind(e),
                             json_is_string(e) ? "\"" : "", vocab_list_sites());
        if (*mask & (1u << s))
            return GENU_FAIL(r->err, GENU_EINVAL, "field \"sites[%zu]\": \"%s\" listed twice", i,
                             json_string_value(e));
        *mask |= 1u << s;
    }
    /* canonical: vocabulary order */
    json_t *sites = json_array();
    for (size_t s = 0; s < vocab_nsite(); s++)
        if (*mask & (1u << s))
            json_array_append_new(sites, json_string(vocab_site_name((int)s)));
    put_new(r, "sites", sites);
    return GENU_OK;
}

/* product: an object; the documented numeric details must be non-negative
 * numbers, the documented text details strings; other keys are kept. */
static int parse_product(rd *r)
{
    static const char *const nums[] = {"volume_ml",      "dextrose_pct", "platelet_count",
                                       "cell_count",     "concentration_factor", "sessions",
                                       "tnc_million",    "platelets_per_ul", NULL};
    static const char *const strs[] = {"source", "processing", "guidance", "anesthetic",
                                       "activation", "leukocytes", NULL};
    json_t *v = get(r, "product");
    if (!v)
        return GENU_OK;
    if (!json_is_object(v))
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"product\": expected an object, got %s",
                         genu_json_kind(v));
    for (int i = 0; nums[i]; i++) {
        json_t *x = json_object_get(v, nums[i]);
        if (x && !json_is_null(x) && (!json_is_number(x) || json_number_value(x) < 0))
            return GENU_FAIL(r->err, GENU_EINVAL,
                             "field \"product.%s\": expected a non-negative number", nums[i]);
    }
    for (int i = 0; strs[i]; i++) {
        json_t *x = json_object_get(v, strs[i]);
        if (x && !json_is_null(x) && !json_is_string(x))
            return GENU_FAIL(r->err, GENU_EINVAL, "field \"product.%s\": expected a string, got %s",
                             strs[i], genu_json_kind(x));
    }
    json_t *dx = json_object_get(v, "dextrose_pct");
    if (dx && json_is_number(dx) && json_number_value(dx) > 75)
        return bad(r, "product.dextrose_pct", "above 75%");
    keep(r, "product", v);
    return GENU_OK;
}

static int parse_cost(rd *r, genu_treatment *t)
{
    json_t *v = get(r, "cost");
    t->cost = NAN;
    t->currency = NULL;
    if (!v)
        return GENU_OK;
    if (!json_is_object(v))
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"cost\": expected an object, got %s",
                         genu_json_kind(v));
    json_t *amount = json_object_get(v, "amount"), *cur = json_object_get(v, "currency");
    if (!amount || !json_is_number(amount) || json_number_value(amount) < 0)
        return bad(r, "cost.amount", "expected a non-negative number");
    const char *c = json_is_string(cur) ? json_string_value(cur) : NULL;
    if (!c || strlen(c) != 3 || !isupper((unsigned char)c[0]) || !isupper((unsigned char)c[1]) ||
        !isupper((unsigned char)c[2]))
        return bad(r, "cost.currency", "expected a three-letter ISO 4217 code such as \"USD\"");
    if (json_object_size(v) != 2)
        return bad(r, "cost", "expected only amount and currency");
    t->cost = json_number_value(amount);
    t->currency = genu_arena_strdup(r->a, c);
    keep(r, "cost", v);
    return GENU_OK;
}

static int parse_treatment(rd *r, genu_record *rec)
{
    genu_treatment *t = &rec->u.treatment;
    const char *note;
    if (code_field(r, "kind", vocab_kind_find, vocab_list_kinds(), &t->kind) ||
        str_field(r, "protocol", false, ID_MAX, &t->protocol) || parse_sites(r, &t->sites) ||
        parse_product(r) || parse_cost(r, t) ||
        str_field(r, "clinician", false, ID_MAX, &t->clinician) ||
        str_field(r, "note", false, 20000, &note))
        return r->err->code;
    if (t->sites && !(vocab_kind_at(t->kind)->flags & VOCAB_INJECTION))
        return GENU_FAIL(r->err, GENU_EINVAL,
                         "field \"sites\": %s is not an injection; sites are for injections",
                         vocab_kind_at(t->kind)->name);
    return GENU_OK;
}

/* A file's own scores (from an earlier export) must agree with genu's. */
static int check_given_scores(rd *r, const json_t *given, const instr_result *res)
{
    json_t *mine = scores_to_json(res->scores, res->nscores);
    int ok = json_equal(given, mine);
    if (!ok && json_is_object(given)) {
        /* tolerate last-digit differences in printed doubles */
        ok = 1;
        for (size_t i = 0; i < res->nscores && ok; i++) {
            const char *key = res->scores[i].key, *dot = strchr(key, '.');
            const json_t *g = given;
            if (dot) {
                char head[64];
                snprintf(head, sizeof head, "%.*s", (int)(dot - key), key);
                g = json_object_get(g, head);
                key = dot + 1;
            }
            g = json_is_object(g) ? json_object_get(g, key) : NULL;
            double v = res->scores[i].value;
            if (isnan(v))
                ok = g && json_is_null(g);
            else
                ok = g && json_is_number(g) &&
                     fabs(json_number_value(g) - v) <= 1e-9 * fmax(1, fabs(v));
        }
    }
    json_decref(mine);
    if (!ok)
        return bad(r, "scores", "do not match the scores genu computes from the items");
    return GENU_OK;
}

/* "scoring": the options the line's given scores were computed with, each
 * checked; when absent, the defaults (which every response stored before
 * the thresholds became a setting was scored with). */
static int scoring_field(rd *r, instr_opts *given)
{
    static const char shape[] = "field \"scoring.womac_max_missing\": expected [pain, stiffness, "
                                "function], three integers";
    *given = instrument_opts_default;
    json_t *v = get(r, "scoring"), *x;
    const char *key;
    if (!v)
        return GENU_OK;
    if (!json_is_object(v))
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"scoring\": expected an object, got %s",
                         genu_json_kind(v));
    json_object_foreach(v, key, x)
    {
        if (strcmp(key, "womac_max_missing") != 0)
            return GENU_FAIL(r->err, GENU_EINVAL, "field \"scoring.%.60s\": unknown scoring "
                             "option (expected womac_max_missing)", key);
    }
    json_t *w = json_object_get(v, "womac_max_missing");
    long long t[3];
    if (!w)
        return GENU_OK;
    if (!json_is_array(w) || json_array_size(w) != 3)
        return GENU_FAIL(r->err, GENU_EINVAL, "%s", shape);
    for (size_t k = 0; k < 3; k++) {
        if (!json_is_integer(json_array_get(w, k)))
            return GENU_FAIL(r->err, GENU_EINVAL, "%s", shape);
        t[k] = json_integer_value(json_array_get(w, k));
    }
    if (womac_max_missing_set(given, t, r->err))
        genu_err_prefix(r->err, "field \"scoring.womac_max_missing\": ");
    return r->err->code;
}

/* Checks the line's own scores, when it has some of this version, against
 * those its items give under the options it names (res: under the
 * registry's). */
static int check_given(rd *r, const genu_instrument *in, const instr_answer ans[],
                       const instr_opts *given_opts, const instr_result *res)
{
    json_t *given_version = json_object_get(r->in, "version");
    json_t *given = json_object_get(r->in, "scores");
    if (!given || (given_version && !(json_is_integer(given_version) &&
                                      json_integer_value(given_version) == in->version)))
        return GENU_OK;
    if (!res->opts_used || instrument_opts_equal(given_opts, r->opts))
        return check_given_scores(r, given, res);
    instr_result theirs;
    instrument_score_with(in, ans, given_opts, &theirs);
    return check_given_scores(r, given, &theirs);
}

/* "scoring" of the canonical doc: the options, when they gave other scores
 * (or notes) than the defaults would (so that the doc says how its scores
 * were computed, and a file genu wrote imports into any registry). */
static json_t *scoring_json(const instr_opts *o)
{
    return json_pack("{s:[iii]}", "womac_max_missing", o->womac_max_missing.pain,
                     o->womac_max_missing.stiffness, o->womac_max_missing.function);
}

static int parse_response(rd *r, genu_record *rec)
{
    genu_response *rs = &rec->u.response;
    const char *name;
    if (str_field(r, "instrument", true, ID_MAX, &name))
        return r->err->code;
    const genu_instrument *in = instrument_find(name);
    if (!in)
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"instrument\": unknown instrument \"%s\"",
                         name);
    if (in->level == INSTR_LEVEL_KNEE && rec->knee == GENU_KNEE_NONE)
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"knee\": required for %s, a knee-level "
                         "instrument", in->id);
    if (in->level == INSTR_LEVEL_PATIENT && rec->knee != GENU_KNEE_NONE)
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"knee\": %s is a patient-level instrument "
                         "and takes no knee", in->id);
    json_t *items = json_object_get(r->in, "items");
    if (!items)
        return missing(r, "items");
    instr_answer ans[INSTR_MAX_ITEMS] = {{0}};
    instr_opts given_opts;
    if (items_from_json(in, items, ans, r->err) || instrument_validate(in, ans, r->err) ||
        scoring_field(r, &given_opts))
        return r->err->code;
    instr_result res;
    instrument_score_with(in, ans, r->opts, &res);
    if (check_given(r, in, ans, &given_opts, &res))
        return r->err->code;

    genu_score *scores = genu_arena_calloc(r->a, res.nscores ? res.nscores : 1, sizeof *scores);
    const char **notes = genu_arena_calloc(r->a, res.nnotes ? res.nnotes : 1, sizeof *notes);
    if (!scores || !notes)
        return GENU_OOM(r->err);
    for (size_t i = 0; i < res.nscores; i++)
        scores[i] = res.scores[i]; /* keys are static strings of the instrument */
    for (size_t i = 0; i < res.nnotes; i++)
        notes[i] = genu_arena_strdup(r->a, res.notes[i]);
    rs->instrument = in->id;
    rs->version = in->version;
    rs->scores = scores;
    rs->nscores = res.nscores;
    rs->notes = notes;
    rs->nnotes = res.nnotes;
    r->opts_matter = instrument_opts_matter(in, ans, r->opts, &res);

    size_t at = r->text.len;
    items_append_json(&r->text, in, ans);
    put_text(r, "items", at);
    at = r->text.len;
    genu_buf_json_num(&r->text, in->version);
    put_text(r, "version", at);
    if (r->opts_matter)
        put_new(r, "scoring", scoring_json(r->opts));
    at = r->text.len;
    scores_append_json(&r->text, res.scores, res.nscores);
    put_text(r, "scores", at);
    at = r->text.len;
    scores_append_notes(&r->text, &res);
    put_text(r, "notes", at);
    return GENU_OK;
}

static int parse_adverse_event(rd *r, genu_record *rec)
{
    genu_adverse_event *ae = &rec->u.adverse_event;
    int64_t sev = 0;
    const char *note;
    ae->serious = 0;
    if (id_field(r, "kind", true, &ae->kind) || int_field(r, "severity", true, 1, 5, &sev) ||
        bool_field(r, "serious", true, &ae->serious) ||
        id_field(r, "treatment", false, &ae->treatment) ||
        str_field(r, "note", false, 20000, &note))
        return r->err->code;
    for (const char *p = ae->kind; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
            return bad(r, "kind", "expected a lower-case code such as post_injection_flare");
    ae->severity = (int)sev;
    return GENU_OK;
}

static int finding(rd *r, json_t *f, const char *name, int (*lookup)(const char *),
                   const char *allowed, int8_t *out)
{
    json_t *v = json_object_get(f, name);
    *out = -1;
    if (!v || json_is_null(v))
        return GENU_OK;
    int x = -1;
    if (lookup)
        x = json_is_string(v) ? lookup(json_string_value(v)) : -1;
    else if (json_is_boolean(v))
        x = json_is_true(v);
    if (x < 0)
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"findings.%s\": expected %s", name,
                         allowed);
    *out = (int8_t)x;
    return GENU_OK;
}

static int parse_exam(rd *r, genu_record *rec)
{
    static const char *const names[] = {"swelling",    "locking",   "unable_to_straighten",
                                        "unable_to_bend", "instability", "deformity",
                                        "recent_trauma_pop", "pain_at_rest"};
    genu_exam *x = &rec->u.exam;
    int8_t *slots[8] = {&x->swelling,    &x->locking,   &x->unable_to_straighten,
                        &x->unable_to_bend, &x->instability, &x->deformity,
                        &x->recent_trauma_pop, &x->pain_at_rest};
    const char *note;
    json_t *f = get(r, "findings");
    if (!f)
        return missing(r, "findings");
    if (!json_is_object(f))
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"findings\": expected an object, got %s",
                         genu_json_kind(f));
    const char *key;
    json_t *v;
    json_object_foreach(f, key, v)
    {
        size_t i = 0;
        while (i < 8 && strcmp(names[i], key) != 0)
            i++;
        if (i == 8)
            return GENU_FAIL(r->err, GENU_EINVAL,
                             "field \"findings.%s\": unknown finding (expected swelling, locking, "
                             "unable_to_straighten, unable_to_bend, instability, deformity, "
                             "recent_trauma_pop, pain_at_rest)",
                             key);
    }
    json_t *canon = json_object();
    for (int i = 0; i < 8; i++) {
        int rc;
        if (i == 0)
            rc = finding(r, f, names[i], vocab_swelling, "none, mild or marked", slots[i]);
        else if (i == 5)
            rc = finding(r, f, names[i], vocab_deformity, "none, varus or valgus", slots[i]);
        else if (i == 7)
            rc = finding(r, f, names[i], vocab_pain_level, "none, mild, moderate or severe",
                         slots[i]);
        else
            rc = finding(r, f, names[i], NULL, "true or false", slots[i]);
        if (rc) {
            json_decref(canon);
            return rc;
        }
        json_t *val = json_object_get(f, names[i]);
        if (*slots[i] >= 0)
            json_object_set(canon, names[i], val);
    }
    put_new(r, "findings", canon);
    return str_field(r, "note", false, 20000, &note);
}

/* One window a message covers: {"knee": left|right (absent for
 * patient-level), "timepoint": "12m", "reminder": 0 for the invitation, n
 * for the n-th reminder}. */
static int message_followup(rd *r, size_t i, json_t *f, json_t *canon)
{
    const char *key;
    json_t *v, *out = json_object();
    json_object_foreach(f, key, v)
    {
        if (strcmp(key, "knee") != 0 && strcmp(key, "timepoint") != 0 &&
            strcmp(key, "reminder") != 0) {
            json_decref(out);
            return GENU_FAIL(r->err, GENU_EINVAL,
                             "field \"followups[%zu].%s\": unknown (expected knee, timepoint, "
                             "reminder)",
                             i, key);
        }
    }
    json_t *knee = json_object_get(f, "knee"), *tp = json_object_get(f, "timepoint");
    json_t *rem = json_object_get(f, "reminder");
    if (knee && !json_is_null(knee)) {
        if (!json_is_string(knee) || vocab_knee(json_string_value(knee)) < 0) {
            json_decref(out);
            return GENU_FAIL(r->err, GENU_EINVAL,
                             "field \"followups[%zu].knee\": expected left or right", i);
        }
        json_object_set(out, "knee", knee);
    }
    const char *t = json_string_value(tp);
    size_t n = t ? strlen(t) : 0;
    bool tp_ok = n >= 2 && n <= 6 && strchr("wmy", t[n - 1]) && t[0] >= '1' && t[0] <= '9';
    for (size_t k = 0; tp_ok && k + 1 < n; k++)
        tp_ok = isdigit((unsigned char)t[k]);
    if (!tp_ok) {
        json_decref(out);
        return GENU_FAIL(r->err, GENU_EINVAL,
                         "field \"followups[%zu].timepoint\": expected a timepoint like 6w, 3m "
                         "or 2y",
                         i);
    }
    json_object_set(out, "timepoint", tp);
    int64_t x = 0;
    genu_err e = {0};
    if (!rem || genu_json_int(rem, "reminder", 0, 20, &x, &e)) {
        json_decref(out);
        return rem ? GENU_FAIL(r->err, GENU_EINVAL, "field \"followups[%zu].reminder\": %s", i,
                               e.msg)
                   : GENU_FAIL(r->err, GENU_EINVAL,
                               "field \"followups[%zu].reminder\": required", i);
    }
    json_object_set(out, "reminder", rem);
    json_array_append_new(canon, out);
    return GENU_OK;
}

static int parse_message(rd *r, genu_record *rec)
{
    genu_message *m = &rec->u.message;
    int64_t attempts = 0;
    const char *error, *last;
    if (rec->knee != GENU_KNEE_NONE)
        return bad(r, "knee", "a message is about the patient: name knees in followups");
    if (code_field(r, "kind", vocab_message_kind, "invitation, reminder or opt_out", &m->kind) ||
        code_field(r, "channel", vocab_message_channel, "email, sms, web or staff",
                   &m->channel) ||
        code_field(r, "status", vocab_message_status,
                   "pending, sending, sent, failed, abandoned or recorded", &m->status) ||
        int_field(r, "attempts", false, 0, 1000000, &attempts) ||
        str_field(r, "last_attempt", false, 40, &last) ||
        str_field(r, "error", false, 1000, &error))
        return r->err->code;
    m->attempts = (int)attempts;
    json_t *f = get(r, "followups");
    if (m->kind == MSG_OPT_OUT) {
        if (f && (!json_is_array(f) || json_array_size(f)))
            return bad(r, "followups", "an opt-out covers no follow-up");
        return GENU_OK;
    }
    if (!f)
        return missing(r, "followups");
    if (!json_is_array(f) || json_array_size(f) == 0 || json_array_size(f) > 64)
        return bad(r, "followups", "expected an array of 1 to 64 follow-ups");
    json_t *canon = json_array();
    for (size_t i = 0; i < json_array_size(f); i++) {
        json_t *x = json_array_get(f, i);
        if (!json_is_object(x)) {
            json_decref(canon);
            return GENU_FAIL(r->err, GENU_EINVAL, "field \"followups[%zu]\": expected an object",
                             i);
        }
        if (message_followup(r, i, x, canon)) {
            json_decref(canon);
            return r->err->code;
        }
    }
    put_new(r, "followups", canon);
    return GENU_OK;
}

/* ---- the line ---- */

/* An id derived from the record's canonical content without an id: the
 * type's initial and 80 bits of its BLAKE2b hash. */
static void derive_id(genu_rtype type, const genu_buf *doc, char id[32])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char h[10];
    crypto_generichash(h, sizeof h, (const unsigned char *)doc->p, doc->len, NULL, 0);
    size_t k = 0;
    id[k++] = record_type_name(type)[0];
    id[k++] = '-';
    for (size_t i = 0; i < sizeof h; i++) {
        id[k++] = hex[h[i] >> 4];
        id[k++] = hex[h[i] & 15];
    }
    id[k] = '\0';
}

/* The line's own "extra" object merged with every unknown field, or NULL
 * when there is nothing extra. */
static int gather_extra(rd *r, genu_rtype t, json_t **out)
{
    json_t *given = json_object_get(r->in, "extra");
    *out = NULL;
    if (given && !json_is_null(given) && !json_is_object(given))
        return GENU_FAIL(r->err, GENU_EINVAL, "field \"extra\": expected an object, got %s",
                         genu_json_kind(given));
    const char *key;
    json_t *v;
    json_object_foreach(r->in, key, v)
    {
        if (strcmp(key, "type") == 0 || strcmp(key, "extra") == 0 || is_known(t, key))
            continue;
        if (!*out)
            *out = given && json_is_object(given) ? json_copy(given) : json_object();
        json_object_set(*out, key, v);
    }
    if (!*out && given && json_is_object(given) && json_object_size(given))
        *out = json_incref(given);
    return GENU_OK;
}

/* Writes the canonical doc in one pass: type, the known fields in order,
 * extra; then splices the id in after the type (deriving it from the doc
 * written so far when the line has none). */
static int finish_doc(rd *r, genu_record *rec)
{
    json_t *extra;
    if (gather_extra(r, rec->type, &extra))
        return r->err->code;
    genu_buf b = GENU_BUF_INIT;
    genu_jw w;
    genu_jw_init(&w, &b);
    genu_jw_obj(&w);
    genu_jw_kstr(&w, "type", record_type_name(rec->type));
    size_t splice = b.len;
    for (int i = 0; known[rec->type][i]; i++) {
        const char *k = known[rec->type][i];
        const slot *x = &r->out[i];
        if (strcmp(k, "id") == 0 || !(x->v || x->text))
            continue;
        genu_jw_key(&w, k);
        if (x->text)
            genu_buf_append(genu_jw_val(&w), r->text.p + x->at, x->len);
        else
            genu_json_append(genu_jw_val(&w), x->v);
    }
    if (extra) {
        genu_jw_key(&w, "extra");
        genu_json_append(genu_jw_val(&w), extra);
        json_decref(extra);
    }
    genu_jw_end(&w);
    char derived[32];
    if (rec->type != GENU_REC_PATIENT && rec->type != GENU_REC_IDENTITY && !rec->id && !b.oom) {
        derive_id(rec->type, &b, derived);
        rec->id = genu_arena_strdup(r->a, derived);
        r->derived = true;
    }
    genu_buf idpart = GENU_BUF_INIT; /* a fragment, spliced in after the type */
    if (rec->type != GENU_REC_IDENTITY && rec->id) {
        genu_buf_puts(&idpart, ",\"id\":");
        genu_buf_json_str(&idpart, rec->id);
    }
    char *doc = NULL;
    if (!b.oom && !idpart.oom && (doc = genu_arena_alloc(r->a, b.len + idpart.len + 1))) {
        memcpy(doc, b.p, splice);
        if (idpart.len)
            memcpy(doc + splice, idpart.p, idpart.len);
        memcpy(doc + splice + idpart.len, b.p + splice, b.len - splice + 1);
    }
    rec->doc = doc;
    genu_buf_free(&b);
    genu_buf_free(&idpart);
    return doc && rec->id ? GENU_OK : GENU_OOM(r->err);
}

static int parse_death(rd *r, genu_record *rec)
{
    if (rec->knee != GENU_KNEE_NONE)
        return bad(r, "knee", "a death is the patient's, not a knee's: leave knee out");
    return str_field(r, "cause", false, 2000, &rec->u.death.cause) ? r->err->code : GENU_OK;
}

static int parse_common(rd *r, genu_record *rec)
{
    if (rec->type == GENU_REC_PATIENT || rec->type == GENU_REC_IDENTITY)
        return GENU_OK;
    bool knee_required = rec->type == GENU_REC_DIAGNOSIS || rec->type == GENU_REC_TREATMENT ||
                         rec->type == GENU_REC_EXAM;
    return id_field(r, "id", false, &rec->id) || id_field(r, "patient", true, &rec->patient) ||
                   knee_field(r, knee_required, &rec->knee) ||
                   date_field(r, "date", true, &rec->date)
               ? r->err->code
               : GENU_OK;
}

/* What one pass learnt beyond the record. */
typedef struct pass_info {
    bool derived, opts_matter;
} pass_info;

/* The line's object: the plain form read directly (io/json_fast.h), any
 * other by jansson, which also names what is wrong. */
static json_t *line_object(const char *line, size_t n, genu_err *err)
{
    json_t *o = json_fast_object(line, n);
    return o ? o : genu_json_parse_object(line, n, err);
}

/* One pass over one line with opts. */
static int parse_line(const char *line, size_t n, const instr_opts *opts, genu_arena *a,
                      genu_record *rec, genu_err *err, pass_info *info)
{
    static int (*const parsers[GENU_REC_NTYPES])(rd *, genu_record *) = {
        parse_patient,  parse_identity,      parse_diagnosis, parse_treatment,
        parse_response, parse_adverse_event, parse_exam,      parse_message,
        parse_death,
    };
    memset(rec, 0, sizeof *rec);
    rec->date = GENU_DATE_NONE;
    rd r = {.in = line_object(line, n, err), .text = GENU_BUF_INIT, .a = a,
            .err = err, .opts = opts};
    if (!r.in)
        return err->code;
    int rc;
    json_t *type = json_object_get(r.in, "type");
    if (!type || !json_is_string(type)) {
        rc = type ? GENU_FAIL(err, GENU_EINVAL, "field \"type\": expected a string, got %s",
                              genu_json_kind(type))
                  : GENU_FAIL(err, GENU_EINVAL, "field \"type\": required");
        json_decref(r.in);
        return rc;
    }
    int t = record_type_find(json_string_value(type));
    if (t < 0) {
        rc = GENU_FAIL(err, GENU_EINVAL,
                       "field \"type\": unknown record type \"%s\" (expected patient, identity, "
                       "diagnosis, treatment, response, adverse_event, exam, message or death)",
                       json_string_value(type));
        json_decref(r.in);
        return rc;
    }
    rec->type = r.type = (genu_rtype)t;
    rc = parse_common(&r, rec);
    if (!rc)
        rc = parsers[t](&r, rec);
    if (!rc)
        rc = r.text.oom ? GENU_OOM(err) : finish_doc(&r, rec);
    for (size_t i = 0; i < sizeof r.out / sizeof r.out[0]; i++)
        if (r.out[i].owned)
            json_decref(r.out[i].v);
    genu_buf_free(&r.text);
    json_decref(r.in);
    *info = (pass_info){r.derived, r.opts_matter};
    return rc;
}

/* ---- jansson's memory during a parse ----
 * A line's values (the parsed tree, the canonical values made for it) all
 * die before parse_line returns, so while a thread parses they come from a
 * block of its own, bumped and never freed piece by piece; what does not fit
 * comes from malloc. malloc and free were about a quarter of the parse. The
 * allocator is jansson's for the whole process: outside a parse (no block on
 * the thread) it is malloc and free. */

typedef struct bump {
    char *base, *p, *end;
} bump;

static _Thread_local bump *parse_mem; /* this thread's parse, or NULL */

static void *bump_malloc(size_t n)
{
    bump *b = parse_mem;
    if (b) {
        size_t need = (n + 15) & ~(size_t)15;
        if (need >= n && (size_t)(b->end - b->p) >= need) {
            void *v = b->p;
            b->p += need;
            return v;
        }
    }
    return malloc(n);
}

static void bump_free(void *v)
{
    const bump *b = parse_mem;
    uintptr_t at = (uintptr_t)v;
    if (b && at >= (uintptr_t)b->base && at < (uintptr_t)b->end)
        return; /* the block goes as a whole */
    free(v);
}

static void bump_install(void)
{
    json_set_alloc_funcs(bump_malloc, bump_free);
}

int record_json_parse_with(const char *line, size_t n, const instr_opts *opts, genu_arena *a,
                           genu_record *rec, genu_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, bump_install);
    _Alignas(16) char mem[PARSE_MEM];
    bump b = {mem, mem, mem + sizeof mem}, *outer = parse_mem;
    if (!outer) /* (a parse within a parse keeps the outer block, and its values) */
        parse_mem = &b;
    pass_info info;
    opts = opts ? opts : &instrument_opts_default;
    int rc = parse_line(line, n, opts, a, rec, err, &info);
    if (rc || !info.derived || !info.opts_matter)
        goto done;
    /* An id derived from the content must not depend on the registry's
     * options (re-importing the line after they change would add a second
     * record): derive it from the doc the defaults give, then score that
     * doc, which now carries the id, with opts. */
    if (!outer)
        b.p = b.base; /* nothing of the last pass is alive */
    if ((rc = parse_line(line, n, &instrument_opts_default, a, rec, err, &info)))
        goto done;
    const char *doc = rec->doc;
    if (!outer)
        b.p = b.base;
    rc = parse_line(doc, strlen(doc), opts, a, rec, err, &info);
done:
    parse_mem = outer;
    return rc;
}

int record_json_parse(const char *line, size_t n, genu_arena *a, genu_record *rec, genu_err *err)
{
    return record_json_parse_with(line, n, NULL, a, rec, err);
}
