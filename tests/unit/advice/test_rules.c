/* Unit tests for the rules file: the shipped default rules parse and match
 * default_rules.txt byte for byte; every kind of malformed file is an error
 * that names its line; three-valued conditions; settings; continuation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice/rules.h"
#include "advice/rules_default.h"

static void default_rules_match_the_text_file(void **state)
{
    (void)state;
    char path[4096];
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    assert_non_null(slash);
    snprintf(path, sizeof path, "%.*s/../../../src/advice/default_rules.txt", (int)(slash - here),
             here);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char file[1 << 16];
    size_t n = fread(file, 1, sizeof file - 1, f);
    fclose(f);
    file[n] = '\0';
    size_t nl, len = 0;
    const char *const *lines = rules_default_lines(&nl);
    static char text[1 << 16];
    for (size_t i = 0; i < nl; i++) {
        size_t k = strlen(lines[i]);
        assert_true(len + k < sizeof text);
        memcpy(text + len, lines[i], k);
        len += k;
    }
    text[len] = '\0';
    /* src/advice/embed_rules.sh regenerates rules_default.c */
    assert_int_equal(len, n);
    assert_string_equal(text, file);
}

static void default_rules_parse(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    genu_err err = {0};
    rules rs;
    int rc = rules_load_default(a, &rs, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, GENU_OK);
    assert_int_equal(rs.n, 25);
    assert_string_equal(rs.rule[0].id, "red_flag_severe_pain_swelling");
    assert_int_equal(rs.rule[0].level, RULES_URGENT);
    assert_string_equal(rs.similar.def.text, "improvement_pct:nprs.intensity>=50");
    assert_string_equal(rs.similar.at.text, "6m");
    assert_int_equal(rs.similar.min, 10);
    /* every shipped rule has a title of its own, in words for people */
    for (size_t i = 0; i < rs.n; i++) {
        assert_true(rs.rule[i].source && rs.rule[i].source[0]);
        assert_non_null(rs.rule[i].title);
        assert_null(strchr(rs.rule[i].title, '_'));
        assert_true(rs.rule[i].title[0] >= 'A' && rs.rule[i].title[0] <= 'Z');
    }
    assert_string_equal(rs.rule[15].id, "series_helped_again");
    assert_string_equal(rs.rule[15].title, "The last series helped again");
    genu_arena_destroy(a);
}

/* Parses text; expects failure with msg containing want. */
static void bad(const char *text, const char *want)
{
    genu_arena *a = genu_arena_create();
    genu_err err = {0};
    rules rs;
    int rc = rules_parse(text, strlen(text), "site.rules", a, &rs, &err);
    if (rc != GENU_EINVAL || !strstr(err.msg, want))
        fprintf(stderr, "wanted \"%s\", got (%d) \"%s\"\n", want, rc, err.msg);
    assert_int_equal(rc, GENU_EINVAL);
    assert_non_null(strstr(err.msg, want));
    genu_arena_destroy(a);
}

#define HEAD "genu-rules 1\n"
#define RULE(when) "rule r1\nlevel info\nsource s\nwhen " when "\nmessage m\nend\n"

static void malformed_files_name_their_line(void **state)
{
    (void)state;
    bad("rule r1\n", "site.rules:1: expected \"genu-rules 1\" first");
    bad("", "site.rules:1: expected \"genu-rules 1\"");
    bad("# comment\n\ngenu-rules 2\n", "site.rules:3: rules format version 2 is not supported");
    bad("genu-rules one\n", "site.rules:1: genu-rules: expected a version number");
    bad(HEAD RULE("exam.lockng"), "site.rules:5: when: unknown fact \"exam.lockng\"");
    bad(HEAD RULE("kl == \"3\""), "site.rules:5: when: kl is a number, compared with text");
    bad(HEAD RULE("exam.swelling == \"severe\""),
        "site.rules:5: when: exam.swelling is one of none mild marked, not \"severe\"");
    bad(HEAD RULE("exam.swelling > \"mild\""), "site.rules:5: when: only numbers can be ordered");
    bad(HEAD RULE("kl"), "site.rules:5: when: kl (a number) is not a condition");
    bad(HEAD RULE("kl == 3 kl"), "site.rules:5: when: unexpected \"kl\"");
    bad(HEAD RULE("(kl == 3"), "site.rules:5: when: expected \")\"");
    bad(HEAD RULE("kl = 3"), "site.rules:5: when: unknown operator");
    bad(HEAD RULE("kl == 3 and"), "site.rules:5: when: expected a fact or a value");
    bad(HEAD RULE("3 == 3"), "site.rules:5: when: a comparison needs a fact");
    bad(HEAD RULE("kl == 3x"), "site.rules:5: when: malformed number");
    bad(HEAD RULE("exam.swelling == \"marked"), "site.rules:5: when: unterminated string");
    bad(HEAD "rule r1\nlevel info\nsource s\nwhen kl == 3\nmessage KL {kll}\nend\n",
        "site.rules:6: message: unknown fact \"kll\"");
    bad(HEAD "rule r1\nlevel info\nsource s\nwhen kl == 3\nmessage KL {kl\nend\n",
        "site.rules:6: message: unterminated \"{\"");
    bad(HEAD "rule r1\nlevel severe\n", "site.rules:3: rule r1: level: expected info, caution or urgent");
    bad(HEAD "rule r1\nlevel info\nlevel info\n", "site.rules:4: rule r1: level given twice");
    bad(HEAD "rule r1\nlevl info\n", "site.rules:3: rule r1: unknown field \"levl\"");
    bad(HEAD "rule r1\nlevel info\nsource s\nwhen kl == 3\nend\n", "site.rules:6: rule r1 has no message");
    bad(HEAD "rule r1\nlevel info\nsource s\nwhen kl == 3\nmessage m\n", "site.rules:2: rule r1 has no \"end\"");
    bad(HEAD "rule r1\nlevel info\nrule r2\n", "site.rules:4: rule r1 (line 2) has no \"end\"");
    bad(HEAD RULE("kl == 3") "rule r1\n", "site.rules:8: rule r1 is defined twice (line 2)");
    bad(HEAD "rule Red-Flag\n", "site.rules:2: rule: expected an id");
    bad(HEAD "end\n", "site.rules:2: \"end\" outside a rule");
    bad(HEAD "similar.min 0\n", "site.rules:2: similar.min: expected a whole number");
    bad(HEAD "similar.at 6 months\n", "site.rules:2: similar.at:");
    bad(HEAD "similar.responder improvement_pct:koos.pain>=50\n", "site.rules:2: similar.responder:");
    bad(HEAD "colour blue\n", "site.rules:2: unknown setting \"colour\"");
    bad(HEAD "\n  when kl == 3\n", "site.rules:3: indented line continues nothing");
    bad(HEAD "rule r1\nlevel \xff\n", "site.rules:3: not UTF-8");
}

static bool fires(const char *when, const facts *f)
{
    char text[1024];
    snprintf(text, sizeof text, HEAD "rule r\nlevel info\nsource s\nwhen %s\nmessage m\nend\n", when);
    genu_arena *a = genu_arena_create();
    genu_err err = {0};
    rules rs;
    assert_int_equal(rules_parse(text, strlen(text), "t", a, &rs, &err), GENU_OK);
    int used[512];
    size_t n;
    bool fired;
    rules_eval(&rs.rule[0], f, &fired, used, &n);
    genu_arena_destroy(a);
    return fired;
}

static void unknown_facts_never_fire_a_rule(void **state)
{
    (void)state;
    facts_value v[512];
    assert_true(facts_count() <= 512);
    memset(v, 0, sizeof v);
    facts f = {"P", GENU_KNEE_LEFT, 0, v, {0}};
    int kl = facts_find("kl", 2), lock = facts_find("exam.locking", 12);
    /* every fact unknown */
    assert_false(fires("exam.locking", &f));
    assert_false(fires("not exam.locking", &f));
    assert_false(fires("kl < 3", &f));
    assert_false(fires("not (kl < 3)", &f));
    assert_true(fires("not known(kl)", &f));
    /* unknown or true is true; unknown and false is false */
    v[kl].known = true;
    v[kl].d = 2;
    assert_true(fires("exam.locking or kl <= 2", &f));
    assert_false(fires("exam.locking and kl <= 2", &f));
    assert_true(fires("not (exam.locking and kl > 2)", &f));
    v[lock].known = true;
    v[lock].b = false;
    assert_true(fires("not exam.locking", &f));
    assert_true(fires("exam.locking == false and kl == 2 and kl != 3 and kl >= 2", &f));
}

static void continuation_lines_join_and_settings_apply(void **state)
{
    (void)state;
    const char *text = "# site rules\n"
                       "genu-rules 1\n"
                       "similar.min 3\n"
                       "similar.at 12m\n"
                       "rule r1\r\n"
                       "level caution\n"
                       "source a site's\n"
                       "  own protocol\n"
                       "when kl >= 3\n"
                       "\tand not replaced\n"
                       "message KL {kl}; braces {{like this}}\n"
                       "end\n";
    genu_arena *a = genu_arena_create();
    genu_err err = {0};
    rules rs;
    int rc = rules_parse(text, strlen(text), "t", a, &rs, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, GENU_OK);
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.similar.min, 3);
    assert_string_equal(rs.similar.at.text, "12m");
    assert_string_equal(rs.rule[0].source, "a site's own protocol");
    assert_string_equal(rs.rule[0].when, "kl >= 3 and not replaced");
    assert_int_equal(rs.rule[0].line, 5);
    facts_value v[512];
    memset(v, 0, sizeof v);
    facts f = {"P", GENU_KNEE_LEFT, 0, v, {0}};
    int kl = facts_find("kl", 2), rep = facts_find("replaced", 8);
    v[kl] = (facts_value){true, false, 4, NULL, 0, 0, NULL};
    v[rep] = (facts_value){true, false, 0, NULL, 0, 0, NULL};
    int used[512];
    size_t n;
    bool fired;
    rules_eval(&rs.rule[0], &f, &fired, used, &n);
    assert_true(fired);
    assert_int_equal(n, 2);
    assert_int_equal(used[0], kl);
    assert_int_equal(used[1], rep);
    assert_string_equal(rules_message(&rs.rule[0], &f, a), "KL 4; braces {like this}");
    genu_arena_destroy(a);
}

/* Parses text, which must succeed, into rs (arena a). */
static void good(const char *text, genu_arena *a, rules *rs)
{
    genu_err err = {0};
    int rc = rules_parse(text, strlen(text), "site.rules", a, rs, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, GENU_OK);
}

static void titles_are_words_for_people(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    rules rs;
    /* a title, continued on the next line, anywhere in the block */
    good(HEAD "rule r1\nlevel info\nsource s\nwhen kl == 3\ntitle Middle-stage\n"
              "  arthritis\nmessage m\nend\n",
         a, &rs);
    assert_string_equal(rs.rule[0].id, "r1");
    assert_string_equal(rs.rule[0].title, "Middle-stage arthritis");
    /* without one, the id in words */
    good(HEAD "rule red_flag_locked_knee\nlevel urgent\nsource s\nwhen exam.locking\n"
              "message m\nend\n",
         a, &rs);
    assert_string_equal(rs.rule[0].id, "red_flag_locked_knee");
    assert_string_equal(rs.rule[0].title, "Red flag locked knee");
    good(HEAD "rule x\nlevel info\nsource s\nwhen kl == 3\nmessage m\nend\n", a, &rs);
    assert_string_equal(rs.rule[0].title, "X");
    genu_arena_destroy(a);
    bad(HEAD "rule r1\ntitle A\ntitle B\nlevel info\nsource s\nwhen kl == 3\nmessage m\nend\n",
        "site.rules:4: rule r1: title given twice");
    bad(HEAD "rule r1\ntitle\nlevel info\nsource s\nwhen kl == 3\nmessage m\nend\n",
        "site.rules:3: rule r1: title needs a value");
    bad(HEAD "rule r1\ntitle Locked_knee\nlevel info\nsource s\nwhen kl == 3\nmessage m\nend\n",
        "site.rules:3: rule r1: title: \"_\" has no place in words for people");
    bad(HEAD "rule r1\ntitle KL {kl}\nlevel info\nsource s\nwhen kl == 3\nmessage m\nend\n",
        "site.rules:3: rule r1: title: \"{\" has no place in words for people");
    bad(HEAD "rule r1\ntitel T\nlevel info\nsource s\nwhen kl == 3\nmessage m\nend\n",
        "site.rules:3: rule r1: unknown field \"titel\" (expected title, level");
}

static void a_missing_file_is_an_io_error(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    genu_err err = {0};
    rules rs;
    assert_int_equal(rules_load("/nonexistent/site.rules", a, &rs, &err), GENU_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/site.rules"));
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_rules_match_the_text_file),
        cmocka_unit_test(default_rules_parse),
        cmocka_unit_test(malformed_files_name_their_line),
        cmocka_unit_test(unknown_facts_never_fire_a_rule),
        cmocka_unit_test(continuation_lines_join_and_settings_apply),
        cmocka_unit_test(titles_are_words_for_people),
        cmocka_unit_test(a_missing_file_is_an_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
