/* test_optout: followup_opt_out's two records, byte for byte: the
 * identity's contact becomes none (an identity is made when the patient has
 * none), and an opt_out message whose id is derived from its canonical doc.
 * The expected ids are "m-" and 80 bits of BLAKE2b of the doc without its
 * id (docs/format.md), worked out with Python's hashlib:
 *     hashlib.blake2b(doc.encode(), digest_size=10).hexdigest() */
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

#include "core/arena.h"
#include "core/date.h"
#include "followup/followup.h"
#include "io/record_json.h"
#include "model/vocab.h"
#include "store/store.h"

#include "rmtree.h"

static char dir[64]; /* the temporary directory of the registry */
static genu_store *s;
static genu_arena *a;

static void put(const char *line)
{
    genu_err err = {0};
    genu_record r;
    store_put_result res;
    assert_int_equal(record_json_parse(line, strlen(line), a, &r, &err), GENU_OK);
    assert_int_equal(store_put(s, &r, &res, &err), GENU_OK);
}

static int setup(void **state)
{
    (void)state;
    genu_err err = {0};
    char path[100];
    snprintf(dir, sizeof dir, "/tmp/genu-test-optout-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/reg.db", dir);
    assert_int_equal(store_open(path, true, &s, &err), GENU_OK);
    assert_non_null(a = genu_arena_create());
    for (int i = 1; i <= 2; i++) {
        char line[200];
        snprintf(line, sizeof line,
                 "{\"type\":\"patient\",\"id\":\"P%d\",\"site\":\"oak\","
                 "\"sex\":\"female\",\"birth_year\":1950}",
                 i);
        put(line);
        snprintf(line, sizeof line,
                 "{\"type\":\"identity\",\"patient\":\"P%d\","
                 "\"email\":\"p%d@example.org\"}",
                 i, i);
        put(line);
    }
    put("{\"type\":\"patient\",\"id\":\"O\u2019Brien \\\"3\\\"\",\"site\":\"oak\","
        "\"sex\":\"male\",\"birth_year\":1948}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(s);
    genu_arena_destroy(a);
    rm_rf(dir);
    return 0;
}

static void opt_out(const char *patient, int channel)
{
    genu_err err = {0};
    assert_int_equal(store_begin(s, &err), GENU_OK);
    assert_int_equal(followup_opt_out(s, patient, channel, genu_date_from_ymd(2024, 7, 1), a, &err),
                     GENU_OK);
    assert_int_equal(store_commit(s, &err), GENU_OK);
}

static const char *identity_of(const char *patient)
{
    genu_err err = {0};
    genu_record r;
    assert_int_equal(store_get(s, GENU_REC_IDENTITY, patient, a, &r, &err), GENU_OK);
    return r.doc;
}

/* The patient's one message. */
static const char *message_of(const char *patient)
{
    genu_err err = {0};
    genu_record *recs;
    size_t n, total;
    store_query q = {.patient = patient, .limit = 10};
    assert_int_equal(store_list(s, GENU_REC_MESSAGE, &q, a, &recs, &n, &total, &err), GENU_OK);
    assert_int_equal(n, 1);
    return recs[0].doc;
}

static void test_web_with_identity(void **state)
{
    (void)state;
    opt_out("P1", MSG_WEB);
    assert_string_equal(identity_of("P1"), "{\"type\":\"identity\",\"patient\":\"P1\","
                                           "\"email\":\"p1@example.org\",\"contact\":\"none\"}");
    assert_string_equal(message_of("P1"),
                        "{\"type\":\"message\",\"id\":\"m-070864f0eb2fef15f478\",\"patient\":"
                        "\"P1\",\"date\":\"2024-07-01\",\"kind\":\"opt_out\",\"channel\":\"web\","
                        "\"status\":\"recorded\"}");
}

static void test_staff(void **state)
{
    (void)state;
    opt_out("P2", MSG_STAFF);
    assert_string_equal(message_of("P2"),
                        "{\"type\":\"message\",\"id\":\"m-890d31e1df27e592ed6d\",\"patient\":"
                        "\"P2\",\"date\":\"2024-07-01\",\"kind\":\"opt_out\",\"channel\":"
                        "\"staff\",\"status\":\"recorded\"}");
}

/* No identity yet, and an id that must be escaped in JSON: the identity is
 * made, and both docs carry the id as written. */
static void test_no_identity_escaped_id(void **state)
{
    (void)state;
    const char *id = "O\u2019Brien \"3\"";
    opt_out(id, MSG_WEB);
    assert_string_equal(identity_of(id), "{\"type\":\"identity\",\"patient\":\"O\u2019Brien "
                                         "\\\"3\\\"\",\"contact\":\"none\"}");
    assert_string_equal(message_of(id),
                        "{\"type\":\"message\",\"id\":\"m-597a304457877565acfa\",\"patient\":"
                        "\"O\u2019Brien \\\"3\\\"\",\"date\":\"2024-07-01\",\"kind\":\"opt_out\","
                        "\"channel\":\"web\",\"status\":\"recorded\"}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_web_with_identity),
        cmocka_unit_test(test_staff),
        cmocka_unit_test(test_no_identity_escaped_id),
    };
    /* one registry: each test opts a different patient out */
    return cmocka_run_group_tests(tests, setup, teardown);
}
