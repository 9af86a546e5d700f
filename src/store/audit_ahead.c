/* audit_ahead: creation rows hashed on a thread ahead of their writer (see
 * audit_ahead.h). */
#include "store/audit_ahead.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LEAD   (AUDIT_AHEAD_RING / 2) /* rows the thread may run ahead */
#define NOTIFY 64                     /* rows between the two sides' news */

struct audit_ahead {
    const genu_record *const *recs;
    const store_digest *const *digests;
    size_t n;
    int64_t seq0;
    const char *head, *actor;
    audit_ahead_row *ring;
    pthread_t thread;
    bool threaded;
    pthread_mutex_t mu;
    pthread_cond_t made, room;
    size_t done;    /* rows hashed (the thread's count; under mu) */
    size_t asked;   /* the last row asked for (under mu) */
    size_t wake_at; /* the thread waits for asked to reach it, or 0 (under mu) */
    bool stop;      /* under mu */
    /* the writer's own view, read without the lock */
    size_t seen_done, told;
    size_t inline_done; /* without a thread: rows hashed in audit_ahead_row_at */
};

static void hash_row(audit_ahead *a, size_t p)
{
    audit_ahead_row *r = &a->ring[p % AUDIT_AHEAD_RING];
    const genu_record *rec = a->recs[p];
    const char *prev = p ? a->ring[(p - 1) % AUDIT_AHEAD_RING].hash : a->head;
    r->seq = a->seq0 + (int64_t)p;
    r->at_us = audit_chain_now_us();
    audit_chain_digest_bytes(a->digests ? a->digests[p] : NULL, rec->doc, r->after, r->after_b);
    memcpy(r->prev, prev, sizeof r->prev);
    store_audit_row row = {r->seq, r->at_us, a->actor, "create", record_type_name(rec->type),
                           rec->id, NULL, r->after, r->prev, NULL};
    audit_chain_hash_bytes(&row, r->hash, r->hash_b);
    if (p)
        memcpy(r->prev_b, a->ring[(p - 1) % AUDIT_AHEAD_RING].hash_b, sizeof r->prev_b);
    else
        audit_chain_unhex(a->head, "", r->prev_b);
}

static void *run(void *arg)
{
    audit_ahead *a = arg;
    size_t limit = 0; /* rows below this may be hashed without asking */
    for (size_t p = 0; p < a->n; p++) {
        if (p >= limit) {
            pthread_mutex_lock(&a->mu);
            /* out of room: sleep until half the lead is free again, so the
             * writer wakes this thread once per LEAD / 2 rows, not per row */
            if (p > a->asked + LEAD)
                a->wake_at = p - LEAD / 2;
            while (!a->stop && p > a->asked + LEAD)
                pthread_cond_wait(&a->room, &a->mu);
            a->wake_at = 0;
            bool stop = a->stop;
            limit = a->asked + LEAD + 1;
            pthread_mutex_unlock(&a->mu);
            if (stop)
                return NULL;
        }
        hash_row(a, p);
        if ((p + 1) % NOTIFY == 0 || p + 1 == a->n) {
            pthread_mutex_lock(&a->mu);
            a->done = p + 1;
            pthread_cond_signal(&a->made);
            pthread_mutex_unlock(&a->mu);
        }
    }
    return NULL;
}

audit_ahead *audit_ahead_start(const genu_record *const *recs,
                               const store_digest *const *digests, size_t n, int64_t seq0,
                               const char *prev, const char *actor)
{
    audit_ahead *a = calloc(1, sizeof *a);
    if (!a || !(a->ring = malloc(AUDIT_AHEAD_RING * sizeof *a->ring))) {
        free(a);
        return NULL;
    }
    a->recs = recs;
    a->digests = digests;
    a->n = n;
    a->seq0 = seq0;
    a->head = prev;
    a->actor = actor;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->made, NULL);
    pthread_cond_init(&a->room, NULL);
    a->threaded = n > 0 && pthread_create(&a->thread, NULL, run, a) == 0;
    return a;
}

const audit_ahead_row *audit_ahead_row_at(audit_ahead *a, size_t i)
{
    if (!a->threaded) {
        while (a->inline_done <= i)
            hash_row(a, a->inline_done++);
        return &a->ring[i % AUDIT_AHEAD_RING];
    }
    if (i >= a->seen_done || i >= a->told + NOTIFY) {
        pthread_mutex_lock(&a->mu);
        a->asked = i;
        if (a->wake_at && i >= a->wake_at)
            pthread_cond_signal(&a->room);
        while (a->done <= i)
            pthread_cond_wait(&a->made, &a->mu);
        a->seen_done = a->done;
        pthread_mutex_unlock(&a->mu);
        a->told = i;
    }
    return &a->ring[i % AUDIT_AHEAD_RING];
}

void audit_ahead_end(audit_ahead *a)
{
    if (!a)
        return;
    if (a->threaded) {
        pthread_mutex_lock(&a->mu);
        a->stop = true;
        pthread_cond_signal(&a->room);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->thread, NULL);
    }
    pthread_cond_destroy(&a->room);
    pthread_cond_destroy(&a->made);
    pthread_mutex_destroy(&a->mu);
    free(a->ring);
    free(a);
}
