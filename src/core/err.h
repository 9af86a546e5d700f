/* err: error values that carry a code, a message formatted once where the
 * fault is found, and the source location that detected it. The first error
 * set wins (curl's Curl_failf habit), so the root cause survives. */
#ifndef GENU_CORE_ERR_H
#define GENU_CORE_ERR_H

enum {
    GENU_OK = 0,
    GENU_EINVAL,    /* bad input: names the place in the input */
    GENU_ENOTFOUND, /* a referenced thing does not exist */
    GENU_EEXIST,    /* a thing with that id exists already */
    GENU_EIO,       /* storage or file system failure */
    GENU_ENOMEM,    /* allocation failed */
    GENU_ENOTSUP,   /* not supported by this build or backend */
    GENU_ECONFLICT  /* concurrent change, constraint violated */
};

typedef struct genu_err {
    int code;
    const char *file; /* source file that detected the error */
    int line;
    char msg[512];
} genu_err;

#define GENU_FAIL(e, c, ...) genu_err_set((e), (c), __FILE__, __LINE__, __VA_ARGS__)
/* The one out-of-memory failure: GENU_ENOMEM, "out of memory", where it
 * was found. */
#define GENU_OOM(e) GENU_FAIL((e), GENU_ENOMEM, "out of memory")

/* Records the first error only; later calls are ignored while e->code != 0.
 * Returns c so callers can write `return GENU_FAIL(...)`. NULL e is allowed. */
int genu_err_set(genu_err *e, int c, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Puts "prefix" in front of the message (context added by a caller). */
void genu_err_prefix(genu_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Resets e to GENU_OK with an empty message. */
void genu_err_clear(genu_err *e);

/* A short name for a code ("invalid input", ...). Static string. */
const char *genu_err_name(int code);

#endif
