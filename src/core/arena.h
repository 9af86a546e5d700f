/* arena: a region allocator for request- and command-scoped data. Everything
 * allocated from an arena is freed at once by genu_arena_destroy (or reset by
 * genu_arena_reset). Not thread-safe: one arena per thread or request. */
#ifndef GENU_CORE_ARENA_H
#define GENU_CORE_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct genu_arena genu_arena;

/* Returns a new arena or NULL when out of memory. */
genu_arena *genu_arena_create(void);
/* Frees every block; NULL is a no-op. */
void genu_arena_destroy(genu_arena *a);
/* Frees all allocations but keeps the first block for reuse. */
void genu_arena_reset(genu_arena *a);
/* Moves everything other holds into a (it lives as long as a now) and frees
 * other, which another thread may have filled; NULL is a no-op. */
void genu_arena_adopt(genu_arena *a, genu_arena *other);

/* n bytes aligned for any type; NULL when out of memory. n may be 0. */
void *genu_arena_alloc(genu_arena *a, size_t n);
/* n * size zeroed bytes; NULL on overflow or out of memory. */
void *genu_arena_calloc(genu_arena *a, size_t n, size_t size);
/* Copies n bytes of s and adds a NUL. */
char *genu_arena_strndup(genu_arena *a, const char *s, size_t n);
char *genu_arena_strdup(genu_arena *a, const char *s);
/* printf into the arena. */
char *genu_arena_printf(genu_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An array whose final size is not known while it is filled: a block of
 * its own, outside any arena until genu_arena_keep. genu_arena_grow gives
 * p (NULL: a new block) room for n bytes, keeping what it held; it may
 * move (realloc, which for a large block remaps pages instead of copying
 * them); NULL when out of memory, p then unchanged. genu_arena_keep hands
 * the block to a, which frees it with the rest; genu_arena_drop frees one
 * that is not kept. NULL is a no-op for both. */
void *genu_arena_grow(void *p, size_t n);
void genu_arena_keep(genu_arena *a, void *p);
void genu_arena_drop(void *p);

/* Reads the file at path, at most max bytes, into the arena, NUL-terminated:
 * *text and its length *n. GENU_EIO "cannot read PATH: ..." (a file that
 * does not exist, if missing_ok: GENU_ENOTFOUND, err untouched), GENU_EINVAL
 * "PATH: larger than MAX bytes", GENU_ENOMEM. */
struct genu_err;
int genu_arena_read_file(genu_arena *a, const char *path, size_t max, bool missing_ok, char **text,
                         size_t *n, struct genu_err *err);

/* Bytes handed out so far (for tests and benchmarks). */
size_t genu_arena_used(const genu_arena *a);

#endif
