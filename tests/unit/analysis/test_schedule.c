/* test_schedule: the follow-up schedule setting — the default of
 * docs/followup.md, its yearly timepoints, groups asking different
 * instruments, the canonical text, every malformed value refused with its
 * reason, and the reminder days. Days worked by hand from the timepoint
 * rule (Nm = N x 30.4375 rounded half up). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <string.h>

#include "analysis/schedule.h"

static void the_default_schedule(void **state)
{
    (void)state;
    schedule s;
    genu_err err = {0};
    timepoint tp;
    const schedule_group *g;
    assert_int_equal(schedule_parse(SCHEDULE_DEFAULT, &s, &err), GENU_OK);
    static const char *const want[] = {"6w", "3m", "6m", "12m", "24m", "36m", "48m", "60m",
                                       "72m", "84m"};
    static const int days[] = {42, 91, 183, 365, 731, 1096, 1461, 1826, 2192, 2557};
    for (size_t i = 0; i < 10; i++) {
        assert_true(schedule_at(&s, i, &tp, &g));
        assert_string_equal(tp.text, want[i]);
        assert_int_equal(tp.nominal, days[i]);
        assert_int_equal(g->nins, 5);
        assert_string_equal(g->ins[0]->id, "nprs");
        assert_string_equal(g->ins[2]->id, "koos");
    }
    /* yearly up to 30 years: 6w..60m are 8, then 72m..360m are 25 */
    size_t n = 0;
    while (schedule_at(&s, n, &tp, &g))
        n++;
    assert_int_equal(n, 8 + 25);
    assert_true(schedule_at(&s, n - 1, &tp, &g));
    assert_string_equal(tp.text, "360m");
}

static void groups_and_canonical_text(void **state)
{
    (void)state;
    schedule s;
    genu_err err = {0};
    timepoint tp;
    const schedule_group *g;
    char text[256];
    assert_int_equal(schedule_parse(" 12m , 6w:nprs ,koos_jr;3m: ikdc", &s, &err), GENU_OK);
    assert_true(schedule_at(&s, 0, &tp, &g));
    assert_string_equal(tp.text, "6w");
    assert_int_equal(g->nins, 2);
    assert_true(schedule_at(&s, 1, &tp, &g));
    assert_string_equal(tp.text, "3m");
    assert_string_equal(g->ins[0]->id, "ikdc");
    assert_true(schedule_at(&s, 2, &tp, &g));
    assert_string_equal(tp.text, "12m");
    assert_false(schedule_at(&s, 3, &tp, &g)); /* no yearly */
    schedule_format(&s, text, sizeof text);
    assert_string_equal(text, "6w,12m: nprs,koos_jr; 3m: ikdc");
    schedule again;
    assert_int_equal(schedule_parse(text, &again, &err), GENU_OK);
    assert_int_equal(again.n, 3);
}

static void bad(const char *text, const char *want)
{
    schedule s;
    genu_err err = {0};
    assert_int_equal(schedule_parse(text, &s, &err), GENU_EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("\"%s\": got \"%s\", wanted \"%s\"", text, err.msg, want);
}

static void malformed_schedules_say_why(void **state)
{
    (void)state;
    bad("", "no timepoint scheduled");
    bad("6w nprs", "expected TIMEPOINTS: INSTRUMENTS");
    bad("6w: nosuch", "unknown instrument \"nosuch\"");
    bad("6w: nprs,nprs", "instrument nprs twice");
    bad("6w:", "a group asks no instrument");
    bad(": nprs", "a group names no timepoint");
    bad("6x: nprs", "\"6x\"");
    bad("3m,13w: nprs", "scheduled twice (as 3m)");
    bad("yearly,6w: nprs", "\"yearly\" must be the last timepoint");
    bad("31y: nprs", "past 30 years");
}

static void reminder_days(void **state)
{
    (void)state;
    int d[SCHEDULE_MAX_REMINDERS];
    size_t n;
    genu_err err = {0};
    assert_int_equal(schedule_reminders_parse(SCHEDULE_REMINDERS_DEFAULT, d, &n, &err), GENU_OK);
    assert_int_equal(n, 2);
    assert_int_equal(d[0], 3);
    assert_int_equal(d[1], 7);
    assert_int_equal(schedule_reminders_parse("none", d, &n, &err), GENU_OK);
    assert_int_equal(n, 0);
    assert_int_equal(schedule_reminders_parse("7,3", d, &n, &err), GENU_EINVAL);
    assert_non_null(strstr(err.msg, "days must increase"));
    assert_int_equal(schedule_reminders_parse("0", d, &n, &err), GENU_EINVAL);
    assert_int_equal(schedule_reminders_parse("2x", d, &n, &err), GENU_EINVAL);
    err = (genu_err){0};
    assert_int_equal(schedule_reminders_parse("1,2,3,4,5,6,7", d, &n, &err), GENU_EINVAL);
    assert_non_null(strstr(err.msg, "at most 6"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_default_schedule),
        cmocka_unit_test(groups_and_canonical_text),
        cmocka_unit_test(malformed_schedules_say_why),
        cmocka_unit_test(reminder_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
