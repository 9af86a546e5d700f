/* test_err: error values of core/err.h — the first error wins (code,
 * message and source location), GENU_FAIL returns its code, prefixes
 * stack in front without replacing the text, clear resets, a NULL err is
 * allowed, and a message longer than the buffer is cut at the buffer's
 * size, still NUL-terminated, prefix included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

#define MSG_MAX (sizeof((genu_err *)0)->msg - 1) /* characters a message can hold */

static void first_error_wins(void **state)
{
    (void)state;
    genu_err e = {0};
    int line = __LINE__ + 1;
    assert_int_equal(GENU_FAIL(&e, GENU_EINVAL, "field \"%s\": %d is out of range", "kl", 7),
                     GENU_EINVAL);
    /* a later error is ignored but still returns its own code */
    assert_int_equal(GENU_FAIL(&e, GENU_EIO, "disk %s", "gone"), GENU_EIO);
    assert_int_equal(GENU_FAIL(&e, GENU_ENOMEM, "out of memory"), GENU_ENOMEM);
    assert_int_equal(e.code, GENU_EINVAL);
    assert_string_equal(e.msg, "field \"kl\": 7 is out of range");
    assert_string_equal(e.file, __FILE__);
    assert_int_equal(e.line, line);
}

static void fail_records_where_it_was_detected(void **state)
{
    (void)state;
    genu_err e = {0};
    genu_err_set(&e, GENU_ENOTFOUND, "here.c", 42, "no patient \"%s\"", "P9");
    assert_int_equal(e.code, GENU_ENOTFOUND);
    assert_string_equal(e.file, "here.c");
    assert_int_equal(e.line, 42);
    assert_string_equal(e.msg, "no patient \"P9\"");
}

/* The caller's context goes in front; the original text stays whole, and
 * an outer caller's prefix goes in front of an inner one's. */
static void prefix_goes_in_front(void **state)
{
    (void)state;
    genu_err e = {0};
    GENU_FAIL(&e, GENU_EINVAL, "field \"knee\": expected left or right");
    genu_err_prefix(&e, "%s:%zu: ", "visits.jsonl", (size_t)1501);
    assert_string_equal(e.msg, "visits.jsonl:1501: field \"knee\": expected left or right");
    genu_err_prefix(&e, "import: ");
    assert_string_equal(e.msg, "import: visits.jsonl:1501: field \"knee\": expected left or right");
    /* a prefix does not change the code or the location */
    assert_int_equal(e.code, GENU_EINVAL);
    assert_string_equal(e.file, __FILE__);
    /* an empty prefix changes nothing */
    genu_err_prefix(&e, "%s", "");
    assert_string_equal(e.msg, "import: visits.jsonl:1501: field \"knee\": expected left or right");
}

/* After clear, the value is GENU_OK with an empty message, and the next
 * error is recorded (it is "first" again). */
static void clear_resets_and_lets_the_next_error_in(void **state)
{
    (void)state;
    genu_err e = {0};
    GENU_FAIL(&e, GENU_EIO, "first");
    genu_err_clear(&e);
    assert_int_equal(e.code, GENU_OK);
    assert_string_equal(e.msg, "");
    GENU_FAIL(&e, GENU_ECONFLICT, "second");
    assert_int_equal(e.code, GENU_ECONFLICT);
    assert_string_equal(e.msg, "second");
}

/* "NULL e is allowed": nothing is written and the code is still returned. */
static void null_err_is_allowed(void **state)
{
    (void)state;
    assert_int_equal(GENU_FAIL(NULL, GENU_EINVAL, "ignored %s", "text"), GENU_EINVAL);
    assert_int_equal(GENU_FAIL(NULL, GENU_ENOMEM, "x"), GENU_ENOMEM);
    assert_int_equal(genu_err_set(NULL, GENU_OK, "f.c", 1, "nothing"), GENU_OK);
}

/* A message longer than the buffer keeps its first MSG_MAX characters and
 * its terminating NUL; the bytes after the buffer are not touched. */
static void long_message_is_cut_at_the_buffer_size(void **state)
{
    (void)state;
    struct {
        genu_err e;
        char guard[64];
    } g;
    memset(&g, 0, sizeof g);
    memset(g.guard, 0x5a, sizeof g.guard);
    char long_text[2000];
    for (size_t i = 0; i < sizeof long_text - 1; i++)
        long_text[i] = (char)('a' + i % 26);
    long_text[sizeof long_text - 1] = '\0';
    GENU_FAIL(&g.e, GENU_EINVAL, "%s", long_text);
    assert_int_equal(g.e.code, GENU_EINVAL);
    assert_int_equal(strlen(g.e.msg), MSG_MAX);
    assert_memory_equal(g.e.msg, long_text, MSG_MAX);
    for (size_t i = 0; i < sizeof g.guard; i++)
        assert_int_equal((unsigned char)g.guard[i], 0x5a);
}

/* A prefix on a full message: the prefix is whole at the front, the old
 * text follows and is cut so that the whole still fits. */
static void prefix_on_a_full_message_keeps_the_front(void **state)
{
    (void)state;
    genu_err e = {0};
    char body[MSG_MAX + 1];
    memset(body, 'x', MSG_MAX);
    body[MSG_MAX] = '\0';
    GENU_FAIL(&e, GENU_EINVAL, "%s", body);
    assert_int_equal(strlen(e.msg), MSG_MAX);
    genu_err_prefix(&e, "file.jsonl:%d: ", 7);
    const char *pre = "file.jsonl:7: ";
    size_t np = strlen(pre);
    assert_int_equal(strlen(e.msg), MSG_MAX);
    assert_memory_equal(e.msg, pre, np);
    for (size_t i = np; i < MSG_MAX; i++)
        assert_int_equal(e.msg[i], 'x');
}

static void codes_have_distinct_names(void **state)
{
    (void)state;
    const int codes[] = {GENU_OK,  GENU_EINVAL, GENU_ENOTFOUND, GENU_EEXIST,
                         GENU_EIO, GENU_ENOMEM, GENU_ENOTSUP,   GENU_ECONFLICT};
    for (size_t i = 0; i < 8; i++) {
        assert_non_null(genu_err_name(codes[i]));
        assert_true(strlen(genu_err_name(codes[i])) > 0);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(genu_err_name(codes[i]), genu_err_name(codes[j]));
    }
    assert_int_equal(GENU_OK, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_error_wins),
        cmocka_unit_test(fail_records_where_it_was_detected),
        cmocka_unit_test(prefix_goes_in_front),
        cmocka_unit_test(clear_resets_and_lets_the_next_error_in),
        cmocka_unit_test(null_err_is_allowed),
        cmocka_unit_test(long_message_is_cut_at_the_buffer_size),
        cmocka_unit_test(prefix_on_a_full_message_keeps_the_front),
        cmocka_unit_test(codes_have_distinct_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
