/* test_record_json: one JSON Lines record ↔ genu_record (io/record_json.h,
 * docs/format.md). For each record type a valid line (fields given out of
 * order) parses into the right struct fields and the canonical doc: type,
 * id, the type's fields in the order of format.md's table, extra last.
 * Unknown fields go to extra; a missing required field is named; a
 * derived id is stable (the same line, or the same record written in
 * another field order, gives the same id); ids with '/', U+200B or U+202E
 * and sites with ',' are refused naming the field; a message's followups
 * are checked; an identity's contact is email, sms or none. Every expected
 * doc below is written by hand from docs/format.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "io/record_json.h"
#include "model/vocab.h"

#include "../arena_fixture.h"

static genu_record parse_ok(genu_arena *a, const char *line)
{
    genu_record r;
    genu_err err = {0};
    if (record_json_parse(line, strlen(line), a, &r, &err))
        fail_msg("%s: %s", line, err.msg);
    return r;
}

/* The line is refused with GENU_EINVAL and a message naming `field`. */
static void refused(const char *line, const char *field)
{
    genu_arena *a = genu_arena_create();
    genu_record r;
    genu_err err = {0};
    int rc = record_json_parse(line, strlen(line), a, &r, &err);
    genu_arena_destroy(a);
    char want[128];
    snprintf(want, sizeof want, "field \"%s\"", field);
    if (rc != GENU_EINVAL || !strstr(err.msg, want))
        fail_msg("%s\n  rc %d, message \"%s\", wanted one naming %s", line, rc, err.msg, want);
}

static genu_date ymd(int y, int m, int d)
{
    return genu_date_from_ymd(y, m, d);
}

/* ---- each type: struct fields and canonical doc ----------------------- */

static void patient_line(void **state)
{
    genu_arena *a = *state;
    genu_record r =
        parse_ok(a, "{\"sex\":\"female\",\"birth_year\":1950,\"type\":\"patient\","
                    "\"weight_kg\":71,\"site\":\"oak\",\"id\":\"P1\",\"height_cm\":164.5}");
    assert_int_equal(r.type, GENU_REC_PATIENT);
    assert_string_equal(r.id, "P1");
    assert_string_equal(r.patient, "P1");
    assert_int_equal(r.knee, GENU_KNEE_NONE);
    assert_true(r.date == GENU_DATE_NONE);
    assert_string_equal(r.u.patient.site, "oak");
    assert_int_equal(r.u.patient.sex, vocab_sex("female"));
    assert_int_equal(r.u.patient.birth_year, 1950);
    assert_true(r.u.patient.height_cm == 164.5);
    assert_true(r.u.patient.weight_kg == 71.0);
    assert_string_equal(r.doc,
                        "{\"type\":\"patient\",\"id\":\"P1\",\"site\":\"oak\",\"sex\":\"female\","
                        "\"birth_year\":1950,\"height_cm\":164.5,\"weight_kg\":71}");
    /* optional measures left out are NAN */
    genu_record q = parse_ok(a, "{\"type\":\"patient\",\"id\":\"P2\",\"site\":\"elm\",\"sex\":"
                                "\"unknown\",\"birth_year\":1880}");
    assert_true(isnan(q.u.patient.height_cm));
    assert_true(isnan(q.u.patient.weight_kg));
    assert_string_equal(q.doc, "{\"type\":\"patient\",\"id\":\"P2\",\"site\":\"elm\",\"sex\":"
                               "\"unknown\",\"birth_year\":1880}");
}

static void identity_line(void **state)
{
    genu_arena *a = *state;
    genu_record r = parse_ok(
        a,
        "{\"type\":\"identity\",\"contact\":\"sms\",\"language\":\"en\",\"phone\":\"+15551234567\","
        "\"email\":\"ann@example.org\",\"date_of_birth\":\"1950-03-04\",\"name\":\"Ann Lee\","
        "\"patient\":\"P1\"}");
    assert_int_equal(r.type, GENU_REC_IDENTITY);
    assert_string_equal(r.id, "P1"); /* an identity is named by its patient */
    assert_string_equal(r.patient, "P1");
    assert_string_equal(r.u.identity.name, "Ann Lee");
    assert_string_equal(r.u.identity.date_of_birth, "1950-03-04");
    assert_string_equal(r.u.identity.email, "ann@example.org");
    assert_string_equal(r.u.identity.phone, "+15551234567");
    assert_string_equal(r.u.identity.language, "en");
    assert_string_equal(r.u.identity.contact, "sms");
    /* no id of its own */
    assert_string_equal(r.doc,
                        "{\"type\":\"identity\",\"patient\":\"P1\",\"name\":\"Ann Lee\","
                        "\"date_of_birth\":\"1950-03-04\",\"email\":\"ann@example.org\","
                        "\"phone\":\"+15551234567\",\"language\":\"en\",\"contact\":\"sms\"}");
    genu_record q = parse_ok(a, "{\"type\":\"identity\",\"patient\":\"P2\"}");
    assert_null(q.u.identity.name);
    assert_null(q.u.identity.contact);
    assert_string_equal(q.doc, "{\"type\":\"identity\",\"patient\":\"P2\"}");
}

static void diagnosis_line(void **state)
{
    genu_arena *a = *state;
    genu_record r = parse_ok(a, "{\"note\":\"standing films\",\"kl_grade\":3,\"condition\":"
                                "\"osteoarthritis\",\"date\":\"2023-01-05\",\"knee\":\"left\","
                                "\"patient\":\"P1\",\"id\":\"D1\",\"type\":\"diagnosis\"}");
    assert_int_equal(r.type, GENU_REC_DIAGNOSIS);
    assert_string_equal(r.id, "D1");
    assert_string_equal(r.patient, "P1");
    assert_int_equal(r.knee, GENU_KNEE_LEFT);
    assert_int_equal(r.date, ymd(2023, 1, 5));
    assert_int_equal(r.u.diagnosis.condition, vocab_condition("osteoarthritis"));
    assert_int_equal(r.u.diagnosis.kl_grade, 3);
    assert_string_equal(r.doc, "{\"type\":\"diagnosis\",\"id\":\"D1\",\"patient\":\"P1\",\"knee\":"
                               "\"left\",\"date\":\"2023-01-05\",\"condition\":\"osteoarthritis\","
                               "\"kl_grade\":3,\"note\":\"standing films\"}");
    /* no radiograph: kl_grade -1 */
    genu_record q = parse_ok(a, "{\"type\":\"diagnosis\",\"id\":\"D2\",\"patient\":\"P1\",\"knee\":"
                                "\"right\",\"date\":\"2023-01-05\",\"condition\":\"gout\"}");
    assert_int_equal(q.knee, GENU_KNEE_RIGHT);
    assert_int_equal(q.u.diagnosis.kl_grade, -1);
}

static void treatment_line(void **state)
{
    genu_arena *a = *state;
    genu_record r = parse_ok(
        a,
        "{\"type\":\"treatment\",\"note\":\"n\",\"clinician\":\"Dr A\",\"cost\":{\"amount\":850,"
        "\"currency\":\"USD\"},\"product\":{\"volume_ml\":5,\"source\":\"autologous\"},\"sites\":"
        "[\"intra_articular\",\"mcl\"],\"protocol\":\"LR-PRP\",\"kind\":\"prp\",\"date\":"
        "\"2023-02-01\",\"knee\":\"right\",\"patient\":\"P1\",\"id\":\"T1\"}");
    assert_int_equal(r.type, GENU_REC_TREATMENT);
    assert_string_equal(r.id, "T1");
    assert_int_equal(r.knee, GENU_KNEE_RIGHT);
    assert_int_equal(r.date, ymd(2023, 2, 1));
    assert_int_equal(r.u.treatment.kind, vocab_kind_find("prp"));
    assert_string_equal(r.u.treatment.protocol, "LR-PRP");
    assert_int_equal(r.u.treatment.sites,
                     (1u << vocab_site("intra_articular")) | (1u << vocab_site("mcl")));
    assert_true(r.u.treatment.cost == 850.0);
    assert_string_equal(r.u.treatment.currency, "USD");
    assert_string_equal(r.u.treatment.clinician, "Dr A");
    assert_string_equal(
        r.doc, "{\"type\":\"treatment\",\"id\":\"T1\",\"patient\":\"P1\",\"knee\":\"right\","
               "\"date\":\"2023-02-01\",\"kind\":\"prp\",\"protocol\":\"LR-PRP\",\"sites\":"
               "[\"intra_articular\",\"mcl\"],\"product\":{\"volume_ml\":5,\"source\":"
               "\"autologous\"},\"cost\":{\"amount\":850,\"currency\":\"USD\"},\"clinician\":"
               "\"Dr A\",\"note\":\"n\"}");
    /* no cost: NAN and no currency */
    genu_record q = parse_ok(a, "{\"type\":\"treatment\",\"id\":\"T2\",\"patient\":\"P1\",\"knee\":"
                                "\"left\",\"date\":\"2023-02-01\",\"kind\":\"exercise\"}");
    assert_true(isnan(q.u.treatment.cost));
    assert_null(q.u.treatment.currency);
    assert_int_equal(q.u.treatment.sites, 0);
}

static void response_line(void **state)
{
    genu_arena *a = *state;
    genu_record r = parse_ok(a, "{\"items\":{\"intensity\":6},\"instrument\":\"nprs\",\"date\":"
                                "\"2023-03-01\",\"knee\":\"left\",\"patient\":\"P1\",\"id\":\"R1\","
                                "\"type\":\"response\"}");
    assert_int_equal(r.type, GENU_REC_RESPONSE);
    assert_string_equal(r.id, "R1");
    assert_int_equal(r.knee, GENU_KNEE_LEFT);
    assert_int_equal(r.date, ymd(2023, 3, 1));
    assert_string_equal(r.u.response.instrument, "nprs");
    assert_int_equal(r.u.response.version, 1); /* docs/instruments.md: all are version 1 */
    assert_true(record_score(&r, "intensity") == 6.0);
    assert_int_equal(r.u.response.nnotes, 0);
    /* answers, then version, scores and notes (docs/format.md, Responses) */
    assert_string_equal(r.doc, "{\"type\":\"response\",\"id\":\"R1\",\"patient\":\"P1\",\"knee\":"
                               "\"left\",\"date\":\"2023-03-01\",\"instrument\":\"nprs\",\"items\":"
                               "{\"intensity\":6},\"version\":1,\"scores\":{\"intensity\":6},"
                               "\"notes\":[]}");
    /* its own doc parses to itself */
    genu_record again = parse_ok(a, r.doc);
    assert_string_equal(again.doc, r.doc);
}

static void adverse_event_line(void **state)
{
    genu_arena *a = *state;
    genu_record r =
        parse_ok(a, "{\"type\":\"adverse_event\",\"note\":\"swollen\",\"treatment\":"
                    "\"T1\",\"serious\":false,\"severity\":2,\"kind\":"
                    "\"post_injection_flare\",\"date\":\"2023-02-03\",\"knee\":\"right\","
                    "\"patient\":\"P1\",\"id\":\"A1\"}");
    assert_int_equal(r.type, GENU_REC_ADVERSE_EVENT);
    assert_string_equal(r.u.adverse_event.kind, "post_injection_flare");
    assert_int_equal(r.u.adverse_event.severity, 2);
    assert_int_equal(r.u.adverse_event.serious, 0);
    assert_string_equal(r.u.adverse_event.treatment, "T1");
    assert_string_equal(r.doc, "{\"type\":\"adverse_event\",\"id\":\"A1\",\"patient\":\"P1\","
                               "\"knee\":\"right\",\"date\":\"2023-02-03\",\"kind\":"
                               "\"post_injection_flare\",\"severity\":2,\"serious\":false,"
                               "\"treatment\":\"T1\",\"note\":\"swollen\"}");
    /* patient-level (no knee), serious, no treatment */
    genu_record q = parse_ok(a, "{\"type\":\"adverse_event\",\"id\":\"A2\",\"patient\":\"P1\","
                                "\"date\":\"2023-02-03\",\"kind\":\"fall\",\"severity\":5,"
                                "\"serious\":true}");
    assert_int_equal(q.knee, GENU_KNEE_NONE);
    assert_int_equal(q.u.adverse_event.serious, 1);
    assert_null(q.u.adverse_event.treatment);
}

static void exam_line(void **state)
{
    genu_arena *a = *state;
    genu_record r =
        parse_ok(a, "{\"type\":\"exam\",\"note\":\"n\",\"findings\":{\"swelling\":"
                    "\"marked\",\"locking\":false,\"instability\":true},\"date\":"
                    "\"2023-01-05\",\"knee\":\"left\",\"patient\":\"P1\",\"id\":\"E1\"}");
    assert_int_equal(r.type, GENU_REC_EXAM);
    assert_int_equal(r.u.exam.swelling, vocab_swelling("marked"));
    assert_int_equal(r.u.exam.locking, 0);
    assert_int_equal(r.u.exam.instability, 1);
    /* left out: not examined */
    assert_int_equal(r.u.exam.deformity, -1);
    assert_int_equal(r.u.exam.pain_at_rest, -1);
    assert_int_equal(r.u.exam.unable_to_straighten, -1);
    assert_int_equal(r.u.exam.unable_to_bend, -1);
    assert_int_equal(r.u.exam.recent_trauma_pop, -1);
    assert_string_equal(r.doc,
                        "{\"type\":\"exam\",\"id\":\"E1\",\"patient\":\"P1\",\"knee\":"
                        "\"left\",\"date\":\"2023-01-05\",\"findings\":{\"swelling\":"
                        "\"marked\",\"locking\":false,\"instability\":true},\"note\":\"n\"}");
}

static void message_line(void **state)
{
    genu_arena *a = *state;
    genu_record r =
        parse_ok(a, "{\"type\":\"message\",\"error\":\"mailbox full\",\"last_attempt\":"
                    "\"2024-01-10T09:00:00Z\",\"attempts\":2,\"followups\":[{\"knee\":\"left\","
                    "\"timepoint\":\"12m\",\"reminder\":0},{\"timepoint\":\"6w\",\"reminder\":3}],"
                    "\"status\":\"failed\",\"channel\":\"email\",\"kind\":\"invitation\",\"date\":"
                    "\"2024-01-10\",\"patient\":\"P1\",\"id\":\"M1\"}");
    assert_int_equal(r.type, GENU_REC_MESSAGE);
    assert_int_equal(r.knee, GENU_KNEE_NONE);
    assert_int_equal(r.date, ymd(2024, 1, 10));
    assert_int_equal(r.u.message.kind, vocab_message_kind("invitation"));
    assert_int_equal(r.u.message.channel, vocab_message_channel("email"));
    assert_int_equal(r.u.message.status, vocab_message_status("failed"));
    assert_int_equal(r.u.message.attempts, 2);
    assert_string_equal(r.doc, "{\"type\":\"message\",\"id\":\"M1\",\"patient\":\"P1\",\"date\":"
                               "\"2024-01-10\",\"kind\":\"invitation\",\"channel\":\"email\","
                               "\"status\":\"failed\",\"followups\":[{\"knee\":\"left\","
                               "\"timepoint\":\"12m\",\"reminder\":0},{\"timepoint\":\"6w\","
                               "\"reminder\":3}],\"attempts\":2,\"last_attempt\":"
                               "\"2024-01-10T09:00:00Z\",\"error\":\"mailbox full\"}");
    /* an opt-out covers no follow-up */
    genu_record q = parse_ok(a, "{\"type\":\"message\",\"id\":\"M2\",\"patient\":\"P1\",\"date\":"
                                "\"2024-01-11\",\"kind\":\"opt_out\",\"channel\":\"web\","
                                "\"status\":\"recorded\"}");
    assert_int_equal(q.u.message.kind, vocab_message_kind("opt_out"));
}

/* ---- unknown fields, required fields ---------------------------------- */

/* Unknown fields join the line's own extra; extra is the doc's last key
 * and nothing is dropped. */
static void unknown_fields_go_to_extra(void **state)
{
    genu_arena *a = *state;
    genu_record r =
        parse_ok(a, "{\"type\":\"exam\",\"id\":\"E2\",\"source\":\"clinic A\",\"patient\":"
                    "\"P1\",\"knee\":\"left\",\"date\":\"2023-01-05\",\"extra\":{\"ward\":"
                    "\"B\"},\"findings\":{\"swelling\":\"none\"},\"row\":17}");
    genu_err err = {0};
    json_t *o = genu_json_parse_object(r.doc, strlen(r.doc), &err);
    assert_non_null(o);
    json_t *extra = json_object_get(o, "extra");
    assert_true(json_is_object(extra));
    assert_int_equal(json_object_size(extra), 3);
    assert_string_equal(json_string_value(json_object_get(extra, "ward")), "B");
    assert_string_equal(json_string_value(json_object_get(extra, "source")), "clinic A");
    assert_int_equal(json_integer_value(json_object_get(extra, "row")), 17);
    /* not at the top level any more */
    assert_null(json_object_get(o, "source"));
    assert_null(json_object_get(o, "row"));
    /* keys: type, id, patient, knee, date, findings, extra */
    const char *want[] = {"type", "id", "patient", "knee", "date", "findings", "extra"};
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        assert_true(i < 7);
        assert_string_equal(key, want[i]);
        i++;
    }
    assert_int_equal(i, 7);
    json_decref(o);
    /* a patient's unknown field too */
    genu_record p = parse_ok(a, "{\"type\":\"patient\",\"id\":\"P9\",\"mrn\":\"0042\",\"site\":"
                                "\"oak\",\"sex\":\"male\",\"birth_year\":1960}");
    assert_string_equal(p.doc, "{\"type\":\"patient\",\"id\":\"P9\",\"site\":\"oak\",\"sex\":"
                               "\"male\",\"birth_year\":1960,\"extra\":{\"mrn\":\"0042\"}}");
}

static void missing_required_field_is_named(void **state)
{
    (void)state;
    refused("{\"type\":\"patient\",\"id\":\"P1\",\"sex\":\"male\",\"birth_year\":1960}", "site");
    refused("{\"type\":\"patient\",\"site\":\"oak\",\"sex\":\"male\",\"birth_year\":1960}", "id");
    refused("{\"type\":\"patient\",\"id\":\"P1\",\"site\":\"oak\",\"sex\":\"male\"}", "birth_year");
    refused("{\"type\":\"identity\",\"name\":\"Ann\"}", "patient");
    refused("{\"type\":\"diagnosis\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2023-01-01\"}",
            "condition");
    refused("{\"type\":\"diagnosis\",\"patient\":\"P1\",\"date\":\"2023-01-01\",\"condition\":"
            "\"gout\"}",
            "knee");
    refused("{\"type\":\"treatment\",\"patient\":\"P1\",\"knee\":\"left\",\"kind\":\"prp\"}",
            "date");
    refused("{\"type\":\"treatment\",\"knee\":\"left\",\"date\":\"2023-01-01\",\"kind\":\"prp\"}",
            "patient");
    refused("{\"type\":\"response\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2023-01-01\","
            "\"instrument\":\"nprs\"}",
            "items");
    refused("{\"type\":\"response\",\"patient\":\"P1\",\"date\":\"2023-01-01\",\"instrument\":"
            "\"nprs\",\"items\":{\"intensity\":3}}",
            "knee"); /* nprs is a knee-level instrument */
    refused("{\"type\":\"adverse_event\",\"patient\":\"P1\",\"date\":\"2023-01-01\",\"kind\":"
            "\"fall\",\"severity\":2}",
            "serious");
    refused("{\"type\":\"exam\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2023-01-01\"}",
            "findings");
    refused(
        "{\"type\":\"message\",\"patient\":\"P1\",\"date\":\"2024-01-01\",\"kind\":"
        "\"reminder\",\"channel\":\"sms\",\"followups\":[{\"timepoint\":\"3m\",\"reminder\":1}]}",
        "status");
    /* null is the same as absent */
    refused(
        "{\"type\":\"patient\",\"id\":\"P1\",\"site\":null,\"sex\":\"male\",\"birth_year\":1960}",
        "site");
    refused("{\"id\":\"P1\"}", "type");
}

/* ---- derived ids ------------------------------------------------------ */

static bool is_derived(const char *id, char initial)
{
    if (strlen(id) != 22 || id[0] != initial || id[1] != '-')
        return false;
    for (size_t i = 2; i < 22; i++)
        if (!strchr("0123456789abcdef", id[i]))
            return false;
    return true;
}

/* "the type's initial and 80 bits of a BLAKE2b hash of the canonical
 * record": 20 hex digits; the same line twice, and the same record with
 * its fields in another order, name the same record; a different record
 * gets a different id. */
static void derived_id_is_stable(void **state)
{
    genu_arena *a = *state;
    const char *line = "{\"type\":\"treatment\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":"
                       "\"2023-04-01\",\"kind\":\"physical_therapy\"}";
    const char *reordered = "{\"kind\":\"physical_therapy\",\"date\":\"2023-04-01\",\"knee\":"
                            "\"left\",\"patient\":\"P1\",\"type\":\"treatment\"}";
    const char *other = "{\"type\":\"treatment\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":"
                        "\"2023-04-02\",\"kind\":\"physical_therapy\"}";
    genu_record r1 = parse_ok(a, line), r2 = parse_ok(a, line);
    genu_record r3 = parse_ok(a, reordered), r4 = parse_ok(a, other);
    assert_true(is_derived(r1.id, 't'));
    assert_string_equal(r1.id, r2.id);
    assert_string_equal(r1.doc, r2.doc);
    assert_string_equal(r1.id, r3.id);
    assert_string_not_equal(r1.id, r4.id);
    /* the doc carries the id right after the type */
    char head[64];
    snprintf(head, sizeof head, "{\"type\":\"treatment\",\"id\":\"%s\",", r1.id);
    assert_memory_equal(r1.doc, head, strlen(head));
    /* and parsing the doc (which names the id) keeps it */
    genu_record r5 = parse_ok(a, r1.doc);
    assert_string_equal(r5.id, r1.id);
    assert_string_equal(r5.doc, r1.doc);
    /* an explicit null id is the same as none */
    genu_record r6 = parse_ok(a, "{\"type\":\"treatment\",\"id\":null,\"patient\":\"P1\",\"knee\":"
                                 "\"left\",\"date\":\"2023-04-01\",\"kind\":\"physical_therapy\"}");
    assert_string_equal(r6.id, r1.id);
    /* other types' initials */
    genu_record d = parse_ok(a, "{\"type\":\"diagnosis\",\"patient\":\"P1\",\"knee\":\"left\","
                                "\"date\":\"2023-01-01\",\"condition\":\"gout\"}");
    assert_true(is_derived(d.id, 'd'));
    genu_record rr = parse_ok(a, "{\"type\":\"response\",\"patient\":\"P1\",\"knee\":\"left\","
                                 "\"date\":\"2023-01-01\",\"instrument\":\"nprs\",\"items\":"
                                 "{\"intensity\":2}}");
    assert_true(is_derived(rr.id, 'r'));
    genu_record ae =
        parse_ok(a, "{\"type\":\"adverse_event\",\"patient\":\"P1\",\"date\":"
                    "\"2023-01-01\",\"kind\":\"fall\",\"severity\":1,\"serious\":false}");
    assert_true(is_derived(ae.id, 'a'));
    genu_record ex = parse_ok(a, "{\"type\":\"exam\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":"
                                 "\"2023-01-01\",\"findings\":{}}");
    assert_true(is_derived(ex.id, 'e'));
}

/* ---- ids and codes that would mislead --------------------------------- */

#define ZWSP "\xe2\x80\x8b" /* U+200B ZERO WIDTH SPACE */
#define RLO  "\xe2\x80\xae" /* U+202E RIGHT-TO-LEFT OVERRIDE */

static void ids_with_slash_or_invisible_characters_are_refused(void **state)
{
    refused("{\"type\":\"patient\",\"id\":\"P/1\",\"site\":\"oak\",\"sex\":\"male\",\"birth_year\":"
            "1960}",
            "id");
    refused("{\"type\":\"patient\",\"id\":\"P" ZWSP "1\",\"site\":\"oak\",\"sex\":\"male\","
            "\"birth_year\":1960}",
            "id");
    refused("{\"type\":\"patient\",\"id\":\"P" RLO "1\",\"site\":\"oak\",\"sex\":\"male\","
            "\"birth_year\":1960}",
            "id");
    refused("{\"type\":\"diagnosis\",\"id\":\"D/1\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":"
            "\"2023-01-01\",\"condition\":\"gout\"}",
            "id");
    refused("{\"type\":\"diagnosis\",\"patient\":\"P/1\",\"knee\":\"left\",\"date\":"
            "\"2023-01-01\",\"condition\":\"gout\"}",
            "patient");
    refused("{\"type\":\"diagnosis\",\"patient\":\"" ZWSP "P1\",\"knee\":\"left\",\"date\":"
            "\"2023-01-01\",\"condition\":\"gout\"}",
            "patient");
    refused("{\"type\":\"identity\",\"patient\":\"P1" RLO "\"}", "patient");
    refused("{\"type\":\"adverse_event\",\"patient\":\"P1\",\"date\":\"2023-01-01\",\"kind\":"
            "\"fall\",\"severity\":1,\"serious\":false,\"treatment\":\"T/1\"}",
            "treatment");
    refused("{\"type\":\"adverse_event\",\"patient\":\"P1\",\"date\":\"2023-01-01\",\"kind\":"
            "\"fall\",\"severity\":1,\"serious\":false,\"treatment\":\"T" RLO "1\"}",
            "treatment");
    /* a code: the site, and an adverse event's kind */
    refused("{\"type\":\"patient\",\"id\":\"P1\",\"site\":\"oak" ZWSP "\",\"sex\":\"male\","
            "\"birth_year\":1960}",
            "site");
    refused("{\"type\":\"adverse_event\",\"patient\":\"P1\",\"date\":\"2023-01-01\",\"kind\":"
            "\"fall" RLO "\",\"severity\":1,\"serious\":false}",
            "kind");
    /* the same ids without those characters are fine */
    genu_arena *a = *state;
    genu_record r = parse_ok(a, "{\"type\":\"patient\",\"id\":\"P-1_é\",\"site\":\"oak\",\"sex\":"
                                "\"male\",\"birth_year\":1960}");
    assert_string_equal(r.id, "P-1_é");
}

static void site_with_a_comma_is_refused(void **state)
{
    refused("{\"type\":\"patient\",\"id\":\"P1\",\"site\":\"oak,elm\",\"sex\":\"male\","
            "\"birth_year\":1960}",
            "site");
    /* a comma in a patient id is allowed: only sites are comma lists */
    genu_arena *a = *state;
    genu_record r = parse_ok(a, "{\"type\":\"patient\",\"id\":\"P,1\",\"site\":\"oak elm\","
                                "\"sex\":\"male\",\"birth_year\":1960}");
    assert_string_equal(r.u.patient.site, "oak elm");
}

/* ---- a message's followups ------------------------------------------- */

#define MSG(followups)                                                                             \
    "{\"type\":\"message\",\"patient\":\"P1\",\"date\":\"2024-01-01\",\"kind\":\"invitation\","    \
    "\"channel\":\"email\",\"status\":\"pending\"" followups "}"

static void message_followups_are_required_and_bounded(void **state)
{
    (void)state;
    refused(MSG(""), "followups");
    refused(MSG(",\"followups\":[]"), "followups");
    refused(MSG(",\"followups\":{\"timepoint\":\"3m\",\"reminder\":0}"), "followups");
    /* 65 follow-ups: one more than 64 */
    char many[4096] = ",\"followups\":[";
    for (int i = 0; i < 65; i++) {
        size_t n = strlen(many);
        snprintf(many + n, sizeof many - n, "%s{\"timepoint\":\"%dm\",\"reminder\":0}",
                 i ? "," : "", i + 1);
    }
    size_t n = strlen(many);
    snprintf(many + n, sizeof many - n, "]");
    char line[8192];
    snprintf(line, sizeof line, MSG("%s"), many);
    refused(line, "followups");
    /* an opt-out with follow-ups is refused */
    refused("{\"type\":\"message\",\"patient\":\"P1\",\"date\":\"2024-01-01\",\"kind\":\"opt_out\","
            "\"channel\":\"web\",\"status\":\"recorded\",\"followups\":[{\"timepoint\":\"3m\","
            "\"reminder\":0}]}",
            "followups");
    /* a message has no knee of its own */
    refused("{\"type\":\"message\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2024-01-01\","
            "\"kind\":\"invitation\",\"channel\":\"email\",\"status\":\"pending\",\"followups\":"
            "[{\"timepoint\":\"3m\",\"reminder\":0}]}",
            "knee");
}

static void message_followup_needs_a_reminder(void **state)
{
    (void)state;
    refused(MSG(",\"followups\":[{\"knee\":\"left\",\"timepoint\":\"3m\"}]"),
            "followups[0].reminder");
    refused(MSG(",\"followups\":[{\"timepoint\":\"3m\",\"reminder\":0},{\"timepoint\":\"6m\"}]"),
            "followups[1].reminder");
}

/* A reminder that is there but wrong (a string, a real, below 0) is named
 * by its place in the followups, like a missing one. */
static void message_followup_bad_reminder_is_named_by_its_place(void **state)
{
    (void)state;
    refused(MSG(",\"followups\":[{\"timepoint\":\"3m\",\"reminder\":\"1\"}]"),
            "followups[0].reminder");
    refused(MSG(",\"followups\":[{\"timepoint\":\"3m\",\"reminder\":1.5}]"),
            "followups[0].reminder");
    refused(MSG(",\"followups\":[{\"timepoint\":\"3m\",\"reminder\":0},{\"timepoint\":\"6m\","
                "\"reminder\":-1}]"),
            "followups[1].reminder");
}

/* Timepoints are N followed by w, m or y, N ≥ 1 without sign or leading
 * zero (docs/design.md, Timepoints and windows). */
static void message_followup_timepoint_form(void **state)
{
    const char *bad[] = {"3", "m", "0m", "03m", "3d", "3M", "-3m", "3 m", "1.5m", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[512];
        snprintf(line, sizeof line, MSG(",\"followups\":[{\"timepoint\":\"%s\",\"reminder\":0}]"),
                 bad[i]);
        refused(line, "followups[0].timepoint");
    }
    refused(MSG(",\"followups\":[{\"reminder\":0}]"), "followups[0].timepoint");
    refused(MSG(",\"followups\":[{\"timepoint\":3,\"reminder\":0}]"), "followups[0].timepoint");
    refused(MSG(",\"followups\":[{\"knee\":\"middle\",\"timepoint\":\"3m\",\"reminder\":0}]"),
            "followups[0].knee");
    refused(MSG(",\"followups\":[{\"timepoint\":\"3m\",\"reminder\":0,\"when\":1}]"),
            "followups[0].when");
    const char *good[] = {"6w", "3m", "12m", "2y", "104w"};
    genu_arena *a = *state;
    for (size_t i = 0; i < 5; i++) {
        char line[512];
        snprintf(line, sizeof line, MSG(",\"followups\":[{\"timepoint\":\"%s\",\"reminder\":1}]"),
                 good[i]);
        genu_record r = parse_ok(a, line);
        assert_true(is_derived(r.id, 'm'));
    }
}

/* ---- an identity's contact -------------------------------------------- */

static void identity_contact_is_email_sms_or_none(void **state)
{
    genu_arena *a = *state;
    const char *ok[] = {"email", "sms", "none"};
    for (size_t i = 0; i < 3; i++) {
        char line[128];
        snprintf(line, sizeof line, "{\"type\":\"identity\",\"patient\":\"P1\",\"contact\":\"%s\"}",
                 ok[i]);
        genu_record r = parse_ok(a, line);
        assert_string_equal(r.u.identity.contact, ok[i]);
    }
    refused("{\"type\":\"identity\",\"patient\":\"P1\",\"contact\":\"phone\"}", "contact");
    refused("{\"type\":\"identity\",\"patient\":\"P1\",\"contact\":\"Email\"}", "contact");
    refused("{\"type\":\"identity\",\"patient\":\"P1\",\"contact\":\"\"}", "contact");
    refused("{\"type\":\"identity\",\"patient\":\"P1\",\"contact\":true}", "contact");
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        T(patient_line),
        T(identity_line),
        T(diagnosis_line),
        T(treatment_line),
        T(response_line),
        T(adverse_event_line),
        T(exam_line),
        T(message_line),
        T(unknown_fields_go_to_extra),
        T(missing_required_field_is_named),
        T(derived_id_is_stable),
        T(ids_with_slash_or_invisible_characters_are_refused),
        T(site_with_a_comma_is_refused),
        T(message_followups_are_required_and_bounded),
        T(message_followup_needs_a_reminder),
        T(message_followup_bad_reminder_is_named_by_its_place),
        T(message_followup_timepoint_form),
        T(identity_contact_is_email_sms_or_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
