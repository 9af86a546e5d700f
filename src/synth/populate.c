/* populate: generated records into a file or a registry (populate.h). The
 * registry path goes through a temporary file because jsonl_import reads
 * files: the import then validates every generated line like any other. */
#include "synth/populate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synth/cases.h"

static int emit_line(const char *line, size_t n, void *ctx)
{
    FILE *f = ctx;
    if (fwrite(line, 1, n, f) != n || fputc('\n', f) == EOF)
        return GENU_EIO;
    return 0;
}

int populate_write(FILE *out, const synth_opts *o, bool with_cases, genu_err *err)
{
    int rc = o ? synth_generate(o, emit_line, out, err) : GENU_OK;
    if (!rc && with_cases)
        rc = cases_generate(emit_line, out, err);
    if (rc == GENU_EIO || (!rc && fflush(out) != 0))
        return GENU_FAIL(err, GENU_EIO, "write error: %s", strerror(errno));
    return rc;
}

typedef struct reject_ctx {
    genu_err *err;
} reject_ctx;

static void on_reject(const char *file, size_t line, const char *msg, const char *text, void *p)
{
    reject_ctx *c = p;
    (void)file;
    (void)text;
    GENU_FAIL(c->err, GENU_EINVAL, "generated line %zu rejected: %s", line, msg);
}

int populate_store(genu_store *s, const synth_opts *o, bool with_cases, jsonl_stats *stats,
                   genu_err *err)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (!dir || !*dir)
        dir = "/tmp";
    if ((size_t)snprintf(path, sizeof path, "%s/genu-synth-XXXXXX", dir) >= sizeof path)
        return GENU_FAIL(err, GENU_EIO, "TMPDIR is too long");
    int fd = mkstemp(path);
    if (fd < 0)
        return GENU_FAIL(err, GENU_EIO, "cannot create a temporary file in %s: %s", dir,
                         strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(path);
        return GENU_FAIL(err, GENU_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    int rc = populate_write(f, o, with_cases, err);
    if (fclose(f) != 0 && !rc)
        rc = GENU_FAIL(err, GENU_EIO, "write error on %s: %s", path, strerror(errno));
    if (!rc) {
        const char *files[1] = {path};
        reject_ctx c = {err};
        jsonl_import_opts io = {false, on_reject, NULL, &c};
        rc = jsonl_import(s, files, 1, &io, stats, err);
    }
    unlink(path);
    return rc;
}
