/* fuzz_rules: libFuzzer target for the advice rules file parser
 * (advice/rules.h rules_parse), as `genu advise --rules FILE` reads a
 * clinic's file. The input is the file's text, parsed from an exact-size
 * heap copy (no NUL after it), so a read past n bytes is caught.
 *
 * Invariants:
 * - an error has a code and a message naming the file ("NAME:LINE: ...");
 * - GENU_OK gives rules with ids, conditions and messages, each rule on a
 *   line of the file; the similar-knee settings are in range;
 * - every parsed rule evaluates (rules_eval) over three sets of facts
 *   (all unknown; all known and "true", 1 or their first allowed value;
 *   all known and "false", 0 or their last allowed value) without fault,
 *   cites only catalogue facts, and its message (rules_message) is text. */
#define FUZZ_NAME "fuzz_rules"
#include "fuzz_common.h"

#include "advice/facts.h"
#include "advice/rules.h"
#include "core/arena.h"
#include "core/date.h"

/* The first or last word of a space-separated list, in the arena. */
static const char *word(const char *list, bool last, genu_arena *a)
{
    if (!list)
        return last ? "" : "x";
    const char *s = list, *e;
    if (last) {
        const char *sp = strrchr(list, ' ');
        s = sp ? sp + 1 : list;
    }
    e = strchr(s, ' ');
    return genu_arena_strndup(a, s, e ? (size_t)(e - s) : strlen(s));
}

static void make_facts(facts *f, int mode, genu_arena *a)
{
    size_t n = facts_count();
    memset(f, 0, sizeof *f);
    f->patient = "CH1";
    f->knee = GENU_KNEE_LEFT;
    f->as_of = 20000;
    f->v = genu_arena_calloc(a, n, sizeof *f->v);
    if (!f->v)
        die("out of memory", NULL);
    for (size_t i = 0; i < n; i++) {
        facts_value *v = &f->v[i];
        v->date = GENU_DATE_NONE;
        if (mode == 0)
            continue;
        const facts_def *d = facts_at(i);
        v->known = true;
        v->b = mode == 1;
        v->d = mode == 1 ? 1.0 : 0.0;
        v->s = d->type == FACTS_STR ? word(d->values, mode == 2, a) : NULL;
        if (d->type == FACTS_STR && !v->s)
            die("out of memory", NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size, false);
    genu_arena *a = genu_arena_create();
    if (!a)
        die("out of memory", NULL);
    rules rs;
    genu_err err = {0};
    int rc = rules_parse(text, size, "fuzz.rules", a, &rs, &err);
    fuzz_say("%s", rc ? err.msg : "parsed");
    if (rc != GENU_OK) {
        if (err.code != rc || strncmp(err.msg, "fuzz.rules:", 11) != 0)
            die("an error without its code or the file's name", err.msg);
    } else {
        size_t nf = facts_count();
        if (rs.similar.min < 1 || rs.similar.at.nominal < 1)
            die("similar-knee settings out of range", NULL);
        int *used = malloc(nf * sizeof *used);
        if (!used)
            die("out of memory", NULL);
        facts f[3];
        for (int m = 0; m < 3; m++)
            make_facts(&f[m], m, a);
        for (size_t i = 0; i < rs.n; i++) {
            const rules_rule *r = &rs.rule[i];
            if (!r->id || !r->id[0] || !r->cond || !r->msg || !r->message || !r->when ||
                !r->source || r->line < 1 || (size_t)r->line > size + 1 ||
                (unsigned)r->level > RULES_URGENT)
                die("a parsed rule without its parts", r->id);
            for (int m = 0; m < 3; m++) {
                bool fired = false;
                size_t nused = 0;
                rules_eval(r, &f[m], &fired, used, &nused);
                if (nused > nf)
                    die("rules_eval used more facts than the catalogue has", r->id);
                for (size_t k = 0; k < nused; k++)
                    if (used[k] < 0 || (size_t)used[k] >= nf)
                        die("rules_eval cited a fact outside the catalogue", r->id);
                const char *msg = rules_message(r, &f[m], a);
                if (!msg)
                    die("rules_message returned NULL", r->id);
            }
        }
        free(used);
    }
    genu_arena_destroy(a);
    free(text);
    return 0;
}
