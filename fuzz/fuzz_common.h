/* fuzz_common.h: what the libFuzzer targets share (header-only, static, so
 * each target stays one .c file): breaking an invariant, exact-size copies
 * of the input, a private temporary directory for parsers that read files,
 * and a small in-memory registry for the importers.
 *
 * Determinism: the registry an import runs against is always the same base
 * (two patients, their treatments, a diagnosis and two NPRS responses, in
 * an in-memory SQLite registry); an import that stored something is
 * followed by a fresh base, one that failed must have left it unchanged
 * (checked: that is the import's atomicity). The temporary directory
 * ($TMPDIR or /tmp) is made on first use and removed at exit or before an
 * abort; the targets remove each file after the input that wrote it. */
#ifndef GENU_FUZZ_COMMON_H
#define GENU_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "io/jsonl.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FUZZ_NAME
#error "define FUZZ_NAME before including fuzz_common.h"
#endif

/* The private temporary directory (empty until first used) and the files
 * written in it, removed at exit and before an abort. */
static char fuzz_dir[512];
static char fuzz_paths[2][600];

static inline void fuzz_tmp_remove(void)
{
    for (int i = 0; i < 2; i++)
        if (fuzz_paths[i][0])
            unlink(fuzz_paths[i]);
    if (fuzz_dir[0])
        rmdir(fuzz_dir);
}

__attribute__((noreturn)) static inline void die(const char *what, const char *detail)
{
    fprintf(stderr, FUZZ_NAME ": invariant broken: %s\n%s\n", what, detail ? detail : "");
    fuzz_tmp_remove();
    abort();
}

/* With FUZZ_VERBOSE set in the environment, what each input came to (for
 * checking that a seed does what its name says); silent otherwise. */
__attribute__((format(printf, 1, 2))) static inline void fuzz_say(const char *fmt, ...)
{
    static int on = -1;
    if (on < 0)
        on = getenv("FUZZ_VERBOSE") != NULL;
    if (!on)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs(FUZZ_NAME ": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* An exact-size heap copy of data[0..n) (a read past n is caught), or, with
 * nul, one byte more holding a NUL. */
static inline char *fuzz_copy(const uint8_t *data, size_t n, bool nul)
{
    char *p = malloc(n + (nul ? 1 : 0) ? n + (nul ? 1 : 0) : 1);
    if (!p)
        die("out of memory", NULL);
    if (n)
        memcpy(p, data, n);
    if (nul)
        p[n] = '\0';
    return p;
}

/* data[0..n) as a NUL-terminated string cut at its first NUL byte (the C
 * strings an option or a setting arrives as). */
static inline char *fuzz_cstr(const uint8_t *data, size_t n)
{
    const void *z = memchr(data, 0, n);
    return fuzz_copy(data, z ? (size_t)((const uint8_t *)z - data) : n, true);
}

/* ---- the temporary directory -------------------------------------------- */

/* Writes data[0..n) to file `name` in the private directory ($TMPDIR or
 * /tmp, genu-fuzz-XXXXXX, made on first use); returns its path, valid until
 * the next call but one. */
static inline const char *fuzz_write(const char *name, const uint8_t *data, size_t n)
{
    static int which;
    if (!fuzz_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/genu-fuzz-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(fuzz_dir)) {
            fuzz_dir[0] = '\0';
            die("cannot create a temporary directory", t);
        }
        atexit(fuzz_tmp_remove);
    }
    char *p = fuzz_paths[which ^= 1];
    snprintf(p, sizeof fuzz_paths[0], "%s/%s", fuzz_dir, name);
    FILE *f = fopen(p, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
        die("cannot write a temporary file", p);
    return p;
}

/* ---- the base registry ---------------------------------------------------- */

static const char *const fuzz_base_lines[] = {
    "{\"type\":\"patient\",\"id\":\"CH1\",\"site\":\"oak-park\",\"sex\":\"male\","
    "\"birth_year\":1942,\"height_cm\":180,\"weight_kg\":86}",
    "{\"type\":\"patient\",\"id\":\"K2\",\"site\":\"fort-myers\",\"sex\":\"female\","
    "\"birth_year\":1958,\"height_cm\":165,\"weight_kg\":72}",
    "{\"type\":\"treatment\",\"id\":\"t-base\",\"patient\":\"K2\",\"knee\":\"left\","
    "\"date\":\"2019-03-05\",\"kind\":\"prp\",\"protocol\":\"prp-3x\","
    "\"sites\":[\"intra_articular\"]}",
    "{\"type\":\"diagnosis\",\"patient\":\"K2\",\"knee\":\"left\",\"date\":\"2019-03-01\","
    "\"condition\":\"osteoarthritis\",\"kl_grade\":4}",
    "{\"type\":\"response\",\"patient\":\"K2\",\"knee\":\"left\",\"date\":\"2019-03-05\","
    "\"instrument\":\"nprs\",\"items\":{\"intensity\":8}}",
    "{\"type\":\"response\",\"patient\":\"K2\",\"knee\":\"left\",\"date\":\"2019-09-04\","
    "\"instrument\":\"nprs\",\"items\":{\"intensity\":3}}",
    "{\"type\":\"treatment\",\"patient\":\"CH1\",\"knee\":\"right\",\"date\":\"2010-01-04\","
    "\"kind\":\"bone_marrow_aspirate\",\"sites\":[\"intra_articular\",\"mcl\"]}",
};
#define FUZZ_NBASE (sizeof fuzz_base_lines / sizeof fuzz_base_lines[0])

static genu_store *fuzz_store;

static inline void fuzz_quiet(const char *file, size_t line, const char *msg, const char *text,
                              void *ctx)
{
    (void)file, (void)line, (void)msg, (void)text, (void)ctx;
}

static inline void fuzz_store_close(void)
{
    store_close(fuzz_store);
    fuzz_store = NULL;
}

/* Records in the registry, all types. */
static inline size_t fuzz_store_total(void)
{
    size_t total = 0;
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        size_t k = 0;
        genu_err err = {0};
        if (store_count(fuzz_store, (genu_rtype)t, &k, &err))
            die("store_count failed", err.msg);
        total += k;
    }
    return total;
}

/* The base registry, made anew when `fresh` (after an import that stored
 * something) or on first use. */
static inline genu_store *fuzz_base(bool fresh)
{
    static bool registered;
    if (fuzz_store && !fresh)
        return fuzz_store;
    fuzz_store_close();
    genu_err err = {0};
    if (store_open(":memory:", true, &fuzz_store, &err))
        die("cannot open an in-memory registry", err.msg);
    if (!registered) {
        atexit(fuzz_store_close);
        registered = true;
    }
    jsonl_line l[FUZZ_NBASE];
    memset(l, 0, sizeof l);
    for (size_t i = 0; i < FUZZ_NBASE; i++) {
        l[i].text = fuzz_base_lines[i];
        l[i].where = "base";
    }
    jsonl_import_opts o = {false, fuzz_quiet, NULL, NULL};
    jsonl_stats st;
    if (jsonl_import_lines(fuzz_store, l, FUZZ_NBASE, &o, &st, &err) || st.added != FUZZ_NBASE)
        die("cannot import the base records", err.msg);
    return fuzz_store;
}

/* Rejections an import reported through on_reject. */
typedef struct fuzz_rejects {
    size_t n;
} fuzz_rejects;

static inline void fuzz_on_reject(const char *file, size_t line, const char *msg, const char *text,
                                  void *ctx)
{
    (void)line, (void)text;
    if (!file || !msg || !msg[0])
        die("a rejection without its place or reason", msg);
    ((fuzz_rejects *)ctx)->n++;
}

/* The invariants of an import that returned rc, then the base for the next
 * input: a failure has its code and message, stored nothing and reported
 * every rejection it counts; a success rejected nothing and accounts for
 * every record. */
static inline void fuzz_import_done(int rc, const genu_err *err, const jsonl_stats *st,
                                    const fuzz_rejects *rj)
{
    fuzz_say("%s: %zu records (%zu added, %zu updated, %zu unchanged, %zu rejected) %s",
             rc ? "refused" : "imported", st->records, st->added, st->updated, st->unchanged,
             st->rejected, rc ? err->msg : "");
    if (rc == GENU_OK) {
        if (err->code != GENU_OK)
            die("GENU_OK returned with an error set", err->msg);
        if (rj->n || st->rejected)
            die("an import that succeeded rejected records", NULL);
        if (st->added + st->updated + st->unchanged != st->records)
            die("the import's counts do not add up", NULL);
        if (fuzz_store_total() != FUZZ_NBASE + st->added)
            die("the registry does not hold what the import says it added", NULL);
        if (st->added || st->updated)
            fuzz_base(true);
        return;
    }
    if (err->code != rc || !err->msg[0])
        die("an error return without its code or message", err->msg);
    if (rj->n != st->rejected)
        die("rejections counted and reported differ", err->msg);
    if (rc == GENU_ENOMEM || rc == GENU_EIO)
        die("an import of a small input failed for want of memory or I/O", err->msg);
    if (fuzz_store_total() != FUZZ_NBASE)
        die("a failed import changed the registry", err->msg);
}

#endif
