/* test_redcap: a registry through a REDCap project and back keeps every
 * record; unknown fields and choices are errors that name file, line and
 * column, and store nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/redcap.h"
#include "interop_fixture.h"

static void round_trip_keeps_every_record(void **state)
{
    (void)state;
    genu_store *a = source(), *b = open_store("b.db");
    char out[128], d[160], r[160];
    snprintf(out, sizeof out, "%s/rc", dir);
    snprintf(d, sizeof d, "%s/dictionary.csv", out);
    snprintf(r, sizeof r, "%s/records.csv", out);
    deid_opts all = {false, DEID_DATES_INDEX, false};
    size_t n;
    genu_err err = {0};
    assert_int_equal(redcap_export(a, &all, out, &n, &err), GENU_OK);
    assert_int_equal(n, NSRC);
    seen sn = {"", 0};
    jsonl_import_opts o = {false, on_reject, NULL, &sn};
    jsonl_stats st;
    assert_int_equal(redcap_import(b, d, r, &o, &st, &err), GENU_OK);
    assert_int_equal(st.added, NSRC);
    char *x = dump(a), *y = dump(b);
    assert_string_equal(x, y);
    free(x);
    free(y);
    store_close(a);
    store_close(b);
}

static void edit(const char *from, const char *to, const char *sed)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sed '%s' %s/rc/%s > %s/%s", sed, dir, from, dir, to);
    assert_int_equal(system(cmd), 0);
}

static void expect_rejected(const char *dict, const char *recs, const char *want)
{
    genu_store *b = open_store("c.db");
    char d[160], r[160];
    snprintf(d, sizeof d, "%s/%s", dir, dict);
    snprintf(r, sizeof r, "%s/%s", dir, recs);
    seen sn = {"", 0};
    jsonl_import_opts o = {false, on_reject, NULL, &sn};
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(redcap_import(b, d, r, &o, &st, &err), GENU_EINVAL);
    if (!strstr(sn.first, want))
        fail_msg("got \"%s\", expected \"...%s...\"", sn.first, want);
    size_t n;
    assert_int_equal(store_count(b, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 0);
    store_close(b);
}

static void unknown_fields_and_choices_are_errors(void **state)
{
    (void)state;
    edit("dictionary.csv", "d1.csv", "$a\\\nshoe_size,patient,,text,Shoe,,,,,,,,,,,,,");
    expect_rejected("d1.csv", "rc/records.csv", "unknown field \"shoe_size\"");
    edit("dictionary.csv", "d2.csv", "s/mcl, mcl/acl, acl/");
    expect_rejected("d2.csv", "rc/records.csv", "unknown choice \"acl\"");
    edit("records.csv", "r1.csv", "1s/patient_site/patient_town/");
    expect_rejected("rc/dictionary.csv", "r1.csv", "r1.csv:1:5: unknown field \"patient_town\"");
    edit("records.csv", "r2.csv", "s/,left,/,both,/");
    expect_rejected("rc/dictionary.csv", "r2.csv", "unknown choice \"both\"");
    edit("records.csv", "r3.csv", "s/baseline_arm_1/visit_9/");
    expect_rejected("rc/dictionary.csv", "r3.csv", "unknown event \"visit_9\"");
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/genu-test-redcap-%d", (int)getpid());
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    return system(cmd);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_keeps_every_record),
        cmocka_unit_test(unknown_fields_and_choices_are_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
