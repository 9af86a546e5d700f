/* send: the follow-up job — recover what a crash left, retry what failed,
 * plan today's invitations and reminders, store each message, deliver it,
 * record the outcome. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/vec.h"
#include "followup/compose.h"
#include "followup/internal.h"
#include "followup/mail.h"
#include "followup/sms.h"
#include "io/record_json.h"

#define DAY_US ((int64_t)86400 * 1000000)
#define MINUTE_US ((int64_t)60 * 1000000)

typedef struct job {
    genu_store *s;
    const followup_opts *o;
    followup_config cfg;
    genu_arena *a;
    followup_summary *sum;
    unsigned char key[FU_KEY_BYTES];
    bool have_key;
    const char *smtp_user, *smtp_password;
    genu_hash *open;     /* window key -> index in w */
    followup_window *w;
    size_t nw;
    genu_hash *busy;     /* patients with an undelivered message or one today */
    /* per schedule group, the instruments a link asks: those with wording */
    schedule_group worded[SCHEDULE_MAX_TIMEPOINTS];
    followup_sent *sent;
    size_t nsent, capsent;
} job;

/* ---- records ---- */

/* Parses doc (jansson, consumed) into a record in the arena. */
static int to_record(job *j, json_t *doc, genu_record *r, genu_err *err)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text)
        return GENU_OOM(err);
    int rc = record_json_parse(text, strlen(text), j->a, r, err);
    free(text);
    return rc;
}

static int put_record(job *j, const genu_record *r, genu_err *err)
{
    store_put_result res;
    return store_put(j->s, r, &res, err);
}

/* ---- the summary's list ---- */

static int note(job *j, const genu_record *r, size_t nwindows, const char *error, genu_err *err)
{
    followup_sent *v = genu_vec_room(j->sent, &j->capsent, j->nsent, sizeof *v, 32);
    if (!v)
        return GENU_OOM(err);
    j->sent = v;
    j->sent[j->nsent++] = (followup_sent){r->id, r->patient, r->u.message.kind,
                                          r->u.message.channel, r->u.message.status, nwindows,
                                          error ? genu_arena_strdup(j->a, error) : NULL};
    return GENU_OK;
}

/* ---- delivery ---- */

static const char *base_url(const job *j)
{
    return j->cfg.base_url;
}

/* The window of followup entry x of a message, when it is open today. */
static const followup_window *open_window(job *j, const char *patient, json_t *x)
{
    const char *kn = json_string_value(json_object_get(x, "knee"));
    const char *tp = json_string_value(json_object_get(x, "timepoint"));
    char key[512];
    size_t at;
    int k = snprintf(key, sizeof key, "%s\x1f%d\x1f%s", patient,
                     kn ? vocab_knee(kn) : (int)GENU_KNEE_NONE, tp ? tp : "");
    if (k <= 0 || (size_t)k >= sizeof key || !genu_hash_get(j->open, key, &at))
        return NULL;
    return &j->w[at];
}

/* The patient's address for the message's channel. */
static int address(job *j, const char *patient, int channel, const char **to, const char **lang,
                   genu_err *err)
{
    genu_record id, full;
    *to = NULL;
    *lang = NULL;
    if (store_get(j->s, GENU_REC_IDENTITY, patient, j->a, &id, err))
        return err->code == GENU_ENOTFOUND ? (err->code = 0, GENU_OK) : err->code;
    if (record_json_parse(id.doc, strlen(id.doc), j->a, &full, err))
        return err->code;
    const genu_identity *x = &full.u.identity;
    if (x->contact && vocab_contact(x->contact) == CONTACT_NONE)
        return GENU_OK;
    *to = channel == MSG_EMAIL ? x->email : x->phone;
    *lang = x->language;
    return GENU_OK;
}

/* Delivers message r (its doc in doc, borrowed) once. Returns GENU_OK when
 * accepted, GENU_EIO with why filled when not (worth trying again),
 * GENU_ENOTFOUND with why filled when it never can be (the patient opted
 * out, has no address now, or an address no server takes); other codes are
 * errors of the job itself. */
static int deliver(job *j, const genu_record *r, json_t *doc, char why[256], genu_err *err)
{
    const char *to, *lang, *unsub_token, *unsub = NULL;
    json_t *f = json_object_get(doc, "followups");
    compose_link *links = genu_arena_calloc(j->a, json_array_size(f) + 1, sizeof *links);
    size_t nl = 0;
    if (!links)
        return GENU_OOM(err);
    if (address(j, r->patient, r->u.message.channel, &to, &lang, err))
        return err->code;
    if (!to) {
        snprintf(why, 256, "the patient has no %s now, or asked for no messages",
                 r->u.message.channel == MSG_EMAIL ? "e-mail address" : "number");
        return GENU_ENOTFOUND;
    }
    for (size_t i = 0; i < json_array_size(f); i++) {
        const followup_window *w = open_window(j, r->patient, json_array_get(f, i));
        if (!w)
            continue; /* closed since: its link is no use */
        char token[FU_LINK_LEN], hash[FU_HEX_LEN], until[GENU_DATE_STRLEN];
        fu_link_token(j->key, r->patient, w->knee, w->tp.text, w->index, token, hash);
        genu_date_format(w->last, until);
        links[nl++] = (compose_link){w->knee, genu_arena_printf(j->a, "%s/s/%s", base_url(j), token),
                                     genu_arena_strdup(j->a, until)};
    }
    if (nl == 0) {
        snprintf(why, 256, "every window of the message has closed");
        return GENU_EIO;
    }
    if (fu_unsubscribe_token(j->key, r->patient, j->a, &unsub_token, err))
        return err->code;
    unsub = genu_arena_printf(j->a, "%s/u/%s", base_url(j), unsub_token);
    composed c;
    if (compose_message(j->cfg.wording_dir, lang, r->u.message.kind, j->cfg.clinic, links, nl,
                        unsub, j->a, &c, err))
        return err->code;
    genu_err e = {0};
    if (r->u.message.channel == MSG_EMAIL) {
        mail_config mc = {j->cfg.smtp_url, j->cfg.smtp_from, j->smtp_user, j->smtp_password, 30};
        mail_message mm = {to, c.subject, c.text, c.html, unsub, NULL};
        mail_result res;
        int rc = mail_send(&mc, &mm, &res, &e);
        if (rc == GENU_OK)
            return GENU_OK;
        snprintf(why, 256, "%.255s", res.detail[0] ? res.detail : e.msg);
        /* a malformed address never goes through; a bad mail configuration
         * is retried, so that fixing it delivers */
        return rc == GENU_EINVAL && strncmp(e.msg, "to:", 3) == 0 ? GENU_ENOTFOUND : GENU_EIO;
    }
    char detail[256] = "";
    char number[SMS_DIGITS_MAX + 2];
    if (sms_number(to, number, &e)) {
        snprintf(why, 256, "%.255s", e.msg);
        return GENU_ENOTFOUND;
    }
    int rc = sms_send(j->cfg.sms_command, number, c.sms, 30, detail, &e);
    if (rc == GENU_OK)
        return GENU_OK;
    snprintf(why, 256, "%.255s", detail[0] ? detail : e.msg);
    return GENU_EIO;
}

/* Stores doc with a new status (and attempt), audited, in its own
 * transaction; *r becomes the stored record. With expect (the doc this run
 * read), the change is made only if the stored doc is still that one, else
 * GENU_ECONFLICT: another run (cron beside genu serve) has claimed the
 * message, and it must not go twice. */
static int set_status(job *j, json_t *doc, int status, bool attempt, const char *error,
                      const char *expect, genu_record *r, genu_err *err)
{
    json_t *d = json_deep_copy(doc);
    if (!d)
        return GENU_OOM(err);
    json_object_set_new(d, "status", json_string(vocab_message_status_name(status)));
    if (attempt) {
        char ts[32];
        json_int_t n = json_integer_value(json_object_get(d, "attempts"));
        fu_timestamp(j->o->now_us, ts);
        json_object_set_new(d, "attempts", json_integer(n + 1));
        json_object_set_new(d, "last_attempt", json_string(ts));
    }
    if (error)
        json_object_set_new(d, "error", json_string(error));
    else if (status == MSG_SENT)
        json_object_del(d, "error");
    genu_record fresh;
    if (to_record(j, d, &fresh, err))
        return err->code;
    if (store_begin(j->s, err))
        return err->code;
    genu_record now;
    int rc = expect ? store_get(j->s, GENU_REC_MESSAGE, fresh.id, j->a, &now, err) : GENU_OK;
    if (!rc && expect && strcmp(now.doc, expect) != 0) {
        store_rollback(j->s);
        return GENU_ECONFLICT;
    }
    if (rc || put_record(j, &fresh, err) || store_commit(j->s, err)) {
        store_rollback(j->s);
        return err->code;
    }
    *r = fresh;
    return GENU_OK;
}

/* sending -> deliver -> sent | failed, each step committed first. */
static int attempt(job *j, const genu_record *stored, json_t *doc, genu_err *err)
{
    genu_record r;
    char why[256] = "";
    size_t nwin = json_array_size(json_object_get(doc, "followups"));
    int claimed = set_status(j, doc, MSG_SENDING, true, NULL, stored->doc, &r, err);
    if (claimed == GENU_ECONFLICT)
        return GENU_OK; /* another run has it */
    if (claimed)
        return claimed;
    json_t *now = json_loads(r.doc, 0, NULL);
    if (!now)
        return GENU_OOM(err);
    int rc = deliver(j, &r, now, why, err);
    if (rc != GENU_OK && rc != GENU_EIO && rc != GENU_ENOTFOUND) {
        json_decref(now);
        return rc;
    }
    int status = rc == GENU_OK ? MSG_SENT : rc == GENU_EIO ? MSG_FAILED : MSG_ABANDONED;
    rc = set_status(j, now, status, false, status == MSG_SENT ? NULL : why, NULL, &r, err);
    json_decref(now);
    if (rc)
        return rc;
    if (r.u.message.status == MSG_SENT) {
        if (r.u.message.kind == MSG_INVITATION)
            j->sum->invited += nwin;
        else
            j->sum->reminded += nwin;
    } else if (r.u.message.status == MSG_ABANDONED) {
        j->sum->abandoned++;
    } else {
        j->sum->failed++;
    }
    return note(j, &r, nwin, r.u.message.status == MSG_SENT ? NULL : why, err);
}

/* ---- what earlier runs left ---- */

/* Microseconds of a job-clock timestamp "YYYY-MM-DDTHH:MM:SSZ", or 0. */
static int64_t stamp_us(const char *s)
{
    genu_date d = fu_timestamp_date(s);
    int h, m, sec;
    if (d == GENU_DATE_NONE || sscanf(s + 10, "T%2d:%2d:%2dZ", &h, &m, &sec) != 3)
        return 0;
    return (int64_t)d * DAY_US + ((int64_t)h * 3600 + m * 60 + sec) * 1000000;
}

/* Whether a message that failed `attempts` times, last at last_us, may be
 * tried again now: 15 minutes after the first failure, doubling, at most a
 * day. */
static bool backoff_over(const job *j, int attempts, int64_t last_us)
{
    int64_t wait = 15 * MINUTE_US;
    for (int i = 1; i < attempts && wait < DAY_US; i++)
        wait *= 2;
    if (wait > DAY_US)
        wait = DAY_US;
    return j->o->now_us >= last_us + wait;
}

/* Whether any window of the message is open and unanswered. */
static bool still_useful(job *j, const genu_record *r, json_t *doc)
{
    json_t *f = json_object_get(doc, "followups");
    for (size_t i = 0; i < json_array_size(f); i++) {
        const followup_window *w = open_window(j, r->patient, json_array_get(f, i));
        if (w && w->answered == GENU_DATE_NONE && !w->link_used)
            return true;
    }
    return false;
}

static int busy(job *j, const char *patient, genu_err *err)
{
    const char *k = genu_arena_strdup(j->a, patient);
    return k && genu_hash_put(j->busy, k, 0, NULL) >= 0
               ? GENU_OK
               : GENU_OOM(err);
}

static int earlier(job *j, fu_message *m, size_t nm, genu_err *err)
{
    for (size_t i = 0; i < nm; i++) {
        const genu_record *r = m[i].r;
        const genu_message *x = &r->u.message;
        if (r->date == j->o->as_of && x->kind != MSG_OPT_OUT && busy(j, r->patient, err))
            return err->code;
        if (x->status != MSG_PENDING && x->status != MSG_SENDING && x->status != MSG_FAILED)
            continue;
        const char *why = NULL;
        if (!still_useful(j, r, m[i].doc))
            why = "not delivered before its follow-up was answered or closed";
        else if (x->status == MSG_SENDING && x->kind == MSG_REMINDER)
            /* it may have reached the patient before the crash: never twice */
            why = "interrupted during delivery; a reminder is not sent twice";
        if (why) {
            genu_record done;
            j->sum->abandoned++;
            if (!j->o->dry_run && (set_status(j, m[i].doc, MSG_ABANDONED, false, why, NULL,
                                              &done, err) ||
                                   note(j, &done, 0, why, err)))
                return err->code;
            continue;
        }
        if (busy(j, r->patient, err))
            return err->code;
        int64_t last = stamp_us(json_string_value(json_object_get(m[i].doc, "last_attempt")));
        if (x->status == MSG_FAILED && !backoff_over(j, x->attempts, last)) {
            j->sum->deferred++;
            continue;
        }
        if (j->o->dry_run)
            continue;
        if (attempt(j, r, m[i].doc, err))
            return err->code;
    }
    return GENU_OK;
}

/* ---- today's messages ---- */

static json_t *window_json(const followup_window *w, int reminder)
{
    json_t *o = json_object();
    if (w->knee != GENU_KNEE_NONE)
        json_object_set_new(o, "knee", json_string(w->knee == GENU_KNEE_LEFT ? "left" : "right"));
    json_object_set_new(o, "timepoint", json_string(w->tp.text));
    json_object_set_new(o, "reminder", json_integer(reminder));
    return o;
}

/* Stores a new pending message for windows w[idx[0..n)) and, for an
 * invitation, their survey links; then delivers it. */
static int create(job *j, const char *patient, int kind, int channel, const size_t *idx,
                  size_t n, genu_err *err)
{
    char date[GENU_DATE_STRLEN];
    unsigned char h[8];
    char hex[17];
    genu_date_format(j->o->as_of, date);
    crypto_generichash(h, sizeof h, (const unsigned char *)patient, strlen(patient), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    const char *id = genu_arena_printf(j->a, "msg-%s-%s", date, hex);
    json_t *doc = json_object(), *f = json_array();
    json_object_set_new(doc, "type", json_string("message"));
    json_object_set_new(doc, "id", json_string(id ? id : ""));
    json_object_set_new(doc, "patient", json_string(patient));
    json_object_set_new(doc, "date", json_string(date));
    json_object_set_new(doc, "kind", json_string(vocab_message_kind_name(kind)));
    json_object_set_new(doc, "channel", json_string(vocab_message_channel_name(channel)));
    json_object_set_new(doc, "status", json_string("pending"));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(f, window_json(&j->w[idx[i]],
                                             kind == MSG_INVITATION ? 0 : j->w[idx[i]].reminders + 1));
    json_object_set_new(doc, "followups", f);
    json_object_set_new(doc, "attempts", json_integer(0));
    json_t *keep = json_incref(doc);
    genu_record r;
    if (to_record(j, doc, &r, err)) {
        json_decref(keep);
        return err->code;
    }
    if (store_begin(j->s, err)) {
        json_decref(keep);
        return err->code;
    }
    genu_record existing;
    genu_err e = {0};
    int rc = store_get(j->s, GENU_REC_MESSAGE, r.id, j->a, &existing, &e);
    if (rc == GENU_OK) { /* another run wrote today's message first */
        store_rollback(j->s);
        json_decref(keep);
        return GENU_OK;
    }
    rc = rc == GENU_ENOTFOUND ? fu_key(j->s, true, j->key, &j->have_key, err)
                              : GENU_FAIL(err, e.code, "%s", e.msg);
    for (size_t i = 0; !rc && kind == MSG_INVITATION && i < n; i++) {
        const followup_window *w = &j->w[idx[i]];
        const schedule_group *g = &j->worded[w->ask - j->cfg.sched.groups];
        char token[FU_LINK_LEN], hash[FU_HEX_LEN];
        genu_buf list = GENU_BUF_INIT;
        for (size_t k = 0; k < g->nins; k++)
            genu_buf_printf(&list, "%s%s", k ? "," : "", g->ins[k]->id);
        fu_link_token(j->key, patient, w->knee, w->tp.text, w->index, token, hash);
        store_survey v = {hash, patient, w->knee, list.p, w->tp.text,
                          j->o->now_us, (int64_t)(w->last + 1) * DAY_US, 0, 0};
        rc = list.oom ? GENU_OOM(err)
                      : store_survey_put(j->s, &v, err);
        if (!rc) { /* audited by its hash's first digits, never the token */
            char link[24];
            snprintf(link, sizeof link, "%.16s", hash);
            genu_buf detail = GENU_BUF_INIT;
            genu_jw dw;
            genu_jw_init(&dw, &detail);
            genu_jw_obj(&dw);
            genu_jw_kstr(&dw, "knee", w->knee == GENU_KNEE_LEFT ? "left" : "right");
            genu_jw_kstr(&dw, "timepoint", w->tp.text);
            genu_jw_end(&dw);
            rc = detail.oom ? GENU_OOM(err)
                            : store_audit_event(j->s, "create", "survey_link", link, detail.p,
                                                err);
            genu_buf_free(&detail);
        }
        genu_buf_free(&list);
    }
    if (!rc)
        rc = put_record(j, &r, err);
    if (!rc)
        rc = store_commit(j->s, err);
    if (rc) {
        store_rollback(j->s);
        json_decref(keep);
        return rc;
    }
    rc = attempt(j, &r, keep, err);
    json_decref(keep);
    return rc;
}

/* Today's invitation, else today's reminder, for the patient whose windows
 * are w[lo..hi). */
static int plan_patient(job *j, size_t lo, size_t hi, genu_err *err)
{
    size_t *inv = genu_arena_calloc(j->a, hi - lo, sizeof *inv);
    size_t *rem = genu_arena_calloc(j->a, hi - lo, sizeof *rem);
    size_t ni = 0, nr = 0;
    if (!inv || !rem)
        return GENU_OOM(err);
    const char *patient = j->w[lo].patient;
    followup_skip skip = FU_SKIP_NONE;
    for (size_t i = lo; i < hi; i++) {
        const followup_window *w = &j->w[i];
        if (w->answered != GENU_DATE_NONE || w->link_used)
            continue;
        j->sum->due++;
        skip = w->skip;
        if (w->skip != FU_SKIP_NONE) {
            j->sum->skipped[w->skip]++;
            continue;
        }
        if (w->invited == GENU_DATE_NONE && !w->invitation_open)
            inv[ni++] = i;
        else if (w->invited != GENU_DATE_NONE && (size_t)w->reminders < j->cfg.nreminders &&
                 j->o->as_of >= w->invited + j->cfg.reminder_days[w->reminders])
            rem[nr++] = i;
    }
    size_t dummy;
    if ((ni == 0 && nr == 0) || skip != FU_SKIP_NONE || genu_hash_get(j->busy, patient, &dummy))
        return GENU_OK;
    int channel = j->w[lo].channel;
    if (j->o->dry_run) {
        if (ni)
            j->sum->invited += ni;
        else
            j->sum->reminded += nr;
        return GENU_OK;
    }
    /* an invitation goes alone; reminders due today wait for tomorrow */
    return ni ? create(j, patient, MSG_INVITATION, channel, inv, ni, err)
              : create(j, patient, MSG_REMINDER, channel, rem, nr, err);
}

/* ---- the job ---- */

static int check_config(job *j, genu_err *err)
{
    const followup_config *c = &j->cfg;
    genu_buf un = GENU_BUF_INIT;
    /* a scheduled instrument without installed wording is not asked (a
     * licensed one until the clinic installs its file); a timepoint with
     * nothing left to ask is a configuration error */
    for (size_t g = 0; g < c->sched.ngroups; g++) {
        for (size_t i = 0; i < c->sched.groups[g].nins; i++) {
            const genu_instrument *in = c->sched.groups[g].ins[i];
            if (wording_available(c->wording_dir, in, j->a, NULL))
                j->worded[g].ins[j->worded[g].nins++] = in;
            else if (!strstr(un.p ? un.p : "", in->id))
                genu_buf_printf(&un, "%s%s", un.len ? "," : "", in->id);
        }
        if (j->worded[g].nins == 0) {
            genu_buf_free(&un);
            return GENU_FAIL(err, GENU_EINVAL,
                             "followup.schedule: no instrument of a timepoint group has "
                             "installed wording (%s; docs/instruments.md)",
                             c->sched.groups[g].ins[0]->id);
        }
    }
    j->sum->unworded = un.len ? genu_arena_strdup(j->a, un.p) : NULL;
    genu_buf_free(&un);
    if (j->o->dry_run)
        return GENU_OK;
    if (!*c->base_url)
        return GENU_FAIL(err, GENU_EINVAL,
                         "set followup.base_url, the public address survey links start with "
                         "(genu settings set followup.base_url https://...)");
    if (!*c->smtp_url && !*c->sms_command)
        return GENU_FAIL(err, GENU_EINVAL,
                         "no channel: set smtp.url (e-mail) or followup.sms_command (text "
                         "messages); docs/followup.md");
    if (*c->smtp_url) {
        if (!*c->smtp_from)
            return GENU_FAIL(err, GENU_EINVAL, "set smtp.from, the sender of invitations");
        if (mail_credentials(*c->smtp_credentials ? c->smtp_credentials : NULL, j->a,
                             &j->smtp_user, &j->smtp_password, err))
            return err->code;
    }
    return GENU_OK;
}

static int run(job *j, genu_err *err)
{
    fu_message *m = NULL;
    size_t nm = 0;
    int rc = followup_config_read(j->s, j->a, &j->cfg, err);
    if (!rc)
        rc = check_config(j, err);
    if (!rc)
        rc = fu_key(j->s, false, j->key, &j->have_key, err);
    if (!rc)
        rc = followup_scan(j->s, &j->cfg, j->o->as_of, false, j->a, &j->w, &j->nw, err);
    if (rc)
        return rc;
    if (!(j->open = genu_hash_create()) || !(j->busy = genu_hash_create()))
        return GENU_OOM(err);
    for (size_t i = 0; i < j->nw; i++) {
        char key[512];
        const followup_window *w = &j->w[i];
        int k = snprintf(key, sizeof key, "%s\x1f%d\x1f%s", w->patient, (int)w->knee, w->tp.text);
        const char *copy = k > 0 && (size_t)k < sizeof key ? genu_arena_strdup(j->a, key) : NULL;
        if (copy && genu_hash_put(j->open, copy, i, NULL) < 0)
            return GENU_OOM(err);
    }
    rc = fu_messages_load(j->s, j->a, &m, &nm, err);
    if (!rc)
        rc = earlier(j, m, nm, err);
    fu_messages_free(m, nm);
    for (size_t lo = 0; !rc && lo < j->nw;) {
        size_t hi = lo + 1;
        while (hi < j->nw && strcmp(j->w[hi].patient, j->w[lo].patient) == 0)
            hi++;
        rc = plan_patient(j, lo, hi, err);
        lo = hi;
    }
    return rc;
}

int followup_send(genu_store *s, const followup_opts *o, genu_arena *a, followup_summary *out,
                  genu_err *err)
{
    followup_summary sum = {0};
    job j = {.s = s, .o = o, .a = a, .sum = &sum};
    int rc = run(&j, err);
    sodium_memzero(j.key, sizeof j.key);
    genu_hash_destroy(j.open);
    genu_hash_destroy(j.busy);
    if (!rc && j.nsent) {
        sum.sent = genu_arena_calloc(a, j.nsent, sizeof *sum.sent);
        if (sum.sent)
            memcpy(sum.sent, j.sent, j.nsent * sizeof *sum.sent);
        else
            rc = GENU_OOM(err);
    }
    sum.nsent = sum.sent ? j.nsent : 0;
    free(j.sent);
    *out = sum;
    return rc;
}

/* ---- the summary ---- */

static const char *const skip_names[FU_NSKIP] = {"", "no_address", "opted_out", "deceased"};

void followup_summary_json(genu_buf *b, const followup_opts *o, const followup_summary *sum)
{
    genu_jw w;
    genu_jw_doc(&w, b);
    genu_jw_kdate(&w, "as_of", o->as_of);
    genu_jw_kbool(&w, "dry_run", o->dry_run);
    genu_jw_ksize(&w, "due", sum->due);
    genu_jw_ksize(&w, "invited", sum->invited);
    genu_jw_ksize(&w, "reminded", sum->reminded);
    genu_jw_kobj(&w, "skipped");
    for (int k = 1; k < FU_NSKIP; k++)
        genu_jw_ksize(&w, skip_names[k], sum->skipped[k]);
    genu_jw_end(&w);
    genu_jw_ksize(&w, "failed", sum->failed);
    genu_jw_ksize(&w, "deferred", sum->deferred);
    genu_jw_ksize(&w, "abandoned", sum->abandoned);
    genu_jw_karr(&w, "not_asked"); /* the instrument ids of the comma-separated list */
    for (const char *p = sum->unworded; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        genu_buf_printf(genu_jw_val(&w), "\"%.*s\"", (int)n, p);
        p = e ? e + 1 : p + n;
    }
    genu_jw_end(&w);
    genu_jw_karr(&w, "messages");
    for (size_t i = 0; i < sum->nsent; i++) {
        const followup_sent *x = &sum->sent[i];
        genu_jw_obj(&w);
        genu_jw_kstr(&w, "id", x->id);
        genu_jw_kstr(&w, "patient", x->patient);
        genu_jw_kstr(&w, "kind", vocab_message_kind_name(x->kind));
        genu_jw_kstr(&w, "channel", vocab_message_channel_name(x->channel));
        genu_jw_kstr(&w, "status", vocab_message_status_name(x->status));
        genu_jw_ksize(&w, "windows", x->nwindows);
        if (x->error)
            genu_jw_kstr(&w, "error", x->error);
        genu_jw_end(&w);
    }
    genu_jw_end(&w);
    genu_jw_doc_end(&w);
}

void followup_summary_text(genu_buf *b, const followup_opts *o, const followup_summary *sum)
{
    char date[GENU_DATE_STRLEN];
    genu_date_format(o->as_of, date);
    genu_buf_printf(b, "follow-up as of %s%s: %zu due\n", date, o->dry_run ? " (dry run)" : "",
                    sum->due);
    genu_buf_printf(b, "  invited    %zu\n  reminded   %zu\n", sum->invited, sum->reminded);
    genu_buf_printf(b, "  skipped    %zu no address, %zu opted out, %zu deceased\n",
                    sum->skipped[FU_SKIP_NO_ADDRESS], sum->skipped[FU_SKIP_OPTED_OUT],
                    sum->skipped[FU_SKIP_DECEASED]);
    genu_buf_printf(b, "  failed     %zu (retried later: %zu waiting)\n", sum->failed,
                    sum->deferred);
    if (sum->abandoned)
        genu_buf_printf(b, "  abandoned  %zu\n", sum->abandoned);
    if (sum->unworded)
        genu_buf_printf(b, "  not asked  %s (no wording installed; docs/instruments.md)\n",
                        sum->unworded);
    for (size_t i = 0; i < sum->nsent; i++)
        if (sum->sent[i].error && sum->sent[i].status == MSG_FAILED)
            genu_buf_printf(b, "  %s to %s failed: %s\n", sum->sent[i].id, sum->sent[i].patient,
                            sum->sent[i].error);
}

/* ---- opting out ---- */

int followup_opt_out(genu_store *s, const char *patient, int channel, genu_date today,
                     genu_arena *a, genu_err *err)
{
    genu_record id, fresh, msg;
    genu_err e = {0};
    json_t *doc;
    int rc = store_get(s, GENU_REC_IDENTITY, patient, a, &id, &e);
    if (rc == GENU_OK) {
        doc = json_loads(id.doc, 0, NULL);
    } else if (rc == GENU_ENOTFOUND) {
        doc = json_pack("{s:s,s:s}", "type", "identity", "patient", patient);
    } else {
        return GENU_FAIL(err, e.code, "%s", e.msg);
    }
    if (!doc)
        return GENU_OOM(err);
    json_object_set_new(doc, "contact", json_string("none"));
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text)
        return GENU_OOM(err);
    rc = record_json_parse(text, strlen(text), a, &fresh, err);
    free(text);
    genu_buf line = GENU_BUF_INIT;
    genu_jw w;
    genu_jw_init(&w, &line);
    genu_jw_obj(&w);
    genu_jw_kstr(&w, "type", "message");
    genu_jw_kstr(&w, "patient", patient);
    genu_jw_kdate(&w, "date", today);
    genu_jw_kstr(&w, "kind", "opt_out");
    genu_jw_kstr(&w, "channel", vocab_message_channel_name(channel));
    genu_jw_kstr(&w, "status", "recorded");
    genu_jw_end(&w);
    if (!rc)
        rc = line.oom ? GENU_OOM(err) : record_json_parse(line.p, line.len, a, &msg, err);
    genu_buf_free(&line);
    if (rc)
        return rc;
    store_put_result res;
    if (store_put(s, &fresh, &res, err) || store_put(s, &msg, &res, err))
        return err->code;
    return GENU_OK;
}
