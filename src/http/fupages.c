/* fupages: follow-up lists and the unsubscribe page. */
#include "http/fupages.h"

#include <stdio.h>
#include <string.h>

#include "followup/followup.h"
#include "http/api.h"
#include "http/auth.h"
#include "http/html.h"

/* The as-of date of a list: ?as_of=YYYY-MM-DD, default today. */
static int as_of_arg(ctx *c, genu_date *out)
{
    const char *v = ctx_query(c, "as_of");
    genu_err err = {0};
    *out = genu_date_today();
    if (v && genu_date_parse(v, strlen(v), out, &err)) {
        ctx_error(c, 400, "bad_request", "as_of", "as_of: expected a date YYYY-MM-DD");
        return -1;
    }
    return 0;
}

typedef struct keep_arg {
    const ctx *c;
    const char *site;
    bool phone;
} keep_arg;

/* A user sees the windows of their sites; phone numbers go to staff. */
static bool keep(const followup_window *w, void *arg, bool *phone)
{
    const keep_arg *k = arg;
    *phone = k->phone;
    return api_site_allowed(k->c, w->site) && (!k->site || strcmp(k->site, w->site) == 0);
}

static void list(ctx *c, const char *status, bool closed, bool rates)
{
    static const char *const known[] = {"as_of", "site", "status", "closed"};
    genu_date as_of;
    genu_err err = {0};
    followup_config cfg;
    followup_window *w = NULL;
    size_t n = 0;
    for (size_t i = 0; i < c->nquery; i++) {
        size_t k = 0;
        while (k < sizeof known / sizeof known[0] && strcmp(known[k], c->qkey[i]))
            k++;
        if (k == sizeof known / sizeof known[0]) {
            ctx_error(c, 400, "bad_request", c->qkey[i], "unknown parameter \"%s\"",
                      c->qkey[i]);
            return;
        }
    }
    if (as_of_arg(c, &as_of))
        return;
    keep_arg k = {c, ctx_query(c, "site"), c->role == AUTH_ADMIN || c->role == AUTH_CLINICIAN};
    if (followup_config_read(c->store, c->arena, &cfg, &err) ||
        followup_scan(c->store, &cfg, as_of, closed || rates, c->arena, &w, &n, &err)) {
        ctx_fail(c, &err);
        return;
    }
    ctx_json(c, 200);
    if (rates)
        followup_rates_json(&c->out, as_of, w, n, keep, &k);
    else
        followup_windows_json(&c->out, &cfg, as_of, w, n, status, keep, &k);
}

void fupages_calls(ctx *c)
{
    list(c, "to_call", false, false);
}

void fupages_rates(ctx *c)
{
    list(c, NULL, false, true);
}

void fupages_windows(ctx *c)
{
    static const char *const ok[] = {"answered", "due",    "invited", "reminded",
                                     "to_call",  "skipped", "missed", NULL};
    const char *st = ctx_query(c, "status"), *cl = ctx_query(c, "closed");
    size_t k = 0;
    while (st && ok[k] && strcmp(ok[k], st))
        k++;
    if (st && !ok[k]) {
        ctx_error(c, 400, "bad_request", "status",
                  "status: expected answered, due, invited, reminded, to_call, skipped or "
                  "missed");
        return;
    }
    if (cl && strcmp(cl, "true") && strcmp(cl, "false")) {
        ctx_error(c, 400, "bad_request", "closed", "closed: expected true or false");
        return;
    }
    list(c, st, cl && strcmp(cl, "true") == 0, false);
}

/* ---- unsubscribing ---- */

static void page(ctx *c, int status, const char *title, const char *text)
{
    c->status = status;
    c->ctype = "text/html; charset=utf-8";
    genu_buf_clear(&c->out);
    html_message(&c->out, title, text);
}

static const char *token_of(ctx *c, const char **patient)
{
    genu_err err = {0};
    const char *t = genu_arena_strndup(c->arena, c->route.param[0].p, c->route.param[0].n);
    if (!t || c->route.param[0].n >= FOLLOWUP_TOKEN_MAX ||
        followup_unsubscribe_patient(c->store, t, c->arena, patient, &err)) {
        if (err.code && err.code != GENU_ENOTFOUND)
            fprintf(stderr, "genu: serve: unsubscribe: %s\n", err.msg);
        page(c, 404, "Link not found",
             "This link is not valid. If you want no more messages, please tell your clinic.");
        return NULL;
    }
    return t;
}

void fupages_unsub_page(ctx *c)
{
    const char *patient, *t = token_of(c, &patient);
    if (!t)
        return;
    genu_buf *b = &c->out;
    c->status = 200;
    c->ctype = "text/html; charset=utf-8";
    genu_buf_clear(b);
    html_begin(b, "Stop follow-up messages");
    genu_buf_puts(b, "<p>Your clinic sends you a few questions about your knee from time to "
                     "time. If you would rather not receive these messages, press the button. "
                     "Your clinic keeps your record as it is.</p>\n<form method=\"post\" "
                     "action=\"/u/");
    genu_buf_html(b, t);
    genu_buf_puts(b, "\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                     "<p><button type=\"submit\">Stop the messages</button></p></form>\n");
    html_end(b);
}

typedef struct unsub_job {
    const char *patient;
    genu_date today;
    genu_arena *a;
} unsub_job;

static int unsub_write(genu_store *s, void *arg, genu_err *err)
{
    const unsub_job *j = arg;
    return followup_opt_out(s, j->patient, MSG_WEB, j->today, j->a, err);
}

static void unsub_done(ctx *c, void *arg, int rc, genu_err *err)
{
    (void)arg;
    if (rc) {
        fprintf(stderr, "genu: serve: unsubscribe: %s\n", err->msg);
        page(c, 500, "Something went wrong", "Please try again in a few minutes.");
        return;
    }
    page(c, 200, "You will get no more messages",
         "Your clinic will send you no more follow-up messages. You can close this page.");
}

void fupages_unsub_submit(ctx *c)
{
    const char *patient, *t = token_of(c, &patient);
    if (!t)
        return;
    unsub_job *j = genu_arena_calloc(c->arena, 1, sizeof *j);
    const char *actor = genu_arena_printf(c->arena, "unsubscribe:%s", patient);
    if (!j || !actor) {
        page(c, 500, "Something went wrong", "Please try again later.");
        return;
    }
    *j = (unsub_job){patient, genu_date_today(), c->arena};
    api_write_then(c, actor, unsub_write, j, unsub_done);
}
