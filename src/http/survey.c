/* survey: one-time links. The link's token is the only credential a patient
 * holds, so it is long (256 bits), stored hashed, expires, and is spent in
 * the same transaction that stores the answers: two submissions racing on
 * one link store one set of answers. Pages are plain HTML that works
 * without scripts on a phone; errors are pages too, never dumps. */
#include "http/survey.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "http/api.h"
#include "http/auth.h"
#include "http/html.h"
#include "analysis/timepoint.h"
#include "instruments/instrument.h"
#include "io/record_json.h"
#include "io/settings.h"
#include "io/wording.h"

#define MAX_INSTRUMENTS 16
#define MAX_FIELDS 512
#define DAY_US ((int64_t)86400 * 1000000)

int survey_form_parse(char *s, size_t n, char **keys, char **vals, size_t max)
{
    size_t np = 0, i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '&')
            j++;
        if (j > i) {
            if (np == max)
                return -1;
            /* decode s[i..j) in place, splitting at the first '=' */
            char *w = s + i, *start = w, *val = NULL;
            for (size_t k = i; k < j; k++) {
                char ch = s[k];
                if (ch == '=' && !val) {
                    *w++ = '\0';
                    val = w;
                    continue;
                }
                if (ch == '+') {
                    ch = ' ';
                } else if (ch == '%') {
                    int v = 0;
                    if (k + 2 >= j)
                        return -1;
                    for (int d = 1; d <= 2; d++) {
                        char h = s[k + (size_t)d];
                        v *= 16;
                        if (h >= '0' && h <= '9')
                            v += h - '0';
                        else if (h >= 'a' && h <= 'f')
                            v += h - 'a' + 10;
                        else if (h >= 'A' && h <= 'F')
                            v += h - 'A' + 10;
                        else
                            return -1;
                    }
                    if (v == 0)
                        return -1;
                    ch = (char)v;
                    k += 2;
                }
                *w++ = ch;
            }
            *w = '\0';
            keys[np] = start;
            vals[np] = val ? val : w;
            np++;
        }
        i = j + 1;
        if (j < n)
            s[j] = '\0';
    }
    return (int)np;
}

/* The setting wording.dir ("" when unset; NULL only when it cannot be
 * read, the error answered). */
static const char *wording_dir(ctx *c)
{
    settings_value v;
    genu_err err = {0};
    if (settings_get(c->store, "wording.dir", c->arena, &v, &err)) {
        ctx_fail(c, &err);
        return NULL;
    }
    return v.value;
}

/* The language the patient reads ("en" when none is recorded). */
static const char *patient_language(ctx *c, const char *patient)
{
    genu_record id, full;
    genu_err err = {0};
    if (store_get(c->store, GENU_REC_IDENTITY, patient, c->arena, &id, &err) ||
        record_json_parse(id.doc, strlen(id.doc), c->arena, &full, &err) ||
        !full.u.identity.language)
        return "en";
    return full.u.identity.language;
}

/* ---- creating links ---- */

static int instruments_arg(ctx *c, json_t *arr, genu_knee knee, genu_buf *list)
{
    const char *dir = wording_dir(c);
    if (!dir)
        return -1;
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    if (n == 0 || n > MAX_INSTRUMENTS) {
        ctx_error(c, 400, "bad_request", "instruments",
                  "field \"instruments\": expected an array of 1 to %d instrument ids",
                  MAX_INSTRUMENTS);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_array_get(arr, i));
        const genu_instrument *in = id ? instrument_find(id) : NULL;
        if (!in) {
            ctx_error(c, 400, "bad_request", "instruments", "field \"instruments\": unknown "
                      "instrument \"%s\"", id ? id : "(not a string)");
            return -1;
        }
        wording w;
        genu_err err = {0};
        if (wording_load(dir, in, "en", c->arena, &w, &err)) {
            ctx_error(c, 422, "no_wording", "instruments", "field \"instruments\": %s", err.msg);
            return -1;
        }
        if (in->level == INSTR_LEVEL_KNEE && knee == GENU_KNEE_NONE) {
            ctx_error(c, 400, "bad_request", "knee",
                      "field \"knee\": %s is asked per knee; give left or right", id);
            return -1;
        }
        if (i)
            genu_buf_putc(list, ',');
        genu_buf_puts(list, id);
    }
    return 0;
}

/* The link's creation in the audit trail: by its hash's first 16 digits
 * (the token itself is never written), with whom and what it asks. */
static int link_audit(ctx *c, const store_survey *v, genu_err *err)
{
    genu_buf d = GENU_BUF_INIT;
    genu_jw w;
    char id[24];
    snprintf(id, sizeof id, "%.16s", v->token_hash);
    genu_jw_init(&w, &d);
    genu_jw_obj(&w);
    genu_jw_kstr(&w, "patient", v->patient);
    if (v->knee != GENU_KNEE_NONE)
        genu_jw_kstr(&w, "knee", v->knee == GENU_KNEE_LEFT ? "left" : "right");
    genu_jw_kstr(&w, "instruments", v->instruments);
    genu_jw_kint(&w, "expires_us", (long long)v->expires_us);
    genu_jw_end(&w);
    int rc = d.oom ? GENU_OOM(err)
                   : store_audit_event(c->store, "create", "survey_link", id, d.p, err);
    genu_buf_free(&d);
    return rc;
}

void survey_create(ctx *c)
{
    static const char *const fields[] = {"patient", "knee", "instruments", "timepoint",
                                         "expires_days", NULL};
    json_t *body = api_body_object(c);
    genu_buf list = GENU_BUF_INIT;
    genu_err err = {0};
    if (!body)
        return;
    if (api_known_fields(c, body, fields)) {
        json_decref(body);
        return;
    }
    store_survey v = {0};
    const char *patient = json_string_value(json_object_get(body, "patient"));
    json_t *kj = json_object_get(body, "knee"), *tj = json_object_get(body, "timepoint");
    json_t *ej = json_object_get(body, "expires_days");
    int64_t days = 14;
    timepoint tp;
    genu_record p;
    if (!patient) {
        ctx_error(c, 400, "bad_request", "patient", "field \"patient\": expected a string");
        goto out;
    }
    if (kj && !json_is_null(kj)) {
        const char *k = json_string_value(kj);
        v.knee = k && strcmp(k, "left") == 0 ? GENU_KNEE_LEFT
                 : k && strcmp(k, "right") == 0 ? GENU_KNEE_RIGHT : GENU_KNEE_NONE;
        if (v.knee == GENU_KNEE_NONE) {
            ctx_error(c, 400, "bad_request", "knee", "field \"knee\": expected left or right");
            goto out;
        }
    }
    if (tj && !json_is_null(tj)) {
        if (!json_is_string(tj) || timepoint_parse(json_string_value(tj), &tp, &err)) {
            ctx_error(c, 400, "bad_request", "timepoint",
                      "field \"timepoint\": expected a timepoint like 6w, 3m or 2y");
            goto out;
        }
        v.timepoint = json_string_value(tj);
    }
    if (ej && genu_json_int(ej, "expires_days", 1, 90, &days, &err)) {
        ctx_fail(c, &err);
        goto out;
    }
    if (instruments_arg(c, json_object_get(body, "instruments"), v.knee, &list))
        goto out;
    if (store_get(c->store, GENU_REC_PATIENT, patient, c->arena, &p, &err)) {
        if (err.code == GENU_ENOTFOUND)
            ctx_error(c, 422, "unknown_reference", "patient",
                      "field \"patient\": no patient \"%s\"", patient);
        else
            ctx_fail(c, &err);
        goto out;
    }
    if (!api_site_allowed(c, p.u.patient.site)) {
        ctx_error(c, 403, "forbidden", "patient", "patient \"%s\" belongs to a site outside yours",
                  patient);
        goto out;
    }
    char token[AUTH_TOKEN_LEN], hash[AUTH_HEX_LEN];
    auth_token_new(token);
    auth_sha256_hex(token, hash);
    v.token_hash = hash;
    v.patient = patient;
    v.instruments = list.p;
    v.created_us = c->now_us;
    v.expires_us = c->now_us + days * DAY_US;
    v.created_by = c->user.id;
    if (list.oom || store_survey_put(c->store, &v, &err) || link_audit(c, &v, &err)) {
        if (!err.code)
            GENU_OOM(&err);
        ctx_fail(c, &err);
        goto out;
    }
    char url[AUTH_TOKEN_LEN + 3];
    snprintf(url, sizeof url, "/s/%s", token);
    genu_jw w;
    ctx_json(c, 201);
    genu_jw_doc(&w, &c->out);
    genu_jw_kstr(&w, "url", url);
    genu_jw_kstr(&w, "patient", patient);
    genu_jw_key(&w, "instruments");
    genu_json_append(genu_jw_val(&w), json_object_get(body, "instruments"));
    genu_jw_kint(&w, "expires_us", (long long)v.expires_us);
    genu_jw_doc_end(&w);
out:
    genu_buf_free(&list);
    json_decref(body);
}

/* ---- the patient's pages ---- */

static void page(ctx *c, int status, const char *title, const char *text)
{
    c->status = status;
    c->ctype = "text/html; charset=utf-8";
    genu_buf_clear(&c->out);
    html_message(&c->out, title, text);
}

/* Finds the link of the path's token; when it cannot be answered the page
 * saying why is written and -1 returned. */
static int live_link(ctx *c, store_survey *v, const char **token)
{
    genu_err err = {0};
    char hash[AUTH_HEX_LEN];
    *token = genu_arena_strndup(c->arena, c->route.param[0].p, c->route.param[0].n);
    if (!*token || strlen(*token) != AUTH_TOKEN_LEN - 1) {
        page(c, 404, "Link not found",
             "This survey link is not valid. Please check it, or ask your clinic for a new one.");
        return -1;
    }
    auth_sha256_hex(*token, hash);
    int rc = store_survey_get(c->store, hash, c->arena, v, &err);
    if (rc == GENU_ENOTFOUND) {
        page(c, 404, "Link not found",
             "This survey link is not valid. Please check it, or ask your clinic for a new one.");
        return -1;
    }
    if (rc) {
        fprintf(stderr, "genu: serve: survey link: %s\n", err.msg);
        page(c, 500, "Something went wrong",
             "We could not open this survey just now. Please try again later.");
        return -1;
    }
    if (v->used_us) {
        page(c, 410, "Survey already answered",
             "This survey link has already been used. Thank you; there is nothing more to do.");
        return -1;
    }
    if (v->expires_us <= c->now_us) {
        page(c, 410, "Survey link expired",
             "This survey link has expired. Please ask your clinic for a new one.");
        return -1;
    }
    return 0;
}

/* One question: the validated text, then a radio per published label
 * (value = the item's code value) or a number box between its anchors. */
static void item_html(genu_buf *b, const genu_instrument *in, int item, const wording *w)
{
    const instr_item *it = &in->items[item];
    const wording_item *wi = &w->items[item];
    char name[96];
    snprintf(name, sizeof name, "%s.%s", in->id, it->code);
    if (wording_numeric(w, item)) {
        genu_buf_puts(b, "<p class=\"q\"><label>");
        genu_buf_html(b, wi->text);
        if (wi->help) {
            genu_buf_puts(b, "<br><small>");
            genu_buf_html(b, wi->help);
            genu_buf_puts(b, "</small>");
        }
        genu_buf_printf(b, "<br><span class=\"anchor\">%d = ", (int)it->lo);
        genu_buf_html(b, wi->low);
        genu_buf_printf(b, "; %d = ", (int)it->hi);
        genu_buf_html(b, wi->high);
        genu_buf_printf(b, "</span><br><input type=\"number\" inputmode=\"numeric\" min=\"%d\" "
                           "max=\"%d\" name=\"",
                        (int)it->lo, (int)it->hi);
        genu_buf_html(b, name);
        genu_buf_puts(b, "\"></label></p>\n");
        return;
    }
    genu_buf_puts(b, "<fieldset class=\"q\" role=\"radiogroup\"><legend>");
    genu_buf_html(b, wi->text);
    genu_buf_puts(b, "</legend>");
    if (wi->help) {
        genu_buf_puts(b, "<p class=\"help\">");
        genu_buf_html(b, wi->help);
        genu_buf_puts(b, "</p>");
    }
    genu_buf_puts(b, "<div class=\"opts\">");
    for (size_t i = 0; i < wi->nlabels; i++) {
        char val[16];
        if (it->kind == INSTR_BOOL)
            snprintf(val, sizeof val, "%s", i ? "false" : "true");
        else
            snprintf(val, sizeof val, "%d",
                     it->allowed ? (int)it->allowed[i] : (int)(it->lo + (int32_t)i));
        genu_buf_puts(b, "<label><input type=\"radio\" name=\"");
        genu_buf_html(b, name);
        genu_buf_printf(b, "\" value=\"%s\"> ", val);
        genu_buf_html(b, wi->labels[i]);
        genu_buf_puts(b, "</label>");
    }
    genu_buf_puts(b, "</div></fieldset>\n");
}

/* <open>text<close>, the text escaped; nothing when text is NULL. */
static void wrapped(genu_buf *b, const char *open, const char *text, const char *close)
{
    if (!text)
        return;
    genu_buf_puts(b, open);
    genu_buf_html(b, text);
    genu_buf_puts(b, close);
}

/* One instrument in its wording: title, instructions, recall, sections. */
static void instrument_html(genu_buf *b, const genu_instrument *in, const wording *w)
{
    wrapped(b, "<section><h2>", w->title, "</h2>\n");
    wrapped(b, "<p class=\"instructions\">", w->instructions, "</p>\n");
    wrapped(b, "<p class=\"recall\">Think of ", w->recall, ".</p>\n");
    for (size_t s = 0; s < w->nsections; s++) {
        const wording_section *sec = &w->sections[s];
        wrapped(b, "<h3>", sec->title, "</h3>\n");
        wrapped(b, "<p class=\"instructions\">", sec->instructions, "</p>\n");
        for (size_t i = 0; i < sec->n; i++)
            item_html(b, in, sec->items[i], w);
    }
    wrapped(b, "<p class=\"source\"><small>", w->source, "</small></p>");
    genu_buf_puts(b, "</section>\n");
}

static void form(ctx *c, int status, const store_survey *v, const char *token, const char *error)
{
    genu_buf *b = &c->out;
    c->status = status;
    c->ctype = "text/html; charset=utf-8";
    genu_buf_clear(b);
    html_begin(b, "Your follow-up survey");
    if (error) {
        genu_buf_puts(b, "<p class=\"error\" role=\"alert\">");
        genu_buf_html(b, error);
        genu_buf_puts(b, "</p>\n");
    }
    if (v->knee != GENU_KNEE_NONE)
        genu_buf_printf(b, "<p>Questions marked per knee are about your <strong>%s</strong> "
                           "knee.</p>\n",
                        v->knee == GENU_KNEE_LEFT ? "left" : "right");
    genu_buf_puts(b, "<form method=\"post\" action=\"/s/");
    genu_buf_html(b, token);
    genu_buf_puts(b, "\">\n");
    char *list = genu_arena_strdup(c->arena, v->instruments);
    const char *dir = wording_dir(c), *lang = patient_language(c, v->patient);
    if (!dir)
        return;
    for (char *save = NULL, *id = list ? strtok_r(list, ",", &save) : NULL; id;
         id = strtok_r(NULL, ",", &save)) {
        const genu_instrument *in = instrument_find(id);
        wording w;
        genu_err err = {0};
        if (!in)
            continue;
        if (wording_load(dir, in, lang, c->arena, &w, &err)) {
            /* the wording was removed since the link was made */
            fprintf(stderr, "genu: serve: survey: %s\n", err.msg);
            page(c, 503, "Survey not available",
                 "This survey cannot be shown just now. Please contact your clinic.");
            return;
        }
        instrument_html(b, in, &w);
    }
    genu_buf_puts(b, "<p>Nothing is saved until you press the button. Questions you skip are "
                     "left blank.</p>\n<p><button type=\"submit\">Send my answers</button></p>"
                     "</form>\n");
    html_end(b);
}

void survey_page(ctx *c)
{
    store_survey v;
    const char *token;
    if (live_link(c, &v, &token))
        return;
    form(c, 200, &v, token, NULL);
}

/* A strict integer: optional '-', 1..9 digits. */
static bool parse_int(const char *s, json_int_t *out)
{
    json_int_t x = 0;
    bool neg = *s == '-';
    size_t n = strlen(s + neg);
    if (n == 0 || n > 9)
        return false;
    for (const char *p = s + neg; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        x = x * 10 + (*p - '0');
    }
    *out = neg ? -x : x;
    return true;
}

/* The answers for each of the link's instruments as response records (JSON
 * Lines, docs/format.md); on bad input writes an error message into why. */
static int build_responses(ctx *c, const store_survey *v, char **keys, char **vals, size_t nf,
                           genu_record *recs, size_t *nrec, char *why, size_t whylen)
{
    char *list = genu_arena_strdup(c->arena, v->instruments);
    const genu_instrument *ins[MAX_INSTRUMENTS];
    json_t *items[MAX_INSTRUMENTS];
    size_t n = 0;
    int rc = -1;
    char today[GENU_DATE_STRLEN];
    genu_date_format(genu_date_today(), today);
    for (char *save = NULL, *id = list ? strtok_r(list, ",", &save) : NULL;
         id && n < MAX_INSTRUMENTS; id = strtok_r(NULL, ",", &save)) {
        if ((ins[n] = instrument_find(id)) != NULL)
            items[n++] = json_object();
    }
    for (size_t f = 0; f < nf; f++) {
        const char *dot = strchr(keys[f], '.');
        size_t i = 0;
        if (!*vals[f])
            continue; /* a question left unanswered */
        while (dot && i < n &&
               (strlen(ins[i]->id) != (size_t)(dot - keys[f]) ||
                strncmp(ins[i]->id, keys[f], (size_t)(dot - keys[f])) != 0))
            i++;
        int item = dot && i < n ? instrument_item(ins[i], dot + 1) : -1;
        if (item < 0) {
            snprintf(why, whylen, "The form sent an unknown question (%.60s).", keys[f]);
            goto out;
        }
        json_int_t x;
        json_t *val = NULL;
        if (ins[i]->items[item].kind == INSTR_BOOL && strcmp(vals[f], "true") == 0)
            val = json_true();
        else if (ins[i]->items[item].kind == INSTR_BOOL && strcmp(vals[f], "false") == 0)
            val = json_false();
        else if (ins[i]->items[item].kind != INSTR_BOOL && parse_int(vals[f], &x))
            val = json_integer(x);
        if (!val) {
            snprintf(why, whylen, "The answer to \"%.80s\" is not valid.",
                     ins[i]->items[item].label ? ins[i]->items[item].label : keys[f]);
            goto out;
        }
        json_object_set_new(items[i], ins[i]->items[item].code, val);
    }
    /* a questionnaire left wholly blank is not stored; at least one must
     * be answered */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        genu_err err = {0};
        if (json_object_size(items[i]) == 0)
            continue;
        json_t *line = json_pack("{s:s,s:s}", "type", "response", "patient", v->patient);
        if (ins[i]->level == INSTR_LEVEL_KNEE)
            json_object_set_new(line, "knee",
                                json_string(v->knee == GENU_KNEE_LEFT ? "left" : "right"));
        json_object_set_new(line, "date", json_string(today));
        json_object_set_new(line, "instrument", json_string(ins[i]->id));
        json_object_set(line, "items", items[i]);
        if (v->timepoint)
            json_object_set_new(line, "timepoint", json_string(v->timepoint));
        json_object_set_new(line, "source", json_string("survey_link"));
        genu_buf b = GENU_BUF_INIT;
        genu_json_append(&b, line);
        json_decref(line);
        int bad = b.oom || record_json_parse(b.p, b.len, c->arena, &recs[k++], &err);
        genu_buf_free(&b);
        if (bad) {
            snprintf(why, whylen, "Some answers are not valid: %.240s", err.msg);
            goto out;
        }
    }
    if (k == 0) {
        snprintf(why, whylen, "Please answer at least one question before sending.");
        goto out;
    }
    *nrec = k;
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        json_decref(items[i]);
    return rc;
}

/* The confirmation, then the patient's own scores over time for the link's
 * instruments (and knee): what they answered before and today. */
static void thanks(ctx *c, const store_survey *v)
{
    genu_err err = {0};
    genu_buf *b = &c->out;
    store_query q = {.patient = v->patient, .limit = 1000};
    genu_record *recs = NULL;
    size_t n = 0, total;
    c->status = 200;
    c->ctype = "text/html; charset=utf-8";
    genu_buf_clear(b);
    html_begin(b, "Thank you");
    genu_buf_puts(b, "<p role=\"status\">Your answers have been saved. Your clinic will see them "
                     "at your next visit.</p>\n");
    if (store_list(c->store, GENU_REC_RESPONSE, &q, c->arena, &recs, &n, &total, &err))
        n = 0; /* the answers are saved; the progress is a courtesy */
    genu_buf_puts(b, "<h2>Your progress</h2>\n");
    char *list = genu_arena_strdup(c->arena, v->instruments);
    for (char *save = NULL, *id = list ? strtok_r(list, ",", &save) : NULL; id;
         id = strtok_r(NULL, ",", &save)) {
        const genu_instrument *in = instrument_find(id);
        if (!in || in->nscores == 0)
            continue;
        genu_buf_puts(b, "<table><caption>");
        genu_buf_html(b, in->title);
        if (in->level == INSTR_LEVEL_KNEE && v->knee != GENU_KNEE_NONE)
            genu_buf_printf(b, ", %s knee", v->knee == GENU_KNEE_LEFT ? "left" : "right");
        genu_buf_puts(b, "</caption><thead><tr><th scope=\"col\">Date</th><th scope=\"col\">");
        genu_buf_html(b, in->score_keys[0]);
        genu_buf_puts(b, "</th></tr></thead><tbody>");
        for (size_t i = 0; i < n; i++) {
            const genu_record *r = &recs[i];
            const genu_response *x = &r->u.response;
            if (!x->instrument || strcmp(x->instrument, in->id) != 0 ||
                (in->level == INSTR_LEVEL_KNEE && r->knee != v->knee) || x->nscores == 0)
                continue;
            char date[GENU_DATE_STRLEN];
            genu_date_format(r->date, date);
            genu_buf_printf(b, "<tr><td>%s</td><td>", date);
            if (isnan(x->scores[0].value))
                genu_buf_puts(b, "not scored");
            else
                genu_buf_printf(b, "%.4g", x->scores[0].value);
            genu_buf_puts(b, "</td></tr>");
        }
        genu_buf_puts(b, "</tbody></table>\n");
    }
    genu_buf_puts(b, "<p>You can close this page now.</p>\n");
    html_end(b);
}

/* The submission as the writer runs it: spend the link (once: a second
 * submission racing on it gets GENU_ECONFLICT) and store the answers,
 * scored with the registry's options as they are inside the write (the
 * form was scored with the defaults). */
typedef struct submit_job {
    const char *token_hash;
    int64_t now_us;
    genu_record *recs;
    size_t nrec;
    store_survey v;    /* the link, for the page after */
    genu_arena *arena; /* the request's, for re-scored records */
    instr_opts opts;   /* what recs were scored with */
} submit_job;

static int submit_write(genu_store *s, void *arg, genu_err *err)
{
    submit_job *j = arg;
    if (store_survey_use(s, j->token_hash, j->now_us, err) ||
        settings_rescore_stale(s, &j->opts, j->recs, j->nrec, j->arena, err))
        return err->code;
    for (size_t i = 0; i < j->nrec; i++) {
        store_put_result res;
        if (store_put(s, &j->recs[i], &res, err))
            return err->code;
    }
    return GENU_OK;
}

/* The page once the write committed or failed. */
static void submitted(ctx *c, void *arg, int rc, genu_err *err)
{
    const submit_job *j = arg;
    if (rc == GENU_OK) {
        thanks(c, &j->v);
        return;
    }
    if (err->code == GENU_ECONFLICT) {
        page(c, 410, "Survey already answered",
             "This survey link has already been used. Thank you; there is nothing more to do.");
        return;
    }
    fprintf(stderr, "genu: serve: survey submit: %s\n", err->msg);
    page(c, 500, "Something went wrong",
         "Your answers could not be saved just now. Please try again in a few minutes.");
}

void survey_submit(ctx *c)
{
    store_survey v;
    const char *token;
    size_t nrec = 0;
    char why[300];
    if (live_link(c, &v, &token))
        return;
    /* what the write and the page after it use lives in the arena: the
     * server may answer after this function returned */
    submit_job *j = genu_arena_calloc(c->arena, 1, sizeof *j);
    genu_record *recs = genu_arena_calloc(c->arena, MAX_INSTRUMENTS, sizeof *recs);
    char *hash = genu_arena_alloc(c->arena, AUTH_HEX_LEN);
    char *body = genu_arena_strndup(c->arena, c->body ? c->body : "", c->body_len);
    char **keys = genu_arena_calloc(c->arena, MAX_FIELDS, sizeof *keys);
    char **vals = genu_arena_calloc(c->arena, MAX_FIELDS, sizeof *vals);
    if (!j || !recs || !hash || !body || !keys || !vals) {
        page(c, 500, "Something went wrong", "Please try again later.");
        return;
    }
    if (!ctx_utf8_valid(c->body ? c->body : "", c->body_len)) {
        form(c, 400, &v, token, "The form could not be read. Please try again.");
        return;
    }
    int nf = survey_form_parse(body, c->body_len, keys, vals, MAX_FIELDS);
    bool text_ok = nf >= 0;
    for (int i = 0; text_ok && i < nf; i++) /* %XX escapes may spell bad UTF-8 */
        text_ok = ctx_utf8_valid(keys[i], strlen(keys[i])) && ctx_utf8_valid(vals[i], strlen(vals[i]));
    if (!text_ok) {
        form(c, 400, &v, token, "The form could not be read. Please try again.");
        return;
    }
    if (build_responses(c, &v, keys, vals, (size_t)nf, recs, &nrec, why, sizeof why)) {
        form(c, 400, &v, token, why);
        return;
    }
    auth_sha256_hex(token, hash);
    const char *actor = genu_arena_printf(c->arena, "survey:%s", v.patient);
    *j = (submit_job){hash, c->now_us, recs, nrec, v, c->arena, instrument_opts_default};
    if (!actor) {
        genu_err err = {0};
        GENU_OOM(&err);
        submitted(c, j, err.code, &err);
        return;
    }
    api_write_then(c, actor, submit_write, j, submitted);
}

void survey_wording(ctx *c)
{
    const char *id = genu_arena_strndup(c->arena, c->route.param[0].p, c->route.param[0].n);
    const genu_instrument *in = id ? instrument_find(id) : NULL;
    const char *lang = ctx_query(c, "language"), *dir;
    wording w;
    genu_err err = {0};
    if (!in) {
        ctx_error(c, 404, "not_found", NULL, "no instrument \"%s\"", id ? id : "");
        return;
    }
    if (!(dir = wording_dir(c)))
        return;
    if (wording_load(dir, in, lang, c->arena, &w, &err)) {
        if (err.code == GENU_ENOTFOUND)
            ctx_error(c, 404, "no_wording", NULL, "%s", err.msg);
        else if (err.code == GENU_EINVAL && lang)
            ctx_error(c, 400, "bad_request", "language", "%s", err.msg);
        else
            ctx_fail(c, &err);
        return;
    }
    ctx_json(c, 200);
    wording_json(&c->out, &w);
}
