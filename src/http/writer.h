/* writer: group commit for the server's durable writes (docs/design.md,
 * Security and reliability; Performance). One writer thread owns its own
 * store handle. A request thread hands it a prepared write (validated and
 * scored already) and waits; the writer takes everything queued, runs each
 * write in its own savepoint under its own audit actor inside one
 * transaction, commits once (one fsync for the whole batch), then wakes every
 * waiter with its own result. A write is reported done only after the commit
 * that holds it returned. Thread-safe. */
#ifndef GENU_HTTP_WRITER_H
#define GENU_HTTP_WRITER_H

#include <stddef.h>

#include "core/err.h"
#include "store/store.h"

typedef struct writer writer;

/* A write: runs inside the writer's transaction on the writer's handle and
 * returns GENU_OK or an error set in err (its savepoint is then undone and
 * the rest of the batch goes on). It must not begin, commit or roll back,
 * and must not keep pointers into the store. arg is the caller's. */
typedef int (*writer_fn)(genu_store *s, void *arg, genu_err *err);

/* Opens its own handle on the registry at url and starts the thread. A
 * batch holds at most max_batch writes (0 = 1024). Caller destroys. */
int writer_create(const char *url, size_t max_batch, writer **out, genu_err *err);

/* Finishes the writes queued, stops the thread, closes. NULL is a no-op. */
void writer_destroy(writer *w);

/* Runs fn(store, arg) under actor ("user:alice", copied for the batch) in
 * the next batch and returns when that batch has committed or failed:
 * GENU_OK when the write is durable; fn's error when fn failed (nothing of
 * it kept); the commit's error when the batch could not commit (nothing of
 * any write in it kept). Blocks the calling thread. */
int writer_run(writer *w, const char *actor, writer_fn fn, void *arg, genu_err *err);

/* The same without waiting: queues the write and returns; once its batch
 * has committed or failed, the writer thread calls done(done_arg, rc) with
 * rc as writer_run would return it (err filled likewise). err, actor and
 * arg must live until then; done must be quick and must not call the
 * writer. GENU_ENOMEM (done not called) when the job cannot be queued. */
typedef void (*writer_done_fn)(void *done_arg, int rc);
int writer_submit(writer *w, const char *actor, writer_fn fn, void *arg, genu_err *err,
                  writer_done_fn done, void *done_arg);

/* Counters since creation: writes committed and batches (commits) made. */
void writer_stats(writer *w, size_t *writes, size_t *batches);

#endif
