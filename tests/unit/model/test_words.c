/* test_words: every rule of model/words (durations, changes, points,
 * timepoints, labels), with expected phrases worked by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model/vocab.h"
#include "model/words.h"

static char out[WORDS_MAX];

static const char *dur(long days)
{
    return words_duration(days, 0, out, sizeof out);
}

static void durations_in_days_weeks_months_years(void **state)
{
    (void)state;
    assert_string_equal(dur(0), "0 days");
    assert_string_equal(dur(1), "1 day");
    assert_string_equal(dur(13), "13 days");
    assert_string_equal(dur(14), "2 weeks");
    assert_string_equal(dur(21), "3 weeks");
    assert_string_equal(dur(60), "9 weeks"); /* 60 / 7 = 8.57 */
    assert_string_equal(dur(61), "2 months"); /* 61 / 30.44 = 2.00 */
    assert_string_equal(dur(243), "8 months"); /* 7.98 */
    assert_string_equal(dur(365), "12 months");
    assert_string_equal(dur(547), "18 months"); /* 17.97 */
    assert_string_equal(dur(548), "2 years");   /* 1.50 */
    assert_string_equal(dur(730), "2 years");
    assert_string_equal(dur(6878), "19 years"); /* 18.83: CH3's stage 3 */
    assert_string_equal(dur(-21), "3 weeks");
    assert_string_equal(words_duration(730, WORDS_SPELLED, out, sizeof out), "two years");
    assert_string_equal(words_duration(1, WORDS_SPELLED, out, sizeof out), "one day");
    assert_string_equal(words_duration(9000, WORDS_SPELLED, out, sizeof out), "25 years");
}

static void no_day_count_above_60(void **state)
{
    (void)state;
    for (long d = 0; d < 40000; d++) {
        const char *s = dur(d);
        if (strstr(s, "day"))
            assert_true(d <= 60);
        if (strstr(s, "week"))
            assert_true(d >= 14 && d <= 60);
    }
}

static void changes_have_direction_and_both_values(void **state)
{
    (void)state;
    assert_string_equal(words_change("pain", 8, 4, 10, true, out, sizeof out),
                        "pain improved from 8/10 to 4/10");
    assert_string_equal(words_change("pain", 3, 6, 10, true, out, sizeof out),
                        "pain worsened from 3/10 to 6/10");
    assert_string_equal(words_change("pain", 5, 5, 10, true, out, sizeof out),
                        "pain unchanged at 5/10");
    assert_string_equal(words_change("KOOS ADL", 40, 65, 0, false, out, sizeof out),
                        "KOOS ADL improved from 40 to 65");
    assert_string_equal(words_change("pain", 2.5, 1.5, 10, true, out, sizeof out),
                        "pain improved from 2.5/10 to 1.5/10");
}

static void points_have_direction(void **state)
{
    (void)state;
    assert_string_equal(words_points(-4, true, out, sizeof out), "4 points better");
    assert_string_equal(words_points(1, true, out, sizeof out), "1 point worse");
    assert_string_equal(words_points(0, true, out, sizeof out), "no change");
    assert_string_equal(words_points(10, false, out, sizeof out), "10 points better");
}

static void timepoints_in_years_past_24_months(void **state)
{
    (void)state;
    assert_string_equal(words_timepoint(6, 0, out, sizeof out), "6w");
    assert_string_equal(words_timepoint(0, 6, out, sizeof out), "6m");
    assert_string_equal(words_timepoint(0, 24, out, sizeof out), "24m");
    assert_string_equal(words_timepoint(0, 36, out, sizeof out), "3 y");
    assert_string_equal(words_timepoint(0, 240, out, sizeof out), "20 y");
    assert_string_equal(words_timepoint(0, 30, out, sizeof out), "30m");
    assert_string_equal(words_timepoint_text("264m", out, sizeof out), "22 y");
    assert_string_equal(words_timepoint_text("12m", out, sizeof out), "12m");
    assert_string_equal(words_timepoint_text("6w", out, sizeof out), "6w");
    assert_string_equal(words_timepoint_text("3y", out, sizeof out), "3 y");
    assert_string_equal(words_timepoint_text("2y", out, sizeof out), "24m");
    assert_string_equal(words_timepoint_text("baseline", out, sizeof out), "baseline");
}

static void codes_become_labels(void **state)
{
    (void)state;
    assert_string_equal(words_codes("bone_marrow_aspirate, dextrose_prolotherapy", out, sizeof out),
                        "bone marrow aspirate, dextrose prolotherapy");
    assert_string_equal(words_codes("bone_marrow_aspirate+prp", out, sizeof out),
                        "bone marrow aspirate and PRP");
    assert_string_equal(words_codes("acl_tear", out, sizeof out), "ACL tear");
    assert_string_equal(words_codes("intra_articular_only", out, sizeof out),
                        "intra-articular only");
    assert_string_equal(words_codes("no_such_code", out, sizeof out), "no such code");
    char small[8];
    assert_string_equal(words_codes("bone_marrow_aspirate", small, sizeof small), "bone ma");
}

static void every_label_is_for_people(void **state)
{
    (void)state;
    /* a label beside every code of every table, none with an underscore */
    for (size_t t = 0; t < vocab_ntable(); t++) {
        size_t n = 0;
        assert_non_null(vocab_table(t, &n));
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            vocab_entry e = vocab_table_row(t, i);
            assert_non_null(e.name);
            assert_non_null(e.label);
            assert_null(strchr(e.label, '_'));
        }
    }
    assert_string_equal(vocab_kind_at(vocab_kind_find("prp"))->label, "PRP");
    assert_string_equal(vocab_condition_label(vocab_condition("meniscus_tear")), "meniscus tear");
    assert_string_equal(vocab_site_label(vocab_site("pes_anserine")), "pes anserine");
    assert_string_equal(vocab_sites_class_label(VOCAB_SITES_IA_ONLY), "intra-articular only");
    assert_null(vocab_label("nonsense"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations_in_days_weeks_months_years),
        cmocka_unit_test(no_day_count_above_60),
        cmocka_unit_test(changes_have_direction_and_both_values),
        cmocka_unit_test(points_have_direction),
        cmocka_unit_test(timepoints_in_years_past_24_months),
        cmocka_unit_test(codes_become_labels),
        cmocka_unit_test(every_label_is_for_people),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
