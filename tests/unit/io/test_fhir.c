/* test_fhir: a registry through a FHIR Bundle and back keeps every record;
 * the Bundle holds the resources, codes and references docs/formats.md
 * promises; broken references are errors naming the entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "io/fhir.h"
#include "interop_fixture.h"

static char *export_bundle(genu_store *s, bool deidentify)
{
    char *p = NULL;
    size_t len, n;
    FILE *f = open_memstream(&p, &len);
    deid_opts o = {deidentify, DEID_DATES_INDEX, false};
    genu_err err = {0};
    assert_int_equal(fhir_export(s, &o, f, &n, &err), GENU_OK);
    fclose(f);
    return p;
}

static void write_text(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int import_file(genu_store *s, const char *name, seen *sn)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    const char *files[] = {path};
    jsonl_import_opts o = {false, on_reject, NULL, sn};
    jsonl_stats st;
    genu_err err = {0};
    return fhir_import(s, files, 1, &o, &st, &err);
}

static void round_trip_keeps_every_record(void **state)
{
    (void)state;
    genu_store *a = source(), *b = open_store("b.db");
    char *bundle = export_bundle(a, false);
    write_text("bundle.json", bundle);
    seen sn = {"", 0};
    assert_int_equal(import_file(b, "bundle.json", &sn), GENU_OK);
    char *x = dump(a), *y = dump(b);
    assert_string_equal(x, y);
    free(x);
    free(y);
    free(bundle);
    store_close(a);
    store_close(b);
}

static void bundle_has_the_promised_resources(void **state)
{
    (void)state;
    genu_store *a = open_store("a.db");
    char *bundle = export_bundle(a, false);
    json_error_t je;
    json_t *b = json_loads(bundle, 0, &je);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(b, "resourceType")), "Bundle");
    const char *want[] = {"Patient", "Procedure", "QuestionnaireResponse", "Observation",
                          "AdverseEvent"};
    for (size_t k = 0; k < 5; k++) {
        size_t i, hits = 0;
        json_t *e;
        json_array_foreach(json_object_get(b, "entry"), i, e)
        {
            const char *t = json_string_value(
                json_object_get(json_object_get(e, "resource"), "resourceType"));
            hits += strcmp(t, want[k]) == 0;
        }
        if (!hits)
            fail_msg("no %s in the bundle", want[k]);
    }
    assert_non_null(strstr(bundle, "\"code\":\"72514-3\"")); /* NPRS in LOINC */
    assert_non_null(strstr(bundle, "\"code\":\"7771000\""));  /* left, SNOMED CT */
    assert_non_null(strstr(bundle, "Ann Example"));
    json_decref(b);
    free(bundle);
    bundle = export_bundle(a, true);
    assert_null(strstr(bundle, "Ann Example"));
    assert_null(strstr(bundle, "a@b.c"));
    assert_null(strstr(bundle, "\"P1\""));
    assert_null(strstr(bundle, "2020-"));
    assert_non_null(strstr(bundle, "days-from-index"));
    free(bundle);
    store_close(a);
}

static void broken_references_name_the_entry(void **state)
{
    (void)state;
    genu_store *b = open_store("c.db");
    write_text("broken.json",
               "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":["
               "{\"fullUrl\":\"urn:uuid:1\",\"resource\":{\"resourceType\":\"Patient\","
               "\"id\":\"p1\",\"gender\":\"male\",\"extension\":[{\"url\":"
               "\"http://genu.dev/fhir/StructureDefinition/site\",\"valueString\":\"s\"},"
               "{\"url\":\"http://genu.dev/fhir/StructureDefinition/birth-year\","
               "\"valueInteger\":1950}]}},"
               "{\"resource\":{\"resourceType\":\"Condition\",\"subject\":{\"reference\":"
               "\"Patient/nope\"}}}]}");
    seen sn = {"", 0};
    assert_int_equal(import_file(b, "broken.json", &sn), GENU_EINVAL);
    if (!strstr(sn.first, "entry[1] (Condition): subject: reference \"Patient/nope\" does not "
                          "resolve to a Patient"))
        fail_msg("got \"%s\"", sn.first);
    write_text("other.json", "{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":"
                             "{\"resourceType\":\"Encounter\"}}]}");
    sn.n = 0;
    assert_int_equal(import_file(b, "other.json", &sn), GENU_EINVAL);
    if (!strstr(sn.first, "Encounter is not one genu imports"))
        fail_msg("got \"%s\"", sn.first);
    size_t n;
    genu_err err = {0};
    assert_int_equal(store_count(b, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 0);
    store_close(b);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/genu-test-fhir-%d", (int)getpid());
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
        cmocka_unit_test(bundle_has_the_promised_resources),
        cmocka_unit_test(broken_references_name_the_entry),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
