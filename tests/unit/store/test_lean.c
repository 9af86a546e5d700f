/* store/lean and store/contacts: what a lean load keeps of a patient's
 * treatments for an index (hand-worked rows), and how the contact days of
 * several record types are merged, whether their rows come sorted or not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/date.h"
#include "store/backend.h"
#include "store/contacts.h"

static genu_date day(const char *s)
{
    genu_date d;
    genu_err err = {0};
    assert_int_equal(genu_date_parse(s, strlen(s), &d, &err), GENU_OK);
    return d;
}

static genu_record tr(const char *date, genu_knee knee, const char *kind, int64_t seq)
{
    genu_record r = {.type = GENU_REC_TREATMENT, .knee = knee, .date = day(date), .seq = seq};
    r.u.treatment.kind = vocab_kind_find(kind);
    assert_true(r.u.treatment.kind >= 0);
    return r;
}

/* One patient: the left knee enters on PRP (with hyaluronic acid that day);
 * before it physical therapy, after it PRP again, physical therapy, an
 * arthroscopy and a replacement; the right knee only ever has drugs. */
static size_t patient(genu_record *r)
{
    size_t n = 0;
    r[n++] = tr("2019-12-01", GENU_KNEE_LEFT, "physical_therapy", 1);
    r[n++] = tr("2019-12-01", GENU_KNEE_RIGHT, "otc_nsaid", 2);
    r[n++] = tr("2020-02-01", GENU_KNEE_LEFT, "prp", 3);
    r[n++] = tr("2020-02-01", GENU_KNEE_LEFT, "hyaluronic_acid_injection", 4);
    r[n++] = tr("2020-05-01", GENU_KNEE_LEFT, "prp", 5);
    r[n++] = tr("2020-06-01", GENU_KNEE_LEFT, "physical_therapy", 6);
    r[n++] = tr("2021-01-01", GENU_KNEE_LEFT, "arthroscopy", 7);
    r[n++] = tr("2022-02-01", GENU_KNEE_LEFT, "total_knee_replacement", 8);
    return n;
}

static uint32_t kinds(const char *a, const char *b)
{
    uint32_t k = 1u << vocab_kind_find(a);
    return b ? k | 1u << vocab_kind_find(b) : k;
}

static void kept(const genu_record *r, size_t n, const int64_t *want, size_t nwant)
{
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(r[i].seq, want[i]);
}

static void index_day_surgery_and_replacement(void **state)
{
    (void)state;
    genu_record r[8];
    store_scope scope = {.index_kinds = kinds("prp", "bone_marrow_concentrate")};
    size_t n = store_keep_index_treatments(&scope, r, patient(r));
    kept(r, n, (int64_t[]){3, 4, 7, 8}, 4);
}

static void costs_keep_every_index_kind(void **state)
{
    (void)state;
    genu_record r[8];
    store_scope scope = {.index_kinds = kinds("prp", NULL), .index_costs = true};
    size_t n = store_keep_index_treatments(&scope, r, patient(r));
    kept(r, n, (int64_t[]){3, 4, 5, 7, 8}, 5);
}

static void other_index_kinds_move_the_index(void **state)
{
    (void)state;
    genu_record r[8];
    /* entered on physical therapy: its first day is the index day */
    store_scope scope = {.index_kinds = kinds("physical_therapy", NULL)};
    size_t n = store_keep_index_treatments(&scope, r, patient(r));
    kept(r, n, (int64_t[]){1, 7, 8}, 3);
    /* a kind nobody had: no knee entered, nothing is kept */
    scope.index_kinds = kinds("adipose_msc", NULL);
    assert_int_equal(store_keep_index_treatments(&scope, r, patient(r)), 0);
}

/* Rows read one at a time, three patients, compacted as they come. */
static void the_keeper_compacts_patient_by_patient(void **state)
{
    (void)state;
    genu_record all[24], rows[24];
    size_t n = 0;
    for (uint32_t p = 0; p < 3; p++) {
        size_t m = patient(all + n);
        for (size_t i = 0; i < m; i++) {
            all[n + i].pat = p;
            all[n + i].seq += 10 * p;
        }
        n += m;
    }
    genu_record pats[3] = {{.id = "A"}, {.id = "B"}, {.id = "C"}};
    genu_dataset ds = {0};
    ds.recs[GENU_REC_PATIENT] = pats;
    ds.n[GENU_REC_PATIENT] = 3;
    store_contacts days;
    store_contacts_init(&days, &ds);
    store_scope scope = {.index_kinds = kinds("prp", NULL), .contacts = true};
    store_keeper kp;
    genu_err err = {0};
    store_keeper_init(&kp, &scope, GENU_REC_TREATMENT, &days);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        rows[k] = all[i];
        assert_int_equal(store_keeper_row(&kp, rows, &k, &err), GENU_OK);
    }
    assert_int_equal(store_keeper_end(&kp, rows, &k, &err), GENU_OK);
    kept(rows, k, (int64_t[]){3, 4, 7, 8, 13, 14, 17, 18, 23, 24, 27, 28}, 12);
    /* the days of every row read, kept or not: per patient 2019-12-01 (both
     * knees), 2020-02-01, 2020-05-01, 2020-06-01, 2021-01-01, 2022-02-01 */
    genu_arena *a = genu_arena_create();
    assert_int_equal(store_contacts_finish(&days, a, &ds, &err), GENU_OK);
    assert_int_equal(ds.ncontacts, 3 * 7);
    assert_int_equal(ds.contacts[0].knee, GENU_KNEE_LEFT);
    assert_int_equal(ds.contacts[1].knee, GENU_KNEE_RIGHT);
    assert_int_equal(ds.contacts[20].pat, 2);
    assert_int_equal(ds.contacts[20].date, day("2022-02-01"));
    genu_arena_destroy(a);
    /* another type, or no index kinds: every row, no days */
    store_keeper_init(&kp, &scope, GENU_REC_DIAGNOSIS, &days);
    k = 0;
    assert_int_equal(store_keeper_row(&kp, rows, &k, &err), GENU_OK);
    assert_int_equal(k, 1);
    k = 5;
    assert_int_equal(store_keeper_end(&kp, rows, &k, &err), GENU_OK);
    assert_int_equal(k, 5);
}

static void contact_days_merge_across_types(void **state)
{
    (void)state;
    genu_record pats[3] = {{.id = "A"}, {.id = "B"}, {.id = "C"}};
    genu_dataset ds = {0};
    ds.recs[GENU_REC_PATIENT] = pats;
    ds.n[GENU_REC_PATIENT] = 3;
    uint32_t at = 0; /* the hint: the one after it is looked at first */
    assert_true(store_patient_at(&ds, "B", &at));
    assert_int_equal(at, 1);
    assert_true(store_patient_at(&ds, "A", &at)); /* behind the hint */
    assert_int_equal(at, 0);
    at = 2;
    assert_true(store_patient_at(&ds, "C", &at)); /* the last: by search */
    assert_int_equal(at, 2);
    assert_false(store_patient_at(&ds, "D", &at));
    assert_false(store_patient_at(&ds, NULL, &at));

    store_contacts b;
    genu_err err = {0};
    store_contacts_init(&b, &ds);
    /* responses, sorted, with a repeated day */
    assert_int_equal(store_contacts_add(&b, GENU_REC_RESPONSE, "A", "2020-01-01", "left", &err), 0);
    assert_int_equal(store_contacts_add(&b, GENU_REC_RESPONSE, "A", "2020-01-01", "left", &err), 0);
    assert_int_equal(store_contacts_add(&b, GENU_REC_RESPONSE, "C", "2020-03-01", NULL, &err), 0);
    assert_int_equal(store_contacts_end_type(&b, &err), 0);
    /* exams out of order (a backend that does not sort) */
    assert_int_equal(store_contacts_add(&b, GENU_REC_EXAM, "C", "2020-02-01", "right", &err), 0);
    assert_int_equal(store_contacts_add(&b, GENU_REC_EXAM, "A", "2020-01-01", "left", &err), 0);
    assert_int_equal(store_contacts_add(&b, GENU_REC_EXAM, "A", "2020-01-01", NULL, &err), 0);
    assert_int_equal(store_contacts_end_type(&b, &err), 0);
    /* a missing patient names itself */
    assert_int_equal(store_contacts_add(&b, GENU_REC_EXAM, "Z", "2020-01-01", NULL, &err),
                     GENU_EIO);
    assert_non_null(strstr(err.msg, "missing patient Z"));
    genu_arena *a = genu_arena_create();
    assert_int_equal(store_contacts_finish(&b, a, &ds, &err), 0);
    struct { uint32_t pat; const char *date; int knee; unsigned types; } want[] = {
        {0, "2020-01-01", GENU_KNEE_NONE, 1u << GENU_REC_EXAM},
        {0, "2020-01-01", GENU_KNEE_LEFT, 1u << GENU_REC_RESPONSE | 1u << GENU_REC_EXAM},
        {2, "2020-02-01", GENU_KNEE_RIGHT, 1u << GENU_REC_EXAM},
        {2, "2020-03-01", GENU_KNEE_NONE, 1u << GENU_REC_RESPONSE},
    };
    assert_int_equal(ds.ncontacts, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(ds.contacts[i].pat, want[i].pat);
        assert_int_equal(ds.contacts[i].date, day(want[i].date));
        assert_int_equal(ds.contacts[i].knee, want[i].knee);
        assert_int_equal(ds.contacts[i].types, want[i].types);
    }
    genu_arena_destroy(a);
}

/* Days read on another connection (store_contacts_rows there) merged
 * into the load's own: equal days become one with both types. */
static void days_read_apart_are_absorbed(void **state)
{
    (void)state;
    genu_record pats[2] = {{.id = "A"}, {.id = "B"}};
    genu_dataset ds = {0};
    ds.recs[GENU_REC_PATIENT] = pats;
    ds.n[GENU_REC_PATIENT] = 2;
    store_contacts mine, apart;
    genu_err err = {0};
    store_contacts_init(&mine, &ds);
    store_contacts_init(&apart, &ds);
    assert_int_equal(store_contacts_add(&mine, GENU_REC_TREATMENT, "A", "2020-01-01", "left", &err), 0);
    assert_int_equal(store_contacts_add(&mine, GENU_REC_TREATMENT, "B", "2020-01-05", "left", &err), 0);
    assert_int_equal(store_contacts_add(&apart, GENU_REC_RESPONSE, "A", "2020-01-01", "left", &err), 0);
    assert_int_equal(store_contacts_add(&apart, GENU_REC_RESPONSE, "A", "2020-02-01", NULL, &err), 0);
    assert_int_equal(store_contacts_end_type(&apart, &err), 0);
    assert_int_equal(store_contacts_add(&apart, GENU_REC_EXAM, "B", "2020-01-04", "right", &err), 0);
    assert_int_equal(store_contacts_absorb(&mine, &apart, &err), 0);
    assert_null(apart.v);
    genu_arena *a = genu_arena_create();
    store_scope scope = {.every = 1u << GENU_REC_PATIENT, .contacts = true};
    assert_int_equal(store_contacts_load(&scope, NULL, NULL, &mine, a, &ds, &err), 0);
    assert_int_equal(ds.ncontacts, 4);
    assert_int_equal(ds.contacts[0].types, 1u << GENU_REC_TREATMENT | 1u << GENU_REC_RESPONSE);
    assert_int_equal(ds.contacts[1].date, day("2020-02-01"));
    assert_int_equal(ds.contacts[2].types, 1u << GENU_REC_EXAM);
    assert_int_equal(ds.contacts[3].date, day("2020-01-05"));
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_day_surgery_and_replacement),
        cmocka_unit_test(costs_keep_every_index_kind),
        cmocka_unit_test(other_index_kinds_move_the_index),
        cmocka_unit_test(the_keeper_compacts_patient_by_patient),
        cmocka_unit_test(contact_days_merge_across_types),
        cmocka_unit_test(days_read_apart_are_absorbed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
