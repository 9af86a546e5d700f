/* cmd_score: `genu score INSTRUMENT` scores JSON Lines of {"items":{...}}
 * from stdin, one output line per input line, in order; `--list` describes
 * the instruments. Bad lines become {"line":N,"error":"..."} in place and
 * make the exit status 1; scoring goes on. Blank lines are bad lines too, so
 * output line N always answers input line N (docs/instruments.md). No
 * registry is read: WOMAC's missing-item thresholds are the defaults unless
 * --womac-max-missing names others. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/json.h"
#include "instruments/instrument.h"
#include "instruments/womac.h"
#include "io/items.h"
#include "io/scores.h"
#include "io/settings.h"
#include "io/wording.h"

#define FLUSH_AT (64u * 1024u)

static const char usage[] =
    "usage: genu score INSTRUMENT < responses.jsonl\n"
    "       genu score --list [--format text|json] [INSTRUMENT]\n\n"
    "Reads JSON Lines of {\"items\":{CODE:ANSWER,...}} on stdin and writes one line per\n"
    "input line, in order:\n"
    "  {\"instrument\":ID,\"version\":N,\"scores\":{...},\"notes\":[...]}\n"
    "A bad line (invalid JSON, no items object, unknown item, wrong type, out of\n"
    "range, blank) gives {\"line\":N,\"error\":\"...\"} in its place; scoring goes on\n"
    "and the exit status is 1. Null scores carry a note saying why.\n\n"
    "Options:\n"
    "  --list           the instruments, their items, answers, scores and wording\n"
    "                   (embedded, a file of wording.dir, or none installed)\n"
    "  --format FMT     text (default) or json, for --list\n"
    "  --womac-max-missing P,S,F\n"
    "                   WOMAC items that may be missing per subscale (pain of 5,\n"
    "                   stiffness of 2, function of 17) for womac, womac_nrs and\n"
    "                   koos's derived womac; default 1,0,3. No registry is read:\n"
    "                   to score as one does, pass its value,\n"
    "                   --womac-max-missing \"$(genu settings get womac.max_missing)\"\n"
    "                   A line they score otherwise than 1,0,3 would names them\n"
    "                   in \"scoring\" after \"version\".\n"
    "  -h, --help       this help\n\n"
    "Exit status: 0 every line scored, 1 some line bad, 2 usage error.\n";

static void known_list(genu_buf *b)
{
    for (size_t i = 0; i < instrument_count(); i++) {
        if (i)
            genu_buf_puts(b, ", ");
        genu_buf_puts(b, instrument_at(i)->id);
    }
}

static int unknown_instrument(const char *id)
{
    genu_buf b = GENU_BUF_INIT;
    known_list(&b);
    cli_error("unknown instrument \"%s\" (known: %s)", id, b.p ? b.p : "");
    genu_buf_free(&b);
    return CLI_EUSAGE;
}

/* "0-4", "true/false" or "5, 3, 0". */
static void answers_text(genu_buf *b, const instr_item *it)
{
    if (it->kind == INSTR_BOOL) {
        genu_buf_puts(b, "true/false");
        return;
    }
    if (!it->allowed) {
        genu_buf_printf(b, "%d to %d", (int)it->lo, (int)it->hi);
        return;
    }
    for (size_t k = 0; k < it->nallowed; k++)
        genu_buf_printf(b, "%s%d", k ? ", " : "", (int)it->allowed[k]);
}

/* The registry's wording.dir when the registry exists ("" otherwise): a
 * list describes the wording a survey would show. */
static const char *wording_dir(const cli_env *env, genu_arena *a)
{
    genu_store *s = NULL;
    genu_err err = {0};
    settings_value v = {"", "", false};
    if (store_open(env->db, false, &s, &err) == GENU_OK)
        settings_get(s, "wording.dir", a, &v, &err);
    store_close(s);
    return v.value && !err.code ? v.value : "";
}

static void list_text(genu_buf *b, const genu_instrument *in, const char *origin)
{
    genu_buf_printf(b, "%s (version %d, %s level): %s\n  source: %s\n  items:\n", in->id,
                    in->version, instrument_level_name(in->level), in->title, in->source);
    for (size_t i = 0; i < in->nitems; i++) {
        const instr_item *it = &in->items[i];
        size_t mark = b->len;
        genu_buf_printf(b, "    %-16s ", it->code);
        answers_text(b, it);
        while (b->len - mark < 44)
            genu_buf_putc(b, ' ');
        genu_buf_printf(b, " %s%s\n", it->label, it->scored ? "" : " (stored, not scored)");
    }
    genu_buf_puts(b, "  scores: ");
    for (size_t i = 0; i < in->nscores; i++)
        genu_buf_printf(b, "%s%s", i ? ", " : "", in->score_keys[i]);
    if (origin)
        genu_buf_printf(b, "\n  wording: %s\n", origin);
    else
        genu_buf_puts(b, "\n  wording: none installed; surveys cannot ask it (docs/instruments.md)\n");
}

static json_t *item_json(const instr_item *it)
{
    json_t *o = json_pack("{s:s,s:s}", "code", it->code, "type",
                          it->kind == INSTR_BOOL ? "boolean" : "integer");
    if (it->kind == INSTR_INT && it->allowed) {
        json_t *a = json_array();
        for (size_t k = 0; k < it->nallowed; k++)
            json_array_append_new(a, json_integer(it->allowed[k]));
        json_object_set_new(o, "allowed", a);
    } else if (it->kind == INSTR_INT) {
        json_object_set_new(o, "min", json_integer(it->lo));
        json_object_set_new(o, "max", json_integer(it->hi));
    }
    json_object_set_new(o, "scored", json_boolean(it->scored));
    json_object_set_new(o, "label", json_string(it->label));
    return o;
}

static json_t *instrument_json(const genu_instrument *in, const char *origin)
{
    json_t *items = json_array(), *scores = json_array();
    for (size_t i = 0; i < in->nitems; i++)
        json_array_append_new(items, item_json(&in->items[i]));
    for (size_t i = 0; i < in->nscores; i++)
        json_array_append_new(scores, json_string(in->score_keys[i]));
    return json_pack("{s:s,s:i,s:s,s:s,s:s,s:o,s:o,s:o}", "id", in->id, "version", in->version,
                     "level", instrument_level_name(in->level), "title", in->title, "source",
                     in->source, "items", items, "scores", scores, "wording",
                     origin ? json_string(origin) : json_null());
}

static int list(const char *format, const char *only, const cli_env *env)
{
    const genu_instrument *one = NULL;
    if (only && !(one = instrument_find(only)))
        return unknown_instrument(only);
    bool json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "text") != 0) {
        cli_error("--format: expected text or json, got \"%s\"", format);
        return CLI_EUSAGE;
    }
    genu_buf b = GENU_BUF_INIT;
    json_t *arr = json_array();
    genu_arena *a = genu_arena_create();
    const char *dir = a ? wording_dir(env, a) : "";
    for (size_t i = 0; a && i < instrument_count(); i++) {
        const genu_instrument *in = instrument_at(i);
        const char *origin = NULL;
        if (one && in != one)
            continue;
        if (!wording_available(dir, in, a, &origin))
            origin = NULL;
        if (json)
            json_array_append_new(arr, instrument_json(in, origin));
        else
            list_text(&b, in, origin);
    }
    genu_arena_destroy(a);
    if (json) {
        json_t *doc = json_pack("{s:o}", "instruments", arr);
        genu_json_append(&b, doc);
        genu_buf_putc(&b, '\n');
        json_decref(doc);
    } else {
        json_decref(arr);
    }
    int rc = CLI_OK;
    if (b.oom || fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout)) {
        cli_error("cannot write the list to stdout");
        rc = CLI_ESTORE;
    }
    genu_buf_free(&b);
    return rc;
}

static void bad_line(genu_buf *out, size_t lineno, const char *msg)
{
    genu_jw w;
    genu_jw_doc(&w, out);
    genu_jw_ksize(&w, "line", lineno);
    genu_jw_kstr(&w, "error", msg);
    genu_jw_doc_end(&w);
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* "scoring":{"womac_max_missing":[P,S,F]} when opts gave other scores than
 * the defaults would (as a stored response's doc has it). */
static void put_scoring(genu_jw *w, const genu_instrument *in, const instr_answer ans[],
                        const instr_opts *opts, const instr_result *res)
{
    if (!instrument_opts_matter(in, ans, opts, res))
        return;
    genu_jw_kobj(w, "scoring");
    genu_jw_karr(w, "womac_max_missing");
    genu_jw_int(w, opts->womac_max_missing.pain);
    genu_jw_int(w, opts->womac_max_missing.stiffness);
    genu_jw_int(w, opts->womac_max_missing.function);
    genu_jw_end(w);
    genu_jw_end(w);
}

/* Scores one line into out; returns GENU_OK or an error in err. */
static int score_line(const genu_instrument *in, const instr_opts *opts, const char *s, size_t n,
                      genu_buf *out, genu_err *err)
{
    if (blank(s, n))
        return GENU_FAIL(err, GENU_EINVAL, "blank line: expected {\"items\":{...}}");
    json_t *doc = genu_json_parse_object(s, n, err);
    if (!doc)
        return err->code;
    instr_answer ans[INSTR_MAX_ITEMS];
    const json_t *id = json_object_get(doc, "instrument");
    const json_t *items = json_object_get(doc, "items");
    if (id && !(json_is_string(id) && strcmp(json_string_value(id), in->id) == 0))
        GENU_FAIL(err, GENU_EINVAL, "instrument: this line is for %s%s%s, not %s",
                  json_is_string(id) ? "\"" : "a ",
                  json_is_string(id) ? json_string_value(id) : genu_json_kind(id),
                  json_is_string(id) ? "\"" : "", in->id);
    else if (!items)
        GENU_FAIL(err, GENU_EINVAL, "items: required, the object of answers");
    else
        items_from_json(in, items, ans, err);
    json_decref(doc);
    if (err->code)
        return err->code;
    instr_result res;
    instrument_score_with(in, ans, opts, &res);
    genu_jw w;
    genu_jw_doc(&w, out);
    genu_jw_kstr(&w, "instrument", in->id);
    genu_jw_kint(&w, "version", in->version);
    put_scoring(&w, in, ans, opts, &res);
    genu_jw_key(&w, "scores");
    scores_append_json(genu_jw_val(&w), res.scores, res.nscores);
    genu_jw_key(&w, "notes");
    scores_append_notes(genu_jw_val(&w), &res);
    genu_jw_doc_end(&w);
    return GENU_OK;
}

static int flush(genu_buf *out)
{
    if (out->oom || (out->len && fwrite(out->p, 1, out->len, stdout) != out->len))
        return -1;
    genu_buf_clear(out);
    return 0;
}

static int score_stream(const genu_instrument *in, const instr_opts *opts)
{
    genu_buf out = GENU_BUF_INIT;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t got;
    bool bad = false, io_fail = false;
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        size_t n = (size_t)got;
        lineno++;
        if (n && line[n - 1] == '\n')
            n--;
        if (n && line[n - 1] == '\r')
            n--;
        genu_err err = {0};
        if (score_line(in, opts, line, n, &out, &err)) {
            bad = true;
            bad_line(&out, lineno, err.msg);
        }
        if (out.len >= FLUSH_AT && flush(&out)) {
            io_fail = true;
            break;
        }
    }
    if (!io_fail && ferror(stdin)) {
        cli_error("cannot read stdin after line %zu", lineno);
        io_fail = true;
    } else if (flush(&out) || fflush(stdout)) {
        cli_error("cannot write to stdout");
        io_fail = true;
    }
    free(line);
    genu_buf_free(&out);
    return io_fail ? CLI_ESTORE : bad ? CLI_EFAIL : CLI_OK;
}

static int womac_opt(const char *v, instr_opts *opts)
{
    genu_err err = {0};
    if (womac_max_missing_parse(v, opts, &err) == GENU_OK)
        return CLI_OK;
    cli_error("--womac-max-missing: %s", err.msg);
    return CLI_EUSAGE;
}

int cmd_score(int argc, char **argv, const cli_env *env)
{
    (void)env;
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    const char *format = NULL, *id = NULL;
    bool want_list = false;
    instr_opts opts = instrument_opts_default;
    for (int i = 1; i < argc;) {
        const char *v;
        int r = cli_opt(argc, argv, &i, "--format", &v);
        if (r > 0)
            format = v;
        if (!r && (r = cli_opt(argc, argv, &i, "--womac-max-missing", &v)) > 0 &&
            womac_opt(v, &opts))
            return CLI_EUSAGE;
        if (r < 0)
            return CLI_EUSAGE;
        if (r > 0)
            continue;
        if (strcmp(argv[i], "--list") == 0) {
            want_list = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            cli_error("unknown option %s (see genu score --help)", argv[i]);
            return CLI_EUSAGE;
        } else if (id) {
            cli_error("one instrument at a time (got \"%s\" and \"%s\")", id, argv[i]);
            return CLI_EUSAGE;
        } else {
            id = argv[i];
        }
        i++;
    }
    if (want_list)
        return list(format ? format : "text", id, env);
    if (format) {
        cli_error("--format applies to --list; scores are always JSON Lines");
        return CLI_EUSAGE;
    }
    if (!id) {
        genu_buf b = GENU_BUF_INIT;
        known_list(&b);
        cli_error("which instrument? genu score INSTRUMENT (known: %s)", b.p ? b.p : "");
        genu_buf_free(&b);
        return CLI_EUSAGE;
    }
    const genu_instrument *in = instrument_find(id);
    if (!in)
        return unknown_instrument(id);
    return score_stream(in, &opts);
}
