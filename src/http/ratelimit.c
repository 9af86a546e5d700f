/* ratelimit: a fixed window per key, started by the key's first failure.
 * Keys longer than the slot are truncated: two keys sharing their first 127
 * bytes share a counter, which only ever blocks sooner. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define KEYLEN 128

typedef struct slot {
    char key[KEYLEN];
    int64_t first_us; /* start of the window; 0 = free slot */
    unsigned count;
} slot;

struct ratelimit {
    pthread_mutex_t mu;
    unsigned max;
    int64_t window_us;
    size_t n;
    slot *slots;
};

ratelimit *ratelimit_create(unsigned max, int64_t window_us, size_t capacity)
{
    ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl || capacity == 0)
        goto fail;
    rl->slots = calloc(capacity, sizeof *rl->slots);
    if (!rl->slots)
        goto fail;
    if (pthread_mutex_init(&rl->mu, NULL) != 0)
        goto fail;
    rl->max = max;
    rl->window_us = window_us;
    rl->n = capacity;
    return rl;
fail:
    if (rl)
        free(rl->slots);
    free(rl);
    return NULL;
}

void ratelimit_destroy(ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->mu);
    free(rl->slots);
    free(rl);
}

/* The live slot of key, or NULL. Expired slots are freed on the way. */
static slot *find(ratelimit *rl, const char *key, int64_t now_us)
{
    for (size_t i = 0; i < rl->n; i++) {
        slot *s = &rl->slots[i];
        if (!s->first_us)
            continue;
        if (now_us - s->first_us >= rl->window_us) {
            s->first_us = 0;
            continue;
        }
        if (strncmp(s->key, key, KEYLEN - 1) == 0)
            return s;
    }
    return NULL;
}

bool ratelimit_blocked(ratelimit *rl, const char *key, int64_t now_us)
{
    pthread_mutex_lock(&rl->mu);
    slot *s = find(rl, key, now_us);
    bool blocked = s && s->count >= rl->max;
    pthread_mutex_unlock(&rl->mu);
    return blocked;
}

/* Counts one failure of key; the caller holds the mutex. */
static void count_locked(ratelimit *rl, const char *key, int64_t now_us)
{
    slot *s = find(rl, key, now_us);
    if (!s) {
        s = &rl->slots[0];
        for (size_t i = 0; i < rl->n; i++) {
            if (!rl->slots[i].first_us) {
                s = &rl->slots[i];
                break;
            }
            if (rl->slots[i].first_us < s->first_us)
                s = &rl->slots[i];
        }
        strncpy(s->key, key, KEYLEN - 1);
        s->key[KEYLEN - 1] = '\0';
        s->first_us = now_us > 0 ? now_us : 1;
        s->count = 0;
    }
    s->count++;
}

void ratelimit_fail(ratelimit *rl, const char *key, int64_t now_us)
{
    pthread_mutex_lock(&rl->mu);
    count_locked(rl, key, now_us);
    pthread_mutex_unlock(&rl->mu);
}

bool ratelimit_take(ratelimit *rl, const char *key, int64_t now_us)
{
    pthread_mutex_lock(&rl->mu);
    slot *s = find(rl, key, now_us);
    bool ok = !(s && s->count >= rl->max);
    if (ok)
        count_locked(rl, key, now_us);
    pthread_mutex_unlock(&rl->mu);
    return ok;
}

void ratelimit_release(ratelimit *rl, const char *key, int64_t now_us)
{
    pthread_mutex_lock(&rl->mu);
    slot *s = find(rl, key, now_us);
    if (s && s->count)
        s->count--;
    pthread_mutex_unlock(&rl->mu);
}

void ratelimit_clear(ratelimit *rl, const char *key)
{
    pthread_mutex_lock(&rl->mu);
    for (size_t i = 0; i < rl->n; i++)
        if (rl->slots[i].first_us && strncmp(rl->slots[i].key, key, KEYLEN - 1) == 0)
            rl->slots[i].first_us = 0;
    pthread_mutex_unlock(&rl->mu);
}
