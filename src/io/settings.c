/* settings: the known registry settings, reading them as scoring options,
 * and changing one with the stored responses it affects re-scored. */
#include "io/settings.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/schedule.h"
#include "instruments/womac.h"
#include "io/record_json.h"

#define VALUE_LEN SETTINGS_VALUE_LEN
_Static_assert(WOMAC_MAX_MISSING_LEN <= SETTINGS_VALUE_LEN, "womac.max_missing fits");

/* A setting is either a scoring option (parse and format) or plain text
 * (check and dflt) that other layers read with settings_get. */
typedef struct def {
    settings_def pub;
    /* checks text and sets this setting's part of *o (else o untouched) */
    int (*parse)(const char *text, instr_opts *o, genu_err *err);
    /* this setting's part of o as text */
    void (*format)(const instr_opts *o, char out[VALUE_LEN]);
    /* a text setting: checks text and writes its canonical form */
    int (*check)(const char *text, char canon[VALUE_LEN], genu_err *err);
    const char *dflt;
} def;

/* No control characters (a header or a command line must not be split). */
static int plain(const char *text, genu_err *err)
{
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return GENU_FAIL(err, GENU_EINVAL, "contains a control character");
    return GENU_OK;
}

static int copy_canon(const char *text, char canon[VALUE_LEN], genu_err *err)
{
    if (strlen(text) >= VALUE_LEN)
        return GENU_FAIL(err, GENU_EINVAL, "longer than %d bytes", VALUE_LEN - 1);
    if (plain(text, err))
        return err->code;
    strcpy(canon, text);
    return GENU_OK;
}

static int check_schedule(const char *text, char canon[VALUE_LEN], genu_err *err)
{
    schedule sc;
    char whole[4 * VALUE_LEN];
    if (schedule_parse(text, &sc, err))
        return err->code;
    schedule_format(&sc, whole, sizeof whole);
    if (strlen(whole) >= VALUE_LEN)
        return GENU_FAIL(err, GENU_EINVAL,
                         "longer than %d bytes once written out; ask fewer instruments, or "
                         "share groups between timepoints",
                         VALUE_LEN - 1);
    memcpy(canon, whole, strlen(whole) + 1);
    return GENU_OK;
}

static int check_reminders(const char *text, char canon[VALUE_LEN], genu_err *err)
{
    int days[SCHEDULE_MAX_REMINDERS];
    size_t n, k = 0;
    if (schedule_reminders_parse(text, days, &n, err))
        return err->code;
    canon[0] = '\0';
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(canon + k, VALUE_LEN - k, "%s%d", i ? "," : "", days[i]);
    if (n == 0)
        strcpy(canon, "none");
    return GENU_OK;
}

static bool prefixed(const char *text, const char *const *prefixes)
{
    for (; *prefixes; prefixes++)
        if (strncmp(text, *prefixes, strlen(*prefixes)) == 0 && text[strlen(*prefixes)])
            return true;
    return false;
}

static int check_smtp_url(const char *text, char canon[VALUE_LEN], genu_err *err)
{
    static const char *const ok[] = {"smtp://", "smtps://", NULL};
    if (*text && (!prefixed(text, ok) || strchr(text, ' ')))
        return GENU_FAIL(err, GENU_EINVAL,
                         "expected smtp://HOST[:PORT] or smtps://HOST[:PORT], or \"\" for none");
    if (strchr(text, '@'))
        return GENU_FAIL(err, GENU_EINVAL,
                         "no user or password in the URL: they would be stored in the registry "
                         "and its audit trail (use smtp.credentials_file or GENU_SMTP_USER and "
                         "GENU_SMTP_PASSWORD)");
    return copy_canon(text, canon, err);
}

static int check_base_url(const char *text, char canon[VALUE_LEN], genu_err *err)
{
    static const char *const ok[] = {"http://", "https://", NULL};
    if (*text && (!prefixed(text, ok) || strchr(text, ' ') || strchr(text, '?') ||
                  strchr(text, '#')))
        return GENU_FAIL(err, GENU_EINVAL,
                         "expected the public address of genu serve, such as "
                         "https://survey.example.org");
    if (copy_canon(text, canon, err))
        return err->code;
    for (size_t n = strlen(canon); n > 0 && canon[n - 1] == '/'; n--)
        canon[n - 1] = '\0';
    if (*text && !prefixed(canon, ok)) /* "http:///" is no address */
        return GENU_FAIL(err, GENU_EINVAL, "expected a host after %s",
                         strncmp(text, "https", 5) == 0 ? "https://" : "http://");
    return GENU_OK;
}

static int check_from(const char *text, char canon[VALUE_LEN], genu_err *err)
{
    if (*text && !strchr(text, '@'))
        return GENU_FAIL(err, GENU_EINVAL,
                         "expected an address such as \"Oak Park Clinic <followup@example.org>\"");
    return copy_canon(text, canon, err);
}

static int check_path(const char *text, char canon[VALUE_LEN], genu_err *err)
{
    if (*text && text[0] != '/')
        return GENU_FAIL(err, GENU_EINVAL, "expected an absolute path, or \"\" for none");
    return copy_canon(text, canon, err);
}

static int check_text(const char *text, char canon[VALUE_LEN], genu_err *err)
{
    return copy_canon(text, canon, err);
}

static const def defs[] = {
    {{"womac.max_missing",
      "WOMAC items a subscale may miss: pain,stiffness,function, at most 5,2,17", true},
     womac_max_missing_parse,
     womac_max_missing_format,
     NULL,
     NULL},
    {{"followup.schedule", "follow-up timepoints and the instruments asked at each", false},
     NULL, NULL, check_schedule, SCHEDULE_DEFAULT},
    {{"followup.reminder_days", "days after an invitation on which reminders go (none: no "
                                "reminders)", false},
     NULL, NULL, check_reminders, SCHEDULE_REMINDERS_DEFAULT},
    {{"followup.base_url", "public address of genu serve that survey links start with", false},
     NULL, NULL, check_base_url, ""},
    {{"followup.sms_command", "program (and fixed arguments) given a number and a text", false},
     NULL, NULL, check_path, ""},
    {{"clinic.name", "the clinic's name, as invitations say it", false}, NULL, NULL, check_text, ""},
    {{"smtp.url", "the clinic's mail server: smtp://HOST:PORT or smtps://HOST:PORT", false},
     NULL, NULL, check_smtp_url, ""},
    {{"smtp.from", "sender of invitations, e.g. Clinic <followup@example.org>", false},
     NULL, NULL, check_from, ""},
    {{"smtp.credentials_file", "file holding the mail server's user and password (mode 600)", false},
     NULL, NULL, check_path, ""},
    {{"wording.dir", "directory of installed instrument wording files (INSTRUMENT.LANG.json)", false},
     NULL, NULL, check_path, ""},
};

#define NDEFS (sizeof defs / sizeof defs[0])

size_t settings_count(void)
{
    return NDEFS;
}

const settings_def *settings_at(size_t i)
{
    return i < NDEFS ? &defs[i].pub : NULL;
}

static const def *find(const char *key, genu_err *err)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (strcmp(defs[i].pub.key, key) == 0)
            return &defs[i];
    char known[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < NDEFS && len < sizeof known; i++)
        len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "",
                                defs[i].pub.key);
    GENU_FAIL(err, GENU_EINVAL, "unknown setting \"%.100s\" (known: %s)", key, known);
    return NULL;
}

const settings_def *settings_find(const char *key, genu_err *err)
{
    const def *d = find(key, err);
    return d ? &d->pub : NULL;
}

static int value_of(genu_store *s, const def *d, genu_arena *a, settings_value *out, genu_err *err)
{
    const char *stored;
    char dflt[VALUE_LEN];
    if (store_get_setting(s, d->pub.key, a, &stored, err))
        return err->code;
    if (d->format)
        d->format(&instrument_opts_default, dflt);
    else
        snprintf(dflt, sizeof dflt, "%s", d->dflt);
    settings_value v = {stored, genu_arena_strdup(a, dflt), stored != NULL};
    if (!v.value)
        v.value = v.fallback;
    if (!v.fallback)
        return GENU_OOM(err);
    *out = v;
    return GENU_OK;
}

int settings_get(genu_store *s, const char *key, genu_arena *a, settings_value *out, genu_err *err)
{
    const def *d = find(key, err);
    return d ? value_of(s, d, a, out, err) : err->code;
}

int settings_scoring(genu_store *s, genu_arena *a, instr_opts *out, genu_err *err)
{
    instr_opts o = instrument_opts_default;
    for (size_t i = 0; i < NDEFS; i++) {
        const char *stored;
        if (!defs[i].parse)
            continue;
        if (store_get_setting(s, defs[i].pub.key, a, &stored, err))
            return err->code;
        genu_err e = {0};
        if (stored && defs[i].parse(stored, &o, &e))
            return GENU_FAIL(err, GENU_EIO, "the registry's setting %s holds \"%.60s\": %s",
                             defs[i].pub.key, stored, e.msg);
    }
    *out = o;
    return GENU_OK;
}

/* Whether r is a response whose scores read the scoring options. */
static bool reads_opts(const genu_record *r)
{
    return r->type == GENU_REC_RESPONSE &&
           instrument_uses_opts(instrument_find(r->u.response.instrument));
}

int settings_rescore(genu_record *r, const instr_opts *opts, genu_arena *a, bool *changed,
                     genu_err *err)
{
    if (changed)
        *changed = false;
    if (!reads_opts(r))
        return GENU_OK;
    const char *old = r->doc;
    genu_record fresh;
    if (record_json_parse_with(old, strlen(old), opts, a, &fresh, err)) {
        genu_err_prefix(err, "response \"%s\": ", r->id ? r->id : "");
        return err->code;
    }
    if (changed)
        *changed = strcmp(fresh.doc, old) != 0;
    *r = fresh;
    return GENU_OK;
}

int settings_rescore_stale(genu_store *s, instr_opts *used, genu_record *recs, size_t n,
                           genu_arena *a, genu_err *err)
{
    bool any = false;
    for (size_t i = 0; i < n && !any; i++)
        any = reads_opts(&recs[i]);
    if (!any)
        return GENU_OK;
    instr_opts now;
    if (settings_scoring(s, a, &now, err))
        return err->code;
    if (instrument_opts_equal(&now, used))
        return GENU_OK;
    for (size_t i = 0; i < n; i++)
        if (settings_rescore(&recs[i], &now, a, NULL, err))
            return err->code;
    *used = now;
    return GENU_OK;
}

/* ---- secrets ---- */

int settings_secret(genu_store *s, const char *key, unsigned char *out, size_t len, bool create,
                    bool *have, genu_err *err)
{
    genu_arena *a = genu_arena_create();
    const char *hex = NULL;
    bool got_one = false;
    int rc = a ? GENU_OK : GENU_OOM(err);
    if (!rc && sodium_init() < 0)
        rc = GENU_FAIL(err, GENU_ENOMEM, "cannot initialise libsodium");
    if (!rc)
        rc = store_get_setting(s, key, a, &hex, err);
    if (!rc && !hex && create) {
        unsigned char *fresh = genu_arena_alloc(a, len);
        char *text = genu_arena_alloc(a, 2 * len + 1);
        rc = fresh && text ? GENU_OK : GENU_OOM(err);
        if (!rc) {
            randombytes_buf(fresh, len);
            sodium_bin2hex(text, 2 * len + 1, fresh, len);
            sodium_memzero(fresh, len);
            rc = store_add_setting(s, key, text, err); /* another process's stays */
        }
        if (!rc)
            rc = store_get_setting(s, key, a, &hex, err);
        /* the creation is audited by the process whose key won (by name:
         * the value never reaches the trail) */
        if (!rc && hex && strcmp(hex, text) == 0)
            rc = store_audit_event(s, "create", "secret", key, NULL, err);
        if (text)
            sodium_memzero(text, 2 * len + 1);
    }
    size_t n = 0;
    if (!rc && hex) {
        if (sodium_hex2bin(out, len, hex, strlen(hex), NULL, &n, NULL) || n != len)
            rc = GENU_FAIL(err, GENU_EIO, "setting %s: expected %zu hex digits", key, 2 * len);
        else
            got_one = true;
    }
    if (have)
        *have = got_one;
    genu_arena_destroy(a);
    return rc;
}

/* ---- changing a setting ---- */

/* The responses a change re-scores, gathered during store_each and stored
 * after it. */
typedef struct rescorer {
    const instr_opts *opts;
    genu_arena *a;       /* the re-scored records */
    genu_arena *scratch; /* one record at a time */
    genu_record **v;
    size_t n, cap, examined;
    genu_err *err;
} rescorer;

/* Re-scores r once more, into the arena that lasts, for storing. */
static int keep(rescorer *x, const genu_record *r)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        genu_record **v = realloc(x->v, cap * sizeof *v);
        if (!v)
            return GENU_OOM(x->err);
        x->v = v;
        x->cap = cap;
    }
    genu_record *copy = genu_arena_alloc(x->a, sizeof *copy);
    if (!copy)
        return GENU_OOM(x->err);
    *copy = *r;
    if (settings_rescore(copy, x->opts, x->a, NULL, x->err))
        return x->err->code;
    x->v[x->n++] = copy;
    return GENU_OK;
}

static int visit(const genu_record *r, void *ctx)
{
    rescorer *x = ctx;
    if (!reads_opts(r))
        return 0;
    x->examined++;
    genu_record tmp = *r;
    bool changed;
    genu_arena_reset(x->scratch);
    if (settings_rescore(&tmp, x->opts, x->scratch, &changed, x->err))
        return x->err->code;
    return changed ? keep(x, r) : 0;
}

static int put_all(genu_store *s, const rescorer *x, genu_err *err)
{
    if (!x->n)
        return GENU_OK;
    store_put_result *res = malloc(x->n * sizeof *res);
    size_t failed = x->n;
    int rc = res ? store_put_many(s, (const genu_record *const *)x->v, x->n, res, &failed, err)
                 : GENU_OOM(err);
    if (rc && failed < x->n)
        genu_err_prefix(err, "response \"%s\": ", x->v[failed]->id);
    free(res);
    return rc;
}

static int rescore_all(genu_store *s, const instr_opts *opts, genu_arena *a, settings_change *c,
                       genu_err *err)
{
    rescorer x = {opts, a, genu_arena_create(), NULL, 0, 0, 0, err};
    int rc = x.scratch ? store_each(s, true, visit, &x, err)
                       : GENU_OOM(err);
    if (!rc)
        rc = put_all(s, &x, err);
    c->examined = x.examined;
    c->rescored = x.n;
    free(x.v);
    genu_arena_destroy(x.scratch);
    return rc;
}

static int set_locked(genu_store *s, const def *d, const char *canon, genu_arena *a,
                      settings_change *c, genu_err *err)
{
    instr_opts before = instrument_opts_default, after;
    settings_value v;
    genu_err e = {0};
    if (!d->parse) {
        if (value_of(s, d, a, &v, err) ||
            store_put_setting(s, d->pub.key, canon, a, &c->changed, err))
            return err->code;
        c->before = v.value;
        return GENU_OK;
    }
    /* a stored value that does not check (a damaged registry) is what this
     * change repairs: every response is then re-scored */
    bool known = settings_scoring(s, a, &before, &e) == GENU_OK;
    if (!known && e.code != GENU_EIO)
        return GENU_FAIL(err, e.code, "%s", e.msg);
    if (value_of(s, d, a, &v, err) || store_put_setting(s, d->pub.key, canon, a, &c->changed, err))
        return err->code;
    c->before = v.value;
    after = before;
    if (d->parse(canon, &after, err) || (known && instrument_opts_equal(&before, &after)))
        return err->code;
    return rescore_all(s, &after, a, c, err);
}

int settings_check(const char *key, const char *value, char canon[SETTINGS_VALUE_LEN],
                   genu_err *err)
{
    const def *d = find(key, err);
    instr_opts o = instrument_opts_default;
    if (!d)
        return err->code;
    if (d->check) {
        if (d->check(value, canon, err))
            genu_err_prefix(err, "%s: ", key);
        return err->code;
    }
    if (d->parse(value, &o, err)) {
        genu_err_prefix(err, "%s: ", key);
        return err->code;
    }
    d->format(&o, canon);
    return GENU_OK;
}

int settings_set(genu_store *s, const char *key, const char *value, genu_arena *a,
                 settings_change *out, genu_err *err)
{
    char canon[VALUE_LEN];
    if (settings_check(key, value, canon, err))
        return err->code;
    settings_change c = {NULL, NULL, false, 0, 0};
    if (store_begin(s, err))
        return err->code;
    if (set_locked(s, find(key, err), canon, a, &c, err) || store_commit(s, err)) {
        store_rollback(s);
        return err->code;
    }
    c.after = genu_arena_strdup(a, canon);
    *out = c;
    return GENU_OK;
}
