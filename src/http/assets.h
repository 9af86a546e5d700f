/* assets: the web interface's built files (web/dist), compiled into the
 * binary by tools/embed-assets.sh, and the handlers that serve them: the
 * single page at `/` and its hashed files under `/assets/`. When the binary
 * was built without web/dist, `/` says so and `/assets/` is 404. */
#ifndef GENU_HTTP_ASSETS_H
#define GENU_HTTP_ASSETS_H

#include <stddef.h>

#include "http/ctx.h"

typedef struct assets_file {
    const char *path;  /* "/index.html", "/assets/index-1a2b3c.js" */
    const char *ctype; /* "text/javascript; charset=utf-8" */
    const unsigned char *data;
    size_t len;
} assets_file;

/* The embedded files (generated); *n gets their count, possibly 0. Static. */
const assets_file *assets_table(size_t *n);

/* The file at path, or NULL. */
const assets_file *assets_find(const char *path);

/* The Content-Security-Policy of the web interface: scripts, styles and
 * images from this origin only, requests to this origin only. */
#define ASSETS_CSP                                                                                \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "            \
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; "             \
    "frame-ancestors 'none'; base-uri 'none'"

void assets_index(ctx *c); /* GET / */
void assets_file_get(ctx *c); /* GET /assets/{file} */

#endif
