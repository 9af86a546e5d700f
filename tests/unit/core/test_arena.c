/* test_arena: the region allocator of core/arena.h — alignment for any
 * type, zeroed calloc (also on reused memory), the string copies, large
 * allocations beyond a block, reset reusing the memory it kept, and
 * destroy(NULL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"

#define MAX_ALIGN alignof(max_align_t)

static bool aligned(const void *p)
{
    return (uintptr_t)p % MAX_ALIGN == 0;
}

/* "n bytes aligned for any type": every size, odd ones included, and 0. */
static void allocations_are_aligned_for_any_type(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    assert_non_null(a);
    for (size_t n = 0; n < 300; n++) {
        void *p = genu_arena_alloc(a, n);
        assert_non_null(p); /* n may be 0: only out of memory gives NULL */
        assert_true(aligned(p));
    }
    /* a long double and a max_align_t stored at the returned address */
    long double *ld = genu_arena_alloc(a, sizeof *ld);
    *ld = 1.5L;
    max_align_t *m = genu_arena_alloc(a, sizeof *m);
    memset(m, 0, sizeof *m);
    assert_true(*ld == 1.5L);
    genu_arena_destroy(a);
}

/* Each allocation is its own memory: filling one never touches another. */
static void allocations_do_not_overlap(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    enum { N = 4000 };
    unsigned char *p[N];
    size_t len[N];
    for (size_t i = 0; i < N; i++) {
        len[i] = 1 + (i * 37) % 211;
        p[i] = genu_arena_alloc(a, len[i]);
        assert_non_null(p[i]);
        memset(p[i], (int)(i & 0xff), len[i]);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < len[i]; k++)
            assert_int_equal(p[i][k], i & 0xff);
    genu_arena_destroy(a);
}

/* calloc zeroes n * size bytes, also when the arena hands back memory it
 * kept through a reset (which held other data before). */
static void calloc_zeroes_even_reused_memory(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    for (int i = 0; i < 64; i++)
        memset(genu_arena_alloc(a, 256), 0xa5, 256);
    genu_arena_reset(a);
    for (int i = 0; i < 64; i++) {
        unsigned char *z = genu_arena_calloc(a, 32, 8);
        assert_non_null(z);
        assert_true(aligned(z));
        for (size_t k = 0; k < 256; k++)
            assert_int_equal(z[k], 0);
    }
    int *ints = genu_arena_calloc(a, 1000, sizeof(int));
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ints[i], 0);
    genu_arena_destroy(a);
}

/* "NULL on overflow": n * size beyond SIZE_MAX is refused, not wrapped. */
static void calloc_refuses_an_overflowing_size(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    assert_null(genu_arena_calloc(a, SIZE_MAX / 2 + 1, 2));     /* wraps to 0 */
    assert_null(genu_arena_calloc(a, (SIZE_MAX / 16) + 1, 16)); /* wraps to 0 */
    assert_null(genu_arena_calloc(a, SIZE_MAX, SIZE_MAX));
    /* the arena is still usable */
    char *s = genu_arena_strdup(a, "ok");
    assert_string_equal(s, "ok");
    genu_arena_destroy(a);
}

static void strdup_copies_the_string(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    char src[] = "knee é";
    char *c = genu_arena_strdup(a, src);
    assert_non_null(c);
    assert_ptr_not_equal(c, src);
    assert_string_equal(c, "knee é");
    src[0] = 'K'; /* a copy, not a reference */
    assert_string_equal(c, "knee é");
    assert_string_equal(genu_arena_strdup(a, ""), "");
    genu_arena_destroy(a);
}

/* strndup copies exactly n bytes and adds a NUL, whatever s holds beyond
 * them — and n bytes even when a NUL is among them. */
static void strndup_copies_n_bytes_and_adds_a_nul(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    char *c = genu_arena_strndup(a, "abcdef", 3);
    assert_string_equal(c, "abc");
    assert_int_equal(c[3], '\0');
    assert_string_equal(genu_arena_strndup(a, "abc", 0), "");
    const char with_nul[] = {'a', 'b', '\0', 'c', 'd'};
    char *d = genu_arena_strndup(a, with_nul, sizeof with_nul);
    assert_non_null(d);
    assert_memory_equal(d, with_nul, sizeof with_nul);
    assert_int_equal(d[5], '\0');
    /* a slice that is not NUL-terminated at n */
    const char unterminated[4] = {'w', 'x', 'y', 'z'};
    assert_string_equal(genu_arena_strndup(a, unterminated, 4), "wxyz");
    genu_arena_destroy(a);
}

static void printf_formats_into_the_arena(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    assert_string_equal(genu_arena_printf(a, "%s:%d: field \"%s\"", "v.jsonl", 12, "knee"),
                        "v.jsonl:12: field \"knee\"");
    assert_string_equal(genu_arena_printf(a, "%s", ""), "");
    assert_string_equal(genu_arena_printf(a, "%05.1f|%x", 3.14159, 255u), "003.1|ff");
    /* longer than any plausible block: 200 000 characters */
    char *big = malloc(200001);
    memset(big, 'q', 200000);
    big[200000] = '\0';
    char *p = genu_arena_printf(a, "<%s>", big);
    assert_non_null(p);
    assert_int_equal(strlen(p), 200002);
    assert_int_equal(p[0], '<');
    assert_int_equal(p[1], 'q');
    assert_int_equal(p[200000], 'q');
    assert_int_equal(p[200001], '>');
    free(big);
    genu_arena_destroy(a);
}

/* Allocations of several megabytes work, are fully writable (ASan checks
 * the bounds), and leave the small allocations around them intact. */
static void large_allocations_beyond_a_block(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    char *small1 = genu_arena_strdup(a, "before");
    const size_t sizes[] = {65536, 65537, 1 << 20, 3 * (1 << 20) + 5, 100000};
    unsigned char *big[5];
    for (size_t i = 0; i < 5; i++) {
        big[i] = genu_arena_alloc(a, sizes[i]);
        assert_non_null(big[i]);
        assert_true(aligned(big[i]));
        memset(big[i], (int)(0x10 + i), sizes[i]);
    }
    char *small2 = genu_arena_strdup(a, "after");
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(big[i][0], 0x10 + i);
        assert_int_equal(big[i][sizes[i] - 1], 0x10 + i);
    }
    assert_string_equal(small1, "before");
    assert_string_equal(small2, "after");
    size_t want = strlen("before") + 1 + strlen("after") + 1;
    for (size_t i = 0; i < 5; i++)
        want += sizes[i];
    /* "bytes handed out": at least what was asked for */
    assert_true(genu_arena_used(a) >= want);
    genu_arena_destroy(a);
}

/* Reset frees the allocations and keeps memory for reuse: the same small
 * pattern of allocations gets the same addresses again, so a request loop
 * that resets its arena does not grow. */
static void reset_reuses_memory(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    enum { N = 40 };
    void *first[N];
    for (size_t i = 0; i < N; i++)
        first[i] = genu_arena_alloc(a, 24 + i);
    assert_true(genu_arena_used(a) > 0);
    for (int round = 0; round < 100; round++) {
        genu_arena_reset(a);
        assert_int_equal(genu_arena_used(a), 0);
        for (size_t i = 0; i < N; i++) {
            void *p = genu_arena_alloc(a, 24 + i);
            assert_ptr_equal(p, first[i]);
            memset(p, round, 24 + i);
        }
    }
    genu_arena_destroy(a);
}

/* A reset after a large allocation: the small pattern still reuses the kept
 * memory, and the large one can be had again. */
static void reset_after_a_large_allocation(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    char *s = genu_arena_strdup(a, "small");
    char *big = genu_arena_alloc(a, 4 << 20);
    assert_non_null(big);
    memset(big, 7, 4 << 20);
    genu_arena_reset(a);
    assert_int_equal(genu_arena_used(a), 0);
    assert_ptr_equal(genu_arena_strdup(a, "small"), s);
    big = genu_arena_alloc(a, 4 << 20);
    assert_non_null(big);
    memset(big, 8, 4 << 20);
    genu_arena_destroy(a);
}

/* A size no block can hold is NULL (out of memory), not a wrapped-around
 * small block: SIZE_MAX rounded up to the alignment wraps to 0. */
static void impossible_sizes_are_refused(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    assert_null(genu_arena_alloc(a, SIZE_MAX));
    assert_null(genu_arena_alloc(a, SIZE_MAX - 1));
    assert_null(genu_arena_strndup(a, "x", SIZE_MAX)); /* n + 1 wraps to 0 */
    assert_string_equal(genu_arena_strdup(a, "still usable"), "still usable");
    genu_arena_destroy(a);
}

/* What another arena held lives on in the one that adopts it, which keeps
 * allocating into its own current block; ASan checks that destroying the
 * adopter frees every block once. */
static void adopt_takes_another_arenas_memory(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create(), *b = genu_arena_create(), *empty = genu_arena_create();
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(empty);
    char *in_a = genu_arena_strdup(a, "before");
    char *small = genu_arena_strdup(b, "small");
    char *large = genu_arena_calloc(b, 200000, 1); /* a block of its own */
    assert_non_null(large);
    large[199999] = 'z';
    size_t used = genu_arena_used(a) + genu_arena_used(b);
    genu_arena_adopt(a, b);
    genu_arena_adopt(a, empty);
    genu_arena_adopt(a, NULL);
    assert_int_equal(genu_arena_used(a), used);
    char *after = genu_arena_strdup(a, "after");
    assert_string_equal(in_a, "before");
    assert_string_equal(small, "small");
    assert_int_equal(large[199999], 'z');
    assert_string_equal(after, "after");
    assert_true(after != small && after != in_a);
    genu_arena *fresh = genu_arena_create(), *c = genu_arena_create();
    char *in_c = genu_arena_strdup(c, "into an empty one");
    genu_arena_adopt(fresh, c);
    assert_string_equal(in_c, "into an empty one");
    genu_arena_destroy(fresh);
    genu_arena_destroy(a);
}

/* A growing array keeps what it held across each growth (a move when
 * realloc must), then lives as long as the arena that keeps it; one not
 * kept is dropped. ASan checks every block is freed exactly once. */
static void grown_blocks_keep_their_contents_and_are_kept(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create(), *empty = genu_arena_create();
    assert_non_null(a);
    assert_non_null(empty);
    char *first = genu_arena_strdup(a, "first");
    uint32_t *v = NULL;
    size_t cap = 0;
    for (uint32_t i = 0; i < 300000; i++) {
        if (i == cap) {
            cap = cap ? cap * 2 : 16;
            uint32_t *w = genu_arena_grow(v, cap * sizeof *v);
            assert_non_null(w);
            v = w;
        }
        v[i] = i * 7u;
    }
    for (uint32_t i = 0; i < 300000; i++)
        assert_int_equal(v[i], i * 7u);
    size_t before = genu_arena_used(a);
    genu_arena_keep(a, v);
    assert_int_equal(genu_arena_used(a), before + cap * sizeof *v);
    char *after = genu_arena_strdup(a, "after"); /* into a's block, not v */
    assert_true(after < (char *)v || after >= (char *)(v + cap));
    assert_string_equal(first, "first");
    assert_int_equal(v[299999], 299999u * 7u);
    uint32_t *small = genu_arena_grow(NULL, 3 * sizeof *small); /* into an empty arena */
    assert_non_null(small);
    small[2] = 42;
    genu_arena_keep(empty, small);
    assert_int_equal(genu_arena_used(empty), 3 * sizeof *small);
    assert_non_null(genu_arena_strdup(empty, "beside"));
    assert_int_equal(small[2], 42);
    char *dropped = genu_arena_grow(NULL, 100);
    assert_non_null(dropped);
    genu_arena_drop(dropped);
    genu_arena_drop(NULL);
    genu_arena_keep(a, NULL);
    assert_null(genu_arena_grow(NULL, SIZE_MAX - 8)); /* an impossible size */
    genu_arena_destroy(empty);
    genu_arena_destroy(a);
}

static void destroy_null_is_a_no_op(void **state)
{
    (void)state;
    genu_arena_destroy(NULL);
    /* and a fresh arena with nothing allocated destroys cleanly */
    genu_arena *a = genu_arena_create();
    assert_non_null(a);
    assert_int_equal(genu_arena_used(a), 0);
    genu_arena_destroy(a);
}

static void read_file_reads_whole_small_files(void **state)
{
    (void)state;
    char path[] = "/tmp/genu_test_arena_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("a = 1\nb", f);
    fclose(f);
    genu_arena *a = genu_arena_create();
    genu_err err = {0};
    char *text = NULL;
    size_t n = 0;
    assert_int_equal(genu_arena_read_file(a, path, 8, false, &text, &n, &err), GENU_OK);
    assert_int_equal(n, 7);
    assert_string_equal(text, "a = 1\nb");
    /* one byte more than max is refused, naming the file */
    assert_int_equal(genu_arena_read_file(a, path, 6, false, &text, &n, &err), GENU_EINVAL);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "larger than 6 bytes"));
    unlink(path);
    /* a missing file: GENU_ENOTFOUND without a message if missing_ok, else GENU_EIO */
    genu_err_clear(&err);
    assert_int_equal(genu_arena_read_file(a, path, 8, true, &text, &n, &err), GENU_ENOTFOUND);
    assert_int_equal(err.code, GENU_OK);
    assert_int_equal(genu_arena_read_file(a, path, 8, false, &text, &n, &err), GENU_EIO);
    assert_non_null(strstr(err.msg, "cannot read"));
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocations_are_aligned_for_any_type),
        cmocka_unit_test(adopt_takes_another_arenas_memory),
        cmocka_unit_test(grown_blocks_keep_their_contents_and_are_kept),
        cmocka_unit_test(allocations_do_not_overlap),
        cmocka_unit_test(calloc_zeroes_even_reused_memory),
        cmocka_unit_test(calloc_refuses_an_overflowing_size),
        cmocka_unit_test(strdup_copies_the_string),
        cmocka_unit_test(strndup_copies_n_bytes_and_adds_a_nul),
        cmocka_unit_test(printf_formats_into_the_arena),
        cmocka_unit_test(large_allocations_beyond_a_block),
        cmocka_unit_test(reset_reuses_memory),
        cmocka_unit_test(reset_after_a_large_allocation),
        cmocka_unit_test(impossible_sizes_are_refused),
        cmocka_unit_test(destroy_null_is_a_no_op),
        cmocka_unit_test(read_file_reads_whole_small_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
