/* arena: bump allocation in a chain of blocks. Large requests get a block of
 * their own so a big allocation never wastes the tail of the current block. */
#include "core/arena.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define ARENA_BLOCK 65536
#define ARENA_ALIGN 16

struct block {
    struct block *next;
    size_t size, used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct genu_arena {
    struct block *head;
    size_t total;
};

genu_arena *genu_arena_create(void)
{
    return calloc(1, sizeof(genu_arena));
}

static void free_blocks(struct block *b)
{
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
}

void genu_arena_destroy(genu_arena *a)
{
    if (!a)
        return;
    free_blocks(a->head);
    free(a);
}

void genu_arena_reset(genu_arena *a)
{
    if (!a)
        return;
    struct block *keep = NULL;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        if (!keep && b->size == ARENA_BLOCK)
            keep = b;
        else
            free(b);
        b = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
    a->total = 0;
}

void genu_arena_adopt(genu_arena *a, genu_arena *other)
{
    if (!other)
        return;
    if (other->head) { /* behind a's current block, which goes on filling */
        struct block *last = other->head;
        while (last->next)
            last = last->next;
        if (a->head) {
            last->next = a->head->next;
            a->head->next = other->head;
        } else {
            a->head = other->head;
        }
    }
    a->total += other->total;
    free(other);
}

/* n bytes from the current block, or from a new one; zeroed when `zero`.
 * A dedicated block for a large request comes zeroed from calloc, which
 * for a block of its own mapping touches no page: the pages of a large
 * array that is never filled to the end never become resident. */
static void *arena_take(genu_arena *a, size_t n, bool zero)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        return NULL;
    struct block *b = a->head;
    bool fresh = false;
    if (!b || b->size - b->used < need) {
        size_t size = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;
        if (size > SIZE_MAX - sizeof(struct block))
            return NULL;
        fresh = zero && size == need;
        struct block *nb = fresh ? calloc(1, sizeof(struct block) + size)
                                 : malloc(sizeof(struct block) + size);
        if (!nb)
            return NULL;
        nb->size = size;
        nb->used = 0;
        if (size == need && b) {
            /* a dedicated block goes behind the current one */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->total += n;
    if (zero && !fresh)
        memset(p, 0, n);
    return p;
}

void *genu_arena_alloc(genu_arena *a, size_t n)
{
    return arena_take(a, n, false);
}

void *genu_arena_calloc(genu_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return arena_take(a, n * size, true);
}

static struct block *block_of(void *p)
{
    return (struct block *)((unsigned char *)p - offsetof(struct block, data));
}

void *genu_arena_grow(void *p, size_t n)
{
    if (n > SIZE_MAX - sizeof(struct block))
        return NULL;
    struct block *b = realloc(p ? block_of(p) : NULL, sizeof(struct block) + n);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = b->used = n;
    return b->data;
}

void genu_arena_keep(genu_arena *a, void *p)
{
    if (!p)
        return;
    struct block *b = block_of(p);
    if (a->head) { /* behind the current block, like any block of its own */
        b->next = a->head->next;
        a->head->next = b;
    } else {
        a->head = b;
    }
    a->total += b->size;
}

void genu_arena_drop(void *p)
{
    if (p)
        free(block_of(p));
}

char *genu_arena_strndup(genu_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = genu_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *genu_arena_strdup(genu_arena *a, const char *s)
{
    return genu_arena_strndup(a, s, strlen(s));
}

char *genu_arena_printf(genu_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = NULL;
    if (n >= 0 && (p = genu_arena_alloc(a, (size_t)n + 1)))
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

size_t genu_arena_used(const genu_arena *a)
{
    return a->total;
}

int genu_arena_read_file(genu_arena *a, const char *path, size_t max, bool missing_ok, char **text,
                         size_t *n, genu_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT && missing_ok)
            return GENU_ENOTFOUND;
        return GENU_FAIL(err, GENU_EIO, "cannot read %s: %s", path, strerror(errno));
    }
    char *buf = genu_arena_alloc(a, max + 1);
    size_t got = buf ? fread(buf, 1, max + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return GENU_OOM(err);
    if (bad)
        return GENU_FAIL(err, GENU_EIO, "cannot read %s", path);
    if (got > max)
        return GENU_FAIL(err, GENU_EINVAL, "%s: larger than %zu bytes", path, max);
    buf[got] = '\0';
    *text = buf;
    *n = got;
    return GENU_OK;
}
