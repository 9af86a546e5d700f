/* runner: the follow-up job's thread in the server. */
#include "followup/runner.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "followup/followup.h"

struct followup_runner {
    char *db;
    unsigned first_s, interval_s;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

/* Waits up to seconds or until asked to stop; true when asked. */
static bool wait_or_stop(followup_runner *r, unsigned seconds)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += seconds;
    pthread_mutex_lock(&r->mu);
    while (!r->stop && pthread_cond_timedwait(&r->cv, &r->mu, &until) != ETIMEDOUT)
        ;
    bool stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    return stop;
}

/* One run, when a channel is configured. */
static void run_once(followup_runner *r)
{
    genu_err err = {0};
    genu_store *s = NULL;
    genu_arena *a = genu_arena_create();
    followup_config cfg;
    int rc = a ? GENU_OK : GENU_OOM(&err);
    if (!rc)
        rc = store_open(r->db, false, &s, &err);
    if (!rc)
        rc = store_set_actor(s, "server:followup", &err);
    if (!rc)
        rc = followup_config_read(s, a, &cfg, &err);
    if (!rc && (*cfg.smtp_url || *cfg.sms_command)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        followup_opts o = {genu_date_today(), (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000,
                           false};
        followup_summary sum;
        rc = followup_send(s, &o, a, &sum, &err);
        if (!rc)
            fprintf(stderr,
                    "genu: followup: %zu due, %zu invited, %zu reminded, %zu failed, %zu "
                    "waiting to retry\n",
                    sum.due, sum.invited, sum.reminded, sum.failed, sum.deferred);
    }
    if (rc)
        fprintf(stderr, "genu: followup: %s\n", err.msg);
    store_close(s);
    genu_arena_destroy(a);
}

static void *loop(void *arg)
{
    followup_runner *r = arg;
    unsigned wait = r->first_s;
    while (!wait_or_stop(r, wait)) {
        run_once(r);
        wait = r->interval_s;
    }
    return NULL;
}

int followup_runner_start(const char *db, unsigned first_s, unsigned interval_s,
                          followup_runner **out, genu_err *err)
{
    followup_runner *r = calloc(1, sizeof *r);
    if (!r || !(r->db = strdup(db))) {
        free(r);
        return GENU_OOM(err);
    }
    r->first_s = first_s;
    r->interval_s = interval_s ? interval_s : 3600;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    if (pthread_create(&r->thread, NULL, loop, r) != 0) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        free(r->db);
        free(r);
        return GENU_FAIL(err, GENU_EIO, "cannot start the follow-up thread");
    }
    *out = r;
    return GENU_OK;
}

void followup_runner_stop(followup_runner *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r->db);
    free(r);
}
