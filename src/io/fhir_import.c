/* fhir_import: a FHIR R4 Bundle -> genu records, imported as JSON Lines
 * are (io/jsonl.h): each resource genu's export writes (fhir.c) becomes the
 * record it came from, references resolved through the Bundle's fullUrls,
 * and anything else is refused naming the entry. */
#include "io/fhir.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/vec.h"
#include "io/fhir_names.h"

typedef struct fi {
    const char *file;
    json_t *entries;
    json_t *by_ref; /* fullUrl and Type/id → entry index */
    genu_arena *a;
} fi;

/* The entry a reference names, of the wanted resource type; -1 when none. */
static long resolve(const fi *f, const json_t *ref, const char *want)
{
    const char *r = json_string_value(json_object_get(ref, "reference"));
    json_t *i = r ? json_object_get(f->by_ref, r) : NULL;
    if (!i)
        return -1;
    json_t *res = json_object_get(json_array_get(f->entries, (size_t)json_integer_value(i)),
                                  "resource");
    const char *rt = json_string_value(json_object_get(res, "resourceType"));
    return rt && strcmp(rt, want) == 0 ? (long)json_integer_value(i) : -1;
}

/* The element of array arr whose string member key is prefix followed by
 * name, or NULL. */
static json_t *element_where(const json_t *arr, const char *key, const char *prefix,
                             const char *name)
{
    char want[128];
    snprintf(want, sizeof want, "%s%s", prefix, name);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *s = json_string_value(json_object_get(e, key));
        if (s && strcmp(s, want) == 0)
            return e;
    }
    return NULL;
}

/* The genu id of a resource: its identifier in genu's system for kind,
 * else the resource id. */
static const char *genu_id(const json_t *res, const char *kind)
{
    json_t *idf = element_where(json_object_get(res, "identifier"), "system", ID_SYSTEM, kind);
    return json_string_value(idf ? json_object_get(idf, "value") : json_object_get(res, "id"));
}

static json_t *ext(const json_t *res, const char *name)
{
    json_t *e = element_where(json_object_get(res, "extension"), "url", EXT, name);
    const char *k;
    json_t *v;
    if (e)
        json_object_foreach(e, k, v) if (strncmp(k, "value", 5) == 0) return v;
    return NULL;
}

/* The code of a CodeableConcept in genu's code system `system`. */
static const char *code_in(const json_t *cc, const char *system)
{
    json_t *c = element_where(json_object_get(cc, "coding"), "system", CS, system);
    return c ? json_string_value(json_object_get(c, "code")) : NULL;
}

static void set_if(json_t *o, const char *k, json_t *v)
{
    if (v)
        json_object_set(o, k, v);
}

/* Parses a JSON-text extension back into its value. */
static void set_json_ext(json_t *o, const char *k, const json_t *res, const char *name)
{
    const char *s = json_string_value(ext(res, name));
    json_t *v = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
    if (v)
        json_object_set_new(o, k, v);
    else if (s)
        json_object_set_new(o, k, json_string(s)); /* record_json names the bad field */
}

static void set_note(json_t *o, const json_t *res)
{
    json_t *n = json_object_get(json_array_get(json_object_get(res, "note"), 0), "text");
    set_if(o, "note", n ? n : ext(res, "note"));
    set_json_ext(o, "extra", res, "extra");
}

static const char *knee_of(const json_t *sites)
{
    size_t i;
    json_t *cc;
    json_array_foreach(sites, i, cc)
    {
        const char *k = code_in(cc, "knee");
        if (k)
            return k;
    }
    return NULL;
}

/* Subject → the patient's genu id; NULL with *why set when it does not
 * resolve. */
static const char *subject_of(fi *f, const json_t *res, const char *field, const char **why)
{
    const json_t *ref = json_object_get(res, field);
    long i = ref ? resolve(f, ref, "Patient") : -1;
    if (i < 0) {
        const char *r = json_string_value(json_object_get(ref, "reference"));
        *why = genu_arena_printf(f->a, "%s: reference \"%.100s\" does not resolve to a Patient "
                                       "in the bundle", field, r ? r : "(none)");
        return NULL;
    }
    return genu_id(json_object_get(json_array_get(f->entries, (size_t)i), "resource"),
                   "patient");
}

static json_t *to_patient(const json_t *res, json_t **identity)
{
    json_t *o = json_pack("{s:s}", "type", "patient");
    const char *id = genu_id(res, "patient");
    if (id)
        json_object_set_new(o, "id", json_string(id));
    set_if(o, "site", ext(res, "site"));
    set_if(o, "sex", json_object_get(res, "gender"));
    set_if(o, "birth_year", ext(res, "birth-year"));
    set_if(o, "height_cm", ext(res, "height-cm"));
    set_if(o, "weight_kg", ext(res, "weight-kg"));
    set_note(o, res);
    *identity = NULL;
    json_t *name = json_object_get(json_array_get(json_object_get(res, "name"), 0), "text");
    json_t *dob = json_object_get(res, "birthDate");
    json_t *tel = json_object_get(res, "telecom");
    if (!ext(res, "identity-record") && !name && !dob && !tel)
        return o;
    json_t *idn = json_pack("{s:s}", "type", "identity");
    if (id)
        json_object_set_new(idn, "patient", json_string(id));
    set_if(idn, "name", name);
    set_if(idn, "date_of_birth", dob);
    size_t i;
    json_t *t;
    json_array_foreach(tel, i, t)
    {
        const char *sys = json_string_value(json_object_get(t, "system"));
        if (sys && (strcmp(sys, "email") == 0 || strcmp(sys, "phone") == 0))
            set_if(idn, sys, json_object_get(t, "value"));
    }
    set_json_ext(idn, "extra", res, "identity-extra");
    *identity = idn;
    return o;
}

/* The death a Patient records: deceasedDateTime (its date part) with the id
 * and extra of the death-record and death-extra extensions. NULL when the
 * patient is not known to have died; NULL with *why when genu cannot record
 * the death (it needs the date). */
static json_t *to_death(const json_t *res, const char *patient, genu_arena *a,
                        const char **why)
{
    json_t *when = json_object_get(res, "deceasedDateTime");
    json_t *flag = json_object_get(res, "deceasedBoolean");
    if (!when) {
        if (json_is_true(flag))
            *why = "deceasedBoolean: true without a date: genu records a death with its date "
                   "(give deceasedDateTime)";
        else if (flag && !json_is_boolean(flag))
            *why = "deceasedBoolean: expected true or false";
        return NULL;
    }
    const char *d = json_string_value(when);
    size_t n = d ? strlen(d) : 0;
    if (!d || n < 10 || (n > 10 && d[10] != 'T') || d[4] != '-' || d[7] != '-') {
        *why = genu_arena_printf(a, "deceasedDateTime: genu needs the day of death "
                                    "(YYYY-MM-DD...), got \"%.40s\"", d ? d : "(not a string)");
        return NULL;
    }
    json_t *o = json_pack("{s:s}", "type", "death");
    set_if(o, "id", ext(res, "death-record"));
    if (patient)
        json_object_set_new(o, "patient", json_string(patient));
    json_object_set_new(o, "date", json_stringn(d, 10));
    set_json_ext(o, "extra", res, "death-extra");
    return o;
}

static void set_dated(json_t *o, const char *type, const char *kind, const json_t *res,
                      const char *patient, const char *date_el)
{
    json_object_set_new(o, "type", json_string(type));
    const char *id = genu_id(res, kind);
    if (id)
        json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "patient", json_string(patient));
    set_if(o, "date", json_object_get(res, date_el));
}

static json_t *to_diagnosis(const json_t *res, const char *patient)
{
    json_t *o = json_object();
    set_dated(o, "diagnosis", "diagnosis", res, patient, "recordedDate");
    const char *knee = knee_of(json_object_get(res, "bodySite"));
    if (knee)
        json_object_set_new(o, "knee", json_string(knee));
    const char *c = code_in(json_object_get(res, "code"), "condition");
    if (c)
        json_object_set_new(o, "condition", json_string(c));
    const char *kl = code_in(
        json_object_get(json_array_get(json_object_get(res, "stage"), 0), "summary"),
        "kellgren-lawrence");
    if (kl)
        json_object_set_new(o, "kl_grade", strlen(kl) == 1 && kl[0] >= '0' && kl[0] <= '9'
                                               ? json_integer(kl[0] - '0')
                                               : json_string(kl));
    set_note(o, res);
    return o;
}

static json_t *to_treatment(const json_t *res, const char *patient)
{
    json_t *o = json_object();
    set_dated(o, "treatment", "treatment", res, patient, "performedDateTime");
    json_t *sites_in = json_object_get(res, "bodySite");
    const char *knee = knee_of(sites_in);
    if (knee)
        json_object_set_new(o, "knee", json_string(knee));
    const char *k = code_in(json_object_get(res, "code"), "treatment-kind");
    if (k)
        json_object_set_new(o, "kind", json_string(k));
    set_if(o, "protocol", ext(res, "protocol"));
    json_t *sites = json_array();
    size_t i;
    json_t *cc;
    json_array_foreach(sites_in, i, cc)
    {
        const char *s = code_in(cc, "injection-site");
        if (s)
            json_array_append_new(sites, json_string(s));
    }
    if (json_array_size(sites))
        json_object_set(o, "sites", sites);
    json_decref(sites);
    set_json_ext(o, "product", res, "product");
    json_t *cost = ext(res, "cost");
    if (cost) {
        json_t *c = json_object();
        set_if(c, "amount", json_object_get(cost, "value"));
        set_if(c, "currency", json_object_get(cost, "currency"));
        json_object_set_new(o, "cost", c);
    }
    set_if(o, "clinician",
           json_object_get(json_object_get(json_array_get(json_object_get(res, "performer"), 0),
                                           "actor"),
                           "display"));
    set_note(o, res);
    return o;
}

static json_t *to_response(const json_t *res, const char *patient, const char **why, fi *f)
{
    json_t *o = json_object();
    set_dated(o, "response", "response", res, patient, "authored");
    set_if(o, "knee", ext(res, "knee"));
    const char *q = json_string_value(json_object_get(res, "questionnaire"));
    size_t n = strlen(QURL);
    if (!q || strncmp(q, QURL, n) != 0) {
        *why = genu_arena_printf(f->a, "questionnaire: expected %s<instrument>|<version>, got "
                                       "\"%.80s\"", QURL, q ? q : "(none)");
        return o;
    }
    const char *bar = strchr(q + n, '|');
    json_object_set_new(o, "instrument", json_stringn(q + n, bar ? (size_t)(bar - q - n)
                                                                 : strlen(q + n)));
    json_t *items = json_object();
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(res, "item"), i, it)
    {
        const char *link = json_string_value(json_object_get(it, "linkId"));
        json_t *ans = json_array_get(json_object_get(it, "answer"), 0);
        json_t *v = json_object_get(ans, "valueInteger");
        if (!v)
            v = json_object_get(ans, "valueBoolean");
        if (link)
            json_object_set(items, link, v ? v : json_null());
    }
    json_object_set_new(o, "items", items);
    set_note(o, res);
    return o;
}

static json_t *to_adverse_event(const json_t *res, const char *patient, fi *f, const char **why)
{
    json_t *o = json_object();
    set_dated(o, "adverse_event", "adverse_event", res, patient, "date");
    set_if(o, "knee", ext(res, "knee"));
    const char *k = code_in(json_object_get(res, "event"), "adverse-event");
    if (k)
        json_object_set_new(o, "kind", json_string(k));
    set_if(o, "severity", ext(res, "severity-grade"));
    json_t *ser = json_array_get(json_object_get(json_object_get(res, "seriousness"), "coding"),
                                 0);
    const char *sc = json_string_value(json_object_get(ser, "code"));
    if (sc)
        json_object_set_new(o, "serious", json_boolean(strcmp(sc, "serious") == 0));
    json_t *inst = json_object_get(json_array_get(json_object_get(res, "suspectEntity"), 0),
                                   "instance");
    if (inst) {
        long i = resolve(f, inst, "Procedure");
        if (i < 0) {
            const char *r = json_string_value(json_object_get(inst, "reference"));
            *why = genu_arena_printf(f->a, "suspectEntity: reference \"%.100s\" does not "
                                           "resolve to a Procedure in the bundle",
                                     r ? r : "(none)");
        } else {
            json_object_set_new(
                o, "treatment",
                json_string(genu_id(json_object_get(json_array_get(f->entries, (size_t)i),
                                                    "resource"),
                                    "treatment")));
        }
    }
    set_note(o, res);
    return o;
}

static json_t *to_exam(const json_t *res, const char *patient)
{
    json_t *o = json_object();
    set_dated(o, "exam", "exam", res, patient, "effectiveDateTime");
    json_t *bs = json_object_get(res, "bodySite");
    const char *knee = code_in(bs, "knee");
    if (knee)
        json_object_set_new(o, "knee", json_string(knee));
    json_t *findings = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(res, "component"), i, c)
    {
        const char *name = code_in(json_object_get(c, "code"), "exam-finding");
        json_t *b = json_object_get(c, "valueBoolean");
        const char *lvl = code_in(json_object_get(c, "valueCodeableConcept"), "exam-level");
        if (name)
            json_object_set_new(findings, name,
                                b ? json_incref(b) : lvl ? json_string(lvl) : json_null());
    }
    json_object_set_new(o, "findings", findings);
    set_note(o, res);
    return o;
}

/* Score and panel Observations carry nothing genu stores, but their links
 * must hold. */
static const char *check_links(fi *f, const json_t *res)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(res, "derivedFrom"), i, r)
    {
        if (resolve(f, r, "QuestionnaireResponse") < 0)
            return genu_arena_printf(f->a, "derivedFrom[%zu]: reference \"%.100s\" does not "
                                           "resolve to a QuestionnaireResponse in the bundle", i,
                                     json_string_value(json_object_get(r, "reference")));
    }
    json_array_foreach(json_object_get(res, "hasMember"), i, r)
    {
        if (resolve(f, r, "Observation") < 0)
            return genu_arena_printf(f->a, "hasMember[%zu]: reference \"%.100s\" does not "
                                           "resolve to an Observation in the bundle", i,
                                     json_string_value(json_object_get(r, "reference")));
    }
    return NULL;
}

typedef struct flines {
    jsonl_line *v;
    size_t n, cap;
} flines;

static int add(flines *l, genu_arena *a, const char *where, json_t *obj, const char *why)
{
    jsonl_line *v = genu_vec_room(l->v, &l->cap, l->n, sizeof *v, 256);
    if (!v)
        return GENU_ENOMEM;
    l->v = v;
    jsonl_line *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    x->where = where;
    x->error = why;
    if (obj) {
        genu_buf b = GENU_BUF_INIT;
        genu_json_append(&b, obj);
        x->text = b.oom ? NULL : genu_arena_strdup(a, b.p);
        genu_buf_free(&b);
        if (!x->text)
            return GENU_ENOMEM;
    }
    return GENU_OK;
}

static int convert_entry(fi *f, size_t i, flines *l)
{
    json_t *res = json_object_get(json_array_get(f->entries, i), "resource");
    const char *rt = json_string_value(json_object_get(res, "resourceType"));
    const char *where = genu_arena_printf(f->a, "%s: entry[%zu] (%s)", f->file, i,
                                          rt ? rt : "no resourceType");
    const char *why = NULL, *patient = NULL;
    json_t *o = NULL, *identity = NULL, *death = NULL;
    const char *death_why = NULL;
    if (!where)
        return GENU_ENOMEM;
    static const char *const known[] = {"Patient",      "Condition", "Procedure",
                                        "QuestionnaireResponse", "AdverseEvent",
                                        "Observation",  NULL};
    size_t k = 0;
    while (rt && known[k] && strcmp(known[k], rt) != 0)
        k++;
    if (!json_is_object(res) || !rt)
        why = "expected a resource with a resourceType";
    else if (!known[k])
        why = genu_arena_printf(f->a, "resourceType: %s is not one genu imports (Patient, "
                                      "Condition, Procedure, QuestionnaireResponse, "
                                      "Observation, AdverseEvent)", rt);
    else if (strcmp(rt, "Patient") == 0) {
        o = to_patient(res, &identity);
        death = to_death(res, genu_id(res, "patient"), f->a, &death_why);
    }
    else if (strcmp(rt, "Observation") == 0 && !code_in(json_object_get(res, "code"), "exam"))
        why = check_links(f, res);
    else if (!(patient = subject_of(f, res, "subject", &why)))
        ;
    else if (strcmp(rt, "Condition") == 0)
        o = to_diagnosis(res, patient);
    else if (strcmp(rt, "Procedure") == 0)
        o = to_treatment(res, patient);
    else if (strcmp(rt, "QuestionnaireResponse") == 0)
        o = to_response(res, patient, &why, f);
    else if (strcmp(rt, "AdverseEvent") == 0)
        o = to_adverse_event(res, patient, f, &why);
    else
        o = to_exam(res, patient);
    int rc = GENU_OK;
    if (o || why)
        rc = add(l, f->a, where, o, why);
    if (!rc && identity)
        rc = add(l, f->a, where, identity, NULL);
    if (!rc && (death || death_why))
        rc = add(l, f->a, where, death, death_why);
    json_decref(o);
    json_decref(identity);
    json_decref(death);
    return rc;
}

static int read_bundle(const char *file, genu_arena *a, flines *l, genu_err *err)
{
    json_error_t je;
    bool in = strcmp(file, "-") == 0;
    json_t *b = in ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &je)
                   : json_load_file(file, JSON_REJECT_DUPLICATES, &je);
    if (!b)
        return GENU_FAIL(err, GENU_EINVAL, "%s:%d:%d: invalid JSON: %s", file, je.line,
                         je.column, je.text);
    fi f = {file, json_object_get(b, "entry"), json_object(), a};
    const char *rt = json_string_value(json_object_get(b, "resourceType"));
    int rc = GENU_OK;
    if (!rt || strcmp(rt, "Bundle") != 0 || !json_is_array(f.entries))
        rc = GENU_FAIL(err, GENU_EINVAL, "%s: expected a FHIR Bundle with an entry array", file);
    size_t i;
    json_t *e;
    json_array_foreach(rc ? NULL : f.entries, i, e)
    {
        json_t *res = json_object_get(e, "resource");
        const char *full = json_string_value(json_object_get(e, "fullUrl"));
        const char *t = json_string_value(json_object_get(res, "resourceType"));
        const char *id = json_string_value(json_object_get(res, "id"));
        if (full)
            json_object_set_new(f.by_ref, full, json_integer((json_int_t)i));
        if (t && id) {
            char key[256];
            snprintf(key, sizeof key, "%s/%s", t, id);
            json_object_set_new(f.by_ref, key, json_integer((json_int_t)i));
        }
    }
    for (i = 0; !rc && i < json_array_size(f.entries); i++)
        if (convert_entry(&f, i, l))
            rc = GENU_OOM(err);
    json_decref(f.by_ref);
    json_decref(b);
    return rc;
}

int fhir_import(genu_store *s, const char *const *files, size_t n, const jsonl_import_opts *o,
                jsonl_stats *stats, genu_err *err)
{
    genu_arena *a = genu_arena_create();
    flines l = {NULL, 0, 0};
    memset(stats, 0, sizeof *stats);
    int rc = a ? GENU_OK : GENU_OOM(err);
    for (size_t i = 0; i < n && !rc; i++)
        rc = read_bundle(files[i], a, &l, err);
    if (!rc)
        rc = jsonl_import_lines(s, l.v, l.n, o, stats, err);
    free(l.v);
    genu_arena_destroy(a);
    return rc;
}
