/* scan: the follow-up state of every window, from the cohort, the
 * responses, the message records and the survey links. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/cohort.h"
#include "core/hash.h"
#include "core/vec.h"
#include "followup/internal.h"
#include "followup/mail.h"
#include "followup/sms.h"
#include "io/record_json.h"
#include "io/settings.h"

#define KEY_SETTING "followup_key"

int fu_key(genu_store *s, bool create, unsigned char key[FU_KEY_BYTES], bool *have,
           genu_err *err)
{
    return settings_secret(s, KEY_SETTING, key, FU_KEY_BYTES, create, have, err);
}

void fu_link_token(const unsigned char key[FU_KEY_BYTES], const char *patient, genu_knee knee,
                   const char *tp, genu_date index, char token[FU_LINK_LEN],
                   char hash[FU_HEX_LEN])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES], h[crypto_hash_sha256_BYTES];
    crypto_auth_hmacsha256_state st;
    char idx[16];
    snprintf(idx, sizeof idx, "%ld", (long)index);
    const char *k = knee == GENU_KNEE_LEFT ? "left" : knee == GENU_KNEE_RIGHT ? "right" : "";
    crypto_auth_hmacsha256_init(&st, key, FU_KEY_BYTES);
    const char *parts[] = {"genu survey link", patient, k, tp, idx};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(token, FU_LINK_LEN, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hash, FU_HEX_LEN, h, sizeof h);
}

/* The sealing key of unsubscribe tokens, derived from the follow-up key. */
static void seal_key(const unsigned char key[FU_KEY_BYTES],
                     unsigned char out[crypto_secretbox_KEYBYTES])
{
    crypto_auth_hmacsha256(out, (const unsigned char *)"genu unsubscribe", 16, key);
}

int fu_unsubscribe_token(const unsigned char key[FU_KEY_BYTES], const char *patient,
                         genu_arena *a, const char **token, genu_err *err)
{
    size_t n = strlen(patient);
    unsigned char sk[crypto_secretbox_KEYBYTES], mac[crypto_auth_hmacsha256_BYTES];
    unsigned char *box = genu_arena_alloc(a, crypto_secretbox_NONCEBYTES +
                                                 crypto_secretbox_MACBYTES + n);
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    size_t tlen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = genu_arena_alloc(a, tlen);
    if (!box || !out)
        return GENU_OOM(err);
    seal_key(key, sk);
    /* a nonce from the patient id: the same token every time, and no two
     * patients share one */
    crypto_auth_hmacsha256(mac, (const unsigned char *)patient, n, sk);
    memcpy(box, mac, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)patient, n,
                          box, sk);
    sodium_bin2base64(out, tlen, box, blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(sk, sizeof sk);
    *token = out;
    return GENU_OK;
}

int followup_unsubscribe_patient(genu_store *s, const char *token, genu_arena *a,
                                 const char **patient, genu_err *err)
{
    unsigned char key[FU_KEY_BYTES], sk[crypto_secretbox_KEYBYTES];
    unsigned char box[FOLLOWUP_TOKEN_MAX];
    size_t blen = 0;
    bool have;
    if (fu_key(s, false, key, &have, err))
        return err->code;
    if (!have || strlen(token) >= FOLLOWUP_TOKEN_MAX ||
        sodium_base642bin(box, sizeof box, token, strlen(token), NULL, &blen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        blen <= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return GENU_FAIL(err, GENU_ENOTFOUND, "not an unsubscribe link of this registry");
    size_t n = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *id = genu_arena_alloc(a, n + 1);
    if (!id)
        return GENU_OOM(err);
    seal_key(key, sk);
    int bad = crypto_secretbox_open_easy((unsigned char *)id, box + crypto_secretbox_NONCEBYTES,
                                         blen - crypto_secretbox_NONCEBYTES, box, sk);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(key, sizeof key);
    if (bad || memchr(id, '\0', n))
        return GENU_FAIL(err, GENU_ENOTFOUND, "not an unsubscribe link of this registry");
    id[n] = '\0';
    *patient = id;
    return GENU_OK;
}

void fu_timestamp(int64_t us, char out[32])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

genu_date fu_timestamp_date(const char *s)
{
    genu_date d;
    genu_err e = {0};
    if (!s || strlen(s) < 10 || genu_date_parse(s, 10, &d, &e))
        return GENU_DATE_NONE;
    return d;
}

/* ---- settings ---- */

static const char *setting(genu_store *s, const char *key, genu_arena *a, genu_err *err)
{
    settings_value v;
    if (settings_get(s, key, a, &v, err))
        return NULL;
    return v.value;
}

int followup_config_read(genu_store *s, genu_arena *a, followup_config *out, genu_err *err)
{
    followup_config c = {0};
    const char *sched = setting(s, "followup.schedule", a, err);
    const char *rem = sched ? setting(s, "followup.reminder_days", a, err) : NULL;
    if (!rem)
        return err->code;
    genu_err e = {0};
    if (schedule_parse(sched, &c.sched, &e) ||
        schedule_reminders_parse(rem, c.reminder_days, &c.nreminders, &e))
        return GENU_FAIL(err, GENU_EIO, "the registry's follow-up settings: %s", e.msg);
    if (!(c.base_url = setting(s, "followup.base_url", a, err)) ||
        !(c.clinic = setting(s, "clinic.name", a, err)) ||
        !(c.smtp_url = setting(s, "smtp.url", a, err)) ||
        !(c.smtp_from = setting(s, "smtp.from", a, err)) ||
        !(c.smtp_credentials = setting(s, "smtp.credentials_file", a, err)) ||
        !(c.sms_command = setting(s, "followup.sms_command", a, err)) ||
        !(c.wording_dir = setting(s, "wording.dir", a, err)))
        return err->code;
    *out = c;
    return GENU_OK;
}

/* ---- messages ---- */

static int by_patient_date(const void *x, const void *y)
{
    const fu_message *a = x, *b = y;
    int c = strcmp(a->r->patient, b->r->patient);
    if (c)
        return c;
    return a->r->date != b->r->date ? (a->r->date < b->r->date ? -1 : 1)
                                    : (a->r->seq < b->r->seq ? -1 : a->r->seq > b->r->seq);
}

int fu_messages_load(genu_store *s, genu_arena *a, fu_message **out, size_t *n, genu_err *err)
{
    size_t count = 0, got = 0, total = 0;
    genu_record *recs = NULL;
    *out = NULL;
    *n = 0;
    if (store_count(s, GENU_REC_MESSAGE, &count, err))
        return err->code;
    if (count == 0)
        return GENU_OK;
    store_query q = {.limit = count, .every_patient = true};
    if (store_list(s, GENU_REC_MESSAGE, &q, a, &recs, &got, &total, err))
        return err->code;
    fu_message *m = genu_arena_calloc(a, got ? got : 1, sizeof *m);
    if (!m)
        return GENU_OOM(err);
    for (size_t i = 0; i < got; i++) {
        json_error_t je;
        m[i].r = &recs[i];
        m[i].doc = json_loads(recs[i].doc, 0, &je);
        if (!m[i].doc) {
            fu_messages_free(m, i);
            return GENU_FAIL(err, GENU_EIO, "message \"%s\": the registry holds a bad doc",
                             recs[i].id);
        }
        m[i].sent_on = recs[i].u.message.status == MSG_SENT
                           ? fu_timestamp_date(json_string_value(
                                 json_object_get(m[i].doc, "last_attempt")))
                           : GENU_DATE_NONE;
        if (recs[i].u.message.status == MSG_SENT && m[i].sent_on == GENU_DATE_NONE)
            m[i].sent_on = recs[i].date;
    }
    qsort(m, got, sizeof *m, by_patient_date);
    *out = m;
    *n = got;
    return GENU_OK;
}

void fu_messages_free(fu_message *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(m[i].doc);
}

/* ---- windows ---- */

static bool window_key(char *buf, size_t len, const char *patient, genu_knee knee,
                       const char *tp)
{
    int k = snprintf(buf, len, "%s\x1f%d\x1f%s", patient, (int)knee, tp);
    return k > 0 && (size_t)k < len;
}

/* Whether knee k has answered its follow-up in [from, to]: a response of
 * that knee to one of g's per-knee instruments, or, when g asks nothing
 * per knee, a response to one of its instruments (a patient-level answer
 * does not answer for a knee: each knee has its own link). The first such
 * date into *when. */
static bool answered(const cohort *co, const cohort_knee *k, const schedule_group *g,
                     genu_date from, genu_date to, genu_date *when)
{
    const genu_dataset *ds = co->ds;
    bool per_knee = false;
    for (size_t j = 0; j < g->nins; j++)
        per_knee |= g->ins[j]->level == INSTR_LEVEL_KNEE;
    for (size_t i = co->lo[GENU_REC_RESPONSE][k->pat]; i < co->hi[GENU_REC_RESPONSE][k->pat];
         i++) {
        const genu_record *r = &ds->recs[GENU_REC_RESPONSE][i];
        if (r->date < from || r->date > to ||
            (per_knee ? r->knee != k->knee : r->knee != GENU_KNEE_NONE && r->knee != k->knee))
            continue;
        for (size_t j = 0; j < g->nins; j++)
            if (strcmp(g->ins[j]->id, r->u.response.instrument) == 0) {
                *when = r->date;
                return true;
            }
    }
    return false;
}

/* The identities by patient id: contact and phone. */
typedef struct contact {
    const char *email, *phone;
    int contact; /* vocab_contact(), -1 when not given */
} contact;

static int load_contacts(genu_store *s, genu_arena *a, genu_hash **by, contact **out,
                         genu_err *err)
{
    size_t count = 0, got = 0, total = 0;
    genu_record *recs = NULL;
    *by = genu_hash_create();
    if (!*by)
        return GENU_OOM(err);
    if (store_count(s, GENU_REC_IDENTITY, &count, err))
        return err->code;
    store_query q = {.limit = count ? count : 1, .every_patient = true};
    if (count && store_list(s, GENU_REC_IDENTITY, &q, a, &recs, &got, &total, err))
        return err->code;
    *out = genu_arena_calloc(a, got ? got : 1, sizeof **out);
    if (!*out)
        return GENU_OOM(err);
    for (size_t i = 0; i < got; i++) {
        genu_record full;
        if (record_json_parse(recs[i].doc, strlen(recs[i].doc), a, &full, err)) {
            genu_err_prefix(err, "identity of \"%s\": ", recs[i].patient);
            return err->code;
        }
        const genu_identity *id = &full.u.identity;
        (*out)[i] = (contact){id->email, id->phone, id->contact ? vocab_contact(id->contact) : -1};
        if (genu_hash_put(*by, full.patient, i, NULL) < 0)
            return GENU_OOM(err);
    }
    return GENU_OK;
}

/* Which channel reaches a patient, or why none does (an address no server
 * would take counts as none). */
static followup_skip reach(const followup_config *cfg, const contact *c, int *channel)
{
    char number[SMS_DIGITS_MAX + 2];
    genu_err e = {0};
    bool mail = c && c->email && *cfg->smtp_url && mail_address_ok(c->email);
    bool sms = c && c->phone && *cfg->sms_command && sms_number(c->phone, number, &e) == GENU_OK;
    if (c && c->contact == CONTACT_NONE)
        return FU_SKIP_OPTED_OUT;
    if (c && c->contact == CONTACT_EMAIL)
        sms = false;
    if (c && c->contact == CONTACT_SMS)
        mail = false;
    if (!mail && !sms)
        return FU_SKIP_NO_ADDRESS;
    *channel = mail ? MSG_EMAIL : MSG_SMS;
    return FU_SKIP_NONE;
}

/* The state messages give the windows: per window key, an index into agg. */
typedef struct agg {
    genu_date invited, last_message;
    bool invitation_open;
    int reminders;
} agg;

static int aggregate(const fu_message *m, size_t nm, genu_arena *a, genu_hash **by, agg **out,
                     genu_err *err)
{
    size_t cap = 0, n = 0;
    agg *v = NULL;
    if (!(*by = genu_hash_create()))
        return GENU_OOM(err);
    for (size_t i = 0; i < nm; i++) {
        const genu_message *msg = &m[i].r->u.message;
        json_t *f = json_object_get(m[i].doc, "followups");
        for (size_t j = 0; j < json_array_size(f); j++) {
            json_t *x = json_array_get(f, j);
            const char *kn = json_string_value(json_object_get(x, "knee"));
            const char *tp = json_string_value(json_object_get(x, "timepoint"));
            int reminder = (int)json_integer_value(json_object_get(x, "reminder"));
            genu_knee knee = kn ? (genu_knee)vocab_knee(kn) : GENU_KNEE_NONE;
            char key[512];
            size_t at;
            if (!tp || !window_key(key, sizeof key, m[i].r->patient, knee, tp))
                continue;
            if (!genu_hash_get(*by, key, &at)) {
                agg *more = genu_vec_room(v, &cap, n, sizeof *v, 16);
                if (!more) {
                    free(v);
                    return GENU_OOM(err);
                }
                v = more;
                v[n] = (agg){GENU_DATE_NONE, GENU_DATE_NONE, false, 0};
                const char *kcopy = genu_arena_strdup(a, key);
                if (!kcopy || genu_hash_put(*by, kcopy, n, NULL) < 0) {
                    free(v);
                    return GENU_OOM(err);
                }
                at = n++;
            }
            agg *g = &v[at];
            bool delivered = msg->status == MSG_SENT;
            if (reminder == 0) {
                if (delivered && g->invited == GENU_DATE_NONE)
                    g->invited = m[i].sent_on;
                else if (msg->status != MSG_ABANDONED && !delivered)
                    g->invitation_open = true;
            } else if (delivered || msg->status == MSG_ABANDONED) {
                g->reminders = reminder > g->reminders ? reminder : g->reminders;
            }
            if (delivered && (g->last_message == GENU_DATE_NONE || m[i].sent_on > g->last_message))
                g->last_message = m[i].sent_on;
        }
    }
    agg *copy = genu_arena_calloc(a, n ? n : 1, sizeof *copy);
    if (!copy) {
        free(v);
        return GENU_OOM(err);
    }
    if (n)
        memcpy(copy, v, n * sizeof *v);
    free(v);
    *out = copy;
    return GENU_OK;
}

typedef struct scan_ctx {
    genu_store *s;
    const followup_config *cfg;
    genu_date as_of;
    bool with_closed;
    bool have_key;
    unsigned char key[FU_KEY_BYTES];
    genu_hash *contacts, *aggs;
    contact *cv;
    agg *av;
    genu_arena *a;
    followup_window *v;
    size_t n, cap;
} scan_ctx;

static int push(scan_ctx *x, const followup_window *w, genu_err *err)
{
    followup_window *v = genu_vec_room(x->v, &x->cap, x->n, sizeof *v, 256);
    if (!v)
        return GENU_OOM(err);
    x->v = v;
    x->v[x->n++] = *w;
    return GENU_OK;
}

static int knee_windows(scan_ctx *x, const cohort *co, const cohort_knee *k, genu_err *err)
{
    const genu_record *p = &co->ds->recs[GENU_REC_PATIENT][k->pat];
    size_t ci;
    const contact *c = genu_hash_get(x->contacts, p->id, &ci) ? &x->cv[ci] : NULL;
    timepoint tp;
    const schedule_group *g;
    for (size_t j = 0; schedule_at(&x->cfg->sched, j, &tp, &g); j++) {
        genu_date first, last;
        timepoint_window(&tp, k->index, &first, &last);
        if (first > x->as_of)
            break;
        if (k->replaced != GENU_DATE_NONE && first > k->replaced)
            break; /* no follow-up is asked of a replaced knee */
        if (k->death != GENU_DATE_NONE && first > k->death)
            break; /* a death ends follow-up */
        bool open = last >= x->as_of;
        if (!open && !x->with_closed)
            continue;
        followup_window w = {p->id, p->u.patient.site, k->knee, tp, k->index, first, last, g,
                             GENU_DATE_NONE, GENU_DATE_NONE, false, 0, GENU_DATE_NONE, false,
                             FU_SKIP_NONE, MSG_EMAIL, c ? c->phone : NULL};
        answered(co, k, g, first, open ? x->as_of : last, &w.answered);
        char key[512];
        size_t ai;
        if (window_key(key, sizeof key, p->id, k->knee, tp.text) &&
            genu_hash_get(x->aggs, key, &ai)) {
            w.invited = x->av[ai].invited;
            w.invitation_open = x->av[ai].invitation_open;
            w.reminders = x->av[ai].reminders;
            w.last_message = x->av[ai].last_message;
        }
        if (x->have_key && (w.invited != GENU_DATE_NONE || w.invitation_open)) {
            char token[FU_LINK_LEN], hash[FU_HEX_LEN];
            store_survey v;
            genu_err e = {0};
            fu_link_token(x->key, p->id, k->knee, tp.text, k->index, token, hash);
            if (store_survey_get(x->s, hash, x->a, &v, &e) == GENU_OK)
                w.link_used = v.used_us != 0;
            else if (e.code != GENU_ENOTFOUND)
                return GENU_FAIL(err, e.code, "%s", e.msg);
        }
        w.skip = k->death != GENU_DATE_NONE ? FU_SKIP_DECEASED : reach(x->cfg, c, &w.channel);
        if (push(x, &w, err))
            return err->code;
    }
    return GENU_OK;
}

int followup_scan(genu_store *s, const followup_config *cfg, genu_date as_of, bool with_closed,
                  genu_arena *a, followup_window **out, size_t *n, genu_err *err)
{
    scan_ctx x = {.s = s, .cfg = cfg, .as_of = as_of, .with_closed = with_closed, .a = a};
    genu_dataset ds;
    cohort co;
    cohort_filter f;
    fu_message *m = NULL;
    size_t nm = 0;
    cohort_filter_init(&f);
    int rc = fu_key(s, false, x.key, &x.have_key, err);
    if (!rc)
        rc = store_load(s, a, &ds, err);
    if (!rc)
        rc = cohort_build(&ds, &f, COHORT_UNIT_KNEE, as_of, a, &co, err);
    if (!rc)
        rc = load_contacts(s, a, &x.contacts, &x.cv, err);
    if (!rc)
        rc = fu_messages_load(s, a, &m, &nm, err);
    if (!rc)
        rc = aggregate(m, nm, a, &x.aggs, &x.av, err);
    for (size_t i = 0; !rc && i < co.nknee; i++)
        rc = knee_windows(&x, &co, &co.knees[i], err);
    fu_messages_free(m, nm);
    genu_hash_destroy(x.contacts);
    genu_hash_destroy(x.aggs);
    sodium_memzero(x.key, sizeof x.key);
    if (!rc) {
        *out = genu_arena_calloc(a, x.n ? x.n : 1, sizeof **out);
        if (!*out)
            rc = GENU_OOM(err);
        else if (x.n)
            memcpy(*out, x.v, x.n * sizeof **out);
        *n = x.n;
    }
    free(x.v);
    return rc;
}

bool followup_to_call(const followup_config *cfg, const followup_window *w, genu_date as_of)
{
    if (w->answered != GENU_DATE_NONE || w->link_used || w->last < as_of || !w->phone)
        return false;
    if (w->skip == FU_SKIP_NO_ADDRESS)
        return true; /* no message reaches them; a call does */
    if (w->skip != FU_SKIP_NONE || w->invited == GENU_DATE_NONE)
        return false;
    return (size_t)w->reminders >= cfg->nreminders && w->last_message != GENU_DATE_NONE &&
           w->last_message < as_of;
}
