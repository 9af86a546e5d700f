/* test_jw: the JSON writer of core/buf.h — commas and colons in nested
 * objects and arrays, empty containers, each kind of value, keys and
 * strings escaped, dates, values appended by the caller; expected texts
 * written by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"

static void nested_objects_and_arrays(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    genu_jw w;
    genu_jw_init(&w, &b);
    genu_jw_obj(&w);
    genu_jw_kstr(&w, "id", "p1");
    genu_jw_karr(&w, "knees");
    genu_jw_str(&w, "left");
    genu_jw_str(&w, "right");
    genu_jw_end(&w);
    genu_jw_karr(&w, "none");
    genu_jw_end(&w);
    genu_jw_kobj(&w, "empty");
    genu_jw_end(&w);
    genu_jw_karr(&w, "rows");
    for (int i = 0; i < 2; i++) {
        genu_jw_obj(&w);
        genu_jw_kint(&w, "i", i);
        genu_jw_karr(&w, "ci");
        genu_jw_num(&w, 0.25 * i);
        genu_jw_num(&w, NAN);
        genu_jw_end(&w);
        genu_jw_end(&w);
    }
    genu_jw_end(&w);
    genu_jw_kbool(&w, "ok", true);
    genu_jw_end(&w);
    assert_int_equal(w.depth, 0);
    assert_string_equal(b.p, "{\"id\":\"p1\",\"knees\":[\"left\",\"right\"],\"none\":[],"
                             "\"empty\":{},\"rows\":[{\"i\":0,\"ci\":[0,null]},"
                             "{\"i\":1,\"ci\":[0.25,null]}],\"ok\":true}");
    genu_buf_free(&b);
}

static void every_kind_of_value(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    genu_jw w;
    genu_jw_init(&w, &b);
    genu_jw_arr(&w);
    genu_jw_str(&w, "a\"b\\c\n");
    genu_jw_str(&w, NULL);
    genu_jw_num(&w, 1.5);
    genu_jw_num(&w, INFINITY);
    genu_jw_int(&w, -42);
    genu_jw_size(&w, (size_t)18446744073709551615ull);
    genu_jw_bool(&w, false);
    genu_jw_null(&w);
    genu_jw_date(&w, 0);
    genu_jw_date(&w, GENU_DATE_NONE);
    genu_jw_raw(&w, "{\"x\":1}");
    genu_buf_printf(genu_jw_val(&w), "%.2f", 0.5);
    genu_jw_end(&w);
    assert_string_equal(b.p, "[\"a\\\"b\\\\c\\n\",null,1.5,null,-42,18446744073709551615,false,"
                             "null,\"1970-01-01\",null,{\"x\":1},0.50]");
    genu_buf_free(&b);
}

static void keyed_values_and_escaped_keys(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    genu_jw w;
    genu_jw_init(&w, &b);
    genu_jw_obj(&w);
    genu_jw_knull(&w, "a\"b");
    genu_jw_knum(&w, "n", 0.1);
    genu_jw_ksize(&w, "z", 3);
    genu_jw_kdate(&w, "d", 19723); /* 2024-01-01 */
    genu_jw_kraw(&w, "r", "[1,2]");
    genu_jw_key(&w, "v");
    genu_buf_puts(genu_jw_val(&w), "true");
    genu_jw_end(&w);
    assert_string_equal(b.p, "{\"a\\\"b\":null,\"n\":0.1,\"z\":3,\"d\":\"2024-01-01\","
                             "\"r\":[1,2],\"v\":true}");
    genu_buf_free(&b);
}

/* A lone value at the top has nothing around it; two writers on one buffer
 * (a document after another) each start afresh. */
static void top_level_values(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    genu_jw w;
    genu_jw_init(&w, &b);
    genu_jw_str(&w, "x");
    genu_buf_putc(&b, '\n');
    genu_jw_init(&w, &b);
    genu_jw_obj(&w);
    genu_jw_end(&w);
    assert_string_equal(b.p, "\"x\"\n{}");
    genu_buf_free(&b);
}

static void documents_end_with_a_newline(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    genu_jw w;
    genu_jw_doc(&w, &b);
    genu_jw_kstr(&w, "a", "x");
    genu_jw_karr(&w, "b");
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
    genu_jw_doc(&w, &b);
    genu_jw_doc_end(&w);
    assert_string_equal(b.p, "{\"a\":\"x\",\"b\":[]}\n{}\n");
    genu_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nested_objects_and_arrays),
        cmocka_unit_test(every_kind_of_value),
        cmocka_unit_test(keyed_values_and_escaped_keys),
        cmocka_unit_test(top_level_values),
        cmocka_unit_test(documents_end_with_a_newline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
