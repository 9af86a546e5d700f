/* err: first-error-wins error values. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int genu_err_set(genu_err *e, int c, const char *file, int line, const char *fmt, ...)
{
    if (!e || e->code != GENU_OK)
        return c;
    e->code = c;
    e->file = file;
    e->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return c;
}

void genu_err_prefix(genu_err *e, const char *fmt, ...)
{
    if (!e)
        return;
    char pre[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    size_t np = strnlen(pre, sizeof pre);
    size_t no = strnlen(e->msg, sizeof e->msg - 1);
    if (np >= sizeof e->msg - 1)
        np = sizeof e->msg - 1;
    if (np + no > sizeof e->msg - 1)
        no = sizeof e->msg - 1 - np;
    memmove(e->msg + np, e->msg, no);
    memcpy(e->msg, pre, np);
    e->msg[np + no] = '\0';
}

void genu_err_clear(genu_err *e)
{
    if (!e)
        return;
    e->code = GENU_OK;
    e->file = NULL;
    e->line = 0;
    e->msg[0] = '\0';
}

const char *genu_err_name(int code)
{
    switch (code) {
    case GENU_OK:
        return "ok";
    case GENU_EINVAL:
        return "invalid input";
    case GENU_ENOTFOUND:
        return "not found";
    case GENU_EEXIST:
        return "already exists";
    case GENU_EIO:
        return "i/o error";
    case GENU_ENOMEM:
        return "out of memory";
    case GENU_ENOTSUP:
        return "not supported";
    case GENU_ECONFLICT:
        return "conflict";
    default:
        return "error";
    }
}
