/* hash: an open-addressing map from strings to size_t values. Keys are
 * borrowed (the caller keeps them alive, typically in an arena). */
#ifndef GENU_CORE_HASH_H
#define GENU_CORE_HASH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct genu_hash genu_hash;

genu_hash *genu_hash_create(void);
void genu_hash_destroy(genu_hash *h); /* NULL is a no-op */
/* Inserts key → value unless key is present. Returns 1 when inserted, 0 when
 * the key was present (*old, if given, receives its value), -1 when out of
 * memory. */
int genu_hash_put(genu_hash *h, const char *key, size_t value, size_t *old);
bool genu_hash_get(const genu_hash *h, const char *key, size_t *value);
size_t genu_hash_count(const genu_hash *h);

#endif
