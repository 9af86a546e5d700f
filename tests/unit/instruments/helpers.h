/* helpers: shared by the instrument unit tests (included, not a test). */
#ifndef GENU_TEST_INSTRUMENT_HELPERS_H
#define GENU_TEST_INSTRUMENT_HELPERS_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instruments/instrument.h"

#define EPS 1e-9

static inline const genu_instrument *get(const char *id)
{
    const genu_instrument *in = instrument_find(id);
    assert_non_null(in);
    return in;
}

static inline void clear(instr_answer a[INSTR_MAX_ITEMS])
{
    memset(a, 0, sizeof(instr_answer) * INSTR_MAX_ITEMS);
}

static inline void put(const genu_instrument *in, instr_answer *a, const char *code, int v)
{
    int i = instrument_item(in, code);
    if (i < 0)
        fail_msg("no item %s in %s", code, in->id);
    a[i].state = (uint8_t)(in->items[i].kind == INSTR_BOOL ? INSTR_BOOL : INSTR_INT);
    a[i].value = v;
}

static inline void unset(const genu_instrument *in, instr_answer *a, const char *code)
{
    int i = instrument_item(in, code);
    if (i < 0)
        fail_msg("no item %s in %s", code, in->id);
    a[i].state = INSTR_MISSING;
    a[i].value = 0;
}

/* Answers from a spec such as "P1=7 P2=9 P4=-" ("-" unsets the item). */
static inline void put_all(const genu_instrument *in, instr_answer *a, const char *spec)
{
    char code[16];
    const char *p = spec;
    while (*p) {
        size_t n = strcspn(p, "=");
        if (!p[n] || n >= sizeof code)
            fail_msg("bad spec at \"%s\"", p);
        memcpy(code, p, n);
        code[n] = '\0';
        p += n + 1;
        if (*p == '-')
            unset(in, a, code);
        else
            put(in, a, code, (int)strtol(p, NULL, 10));
        p += strcspn(p, " ");
        p += strspn(p, " ");
    }
}

/* Every item of in answered v. */
static inline void fill(const genu_instrument *in, instr_answer *a, int v)
{
    clear(a);
    for (size_t i = 0; i < in->nitems; i++) {
        a[i].state = INSTR_INT;
        a[i].value = v;
    }
}

static inline double val(const instr_result *r, const char *key)
{
    for (size_t i = 0; i < r->nscores; i++)
        if (strcmp(r->scores[i].key, key) == 0)
            return r->scores[i].value;
    fail_msg("no score %s", key);
    return NAN;
}

/* The note about key, or NULL. */
static inline const char *note(const instr_result *r, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < r->nnotes; i++)
        if (strncmp(r->notes[i], key, n) == 0 && r->notes[i][n] == ':')
            return r->notes[i];
    return NULL;
}

static inline void scored(const genu_instrument *in, const instr_answer *a, instr_result *r)
{
    genu_err err = {0};
    if (instrument_validate(in, a, &err) != GENU_OK)
        fail_msg("invalid answers: %s", err.msg);
    instrument_score(in, a, r);
}

#define assert_close(x, y)                                                                      \
    do {                                                                                        \
        double x_ = (x), y_ = (y);                                                              \
        if (!(fabs(x_ - y_) <= EPS * fmax(1.0, fabs(y_))))                                      \
            fail_msg("%s = %.17g, expected %.17g", #x, x_, y_);                                 \
    } while (0)

#define assert_null_with_note(r, key)                                                           \
    do {                                                                                        \
        if (!isnan(val((r), (key))))                                                            \
            fail_msg("%s = %.17g, expected null", (key), val((r), (key)));                      \
        if (!note((r), (key)))                                                                  \
            fail_msg("no note for null %s", (key));                                             \
    } while (0)

#endif
