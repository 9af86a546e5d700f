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

/* The digits of u, with a decimal point k digits from the right ("0."
 * and zeros in front when u has fewer digits), after a '-' when neg. */
static int put_scaled(genu_buf *b, bool neg, unsigned long long u, int k)
{
    char tmp[48], *p = tmp + sizeof tmp;
    int d = 0;
    do {
        if (d == k && k)
            *--p = '.';
        *--p = (char)('0' + u % 10);
        u /= 10;
        d++;
    } while (u || d <= k);
    if (neg)
        *--p = '-';
    return genu_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* What printf's "%.15g" gives for v when v is the double nearest to a
 * decimal of at most 6 places and 15 significant digits, 1e-4 <= |v| < 1e9
 * (scores, heights, amounts): that decimal, which any 15-digit decimal
 * survives a round trip through a double as (DBL_DIG). 0 when v is not
 * such a number. */
static int short_decimal(genu_buf *b, double v, int *done)
{
    static const double scale[] = {1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    double a = fabs(v);
    *done = 0;
    if (!(a >= 1e-4 && a < 1e9))
        return 0;
    for (int k = 0; k < 6; k++) {
        double m = nearbyint(a * scale[k]);
        if (m / scale[k] == a) {
            *done = 1;
            return put_scaled(b, v < 0, (unsigned long long)m, k + 1);
        }
    }
    return 0;
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

/* printf's "%.*g" of a (1e-4 <= a < 1e9, not an integer) at precision p
 * (15 to 17) into out, computed exactly: a = m * 2^e with e < 0, so the p
 * digits are m * 10^s / 2^-e rounded half to even (as printf rounds), and
 * m * 10^s < 2^53 * 10^20 < 2^128. */
static void exact_g(double a, int p, char out[32])
{
    static const double pow10[] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3,
                                   1e4,  1e5,  1e6,  1e7,  1e8, 1e9};
    int x = -4; /* a's decimal exponent: each pow10[k] lies above the power it names */
    while (x < 8 && a >= pow10[x + 5])
        x++;
    int e2;
    double f = frexp(a, &e2); /* a = f * 2^e2, 0.5 <= f < 1 */
    uint64_t m = (uint64_t)ldexp(f, 53);
    int shift = 53 - e2; /* a = m / 2^shift, 23 < shift <= 67 */
    int s = p - 1 - x;   /* 6 <= s <= 20 */
    u128 n = m;
    for (int i = 0; i < s; i++)
        n *= 10;
    u128 q = n >> shift, rem = n - (q << shift), half = (u128)1 << (shift - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++;
    u128 top = 1;
    for (int i = 0; i < p; i++)
        top *= 10;
    if (q == top) { /* rounding carried into another digit */
        q /= 10;
        x++;
    }
    char d[24];
    for (int i = p - 1; i >= 0; i--, q /= 10)
        d[i] = (char)('0' + (int)(q % 10));
    int nd = p;
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    size_t k = 0;
    if (x < 0) {
        out[k++] = '0';
        out[k++] = '.';
        for (int i = -1; i > x; i--)
            out[k++] = '0';
        for (int i = 0; i < nd; i++)
            out[k++] = d[i];
    } else {
        for (int i = 0; i < nd || i <= x; i++) {
            if (i == x + 1)
                out[k++] = '.';
            out[k++] = i < nd ? d[i] : '0';
        }
    }
    out[k] = '\0';
}
#endif

/* The first of %.15g, %.16g and %.17g of v that reads back as v. */
static int shortest_g(genu_buf *b, double v)
{
    char tmp[40];
    double a = fabs(v);
#ifdef __SIZEOF_INT128__
    if (a >= 1e-4 && a < 1e9) {
        tmp[0] = '-';
        for (int prec = 15; prec <= 17; prec++) {
            exact_g(a, prec, tmp + 1);
            if (prec == 17 || strtod(tmp + 1, NULL) == a)
                break;
        }
        return genu_buf_puts(b, v < 0 ? tmp : tmp + 1);
    }
#endif
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    return genu_buf_puts(b, tmp);
}

int genu_buf_json_num(genu_buf *b, double v)
{
    if (!isfinite(v))
        return genu_buf_puts(b, "null");
    if (v == floor(v) && fabs(v) < 1e15)
        return put_scaled(b, v < 0, (unsigned long long)fabs(v), 0);
    int done, rc = short_decimal(b, v, &done);
    if (done)
        return rc;
    return shortest_g(b, v);
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
