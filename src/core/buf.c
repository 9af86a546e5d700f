/* buf: growable buffers with JSON-aware appends used by every writer. */
#include "core/buf.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"

void genu_buf_free(genu_buf *b)
{
    free(b->p);
    *b = (genu_buf)GENU_BUF_INIT;
}

void genu_buf_clear(genu_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

static int grow(genu_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra > SIZE_MAX - b->len - 1)
        goto fail;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->p, cap);
    if (!p)
        goto fail;
    b->p = p;
    b->cap = cap;
    return 0;
fail:
    b->oom = true;
    return -1;
}

int genu_buf_append(genu_buf *b, const char *s, size_t n)
{
    if (grow(b, n))
        return -1;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int genu_buf_puts(genu_buf *b, const char *s)
{
    return genu_buf_append(b, s, strlen(s));
}

int genu_buf_putc(genu_buf *b, char c)
{
    return genu_buf_append(b, &c, 1);
}

int genu_buf_printf(genu_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    int rc = -1;
    if (n >= 0 && grow(b, (size_t)n) == 0) {
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
        rc = 0;
    }
    va_end(ap2);
    return rc;
}

int genu_buf_json_str(genu_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (genu_buf_putc(b, '"'))
        return -1;
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        genu_buf_append(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"':
            genu_buf_puts(b, "\\\"");
            break;
        case '\\':
            genu_buf_puts(b, "\\\\");
            break;
        case '\n':
            genu_buf_puts(b, "\\n");
            break;
        case '\t':
            genu_buf_puts(b, "\\t");
            break;
        case '\r':
            genu_buf_puts(b, "\\r");
            break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            genu_buf_append(b, esc, 6);
        }
        }
    }
    genu_buf_append(b, run, (size_t)(s - run));
    return genu_buf_putc(b, '"');
}

int genu_buf_json_num(genu_buf *b, double v)
{
    if (!isfinite(v))
        return genu_buf_puts(b, "null");
    if (v == floor(v) && fabs(v) < 1e15)
        return genu_buf_printf(b, "%.0f", v == 0 ? 0.0 : v);
    char tmp[32];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    return genu_buf_puts(b, tmp);
}

int genu_buf_html_n(genu_buf *b, const char *s, size_t n)
{
    const char *run = s, *end = s + n;
    for (; s < end; s++) {
        const char *ent;
        switch (*s) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        default: continue;
        }
        genu_buf_append(b, run, (size_t)(s - run));
        genu_buf_puts(b, ent);
        run = s + 1;
    }
    genu_buf_append(b, run, (size_t)(s - run));
    return b->oom ? -1 : 0;
}

int genu_buf_html(genu_buf *b, const char *s)
{
    return s ? genu_buf_html_n(b, s, strlen(s)) : 0;
}

/* ---- genu_jw ------------------------------------------------------------ */

void genu_jw_init(genu_jw *w, genu_buf *b)
{
    *w = (genu_jw){b, 0, 0, 0, false};
}

void genu_jw_doc(genu_jw *w, genu_buf *b)
{
    genu_jw_init(w, b);
    genu_jw_obj(w);
}

void genu_jw_doc_end(genu_jw *w)
{
    genu_jw_end(w);
    assert(w->depth == 0);
    genu_buf_putc(w->b, '\n');
}

genu_buf *genu_jw_val(genu_jw *w)
{
    if (w->key) {
        w->key = false;
    } else if (w->depth) {
        unsigned long long bit = 1ull << (w->depth - 1);
        assert(!(w->obj & bit)); /* a value in an object needs its key first */
        if (w->more & bit)
            genu_buf_putc(w->b, ',');
        w->more |= bit;
    }
    return w->b;
}

void genu_jw_key(genu_jw *w, const char *key)
{
    assert(w->depth && !w->key && (w->obj & (1ull << (w->depth - 1))));
    unsigned long long bit = 1ull << (w->depth - 1);
    if (w->more & bit)
        genu_buf_putc(w->b, ',');
    w->more |= bit;
    genu_buf_json_str(w->b, key);
    genu_buf_putc(w->b, ':');
    w->key = true;
}

static void jw_open(genu_jw *w, char c, bool obj)
{
    genu_buf_putc(genu_jw_val(w), c);
    assert(w->depth < GENU_JW_DEPTH);
    unsigned long long bit = 1ull << w->depth++;
    w->more &= ~bit;
    w->obj = obj ? w->obj | bit : w->obj & ~bit;
}

void genu_jw_obj(genu_jw *w)
{
    jw_open(w, '{', true);
}

void genu_jw_arr(genu_jw *w)
{
    jw_open(w, '[', false);
}

void genu_jw_end(genu_jw *w)
{
    assert(w->depth && !w->key);
    unsigned long long bit = 1ull << --w->depth;
    genu_buf_putc(w->b, (w->obj & bit) ? '}' : ']');
}

void genu_jw_str(genu_jw *w, const char *s)
{
    genu_buf *b = genu_jw_val(w);
    if (s)
        genu_buf_json_str(b, s);
    else
        genu_buf_puts(b, "null");
}

void genu_jw_num(genu_jw *w, double v)
{
    genu_buf_json_num(genu_jw_val(w), v);
}

void genu_jw_int(genu_jw *w, long long v)
{
    genu_buf_printf(genu_jw_val(w), "%lld", v);
}

void genu_jw_size(genu_jw *w, size_t v)
{
    genu_buf_printf(genu_jw_val(w), "%zu", v);
}

void genu_jw_bool(genu_jw *w, bool v)
{
    genu_buf_puts(genu_jw_val(w), v ? "true" : "false");
}

void genu_jw_null(genu_jw *w)
{
    genu_buf_puts(genu_jw_val(w), "null");
}

void genu_jw_date(genu_jw *w, int32_t d)
{
    if (d == GENU_DATE_NONE) {
        genu_jw_null(w);
        return;
    }
    char s[GENU_DATE_STRLEN];
    genu_date_format(d, s);
    genu_jw_str(w, s);
}

void genu_jw_raw(genu_jw *w, const char *s)
{
    genu_buf_puts(genu_jw_val(w), s);
}

void genu_jw_kstr(genu_jw *w, const char *key, const char *s)
{
    genu_jw_key(w, key);
    genu_jw_str(w, s);
}

void genu_jw_knum(genu_jw *w, const char *key, double v)
{
    genu_jw_key(w, key);
    genu_jw_num(w, v);
}

void genu_jw_kint(genu_jw *w, const char *key, long long v)
{
    genu_jw_key(w, key);
    genu_jw_int(w, v);
}

void genu_jw_ksize(genu_jw *w, const char *key, size_t v)
{
    genu_jw_key(w, key);
    genu_jw_size(w, v);
}

void genu_jw_kbool(genu_jw *w, const char *key, bool v)
{
    genu_jw_key(w, key);
    genu_jw_bool(w, v);
}

void genu_jw_knull(genu_jw *w, const char *key)
{
    genu_jw_key(w, key);
    genu_jw_null(w);
}

void genu_jw_kdate(genu_jw *w, const char *key, int32_t d)
{
    genu_jw_key(w, key);
    genu_jw_date(w, d);
}

void genu_jw_kraw(genu_jw *w, const char *key, const char *s)
{
    genu_jw_key(w, key);
    genu_jw_raw(w, s);
}

void genu_jw_kobj(genu_jw *w, const char *key)
{
    genu_jw_key(w, key);
    genu_jw_obj(w);
}

void genu_jw_karr(genu_jw *w, const char *key)
{
    genu_jw_key(w, key);
    genu_jw_arr(w);
}

genu_str genu_buf_str(const genu_buf *b)
{
    return (genu_str){b->p ? b->p : "", b->len};
}

bool genu_str_eq(genu_str s, const char *z)
{
    size_t n = strlen(z);
    return s.n == n && memcmp(s.p, z, n) == 0;
}
