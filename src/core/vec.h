/* vec: growing a plain C array by doubling, the one way genu does it. */
#ifndef GENU_CORE_VEC_H
#define GENU_CORE_VEC_H

#include <stddef.h>

#include "core/arena.h"

/* Makes room for an element at index n in v, an array of *cap elements of
 * size bytes (v NULL and *cap 0 to start): when n == *cap, reallocates to
 * twice the capacity (first when it was 0). Returns the array to use from
 * now on (v itself when it had room), or NULL when out of memory (then v
 * and *cap are unchanged and v must still be freed). */
void *genu_vec_room(void *v, size_t *cap, size_t n, size_t size, size_t first);

/* The same for an array in arena a: a larger array is allocated from a and
 * the n elements copied; the old one stays in the arena. */
void *genu_vec_room_arena(genu_arena *a, void *v, size_t *cap, size_t n, size_t size,
                          size_t first);

#endif
