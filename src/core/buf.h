/* buf: a growable byte buffer, always NUL-terminated, and genu_str slices.
 * A buffer owns its memory (malloc); genu_buf_free releases it. */
#ifndef GENU_CORE_BUF_H
#define GENU_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct genu_str {
    const char *p;
    size_t n;
} genu_str;

typedef struct genu_buf {
    char *p;    /* NUL-terminated when len > 0 or after any append */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap;
    bool oom; /* an append failed; the content is truncated */
} genu_buf;

#define GENU_BUF_INIT {NULL, 0, 0, false}

void genu_buf_free(genu_buf *b);
void genu_buf_clear(genu_buf *b); /* length 0, keeps the memory */
/* Appends; on allocation failure sets b->oom and returns -1. */
int genu_buf_append(genu_buf *b, const char *s, size_t n);
int genu_buf_puts(genu_buf *b, const char *s);
int genu_buf_putc(genu_buf *b, char c);
int genu_buf_printf(genu_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes and escapes); s is UTF-8. */
int genu_buf_json_str(genu_buf *b, const char *s);
/* Appends the shortest decimal that reads back as exactly v ("%.17g" at most);
 * integers print without a fraction; NaN and infinities print as null. */
int genu_buf_json_num(genu_buf *b, double v);

/* Appends s (NUL-terminated; NULL appends nothing) as HTML text or an
 * attribute value: & < > " ' become entities, every other byte is copied. */
int genu_buf_html(genu_buf *b, const char *s);
/* The same for the n bytes at s. */
int genu_buf_html_n(genu_buf *b, const char *s, size_t n);

/* The contents as a slice (borrowed while b is unchanged). */
genu_str genu_buf_str(const genu_buf *b);
bool genu_str_eq(genu_str s, const char *z);

#endif
