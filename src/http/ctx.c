/* ctx: error responses and query lookup shared by the handlers. */
#include "http/ctx.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ctx_query(const ctx *c, const char *key)
{
    for (size_t i = 0; i < c->nquery; i++)
        if (strcmp(c->qkey[i], key) == 0)
            return c->qval[i];
    return NULL;
}

int ctx_query_count(ctx *c, const char *key, uint64_t def, uint64_t max, uint64_t *out)
{
    const char *v = ctx_query(c, key);
    uint64_t x = 0;
    if (!v) {
        *out = def;
        return 0;
    }
    size_t n = strlen(v);
    bool ok = n > 0 && n <= 19; /* 19 nines fit in 64 bits */
    for (const char *p = v; ok && *p; p++) {
        ok = *p >= '0' && *p <= '9';
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (!ok || x > max) {
        ctx_error(c, 400, "bad_request", key, "%s: expected an integer from 0 to %" PRIu64, key,
                  max);
        return -1;
    }
    *out = x;
    return 0;
}

void ctx_json(ctx *c, int status)
{
    c->status = status;
    c->ctype = "application/json";
    genu_buf_clear(&c->out);
}

/* Replaces each byte that is not part of well-formed UTF-8 by '?': messages
 * quote input (a parser's "near '...'" may cut a character in two) and are
 * cut to a size, and the error body must stay valid JSON. */
static void utf8_scrub(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char b = (unsigned char)s[i];
        size_t len = b < 0x80 ? 1 : b >> 5 == 6 ? 2 : b >> 4 == 14 ? 3 : b >> 3 == 30 ? 4 : 0;
        if (len && i + len <= n && ctx_utf8_valid(s + i, len)) {
            i += len;
        } else {
            s[i++] = '?';
        }
    }
}

void ctx_error(ctx *c, int status, const char *code, const char *field, const char *fmt, ...)
{
    char msg[600], fbuf[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_scrub(msg);
    if (field) {
        snprintf(fbuf, sizeof fbuf, "%s", field);
        utf8_scrub(fbuf);
        field = fbuf;
    }
    genu_jw w;
    ctx_json(c, status);
    genu_jw_doc(&w, &c->out);
    genu_jw_kobj(&w, "error");
    genu_jw_kstr(&w, "code", code);
    genu_jw_kstr(&w, "message", msg);
    if (field && *field)
        genu_jw_kstr(&w, "field", field);
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
}

void ctx_field_of(const char *msg, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *p = strstr(msg, "field \"");
    size_t n = 0;
    if (p) {
        p += 7;
        const char *e = strchr(p, '"');
        n = e ? (size_t)(e - p) : 0;
    } else if ((p = strstr(msg, "items.")) != NULL) {
        n = strcspn(p, ": ");
    }
    if (n && n < outlen) {
        memcpy(out, p, n);
        out[n] = '\0';
    }
}

void ctx_fail(ctx *c, const genu_err *err)
{
    char field[128];
    ctx_field_of(err->msg, field, sizeof field);
    switch (err->code) {
    case GENU_EINVAL:
        ctx_error(c, 400, "bad_request", field, "%s", err->msg);
        break;
    case GENU_ENOTFOUND:
        ctx_error(c, 404, "not_found", field, "%s", err->msg);
        break;
    case GENU_EEXIST:
    case GENU_ECONFLICT:
        ctx_error(c, 409, "conflict", field, "%s", err->msg);
        break;
    case GENU_ENOTSUP:
        ctx_error(c, 501, "not_implemented", NULL, "%s", err->msg);
        break;
    default:
        fprintf(stderr, "genu: serve: %s %s: %s (%s:%d)\n", c->method, c->path, err->msg,
                err->file ? err->file : "?", err->line);
        ctx_error(c, 500, "internal", NULL, "internal error; the server log has the details");
        break;
    }
}

bool ctx_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len;
        unsigned min;
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            min = 0x10000;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        unsigned cp = c & (0x7F >> len);
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}
