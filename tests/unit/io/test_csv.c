/* test_csv: cell conversions and their errors, the strict reader with line
 * numbers, and an atomic import that names FILE:LINE:COLUMN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "io/csv.h"

static char dir[64];

static void write_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void cells_read_by_kind(void **state)
{
    (void)state;
    genu_err e = {0};
    json_t *o = json_object();
    assert_int_equal(csv_set(o, "birth_year", CSV_INT, "1950", &e), GENU_OK);
    assert_int_equal(csv_set(o, "cost.amount", CSV_NUM, "12.5", &e), GENU_OK);
    assert_int_equal(csv_set(o, "findings.locking", CSV_BOOL, "true", &e), GENU_OK);
    assert_int_equal(csv_set(o, "sites", CSV_LIST, "intra_articular;mcl", &e), GENU_OK);
    assert_int_equal(csv_set(o, "items", CSV_JSON, "{\"intensity\":3}", &e), GENU_OK);
    genu_buf b = GENU_BUF_INIT;
    genu_json_append(&b, o);
    assert_string_equal(b.p, "{\"birth_year\":1950,\"cost\":{\"amount\":12.5},\"findings\":"
                             "{\"locking\":true},\"sites\":[\"intra_articular\",\"mcl\"],"
                             "\"items\":{\"intensity\":3}}");
    genu_buf_clear(&b);
    csv_cell(o, "sites", CSV_LIST, &b);
    assert_string_equal(b.p, "intra_articular;mcl");
    genu_buf_clear(&b);
    csv_cell(o, "cost.amount", CSV_NUM, &b);
    assert_string_equal(b.p, "12.5");
    genu_buf_clear(&b);
    assert_int_equal(csv_cell(o, "absent", CSV_STR, &b), 0);
    assert_int_equal(b.len, 0);
    genu_buf_free(&b);
    json_decref(o);
}

static void bad_cells_name_the_field(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        csv_kind kind;
        const char *cell, *msg;
    } cases[] = {
        {"birth_year", CSV_INT, "19x0", "field \"birth_year\": expected an integer, got \"19x0\""},
        {"kl_grade", CSV_INT, "2.0", "field \"kl_grade\": expected an integer"},
        {"weight_kg", CSV_NUM, "heavy", "field \"weight_kg\": expected a number"},
        {"serious", CSV_BOOL, "yes", "field \"serious\": expected true or false"},
        {"items", CSV_JSON, "{\"a\":", "field \"items\": invalid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        genu_err e = {0};
        json_t *o = json_object();
        assert_int_equal(csv_set(o, cases[i].path, cases[i].kind, cases[i].cell, &e),
                         GENU_EINVAL);
        if (strncmp(e.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
            fail_msg("got \"%s\", expected \"%s\"", e.msg, cases[i].msg);
        assert_int_equal(json_object_size(o), 0);
        json_decref(o);
    }
}

static void reader_keeps_line_numbers_and_quotes(void **state)
{
    (void)state;
    write_file("t.csv", "\xEF\xBB\xBF" "a,b\n\n\"x,1\",\"two\nlines\"\nlast,\"q\"\"uote\"\n");
    char path[128];
    snprintf(path, sizeof path, "%s/t.csv", dir);
    genu_arena *a = genu_arena_create();
    csv_table t;
    genu_err e = {0};
    assert_int_equal(csv_read(path, a, &t, &e), GENU_OK);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.rows[0].cells[0], "a");
    assert_string_equal(t.rows[1].cells[0], "x,1");
    assert_string_equal(t.rows[1].cells[1], "two\nlines");
    assert_int_equal(t.rows[1].line, 3);
    assert_int_equal(t.rows[2].line, 5);
    assert_string_equal(t.rows[2].cells[1], "q\"uote");
    write_file("bad.csv", "a,b\n\"open,x\n");
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    assert_int_equal(csv_read(path, a, &t, &e), GENU_EINVAL);
    assert_non_null(strstr(e.msg, "malformed CSV"));
    genu_arena_destroy(a);
}

typedef struct seen {
    char where[8][128];
    size_t n;
} seen;

static void on_reject(const char *file, size_t line, const char *msg, const char *text,
                      void *ctx)
{
    (void)text;
    seen *s = ctx;
    assert_int_equal(line, 0);
    if (s->n < 8)
        snprintf(s->where[s->n++], sizeof s->where[0], "%s: %s", file, msg);
}

static void import_is_atomic_and_names_columns(void **state)
{
    (void)state;
    char db[128], p[128], dg[128];
    snprintf(db, sizeof db, "%s/r.db", dir);
    snprintf(p, sizeof p, "%s/patients.csv", dir);
    snprintf(dg, sizeof dg, "%s/diagnoses.csv", dir);
    write_file("patients.csv", "id,site,sex,birth_year\nP1,s,male,1950\nP2,s,female,1960\n");
    write_file("diagnoses.csv", "patient,knee,date,condition,kl_grade\n"
                                "P1,left,2020-01-01,osteoarthritis,2\n"
                                "P2,both,2020-01-01,osteoarthritis,2\n");
    genu_store *s;
    genu_err err = {0};
    assert_int_equal(store_open(db, true, &s, &err), GENU_OK);
    seen sn = {{{0}}, 0};
    jsonl_import_opts o = {false, on_reject, NULL, &sn};
    jsonl_stats st;
    const char *files[] = {p, dg};
    assert_int_equal(csv_import(s, files, 2, &o, &st, &err), GENU_EINVAL);
    assert_int_equal(sn.n, 1);
    char want[160];
    snprintf(want, sizeof want, "%s:3:2: field \"knee\"", dg);
    if (strncmp(sn.where[0], want, strlen(want)) != 0)
        fail_msg("got \"%s\"", sn.where[0]);
    size_t n;
    assert_int_equal(store_count(s, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 0);
    write_file("diagnoses.csv", "patient,knee,date,condition,kl_grade\n"
                                "P1,left,2020-01-01,osteoarthritis,2\n");
    memset(&err, 0, sizeof err);
    assert_int_equal(csv_import(s, files, 2, &o, &st, &err), GENU_OK);
    assert_int_equal(st.added, 3);
    deid_opts all = {false, DEID_DATES_INDEX, false};
    char out[128];
    snprintf(out, sizeof out, "%s/out", dir);
    assert_int_equal(csv_export(s, &all, out, &n, &err), GENU_OK);
    assert_int_equal(n, 3);
    store_close(s);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/genu-test-csv-%d", (int)getpid());
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    return system(cmd);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cells_read_by_kind),
        cmocka_unit_test(bad_cells_name_the_field),
        cmocka_unit_test(reader_keeps_line_numbers_and_quotes),
        cmocka_unit_test(import_is_atomic_and_names_columns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
