/* test_vec: genu_vec_room of core/vec.h — growth by doubling from `first`,
 * the same array while n < cap, elements kept across growth, and a size
 * whose product overflows refused with NULL, leaving the array and its
 * capacity as they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/vec.h"

/* Appending one element at a time from empty with first = 4 gives the
 * capacities 4, 8, 16, 32, 64, each change exactly when n reaches cap. */
static void grows_by_doubling_from_first(void **state)
{
    (void)state;
    int *v = NULL;
    size_t cap = 0;
    size_t changes = 0, want_cap = 4;
    for (size_t n = 0; n < 40; n++) {
        size_t before = cap;
        int *nv = genu_vec_room(v, &cap, n, sizeof *v, 4);
        assert_non_null(nv);
        if (n == before) {
            assert_int_equal(cap, want_cap);
            want_cap *= 2;
            changes++;
        } else {
            assert_int_equal(cap, before);
            assert_ptr_equal(nv, v); /* room already: the same array */
        }
        v = nv;
        v[n] = (int)(n * n);
    }
    /* 0 → 4 → 8 → 16 → 32 → 64: five reallocations for 40 elements */
    assert_int_equal(changes, 5);
    assert_int_equal(cap, 64);
    for (size_t n = 0; n < 40; n++)
        assert_int_equal(v[n], (int)(n * n));
    free(v);
}

static void first_of_one_doubles_from_one(void **state)
{
    (void)state;
    double *v = NULL;
    size_t cap = 0;
    const size_t want[] = {1, 2, 4, 4, 8, 8, 8, 8, 16};
    for (size_t n = 0; n < 9; n++) {
        v = genu_vec_room(v, &cap, n, sizeof *v, 1);
        assert_non_null(v);
        assert_int_equal(cap, want[n]);
        v[n] = 0.5 * (double)n;
    }
    for (size_t n = 0; n < 9; n++)
        assert_true(v[n] == 0.5 * (double)n);
    free(v);
}

/* An element of 24 bytes: cap counts elements, not bytes, and the whole of
 * each element survives a move. */
static void capacity_counts_elements(void **state)
{
    (void)state;
    typedef struct {
        int64_t a, b, c;
    } triple;
    triple *v = NULL;
    size_t cap = 0;
    for (size_t n = 0; n < 100; n++) {
        v = genu_vec_room(v, &cap, n, sizeof *v, 3);
        assert_non_null(v);
        v[n] = (triple){(int64_t)n, -(int64_t)n, (int64_t)n * 1000};
    }
    assert_int_equal(cap, 192); /* 3, 6, 12, 24, 48, 96, 192 */
    for (size_t n = 0; n < 100; n++) {
        assert_int_equal(v[n].a, (int64_t)n);
        assert_int_equal(v[n].b, -(int64_t)n);
        assert_int_equal(v[n].c, (int64_t)n * 1000);
    }
    free(v);
}

/* n < cap: the array itself comes back and nothing changes. */
static void room_below_capacity_returns_the_same_array(void **state)
{
    (void)state;
    size_t cap = 0;
    char *v = genu_vec_room(NULL, &cap, 0, 1, 8);
    assert_non_null(v);
    assert_int_equal(cap, 8);
    for (size_t n = 0; n < 8; n++) {
        assert_ptr_equal(genu_vec_room(v, &cap, n, 1, 8), v);
        assert_int_equal(cap, 8);
    }
    free(v);
}

/* size * twice the capacity beyond SIZE_MAX: NULL, cap unchanged, and v
 * still the caller's (ASan reports it as a leak or a double free if it
 * was freed or lost). */
static void overflowing_size_is_refused(void **state)
{
    (void)state;
    size_t cap = 0;
    unsigned char *v = genu_vec_room(NULL, &cap, 0, 1, 4);
    assert_non_null(v);
    memcpy(v, "abcd", 4);
    assert_int_equal(cap, 4);
    /* growing to 8 elements of SIZE_MAX / 8 + 1 bytes overflows */
    assert_null(genu_vec_room(v, &cap, 4, SIZE_MAX / 8 + 1, 4));
    assert_int_equal(cap, 4);
    assert_memory_equal(v, "abcd", 4);
    /* from empty: first elements of a size whose product overflows */
    size_t cap0 = 0;
    assert_null(genu_vec_room(NULL, &cap0, 0, SIZE_MAX / 2, 16));
    assert_int_equal(cap0, 0);
    free(v);
}

/* Twice a capacity above SIZE_MAX / 2 wraps around; that must be refused
 * too rather than shrink the array. */
static void doubling_past_size_max_is_refused(void **state)
{
    (void)state;
    unsigned char *v = malloc(16);
    assert_non_null(v);
    memset(v, 0x33, 16);
    size_t cap = SIZE_MAX / 2 + 1; /* as if that many bytes were there */
    assert_null(genu_vec_room(v, &cap, cap, 1, 16));
    assert_true(cap == SIZE_MAX / 2 + 1);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(v[i], 0x33);
    free(v);
}

/* The arena variant keeps the elements, doubles from first, and leaves an
 * array with room as it is. */
static void arena_arrays_grow_and_keep_their_elements(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    int *v = NULL;
    size_t cap = 0;
    for (size_t n = 0; n < 40; n++) {
        int *nv = genu_vec_room_arena(a, v, &cap, n, sizeof *v, 4);
        assert_non_null(nv);
        if (n < 4 || (n > 4 && n < 8))
            assert_true(n == 0 || nv == v);
        v = nv;
        v[n] = (int)n * 3;
    }
    assert_int_equal(cap, 64);
    for (size_t i = 0; i < 40; i++)
        assert_int_equal(v[i], (int)i * 3);
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grows_by_doubling_from_first),
        cmocka_unit_test(first_of_one_doubles_from_one),
        cmocka_unit_test(capacity_counts_elements),
        cmocka_unit_test(room_below_capacity_returns_the_same_array),
        cmocka_unit_test(overflowing_size_is_refused),
        cmocka_unit_test(doubling_past_size_max_is_refused),
        cmocka_unit_test(arena_arrays_grow_and_keep_their_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
