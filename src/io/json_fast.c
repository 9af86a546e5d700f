/* json_fast: JSON objects in the plain form, without jansson's reader (see
 * json_fast.h). Every doubt is an answer of NULL, never a guess. */
#include "io/json_fast.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH  32 /* deeper: jansson's */
#define MAX_DIGITS 18 /* integers that fit in 63 bits whatever the digits */
#define MAX_REAL   64 /* characters of a real number */

typedef struct reader {
    const char *p, *end;
    int depth;
} reader;

static void skip_ws(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A string at r->p (after its opening quote): its text, borrowed from the
 * input when it has no escape, else decoded into *owned (malloc). */
static bool read_string(reader *r, const char **s, size_t *n, char **owned)
{
    const char *start = r->p;
    bool escaped = false;
    *owned = NULL;
    for (; r->p < r->end && *r->p != '"'; r->p++) {
        unsigned char c = (unsigned char)*r->p;
        if (c < 0x20 || c >= 0x80)
            return false; /* control characters are errors; UTF-8 is jansson's to check */
        if (c == '\\') {
            escaped = true;
            if (++r->p == r->end)
                return false;
        }
    }
    if (r->p == r->end)
        return false;
    const char *stop = r->p++;
    if (!escaped) {
        *s = start;
        *n = (size_t)(stop - start);
        return true;
    }
    char *out = malloc((size_t)(stop - start));
    size_t k = 0;
    if (!out)
        return false;
    for (const char *q = start; q < stop; q++) {
        if (*q != '\\') {
            out[k++] = *q;
            continue;
        }
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *at = memchr(from, *++q, sizeof from - 1);
        if (!at) { /* \u, and what is no escape at all */
            free(out);
            return false;
        }
        out[k++] = to[at - from];
    }
    *owned = out;
    *s = out;
    *n = k;
    return true;
}

static json_t *read_number(reader *r)
{
    const char *start = r->p, *p = r->p, *end = r->end;
    bool real = false;
    if (p < end && *p == '-')
        p++;
    if (p < end && *p == '0')
        p++;
    else if (p < end && *p >= '1' && *p <= '9')
        while (p < end && is_digit(*p))
            p++;
    else
        return NULL;
    if (p < end && *p == '.') {
        real = true;
        if (++p == end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        real = true;
        if (++p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
    }
    r->p = p;
    size_t len = (size_t)(p - start);
    if (!real) {
        bool neg = *start == '-';
        if (len - neg > MAX_DIGITS)
            return NULL;
        int64_t v = 0;
        for (const char *q = start + neg; q < p; q++)
            v = v * 10 + (*q - '0');
        return json_integer(neg ? -v : v);
    }
    char buf[MAX_REAL + 1];
    if (len > MAX_REAL)
        return NULL;
    memcpy(buf, start, len);
    buf[len] = '\0';
    errno = 0;
    double v = strtod(buf, NULL);
    if (errno == ERANGE || !isfinite(v))
        return NULL;
    return json_real(v);
}

static json_t *read_value(reader *r);

static bool read_literal(reader *r, const char *word, size_t n)
{
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return false;
    r->p += n;
    return true;
}

/* Whether the container is empty: close right after its opening (and
 * whitespace); then past it. */
static bool closes(reader *r, char close)
{
    skip_ws(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        return true;
    }
    return false;
}

/* After a member or an element of c (ok: it was read): *more when a ','
 * says another follows; c, or NULL (c dropped) unless the ',' or close
 * follows. */
static json_t *after_item(reader *r, json_t *c, bool ok, char close, bool *more)
{
    skip_ws(r);
    *more = ok && r->p < r->end && *r->p == ',';
    if (*more) {
        r->p++;
        skip_ws(r);
        return c;
    }
    if (ok && closes(r, close))
        return c;
    json_decref(c);
    return NULL;
}

/* One member of object o, "key": value; whether it was read. */
static bool read_member(reader *r, json_t *o)
{
    const char *key;
    size_t n;
    char *owned = NULL;
    json_t *v;
    bool ok = r->p < r->end && *r->p++ == '"' && read_string(r, &key, &n, &owned);
    if (ok) {
        skip_ws(r);
        ok = r->p < r->end && *r->p++ == ':';
    }
    if (ok) {
        skip_ws(r);
        /* a second value of a key is jansson's error to report */
        ok = !json_object_getn(o, key, n) && (v = read_value(r)) &&
             json_object_setn_new_nocheck(o, key, n, v) == 0; /* (which takes v) */
    }
    free(owned);
    return ok;
}

/* After '{' (object) or '[': the members or elements and the close. */
static json_t *read_container(reader *r, bool object)
{
    char close = object ? '}' : ']';
    json_t *c = object ? json_object() : json_array();
    if (closes(r, close))
        return c;
    for (bool more = true; c && more;) {
        bool ok;
        if (object) {
            ok = read_member(r, c);
        } else {
            json_t *v = read_value(r);
            ok = v && json_array_append_new(c, v) == 0;
        }
        c = after_item(r, c, ok, close, &more);
    }
    return c;
}

static json_t *read_value(reader *r)
{
    if (r->p == r->end)
        return NULL;
    switch (*r->p) {
    case '{':
    case '[': {
        if (r->depth == MAX_DEPTH)
            return NULL;
        r->depth++;
        json_t *v = read_container(r, *r->p++ == '{');
        r->depth--;
        return v;
    }
    case '"': {
        const char *s;
        size_t n;
        char *owned;
        r->p++;
        if (!read_string(r, &s, &n, &owned))
            return NULL;
        json_t *v = json_stringn_nocheck(s, n);
        free(owned);
        return v;
    }
    case 't':
        return read_literal(r, "true", 4) ? json_true() : NULL;
    case 'f':
        return read_literal(r, "false", 5) ? json_false() : NULL;
    case 'n':
        return read_literal(r, "null", 4) ? json_null() : NULL;
    default:
        return read_number(r);
    }
}

json_t *json_fast_object(const char *s, size_t n)
{
    reader r = {s, s + n, 0};
    skip_ws(&r);
    if (r.p == r.end || *r.p != '{')
        return NULL;
    json_t *v = read_value(&r);
    skip_ws(&r);
    if (v && r.p != r.end) {
        json_decref(v);
        v = NULL;
    }
    return v;
}
