/* test_timepoint: nominal days, window half-widths and strict parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "analysis/timepoint.h"

static void nominal_days_and_windows(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int nominal, half;
    } ex[] = {
        {"6w", 42, 14},   {"8w", 56, 14},    {"9w", 63, 30},   {"3m", 91, 30},
        {"6m", 183, 60},  {"12m", 365, 90},  {"1y", 365, 90},  {"24m", 731, 180},
        {"2y", 731, 180}, {"36m", 1096, 180}, {"48m", 1461, 180}, {"4y", 1461, 180},
        {"1m", 30, 14},   {"2m", 61, 30},    {"13w", 91, 30},  {"26w", 182, 60},
        {"7m", 213, 90},  {"1w", 7, 14},
    };
    /* 3m = 91.3125 → 91; 6m = 182.625 → 183; 2y = 730.5 → 731 (half up) */
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        timepoint t;
        genu_err err = {0};
        assert_int_equal(timepoint_parse(ex[i].s, &t, &err), GENU_OK);
        assert_int_equal(t.nominal, ex[i].nominal);
        assert_int_equal(t.half, ex[i].half);
        assert_string_equal(t.text, ex[i].s);
    }
}

static void malformed_timepoints_are_errors(void **state)
{
    (void)state;
    const char *bad[] = {"48M", "0m", "m", "", "3", "-3m", "+3m", "3 m", "3mm", "06m",
                         "3d", "1.5m", "99999999y", "3m ", " 3m"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        timepoint t = {0};
        genu_err err = {0};
        assert_int_equal(timepoint_parse(bad[i], &t, &err), GENU_EINVAL);
        assert_non_null(strstr(err.msg, "expected") ? err.msg : strstr(err.msg, "beyond"));
        assert_int_equal(t.nominal, 0);
    }
}

static void window_never_starts_before_day_one(void **state)
{
    (void)state;
    timepoint t;
    genu_date first, last;
    timepoint_parse("1w", &t, NULL);
    timepoint_window(&t, 1000, &first, &last);
    assert_int_equal(first, 1001); /* 7 − 14 would be before the index */
    assert_int_equal(last, 1021);
    timepoint_parse("3m", &t, NULL);
    timepoint_window(&t, 1000, &first, &last);
    assert_int_equal(first, 1061);
    assert_int_equal(last, 1121);
    assert_true(timepoint_closed(&t, 1000, 1121));
    assert_false(timepoint_closed(&t, 1000, 1120));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nominal_days_and_windows),
        cmocka_unit_test(malformed_timepoints_are_errors),
        cmocka_unit_test(window_never_starts_before_day_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
