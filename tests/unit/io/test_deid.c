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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pseudonyms_are_keyed_and_stable),
        cmocka_unit_test(identity_yields_nothing),
        cmocka_unit_test(notes_extra_and_clinician_are_dropped),
        cmocka_unit_test(patient_gets_age_at_index_capped),
        cmocka_unit_test(index_prefers_regenerative_treatment),
        cmocka_unit_test(registry_key_is_created_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
