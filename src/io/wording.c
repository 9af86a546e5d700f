/* wording: loading and checking instrument wording files. */
#include "io/wording.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "io/datafiles.h"

#define WORDING_MAX_FILE (1 << 20)

typedef struct wp {
    const genu_instrument *in;
    const char *origin;
    genu_arena *a;
    genu_err *err;
} wp;

static int fail(wp *p, const char *field, const char *what)
{
    return GENU_FAIL(p->err, GENU_EINVAL, "%s: %s: %s", p->origin, field, what);
}

/* A string member; NULL when absent or null and optional. */
static int text(wp *p, json_t *o, const char *key, const char *path, bool required,
                const char **out)
{
    json_t *v = json_object_get(o, key);
    char field[128];
    *out = NULL;
    snprintf(field, sizeof field, "%s%s", path, key);
    if (!v || json_is_null(v))
        return required ? fail(p, field, "required") : GENU_OK;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(p, field, "expected a non-empty string");
    if (!(*out = genu_arena_strdup(p->a, json_string_value(v))))
        return GENU_OOM(p->err);
    return GENU_OK;
}

/* How many labels item it takes: 2 for BOOL, the allowed list's length,
 * or hi - lo + 1. */
static size_t answers(const instr_item *it)
{
    if (it->kind == INSTR_BOOL)
        return 2;
    return it->allowed ? it->nallowed : (size_t)(it->hi - it->lo + 1);
}

static int item(wp *p, const instr_item *it, json_t *o, wording_item *out)
{
    char path[96], field[128];
    snprintf(path, sizeof path, "items.%s.", it->code);
    if (!json_is_object(o))
        return fail(p, path, "expected an object");
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (strcmp(k, "text") && strcmp(k, "help") && strcmp(k, "labels") && strcmp(k, "anchors")) {
            snprintf(field, sizeof field, "%s%s", path, k);
            return fail(p, field, "unknown member (expected text, help, labels, anchors)");
        }
    }
    if (text(p, o, "text", path, true, &out->text) || text(p, o, "help", path, false, &out->help))
        return p->err->code;
    json_t *labels = json_object_get(o, "labels"), *anchors = json_object_get(o, "anchors");
    size_t want = answers(it);
    snprintf(field, sizeof field, "%slabels", path);
    if (labels && anchors)
        return fail(p, field, "give labels or anchors, not both");
    if (anchors) {
        snprintf(field, sizeof field, "%sanchors", path);
        if (it->kind == INSTR_BOOL || it->allowed || want <= 11)
            return fail(p, field, "a choice of few answers needs one label per answer");
        if (!json_is_object(anchors) || json_object_size(anchors) != 2)
            return fail(p, field, "expected {\"low\": ..., \"high\": ...}");
        snprintf(path + strlen(path), sizeof path - strlen(path), "anchors.");
        return text(p, anchors, "low", path, true, &out->low) ||
                       text(p, anchors, "high", path, true, &out->high)
                   ? p->err->code
                   : GENU_OK;
    }
    if (!labels || !json_is_array(labels)) {
        if (want > 11)
            return fail(p, field, "expected labels, or anchors for a typed number");
        return fail(p, field, "expected an array of labels");
    }
    if (json_array_size(labels) != want) {
        char what[128];
        if (it->kind == INSTR_BOOL)
            snprintf(what, sizeof what, "%zu labels for a yes/no item (true, then false)",
                     json_array_size(labels));
        else if (it->allowed)
            snprintf(what, sizeof what, "%zu labels for %zu allowed answers",
                     json_array_size(labels), want);
        else
            snprintf(what, sizeof what, "%zu labels for %zu answers (%d to %d)",
                     json_array_size(labels), want, (int)it->lo, (int)it->hi);
        return fail(p, field, what);
    }
    out->labels = genu_arena_calloc(p->a, want, sizeof *out->labels);
    if (!out->labels)
        return GENU_OOM(p->err);
    for (size_t i = 0; i < want; i++) {
        json_t *l = json_array_get(labels, i);
        snprintf(field, sizeof field, "%slabels[%zu]", path, i);
        if (!json_is_string(l) || json_string_length(l) == 0)
            return fail(p, field, "expected a non-empty string");
        if (!(out->labels[i] = genu_arena_strdup(p->a, json_string_value(l))))
            return GENU_OOM(p->err);
    }
    out->nlabels = want;
    return GENU_OK;
}

static int sections(wp *p, json_t *arr, wording *w)
{
    const genu_instrument *in = p->in;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(p, "sections", "expected an array of sections");
    size_t n = json_array_size(arr);
    wording_section *s = genu_arena_calloc(p->a, n, sizeof *s);
    unsigned char *placed = genu_arena_calloc(p->a, in->nitems + 1, 1);
    if (!s || !placed)
        return GENU_OOM(p->err);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        char path[48], field[64];
        snprintf(path, sizeof path, "sections[%zu].", i);
        snprintf(field, sizeof field, "%sitems", path);
        if (!json_is_object(o))
            return fail(p, path, "expected an object");
        if (text(p, o, "title", path, false, &s[i].title) ||
            text(p, o, "instructions", path, false, &s[i].instructions))
            return p->err->code;
        json_t *items = json_object_get(o, "items");
        if (!json_is_array(items) || json_array_size(items) == 0)
            return fail(p, field, "expected an array of item codes");
        int *idx = genu_arena_calloc(p->a, json_array_size(items), sizeof *idx);
        if (!idx)
            return GENU_OOM(p->err);
        for (size_t k = 0; k < json_array_size(items); k++) {
            const char *code = json_string_value(json_array_get(items, k));
            int x = code ? instrument_item(in, code) : -1;
            char what[96];
            if (x < 0) {
                snprintf(what, sizeof what, "\"%.40s\" is not an item of %s", code ? code : "?",
                         in->id);
                return fail(p, field, what);
            }
            if (placed[x]) {
                snprintf(what, sizeof what, "%s is placed in two sections", code);
                return fail(p, field, what);
            }
            placed[x] = 1;
            idx[k] = x;
        }
        s[i].n = json_array_size(items);
        s[i].items = idx;
    }
    for (size_t x = 0; x < in->nitems; x++)
        if (!placed[x]) {
            char what[96];
            snprintf(what, sizeof what, "item %s is in no section", in->items[x].code);
            return fail(p, "sections", what);
        }
    w->nsections = n;
    w->sections = s;
    return GENU_OK;
}

static int parse_root(wp *p, json_t *root, wording *w)
{
    static const char *const members[] = {"instrument", "language", "title",   "version",
                                          "recall",     "instructions", "source", "terms",
                                          "reproduction", "sections", "items", NULL};
    const genu_instrument *in = p->in;
    const char *k, *id, *repro;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        size_t i = 0;
        while (members[i] && strcmp(members[i], k))
            i++;
        if (!members[i])
            return fail(p, k, "unknown member");
    }
    if (text(p, root, "instrument", "", true, &id) ||
        text(p, root, "language", "", true, &w->language) ||
        text(p, root, "title", "", true, &w->title) ||
        text(p, root, "version", "", false, &w->version) ||
        text(p, root, "recall", "", false, &w->recall) ||
        text(p, root, "instructions", "", false, &w->instructions) ||
        text(p, root, "source", "", true, &w->source) ||
        text(p, root, "terms", "", true, &w->terms) ||
        text(p, root, "reproduction", "", true, &repro))
        return p->err->code;
    if (strcmp(id, in->id) != 0)
        return fail(p, "instrument", "names another instrument than the file's");
    if (strcmp(repro, "free") && strcmp(repro, "licensed"))
        return fail(p, "reproduction", "expected free or licensed");
    json_t *items = json_object_get(root, "items");
    if (!json_is_object(items))
        return fail(p, "items", "expected an object of item codes");
    json_object_foreach(items, k, v)
    {
        if (instrument_item(in, k) < 0) {
            char what[96];
            snprintf(what, sizeof what, "\"%.40s\" is not an item of %s", k, in->id);
            return fail(p, "items", what);
        }
    }
    wording_item *wi = genu_arena_calloc(p->a, in->nitems + 1, sizeof *wi);
    if (!wi)
        return GENU_OOM(p->err);
    for (size_t i = 0; i < in->nitems; i++) {
        json_t *o = json_object_get(items, in->items[i].code);
        if (!o) {
            char field[64];
            snprintf(field, sizeof field, "items.%s", in->items[i].code);
            return fail(p, field, "required: every item of the instrument is worded");
        }
        if (item(p, &in->items[i], o, &wi[i]))
            return p->err->code;
    }
    w->items = wi;
    return sections(p, json_object_get(root, "sections"), w);
}

int wording_parse(const genu_instrument *in, const char *text_, size_t len, const char *origin,
                  genu_arena *a, wording *out, genu_err *err)
{
    json_error_t je;
    wp p = {in, origin, a, err};
    json_t *root = json_loadb(text_, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return GENU_FAIL(err, GENU_EINVAL, "%s:%d: %s", origin, je.line, je.text);
    wording w = {0};
    w.in = in;
    int rc = json_is_object(root) ? parse_root(&p, root, &w)
                                  : fail(&p, "(top)", "expected an object");
    json_decref(root);
    if (rc)
        return rc;
    if (!(w.origin = genu_arena_strdup(a, origin)))
        return GENU_OOM(err);
    *out = w;
    return GENU_OK;
}

static int load_one(const char *dir, const genu_instrument *in, const char *lang, genu_arena *a,
                    wording *out, genu_err *err)
{
    char name[96];
    snprintf(name, sizeof name, "%s.%s.json", in->id, lang);
    if (dir && *dir) {
        char *path = genu_arena_printf(a, "%s/%s", dir, name), *t = NULL;
        size_t len = 0;
        if (!path)
            return GENU_OOM(err);
        int rc = genu_arena_read_file(a, path, WORDING_MAX_FILE, true, &t, &len, err);
        if (rc != GENU_ENOTFOUND)
            return rc ? rc : wording_parse(in, t, len, path, a, out, err);
    }
    size_t n;
    const data_file *f = data_files(&n);
    char rel[128];
    snprintf(rel, sizeof rel, "instruments/%s", name);
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].path, rel) == 0) {
            int rc = wording_parse(in, (const char *)f[i].data, f[i].len, name, a, out, err);
            if (!rc)
                out->origin = "embedded";
            return rc;
        }
    return GENU_ENOTFOUND;
}

int wording_load(const char *dir, const genu_instrument *in, const char *lang, genu_arena *a,
                 wording *out, genu_err *err)
{
    if (!lang || !*lang)
        lang = "en";
    for (const char *p = lang; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '-') || p - lang > 15)
            return GENU_FAIL(err, GENU_EINVAL, "language \"%.20s\": expected a tag such as en",
                             lang);
    int rc = load_one(dir, in, lang, a, out, err);
    if (rc == GENU_ENOTFOUND && strcmp(lang, "en") != 0)
        rc = load_one(dir, in, "en", a, out, err);
    if (rc == GENU_ENOTFOUND)
        return GENU_FAIL(err, GENU_ENOTFOUND,
                         "no wording of %s is installed: a patient can only answer an "
                         "instrument's validated wording (install %s.en.json into the "
                         "directory of the setting wording.dir; docs/instruments.md)",
                         in->id, in->id);
    return rc;
}

bool wording_available(const char *dir, const genu_instrument *in, genu_arena *a,
                       const char **origin)
{
    wording w;
    genu_err err = {0};
    if (wording_load(dir, in, "en", a, &w, &err))
        return false;
    if (origin)
        *origin = w.origin;
    return true;
}

bool wording_numeric(const wording *w, int item)
{
    return w->items[item].nlabels == 0;
}

void wording_json(genu_buf *b, const wording *w)
{
    const genu_instrument *in = w->in;
    genu_jw j;
    genu_jw_doc(&j, b);
    const char *const head[][2] = {
        {"instrument", in->id},  {"language", w->language}, {"title", w->title},
        {"version", w->version}, {"recall", w->recall},     {"instructions", w->instructions},
        {"source", w->source},   {"terms", w->terms},       {"origin", w->origin},
    };
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        genu_jw_kstr(&j, head[i][0], head[i][1]);
    genu_jw_karr(&j, "sections");
    for (size_t s = 0; s < w->nsections; s++) {
        const wording_section *sec = &w->sections[s];
        genu_jw_obj(&j);
        genu_jw_kstr(&j, "title", sec->title);
        genu_jw_kstr(&j, "instructions", sec->instructions);
        genu_jw_karr(&j, "items");
        for (size_t i = 0; i < sec->n; i++)
            genu_jw_str(&j, in->items[sec->items[i]].code);
        genu_jw_end(&j);
        genu_jw_end(&j);
    }
    genu_jw_end(&j);
    genu_jw_kobj(&j, "items");
    for (size_t i = 0; i < in->nitems; i++) {
        const wording_item *it = &w->items[i];
        genu_jw_kobj(&j, in->items[i].code);
        genu_jw_kstr(&j, "text", it->text);
        if (it->help)
            genu_jw_kstr(&j, "help", it->help);
        if (it->nlabels) {
            genu_jw_karr(&j, "labels");
            for (size_t k = 0; k < it->nlabels; k++)
                genu_jw_str(&j, it->labels[k]);
            genu_jw_end(&j);
        } else {
            genu_jw_kobj(&j, "anchors");
            genu_jw_kstr(&j, "low", it->low);
            genu_jw_kstr(&j, "high", it->high);
            genu_jw_end(&j);
        }
        genu_jw_end(&j);
    }
    genu_jw_end(&j);
    genu_jw_doc_end(&j);
}
