/* buf: a growable byte buffer, always NUL-terminated, and genu_str slices.
 * A buffer owns its memory (malloc); genu_buf_free releases it. */
#ifndef GENU_CORE_BUF_H
#define GENU_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* genu_jw: a JSON writer on a buffer that puts the commas and colons. A
 * value (str, num, int, size, bool, null, date, raw, or an object or array
 * between begin and end) goes after a key inside an object, as the next
 * element inside an array, or alone at the top. Nesting is at most
 * GENU_JW_DEPTH deep (asserted). Output is compact, with no spaces:
 *
 *     genu_jw w;
 *     genu_jw_init(&w, b);
 *     genu_jw_obj(&w);
 *     genu_jw_kstr(&w, "id", "p1");    // {"id":"p1"
 *     genu_jw_karr(&w, "knees");       // ,"knees":[
 *     genu_jw_str(&w, "left");         // "left"
 *     genu_jw_end(&w);                 // ]
 *     genu_jw_end(&w);                 // }
 */
#define GENU_JW_DEPTH 64

typedef struct genu_jw {
    genu_buf *b;
    unsigned depth;     /* open objects and arrays */
    unsigned long long more; /* bit d: depth d has a value already */
    unsigned long long obj;  /* bit d: depth d is an object */
    bool key;                /* a key was written and waits for its value */
} genu_jw;

void genu_jw_init(genu_jw *w, genu_buf *b);
/* A document of one line: init and {; its } and a newline. */
void genu_jw_doc(genu_jw *w, genu_buf *b);
void genu_jw_doc_end(genu_jw *w);
void genu_jw_obj(genu_jw *w); /* { */
void genu_jw_arr(genu_jw *w); /* [ */
void genu_jw_end(genu_jw *w); /* } or ], whichever is open */
void genu_jw_key(genu_jw *w, const char *key);
void genu_jw_str(genu_jw *w, const char *s); /* NULL writes null */
void genu_jw_num(genu_jw *w, double v);      /* as genu_buf_json_num: NaN is null */
void genu_jw_int(genu_jw *w, long long v);
void genu_jw_size(genu_jw *w, size_t v);
void genu_jw_bool(genu_jw *w, bool v);
void genu_jw_null(genu_jw *w);
/* A date as "YYYY-MM-DD"; GENU_DATE_NONE (INT32_MIN) writes null. */
void genu_jw_date(genu_jw *w, int32_t d);
/* s, already JSON text, as the next value. */
void genu_jw_raw(genu_jw *w, const char *s);
/* Puts what goes before the next value and returns the buffer for the caller
 * to append exactly one JSON value to. */
genu_buf *genu_jw_val(genu_jw *w);
/* A key and its value. */
void genu_jw_kstr(genu_jw *w, const char *key, const char *s);
void genu_jw_knum(genu_jw *w, const char *key, double v);
void genu_jw_kint(genu_jw *w, const char *key, long long v);
void genu_jw_ksize(genu_jw *w, const char *key, size_t v);
void genu_jw_kbool(genu_jw *w, const char *key, bool v);
void genu_jw_knull(genu_jw *w, const char *key);
void genu_jw_kdate(genu_jw *w, const char *key, int32_t d);
void genu_jw_kraw(genu_jw *w, const char *key, const char *s);
void genu_jw_kobj(genu_jw *w, const char *key); /* "key":{ */
void genu_jw_karr(genu_jw *w, const char *key); /* "key":[ */

/* The contents as a slice (borrowed while b is unchanged). */
genu_str genu_buf_str(const genu_buf *b);
bool genu_str_eq(genu_str s, const char *z);

#endif
