/* runner: the follow-up job inside genu serve — a thread of its own, with
 * its own registry connection, that runs followup_send every interval while
 * a channel (smtp.url or followup.sms_command) is configured, so that
 * requests never wait for a mail server. Each run's summary goes to stderr. */
#ifndef GENU_FOLLOWUP_RUNNER_H
#define GENU_FOLLOWUP_RUNNER_H

#include "core/err.h"

typedef struct followup_runner followup_runner;

/* Starts the thread on the registry at db; the first run comes after
 * first_s seconds, then one every interval_s seconds. */
int followup_runner_start(const char *db, unsigned first_s, unsigned interval_s,
                          followup_runner **out, genu_err *err);

/* Asks the thread to stop, waits for a run in progress to end (a delivery
 * is bounded by its timeout), frees everything. NULL is a no-op. */
void followup_runner_stop(followup_runner *r);

#endif
