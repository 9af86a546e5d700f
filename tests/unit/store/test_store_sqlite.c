#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/genu-test-store-%d.db", (int)getpid());
    unlink(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[80];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    return 0;
}

static genu_store *open_new(void)
{
    genu_store *s = NULL;
    genu_err err = {0};
    assert_int_equal(store_open(path, true, &s, &err), GENU_OK);
    return s;
}

static genu_record patient(const char *id, const char *doc)
{
    genu_record r = {.type = GENU_REC_PATIENT, .id = id, .patient = id, .doc = doc};
    r.date = GENU_DATE_NONE;
    r.u.patient = (genu_patient){"site-a", vocab_sex("female"), 1950, NAN, 70};
    return r;
}

static genu_record nprs(const char *id, const char *pid, genu_knee knee, genu_date date,
                        const genu_score *score)
{
    genu_record r = {.type = GENU_REC_RESPONSE, .id = id, .patient = pid, .knee = knee,
                     .date = date, .doc = id};
    r.u.response = (genu_response){"nprs", 1, 1, score, 0, NULL};
    return r;
}

static void put(genu_store *s, const genu_record *r, store_put_result want)
{
    genu_err err = {0};
    store_put_result got;
    assert_int_equal(store_put(s, r, &got, &err), GENU_OK);
    assert_int_equal(got, want);
}

static void opening_a_missing_registry_without_create_fails(void **state)
{
    (void)state;
    genu_store *s = NULL;
    genu_err err = {0};
    assert_int_equal(store_open(path, false, &s, &err), GENU_ENOTFOUND);
    assert_null(s);
    assert_int_equal(access(path, F_OK), -1);
}

static void puts_add_update_and_leave_identical_records(void **state)
{
    (void)state;
    genu_store *s = open_new();
    genu_err err = {0};
    assert_int_equal(store_schema_version(s), 2);
    assert_int_equal(store_begin(s, &err), GENU_OK);
    genu_record p = patient("P1", "{\"v\":1}");
    put(s, &p, STORE_ADDED);
    put(s, &p, STORE_UNCHANGED);
    p.doc = "{\"v\":2}";
    put(s, &p, STORE_UPDATED);
    assert_int_equal(store_commit(s, &err), GENU_OK);
    bool has = false;
    assert_int_equal(store_has(s, GENU_REC_PATIENT, "P1", &has, &err), GENU_OK);
    assert_true(has);
    assert_int_equal(store_has(s, GENU_REC_PATIENT, "P2", &has, &err), GENU_OK);
    assert_false(has);
    store_close(s);
}

static void rollback_leaves_nothing(void **state)
{
    (void)state;
    genu_store *s = open_new();
    genu_err err = {0};
    store_begin(s, &err);
    genu_record p = patient("P1", "{}");
    put(s, &p, STORE_ADDED);
    store_rollback(s);
    size_t n = 99;
    assert_int_equal(store_count(s, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 0);
    store_close(s);
}

static void a_record_of_an_unknown_patient_is_refused(void **state)
{
    (void)state;
    genu_store *s = open_new();
    genu_err err = {0};
    genu_score sc = {"intensity", 5};
    genu_record r = nprs("r1", "NOPE", GENU_KNEE_LEFT, 100, &sc);
    store_put_result res;
    store_begin(s, &err);
    assert_int_equal(store_put(s, &r, &res, &err), GENU_ECONFLICT);
    assert_non_null(strstr(err.msg, "FOREIGN KEY"));
    store_rollback(s);
    store_close(s);
}

typedef struct seen {
    char ids[16][8];
    int n;
} seen;

static int collect(const genu_record *r, void *ctx)
{
    seen *v = ctx;
    snprintf(v->ids[v->n++], sizeof v->ids[0], "%s", r->id);
    return 0;
}

static void export_order_is_patient_then_type_then_date(void **state)
{
    (void)state;
    genu_store *s = open_new();
    genu_err err = {0};
    genu_score a = {"intensity", 5}, b = {"intensity", NAN};
    store_begin(s, &err);
    genu_record p2 = patient("P2", "p2"), p1 = patient("P1", "p1");
    put(s, &p2, STORE_ADDED);
    put(s, &p1, STORE_ADDED);
    genu_record r3 = nprs("r3", "P1", GENU_KNEE_LEFT, 200, &a);
    genu_record r1 = nprs("r1", "P2", GENU_KNEE_RIGHT, 50, &a);
    genu_record r2 = nprs("r2", "P1", GENU_KNEE_LEFT, 100, &b);
    put(s, &r3, STORE_ADDED);
    put(s, &r1, STORE_ADDED);
    put(s, &r2, STORE_ADDED);
    store_commit(s, &err);

    seen v = {0};
    assert_int_equal(store_each(s, false, collect, &v, &err), GENU_OK);
    assert_int_equal(v.n, 5);
    const char *want[] = {"P1", "r2", "r3", "P2", "r1"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(v.ids[i], want[i]);

    genu_arena *ar = genu_arena_create();
    genu_dataset ds;
    assert_int_equal(store_load(s, ar, &ds, &err), GENU_OK);
    assert_int_equal(ds.n[GENU_REC_PATIENT], 2);
    assert_string_equal(ds.recs[GENU_REC_PATIENT][0].id, "P1");
    assert_int_equal(ds.n[GENU_REC_RESPONSE], 3);
    const genu_record *resp = ds.recs[GENU_REC_RESPONSE];
    assert_string_equal(resp[0].id, "r2");
    assert_int_equal(resp[0].pat, 0);
    assert_int_equal(resp[0].date, 100);
    assert_int_equal(resp[0].knee, GENU_KNEE_LEFT);
    assert_false(record_has_score(&resp[0], "intensity"));
    assert_true(record_score(&resp[1], "intensity") == 5);
    assert_int_equal(resp[2].pat, 1);
    assert_null(resp[0].doc);
    genu_arena_destroy(ar);
    store_close(s);
}

static void lists_page_and_filter(void **state)
{
    (void)state;
    genu_store *s = open_new();
    genu_err err = {0};
    genu_score a = {"intensity", 5};
    store_begin(s, &err);
    const char *ids[] = {"A1", "A2", "B1", "A3"};
    for (int i = 0; i < 4; i++) {
        genu_record p = patient(ids[i], ids[i]);
        p.u.patient.site = i == 2 ? "site-b" : "site-a";
        put(s, &p, STORE_ADDED);
    }
    genu_record r1 = nprs("r1", "A2", GENU_KNEE_LEFT, 20, &a), r2 = nprs("r2", "A2", 0, 10, &a);
    put(s, &r1, STORE_ADDED);
    put(s, &r2, STORE_ADDED);
    store_commit(s, &err);
    genu_arena *ar = genu_arena_create();
    genu_record *v;
    size_t n, total;
    store_query q = {.search = "A", .offset = 1, .limit = 1};
    assert_int_equal(store_list(s, GENU_REC_PATIENT, &q, ar, &v, &n, &total, &err), GENU_OK);
    assert_int_equal(total, 3);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].id, "A2");
    store_query q2 = {.sites = "site-b,site-c", .limit = 10};
    assert_int_equal(store_list(s, GENU_REC_PATIENT, &q2, ar, &v, &n, &total, &err), GENU_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].id, "B1");
    store_query q3 = {.patient = "A2", .limit = 10};
    assert_int_equal(store_list(s, GENU_REC_RESPONSE, &q3, ar, &v, &n, &total, &err), GENU_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].id, "r2");
    assert_string_equal(v[0].doc, "r2");
    genu_arena_destroy(ar);
    store_close(s);
}

static void settings_round_trip(void **state)
{
    (void)state;
    genu_store *s = open_new();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    const char *v = "x";
    assert_int_equal(store_get_setting(s, "k", a, &v, &err), GENU_OK);
    assert_null(v);
    assert_int_equal(store_set_setting(s, "k", "one", &err), GENU_OK);
    assert_int_equal(store_set_setting(s, "k", "two", &err), GENU_OK);
    assert_int_equal(store_get_setting(s, "k", a, &v, &err), GENU_OK);
    assert_string_equal(v, "two");
    genu_arena_destroy(a);
    store_close(s);
}

static void a_newer_schema_is_refused(void **state)
{
    (void)state;
    genu_store *s = open_new();
    store_close(s);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "sqlite3 %s 'PRAGMA user_version=99' 2>/dev/null", path);
    if (system(cmd) != 0)
        skip(); /* the sqlite3 shell is installed by make test; without it nothing to check */
    genu_err err = {0};
    assert_int_equal(store_open(path, false, &s, &err), GENU_ENOTSUP);
    assert_non_null(strstr(err.msg, "newer"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(opening_a_missing_registry_without_create_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(puts_add_update_and_leave_identical_records, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(rollback_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(a_record_of_an_unknown_patient_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(export_order_is_patient_then_type_then_date, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(settings_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(lists_page_and_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(a_newer_schema_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
