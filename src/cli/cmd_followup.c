/* cmd_followup: the registry collects its own follow-up (docs/followup.md).
 * `send` invites the knees whose follow-up window is open, reminds the
 * unanswered and retries what failed; `list` shows every open window's
 * state (with the phone number of those to call). */
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "followup/followup.h"
#include "followup/mail.h"
#include "model/words.h"

static const char usage[] =
    "usage: genu [--db PATH] followup send [--as-of DATE] [--dry-run] [--format text|json]\n"
    "       genu [--db PATH] followup list [--as-of DATE] [--status S] [--site SITE]\n"
    "                                       [--closed] [--format text|json]\n"
    "       genu [--db PATH] followup rates [--as-of DATE] [--site SITE]\n\n"
    "send    for every entered knee whose scheduled follow-up window is open and that\n"
    "        has neither answered nor been invited, makes a survey link valid until\n"
    "        the window closes and sends an invitation (e-mail through smtp.url, or a\n"
    "        text message through followup.sms_command); reminds on the days of\n"
    "        followup.reminder_days while the link is unused; one message per patient\n"
    "        and day; retries what the mail server or command did not accept\n"
    "list    every open window: answered, due, invited, reminded, to_call (no answer\n"
    "        after the last reminder; with the phone number), skipped\n"
    "rates   response rates per timepoint and site over the windows that closed\n\n"
    "  --as-of DATE   stands for today in every date the job records and compares\n"
    "                 (default today)\n"
    "  --dry-run      say what send would do; store and send nothing\n"
    "  --status S     list: only windows of status S\n"
    "  --site SITE    list, rates: only patients of SITE\n"
    "  --closed       list: closed windows too (status missed when unanswered)\n"
    "  --format F     text (default) or json\n\n"
    "Settings (genu settings): followup.schedule, followup.reminder_days,\n"
    "followup.base_url, clinic.name, smtp.url, smtp.from, smtp.credentials_file\n"
    "(else GENU_SMTP_USER and GENU_SMTP_PASSWORD), followup.sms_command, wording.dir.\n\n"
    "Exit status: 0 done, 1 a message was not delivered (send) or bad settings,\n"
    "2 usage error, 3 storage failure.\n";

typedef struct args {
    const char *sub, *format, *status, *site;
    genu_date as_of;
    bool dry_run, closed;
} args;

static int parse(int argc, char **argv, args *x)
{
    genu_err err = {0};
    *x = (args){argc > 1 ? argv[1] : NULL, "text", NULL, NULL, genu_date_today(), false, false};
    if (!x->sub || (strcmp(x->sub, "send") && strcmp(x->sub, "list") && strcmp(x->sub, "rates"))) {
        cli_error("followup: expected send, list or rates (see genu followup --help)");
        return CLI_EUSAGE;
    }
    for (int i = 2; i < argc;) {
        const char *v;
        int r;
        if ((r = cli_opt(argc, argv, &i, "--as-of", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (genu_date_parse(v, strlen(v), &x->as_of, &err)) {
                cli_error("--as-of: expected a date YYYY-MM-DD, not \"%s\"", v);
                return CLI_EUSAGE;
            }
        } else if ((r = cli_opt(argc, argv, &i, "--format", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (strcmp(v, "text") && strcmp(v, "json")) {
                cli_error("--format: expected text or json, not \"%s\"", v);
                return CLI_EUSAGE;
            }
            x->format = v;
        } else if ((r = cli_opt(argc, argv, &i, "--status", &v)) != 0) {
            static const char *const ok[] = {"answered", "due",    "invited", "reminded",
                                             "to_call",  "skipped", "missed", NULL};
            size_t k = 0;
            if (r < 0)
                return CLI_EUSAGE;
            while (ok[k] && strcmp(ok[k], v))
                k++;
            if (!ok[k]) {
                cli_error("--status: expected answered, due, invited, reminded, to_call, "
                          "skipped or missed, not \"%s\"",
                          v);
                return CLI_EUSAGE;
            }
            x->status = v;
        } else if ((r = cli_opt(argc, argv, &i, "--site", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            x->site = v;
        } else if (strcmp(argv[i], "--dry-run") == 0 && strcmp(x->sub, "send") == 0) {
            x->dry_run = true;
            i++;
        } else if (strcmp(argv[i], "--closed") == 0 && strcmp(x->sub, "list") == 0) {
            x->closed = true;
            i++;
        } else {
            cli_error("followup %s: unknown argument \"%s\" (see genu followup --help)", x->sub,
                      argv[i]);
            return CLI_EUSAGE;
        }
    }
    return CLI_OK;
}

/* The job's clock: now, moved by as many days as --as-of is from today. */
static int64_t job_clock(genu_date as_of)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    return now + (int64_t)(as_of - genu_date_today()) * 86400 * 1000000;
}

static bool keep_site(const followup_window *w, void *arg, bool *phone)
{
    const char *site = arg;
    *phone = true; /* the command line is the registry's owner */
    return !site || strcmp(site, w->site) == 0;
}

static void text_list(genu_buf *b, const followup_config *cfg, const args *x,
                      const followup_window *w, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        const char *st = followup_window_status(cfg, &w[i], x->as_of);
        bool phone;
        if (!keep_site(&w[i], (void *)x->site, &phone) || (x->status && strcmp(st, x->status)))
            continue;
        char f[GENU_DATE_STRLEN], l[GENU_DATE_STRLEN], tp[WORDS_MAX];
        genu_date_format(w[i].first, f);
        genu_date_format(w[i].last, l);
        if (count++ == 0)
            genu_buf_puts(b, "patient  site  knee  timepoint  window  status  reminders  phone\n");
        genu_buf_printf(b, "%s  %s  %s  %s  %s..%s  %s  %d  %s\n", w[i].patient, w[i].site,
                        w[i].knee == GENU_KNEE_LEFT    ? "left"
                        : w[i].knee == GENU_KNEE_RIGHT ? "right"
                                                       : "-",
                        words_timepoint_text(w[i].tp.text, tp, sizeof tp), f, l, st, w[i].reminders,
                        strcmp(st, "to_call") == 0 && w[i].phone ? w[i].phone : "");
    }
    genu_buf_printf(b, "%zu window%s\n", count, count == 1 ? "" : "s");
}

int cmd_followup(int argc, char **argv, const cli_env *env)
{
    args x;
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    int u = parse(argc, argv, &x);
    if (u)
        return u;
    genu_err err = {0};
    genu_store *s = NULL;
    genu_arena *a = genu_arena_create();
    genu_buf out = GENU_BUF_INIT;
    bool undelivered = false;
    int rc = a ? GENU_OK : GENU_OOM(&err);
    if (!rc && strcmp(x.sub, "send") == 0)
        rc = mail_global_init(&err);
    if (!rc)
        rc = store_open(env->db, false, &s, &err);
    if (!rc)
        rc = store_set_actor(s, "cli:followup", &err);
    if (!rc && strcmp(x.sub, "send") == 0) {
        followup_opts o = {x.as_of, job_clock(x.as_of), x.dry_run};
        followup_summary sum;
        rc = followup_send(s, &o, a, &sum, &err);
        if (!rc) {
            if (strcmp(x.format, "json") == 0)
                followup_summary_json(&out, &o, &sum);
            else
                followup_summary_text(&out, &o, &sum);
            undelivered = sum.failed > 0;
        }
    } else if (!rc) {
        followup_config cfg;
        followup_window *w = NULL;
        size_t n = 0;
        bool rates = strcmp(x.sub, "rates") == 0;
        rc = followup_config_read(s, a, &cfg, &err);
        if (!rc)
            rc = followup_scan(s, &cfg, x.as_of, x.closed || rates, a, &w, &n, &err);
        if (!rc && rates)
            followup_rates_json(&out, x.as_of, w, n, keep_site, (void *)x.site);
        else if (!rc && strcmp(x.format, "json") == 0)
            followup_windows_json(&out, &cfg, x.as_of, w, n, x.status, keep_site, (void *)x.site);
        else if (!rc)
            text_list(&out, &cfg, &x, w, n);
    }
    if (!rc && out.oom)
        rc = GENU_OOM(&err);
    if (!rc && out.len && fwrite(out.p, 1, out.len, stdout) != out.len)
        rc = GENU_FAIL(&err, GENU_EIO, "write error");
    genu_buf_free(&out);
    store_close(s);
    genu_arena_destroy(a);
    if (rc)
        return cli_fail(&err);
    if (undelivered) {
        cli_error("followup send: some messages were not delivered; they are retried by the "
                  "next runs");
        return CLI_EFAIL;
    }
    return CLI_OK;
}
