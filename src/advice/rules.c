/* rules: a strict parser for the advice rules file and the evaluator of its
 * conditions (docs/advice.md). The file is read in two passes: physical
 * lines are folded into logical "key value" lines (a line that starts with
 * blanks continues the one before), then settings and rule blocks are
 * interpreted. Conditions are type-checked against the facts catalogue at
 * load time, so a rule can only fail to fire for lack of data, never
 * because of a typo. */
#include "advice/rules.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice/rules_default.h"

#define MAX_FILE (1u << 20)

/* ---- expressions -------------------------------------------------------- */

typedef enum { E_FACT = 1, E_KNOWN, E_NOT, E_AND, E_OR, E_CMP } expr_op;
typedef enum { C_EQ = 1, C_NE, C_LT, C_LE, C_GT, C_GE } cmp_op;

/* A comparison operand: a fact (fact >= 0) or a literal. */
typedef struct operand {
    int fact;
    facts_type type;
    double d;
    bool b;
    const char *s;
} operand;

struct rules_expr {
    expr_op op;
    int fact;        /* E_FACT, E_KNOWN */
    cmp_op cmp;      /* E_CMP */
    operand x, y;    /* E_CMP */
    const rules_expr *l, *r;
};

/* Message template: literal pieces and fact references. */
typedef struct piece {
    const char *lit; /* NULL for a fact */
    size_t n;
    int fact;
} piece;

struct rules_text {
    size_t n;
    piece *p;
};

typedef enum { T_END = 0, T_IDENT, T_NUM, T_STR, T_CMP, T_LP, T_RP } tok_kind;

typedef struct tok {
    tok_kind k;
    const char *p;
    size_t n;
    double d;
    cmp_op cmp;
} tok;

typedef struct parser {
    const char *s, *name;
    int line;
    tok t;
    genu_arena *a;
    genu_err *err;
    int failed;
    size_t nref; /* fact references so far (bounded: see RULES_MAX_REFS) */
    int depth;   /* nesting of ( and not (bounded: see RULES_MAX_DEPTH) */
} parser;

/* Nesting of parentheses and "not" in one condition: the parser recurses
 * once per level, so a hostile file must not run it out of stack. */
#define RULES_MAX_DEPTH 64

/* Fact references per condition or message; keeps evaluation's scratch
 * space fixed. */
#define RULES_MAX_REFS 200

#define PFAIL(P, ...)                                                                           \
    ((P)->failed ? 0                                                                            \
                 : ((P)->failed = GENU_FAIL((P)->err, GENU_EINVAL, __VA_ARGS__), 0))

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.';
}

static void next(parser *p)
{
    while (*p->s == ' ' || *p->s == '\t')
        p->s++;
    tok *t = &p->t;
    const char *s = p->s;
    t->p = s;
    t->n = 0;
    if (!*s) {
        t->k = T_END;
        return;
    }
    if (*s == '(' || *s == ')') {
        t->k = *s == '(' ? T_LP : T_RP;
        t->n = 1;
    } else if (*s == '"') {
        const char *e = strchr(s + 1, '"');
        if (!e) {
            PFAIL(p, "%s:%d: when: unterminated string", p->name, p->line);
            t->k = T_END;
            return;
        }
        t->k = T_STR;
        t->p = s + 1;
        t->n = (size_t)(e - s - 1);
        p->s = e + 1;
        return;
    } else if ((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')) {
        char *end;
        t->k = T_NUM;
        t->d = strtod(s, &end);
        t->n = (size_t)(end - s);
        if (ident_char(*end) || !isfinite(t->d)) {
            PFAIL(p, "%s:%d: when: malformed number \"%.*s\"", p->name, p->line,
                  (int)strcspn(s, " ()"), s);
            t->k = T_END;
            return;
        }
    } else if (strchr("=!<>", *s)) {
        static const struct {
            const char *op;
            cmp_op c;
        } ops[] = {{"==", C_EQ}, {"!=", C_NE}, {"<=", C_LE}, {">=", C_GE}, {"<", C_LT}, {">", C_GT}};
        t->k = T_CMP;
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            size_t n = strlen(ops[i].op);
            if (strncmp(s, ops[i].op, n) == 0) {
                t->cmp = ops[i].c;
                t->n = n;
                break;
            }
        }
        if (!t->n) {
            PFAIL(p, "%s:%d: when: unknown operator \"%c\" (use ==, !=, <, <=, >, >=)", p->name,
                  p->line, *s);
            t->k = T_END;
            return;
        }
    } else if (ident_char(*s)) {
        t->k = T_IDENT;
        while (ident_char(s[t->n]))
            t->n++;
    } else {
        PFAIL(p, "%s:%d: when: unexpected character \"%c\"", p->name, p->line, *s);
        t->k = T_END;
        return;
    }
    p->s = s + t->n;
}

static bool is_word(const tok *t, const char *w)
{
    return t->k == T_IDENT && t->n == strlen(w) && memcmp(t->p, w, t->n) == 0;
}

static rules_expr *node(parser *p, expr_op op)
{
    rules_expr *e = genu_arena_calloc(p->a, 1, sizeof *e);
    if (!e) {
        if (!p->failed)
            p->failed = GENU_OOM(p->err);
        return NULL;
    }
    e->op = op;
    e->fact = -1;
    return e;
}

static int fact_of(parser *p, const tok *t)
{
    int f = facts_find(t->p, t->n);
    if (++p->nref > RULES_MAX_REFS)
        return PFAIL(p, "%s:%d: when: more than %d fact references", p->name, p->line,
                     RULES_MAX_REFS) - 1;
    if (f < 0)
        PFAIL(p, "%s:%d: when: unknown fact \"%.*s\" (docs/advice.md lists the facts)", p->name,
              p->line, (int)t->n, t->p);
    return f;
}

static const char *type_name(facts_type t)
{
    return t == FACTS_BOOL ? "yes/no" : t == FACTS_NUM ? "a number" : "text";
}

/* A fact, a number, a "string", true or false. */
static bool operand_of(parser *p, operand *o)
{
    tok t = p->t;
    memset(o, 0, sizeof *o);
    o->fact = -1;
    if (t.k == T_NUM) {
        o->type = FACTS_NUM;
        o->d = t.d;
    } else if (t.k == T_STR) {
        o->type = FACTS_STR;
        o->s = genu_arena_strndup(p->a, t.p, t.n);
    } else if (is_word(&t, "true") || is_word(&t, "false")) {
        o->type = FACTS_BOOL;
        o->b = is_word(&t, "true");
    } else if (t.k == T_IDENT) {
        if ((o->fact = fact_of(p, &t)) < 0)
            return false;
        o->type = facts_at((size_t)o->fact)->type;
    } else {
        PFAIL(p, "%s:%d: when: expected a fact or a value, found %s", p->name, p->line,
              t.k == T_END ? "the end of the condition" : "an operator");
        return false;
    }
    next(p);
    return !p->failed;
}

static bool check_cmp(parser *p, const rules_expr *e)
{
    const operand *x = &e->x, *y = &e->y;
    if (x->fact < 0 && y->fact < 0)
        return PFAIL(p, "%s:%d: when: a comparison needs a fact", p->name, p->line);
    if (x->type != y->type) {
        const operand *f = x->fact >= 0 ? x : y;
        return PFAIL(p, "%s:%d: when: %s is %s, compared with %s", p->name, p->line,
                     facts_at((size_t)f->fact)->name, type_name(f->type),
                     type_name(f == x ? y->type : x->type));
    }
    if (x->type != FACTS_NUM && e->cmp != C_EQ && e->cmp != C_NE)
        return PFAIL(p, "%s:%d: when: only numbers can be ordered (<, <=, >, >=)", p->name,
                     p->line);
    const operand *lit = x->fact < 0 ? x : y->fact < 0 ? y : NULL;
    const operand *f = lit == x ? y : x;
    if (lit && lit->type == FACTS_STR) {
        const facts_def *d = facts_at((size_t)f->fact);
        if (!facts_value_allowed(d, lit->s, strlen(lit->s)))
            return PFAIL(p, "%s:%d: when: %s is one of %s, not \"%s\"", p->name, p->line,
                         d->name, d->values, lit->s);
    }
    return true;
}

static rules_expr *parse_or(parser *p);

static rules_expr *parse_nested(parser *p);
static rules_expr *parse_simple(parser *p);

static rules_expr *parse_primary(parser *p)
{
    if (p->t.k == T_LP || is_word(&p->t, "not"))
        return parse_nested(p);
    return parse_simple(p);
}

/* ( condition ) or not primary, one level deeper. */
static rules_expr *parse_nested(parser *p)
{
    if (++p->depth > RULES_MAX_DEPTH) {
        PFAIL(p, "%s:%d: when: nested more than %d levels deep", p->name, p->line,
              RULES_MAX_DEPTH);
        return NULL;
    }
    rules_expr *e = NULL;
    if (p->t.k == T_LP) {
        next(p);
        e = parse_or(p);
        if (e && p->t.k != T_RP) {
            PFAIL(p, "%s:%d: when: expected \")\"", p->name, p->line);
            e = NULL;
        } else if (e) {
            next(p);
        }
    } else {
        next(p);
        rules_expr *c;
        e = node(p, E_NOT);
        c = e ? parse_primary(p) : NULL;
        if (c)
            e->l = c;
        else
            e = NULL;
    }
    p->depth--;
    return e;
}

/* A known(fact) test or a comparison. */
static rules_expr *parse_simple(parser *p)
{
    if (is_word(&p->t, "known") && *p->s == '(') {
        next(p);
        next(p);
        rules_expr *e = node(p, E_KNOWN);
        if (!e)
            return NULL;
        if (p->t.k != T_IDENT || (e->fact = fact_of(p, &p->t)) < 0)
            return PFAIL(p, "%s:%d: when: known() takes a fact name", p->name, p->line), NULL;
        next(p);
        if (p->t.k != T_RP)
            return PFAIL(p, "%s:%d: when: expected \")\" after known(%s", p->name, p->line,
                         facts_at((size_t)e->fact)->name),
                   NULL;
        next(p);
        return e;
    }
    rules_expr *e = node(p, E_CMP);
    if (!e || !operand_of(p, &e->x))
        return NULL;
    if (p->t.k == T_CMP) {
        e->cmp = p->t.cmp;
        next(p);
        if (!operand_of(p, &e->y) || !check_cmp(p, e))
            return NULL;
        return e;
    }
    if (e->x.fact < 0 || e->x.type != FACTS_BOOL) {
        const char *what = e->x.fact >= 0 ? facts_at((size_t)e->x.fact)->name : "a value";
        return PFAIL(p,
                     "%s:%d: when: %s (%s) is not a condition: compare it (==, <, ...) or use "
                     "a yes/no fact",
                     p->name, p->line, what, type_name(e->x.type)),
               NULL;
    }
    e->op = E_FACT;
    e->fact = e->x.fact;
    return e;
}

/* A left-associative chain of parts joined by the word `word` into
 * nodes of kind op. */
static rules_expr *parse_chain(parser *p, const char *word, expr_op op,
                               rules_expr *(*part)(parser *))
{
    rules_expr *l = part(p);
    while (l && is_word(&p->t, word)) {
        next(p);
        rules_expr *e = node(p, op), *r = e ? part(p) : NULL;
        if (!r)
            return NULL;
        e->l = l;
        e->r = r;
        l = e;
    }
    return l;
}

static rules_expr *parse_and(parser *p)
{
    return parse_chain(p, "and", E_AND, parse_primary);
}

static rules_expr *parse_or(parser *p)
{
    return parse_chain(p, "or", E_OR, parse_and);
}

static const rules_expr *parse_when(const char *s, const char *name, int line, genu_arena *a,
                                    genu_err *err)
{
    parser p = {s, name, line, {0}, a, err, 0, 0, 0};
    next(&p);
    rules_expr *e = parse_or(&p);
    if (e && p.t.k != T_END)
        PFAIL(&p, "%s:%d: when: unexpected \"%.*s\" (expected and, or or the end)", name, line,
              (int)(p.t.k == T_STR ? p.t.n + 2 : p.t.n), p.t.k == T_STR ? p.t.p - 1 : p.t.p);
    return p.failed ? NULL : e;
}

/* ---- message templates -------------------------------------------------- */

static const rules_text *parse_message(const char *s, const char *name, int line, genu_arena *a,
                                       genu_err *err)
{
    size_t cap = 1, refs = 0;
    for (const char *q = s; *q; q++) {
        cap += *q == '{' || *q == '}';
        refs += *q == '{';
    }
    if (refs > RULES_MAX_REFS)
        return GENU_FAIL(err, GENU_EINVAL, "%s:%d: message: more than %d fact references", name,
                         line, RULES_MAX_REFS),
               NULL;
    rules_text *t = genu_arena_calloc(a, 1, sizeof *t);
    piece *pc = genu_arena_calloc(a, 2 * cap + 1, sizeof *pc);
    if (!t || !pc)
        return GENU_OOM(err), NULL;
    t->p = pc;
    const char *lit = s;
    for (const char *q = s; *q;) {
        if ((q[0] == '{' && q[1] == '{') || (q[0] == '}' && q[1] == '}')) {
            pc[t->n++] = (piece){lit, (size_t)(q + 1 - lit), -1};
            lit = q += 2;
        } else if (*q == '}') {
            return GENU_FAIL(err, GENU_EINVAL, "%s:%d: message: unmatched \"}\" (write }} for a brace)",
                             name, line),
                   NULL;
        } else if (*q == '{') {
            const char *e = strchr(q, '}');
            if (!e)
                return GENU_FAIL(err, GENU_EINVAL, "%s:%d: message: unterminated \"{\"", name, line),
                       NULL;
            int f = facts_find(q + 1, (size_t)(e - q - 1));
            if (f < 0)
                return GENU_FAIL(err, GENU_EINVAL, "%s:%d: message: unknown fact \"%.*s\"", name,
                                 line, (int)(e - q - 1), q + 1),
                       NULL;
            pc[t->n++] = (piece){lit, (size_t)(q - lit), -1};
            pc[t->n++] = (piece){NULL, 0, f};
            lit = q = e + 1;
        } else {
            q++;
        }
    }
    pc[t->n++] = (piece){lit, strlen(lit), -1};
    return t;
}

/* ---- the file ----------------------------------------------------------- */

typedef struct lline {
    int line;
    const char *key, *value; /* value "" when absent */
} lline;

static bool utf8_ok(const unsigned char *s, size_t n, size_t *bad)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!len || c == 0 || i + len > n || (len == 2 && c < 0xc2)) {
            *bad = i;
            return false;
        }
        for (size_t j = 1; j < len; j++)
            if ((s[i + j] & 0xc0) != 0x80) {
                *bad = i;
                return false;
            }
        i += len;
    }
    return true;
}

static char *join(genu_arena *a, const char *x, const char *y, size_t yn)
{
    size_t xn = strlen(x);
    char *s = genu_arena_alloc(a, xn + yn + 2);
    if (!s)
        return NULL;
    memcpy(s, x, xn);
    s[xn] = ' ';
    memcpy(s + xn + 1, y, yn);
    s[xn + 1 + yn] = '\0';
    return s;
}

/* Folds the text into logical lines: a line that starts with a blank
 * continues the previous field (no blank line between); comments (first
 * non-blank '#') and blank lines are dropped. */
static int fold(const char *text, size_t n, const char *name, genu_arena *a, lline **out,
                size_t *nout, genu_err *err)
{
    size_t cap = 1;
    for (size_t i = 0; i < n; i++)
        cap += text[i] == '\n';
    lline *l = genu_arena_calloc(a, cap, sizeof *l);
    if (!l)
        return GENU_OOM(err);
    size_t nl = 0;
    bool open = false; /* the last logical line may be continued */
    int line = 0;
    for (size_t i = 0; i < n;) {
        size_t lo = i, hi = i;
        while (hi < n && text[hi] != '\n')
            hi++;
        i = hi + 1;
        line++;
        size_t b = lo, e = hi;
        if (e > b && text[e - 1] == '\r')
            e--;
        while (b < e && (text[b] == ' ' || text[b] == '\t'))
            b++;
        while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t'))
            e--;
        if (b == e) {
            open = false;
            continue;
        }
        if (text[b] == '#')
            continue;
        if (b > lo) { /* continuation */
            if (!open)
                return GENU_FAIL(err, GENU_EINVAL,
                                 "%s:%d: indented line continues nothing (continuation lines "
                                 "follow a field line)",
                                 name, line);
            lline *p = &l[nl - 1];
            const char *v = p->value[0] ? join(a, p->value, text + b, e - b)
                                        : genu_arena_strndup(a, text + b, e - b);
            if (!v)
                return GENU_OOM(err);
            p->value = v;
            continue;
        }
        size_t k = b;
        while (k < e && text[k] != ' ' && text[k] != '\t')
            k++;
        size_t v = k;
        while (v < e && (text[v] == ' ' || text[v] == '\t'))
            v++;
        l[nl].line = line;
        l[nl].key = genu_arena_strndup(a, text + b, k - b);
        l[nl].value = genu_arena_strndup(a, text + v, e - v);
        if (!l[nl].key || !l[nl].value)
            return GENU_OOM(err);
        nl++;
        open = true;
    }
    *out = l;
    *nout = nl;
    return GENU_OK;
}

static bool valid_id(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static int parse_header(const lline *l, size_t n, const char *name, genu_err *err)
{
    if (n == 0 || strcmp(l[0].key, "genu-rules") != 0)
        return GENU_FAIL(err, GENU_EINVAL, "%s:%d: expected \"genu-rules %d\" first", name,
                         n ? l[0].line : 1, RULES_VERSION);
    const char *v = l[0].value;
    char *end;
    long ver = strtol(v, &end, 10);
    if (!*v || *end || v[0] == '-' || v[0] == '+')
        return GENU_FAIL(err, GENU_EINVAL, "%s:%d: genu-rules: expected a version number, not \"%s\"",
                         name, l[0].line, v);
    if (ver != RULES_VERSION)
        return GENU_FAIL(err, GENU_EINVAL,
                         "%s:%d: rules format version %ld is not supported (this genu reads %d)",
                         name, l[0].line, ver, RULES_VERSION);
    return GENU_OK;
}

static int parse_setting(const lline *l, const char *name, facts_similar_cfg *cfg, genu_err *err)
{
    genu_err e = {0};
    if (strcmp(l->key, "similar.responder") == 0) {
        if (responder_parse(l->value, &cfg->def, &e))
            return GENU_FAIL(err, GENU_EINVAL, "%s:%d: similar.responder: %s", name, l->line, e.msg);
    } else if (strcmp(l->key, "similar.at") == 0) {
        if (timepoint_parse(l->value, &cfg->at, &e))
            return GENU_FAIL(err, GENU_EINVAL, "%s:%d: similar.at: %s", name, l->line, e.msg);
    } else if (strcmp(l->key, "similar.min") == 0) {
        char *end;
        long v = strtol(l->value, &end, 10);
        if (!l->value[0] || *end || l->value[0] == '-' || l->value[0] == '+' || v < 1 ||
            v > 1000000)
            return GENU_FAIL(err, GENU_EINVAL,
                             "%s:%d: similar.min: expected a whole number 1..1000000, not \"%s\"",
                             name, l->line, l->value);
        cfg->min = (size_t)v;
    } else {
        return GENU_FAIL(err, GENU_EINVAL,
                         "%s:%d: unknown setting \"%s\" (expected rule, similar.responder, "
                         "similar.at or similar.min)",
                         name, l->line, l->key);
    }
    return GENU_OK;
}

static const char *const level_names[] = {"info", "caution", "urgent"};

const char *rules_level_name(rules_level l)
{
    return level_names[l];
}

/* title: words for people, so no underscore codes, no {fact} references. */
static int parse_title(const lline *l, const char *name, rules_rule *r, genu_err *err)
{
    const char *bad = strpbrk(l->value, "_{}");
    if (bad)
        return GENU_FAIL(err, GENU_EINVAL,
                         "%s:%d: rule %s: title: \"%c\" has no place in words for people (write "
                         "a plain title such as \"The last series helped again\")",
                         name, l->line, r->id, *bad);
    r->title = l->value;
    return GENU_OK;
}

/* Without a title, the id in words: underscores as spaces, the first letter
 * capitalised ("red_flag_locked_knee" -> "Red flag locked knee"). */
static const char *title_of_id(const char *id, genu_arena *a)
{
    char *t = genu_arena_strdup(a, id);
    if (!t)
        return NULL;
    for (char *c = t; *c; c++)
        if (*c == '_')
            *c = ' ';
    if (t[0] >= 'a' && t[0] <= 'z')
        t[0] = (char)(t[0] - 'a' + 'A');
    return t;
}

/* One field of the rule being read. */
static int parse_field(const lline *l, const char *name, rules_rule *r, unsigned *seen,
                       genu_arena *a, genu_err *err)
{
    static const char *const fields[] = {"level", "source", "when", "message", "title"};
    size_t f = 0;
    while (f < 5 && strcmp(l->key, fields[f]) != 0)
        f++;
    if (f == 5)
        return GENU_FAIL(err, GENU_EINVAL,
                         "%s:%d: rule %s: unknown field \"%s\" (expected title, level, source, "
                         "when, message or end)",
                         name, l->line, r->id, l->key);
    if (*seen & (1u << f))
        return GENU_FAIL(err, GENU_EINVAL, "%s:%d: rule %s: %s given twice", name, l->line, r->id,
                         fields[f]);
    *seen |= 1u << f;
    if (!l->value[0])
        return GENU_FAIL(err, GENU_EINVAL, "%s:%d: rule %s: %s needs a value", name, l->line,
                         r->id, fields[f]);
    switch (f) {
    case 0:
        for (int i = 0; i < 3; i++)
            if (strcmp(l->value, level_names[i]) == 0) {
                r->level = (rules_level)i;
                return GENU_OK;
            }
        return GENU_FAIL(err, GENU_EINVAL,
                         "%s:%d: rule %s: level: expected info, caution or urgent, not \"%s\"",
                         name, l->line, r->id, l->value);
    case 1:
        r->source = l->value;
        return GENU_OK;
    case 2:
        r->when = l->value;
        r->cond = parse_when(l->value, name, l->line, a, err);
        return r->cond ? GENU_OK : err->code;
    case 4:
        return parse_title(l, name, r, err);
    default:
        r->message = l->value;
        r->msg = parse_message(l->value, name, l->line, a, err);
        return r->msg ? GENU_OK : err->code;
    }
}

int rules_parse(const char *text, size_t n, const char *name, genu_arena *a, rules *out,
                genu_err *err)
{
    size_t bad;
    if (!utf8_ok((const unsigned char *)text, n, &bad)) {
        int line = 1;
        for (size_t i = 0; i < bad; i++)
            line += text[i] == '\n';
        return GENU_FAIL(err, GENU_EINVAL, "%s:%d: not UTF-8 text (or a NUL byte)", name, line);
    }
    lline *l = NULL;
    size_t nl = 0;
    int rc = fold(text, n, name, a, &l, &nl, err);
    if (rc || (rc = parse_header(l, nl, name, err)))
        return rc;
    rules rs;
    memset(&rs, 0, sizeof rs);
    rs.name = name;
    facts_similar_defaults(&rs.similar);
    rules_rule *rule = genu_arena_calloc(a, nl ? nl : 1, sizeof *rule);
    if (!rule)
        return GENU_OOM(err);
    rules_rule *cur = NULL;
    unsigned seen = 0;
    for (size_t i = 1; i < nl; i++) {
        const lline *x = &l[i];
        if (strcmp(x->key, "rule") == 0) {
            if (cur)
                return GENU_FAIL(err, GENU_EINVAL, "%s:%d: rule %s (line %d) has no \"end\"", name,
                                 x->line, cur->id, cur->line);
            if (!valid_id(x->value))
                return GENU_FAIL(err, GENU_EINVAL,
                                 "%s:%d: rule: expected an id of a-z, 0-9 and _, not \"%s\"", name,
                                 x->line, x->value);
            for (size_t j = 0; j < rs.n; j++)
                if (strcmp(rule[j].id, x->value) == 0)
                    return GENU_FAIL(err, GENU_EINVAL, "%s:%d: rule %s is defined twice (line %d)",
                                     name, x->line, x->value, rule[j].line);
            cur = &rule[rs.n++];
            cur->id = x->value;
            cur->line = x->line;
            seen = 0;
        } else if (strcmp(x->key, "end") == 0) {
            if (!cur)
                return GENU_FAIL(err, GENU_EINVAL, "%s:%d: \"end\" outside a rule", name, x->line);
            if (x->value[0])
                return GENU_FAIL(err, GENU_EINVAL, "%s:%d: \"end\" takes nothing after it", name,
                                 x->line);
            static const char *const need[] = {"level", "source", "when", "message"};
            for (unsigned f = 0; f < 4; f++)
                if (!(seen & (1u << f)))
                    return GENU_FAIL(err, GENU_EINVAL, "%s:%d: rule %s has no %s", name, x->line,
                                     cur->id, need[f]);
            if (!cur->title && !(cur->title = title_of_id(cur->id, a)))
                return GENU_OOM(err);
            cur = NULL;
        } else if (cur) {
            if ((rc = parse_field(x, name, cur, &seen, a, err)))
                return rc;
        } else if ((rc = parse_setting(x, name, &rs.similar, err))) {
            return rc;
        }
    }
    if (cur)
        return GENU_FAIL(err, GENU_EINVAL, "%s:%d: rule %s has no \"end\"", name, cur->line,
                         cur->id);
    rs.rule = rule;
    *out = rs;
    return GENU_OK;
}

int rules_load(const char *path, genu_arena *a, rules *out, genu_err *err)
{
    char *buf;
    size_t n;
    if (genu_arena_read_file(a, path, MAX_FILE, false, &buf, &n, err))
        return err->code;
    const char *name = genu_arena_strdup(a, path);
    if (!name)
        return GENU_OOM(err);
    return rules_parse(buf, n, name, a, out, err);
}

int rules_load_default(genu_arena *a, rules *out, genu_err *err)
{
    size_t n, len = 0;
    const char *const *lines = rules_default_lines(&n);
    for (size_t i = 0; i < n; i++)
        len += strlen(lines[i]);
    char *text = genu_arena_alloc(a, len + 1), *q = text;
    if (!text)
        return GENU_OOM(err);
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(lines[i]);
        memcpy(q, lines[i], k);
        q += k;
    }
    *q = '\0';
    return rules_parse(text, len, "default_rules.txt", a, out, err);
}

/* ---- evaluation --------------------------------------------------------- */

typedef enum { K_FALSE = 0, K_TRUE = 1, K_UNKNOWN = 2 } kleene;

typedef struct evalctx {
    const facts *f;
    int *used;
    size_t n;
} evalctx;

static void use(evalctx *c, int fact)
{
    c->used[c->n++] = fact;
}

static kleene cmp_eval(evalctx *c, const rules_expr *e)
{
    operand v[2] = {e->x, e->y};
    bool unknown = false;
    for (int i = 0; i < 2; i++) {
        if (v[i].fact < 0)
            continue;
        use(c, v[i].fact);
        const facts_value *fv = &c->f->v[v[i].fact];
        if (!fv->known) {
            unknown = true;
            continue;
        }
        v[i].d = fv->d;
        v[i].b = fv->b;
        v[i].s = fv->s;
    }
    if (unknown)
        return K_UNKNOWN;
    int d;
    if (v[0].type == FACTS_NUM)
        d = (v[0].d > v[1].d) - (v[0].d < v[1].d);
    else if (v[0].type == FACTS_BOOL)
        d = v[0].b != v[1].b;
    else
        d = strcmp(v[0].s, v[1].s);
    switch (e->cmp) {
    case C_EQ:
        return d == 0;
    case C_NE:
        return d != 0;
    case C_LT:
        return d < 0;
    case C_LE:
        return d <= 0;
    case C_GT:
        return d > 0;
    default:
        return d >= 0;
    }
}

/* Keeps the facts of the operands that decided a binary result: both when
 * they agree with it, else the one that does. */
static void keep(evalctx *c, size_t m0, size_t m1, kleene l, kleene r, kleene res)
{
    if (l == res && r != res)
        c->n = m1;
    else if (r == res && l != res) {
        memmove(c->used + m0, c->used + m1, (c->n - m1) * sizeof *c->used);
        c->n -= m1 - m0;
    }
}

static kleene eval(evalctx *c, const rules_expr *e)
{
    switch (e->op) {
    case E_FACT: {
        use(c, e->fact);
        const facts_value *v = &c->f->v[e->fact];
        return v->known ? (kleene)v->b : K_UNKNOWN;
    }
    case E_KNOWN:
        use(c, e->fact);
        return c->f->v[e->fact].known ? K_TRUE : K_FALSE;
    case E_NOT: {
        kleene v = eval(c, e->l);
        return v == K_UNKNOWN ? K_UNKNOWN : v == K_TRUE ? K_FALSE : K_TRUE;
    }
    case E_AND:
    case E_OR: {
        size_t m0 = c->n;
        kleene l = eval(c, e->l);
        size_t m1 = c->n;
        kleene r = eval(c, e->r);
        kleene dominant = e->op == E_AND ? K_FALSE : K_TRUE;
        kleene res = l == dominant || r == dominant ? dominant
                     : l == K_UNKNOWN || r == K_UNKNOWN ? K_UNKNOWN
                                                        : (kleene)!dominant;
        keep(c, m0, m1, l, r, res);
        return res;
    }
    case E_CMP:
        return cmp_eval(c, e);
    }
    return K_UNKNOWN;
}

static size_t dedupe(int *used, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = used[j] == used[i];
        if (!dup)
            used[k++] = used[i];
    }
    return k;
}

void rules_eval(const rules_rule *r, const facts *f, bool *fired, int *used, size_t *nused)
{
    /* the tree references each fact at most once per node; a scratch array
     * sized for the worst case keeps evaluation allocation-free */
    int scratch[2 * RULES_MAX_REFS];
    evalctx c = {f, scratch, 0};
    kleene k = eval(&c, r->cond);
    *fired = k == K_TRUE;
    *nused = 0;
    if (!*fired)
        return;
    size_t n = dedupe(scratch, c.n), cap = facts_count();
    for (size_t i = 0; i < r->msg->n && n < 2 * RULES_MAX_REFS; i++)
        if (r->msg->p[i].fact >= 0)
            scratch[n++] = r->msg->p[i].fact;
    n = dedupe(scratch, n);
    for (size_t i = 0; i < n && i < cap; i++)
        used[i] = scratch[i];
    *nused = n < cap ? n : cap;
}

const char *rules_message(const rules_rule *r, const facts *f, genu_arena *a)
{
    size_t len = 1;
    const char **parts = genu_arena_calloc(a, r->msg->n ? r->msg->n : 1, sizeof *parts);
    if (!parts)
        return NULL;
    for (size_t i = 0; i < r->msg->n; i++) {
        const piece *p = &r->msg->p[i];
        if (p->fact >= 0) {
            parts[i] = facts_format(facts_at((size_t)p->fact), &f->v[p->fact], a);
            if (!parts[i])
                return NULL;
            len += strlen(parts[i]);
        } else {
            len += p->n;
        }
    }
    char *s = genu_arena_alloc(a, len), *q = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < r->msg->n; i++) {
        const piece *p = &r->msg->p[i];
        size_t n = p->fact >= 0 ? strlen(parts[i]) : p->n;
        memcpy(q, p->fact >= 0 ? parts[i] : p->lit, n);
        q += n;
    }
    *q = '\0';
    return s;
}
