/* test_compose: the words of follow-up messages from the shipped English
 * template — the clinic named, every link and the unsubscribe link carried
 * in the text, the HTML and the text message, nothing clinical said, the
 * clinic's name escaped in HTML, an unknown language falling back to
 * English and a clinic's template in wording.dir used instead. */
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

#include "followup/compose.h"

static const compose_link links[] = {
    {GENU_KNEE_LEFT, "https://s.example/s/LEFTTOKEN", "2026-12-15"},
    {GENU_KNEE_RIGHT, "https://s.example/s/RIGHTTOKEN", "2026-12-20"},
};
#define UNSUB "https://s.example/u/UNSUBTOKEN"

static void an_invitation_carries_the_links(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    composed c;
    genu_err err = {0};
    assert_int_equal(compose_message(NULL, "en", MSG_INVITATION, "Oak Park Knee Clinic", links, 2,
                                     UNSUB, a, &c, &err),
                     GENU_OK);
    assert_string_equal(c.subject, "Oak Park Knee Clinic: a few questions about your knee");
    const char *const parts[] = {c.text, c.html, c.sms};
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(strstr(parts[i], "Oak Park Knee Clinic"));
        assert_non_null(strstr(parts[i], "LEFTTOKEN"));
        assert_non_null(strstr(parts[i], "RIGHTTOKEN"));
        assert_non_null(strstr(parts[i], "UNSUBTOKEN"));
        /* nothing clinical: no condition, treatment or score */
        static const char *const never[] = {"arthritis", "treatment", "score", "injection",
                                            "diagnos", "PRP", "stem"};
        for (size_t k = 0; k < sizeof never / sizeof never[0]; k++)
            if (strstr(parts[i], never[k]))
                fail_msg("part %zu says \"%s\"", i, never[k]);
    }
    assert_non_null(strstr(c.text, "Your left knee:\nhttps://s.example/s/LEFTTOKEN"));
    assert_non_null(strstr(c.text, "The link works until 2026-12-15."));
    assert_non_null(strstr(c.html, "<a href=\"https://s.example/s/RIGHTTOKEN\">Your right knee</a>"));
    genu_arena_destroy(a);
}

static void a_reminder_says_so_and_names_are_escaped(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    composed c;
    genu_err err = {0};
    assert_int_equal(compose_message(NULL, "xx", MSG_REMINDER, "<b>A&B</b>", links, 1, UNSUB, a,
                                     &c, &err),
                     GENU_OK);
    assert_non_null(strstr(c.subject, "Reminder"));
    assert_non_null(strstr(c.sms, "Reminder from <b>A&B</b>"));
    assert_non_null(strstr(c.html, "&lt;b&gt;A&amp;B&lt;/b&gt;"));
    assert_null(strstr(c.html, "<b>A&B"));
    assert_null(strstr(c.text, "RIGHTTOKEN"));
    /* no clinic name: the template's own words */
    assert_int_equal(compose_message(NULL, "en", MSG_INVITATION, "", links, 1, NULL, a, &c, &err),
                     GENU_OK);
    assert_non_null(strstr(c.subject, "Your clinic"));
    genu_arena_destroy(a);
}

static void a_clinic_template_is_used(void **state)
{
    (void)state;
    char dir[] = "/tmp/genu-compose-XXXXXX", path[64], cmd[96];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/followup.de.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"language\":\"de\",\"clinic\":\"Ihre Praxis\",\"subject\":{\"invitation\":"
          "\"{clinic}: ein paar Fragen\",\"reminder\":\"Erinnerung\"},\"greeting\":\"Hallo,\","
          "\"intro\":{\"invitation\":\"Bitte antworten Sie.\",\"reminder\":\"Bitte.\"},"
          "\"link\":{\"left\":\"Linkes Knie\",\"right\":\"Rechtes Knie\",\"none\":\"Fragen\"},"
          "\"until\":\"Bis {date}.\",\"closing\":\"Danke,\",\"unsubscribe\":\"Abmelden:\","
          "\"unsubscribe_link\":\"Abmelden\",\"sms\":{\"invitation\":\"{clinic}: {links}\","
          "\"reminder\":\"{links}\"}}",
          f);
    fclose(f);
    genu_arena *a = genu_arena_create();
    composed c;
    genu_err err = {0};
    assert_int_equal(compose_message(dir, "de", MSG_INVITATION, "", links, 1, UNSUB, a, &c, &err),
                     GENU_OK);
    assert_string_equal(c.subject, "Ihre Praxis: ein paar Fragen");
    assert_non_null(strstr(c.text, "Linkes Knie:\nhttps://s.example/s/LEFTTOKEN"));
    /* a broken template is an error naming it, not a silent English mail */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"language\":", f);
    fclose(f);
    assert_int_equal(compose_message(dir, "de", MSG_INVITATION, "", links, 1, UNSUB, a, &c, &err),
                     GENU_EINVAL);
    assert_non_null(strstr(err.msg, "followup.de.json"));
    genu_arena_destroy(a);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_invitation_carries_the_links),
        cmocka_unit_test(a_reminder_says_so_and_names_are_escaped),
        cmocka_unit_test(a_clinic_template_is_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
