/* writer: one thread, one store handle, a queue of jobs that live on their
 * callers' stacks. The batch forms by itself: while one commit waits for
 * its fsync the next requests queue up, and the writer takes all of them at
 * once; there is no timer, so a lone write is never delayed.
 *
 * Each job carries its own semaphore, so the end of a batch wakes exactly
 * its callers (no herd on a shared condition variable). The writer touches a
 * job last in sem_post; the caller returns only after sem_wait, so its stack
 * outlives every access. */
#include "http/writer.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_BATCH 1024
/* The writer's page cache: enough for the pages a batch of small writes
 * touches (docs/benchmarks.md, the server's memory). */
#define WRITER_PAGE_CACHE ((size_t)4 << 20)

typedef struct job {
    const char *actor;
    writer_fn fn;
    void *arg;
    genu_err *err; /* the caller's */
    int rc;
    sem_t done;         /* writer_run waits on it */
    writer_done_fn cb;  /* writer_submit: called instead, then the job freed */
    void *cb_arg;
    struct job *next;
} job;

struct writer {
    genu_store *store;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t work; /* the writer waits for jobs */
    job *head, **tail;
    size_t max_batch;
    bool stop;
    size_t writes, batches;
};

/* Runs one job in its savepoint; its result goes to j->rc and j->err. */
static void run_job(genu_store *s, job *j)
{
    if (store_set_actor(s, j->actor, j->err) || store_savepoint(s, j->err)) {
        j->rc = j->err->code ? j->err->code : GENU_EIO;
        return;
    }
    j->rc = j->fn(s, j->arg, j->err);
    if (j->rc == GENU_OK && store_release(s, j->err) != GENU_OK)
        j->rc = j->err->code ? j->err->code : GENU_EIO;
    if (j->rc != GENU_OK) {
        if (!j->err->code)
            GENU_FAIL(j->err, j->rc, "write failed");
        store_rollback_to(s);
    }
}

/* One transaction for the batch; fails every job still OK when the
 * transaction cannot start or commit. Returns the writes kept. */
static size_t run_batch(writer *w, job *batch)
{
    genu_err berr = {0};
    size_t kept = 0;
    if (store_begin(w->store, &berr) == GENU_OK) {
        for (job *j = batch; j; j = j->next)
            run_job(w->store, j);
        for (job *j = batch; j; j = j->next)
            kept += j->rc == GENU_OK;
        if (kept == 0)
            store_rollback(w->store);
        else if (store_commit(w->store, &berr) != GENU_OK)
            store_rollback(w->store);
    }
    if (!berr.code)
        return kept;
    fprintf(stderr, "genu: serve: a batch of writes failed: %s\n", berr.msg);
    for (job *j = batch; j; j = j->next)
        if (j->rc == GENU_OK) {
            j->rc = berr.code;
            *j->err = berr;
        }
    return 0;
}

static void *writer_main(void *arg)
{
    writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->work, &w->mu);
        if (!w->head)
            break;
        /* take up to max_batch jobs off the queue */
        job *batch = w->head, *last = batch;
        for (size_t n = 1; n < w->max_batch && last->next; n++)
            last = last->next;
        w->head = last->next;
        if (!w->head)
            w->tail = &w->head;
        last->next = NULL;
        pthread_mutex_unlock(&w->mu);
        size_t kept = run_batch(w, batch);
        for (job *j = batch, *next; j; j = next) {
            next = j->next;
            if (j->cb) {
                j->cb(j->cb_arg, j->rc);
                free(j);
            } else {
                sem_post(&j->done);
            }
        }
        pthread_mutex_lock(&w->mu);
        w->writes += kept;
        w->batches += kept > 0;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int writer_create(const char *url, size_t max_batch, writer **out, genu_err *err)
{
    writer *w = calloc(1, sizeof *w);
    if (!w)
        return GENU_OOM(err);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->work, NULL);
    w->tail = &w->head;
    w->max_batch = max_batch ? max_batch : DEFAULT_MAX_BATCH;
    if (store_open(url, false, &w->store, err) ||
        store_cache_limit(w->store, WRITER_PAGE_CACHE, err)) {
        writer_destroy(w);
        return err->code;
    }
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        writer_destroy(w);
        return GENU_FAIL(err, GENU_EIO, "cannot start the writer thread");
    }
    w->started = true;
    *out = w;
    return GENU_OK;
}

void writer_destroy(writer *w)
{
    if (!w)
        return;
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->stop = true;
        pthread_cond_signal(&w->work);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
    }
    store_close(w->store);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

int writer_run(writer *w, const char *actor, writer_fn fn, void *arg, genu_err *err)
{
    job j = {.actor = actor, .fn = fn, .arg = arg, .err = err};
    if (sem_init(&j.done, 0, 0) != 0)
        return GENU_FAIL(err, GENU_EIO, "cannot wait for the writer");
    pthread_mutex_lock(&w->mu);
    *w->tail = &j;
    w->tail = &j.next;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    while (sem_wait(&j.done) != 0)
        ; /* EINTR */
    sem_destroy(&j.done);
    return j.rc;
}

int writer_submit(writer *w, const char *actor, writer_fn fn, void *arg, genu_err *err,
                  writer_done_fn done, void *done_arg)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return GENU_OOM(err);
    *j = (job){.actor = actor, .fn = fn, .arg = arg, .err = err, .cb = done, .cb_arg = done_arg};
    pthread_mutex_lock(&w->mu);
    *w->tail = j;
    w->tail = &j->next;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    return GENU_OK;
}

void writer_stats(writer *w, size_t *writes, size_t *batches)
{
    pthread_mutex_lock(&w->mu);
    *writes = w->writes;
    *batches = w->batches;
    pthread_mutex_unlock(&w->mu);
}
