/* test_json_fast: the plain-form reader gives jansson's tree (types, values,
 * key order) or nothing: on fixed cases, and on 200,000 seeded mutations
 * of record lines, each compared with json_loadb. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "io/json_fast.h"

/* jansson's text of v, keys in their order; reals as %.17g so that 1 and
 * 1.0 and -0.0 differ. */
static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
                             JSON_REAL_PRECISION(17));
}

/* Whether a and b have the same types everywhere (json_equal says 1 == 1.0
 * is false already; this also checks the order of keys through dump). */
static int same(const json_t *a, const json_t *b)
{
    char *x = dump(a), *y = dump(b);
    int ok = x && y && strcmp(x, y) == 0 && json_equal(a, b);
    free(x);
    free(y);
    return ok;
}

/* Checks s against jansson; returns whether the fast reader answered. */
static int check(const char *s, size_t n)
{
    json_error_t je;
    json_t *fast = json_fast_object(s, n);
    json_t *ref = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    if (fast) {
        if (!ref || !json_is_object(ref))
            fail_msg("accepted what jansson rejects: %.*s", (int)n, s);
        if (!same(fast, ref))
            fail_msg("a different tree from jansson's: %.*s", (int)n, s);
    }
    int answered = fast != NULL;
    json_decref(fast);
    json_decref(ref);
    return answered;
}

static void check_str(const char *s, int expect_answer)
{
    int answered = check(s, strlen(s));
    if (answered != expect_answer)
        fail_msg("%s: %s", s, answered ? "answered" : "left to jansson");
}

static void plain_form_read(void **state)
{
    (void)state;
    check_str("{}", 1);
    check_str("  {\"a\":1}\r\n", 1);
    check_str("{\"type\":\"response\",\"id\":\"R1\",\"items\":{\"P1\":0,\"P2\":4},"
              "\"scores\":{\"pain\":63.888888888888886,\"x\":null},\"ok\":true,\"no\":false}",
              1);
    check_str("{\"a\":[1,-2,3.5,-0,-0.0,0.0,1e3,1E-3,2.5e+2,[],{}],\"b\":\"\"}", 1);
    check_str("{\"esc\":\"line\\nnext \\\"q\\\" \\\\ \\/ \\t\\b\\f\\r\"}", 1);
    check_str("{\"\":0}", 1);
    check_str("{\"big\":999999999999999999,\"neg\":-999999999999999999}", 1);
    check_str("{ \"a\" : [ 1 , 2 ] , \"b\" : { } }", 1);
    check_str("{\"z\":1,\"a\":2,\"m\":3}", 1); /* order kept */
    check_str("{\"del\":\"\x7f\"}", 1);
}

static void other_forms_left_to_jansson(void **state)
{
    (void)state;
    check_str("", 0);
    check_str("[1]", 0);
    check_str("\"s\"", 0);
    check_str("{\"a\":1}x", 0);
    check_str("{\"a\":1,}", 0);
    check_str("{\"a\" 1}", 0);
    check_str("{\"a\":1,\"a\":2}", 0);               /* duplicate: jansson's error */
    check_str("{\"a\":\"\\u00e9\"}", 0);             /* \u */
    check_str("{\"a\":\"\xc3\xa9\"}", 0);            /* UTF-8 */
    check_str("{\"a\":\"\xc3\"}", 0);                /* broken UTF-8 */
    check_str("{\"a\":\"\\x\"}", 0);                 /* no escape */
    check_str("{\"a\":\"tab\there\"}", 0);           /* a control character */
    check_str("{\"a\":1234567890123456789}", 0);     /* 19 digits */
    check_str("{\"a\":99999999999999999999999}", 0); /* too big for jansson too */
    check_str("{\"a\":1e400}", 0);                   /* overflow */
    check_str("{\"a\":1e-400}", 0);                  /* underflow: jansson takes it */
    check_str("{\"a\":01}", 0);
    check_str("{\"a\":-}", 0);
    check_str("{\"a\":+1}", 0);
    check_str("{\"a\":1.}", 0);
    check_str("{\"a\":.5}", 0);
    check_str("{\"a\":1e}", 0);
    check_str("{\"a\":tru}", 0);
    check_str("{\"a\":truex}", 0);
    check_str("{\"a\":NaN}", 0);
    check_str("{\"a\":\"open}", 0);
    check_str("{\"a\":[1,2}", 0);
    check_str("\xef\xbb\xbf{}", 0); /* a byte-order mark */
    char deep[200] = "{\"a\":";
    size_t k = strlen(deep);
    for (int i = 0; i < 40; i++)
        deep[k++] = '[';
    for (int i = 0; i < 40; i++)
        deep[k++] = ']';
    deep[k++] = '}';
    deep[k] = '\0';
    check_str(deep, 0);
    check(
        "{\"a\":1}\0{", 9); /* a NUL byte */
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void mutations_agree_with_jansson(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "{\"type\":\"patient\",\"id\":\"S000001\",\"site\":\"north\",\"sex\":\"female\","
        "\"birth_year\":1961,\"height_cm\":165.5,\"weight_kg\":72}",
        "{\"type\":\"response\",\"id\":\"R-1\",\"patient\":\"S000001\",\"knee\":\"left\","
        "\"date\":\"2020-01-02\",\"instrument\":\"koos\",\"items\":{\"P1\":0,\"P2\":1,\"S1\":4},"
        "\"version\":1,\"scores\":{\"pain\":63.888888888888886,\"adl\":null},\"notes\":[]}",
        "{\"type\":\"treatment\",\"patient\":\"S1\",\"knee\":\"right\",\"date\":\"2021-03-04\","
        "\"kind\":\"prp\",\"sites\":[\"intra_articular\",\"mcl\"],\"product\":{\"volume_ml\":4,"
        "\"leukocytes\":\"poor\"},\"cost\":{\"amount\":350.0,\"currency\":\"USD\"},"
        "\"note\":\"two\\nlines \\\"quoted\\\"\",\"extra\":{\"x\":[1,[2,{\"y\":-0.5e-3}]]},"
        "\"serious\":false,\"ok\":true,\"none\":null}",
    };
    static const char chars[] = "{}[]\":,\\ -+.eE0123456789tfnu\x01\x7f\xc3\xa9\n";
    size_t answered = 0, total = 0;
    char buf[1024];
    for (int it = 0; it < 200000; it++) {
        const char *base = lines[next() % 3];
        size_t n = strlen(base);
        memcpy(buf, base, n);
        int edits = 1 + (int)(next() % 3);
        for (int e = 0; e < edits && n > 1; e++) {
            size_t at = next() % n;
            char c = chars[next() % (sizeof chars - 1)];
            switch (next() % 3) {
            case 0: /* replace */
                buf[at] = c;
                break;
            case 1: /* delete */
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
                break;
            default: /* insert */
                if (n + 1 < sizeof buf) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = c;
                    n++;
                }
            }
        }
        answered += (size_t)check(buf, n);
        total++;
    }
    /* the reader must answer for a fair share of them (those still valid
     * in the plain form), not only be right by answering nothing */
    if (answered < total / 20)
        fail_msg("answered only %zu of %zu", answered, total);
    for (size_t i = 0; i < 3; i++)
        check_str(lines[i], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_form_read),
        cmocka_unit_test(other_forms_left_to_jansson),
        cmocka_unit_test(mutations_agree_with_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
