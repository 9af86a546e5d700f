/* interop_fixture: the small registry the format round-trip tests share
 * (tests/unit/io/test_fhir.c, test_redcap.c): a patient with an identity, a
 * treatment, knee- and patient-level responses, an adverse event and an
 * exam, imported through jsonl_import_lines, and helpers to open registries
 * in the test's temporary directory and export them. Included once per test
 * program; `dir` is set by the program's setup. */
#ifndef GENU_TESTS_INTEROP_FIXTURE_H
#define GENU_TESTS_INTEROP_FIXTURE_H

#include <stdio.h>

#include "io/jsonl.h"
#include "store/store.h"

static char dir[64];

static const char *const src[] = {
    "{\"type\":\"patient\",\"id\":\"P1\",\"site\":\"s\",\"sex\":\"female\",\"birth_year\":1950}",
    "{\"type\":\"identity\",\"patient\":\"P1\",\"name\":\"Ann Example\",\"email\":\"a@b.c\"}",
    "{\"type\":\"treatment\",\"id\":\"T1\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":"
    "\"2020-01-01\",\"kind\":\"prp\",\"sites\":[\"intra_articular\",\"mcl\"],\"cost\":"
    "{\"amount\":900,\"currency\":\"USD\"}}",
    "{\"type\":\"response\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2020-04-01\","
    "\"instrument\":\"nprs\",\"items\":{\"intensity\":3}}",
    "{\"type\":\"response\",\"patient\":\"P1\",\"date\":\"2020-04-01\",\"instrument\":\"sleep\","
    "\"items\":{\"interrupted\":false,\"nights_per_week\":0}}",
    "{\"type\":\"adverse_event\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2020-01-03\","
    "\"kind\":\"post_injection_flare\",\"severity\":1,\"serious\":false,\"treatment\":\"T1\"}",
    "{\"type\":\"exam\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2019-12-01\","
    "\"findings\":{\"swelling\":\"mild\",\"locking\":false}}",
};
#define NSRC (sizeof src / sizeof src[0])

typedef struct seen {
    char first[256];
    size_t n;
} seen;

static void on_reject(const char *file, size_t line, const char *msg, const char *text,
                      void *ctx)
{
    (void)line;
    (void)text;
    seen *s = ctx;
    if (!s->n++)
        snprintf(s->first, sizeof s->first, "%s: %s", file, msg);
}

static genu_store *open_store(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    genu_store *s;
    genu_err err = {0};
    assert_int_equal(store_open(path, true, &s, &err), GENU_OK);
    return s;
}

static char *dump(genu_store *s)
{
    char *p = NULL;
    size_t n, len;
    FILE *f = open_memstream(&p, &len);
    genu_err err = {0};
    assert_int_equal(jsonl_export(s, f, false, &n, &err), GENU_OK);
    fclose(f);
    return p;
}

static genu_store *source(void)
{
    genu_store *s = open_store("a.db");
    jsonl_line lines[NSRC];
    for (size_t i = 0; i < NSRC; i++)
        lines[i] = (jsonl_line){src[i], "src", NULL, NULL};
    seen sn = {"", 0};
    jsonl_import_opts o = {false, on_reject, NULL, &sn};
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(jsonl_import_lines(s, lines, NSRC, &o, &st, &err), GENU_OK);
    return s;
}

#endif
