/* ratelimit: blocking after max failures, windows, clearing, eviction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/ratelimit.h"

#define MIN ((int64_t)60 * 1000000)

static void blocks_after_max_failures(void **state)
{
    (void)state;
    ratelimit *rl = ratelimit_create(5, 15 * MIN, 16);
    assert_non_null(rl);
    for (int i = 0; i < 5; i++) {
        assert_false(ratelimit_blocked(rl, "user:alice", MIN + i));
        ratelimit_fail(rl, "user:alice", MIN + i);
    }
    assert_true(ratelimit_blocked(rl, "user:alice", MIN + 10));
    assert_false(ratelimit_blocked(rl, "user:bob", MIN + 10));
    ratelimit_destroy(rl);
}

/* Eight threads take attempts of one key at once: exactly max succeed. */
typedef struct taker {
    ratelimit *rl;
    int got;
} taker;

static void *take_many(void *arg)
{
    taker *t = arg;
    for (int i = 0; i < 100; i++)
        t->got += ratelimit_take(t->rl, "pair:alice|1.2.3.4", MIN);
    return NULL;
}

static void takes_are_reserved_atomically(void **state)
{
    (void)state;
    ratelimit *rl = ratelimit_create(5, 15 * MIN, 16);
    pthread_t th[8];
    taker t[8];
    for (int i = 0; i < 8; i++) {
        t[i] = (taker){rl, 0};
        assert_int_equal(pthread_create(&th[i], NULL, take_many, &t[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        total += t[i].got;
    }
    assert_int_equal(total, 5);
    assert_true(ratelimit_blocked(rl, "pair:alice|1.2.3.4", MIN));
    /* a success elsewhere gives back its own reservation only */
    ratelimit_release(rl, "pair:alice|1.2.3.4", MIN);
    assert_true(ratelimit_take(rl, "pair:alice|1.2.3.4", MIN));
    assert_false(ratelimit_take(rl, "pair:alice|1.2.3.4", MIN));
    /* a success forgives: the key may be taken again */
    ratelimit_clear(rl, "pair:alice|1.2.3.4");
    assert_true(ratelimit_take(rl, "pair:alice|1.2.3.4", MIN));
    ratelimit_destroy(rl);
}

static void window_expires(void **state)
{
    (void)state;
    ratelimit *rl = ratelimit_create(2, 15 * MIN, 16);
    ratelimit_fail(rl, "addr:1.2.3.4", MIN);
    ratelimit_fail(rl, "addr:1.2.3.4", 2 * MIN);
    assert_true(ratelimit_blocked(rl, "addr:1.2.3.4", 15 * MIN));
    assert_false(ratelimit_blocked(rl, "addr:1.2.3.4", 16 * MIN));
    ratelimit_fail(rl, "addr:1.2.3.4", 16 * MIN);
    assert_false(ratelimit_blocked(rl, "addr:1.2.3.4", 16 * MIN));
    ratelimit_destroy(rl);
}

static void clear_forgets(void **state)
{
    (void)state;
    ratelimit *rl = ratelimit_create(1, 15 * MIN, 4);
    ratelimit_fail(rl, "user:a", MIN);
    assert_true(ratelimit_blocked(rl, "user:a", MIN));
    ratelimit_clear(rl, "user:a");
    assert_false(ratelimit_blocked(rl, "user:a", MIN));
    ratelimit_destroy(rl);
}

static void full_table_recycles_the_oldest(void **state)
{
    (void)state;
    ratelimit *rl = ratelimit_create(1, 15 * MIN, 2);
    ratelimit_fail(rl, "k1", MIN);
    ratelimit_fail(rl, "k2", MIN + 1);
    ratelimit_fail(rl, "k3", MIN + 2); /* evicts k1 */
    assert_false(ratelimit_blocked(rl, "k1", MIN + 3));
    assert_true(ratelimit_blocked(rl, "k2", MIN + 3));
    assert_true(ratelimit_blocked(rl, "k3", MIN + 3));
    ratelimit_destroy(rl);
    ratelimit_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocks_after_max_failures),
        cmocka_unit_test(takes_are_reserved_atomically),
        cmocka_unit_test(window_expires),
        cmocka_unit_test(clear_forgets),
        cmocka_unit_test(full_table_recycles_the_oldest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
