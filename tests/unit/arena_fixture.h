/* arena_fixture: a cmocka fixture that gives each test a fresh arena in
 * *state (unit tests of modules that allocate in one). */
#ifndef GENU_TESTS_UNIT_ARENA_FIXTURE_H
#define GENU_TESTS_UNIT_ARENA_FIXTURE_H

#include "core/arena.h"

static int arena_setup(void **state)
{
    return (*state = genu_arena_create()) ? 0 : -1;
}

static int arena_teardown(void **state)
{
    genu_arena_destroy(*state);
    return 0;
}

/* A test that runs with its own arena. */
#define T(name) cmocka_unit_test_setup_teardown(name, arena_setup, arena_teardown)

#endif
