/* fhir: genu records -> FHIR R4 resources in one Bundle (the way back is
 * fhir_import.c). Every genu value has a place in the resource (standard
 * elements where R4 has them, genu extensions otherwise), so a Bundle genu
 * wrote imports back to the same records. Resource ids and fullUrls are
 * UUIDs derived from the record's type and id, so references are stable and
 * always valid FHIR ids. */
#include "io/fhir.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "io/fhir_names.h"

#define LOINC  "http://loinc.org"
#define SNOMED "http://snomed.info/sct"

/* LOINC codes genu's scores map to; the rest use genu's score code system. */
static const struct {
    const char *instrument, *score, *code, *display;
} loinc[] = {
    {"koos", NULL, "72091-2", "Knee injury and Osteoarthritis Outcome Score [KOOS]"},
    {"koos", "symptoms", "72101-9", "Symptoms score [KOOS]"},
    {"koos", "adl", "72100-1", "Activities of daily living score [KOOS]"},
    {"nprs", "intensity", "72514-3",
     "Pain severity - 0-10 verbal numeric rating [Score] - Reported"},
};

static const char *loinc_of(const char *instrument, const char *score, const char **display)
{
    for (size_t i = 0; i < sizeof loinc / sizeof loinc[0]; i++)
        if (strcmp(loinc[i].instrument, instrument) == 0 &&
            (score ? loinc[i].score && strcmp(loinc[i].score, score) == 0 : !loinc[i].score)) {
            *display = loinc[i].display;
            return loinc[i].code;
        }
    return NULL;
}

/* ---- small builders ---- */

static void uuid_of(const char *kind, const char *id, const char *sub, char out[37])
{
    unsigned char h[16];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
    crypto_generichash_update(&st, (const unsigned char *)id, strlen(id) + 1);
    if (sub)
        crypto_generichash_update(&st, (const unsigned char *)sub, strlen(sub));
    crypto_generichash_final(&st, h, sizeof h);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x50); /* name-based layout */
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[h[i] >> 4];
        out[k++] = hex[h[i] & 15];
    }
    out[k] = '\0';
}

static json_t *ref_to(const char *kind, const char *id)
{
    char u[37];
    uuid_of(kind, id, NULL, u);
    char r[48];
    snprintf(r, sizeof r, "urn:uuid:%s", u);
    return json_pack("{s:s}", "reference", r);
}

static json_t *coding(const char *system, const char *code, const char *display)
{
    json_t *c = json_pack("{s:s,s:s}", "system", system, "code", code);
    if (display)
        json_object_set_new(c, "display", json_string(display));
    return c;
}

static json_t *concept(const char *system, const char *code)
{
    char sys[128];
    snprintf(sys, sizeof sys, CS "%s", system);
    return json_pack("{s:[o]}", "coding", coding(sys, code, NULL));
}

static void add_ext(json_t *res, const char *name, const char *vtype, json_t *value)
{
    if (!value)
        return;
    json_t *a = json_object_get(res, "extension");
    if (!a) {
        a = json_array();
        json_object_set_new(res, "extension", a);
    }
    char url[128];
    snprintf(url, sizeof url, EXT "%s", name);
    json_array_append_new(a, json_pack("{s:s,s:o}", "url", url, vtype, value));
}

static json_t *opt(const json_t *doc, const char *k)
{
    json_t *v = json_object_get(doc, k);
    return v && !json_is_null(v) ? json_incref(v) : NULL;
}

static const char *str(const json_t *doc, const char *k)
{
    return json_string_value(json_object_get(doc, k));
}

static json_t *compact(const json_t *v)
{
    genu_buf b = GENU_BUF_INIT;
    genu_json_append(&b, v);
    json_t *s = b.oom ? NULL : json_string(b.p);
    genu_buf_free(&b);
    return s;
}

/* The record's "extra" object, if any, as the JSON-text extension name. */
static void add_extra(json_t *res, const char *name, const json_t *doc)
{
    json_t *extra = json_object_get(doc, "extra");
    if (extra)
        add_ext(res, name, "valueString", compact(extra));
}

static json_t *knee_site(const char *knee)
{
    int left = strcmp(knee, "left") == 0;
    json_t *cc = json_pack("{s:[o,o],s:s}", "coding",
                           coding(SNOMED, "72696002", "Knee region structure"),
                           coding(CS "knee", knee, NULL), "text",
                           left ? "left knee" : "right knee");
    json_t *lat = json_pack("{s:[o]}", "coding",
                            left ? coding(SNOMED, "7771000", "Left")
                                 : coding(SNOMED, "24028007", "Right"));
    add_ext(cc, "laterality", "valueCodeableConcept", lat);
    return cc;
}

/* ---- export ---- */

typedef struct fx {
    FILE *out;
    size_t count, entries;
    json_t *patient; /* held until the patient's records end: identity and
                      * death go into it */
    genu_buf pending; /* the entries of the held patient's other records */
    genu_err *err;
} fx;

static int write_entry(fx *x, json_t *res, bool first)
{
    const char *id = json_string_value(json_object_get(res, "id"));
    char full[48];
    snprintf(full, sizeof full, "urn:uuid:%s", id);
    json_t *e = json_pack("{s:s,s:o}", "fullUrl", full, "resource", res);
    genu_buf b = GENU_BUF_INIT;
    genu_json_append(&b, e);
    json_decref(e);
    if (b.oom) {
        genu_buf_free(&b);
        return GENU_OOM(x->err);
    }
    if (!first) {
        genu_buf_puts(&x->pending, ",\n");
        genu_buf_puts(&x->pending, b.p);
        genu_buf_free(&b);
        return x->pending.oom ? GENU_OOM(x->err) : GENU_OK;
    }
    fputs(x->entries++ ? ",\n" : "\n", x->out);
    fputs(b.p, x->out);
    genu_buf_free(&b);
    return ferror(x->out) ? GENU_EIO : GENU_OK;
}

/* An entry: written at once, or after the held patient's own entry. */
static int emit(fx *x, json_t *res)
{
    return write_entry(x, res, x->patient == NULL);
}

static json_t *resource(const char *rtype, const char *kind, const json_t *doc)
{
    char u[37];
    const char *id = str(doc, "id");
    uuid_of(kind, id ? id : "", NULL, u);
    char sys[128];
    snprintf(sys, sizeof sys, ID_SYSTEM "%s", kind);
    return json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "resourceType", rtype, "id", u, "identifier",
                     "system", sys, "value", id ? id : "");
}

/* date → the element (YYYY-MM-DD, or a year in de-identified output); day
 * → an extension, FHIR having no relative dates. */
static void put_when(json_t *res, const json_t *doc, const char *element)
{
    json_t *d = json_object_get(doc, "date"), *y = json_object_get(doc, "year");
    if (json_is_string(d))
        json_object_set(res, element, d);
    else if (json_is_integer(y))
        json_object_set_new(res, element,
                            json_sprintf("%04d", (int)json_integer_value(y)));
    add_ext(res, "days-from-index", "valueInteger", opt(doc, "day"));
}

static void put_common(json_t *res, const json_t *doc, bool subject)
{
    if (subject)
        json_object_set_new(res, "subject", ref_to("patient", str(doc, "patient")));
    json_t *note = json_object_get(doc, "note");
    if (json_is_string(note) && strcmp(json_string_value(json_object_get(res, "resourceType")),
                                       "AdverseEvent") != 0)
        json_object_set_new(res, "note", json_pack("[{s:O}]", "text", note));
    else
        add_ext(res, "note", "valueString", opt(doc, "note"));
    add_extra(res, "extra", doc);
}

static json_t *fx_patient(const json_t *doc)
{
    json_t *r = resource("Patient", "patient", doc);
    json_object_set(r, "gender", json_object_get(doc, "sex"));
    add_ext(r, "site", "valueString", opt(doc, "site"));
    add_ext(r, "birth-year", "valueInteger", opt(doc, "birth_year"));
    add_ext(r, "height-cm", "valueDecimal", opt(doc, "height_cm"));
    add_ext(r, "weight-kg", "valueDecimal", opt(doc, "weight_kg"));
    add_ext(r, "age-at-index", "valueInteger", opt(doc, "age_at_index"));
    put_common(r, doc, false);
    return r;
}

static void fx_identity(json_t *p, const json_t *doc)
{
    add_ext(p, "identity-record", "valueBoolean", json_true());
    if (str(doc, "name"))
        json_object_set_new(p, "name", json_pack("[{s:O}]", "text", json_object_get(doc, "name")));
    if (str(doc, "date_of_birth"))
        json_object_set(p, "birthDate", json_object_get(doc, "date_of_birth"));
    json_t *tel = json_array();
    if (str(doc, "email"))
        json_array_append_new(tel, json_pack("{s:s,s:O}", "system", "email", "value",
                                             json_object_get(doc, "email")));
    if (str(doc, "phone"))
        json_array_append_new(tel, json_pack("{s:s,s:O}", "system", "phone", "value",
                                             json_object_get(doc, "phone")));
    if (json_array_size(tel))
        json_object_set_new(p, "telecom", tel);
    else
        json_decref(tel);
    add_extra(p, "identity-extra", doc);
}

/* The death on its patient: deceasedDateTime (a year when de-identified by
 * year; deceasedBoolean and the days in an extension when by days), its id
 * and extra in extensions. The cause has no place on Patient and is not
 * exported (docs/formats.md). */
static void fx_death(json_t *p, const json_t *doc)
{
    json_t *d = json_object_get(doc, "date"), *y = json_object_get(doc, "year");
    if (json_is_string(d))
        json_object_set(p, "deceasedDateTime", d);
    else if (json_is_integer(y))
        json_object_set_new(p, "deceasedDateTime",
                            json_sprintf("%04d", (int)json_integer_value(y)));
    else
        json_object_set_new(p, "deceasedBoolean", json_true());
    add_ext(p, "death-record", "valueString", opt(doc, "id"));
    add_ext(p, "death-days-from-index", "valueInteger", opt(doc, "day"));
    add_extra(p, "death-extra", doc);
}

static json_t *fx_diagnosis(const json_t *doc)
{
    json_t *r = resource("Condition", "diagnosis", doc);
    json_object_set_new(r, "code", concept("condition", str(doc, "condition")));
    json_object_set_new(r, "bodySite", json_pack("[o]", knee_site(str(doc, "knee"))));
    put_when(r, doc, "recordedDate");
    json_t *kl = json_object_get(doc, "kl_grade");
    if (json_is_integer(kl)) {
        char g[8];
        snprintf(g, sizeof g, "%d", (int)json_integer_value(kl));
        json_object_set_new(r, "stage",
                            json_pack("[{s:o}]", "summary", concept("kellgren-lawrence", g)));
    }
    put_common(r, doc, true);
    return r;
}

static json_t *fx_treatment(const json_t *doc)
{
    json_t *r = resource("Procedure", "treatment", doc);
    json_object_set_new(r, "status", json_string("completed"));
    json_object_set_new(r, "code", concept("treatment-kind", str(doc, "kind")));
    put_when(r, doc, "performedDateTime");
    json_t *sites = json_pack("[o]", knee_site(str(doc, "knee")));
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "sites"), i, s)
        json_array_append_new(sites, concept("injection-site", json_string_value(s)));
    json_object_set_new(r, "bodySite", sites);
    if (str(doc, "clinician"))
        json_object_set_new(r, "performer", json_pack("[{s:{s:O}}]", "actor", "display",
                                                      json_object_get(doc, "clinician")));
    add_ext(r, "protocol", "valueString", opt(doc, "protocol"));
    json_t *product = json_object_get(doc, "product");
    if (product)
        add_ext(r, "product", "valueString", compact(product));
    json_t *cost = json_object_get(doc, "cost");
    if (cost)
        add_ext(r, "cost", "valueMoney",
                json_pack("{s:O,s:O}", "value", json_object_get(cost, "amount"), "currency",
                          json_object_get(cost, "currency")));
    put_common(r, doc, true);
    return r;
}

static json_t *fx_items(const json_t *items)
{
    json_t *a = json_array();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)items, k, v)
    {
        const char *vt = json_is_boolean(v) ? "valueBoolean" : "valueInteger";
        json_array_append_new(a, json_pack("{s:s,s:[{s:O}]}", "linkId", k, "answer", vt, v));
    }
    return a;
}

/* The score Observations of a response: one per non-null score, and for
 * KOOS the panel (LOINC 72091-2) whose members they are. */
static int fx_scores(fx *x, const json_t *doc, const json_t *qr)
{
    const char *rid = str(doc, "id"), *instr = str(doc, "instrument");
    json_t *scores = json_object_get(doc, "scores");
    json_t *members = json_array();
    int rc = GENU_OK;
    const char *k;
    json_t *v;
    char qref[48];
    snprintf(qref, sizeof qref, "urn:uuid:%s", json_string_value(json_object_get(qr, "id")));
    /* flatten one level: koos.womac.pain */
    json_t *flat = json_object();
    json_object_foreach(scores, k, v)
    {
        if (json_is_object(v)) {
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2)
            {
                char key[96];
                snprintf(key, sizeof key, "%s.%s", k, k2);
                json_object_set(flat, key, v2);
            }
        } else {
            json_object_set(flat, k, v);
        }
    }
    json_object_foreach(flat, k, v)
    {
        if (!json_is_number(v) || rc)
            continue;
        char u[37], code[128];
        uuid_of("score", rid, k, u);
        snprintf(code, sizeof code, "%s.%s", instr, k);
        json_t *codes = json_array();
        const char *display;
        const char *lc = loinc_of(instr, k, &display);
        if (lc)
            json_array_append_new(codes, coding(LOINC, lc, display));
        json_array_append_new(codes, coding(CS "score", code, NULL));
        json_t *o = json_pack(
            "{s:s,s:s,s:s,s:[{s:[{s:s,s:s}]}],s:{s:o},s:{s:O,s:s,s:s,s:s},s:[{s:s}]}",
            "resourceType", "Observation", "id", u, "status", "final", "category", "coding",
            "system", "http://terminology.hl7.org/CodeSystem/observation-category", "code",
            "survey", "code", "coding", codes, "valueQuantity", "value", v, "unit", "score",
            "system", "http://unitsofmeasure.org", "code", "{score}", "derivedFrom", "reference",
            qref);
        json_object_set(o, "subject", json_object_get(qr, "subject"));
        json_t *when = json_object_get(qr, "authored");
        if (when)
            json_object_set(o, "effectiveDateTime", when);
        json_t *ext = json_object_get(qr, "extension");
        if (ext)
            json_object_set_new(o, "extension", json_deep_copy(ext));
        char ref[48];
        snprintf(ref, sizeof ref, "urn:uuid:%s", u);
        json_array_append_new(members, json_pack("{s:s}", "reference", ref));
        rc = emit(x, o);
    }
    json_decref(flat);
    const char *display;
    const char *panel = loinc_of(instr, NULL, &display);
    if (!rc && panel && json_array_size(members)) {
        char u[37];
        uuid_of("panel", rid, NULL, u);
        json_t *o = json_pack("{s:s,s:s,s:s,s:{s:[o]},s:O,s:O,s:[{s:s}]}", "resourceType",
                              "Observation", "id", u, "status", "final", "code", "coding",
                              coding(LOINC, panel, display), "subject",
                              json_object_get(qr, "subject"), "hasMember", members,
                              "derivedFrom", "reference", qref);
        json_t *when = json_object_get(qr, "authored");
        if (when)
            json_object_set(o, "effectiveDateTime", when);
        rc = emit(x, o);
    }
    json_decref(members);
    return rc;
}

static int fx_response(fx *x, const json_t *doc)
{
    json_t *r = resource("QuestionnaireResponse", "response", doc);
    json_t *ver = json_object_get(doc, "version");
    char q[160];
    snprintf(q, sizeof q, QURL "%s|%d", str(doc, "instrument"),
             json_is_integer(ver) ? (int)json_integer_value(ver) : 1);
    json_object_set_new(r, "questionnaire", json_string(q));
    json_object_set_new(r, "status", json_string("completed"));
    json_object_set_new(r, "subject", ref_to("patient", str(doc, "patient")));
    put_when(r, doc, "authored");
    add_ext(r, "knee", "valueCode", opt(doc, "knee"));
    json_object_set_new(r, "item", fx_items(json_object_get(doc, "items")));
    put_common(r, doc, false);
    json_incref(r);
    int rc = emit(x, r);
    if (!rc)
        rc = fx_scores(x, doc, r);
    json_decref(r);
    return rc;
}

static json_t *fx_adverse_event(const json_t *doc)
{
    json_t *r = resource("AdverseEvent", "adverse_event", doc);
    json_object_set_new(r, "actuality", json_string("actual"));
    json_object_set_new(r, "event", concept("adverse-event", str(doc, "kind")));
    put_when(r, doc, "date");
    int serious = json_is_true(json_object_get(doc, "serious"));
    json_object_set_new(
        r, "seriousness",
        json_pack("{s:[o]}", "coding",
                  coding("http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                         serious ? "serious" : "non-serious",
                         serious ? "Serious" : "Non-serious")));
    add_ext(r, "severity-grade", "valueInteger", opt(doc, "severity"));
    add_ext(r, "knee", "valueCode", opt(doc, "knee"));
    if (str(doc, "treatment"))
        json_object_set_new(r, "suspectEntity", json_pack("[{s:o}]", "instance",
                                                          ref_to("treatment",
                                                                 str(doc, "treatment"))));
    put_common(r, doc, true);
    return r;
}

static json_t *fx_exam(const json_t *doc)
{
    json_t *r = resource("Observation", "exam", doc);
    json_object_set_new(r, "status", json_string("final"));
    json_object_set_new(
        r, "category",
        json_pack("[{s:[{s:s,s:s}]}]", "coding", "system",
                  "http://terminology.hl7.org/CodeSystem/observation-category", "code", "exam"));
    json_object_set_new(r, "code", concept("exam", "knee-exam"));
    put_when(r, doc, "effectiveDateTime");
    json_object_set_new(r, "bodySite", knee_site(str(doc, "knee")));
    json_t *comps = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(doc, "findings"), k, v)
    {
        json_t *c = json_pack("{s:o}", "code", concept("exam-finding", k));
        if (json_is_boolean(v))
            json_object_set(c, "valueBoolean", v);
        else
            json_object_set_new(c, "valueCodeableConcept",
                                concept("exam-level", json_string_value(v)));
        json_array_append_new(comps, c);
    }
    json_object_set_new(r, "component", comps);
    put_common(r, doc, true);
    return r;
}

/* Writes the held patient, then its records' entries. */
static int flush_patient(fx *x)
{
    if (!x->patient)
        return GENU_OK;
    json_t *p = x->patient;
    x->patient = NULL;
    int rc = write_entry(x, p, true);
    if (!rc && x->pending.len) {
        fputs(x->pending.p, x->out);
        x->entries++;
        rc = ferror(x->out) ? GENU_EIO : GENU_OK;
    }
    genu_buf_clear(&x->pending);
    return rc;
}

static int fx_record(genu_rtype t, const char *text, int32_t day, void *ctx)
{
    (void)day;
    fx *x = ctx;
    json_t *doc = genu_json_parse_object(text, strlen(text), x->err);
    if (!doc)
        return x->err->code;
    int rc = GENU_OK;
    x->count++;
    if (t == GENU_REC_IDENTITY && x->patient) {
        fx_identity(x->patient, doc);
        json_decref(doc);
        return GENU_OK;
    }
    if (t == GENU_REC_DEATH && x->patient) {
        fx_death(x->patient, doc);
        json_decref(doc);
        return GENU_OK;
    }
    if (t == GENU_REC_PATIENT)
        rc = flush_patient(x);
    if (!rc) {
        switch (t) {
        case GENU_REC_PATIENT:
            x->patient = fx_patient(doc);
            break;
        case GENU_REC_DIAGNOSIS:
            rc = emit(x, fx_diagnosis(doc));
            break;
        case GENU_REC_TREATMENT:
            rc = emit(x, fx_treatment(doc));
            break;
        case GENU_REC_RESPONSE:
            rc = fx_response(x, doc);
            break;
        case GENU_REC_ADVERSE_EVENT:
            rc = emit(x, fx_adverse_event(doc));
            break;
        case GENU_REC_EXAM:
            rc = emit(x, fx_exam(doc));
            break;
        default:
            break;
        }
    }
    json_decref(doc);
    return rc;
}

int fhir_export(genu_store *s, const deid_opts *o, FILE *out, size_t *count, genu_err *err)
{
    fx x = {out, 0, 0, NULL, GENU_BUF_INIT, err};
    if (sodium_init() < 0)
        return GENU_FAIL(err, GENU_ENOMEM, "cannot initialise libsodium");
    /* the envelope by hand: the entries stream to out between its halves */
    fputs("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[", out);
    int rc = deid_each(s, o, fx_record, &x, err);
    if (!rc)
        rc = flush_patient(&x);
    json_decref(x.patient);
    genu_buf_free(&x.pending);
    fputs("\n]}\n", out);
    if (!rc && fflush(out) != 0)
        rc = GENU_FAIL(err, GENU_EIO, "write error: %s", strerror(errno));
    *count = x.count;
    return rc;
}
