/* followup: the registry collects its own follow-up (docs/followup.md).
 *
 * For every entered knee (analysis/cohort.h) the scheduled timepoints
 * (analysis/schedule.h) each open a window (analysis/timepoint.h). A window
 * that is open, unanswered and not yet invited gets a survey link, valid
 * until the window closes, and an invitation; reminders follow on the
 * configured days after the invitation was delivered while the link is
 * unused and the window open; one message per patient and day. Every
 * message is a `message` record (model/record.h), stored before it is
 * delivered and updated after, each change audited:
 *   pending -> sending -> sent | failed (retried with backoff) | abandoned.
 * A message found "sending" (a crash during delivery) is sent again when it
 * is an invitation (none is lost) and abandoned when it is a reminder (none
 * goes twice); that is why one message never mixes the two.
 *
 * "today" is opts->as_of in every date the job records and compares, so a
 * test can play weeks in seconds. */
#ifndef GENU_FOLLOWUP_FOLLOWUP_H
#define GENU_FOLLOWUP_FOLLOWUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/schedule.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "store/store.h"

/* Why a due window got no message. */
typedef enum {
    FU_SKIP_NONE = 0,
    FU_SKIP_NO_ADDRESS, /* no e-mail or number the configured channels can use */
    FU_SKIP_OPTED_OUT,  /* contact "none" */
    FU_SKIP_DECEASED,
    FU_NSKIP
} followup_skip;

/* One window of one knee as of a date. */
typedef struct followup_window {
    const char *patient, *site;
    genu_knee knee;
    timepoint tp;
    genu_date index, first, last;
    const schedule_group *ask;
    genu_date answered;     /* first response in the window, or GENU_DATE_NONE */
    genu_date invited;      /* the invitation's delivery date, or NONE */
    bool invitation_open;   /* an invitation is stored but not delivered yet */
    int reminders;          /* reminders delivered (or abandoned) */
    genu_date last_message; /* latest delivery for this window, or NONE */
    bool link_used;
    followup_skip skip;     /* set by the scan for windows it cannot message */
    int channel;            /* else the channel that reaches the patient (MSG_EMAIL, MSG_SMS) */
    const char *phone;      /* the identity's number (staff lists only) */
} followup_window;

/* The job's settings, read from the registry (io/settings.h). */
typedef struct followup_config {
    schedule sched;
    int reminder_days[SCHEDULE_MAX_REMINDERS];
    size_t nreminders;
    const char *base_url, *clinic, *smtp_url, *smtp_from, *smtp_credentials, *sms_command,
        *wording_dir;
} followup_config;

int followup_config_read(genu_store *s, genu_arena *a, followup_config *out, genu_err *err);

/* Every window of every entered knee that has opened by as_of (open ones,
 * and closed ones when with_closed), with its state. Strings in a. */
int followup_scan(genu_store *s, const followup_config *cfg, genu_date as_of, bool with_closed,
                  genu_arena *a, followup_window **out, size_t *n, genu_err *err);

/* Whether w is open on as_of, unanswered, with every reminder delivered at
 * least a day ago (or no channel reaches the patient but a phone does):
 * staff should call. */
bool followup_to_call(const followup_config *cfg, const followup_window *w, genu_date as_of);

/* What a window is waiting for, in words the lists use: "answered",
 * "skipped" (no message reaches the patient), "due" (no invitation yet),
 * "invited", "reminded", "to_call" (followup_to_call). */
const char *followup_window_status(const followup_config *cfg, const followup_window *w,
                                   genu_date as_of);

/* The windows as JSON (docs/followup.md): {"as_of", "windows": [...],
 * "count"}. keep (may be NULL) chooses the windows, and whether to show the
 * phone number; status (NULL = all) keeps windows of that status. */
typedef bool (*followup_keep_fn)(const followup_window *w, void *arg, bool *phone);
void followup_windows_json(genu_buf *b, const followup_config *cfg, genu_date as_of,
                           const followup_window *w, size_t n, const char *status,
                           followup_keep_fn keep, void *arg);

/* Response rates per timepoint and site over the windows that have closed
 * by as_of (docs/followup.md): {"as_of", "rates": [{"timepoint", "site",
 * "closed", "invited", "answered", "answered_invited", "rate",
 * "rate_invited"}]}. keep chooses the windows (NULL: all). */
void followup_rates_json(genu_buf *b, genu_date as_of, const followup_window *w, size_t n,
                         followup_keep_fn keep, void *arg);

/* ---- sending ---- */

typedef struct followup_opts {
    genu_date as_of;  /* "today" */
    int64_t now_us;   /* the job's clock: real time shifted to as_of */
    bool dry_run;     /* plan only: nothing stored, nothing sent */
} followup_opts;

/* One message the run dealt with. */
typedef struct followup_sent {
    const char *id, *patient;
    int kind, channel, status; /* vocab message codes */
    size_t nwindows;
    const char *error; /* NULL when delivered */
} followup_sent;

typedef struct followup_summary {
    size_t due;      /* open, unanswered windows */
    size_t invited;  /* windows whose invitation was delivered this run */
    size_t reminded; /* windows reminded this run */
    size_t skipped[FU_NSKIP];
    size_t failed;   /* messages the server or command did not accept this run */
    size_t deferred; /* failed earlier, waiting for their next attempt */
    size_t abandoned;
    const char *unworded; /* scheduled instruments not asked for want of
                           * installed wording, comma-separated; NULL: none */
    size_t nsent;
    followup_sent *sent; /* the messages dealt with, in order */
} followup_summary;

/* The job (docs/followup.md). Errors of configuration (no base URL, no
 * channel, a scheduled instrument without wording) fail before anything is
 * stored. A delivery failure is not an error: it is counted, kept on the
 * message and retried by later runs. */
int followup_send(genu_store *s, const followup_opts *o, genu_arena *a, followup_summary *out,
                  genu_err *err);

/* Writes the summary as JSON (docs/followup.md) or as lines for people. */
void followup_summary_json(genu_buf *b, const followup_opts *o, const followup_summary *sum);
void followup_summary_text(genu_buf *b, const followup_opts *o, const followup_summary *sum);

/* ---- opting out ---- */

#define FOLLOWUP_TOKEN_MAX 400
/* The patient an unsubscribe token (from a message's link) names; strings
 * in a. GENU_ENOTFOUND for a token this registry did not make. */
int followup_unsubscribe_patient(genu_store *s, const char *token, genu_arena *a,
                                 const char **patient, genu_err *err);
/* Records the opt-out: the identity's contact becomes "none" (created when
 * the patient has none) and an opt_out message record is stored, in one
 * transaction: the caller's (between store_begin and store_commit), under
 * the store's actor. channel: MSG_WEB or MSG_STAFF. */
int followup_opt_out(genu_store *s, const char *patient, int channel, genu_date today,
                     genu_arena *a, genu_err *err);

#endif
