/* vec: array growth. */
#include "core/vec.h"

#include <stdint.h>
#include <stdlib.h>

void *genu_vec_room(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return v;
    size_t want = *cap ? 2 * *cap : (first ? first : 16);
    if (want < n + 1 || want > SIZE_MAX / size)
        return NULL;
    void *p = realloc(v, want * size);
    if (p)
        *cap = want;
    return p;
}
