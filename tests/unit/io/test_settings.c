/* test_settings: the registry setting womac.max_missing on a temporary
 * SQLite registry (the e2e test womac_settings runs both backends): its
 * default, checks and canonical form, a change re-scoring what it affects,
 * the write-time re-scoring of records parsed before a change, and the
 * "scoring" field a response records. Expected scores worked by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/record_json.h"
#include "io/settings.h"

/* A's womac at 3m: P1-P3 1, P4-P5 missing (default null; with 2 allowed
 * 3 + 2 x 1 = 5), S 1, 1, F all 1. */
#define WOMAC_ITEMS_3M                                                                             \
    "{\"P1\":1,\"P2\":1,\"P3\":1,\"S1\":1,\"S2\":1,\"F1\":1,\"F2\":1,\"F3\":1,\"F4\":1,"           \
    "\"F5\":1,\"F6\":1,\"F7\":1,\"F8\":1,\"F9\":1,\"F10\":1,\"F11\":1,\"F12\":1,\"F13\":1,"        \
    "\"F14\":1,\"F15\":1,\"F16\":1,\"F17\":1}"
static const char patient[] =
    "{\"type\":\"patient\",\"id\":\"A\",\"site\":\"oak\",\"sex\":\"male\",\"birth_year\":1950}";
static const char womac[] = "{\"type\":\"response\",\"id\":\"W\",\"patient\":\"A\",\"knee\":"
                            "\"left\",\"date\":\"2020-01-01\",\"instrument\":\"womac\","
                            "\"items\":" WOMAC_ITEMS_3M "}";
static const char nprs[] = "{\"type\":\"response\",\"id\":\"N\",\"patient\":\"A\",\"knee\":"
                           "\"left\",\"date\":\"2020-01-01\",\"instrument\":\"nprs\","
                           "\"items\":{\"intensity\":4}}";

typedef struct fx {
    char path[64];
    genu_store *s;
    genu_arena *a;
} fx;

static int setup(void **state)
{
    static fx f;
    genu_err err = {0};
    snprintf(f.path, sizeof f.path, "/tmp/genu-test-settings-%d.db", (int)getpid());
    unlink(f.path);
    if (store_open(f.path, true, &f.s, &err) || !(f.a = genu_arena_create()))
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char p[80];
    store_close(f->s);
    genu_arena_destroy(f->a);
    const char *ext[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, ext[i]);
        unlink(p);
    }
    return 0;
}

static genu_record parse(fx *f, const char *line, const instr_opts *o)
{
    genu_record r;
    genu_err err = {0};
    if (record_json_parse_with(line, strlen(line), o, f->a, &r, &err))
        fail_msg("%s", err.msg);
    return r;
}

static void put(fx *f, const char *line)
{
    genu_record r = parse(f, line, NULL);
    store_put_result res;
    genu_err err = {0};
    assert_int_equal(store_put(f->s, &r, &res, &err), GENU_OK);
}

static double pain_of(const genu_record *r)
{
    return r->u.response.scores[0].value; /* "pain" is womac's first score */
}

/* W's pain as stored (the scores column, not recomputed). */
static double stored_pain(fx *f)
{
    genu_record r;
    genu_err err = {0};
    assert_int_equal(store_get(f->s, GENU_REC_RESPONSE, "W", f->a, &r, &err), GENU_OK);
    return pain_of(&r);
}

static void default_until_set(void **state)
{
    fx *f = *state;
    settings_value v;
    genu_err err = {0};
    instr_opts o;
    assert_int_equal(settings_get(f->s, "womac.max_missing", f->a, &v, &err), GENU_OK);
    assert_string_equal(v.value, "1,0,3");
    assert_string_equal(v.fallback, "1,0,3");
    assert_false(v.set);
    assert_int_equal(settings_scoring(f->s, f->a, &o, &err), GENU_OK);
    assert_true(instrument_opts_equal(&o, NULL));
    assert_int_equal(settings_get(f->s, "deid_key", f->a, &v, &err), GENU_EINVAL);
    assert_string_equal(err.msg, "unknown setting \"deid_key\" (known: womac.max_missing, "
                                 "followup.schedule, followup.reminder_days, followup.base_url, "
                                 "followup.sms_command, clinic.name, smtp.url, smtp.from, "
                                 "smtp.credentials_file, wording.dir)");
    assert_int_equal(settings_get(f->s, "followup_key", f->a, &v, &err), GENU_EINVAL);
}

static void values_are_checked_and_made_canonical(void **state)
{
    (void)state;
    char canon[SETTINGS_VALUE_LEN];
    genu_err err = {0};
    assert_int_equal(settings_check("womac.max_missing", " 2 ,0, 17", canon, &err), GENU_OK);
    assert_string_equal(canon, "2,0,17");
    assert_int_equal(settings_check("womac.max_missing", "1,0,18", canon, &err), GENU_EINVAL);
    assert_string_equal(err.msg, "womac.max_missing: function: 18 is out of range (0 to 17)");
}

static void a_change_rescores_the_stored_responses(void **state)
{
    fx *f = *state;
    settings_change c;
    genu_err err = {0};
    put(f, patient);
    put(f, womac);
    put(f, nprs);
    assert_true(isnan(stored_pain(f)));
    assert_int_equal(settings_set(f->s, "womac.max_missing", "2,0,3", f->a, &c, &err), GENU_OK);
    assert_true(c.changed);
    assert_string_equal(c.before, "1,0,3");
    assert_string_equal(c.after, "2,0,3");
    assert_int_equal(c.examined, 1); /* the nprs response is not read */
    assert_int_equal(c.rescored, 1);
    assert_true(fabs(stored_pain(f) - 5) < 1e-12);
    assert_int_equal(settings_set(f->s, "womac.max_missing", "2,0,3", f->a, &c, &err), GENU_OK);
    assert_false(c.changed);
    assert_int_equal(settings_set(f->s, "womac.max_missing", "9,0,3", f->a, &c, &err), GENU_EINVAL);
    settings_value v;
    assert_int_equal(settings_get(f->s, "womac.max_missing", f->a, &v, &err), GENU_OK);
    assert_string_equal(v.value, "2,0,3");
    assert_true(v.set);
}

/* Records parsed with the defaults before the change are re-scored inside
 * the write; an nprs response alone does not even read the setting. */
static void writes_follow_a_change_made_after_the_parse(void **state)
{
    fx *f = *state;
    genu_err err = {0};
    genu_record recs[2] = {parse(f, nprs, NULL), parse(f, womac, NULL)};
    instr_opts used = instrument_opts_default;
    assert_true(isnan(pain_of(&recs[1])));
    assert_int_equal(settings_rescore_stale(f->s, &used, recs, 1, f->a, &err), GENU_OK);
    assert_true(instrument_opts_equal(&used, NULL)); /* not read: nothing reads it */
    assert_int_equal(settings_rescore_stale(f->s, &used, recs, 2, f->a, &err), GENU_OK);
    assert_int_equal(used.womac_max_missing.pain, 2);
    assert_true(fabs(pain_of(&recs[1]) - 5) < 1e-12);
    assert_non_null(strstr(recs[1].doc, "\"version\":1,\"scoring\":{\"womac_max_missing\":[2,0,3]},"
                                        "\"scores\":{\"pain\":5,"));
    assert_int_equal(recs[0].u.response.scores[0].value, 4);
}

/* The options a line names are the rule its scores are checked by. */
static void given_scores_are_checked_under_the_options_they_name(void **state)
{
    fx *f = *state;
    instr_opts two = instrument_opts_default;
    two.womac_max_missing.pain = 2;
    genu_record r = parse(f, womac, &two);
    genu_record back = parse(f, r.doc, NULL); /* the defaults: null, the doc's 5 checked by 2 */
    assert_true(isnan(pain_of(&back)));
    assert_null(strstr(back.doc, "\"scoring\""));
    static const struct {
        const char *scoring, *msg;
    } bad[] = {
        {"5", "field \"scoring\": expected an object, got integer"},
        {"{\"x\":1}", "field \"scoring.x\": unknown scoring option (expected womac_max_missing)"},
        {"{\"womac_max_missing\":[1,0]}", "field \"scoring.womac_max_missing\": expected [pain, "
                                          "stiffness, function], three integers"},
        {"{\"womac_max_missing\":[1,3,3]}",
         "field \"scoring.womac_max_missing\": stiffness: 3 is out of range (0 to 2)"},
        {"{\"womac_max_missing\":[1,0,3]}", "field \"scores\": do not match the scores genu "
                                            "computes from the items"},
    };
    const char *cut = strstr(r.doc, "\"scoring\":");
    const char *rest = strstr(cut, ",\"scores\"");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[4096];
        genu_record x;
        genu_err err = {0};
        snprintf(line, sizeof line, "%.*s\"scoring\":%s%s", (int)(cut - r.doc), r.doc,
                 bad[i].scoring, rest);
        assert_int_equal(record_json_parse(line, strlen(line), f->a, &x, &err), GENU_EINVAL);
        if (strstr(err.msg, bad[i].msg) == NULL)
            fail_msg("%s: got \"%s\"", bad[i].scoring, err.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_until_set),
        cmocka_unit_test(values_are_checked_and_made_canonical),
        cmocka_unit_test(a_change_rescores_the_stored_responses),
        cmocka_unit_test(writes_follow_a_change_made_after_the_parse),
        cmocka_unit_test(given_scores_are_checked_under_the_options_they_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
