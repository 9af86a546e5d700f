/* ratelimit: counts failed sign-ins per key ("pair:alice|10.0.0.1", "addr:10.0.0.1")
 * in memory and blocks a key after `max` failures within `window_us`. A
 * fixed table: when full, the entry with the oldest first failure is
 * recycled. Thread-safe (one mutex). */
#ifndef GENU_HTTP_RATELIMIT_H
#define GENU_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ratelimit ratelimit;

/* NULL when out of memory. capacity >= 1 keys are tracked. */
ratelimit *ratelimit_create(unsigned max, int64_t window_us, size_t capacity);
void ratelimit_destroy(ratelimit *rl); /* NULL is a no-op */

/* True when key has had `max` failures in the window ending at now_us. */
bool ratelimit_blocked(ratelimit *rl, const char *key, int64_t now_us);
/* Reserves an attempt for key at now_us, atomically: false (nothing
 * counted) when key is blocked, else counts it as a failure until
 * ratelimit_clear forgives it, so that parallel attempts can never exceed
 * `max` however long each one's check takes. */
bool ratelimit_take(ratelimit *rl, const char *key, int64_t now_us);
/* Counts one failure of key at now_us. */
void ratelimit_fail(ratelimit *rl, const char *key, int64_t now_us);
/* Gives back one reservation of key (a success at that key). */
void ratelimit_release(ratelimit *rl, const char *key, int64_t now_us);
/* Forgets key's failures (after a successful sign-in). */
void ratelimit_clear(ratelimit *rl, const char *key);

#endif
