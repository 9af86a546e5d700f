/* vec: array growth. */
#include "core/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The capacity after *cap, or 0 when it cannot hold n + 1 elements. */
static size_t next_cap(size_t cap, size_t n, size_t size, size_t first)
{
    size_t want = cap ? 2 * cap : (first ? first : 16);
    return want < n + 1 || want > SIZE_MAX / size ? 0 : want;
}

void *genu_vec_room(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return v;
    size_t want = next_cap(*cap, n, size, first);
    if (!want)
        return NULL;
    void *p = realloc(v, want * size);
    if (p)
        *cap = want;
    return p;
}

void *genu_vec_room_arena(genu_arena *a, void *v, size_t *cap, size_t n, size_t size,
                          size_t first)
{
    if (n < *cap)
        return v;
    size_t want = next_cap(*cap, n, size, first);
    void *p = want ? genu_arena_alloc(a, want * size) : NULL;
    if (!p)
        return NULL;
    if (n)
        memcpy(p, v, n * size);
    *cap = want;
    return p;
}
