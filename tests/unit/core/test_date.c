#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/date.h"

static genu_date parse_ok(const char *s)
{
    genu_date d = 0;
    genu_err err = {0};
    assert_int_equal(genu_date_parse(s, strlen(s), &d, &err), GENU_OK);
    return d;
}

static void parse_rejects(const char *s)
{
    genu_date d = 12345;
    genu_err err = {0};
    assert_int_equal(genu_date_parse(s, strlen(s), &d, &err), GENU_EINVAL);
    assert_int_equal(d, 12345); /* out-param untouched on failure */
    assert_true(err.msg[0] != '\0');
}

static void epoch_is_day_zero(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01"), 0);
    assert_int_equal(parse_ok("1970-01-02"), 1);
    assert_int_equal(parse_ok("1969-12-31"), -1);
    assert_int_equal(parse_ok("2000-03-01"), 11017);
    assert_int_equal(parse_ok("2026-11-25"), 20782);
}

static void leap_years_follow_the_gregorian_rule(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-02-29") + 1, parse_ok("2024-03-01"));
    assert_int_equal(parse_ok("2000-02-29") + 1, parse_ok("2000-03-01"));
    parse_rejects("1900-02-29");
    parse_rejects("2023-02-29");
    parse_rejects("2023-02-30");
}

static void parsing_is_strict(void **state)
{
    (void)state;
    parse_rejects("2023-2-3");
    parse_rejects("2023-02-3");
    parse_rejects("2023/02/03");
    parse_rejects("2023-13-01");
    parse_rejects("2023-00-10");
    parse_rejects("2023-04-31");
    parse_rejects("2023-04-00");
    parse_rejects("0000-01-01");
    parse_rejects("20230101");
    parse_rejects("2023-01-01T00");
    parse_rejects(" 2023-01-01");
    parse_rejects("");
}

static void format_round_trips_every_day(void **state)
{
    (void)state;
    char buf[GENU_DATE_STRLEN];
    for (genu_date d = parse_ok("1899-12-25"); d < parse_ok("2101-01-05"); d += 1) {
        genu_date_format(d, buf);
        assert_int_equal(parse_ok(buf), d);
    }
    genu_date_format(parse_ok("2011-02-01"), buf);
    assert_string_equal(buf, "2011-02-01");
    assert_int_equal(genu_date_year(parse_ok("2011-12-31")), 2011);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(epoch_is_day_zero),
        cmocka_unit_test(leap_years_follow_the_gregorian_rule),
        cmocka_unit_test(parsing_is_strict),
        cmocka_unit_test(format_round_trips_every_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
