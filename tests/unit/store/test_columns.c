/* store/columns: the one description of the record tables agrees with the
 * schema the migrations make (names, order, declared types), and its codec
 * carries every column of every type through a real registry and back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/columns.h"
#include "store/store.h"

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/genu-columns-%d.db", (int)getpid());
    unlink(path);
    genu_store *s;
    genu_err err = {0};
    assert_int_equal(store_open(path, true, &s, &err), GENU_OK);
    store_close(s);
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

/* The first word of a declared type, upper-cased ("TEXT NOT NULL" -> TEXT). */
static void type_word(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; s[k] && s[k] != ' ' && k + 1 < n; k++)
        out[k] = (char)(s[k] >= 'a' && s[k] <= 'z' ? s[k] - 32 : s[k]);
    out[k] = '\0';
}

static void the_tables_match_the_schema(void **state)
{
    (void)state;
    store_tables_init();
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        const store_table *tb = &store_tables[t];
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT name, type, \"notnull\" FROM pragma_table_info('%s')",
                 tb->name);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        int k = -6; /* seq, id, patient, knee, date, doc come first */
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (k >= 0) {
                assert_true(k < tb->ncols);
                const store_col *c = &tb->col[k];
                char want[32], got[32];
                type_word(c->sql, want, sizeof want);
                type_word((const char *)sqlite3_column_text(st, 1), got, sizeof got);
                assert_string_equal((const char *)sqlite3_column_text(st, 0), c->name);
                assert_string_equal(got, want);
                assert_int_equal(sqlite3_column_int(st, 2), strstr(c->sql, "NOT NULL") != NULL);
            }
            k++;
        }
        sqlite3_finalize(st);
        assert_int_equal(k, tb->ncols);
    }
    sqlite3_close(db);
}

static void the_column_lists_name_every_column(void **state)
{
    (void)state;
    store_tables_init();
    assert_string_equal(store_tables[GENU_REC_DIAGNOSIS].cols, "condition,kl_grade");
    assert_string_equal(store_tables[GENU_REC_DEATH].cols, "cause");
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        size_t commas = 0;
        for (const char *p = store_tables[t].cols; *p; p++)
            commas += *p == ',';
        assert_int_equal(commas + 1, (size_t)store_tables[t].ncols);
    }
}

/* A binder and reader over plain arrays, as a backend's would be. */
typedef struct cells {
    const char *text[24];
    int64_t num[24];
    double real[24];
    int kind[24]; /* 0 NULL, 1 text, 2 integer, 3 real */
} cells;

static void c_null(void *ctx, int i) { ((cells *)ctx)->kind[i] = 0; }
static void c_text(void *ctx, int i, const char *v)
{
    ((cells *)ctx)->kind[i] = 1;
    ((cells *)ctx)->text[i] = v;
}
static void c_int(void *ctx, int i, int64_t v)
{
    ((cells *)ctx)->kind[i] = 2;
    ((cells *)ctx)->num[i] = v;
}
static void c_real(void *ctx, int i, double v)
{
    ((cells *)ctx)->kind[i] = 3;
    ((cells *)ctx)->real[i] = v;
}
static char numtext[24][32];
static const char *r_raw(const void *ctx, int i)
{
    const cells *c = ctx;
    if (c->kind[i] == 1)
        return c->text[i];
    if (c->kind[i] == 2)
        return snprintf(numtext[i], 32, "%lld", (long long)c->num[i]), numtext[i];
    if (c->kind[i] == 3)
        return snprintf(numtext[i], 32, "%.17g", c->real[i]), numtext[i];
    return NULL;
}
static int64_t r_int(const void *ctx, int i) { return ((const cells *)ctx)->kind[i] == 2 ? ((const cells *)ctx)->num[i] : 0; }
static double r_real(const void *ctx, int i) { return ((const cells *)ctx)->kind[i] == 3 ? ((const cells *)ctx)->real[i] : NAN; }

static void nulls_and_values_travel_both_ways(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    genu_record r = {.type = GENU_REC_PATIENT};
    r.u.patient = (genu_patient){"oak", vocab_sex("female"), 0, 162.5, NAN};
    cells c = {0};
    store_binder b = {&c, c_null, c_text, c_int, c_real};
    char *tmp[2] = {NULL, NULL};
    assert_int_equal(store_cols_bind(&b, 0, &r, tmp), GENU_OK);
    assert_int_equal(c.kind[0], 1);
    assert_string_equal(c.text[1], "female");
    assert_int_equal(c.kind[2], 0); /* no birth year is NULL, not 0 */
    assert_int_equal(c.kind[3], 3);
    assert_int_equal(c.kind[4], 0); /* NAN is NULL */
    genu_record back = {.type = GENU_REC_PATIENT};
    store_reader rd = {&c, r_raw, r_int, r_real, NULL};
    genu_err err = {0};
    assert_int_equal(store_cols_read(&rd, 0, true, &back, a, &err), GENU_OK);
    assert_string_equal(back.u.patient.site, "oak");
    assert_int_equal(back.u.patient.sex, vocab_sex("female"));
    assert_int_equal(back.u.patient.birth_year, 0);
    assert_true(back.u.patient.height_cm == 162.5);
    assert_true(isnan(back.u.patient.weight_kg));

    /* a load shares equal texts (store_reader.strings); else each is a copy */
    genu_record again = {.type = GENU_REC_PATIENT};
    assert_int_equal(store_cols_read(&rd, 0, true, &again, a, &err), GENU_OK);
    assert_ptr_not_equal(again.u.patient.site, back.u.patient.site);
    genu_hash *strings = genu_hash_create();
    store_reader shared = {&c, r_raw, r_int, r_real, strings};
    genu_record one = {.type = GENU_REC_PATIENT}, two = {.type = GENU_REC_PATIENT};
    assert_int_equal(store_cols_read(&shared, 0, true, &one, a, &err), GENU_OK);
    assert_int_equal(store_cols_read(&shared, 0, true, &two, a, &err), GENU_OK);
    assert_string_equal(one.u.patient.site, "oak");
    assert_ptr_equal(one.u.patient.site, two.u.patient.site);
    assert_ptr_not_equal(one.u.patient.site, back.u.patient.site);
    genu_hash_destroy(strings);

    /* exam levels: -1 (not examined) is NULL and comes back as -1 */
    genu_record ex = {.type = GENU_REC_EXAM};
    memset(&ex.u.exam, -1, sizeof ex.u.exam);
    ex.u.exam.locking = 1;
    memset(&c, 0, sizeof c);
    assert_int_equal(store_cols_bind(&b, 0, &ex, tmp), GENU_OK);
    assert_int_equal(c.kind[0], 0);
    assert_int_equal(c.kind[1], 2);
    genu_record ex2 = {.type = GENU_REC_EXAM};
    assert_int_equal(store_cols_read(&rd, 0, true, &ex2, a, &err), GENU_OK);
    assert_memory_equal(&ex2.u.exam, &ex.u.exam, sizeof ex.u.exam);

    /* a vocabulary name the registry does not know is an error naming it */
    genu_record dx = {.type = GENU_REC_DIAGNOSIS};
    memset(&c, 0, sizeof c);
    c_text(&c, 0, "housemaid_knee");
    assert_int_not_equal(store_cols_read(&rd, 0, true, &dx, a, &err), GENU_OK);
    assert_non_null(strstr(err.msg, "unknown condition \"housemaid_knee\""));
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_tables_match_the_schema, setup, teardown),
        cmocka_unit_test(the_column_lists_name_every_column),
        cmocka_unit_test(nulls_and_values_travel_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
