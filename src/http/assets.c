/* assets: serving the embedded web interface. Vite names every file under
 * assets/ by its content hash, so those may be cached for a year; the page
 * itself must be revalidated so a new binary's assets are picked up. */
#include "http/assets.h"

#include <string.h>

#include "http/html.h"

const assets_file *assets_find(const char *path)
{
    size_t n;
    const assets_file *t = assets_table(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].path, path) == 0)
            return &t[i];
    return NULL;
}

static void send_file(ctx *c, const assets_file *f, const char *cache)
{
    genu_buf_clear(&c->out);
    if (genu_buf_append(&c->out, (const char *)f->data, f->len) < 0)
        return; /* c->out.oom: the server answers 500 */
    c->status = 200;
    c->ctype = f->ctype;
    c->cache = cache;
    c->csp = ASSETS_CSP;
}

void assets_index(ctx *c)
{
    const assets_file *f = assets_find("/index.html");
    if (f) {
        send_file(c, f, "no-cache");
        return;
    }
    c->status = 200;
    c->ctype = "text/html; charset=utf-8";
    html_begin(&c->out, "genu");
    genu_buf_puts(&c->out,
                  "<p>genu is an outcomes registry for knee treatments. This server offers "
                  "the JSON API under <code>/api/v1</code> (see docs/api.md). This binary "
                  "was built without the web interface (web/dist was missing: run "
                  "<code>make build</code> with Node.js 20.19 or later).</p>\n<p>Patients "
                  "reach their surveys through the one-time link their clinic sent them.</p>\n");
    html_end(&c->out);
}

void assets_file_get(ctx *c)
{
    char path[160];
    const genu_str *name = &c->route.param[0];
    const assets_file *f = NULL;
    if (name->n < sizeof path - 9) {
        memcpy(path, "/assets/", 8);
        memcpy(path + 8, name->p, name->n);
        path[8 + name->n] = '\0';
        f = assets_find(path);
    }
    if (!f) {
        ctx_error(c, 404, "not_found", NULL, "no such file");
        return;
    }
    send_file(c, f, "public, max-age=31536000, immutable");
}
