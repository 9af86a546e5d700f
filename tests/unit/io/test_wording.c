/* test_wording: the instrument wording files. Every file genu ships loads,
 * words every item of its instrument and gives each choice item one label
 * per answer (counted here from the item tables, not by the loader); the
 * licensed instruments ship none; a clinic's directory overrides and adds;
 * a broken file is refused naming the file and the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "io/datafiles.h"
#include "io/wording.h"

static size_t answers(const instr_item *it)
{
    if (it->kind == INSTR_BOOL)
        return 2;
    return it->allowed ? it->nallowed : (size_t)(it->hi - it->lo + 1);
}

static void every_shipped_file_words_every_item(void **state)
{
    (void)state;
    size_t n, files = 0;
    const data_file *f = data_files(&n);
    for (size_t i = 0; i < n; i++) {
        char id[64];
        if (strncmp(f[i].path, "instruments/", 12) != 0)
            continue;
        files++;
        const char *name = f[i].path + 12;
        const char *dot = strchr(name, '.');
        assert_non_null(dot);
        assert_string_equal(dot, ".en.json");
        snprintf(id, sizeof id, "%.*s", (int)(dot - name), name);
        const genu_instrument *in = instrument_find(id);
        assert_non_null(in);
        genu_arena *a = genu_arena_create();
        wording w;
        genu_err err = {0};
        if (wording_load(NULL, in, "en", a, &w, &err))
            fail_msg("%s: %s", f[i].path, err.msg);
        assert_string_equal(w.origin, "embedded");
        assert_string_equal(w.language, "en");
        size_t placed = 0;
        for (size_t s = 0; s < w.nsections; s++)
            placed += w.sections[s].n;
        assert_int_equal(placed, in->nitems);
        for (size_t k = 0; k < in->nitems; k++) {
            const wording_item *it = &w.items[k];
            size_t want = answers(&in->items[k]);
            assert_non_null(it->text);
            assert_true(strlen(it->text) > 0);
            if (want <= 11 || in->items[k].kind == INSTR_BOOL || in->items[k].allowed) {
                if (it->nlabels != want)
                    fail_msg("%s item %s: %zu labels, %zu answers", id, in->items[k].code,
                             it->nlabels, want);
                for (size_t l = 0; l < it->nlabels; l++)
                    assert_true(strlen(it->labels[l]) > 0);
            } else {
                assert_int_equal(it->nlabels, 0);
                assert_non_null(it->low);
                assert_non_null(it->high);
            }
        }
        genu_arena_destroy(a);
    }
    assert_int_equal(files, 10);
}

static void licensed_instruments_ship_no_wording(void **state)
{
    (void)state;
    static const char *const none[] = {"koos", "koos_ps", "womac", "womac_nrs", "eq_vas", "rom"};
    genu_arena *a = genu_arena_create();
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        wording w;
        genu_err err = {0};
        const genu_instrument *in = instrument_find(none[i]);
        assert_false(wording_available(NULL, in, a, NULL));
        assert_int_equal(wording_load("", in, "en", a, &w, &err), GENU_ENOTFOUND);
        assert_non_null(strstr(err.msg, "no wording of"));
        assert_non_null(strstr(err.msg, none[i]));
    }
    /* the KOOS item the survey page must word as published */
    wording w;
    genu_err err = {0};
    assert_int_equal(wording_load(NULL, instrument_find("koos_jr"), "en", a, &w, &err), GENU_OK);
    genu_arena_destroy(a);
}

/* ---- a clinic's directory ---- */

typedef struct fx {
    char dir[64];
    genu_arena *a;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/genu-wording-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    f->a = genu_arena_create();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    genu_arena_destroy(f->a);
    free(f);
    return 0;
}

static void put(const fx *f, const char *name, const char *text)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *o = fopen(path, "w");
    assert_non_null(o);
    fputs(text, o);
    fclose(o);
}

#define SANE_HEAD                                                                                 \
    "{\"instrument\":\"sane\",\"language\":\"%s\",\"title\":\"T\",\"source\":\"S\","            \
    "\"terms\":\"licensed to the clinic\",\"reproduction\":\"licensed\","                       \
    "\"sections\":[{\"title\":null,\"items\":[\"percent\"]}],"

static void a_clinic_file_overrides_and_adds(void **state)
{
    fx *f = *state;
    char text[512];
    const genu_instrument *sane = instrument_find("sane"), *womac = instrument_find("womac");
    wording w;
    genu_err err = {0};
    snprintf(text, sizeof text,
             SANE_HEAD "\"items\":{\"percent\":{\"text\":\"Clinic's own text\",\"anchors\":"
                       "{\"low\":\"worst\",\"high\":\"best\"}}}}",
             "de");
    put(f, "sane.de.json", text);
    assert_int_equal(wording_load(f->dir, sane, "de", f->a, &w, &err), GENU_OK);
    assert_string_equal(w.items[0].text, "Clinic's own text");
    assert_non_null(strstr(w.origin, "sane.de.json"));
    /* a language without a file falls back to English, the embedded one */
    assert_int_equal(wording_load(f->dir, sane, "fr", f->a, &w, &err), GENU_OK);
    assert_string_equal(w.origin, "embedded");
    /* a hostile language tag is refused, never used as a path */
    assert_int_equal(wording_load(f->dir, sane, "../x", f->a, &w, &err), GENU_EINVAL);
    /* womac appears once its file is installed */
    assert_false(wording_available(f->dir, womac, f->a, NULL));
    genu_buf b = GENU_BUF_INIT;
    genu_buf_puts(&b, "{\"instrument\":\"womac\",\"language\":\"en\",\"title\":\"W\","
                      "\"source\":\"S\",\"terms\":\"L\",\"reproduction\":\"licensed\","
                      "\"sections\":[{\"items\":[");
    for (size_t i = 0; i < womac->nitems; i++)
        genu_buf_printf(&b, "%s\"%s\"", i ? "," : "", womac->items[i].code);
    genu_buf_puts(&b, "]}],\"items\":{");
    for (size_t i = 0; i < womac->nitems; i++)
        genu_buf_printf(&b, "%s\"%s\":{\"text\":\"Q%zu\",\"labels\":[\"a\",\"b\",\"c\",\"d\","
                            "\"e\"]}",
                        i ? "," : "", womac->items[i].code, i);
    genu_buf_puts(&b, "}}");
    put(f, "womac.en.json", b.p);
    genu_buf_free(&b);
    const char *origin;
    assert_true(wording_available(f->dir, womac, f->a, &origin));
    assert_non_null(strstr(origin, "womac.en.json"));
}

/* One broken sane file, and the message wanted. */
static void refused(fx *f, const char *items, const char *sections, const char *want)
{
    char text[768];
    wording w;
    genu_err err = {0};
    snprintf(text, sizeof text,
             "{\"instrument\":\"sane\",\"language\":\"en\",\"title\":\"T\",\"source\":\"S\","
             "\"terms\":\"L\",\"reproduction\":\"free\",\"sections\":%s,\"items\":%s}",
             sections, items);
    put(f, "sane.en.json", text);
    assert_int_equal(wording_load(f->dir, instrument_find("sane"), "en", f->a, &w, &err),
                     GENU_EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("got \"%s\", wanted \"%s\"", err.msg, want);
    assert_non_null(strstr(err.msg, "sane.en.json"));
}

static void broken_files_are_refused_naming_the_field(void **state)
{
    fx *f = *state;
    const char *sec = "[{\"items\":[\"percent\"]}]";
    refused(f, "{}", sec, "items.percent: required");
    refused(f, "{\"percent\":{\"text\":\"x\",\"labels\":[\"a\",\"b\"]}}", sec,
            "items.percent.labels: 2 labels for 101 answers (0 to 100)");
    refused(f, "{\"percent\":{\"text\":\"x\",\"anchors\":{\"low\":\"a\",\"high\":\"b\"}},"
               "\"nosuch\":{\"text\":\"y\"}}",
            sec, "\"nosuch\" is not an item of sane");
    refused(f, "{\"percent\":{\"text\":\"x\",\"anchors\":{\"low\":\"a\",\"high\":\"b\"}}}",
            "[{\"items\":[\"percent\"]},{\"items\":[\"percent\"]}]", "percent is placed in two sections");
    refused(f, "{\"percent\":{\"text\":\"x\",\"anchors\":{\"low\":\"a\",\"high\":\"b\"}}}", "[]",
            "sections: expected an array of sections");
    refused(f, "{\"percent\":{\"text\":\"\",\"anchors\":{\"low\":\"a\",\"high\":\"b\"}}}", sec,
            "items.percent.text: expected a non-empty string");
    refused(f, "{\"percent\":{\"text\":\"x\",\"anchors\":{\"low\":\"a\",\"high\":\"b\"}}} x", sec,
            "sane.en.json:1:");
}

static void too_few_labels_name_the_answers(void **state)
{
    fx *f = *state;
    char text[1024];
    wording w;
    genu_err err = {0};
    /* nprs intensity takes 0..10: eleven labels, not ten */
    snprintf(text, sizeof text,
             "{\"instrument\":\"nprs\",\"language\":\"en\",\"title\":\"T\",\"source\":\"S\","
             "\"terms\":\"L\",\"reproduction\":\"free\",\"sections\":[{\"items\":[\"intensity\"]}],"
             "\"items\":{\"intensity\":{\"text\":\"x\",\"labels\":[\"0\",\"1\",\"2\",\"3\",\"4\","
             "\"5\",\"6\",\"7\",\"8\",\"9\"]}}}");
    put(f, "nprs.en.json", text);
    assert_int_equal(wording_load(f->dir, instrument_find("nprs"), "en", f->a, &w, &err),
                     GENU_EINVAL);
    assert_non_null(strstr(err.msg, "items.intensity.labels: 10 labels for 11 answers (0 to 10)"));
}

static void the_json_form_round_trips_the_labels(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    wording w;
    genu_err err = {0};
    assert_int_equal(wording_load(NULL, instrument_find("nprs"), NULL, a, &w, &err), GENU_OK);
    genu_buf b = GENU_BUF_INIT;
    wording_json(&b, &w);
    json_error_t je;
    json_t *o = json_loads(b.p, 0, &je);
    assert_non_null(o);
    json_t *labels = json_object_get(json_object_get(json_object_get(o, "items"), "intensity"),
                                     "labels");
    assert_int_equal(json_array_size(labels), 11);
    assert_string_equal(json_string_value(json_object_get(o, "origin")), "embedded");
    json_decref(o);
    genu_buf_free(&b);
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_shipped_file_words_every_item),
        cmocka_unit_test(licensed_instruments_ship_no_wording),
        cmocka_unit_test_setup_teardown(a_clinic_file_overrides_and_adds, setup, teardown),
        cmocka_unit_test_setup_teardown(broken_files_are_refused_naming_the_field, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(too_few_labels_name_the_answers, setup, teardown),
        cmocka_unit_test(the_json_form_round_trips_the_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
