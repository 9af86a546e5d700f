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

static char path[64], copy[80];

static void rm_db(const char *p)
{
    char q[96];
    unlink(p);
    snprintf(q, sizeof q, "%s-wal", p);
    unlink(q);
    snprintf(q, sizeof q, "%s-shm", p);
    unlink(q);
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/genu-test-admin-%d.db", (int)getpid());
    snprintf(copy, sizeof copy, "/tmp/genu-test-admin-%d.copy.db", (int)getpid());
    rm_db(path);
    rm_db(copy);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rm_db(path);
    rm_db(copy);
    return 0;
}

static genu_store *open_db(void)
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
    r.u.patient = (genu_patient){"site-a", vocab_sex("male"), 1960, NAN, NAN};
    return r;
}

static void fill(genu_store *s)
{
    genu_err err = {0};
    store_put_result res;
    assert_int_equal(store_set_actor(s, "user:alice", &err), GENU_OK);
    genu_record a = patient("A", "{\"a\":1}"), b = patient("B", "{\"b\":1}");
    assert_int_equal(store_put(s, &a, &res, &err), GENU_OK); /* own transaction */
    assert_int_equal(store_begin(s, &err), GENU_OK);
    assert_int_equal(store_put(s, &b, &res, &err), GENU_OK);
    a.doc = "{\"a\":2}";
    assert_int_equal(store_put(s, &a, &res, &err), GENU_OK);
    assert_int_equal(store_put(s, &a, &res, &err), GENU_OK); /* unchanged: not audited */
    assert_int_equal(store_commit(s, &err), GENU_OK);
    assert_int_equal(store_delete(s, GENU_REC_PATIENT, "B", &err), GENU_OK);
}

static void every_change_is_audited_with_before_and_after(void **state)
{
    (void)state;
    genu_store *s = open_db();
    fill(s);
    genu_arena *a = genu_arena_create();
    store_audit_row *rows;
    size_t n;
    genu_err err = {0};
    assert_int_equal(store_audit_list(s, 0, 100, a, &rows, &n, &err), GENU_OK);
    assert_int_equal(n, 4);
    assert_string_equal(rows[0].action, "create");
    assert_null(rows[0].before);
    assert_string_equal(rows[2].action, "update");
    assert_string_equal(rows[2].before, "{\"a\":1}");
    assert_string_equal(rows[2].after, "{\"a\":2}");
    assert_string_equal(rows[3].action, "delete");
    assert_string_equal(rows[3].before, "{\"b\":1}");
    assert_null(rows[3].after);
    assert_string_equal(rows[3].actor, "user:alice");
    assert_string_equal(rows[1].prev, rows[0].hash);
    int64_t broken;
    size_t checked;
    char why[200];
    assert_int_equal(store_audit_verify(s, &broken, &checked, why, sizeof why, &err), GENU_OK);
    assert_int_equal(broken, 0);
    assert_int_equal(checked, 4);
    genu_record r;
    assert_int_equal(store_get(s, GENU_REC_PATIENT, "B", a, &r, &err), GENU_ENOTFOUND);
    genu_err e2 = {0};
    assert_int_equal(store_get(s, GENU_REC_PATIENT, "A", a, &r, &e2), GENU_OK);
    assert_string_equal(r.doc, "{\"a\":2}");
    genu_arena_destroy(a);
    store_close(s);
}

/* Tampering with the file directly (as someone with disk access would) is
 * detected; the triggers stop ordinary edits. */
static void tamper(const char *sql, int64_t want_broken)
{
    genu_store *s = open_db();
    fill(s);
    store_close(s);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "sqlite3 %s \"DROP TRIGGER audit_append_only_u; DROP TRIGGER audit_append_only_d; "
             "%s\"",
             path, sql);
    assert_int_equal(system(cmd), 0);
    s = open_db();
    int64_t broken;
    size_t checked;
    char why[200];
    genu_err err = {0};
    assert_int_equal(store_audit_verify(s, &broken, &checked, why, sizeof why, &err), GENU_OK);
    assert_int_equal(broken, want_broken);
    store_close(s);
    rm_db(path);
}

static void an_edited_row_is_detected(void **state)
{
    (void)state;
    tamper("UPDATE audit SET after='{\\\"a\\\":3}' WHERE seq=3", 3);
}

static void a_deleted_row_is_detected(void **state)
{
    (void)state;
    tamper("DELETE FROM audit WHERE seq=2", 3);
}

static void reordered_rows_are_detected(void **state)
{
    (void)state;
    tamper("UPDATE audit SET seq=seq+10 WHERE seq=1; UPDATE audit SET seq=1 WHERE seq=2;"
           " UPDATE audit SET seq=2 WHERE seq=11;",
           1);
}

static void a_truncated_tail_is_detected(void **state)
{
    (void)state;
    tamper("DELETE FROM audit WHERE seq=4", -1);
}

static void the_trail_refuses_updates(void **state)
{
    (void)state;
    genu_store *s = open_db();
    fill(s);
    store_close(s);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sqlite3 %s \"DELETE FROM audit\" 2>/dev/null", path);
    assert_int_not_equal(system(cmd), 0);
}

static void users_sessions_and_survey_links(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    int64_t id = 0, id2 = 0;
    store_user u = {0, "carol", "clinician", "oak-park", "$argon2id$x", false};
    assert_int_equal(store_user_put(s, &u, &id, &err), GENU_OK);
    u.disabled = true;
    assert_int_equal(store_user_put(s, &u, &id2, &err), GENU_OK);
    assert_int_equal(id, id2);
    store_user got;
    assert_int_equal(store_user_get(s, "carol", 0, a, &got, &err), GENU_OK);
    assert_true(got.disabled);
    assert_string_equal(got.sites, "oak-park");
    store_user bad = {0, "eve", "root", "", "h", false};
    assert_int_equal(store_user_put(s, &bad, &id, &err), GENU_EINVAL);
    genu_err_clear(&err);

    const char *csrf;
    int64_t who;
    assert_int_equal(store_session_put(s, "tok1", id2, "c1", INT64_MAX, &err), GENU_OK);
    assert_int_equal(store_session_get(s, "tok1", 10, a, &who, &csrf, &err), GENU_OK);
    assert_int_equal(who, id2);
    assert_int_equal(store_session_get(s, "tok1", INT64_MAX, a, &who, &csrf, &err),
                     GENU_ENOTFOUND);
    genu_err_clear(&err);
    assert_int_equal(store_session_delete(s, "tok1", &err), GENU_OK);
    assert_int_equal(store_session_get(s, "tok1", 10, a, &who, &csrf, &err), GENU_ENOTFOUND);
    genu_err_clear(&err);

    genu_record p = patient("P", "{}");
    store_put_result res;
    assert_int_equal(store_put(s, &p, &res, &err), GENU_OK);
    store_survey v = {"h1", "P", GENU_KNEE_LEFT, "nprs,koos", "12m", 1, 2, 0, id2};
    assert_int_equal(store_survey_put(s, &v, &err), GENU_OK);
    store_survey w;
    assert_int_equal(store_survey_get(s, "h1", a, &w, &err), GENU_OK);
    assert_int_equal(w.knee, GENU_KNEE_LEFT);
    assert_int_equal(w.used_us, 0);
    assert_int_equal(store_survey_use(s, "h1", 5, &err), GENU_OK);
    assert_int_equal(store_survey_use(s, "h1", 6, &err), GENU_ECONFLICT);
    genu_arena_destroy(a);
    store_close(s);
}

static void backup_is_a_complete_registry(void **state)
{
    (void)state;
    genu_store *s = open_db();
    fill(s);
    genu_err err = {0};
    assert_int_equal(store_backup(s, copy, &err), GENU_OK);
    store_close(s);
    genu_store *c = NULL;
    assert_int_equal(store_open(copy, false, &c, &err), GENU_OK);
    size_t n;
    assert_int_equal(store_count(c, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 1);
    int64_t broken;
    size_t checked;
    char why[100];
    assert_int_equal(store_audit_verify(c, &broken, &checked, why, sizeof why, &err), GENU_OK);
    assert_int_equal(broken, 0);
    assert_int_equal(checked, 4);
    store_close(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(every_change_is_audited_with_before_and_after),
        T(an_edited_row_is_detected),
        T(a_deleted_row_is_detected),
        T(reordered_rows_are_detected),
        T(a_truncated_tail_is_detected),
        T(the_trail_refuses_updates),
        T(users_sessions_and_survey_links),
        T(backup_is_a_complete_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
