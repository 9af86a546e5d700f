/* route: matching, 404/405 with Allow, parameters and the role table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/auth.h"
#include "http/route.h"

static void matches_static_paths(void **state)
{
    (void)state;
    route_match m;
    assert_int_equal(route_match_path("GET", "/", &m, NULL, 0), 200);
    assert_int_equal(m.def->id, ROUTE_INDEX);
    assert_int_equal(route_match_path("POST", "/api/v1/session", &m, NULL, 0), 200);
    assert_int_equal(m.def->id, ROUTE_SESSION_NEW);
    assert_int_equal(route_match_path("DELETE", "/api/v1/session", &m, NULL, 0), 200);
    assert_int_equal(m.def->id, ROUTE_SESSION_END);
}

static void captures_parameters(void **state)
{
    (void)state;
    route_match m;
    assert_int_equal(route_match_path("PUT", "/api/v1/records/diagnosis/D-1", &m, NULL, 0), 200);
    assert_int_equal(m.def->id, ROUTE_RECORD_PUT);
    assert_int_equal(m.nparam, 2);
    assert_int_equal(m.param[0].n, 9);
    assert_memory_equal(m.param[0].p, "diagnosis", 9);
    assert_int_equal(m.param[1].n, 3);
    assert_memory_equal(m.param[1].p, "D-1", 3);
}

static void unknown_paths_are_404(void **state)
{
    (void)state;
    route_match m;
    assert_int_equal(route_match_path("GET", "/api/v1/nope", &m, NULL, 0), 404);
    assert_int_equal(route_match_path("GET", "/api/v1/patients/", &m, NULL, 0), 404);
    assert_int_equal(route_match_path("GET", "/api/v1/patients/P1/x", &m, NULL, 0), 404);
    assert_int_equal(route_match_path("GET", "/api/v1/records/x", &m, NULL, 0), 404);
    assert_int_equal(route_match_path("GET", "//", &m, NULL, 0), 404);
    assert_int_equal(route_match_path("GET", "", &m, NULL, 0), 404);
}

static void wrong_method_is_405_with_allow(void **state)
{
    (void)state;
    route_match m;
    char allow[64];
    assert_int_equal(route_match_path("PATCH", "/api/v1/records/patient/P1", &m, allow,
                                      sizeof allow),
                     405);
    assert_string_equal(allow, "GET, PUT, DELETE");
    assert_int_equal(route_match_path("GET", "/api/v1/session", &m, allow, sizeof allow), 405);
    assert_string_equal(allow, "POST, DELETE");
}

static void roles_follow_the_policy(void **state)
{
    (void)state;
    for (size_t i = 0; i < route_count(); i++) {
        const route_def *d = route_at(i);
        if (route_changes_state(d->method) && d->roles != ROUTE_PUBLIC &&
            d->id != ROUTE_SESSION_END)
            assert_false(d->roles & AUTH_RESEARCHER); /* researchers only read */
        assert_false(d->roles & AUTH_PATIENT && d->id != ROUTE_SESSION_END &&
                     d->id != ROUTE_ME);
        if (d->id == ROUTE_AUDIT || d->id == ROUTE_USERS)
            assert_int_equal(d->roles, AUTH_ADMIN);
    }
    assert_true(route_changes_state("POST"));
    assert_false(route_changes_state("GET"));
}

/* What a read replica serves (docs/scaling.md): analyses, exports and GET
 * reads of patients and records; never a state change, and nothing of
 * sessions, accounts, the audit trail, survey links or follow-up work. */
static void the_replica_serves_reads_of_records_only(void **state)
{
    (void)state;
    static const route_id want[] = {ROUTE_PATIENTS, ROUTE_PATIENT, ROUTE_ADVICE,  ROUTE_CASE,
                                    ROUTE_RECORD_GET, ROUTE_CLAIM, ROUTE_COMPARE, ROUTE_SURVIVAL,
                                    ROUTE_REPORT,   ROUTE_EXPORT,  ROUTE_FOLLOWUPS};
    size_t n = 0;
    for (size_t i = 0; i < route_count(); i++) {
        const route_def *r = route_at(i);
        bool on = r->flags & ROUTE_REPLICA, wanted = false;
        for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
            wanted |= r->id == want[k];
        if (on != wanted)
            fail_msg("%s %s: ROUTE_REPLICA %s", r->method, r->pattern, on ? "set" : "missing");
        if (on) {
            assert_string_equal(r->method, "GET");
            assert_false(r->flags & ROUTE_LINK);
            n++;
        }
    }
    assert_int_equal(n, sizeof want / sizeof want[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_static_paths),
        cmocka_unit_test(captures_parameters),
        cmocka_unit_test(unknown_paths_are_404),
        cmocka_unit_test(wrong_method_is_405_with_allow),
        cmocka_unit_test(roles_follow_the_policy),
        cmocka_unit_test(the_replica_serves_reads_of_records_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
