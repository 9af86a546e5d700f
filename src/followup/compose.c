/* compose: filling the message templates. */
#include "followup/compose.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "io/datafiles.h"

/* The template of lang: the wording directory's file, else the embedded
 * one, else English. */
static json_t *template_load(const char *dir, const char *lang, genu_err *err)
{
    const char *langs[] = {lang && *lang ? lang : "en", "en"};
    for (int i = 0; i < 2; i++) {
        char name[64];
        json_error_t je;
        if (strlen(langs[i]) > 16 || strchr(langs[i], '/') || strchr(langs[i], '.'))
            continue;
        snprintf(name, sizeof name, "followup.%s.json", langs[i]);
        if (dir && *dir) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, name);
            if (access(path, F_OK) == 0) { /* the clinic's file: it must parse */
                json_t *t = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
                if (t && json_is_object(t))
                    return t;
                json_decref(t);
                GENU_FAIL(err, GENU_EINVAL, "%s:%d: %s", path, je.line,
                          t ? "expected an object" : je.text);
                return NULL;
            }
        }
        size_t n;
        const data_file *f = data_files(&n);
        snprintf(name, sizeof name, "templates/followup.%s.json", langs[i]);
        for (size_t k = 0; k < n; k++)
            if (strcmp(f[k].path, name) == 0) {
                json_t *t = json_loadb((const char *)f[k].data, f[k].len, 0, &je);
                if (t && json_is_object(t))
                    return t;
                json_decref(t);
                GENU_FAIL(err, GENU_EINVAL, "%s:%d: %s", name, je.line, je.text);
                return NULL;
            }
    }
    GENU_FAIL(err, GENU_EINVAL, "no message template followup.en.json");
    return NULL;
}

/* t[key] or t[key][sub] as a string; "" when absent. */
static const char *tget(json_t *t, const char *key, const char *sub)
{
    json_t *v = json_object_get(t, key);
    if (sub)
        v = json_object_get(v, sub);
    const char *s = json_string_value(v);
    return s ? s : "";
}

static void html_text(genu_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': genu_buf_puts(b, "&amp;"); break;
        case '<': genu_buf_puts(b, "&lt;"); break;
        case '>': genu_buf_puts(b, "&gt;"); break;
        case '"': genu_buf_puts(b, "&quot;"); break;
        case '\'': genu_buf_puts(b, "&#39;"); break;
        case '\n': genu_buf_puts(b, "<br>"); break;
        default: genu_buf_putc(b, *s);
        }
    }
}

/* Appends s with {name} replaced by vals[i] for names[i]; html escapes
 * the template's own text and the values. */
static void fill(genu_buf *b, const char *s, const char *const *names, const char *const *vals,
                 size_t n, bool html)
{
    while (*s) {
        const char *open = strchr(s, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        size_t i = 0;
        if (open && close)
            while (i < n && (strlen(names[i]) != (size_t)(close - open - 1) ||
                             strncmp(names[i], open + 1, (size_t)(close - open - 1)) != 0))
                i++;
        const char *upto = open && close && i < n ? open : s + strlen(s);
        char *piece = strndup(s, (size_t)(upto - s));
        if (piece) {
            if (html)
                html_text(b, piece);
            else
                genu_buf_puts(b, piece);
            free(piece);
        }
        if (upto == open) {
            if (html)
                html_text(b, vals[i]);
            else
                genu_buf_puts(b, vals[i]);
            s = close + 1;
        } else {
            s = upto;
        }
    }
}

/* The template's word for a link's knee: link.left, link.right, link.none. */
static const char *knee_key(genu_knee k)
{
    return k == GENU_KNEE_LEFT ? "left" : k == GENU_KNEE_RIGHT ? "right" : "none";
}

static const char *done(genu_buf *b, genu_arena *a)
{
    const char *s = b->oom ? NULL : genu_arena_strdup(a, b->p ? b->p : "");
    genu_buf_free(b);
    return s;
}

int compose_message(const char *dir, const char *lang, int kind, const char *clinic,
                    const compose_link *links, size_t nlinks, const char *unsubscribe_url,
                    genu_arena *a, composed *out, genu_err *err)
{
    json_t *t = template_load(dir, lang, err);
    if (!t)
        return err->code;
    const char *k = kind == MSG_REMINDER ? "reminder" : "invitation";
    const char *who = clinic && *clinic ? clinic : tget(t, "clinic", NULL);
    const char *names[] = {"clinic", "date", "links", "unsubscribe"};
    genu_buf subj = GENU_BUF_INIT, txt = GENU_BUF_INIT, html = GENU_BUF_INIT, sms = GENU_BUF_INIT,
             list = GENU_BUF_INIT;
    const char *until = nlinks ? links[0].until : "";
    for (size_t i = 1; i < nlinks; i++)
        if (strcmp(links[i].until, until) < 0)
            until = links[i].until;
    const char *vals[] = {who, until, "", unsubscribe_url ? unsubscribe_url : ""};
    fill(&subj, tget(t, "subject", k), names, vals, 2, false);
    /* the plain text */
    genu_buf_printf(&txt, "%s\n\n", tget(t, "greeting", NULL));
    fill(&txt, tget(t, "intro", k), names, vals, 2, false);
    genu_buf_puts(&txt, "\n\n");
    for (size_t i = 0; i < nlinks; i++) {
        genu_buf_printf(&txt, "%s:\n%s\n\n", tget(t, "link", knee_key(links[i].knee)),
                        links[i].url);
        genu_buf_printf(&list, "%s%s", i ? " " : "", links[i].url);
    }
    fill(&txt, tget(t, "until", NULL), names, vals, 2, false);
    genu_buf_printf(&txt, "\n\n%s\n%s\n", tget(t, "closing", NULL), who);
    if (unsubscribe_url)
        genu_buf_printf(&txt, "\n%s\n%s\n", tget(t, "unsubscribe", NULL), unsubscribe_url);
    /* the HTML alternative: the same words */
    genu_buf_puts(&html, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><p>");
    html_text(&html, tget(t, "greeting", NULL));
    genu_buf_puts(&html, "</p><p>");
    fill(&html, tget(t, "intro", k), names, vals, 2, true);
    genu_buf_puts(&html, "</p>");
    for (size_t i = 0; i < nlinks; i++) {
        genu_buf_puts(&html, "<p><a href=\"");
        html_text(&html, links[i].url);
        genu_buf_puts(&html, "\">");
        html_text(&html, tget(t, "link", knee_key(links[i].knee)));
        genu_buf_puts(&html, "</a></p>");
    }
    genu_buf_puts(&html, "<p>");
    fill(&html, tget(t, "until", NULL), names, vals, 2, true);
    genu_buf_puts(&html, "</p><p>");
    html_text(&html, tget(t, "closing", NULL));
    genu_buf_puts(&html, "<br>");
    html_text(&html, who);
    genu_buf_puts(&html, "</p>");
    if (unsubscribe_url) {
        genu_buf_puts(&html, "<p><small>");
        html_text(&html, tget(t, "unsubscribe", NULL));
        genu_buf_puts(&html, " <a href=\"");
        html_text(&html, unsubscribe_url);
        genu_buf_puts(&html, "\">");
        html_text(&html, tget(t, "unsubscribe_link", NULL));
        genu_buf_puts(&html, "</a></small></p>");
    }
    genu_buf_puts(&html, "</body></html>\n");
    vals[2] = list.p ? list.p : "";
    fill(&sms, tget(t, "sms", k), names, vals, 4, false);
    out->subject = done(&subj, a);
    out->text = done(&txt, a);
    out->html = done(&html, a);
    out->sms = done(&sms, a);
    genu_buf_free(&list);
    json_decref(t);
    if (!out->subject || !out->text || !out->html || !out->sms)
        return GENU_OOM(err);
    return GENU_OK;
}
