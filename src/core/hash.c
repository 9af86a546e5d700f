/* hash: linear probing over a power-of-two table, FNV-1a hashing. */
#include "core/hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    const char *key;
    size_t value;
    uint64_t hash;
};

struct genu_hash {
    struct slot *slots;
    size_t cap, count;
};

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

genu_hash *genu_hash_create(void)
{
    genu_hash *h = calloc(1, sizeof *h);
    if (h && !(h->slots = calloc(h->cap = 64, sizeof *h->slots))) {
        free(h);
        return NULL;
    }
    return h;
}

void genu_hash_destroy(genu_hash *h)
{
    if (!h)
        return;
    free(h->slots);
    free(h);
}

static struct slot *find(struct slot *slots, size_t cap, const char *key, uint64_t hash)
{
    for (size_t i = hash & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!slots[i].key || (slots[i].hash == hash && strcmp(slots[i].key, key) == 0))
            return &slots[i];
}

static int grow(genu_hash *h)
{
    size_t cap = h->cap * 2;
    struct slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < h->cap; i++)
        if (h->slots[i].key)
            *find(slots, cap, h->slots[i].key, h->slots[i].hash) = h->slots[i];
    free(h->slots);
    h->slots = slots;
    h->cap = cap;
    return 0;
}

int genu_hash_put(genu_hash *h, const char *key, size_t value, size_t *old)
{
    if ((h->count + 1) * 4 > h->cap * 3 && grow(h))
        return -1;
    uint64_t hash = fnv(key);
    struct slot *s = find(h->slots, h->cap, key, hash);
    if (s->key) {
        if (old)
            *old = s->value;
        return 0;
    }
    *s = (struct slot){key, value, hash};
    h->count++;
    return 1;
}

bool genu_hash_get(const genu_hash *h, const char *key, size_t *value)
{
    const struct slot *s = find(h->slots, h->cap, key, fnv(key));
    if (s->key && value)
        *value = s->value;
    return s->key != NULL;
}

size_t genu_hash_count(const genu_hash *h)
{
    return h->count;
}
