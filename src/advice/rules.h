/* rules: the advice rules file (docs/advice.md "Rules file"): a versioned,
 * line-oriented text of settings and rule blocks, each rule with an id, an
 * optional title in plain words, a level, its source, a condition over the
 * named facts of facts.h and a message that may cite facts as {name}. The
 * parser is strict: an unknown key, fact or value, a type mismatch or a
 * missing field is GENU_EINVAL with a message "NAME:LINE: ..." naming the
 * line.
 *
 * Conditions use three-valued logic: a fact that is not on record is
 * unknown, a comparison with an unknown is unknown, and a rule fires only
 * when its condition is true. A parsed rule set lives in the arena it was
 * parsed into and is read-only afterwards (shareable between threads). */
#ifndef GENU_ADVICE_RULES_H
#define GENU_ADVICE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "advice/facts.h"
#include "core/arena.h"
#include "core/err.h"

/* The rules format version this genu reads ("genu-rules 1"). */
#define RULES_VERSION 1

typedef enum { RULES_INFO = 0, RULES_CAUTION, RULES_URGENT } rules_level;

typedef struct rules_expr rules_expr;   /* a parsed condition (opaque) */
typedef struct rules_text rules_text;   /* a parsed message template (opaque) */

typedef struct rules_rule {
    const char *id;
    const char *title;   /* words for people; without a title field, the id in words */
    rules_level level;
    const char *source;
    const char *when;    /* the condition as written (continuations joined) */
    const char *message; /* the template as written */
    int line;            /* line of "rule ID" */
    const rules_expr *cond;
    const rules_text *msg;
} rules_rule;

typedef struct rules {
    const char *name; /* file name given to rules_parse, for messages */
    facts_similar_cfg similar;
    size_t n;
    const rules_rule *rule; /* in file order */
} rules;

/* "info", "caution", "urgent". */
const char *rules_level_name(rules_level l);

/* Parses text[0..n) (UTF-8, no NUL bytes) named `name` in messages. Results
 * in the arena; *out written only on success. */
int rules_parse(const char *text, size_t n, const char *name, genu_arena *a, rules *out,
                genu_err *err);

/* Reads and parses a rules file (at most 1 MiB). GENU_EIO when it cannot be
 * read. */
int rules_load(const char *path, genu_arena *a, rules *out, genu_err *err);

/* Parses the default rules shipped with genu (rules_default.h). */
int rules_load_default(genu_arena *a, rules *out, genu_err *err);

/* Evaluates rule r over f. *fired is true when the condition is true; then
 * used[0..*nused) are the indices of the facts that decided it (those of a
 * true `or` branch only, each once, in order of appearance) followed by those
 * the message cites. used has room for facts_count() entries. */
void rules_eval(const rules_rule *r, const facts *f, bool *fired, int *used, size_t *nused);

/* The message of r with its facts filled in ({name} → facts_format), in the
 * arena; NULL when out of memory. */
const char *rules_message(const rules_rule *r, const facts *f, genu_arena *a);

#endif
