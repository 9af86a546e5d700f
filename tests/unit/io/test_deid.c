/* test_deid: keyed pseudonyms, the allowlist, index-relative dates and the
 * registry key that stays the same across exports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/deid.h"
#include "model/vocab.h"

static const unsigned char key1[DEID_KEY_BYTES] = {1, 2, 3};
static const unsigned char key2[DEID_KEY_BYTES] = {9, 9, 9};

static genu_date d(const char *s)
{
    genu_date x;
    genu_err e = {0};
    assert_int_equal(genu_date_parse(s, strlen(s), &x, &e), GENU_OK);
    return x;
}

static void pseudonyms_are_keyed_and_stable(void **state)
{
    (void)state;
    char a[DEID_ID_LEN], b[DEID_ID_LEN], c[DEID_ID_LEN], t[DEID_ID_LEN];
    deid_hash_id(key1, GENU_REC_PATIENT, "P1", a);
    deid_hash_id(key1, GENU_REC_PATIENT, "P1", b);
    deid_hash_id(key2, GENU_REC_PATIENT, "P1", c);
    deid_hash_id(key1, GENU_REC_TREATMENT, "P1", t);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a + 2, t + 2); /* types are separate namespaces */
    assert_int_equal(strlen(a), DEID_ID_LEN - 1);
    assert_memory_equal(a, "p-", 2);
    assert_memory_equal(t, "t-", 2);
}

static const char *deid(const char *doc, deid_dates mode, genu_date index, genu_buf *b)
{
    genu_err e = {0};
    genu_buf_clear(b);
    assert_int_equal(deid_doc(key1, mode, index, doc, b, &e), GENU_OK);
    return b->len ? b->p : "";
}

static void identity_yields_nothing(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    assert_string_equal(deid("{\"type\":\"identity\",\"patient\":\"P1\",\"name\":\"Ann\"}",
                             DEID_DATES_INDEX, 0, &b),
                        "");
    genu_buf_free(&b);
}

static void notes_extra_and_clinician_are_dropped(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    const char *out =
        deid("{\"type\":\"treatment\",\"id\":\"T1\",\"patient\":\"P1\",\"knee\":\"left\","
             "\"date\":\"2020-01-11\",\"kind\":\"prp\",\"product\":{\"volume_ml\":4,"
             "\"donor\":\"Ann Smith\"},\"clinician\":\"Dr Who\",\"note\":\"Ann's husband\","
             "\"extra\":{\"mrn\":\"M-1\"}}",
             DEID_DATES_INDEX, d("2020-01-01"), &b);
    assert_null(strstr(out, "Ann"));
    assert_null(strstr(out, "Dr Who"));
    assert_null(strstr(out, "M-1"));
    assert_null(strstr(out, "T1"));
    assert_null(strstr(out, "\"P1\""));
    assert_null(strstr(out, "2020"));
    assert_non_null(strstr(out, "\"day\":10"));
    assert_non_null(strstr(out, "\"product\":{\"volume_ml\":4}"));
    out = deid("{\"type\":\"diagnosis\",\"id\":\"D1\",\"patient\":\"P1\",\"knee\":\"left\","
               "\"date\":\"2019-12-01\",\"condition\":\"gout\"}",
               DEID_DATES_YEAR, d("2020-01-01"), &b);
    assert_non_null(strstr(out, "\"year\":2019"));
    assert_null(strstr(out, "\"day\""));
    genu_buf_free(&b);
}

static void patient_gets_age_at_index_capped(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    const char *out = deid("{\"type\":\"patient\",\"id\":\"P1\",\"site\":\"s\",\"sex\":\"male\","
                           "\"birth_year\":1920}",
                           DEID_DATES_INDEX, d("2015-06-01"), &b);
    assert_non_null(strstr(out, "\"age_at_index\":90"));
    assert_null(strstr(out, "1920"));
    out = deid("{\"type\":\"patient\",\"id\":\"P1\",\"site\":\"s\",\"sex\":\"male\","
               "\"birth_year\":1960}",
               DEID_DATES_INDEX, d("2015-06-01"), &b);
    assert_non_null(strstr(out, "\"birth_year\":1960"));
    assert_non_null(strstr(out, "\"age_at_index\":55"));
    genu_buf_free(&b);
}

static void index_prefers_regenerative_treatment(void **state)
{
    (void)state;
    genu_record r[4];
    memset(r, 0, sizeof r);
    r[0].type = GENU_REC_PATIENT;
    r[0].date = GENU_DATE_NONE;
    r[1].type = GENU_REC_TREATMENT;
    r[1].knee = GENU_KNEE_LEFT;
    r[1].date = d("2010-01-01");
    r[1].u.treatment.kind = vocab_kind_find("exercise");
    r[2].type = GENU_REC_TREATMENT;
    r[2].knee = GENU_KNEE_LEFT;
    r[2].date = d("2012-01-01");
    r[2].u.treatment.kind = vocab_kind_find("prp");
    r[3].type = GENU_REC_DIAGNOSIS;
    r[3].knee = GENU_KNEE_RIGHT;
    r[3].date = d("2011-05-05");
    deid_index ix;
    deid_index_of(r, 4, &ix);
    assert_int_equal(ix.knee[GENU_KNEE_LEFT], d("2012-01-01"));
    assert_int_equal(ix.knee[GENU_KNEE_RIGHT], d("2011-05-05"));
    assert_int_equal(ix.knee[GENU_KNEE_NONE], d("2011-05-05"));
    assert_int_equal(deid_index_for(&ix, GENU_KNEE_NONE), d("2011-05-05"));
}

static void registry_key_is_created_once(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/genu-test-deid-%d.db", (int)getpid());
    unlink(path);
    genu_store *s;
    genu_err err = {0};
    assert_int_equal(store_open(path, true, &s, &err), GENU_OK);
    unsigned char k1[DEID_KEY_BYTES], k2[DEID_KEY_BYTES];
    assert_int_equal(deid_key(s, k1, &err), GENU_OK);
    assert_int_equal(deid_key(s, k2, &err), GENU_OK);
    assert_memory_equal(k1, k2, DEID_KEY_BYTES);
    assert_int_equal(store_set_setting(s, "deid_key", "zz", &err), GENU_OK);
    assert_int_equal(deid_key(s, k2, &err), GENU_EIO);
    store_close(s);
    unlink(path);
}

/* A researcher's case history: the pseudonym, day 0 the first regenerative
 * treatment (the hyaluronic acid before it is not), each knee's own index,
 * no cause of death, a first-visit age of 93 given as 90 "or over" and the
 * birth year of a patient over 90 withheld. */
static void a_case_history_speaks_in_days(void **state)
{
    (void)state;
    genu_record pat = {.type = GENU_REC_PATIENT, .id = "P1", .patient = "P1",
                       .date = GENU_DATE_NONE};
    genu_record tr[3] = {
        {.type = GENU_REC_TREATMENT, .id = "T0", .patient = "P1", .knee = GENU_KNEE_LEFT,
         .date = d("2019-12-01")},
        {.type = GENU_REC_TREATMENT, .id = "T1", .patient = "P1", .knee = GENU_KNEE_LEFT,
         .date = d("2020-01-10")},
        {.type = GENU_REC_TREATMENT, .id = "T2", .patient = "P1", .knee = GENU_KNEE_RIGHT,
         .date = d("2020-03-01")},
    };
    tr[0].u.treatment.kind = vocab_kind_find("hyaluronic_acid_injection");
    tr[1].u.treatment.kind = vocab_kind_find("prp");
    tr[2].u.treatment.kind = vocab_kind_find("prp");
    genu_dataset ds = {0};
    ds.n[GENU_REC_PATIENT] = 1;
    ds.recs[GENU_REC_PATIENT] = &pat;
    ds.n[GENU_REC_TREATMENT] = 3;
    ds.recs[GENU_REC_TREATMENT] = tr;
    case_history h = {.id = "P1", .birth_year = 1926, .age = 93, .died = d("2020-06-01"),
                      .death_cause = "stroke", .first_visit = d("2019-12-01")};
    genu_arena *a = genu_arena_create();
    genu_err e = {0};
    char want[DEID_ID_LEN];
    deid_hash_id(key1, GENU_REC_PATIENT, "P1", want);
    assert_int_equal(deid_case(key1, &ds, d("2024-06-30"), a, &h, &e), GENU_OK);
    assert_string_equal(h.id, want);
    assert_true(h.in_days);
    assert_int_equal(h.index, d("2020-01-10"));
    assert_int_equal(h.knee_index[0], d("2020-01-10"));
    assert_int_equal(h.knee_index[1], d("2020-03-01"));
    assert_null(h.death_cause);
    assert_int_equal(h.age, 90);
    assert_true(h.age_capped);
    assert_int_equal(h.birth_year, 0);
    genu_buf b = GENU_BUF_INIT;
    assert_int_equal(case_text(&h, &b), 0);
    assert_non_null(strstr(b.p, "(in days from the index date)"));
    assert_non_null(strstr(b.p, "A patient aged 90 or over, "));
    assert_non_null(strstr(b.p, "first seen on day -40"));
    assert_non_null(strstr(b.p, "Died on day 143.\n"));
    assert_null(strstr(b.p, "stroke"));
    assert_null(strstr(b.p, "2019-"));
    assert_null(strstr(b.p, "2020-"));
    genu_buf_free(&b);
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pseudonyms_are_keyed_and_stable),
        cmocka_unit_test(identity_yields_nothing),
        cmocka_unit_test(notes_extra_and_clinician_are_dropped),
        cmocka_unit_test(patient_gets_age_at_index_capped),
        cmocka_unit_test(index_prefers_regenerative_treatment),
        cmocka_unit_test(registry_key_is_created_once),
        cmocka_unit_test(a_case_history_speaks_in_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
