/* jsonl: atomic JSON Lines import and ordered export. */
#include "io/jsonl.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/hash.h"
#include "io/death.h"
#include "io/record_json.h"
#include "io/settings.h"

#define PROGRESS_EVERY 65536
#define MAX_THREADS    8
#define PER_THREAD_MIN 4096 /* fewer lines than this per thread: parse in one */

/* One line read: its record (when valid) and where it came from. */
typedef struct entry {
    genu_record rec;
    const char *file;
    size_t line;
    const char *text; /* the line as read */
    size_t len;
    const char *why; /* NULL while valid */
    bool parsed;     /* text went through record_json_parse (or was rejected before) */
    const store_digest *digest; /* of rec.doc when the parse computed it, or NULL */
    const char *const *cols; /* in-memory lines: field of each column, or NULL */
} entry;

typedef struct importer {
    genu_store *s;
    const jsonl_import_opts *o;
    jsonl_stats *st;
    genu_err *err;
    genu_arena *a;
    entry *v;
    size_t n, cap;
    genu_hash *ids[GENU_REC_NTYPES]; /* id → entry index, valid entries only */
    genu_hash *stored[GENU_REC_NTYPES]; /* ids found in the registry (borrowed keys) */
    genu_arena *thread_arena[MAX_THREADS]; /* records parsed by each thread */
    instr_opts opts; /* the registry's scoring options the records were parsed with */
    bool staging;    /* records are being staged (store_stage_new) as they are parsed */
    bool txn;        /* the import's transaction is open */
    bool digests;    /* the parse computes each record's audit digest (set before it starts) */
} importer;

static entry *push(importer *im)
{
    if (im->n == im->cap) {
        size_t cap = im->cap ? im->cap * 2 : 1024;
        entry *v = realloc(im->v, cap * sizeof *v);
        if (!v)
            return NULL;
        im->v = v;
        im->cap = cap;
    }
    entry *e = &im->v[im->n++];
    memset(e, 0, sizeof *e);
    return e;
}

/* Undoes what was staged, with the transaction: from here on the import
 * goes the ordinary way (check, then open the transaction and put). */
static void unstage(importer *im)
{
    if (im->staging)
        store_rollback(im->s);
    im->staging = im->txn = false;
}

static void reject(importer *im, entry *e, const char *text, const char *why)
{
    unstage(im);
    e->why = genu_arena_strdup(im->a, why);
    if (!e->text)
        e->text = genu_arena_strdup(im->a, text);
}

/* One line of a file (text[0..len), its end already a '\0'), as entry. */
static int take_line(importer *im, const char *label, size_t lineno, char *text, size_t len)
{
    im->st->lines++;
    if (len > 0 && text[len - 1] == '\r')
        text[--len] = '\0';
    if (im->o->on_progress && im->st->lines % PROGRESS_EVERY == 0)
        im->o->on_progress(im->st->lines, im->o->ctx);
    if (len == 0)
        return GENU_OK; /* blank lines separate nothing and are allowed */
    entry *e = push(im);
    if (!e)
        return GENU_FAIL(im->err, GENU_ENOMEM, "%s:%zu: out of memory", label, lineno);
    e->file = label;
    e->line = lineno;
    e->len = len;
    e->text = text;
    if (memchr(text, '\0', len))
        reject(im, e, text, "line contains a NUL byte");
    return GENU_OK;
}

#define READ_CHUNK ((size_t)4 << 20) /* bytes read at a time */

/* Reads a file's lines into entries. The file is read in large chunks
 * into the arena and each line's entry points into its chunk (its newline
 * made the '\0' that ends it): one copy of the text, not a line buffer and
 * a copy of each line. The part line at a chunk's end moves to the start
 * of the next chunk, which grows for a line longer than a chunk. */
static int read_file(importer *im, const char *name)
{
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    const char *label = strcmp(name, "-") == 0 ? "<stdin>" : name;
    if (!f)
        return GENU_FAIL(im->err, errno == ENOENT ? GENU_ENOTFOUND : GENU_EIO, "%s: %s", name,
                         strerror(errno));
    label = genu_arena_strdup(im->a, label);
    size_t cap = READ_CHUNK, have = 0, start = 0, lineno = 0; /* start: the open line's */
    char *buf = genu_arena_alloc(im->a, cap + 1);
    int rc = label && buf ? GENU_OK : GENU_FAIL(im->err, GENU_ENOMEM, "out of memory reading %s",
                                                 name);
    while (!rc) {
        if (have == cap) { /* full: the open line moves to a new chunk */
            if (start == 0) /* one line fills the chunk: a larger one */
                cap *= 2;
            char *next = genu_arena_alloc(im->a, cap + 1);
            if (!next) {
                rc = GENU_FAIL(im->err, GENU_ENOMEM, "%s:%zu: out of memory", label, lineno + 1);
                break;
            }
            memcpy(next, buf + start, have - start);
            buf = next;
            have -= start;
            start = 0;
        }
        size_t got = fread(buf + have, 1, cap - have, f);
        have += got;
        char *nl;
        while (!rc && (nl = memchr(buf + start, '\n', have - start)) != NULL) {
            *nl = '\0';
            rc = take_line(im, label, ++lineno, buf + start, (size_t)(nl - buf - start));
            start = (size_t)(nl - buf) + 1;
        }
        if (!rc && got == 0 && (feof(f) || ferror(f))) {
            if (have > start) { /* the last line, without a newline */
                buf[have] = '\0';
                rc = take_line(im, label, ++lineno, buf + start, have - start);
            }
            break;
        }
    }
    if (!rc && ferror(f))
        rc = GENU_FAIL(im->err, GENU_EIO, "%s: read error: %s", label, strerror(errno));
    if (f != stdin)
        fclose(f);
    return rc;
}

static const char *entry_text(const entry *e)
{
    return e->text ? e->text : e->rec.doc ? e->rec.doc : "";
}

/* ---- parsing, on every core: lines are independent until ids are indexed */

typedef struct chunk {
    importer *im;
    genu_arena *a;
    size_t lo, hi;
    int rc; /* GENU_ENOMEM when the thread ran out of memory */
} chunk;

/* Parses entries [lo, hi) into a; GENU_ENOMEM when it ran out of memory.
 * While staging, each valid record's audit digest is computed here too, on
 * the parsing threads, instead of by the one thread that writes the audit
 * rows. */
static int parse_range(importer *im, genu_arena *a, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++) {
        entry *e = &im->v[i];
        if (e->parsed || e->why)
            continue;
        genu_err le = {0};
        record_json_parse_with(e->text, e->len, &im->opts, a, &e->rec, &le);
        e->parsed = true;
        if (le.code == GENU_ENOMEM)
            return GENU_ENOMEM;
        if (le.code && !(e->why = genu_arena_strdup(a, le.msg)))
            return GENU_ENOMEM;
        if (!le.code && im->digests) {
            store_digest *d = genu_arena_alloc(a, sizeof *d);
            if (!d)
                return GENU_ENOMEM;
            store_doc_digest(e->rec.doc, d);
            e->digest = d;
        }
    }
    return GENU_OK;
}

static void *parse_chunk(void *p)
{
    chunk *c = p;
    c->rc = parse_range(c->im, c->a, c->lo, c->hi);
    return NULL;
}

/* How many parsing threads for n lines: one per core, up to MAX_THREADS,
 * and none beyond one per PER_THREAD_MIN lines. */
static size_t parse_threads(size_t n)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = cores > 1 ? (size_t)cores : 1;
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    if (nt > n / PER_THREAD_MIN)
        nt = n / PER_THREAD_MIN ? n / PER_THREAD_MIN : 1;
    return nt;
}

static int parse_all(importer *im)
{
    size_t nt = parse_threads(im->n);
    chunk c[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    json_object_seed(0); /* before threads, as jansson asks */
    for (size_t t = 0; t < nt; t++) {
        if (!im->thread_arena[t] && !(im->thread_arena[t] = genu_arena_create()))
            return GENU_OOM(im->err);
        c[t] = (chunk){im, im->thread_arena[t], im->n * t / nt, im->n * (t + 1) / nt, GENU_OK};
        started[t] = t > 0 && pthread_create(&tid[t], NULL, parse_chunk, &c[t]) == 0;
    }
    for (size_t t = 0; t < nt; t++)
        if (!started[t])
            parse_chunk(&c[t]); /* this thread's share, or a thread that failed to start */
    int rc = GENU_OK;
    for (size_t t = 0; t < nt; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        if (c[t].rc)
            rc = c[t].rc;
    }
    return rc ? GENU_FAIL(im->err, GENU_ENOMEM, "out of memory parsing records") : GENU_OK;
}

/* Whether the line of e named its record's id (else the id was derived
 * from the content). */
static bool named_id(const entry *e)
{
    json_error_t je;
    const char *text = entry_text(e);
    json_t *o = e->text ? json_loadb(e->text, e->len, 0, &je) : json_loads(text, 0, &je);
    json_t *id = o ? json_object_get(o, "id") : NULL;
    bool named = !o || (id && !json_is_null(id)); /* null is the same as absent */
    json_decref(o);
    return named;
}

/* Two identical lines without ids are two records (two physical-therapy
 * sessions on one day): the k-th occurrence's id is the derived id and
 * "-k", so that importing the same file again names the same records.
 * Re-parses e with that id. */
static int rename_occurrence(importer *im, entry *e, genu_err *err)
{
    json_error_t je;
    json_t *o = json_loads(e->rec.doc, 0, &je);
    if (!o)
        return GENU_OOM(err);
    size_t k = 2, dummy;
    char id[256];
    do
        snprintf(id, sizeof id, "%s-%zu", e->rec.id, k++);
    while (genu_hash_get(im->ids[e->rec.type], id, &dummy));
    json_object_set_new(o, "id", json_string(id));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        return GENU_OOM(err);
    genu_err le = {0};
    int rc = record_json_parse_with(text, strlen(text), &im->opts, im->a, &e->rec, &le);
    free(text);
    e->digest = NULL; /* of the doc before */
    return rc ? GENU_FAIL(err, le.code, "%s", le.msg) : GENU_OK;
}

static int index_begin(importer *im)
{
    for (int t = 0; t < GENU_REC_NTYPES; t++)
        if (!(im->ids[t] = genu_hash_create()))
            return GENU_OOM(im->err);
    return GENU_OK;
}

/* Indexes entry i's id after those before it: a duplicate is renamed (two
 * identical lines without ids) or rejected naming the first. */
static int index_one(importer *im, size_t i)
{
    entry *e = &im->v[i];
    if (e->why)
        return GENU_OK;
    size_t first;
    int r = genu_hash_put(im->ids[e->rec.type], e->rec.id, i, &first);
    if (r < 0)
        return GENU_OOM(im->err);
    if (r == 0 && e->rec.type != GENU_REC_PATIENT && e->rec.type != GENU_REC_IDENTITY &&
        !named_id(e) && !named_id(&im->v[first])) {
        if (rename_occurrence(im, e, im->err))
            return im->err->code;
        if ((r = genu_hash_put(im->ids[e->rec.type], e->rec.id, i, &first)) < 0)
            return GENU_OOM(im->err);
    }
    if (r == 0) {
        char why[300], at[100];
        const entry *f = &im->v[first];
        if (f->line)
            snprintf(at, sizeof at, "%.60s:%zu", f->file, f->line);
        else
            snprintf(at, sizeof at, "%.80s", f->file);
        if (e->rec.type == GENU_REC_IDENTITY)
            snprintf(why, sizeof why, "field \"patient\": a second identity for patient "
                     "\"%.100s\" (first at %s)", e->rec.id, at);
        else
            snprintf(why, sizeof why, "field \"id\": duplicate %s id \"%.100s\" (first at "
                     "%s)", record_type_name(e->rec.type), e->rec.id, at);
        reject(im, e, entry_text(e), why);
    }
    return GENU_OK;
}

static int index_ids(importer *im)
{
    int rc = index_begin(im);
    for (size_t i = 0; i < im->n && !rc; i++)
        rc = index_one(im, i);
    return rc;
}

/* ---- the pipeline: lines parsed on every core in blocks while this thread
 * indexes their ids and stages their records in the store, in line order */

#define BLOCK       1024
#define STAGE_BATCH 8192 /* records staged at once; a multiple of BLOCK */

typedef struct pipeline {
    importer *im;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next, nblocks; /* the next block a thread takes, of nblocks */
    unsigned char *done;  /* per block: parsed */
    bool stop;            /* take no more blocks */
    int rc;               /* GENU_ENOMEM when a thread ran out of memory */
} pipeline;

typedef struct worker {
    pipeline *p;
    genu_arena *a;
} worker;

static void block_range(const pipeline *p, size_t b, size_t *lo, size_t *hi)
{
    *lo = b * BLOCK;
    *hi = *lo + BLOCK < p->im->n ? *lo + BLOCK : p->im->n;
}

static void *pipe_worker(void *arg)
{
    worker *w = arg;
    pipeline *p = w->p;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t b = p->stop || p->rc ? p->nblocks : p->next;
        if (b < p->nblocks)
            p->next++;
        pthread_mutex_unlock(&p->mu);
        if (b >= p->nblocks)
            return NULL;
        size_t lo, hi;
        block_range(p, b, &lo, &hi);
        int rc = parse_range(p->im, w->a, lo, hi);
        pthread_mutex_lock(&p->mu);
        p->done[b] = 1;
        if (rc)
            p->rc = rc;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Waits until block b is parsed; meanwhile this thread parses (into a) the
 * first block no thread has taken yet, b or one after it, rather than wait:
 * the pipeline runs a thread per core, not one more, and none idles while
 * there is parsing left. */
static int wait_block(pipeline *p, size_t b, genu_arena *a)
{
    pthread_mutex_lock(&p->mu);
    while (!p->done[b] && !p->rc) {
        if (p->next < p->nblocks) {
            size_t mine = p->next++, lo, hi;
            pthread_mutex_unlock(&p->mu);
            block_range(p, mine, &lo, &hi);
            int rc = parse_range(p->im, a, lo, hi);
            pthread_mutex_lock(&p->mu);
            p->done[mine] = 1;
            if (rc)
                p->rc = rc;
            continue;
        }
        pthread_cond_wait(&p->cv, &p->mu);
    }
    int rc = p->rc;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* Stages the records gathered so far (recs[0..*k)) while staging lasts. */
static int stage(importer *im, const genu_record **recs, size_t *k)
{
    bool all_new = true;
    if (im->staging && store_stage_new(im->s, recs, *k, &all_new, im->err))
        return im->err->code;
    if (!all_new)
        unstage(im);
    *k = 0;
    return GENU_OK;
}

/* Indexes block b's entries and gathers the valid ones into recs[*k..],
 * staging them STAGE_BATCH at a time (a statement per type and batch on
 * PostgreSQL: fewer, larger ones cost fewer round trips). */
static int take_block(pipeline *p, size_t b, const genu_record **recs, size_t *k)
{
    importer *im = p->im;
    size_t lo, hi;
    block_range(p, b, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        if (im->v[i].why) /* rejected as it was read or parsed */
            unstage(im);
        if (index_one(im, i))
            return im->err->code;
        if (!im->v[i].why && im->staging)
            recs[(*k)++] = &im->v[i].rec;
    }
    return *k + BLOCK > STAGE_BATCH ? stage(im, recs, k) : GENU_OK;
}

/* Parses every entry and indexes the ids (what parse_all and index_ids do),
 * staging the records as it goes (im->staging, inside the transaction). */
static int parse_and_stage(importer *im)
{
    pipeline p = {.im = im, .nblocks = (im->n + BLOCK - 1) / BLOCK};
    worker w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    size_t nt = 0, want = parse_threads(im->n) - 1; /* this thread parses too */
    const genu_record **recs = malloc(STAGE_BATCH * sizeof *recs);
    size_t k = 0;
    p.done = calloc(p.nblocks ? p.nblocks : 1, 1);
    int rc = recs && p.done ? index_begin(im) : GENU_OOM(im->err);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    json_object_seed(0); /* before threads, as jansson asks */
    for (size_t t = 0; t < want && !rc; t++) {
        if (!im->thread_arena[nt] && !(im->thread_arena[nt] = genu_arena_create()))
            rc = GENU_OOM(im->err);
        w[nt] = (worker){&p, im->thread_arena[nt]};
        if (!rc && pthread_create(&tid[nt], NULL, pipe_worker, &w[nt]) == 0)
            nt++;
    }
    /* this thread's records: the arena after the workers' */
    if (!rc && !im->thread_arena[nt] && !(im->thread_arena[nt] = genu_arena_create()))
        rc = GENU_OOM(im->err);
    for (size_t b = 0; b < p.nblocks && !rc; b++) {
        if (wait_block(&p, b, im->thread_arena[nt]))
            rc = GENU_FAIL(im->err, GENU_ENOMEM, "out of memory parsing records");
        else
            rc = take_block(&p, b, recs, &k);
    }
    if (!rc)
        rc = stage(im, recs, &k);
    pthread_mutex_lock(&p.mu);
    p.stop = true;
    pthread_mutex_unlock(&p.mu);
    for (size_t t = 0; t < nt; t++)
        pthread_join(tid[t], NULL);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    free(p.done);
    free(recs);
    return rc;
}

/* Does the referenced id exist among the valid entries or in the registry?
 * The registry is asked once per id (a round trip on PostgreSQL). */
static int ref_ok(importer *im, genu_rtype t, const char *id, bool *ok)
{
    size_t i;
    if ((genu_hash_get(im->ids[t], id, &i) && !im->v[i].why) ||
        (im->stored[t] && genu_hash_get(im->stored[t], id, &i))) {
        *ok = true;
        return GENU_OK;
    }
    if (store_has(im->s, t, id, ok, im->err))
        return im->err->code;
    if (*ok && ((!im->stored[t] && !(im->stored[t] = genu_hash_create())) ||
                genu_hash_put(im->stored[t], id, 0, NULL) < 0))
        return GENU_OOM(im->err);
    return GENU_OK;
}

/* Whether treatment id exists, in the files or the registry, and belongs
 * to patient: an adverse event names its own patient's treatment. */
static int treatment_of(importer *im, const char *id, const char *patient, bool *ok)
{
    size_t i;
    *ok = false;
    if (genu_hash_get(im->ids[GENU_REC_TREATMENT], id, &i) && !im->v[i].why) {
        *ok = strcmp(im->v[i].rec.patient, patient) == 0;
        return GENU_OK;
    }
    genu_record t;
    genu_err e = {0};
    int rc = store_get(im->s, GENU_REC_TREATMENT, id, im->a, &t, &e);
    if (rc == GENU_OK)
        *ok = strcmp(t.patient, patient) == 0;
    else if (rc != GENU_ENOTFOUND)
        return GENU_FAIL(im->err, e.code, "%s", e.msg);
    return GENU_OK;
}

/* The deaths among the valid entries: patient -> entry index of the first;
 * a second one of the same patient is rejected naming the first's line. */
static int index_deaths(importer *im, genu_hash *deaths)
{
    for (size_t i = 0; i < im->n; i++) {
        entry *e = &im->v[i];
        if (e->why || e->rec.type != GENU_REC_DEATH)
            continue;
        size_t first;
        if (genu_hash_get(deaths, e->rec.patient, &first)) {
            char why[400];
            snprintf(why, sizeof why, "field \"patient\": the death of \"%.100s\" is already "
                     "at %.150s:%zu: a patient dies once", e->rec.patient, im->v[first].file,
                     im->v[first].line);
            reject(im, e, entry_text(e), why);
        } else if (genu_hash_put(deaths, e->rec.patient, i, NULL) < 0) {
            return GENU_OOM(im->err);
        }
    }
    return GENU_OK;
}

/* why: r is dated after its patient's death as the registry records it.
 * Each patient's death is asked for once (cache: patient -> the death's
 * date + 2^31 + 1, or 0 for none). */
static int registry_death(importer *im, genu_hash *cache, const genu_record *r, char *why,
                          size_t n)
{
    size_t v;
    genu_record d = {0};
    if (!genu_hash_get(cache, r->patient, &v)) {
        bool found;
        if (death_stored(im->s, r->patient, im->a, &d, &found, im->err))
            return im->err->code;
        v = found ? (size_t)((int64_t)d.date - INT32_MIN + 1) : 0;
        if (genu_hash_put(cache, r->patient, v, NULL) < 0)
            return GENU_OOM(im->err);
    }
    if (!v || r->date == GENU_DATE_NONE)
        return GENU_OK;
    genu_date when = (genu_date)((int64_t)v - 1 + INT32_MIN);
    if (r->date > when) {
        char day[GENU_DATE_STRLEN];
        genu_date_format(when, day);
        snprintf(why, n, "field \"date\": after the patient's death on %s, which the registry "
                 "records", day);
    }
    return GENU_OK;
}

/* Whether patient is one of the files' patients staged as new: then the
 * registry had nothing of that patient (no death, no record) to check a
 * death against. */
static bool staged_patient(const importer *im, const char *patient)
{
    size_t i;
    return im->staging && genu_hash_get(im->ids[GENU_REC_PATIENT], patient, &i) &&
           !im->v[i].why;
}

/* Rejects records dated after their patient's death (in the files, naming
 * the death's line, or in the registry) and deaths the registry
 * contradicts (io/death.h). The registry is asked only when it records a
 * death or the files bring one. */
static int check_deaths(importer *im)
{
    genu_hash *deaths = genu_hash_create(), *registry = genu_hash_create();
    size_t stored = 0;
    int rc = deaths && registry ? GENU_OK : GENU_OOM(im->err);
    if (!rc)
        rc = index_deaths(im, deaths);
    if (!rc)
        rc = store_count(im->s, GENU_REC_DEATH, &stored, im->err);
    char why[400], day[GENU_DATE_STRLEN];
    for (size_t i = 0; i < im->n && !rc; i++) {
        entry *e = &im->v[i];
        const genu_record *r = &e->rec;
        size_t d;
        why[0] = '\0';
        if (e->why || !(death_binds(r->type) || r->type == GENU_REC_DEATH))
            continue;
        if (r->type != GENU_REC_DEATH && genu_hash_get(deaths, r->patient, &d) &&
            r->date > im->v[d].rec.date) {
            genu_date_format(im->v[d].rec.date, day);
            snprintf(why, sizeof why, "field \"date\": after the patient's death on %s at "
                     "%.150s:%zu", day, im->v[d].file, im->v[d].line);
        } else if (r->type == GENU_REC_DEATH) {
            if (!staged_patient(im, r->patient)) {
                unstage(im); /* death_check loads records in a transaction of its own */
                rc = death_check(im->s, r, im->a, why, sizeof why, im->err);
            }
        } else if (stored && !staged_patient(im, r->patient)) {
            /* a staged patient's deaths are the files' own, checked above:
             * asking the registry would find those, a round trip each */
            rc = registry_death(im, registry, r, why, sizeof why);
        }
        if (why[0])
            reject(im, e, entry_text(e), why);
    }
    genu_hash_destroy(deaths);
    genu_hash_destroy(registry);
    return rc;
}

/* Rejects records whose patient is missing, then adverse events whose
 * treatment is missing or another patient's (after treatments themselves
 * were settled). */
static int check_refs(importer *im)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < im->n; i++) {
            entry *e = &im->v[i];
            const genu_record *r = &e->rec;
            if (e->why || r->type == GENU_REC_PATIENT)
                continue;
            bool ok;
            char why[300];
            if (pass == 0) {
                if (ref_ok(im, GENU_REC_PATIENT, r->patient, &ok))
                    return im->err->code;
                snprintf(why, sizeof why, "field \"patient\": no patient \"%.150s\" in the "
                         "files or the registry", r->patient);
            } else if (r->type == GENU_REC_ADVERSE_EVENT && r->u.adverse_event.treatment) {
                if (treatment_of(im, r->u.adverse_event.treatment, r->patient, &ok))
                    return im->err->code;
                snprintf(why, sizeof why, "field \"treatment\": no treatment \"%.120s\" of "
                         "patient \"%.60s\" in the files or the registry",
                         r->u.adverse_event.treatment, r->patient);
            } else {
                continue;
            }
            if (!ok)
                reject(im, e, entry_text(e), why);
        }
    }
    return GENU_OK;
}

/* Inside the import's transaction: if the registry's scoring options
 * changed since the records were parsed, re-scores the responses that read
 * them, so that what is stored agrees with the setting it commits under. */
static int rescore_if_changed(importer *im)
{
    instr_opts now;
    if (settings_scoring(im->s, im->a, &now, im->err))
        return im->err->code;
    if (instrument_opts_equal(&now, &im->opts))
        return GENU_OK;
    for (size_t i = 0; i < im->n; i++) {
        entry *e = &im->v[i];
        e->digest = NULL; /* of the doc before, if any */
        if (!e->why && settings_rescore(&e->rec, &now, im->a, NULL, im->err)) {
            genu_err_prefix(im->err, "%s:%zu: ", e->file, e->line);
            return im->err->code;
        }
    }
    im->opts = now;
    return GENU_OK;
}

/* Stores the valid records inside the open transaction and commits: the
 * staged ones by writing their audit rows, else through store_put_many;
 * patients first either way (the order of the audit trail), so that every
 * reference is satisfied as rows arrive. */
static int store_records(importer *im)
{
    const genu_record **recs = malloc((im->n ? im->n : 1) * sizeof *recs);
    const store_digest **digests = malloc((im->n ? im->n : 1) * sizeof *digests);
    size_t *from = malloc((im->n ? im->n : 1) * sizeof *from);
    store_put_result *res = malloc((im->n ? im->n : 1) * sizeof *res);
    size_t n = 0, failed = 0;
    int rc = recs && digests && from && res ? GENU_OK : GENU_OOM(im->err);
    for (int pass = 0; pass < 2 && !rc; pass++) {
        for (size_t i = 0; i < im->n; i++) {
            const entry *e = &im->v[i];
            if (e->why || (pass == 0) != (e->rec.type == GENU_REC_PATIENT))
                continue;
            from[n] = i;
            digests[n] = e->digest;
            recs[n++] = &e->rec;
        }
    }
    if (!rc && im->staging) {
        rc = store_stage_audit(im->s, recs, digests, n, im->err);
        for (size_t k = 0; k < n; k++)
            res[k] = STORE_ADDED;
    } else if (!rc) {
        rc = rescore_if_changed(im);
        if (!rc)
            rc = store_put_many(im->s, recs, n, res, &failed, im->err);
        if (rc && failed < n)
            genu_err_prefix(im->err, "%s:%zu: ", im->v[from[failed]].file,
                            im->v[from[failed]].line);
    }
    if (!rc)
        rc = store_commit(im->s, im->err);
    for (size_t k = 0; k < n && !rc; k++) {
        im->st->records++;
        im->st->added += res[k] == STORE_ADDED;
        im->st->updated += res[k] == STORE_UPDATED;
        im->st->unchanged += res[k] == STORE_UNCHANGED;
    }
    free(recs);
    free(digests);
    free(from);
    free(res);
    return rc;
}

/* The field a rejection message names: `field "knee": ...` → knee,
 * `items.P3: ...` → items.P3; "" when none. */
static void named_field(const char *msg, char *out, size_t n)
{
    size_t k = 0;
    const char *p = NULL;
    if (strncmp(msg, "field \"", 7) == 0)
        p = msg + 7;
    else if (strncmp(msg, "items.", 6) == 0)
        p = msg;
    for (; p && *p && *p != '"' && *p != '[' && *p != ':' && k + 1 < n; p++)
        out[k++] = *p;
    out[k] = '\0';
}

/* 1-based column of the field a message names: a column named exactly so, or
 * one its name is a dotted prefix of ("product" for "product.volume_ml"), or
 * one named below it ("cost.amount" for "cost"); 0 when none. */
static size_t column_of(const char *const *cols, const char *msg)
{
    char f[128];
    named_field(msg, f, sizeof f);
    size_t n = strlen(f);
    if (!n)
        return 0;
    for (size_t pass = 0; pass < 3; pass++)
        for (size_t i = 0; cols[i]; i++) {
            size_t m = strlen(cols[i]);
            bool hit = pass == 0 ? strcmp(cols[i], f) == 0
                       : pass == 1 ? m < n && strncmp(cols[i], f, m) == 0 && f[m] == '.'
                                   : n < m && strncmp(cols[i], f, n) == 0 && cols[i][n] == '.';
            if (hit)
                return i + 1;
        }
    return 0;
}

/* Reports the rejected entries, stores the rest (or nothing), frees im. */
static int finish(importer *im, int rc)
{
    const jsonl_import_opts *o = im->o;
    jsonl_stats *stats = im->st;
    /* Where the backend can, the transaction opens before parsing, so the
     * scoring options cannot change under it, and records are staged while
     * they are parsed; the checks below still run on every record, and any
     * rejection, or a record the registry already has, undoes the stage
     * before the registry is asked anything more (what is staged is only
     * ever records of the files, all valid so far, so the answers before
     * that are the registry's own). Otherwise: parse, check, then store. */
    if (!rc && store_can_stage(im->s)) {
        rc = store_begin(im->s, im->err);
        im->txn = im->staging = im->digests = !rc;
        if (!rc)
            rc = settings_scoring(im->s, im->a, &im->opts, im->err);
        if (!rc)
            rc = parse_and_stage(im);
    } else {
        if (!rc)
            rc = settings_scoring(im->s, im->a, &im->opts, im->err);
        if (!rc)
            rc = parse_all(im);
        if (!rc)
            rc = index_ids(im);
    }
    if (!rc)
        rc = check_refs(im);
    if (!rc)
        rc = check_deaths(im);
    if (!rc) {
        for (size_t i = 0; i < im->n; i++) {
            entry *e = &im->v[i];
            if (!e->why)
                continue;
            stats->rejected++;
            size_t col = e->cols ? column_of(e->cols, e->why) : 0;
            const char *where = col ? genu_arena_printf(im->a, "%s:%zu", e->file, col) : NULL;
            o->on_reject(where ? where : e->file, e->line, e->why, e->text, o->ctx);
        }
        if (stats->rejected && !o->skip_invalid)
            rc = GENU_FAIL(im->err, GENU_EINVAL,
                           "%zu of %zu records rejected; nothing was imported", stats->rejected,
                           im->n);
    }
    if (!rc && !im->txn && (rc = store_begin(im->s, im->err)) == GENU_OK)
        im->txn = true;
    if (!rc)
        rc = store_records(im);
    if (rc && im->txn)
        store_rollback(im->s);
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        genu_hash_destroy(im->ids[t]);
        genu_hash_destroy(im->stored[t]);
    }
    free(im->v);
    for (size_t t = 0; t < MAX_THREADS; t++)
        genu_arena_destroy(im->thread_arena[t]);
    genu_arena_destroy(im->a);
    return rc;
}

/* An importer with its arena; finish() ends it whatever this returns. */
static int importer_start(importer *im, genu_store *s, const jsonl_import_opts *o,
                          jsonl_stats *stats, genu_err *err)
{
    *im = (importer){.s = s, .o = o, .st = stats, .err = err, .a = genu_arena_create()};
    memset(stats, 0, sizeof *stats);
    if (sodium_init() < 0 || !im->a)
        return GENU_FAIL(err, GENU_ENOMEM, "cannot initialise");
    return GENU_OK;
}

int jsonl_import(genu_store *s, const char *const *files, size_t n, const jsonl_import_opts *o,
                 jsonl_stats *stats, genu_err *err)
{
    importer im;
    int rc = importer_start(&im, s, o, stats, err);
    for (size_t i = 0; i < n && !rc; i++)
        rc = read_file(&im, files[i]);
    return finish(&im, rc);
}

int jsonl_import_lines(genu_store *s, const jsonl_line *lines, size_t n,
                       const jsonl_import_opts *o, jsonl_stats *stats, genu_err *err)
{
    importer im;
    int rc = importer_start(&im, s, o, stats, err);
    for (size_t i = 0; i < n && !rc; i++) {
        const jsonl_line *l = &lines[i];
        entry *e = push(&im);
        if (!e) {
            rc = GENU_OOM(err);
            break;
        }
        stats->lines++;
        e->file = l->where;
        e->line = 0;
        e->cols = l->cols;
        e->text = l->text ? l->text : "";
        e->len = strlen(e->text);
        if (l->error)
            reject(&im, e, e->text, l->error);
    }
    return finish(&im, rc);
}

typedef struct exporter {
    FILE *out;
    size_t count;
} exporter;

static int write_doc(const genu_record *r, void *ctx)
{
    exporter *x = ctx;
    fputs(r->doc, x->out);
    fputc('\n', x->out);
    x->count++;
    return ferror(x->out) ? GENU_EIO : 0;
}

int jsonl_export(genu_store *s, FILE *out, bool skip_identity, size_t *count, genu_err *err)
{
    exporter x = {out, 0};
    int rc = store_each(s, skip_identity, write_doc, &x, err);
    if (rc == GENU_EIO && !err->code)
        GENU_FAIL(err, GENU_EIO, "write error: %s", strerror(errno));
    if (!rc && fflush(out) != 0)
        rc = GENU_FAIL(err, GENU_EIO, "write error: %s", strerror(errno));
    *count = x.count;
    return rc;
}
