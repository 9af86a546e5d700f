/* items: JSON answers -> instr_answer, with errors that name the item. */
#include "io/items.h"

#include <string.h>

#include "core/json.h"

/* Finds code's item; answers usually come in form order, so try the item
 * after the previous one first (hint) before searching the whole table. */
static int find_item(const genu_instrument *in, const char *code, size_t *hint)
{
    if (*hint < in->nitems && strcmp(in->items[*hint].code, code) == 0)
        return (int)(*hint)++;
    int i = instrument_item(in, code);
    if (i >= 0)
        *hint = (size_t)i + 1;
    return i;
}

/* "a string", "an object", ... */
static const char *article(const json_t *v)
{
    return strchr("aeiou", genu_json_kind(v)[0]) ? "an" : "a";
}

static int read_int(const instr_item *it, const json_t *v, instr_answer *a, genu_err *err)
{
    if (!json_is_integer(v)) {
        if (json_is_real(v))
            return GENU_FAIL(err, GENU_EINVAL,
                             "items.%s: expected an integer, got a number with a decimal "
                             "point or exponent",
                             it->code);
        return GENU_FAIL(err, GENU_EINVAL, "items.%s: expected an integer, got %s %s", it->code,
                         article(v), genu_json_kind(v));
    }
    json_int_t x = json_integer_value(v);
    if (x < INT32_MIN || x > INT32_MAX) {
        if (it->allowed)
            return GENU_FAIL(err, GENU_EINVAL, "items.%s: %lld is not an allowed answer",
                             it->code, (long long)x);
        return GENU_FAIL(err, GENU_EINVAL, "items.%s: %lld is out of range (%d to %d)", it->code,
                         (long long)x, (int)it->lo, (int)it->hi);
    }
    a->state = INSTR_INT;
    a->value = (int32_t)x;
    return GENU_OK;
}

static int read_bool(const instr_item *it, const json_t *v, instr_answer *a, genu_err *err)
{
    if (!json_is_boolean(v))
        return GENU_FAIL(err, GENU_EINVAL, "items.%s: expected true or false, got %s %s",
                         it->code, article(v), genu_json_kind(v));
    a->state = INSTR_BOOL;
    a->value = json_is_true(v) ? 1 : 0;
    return GENU_OK;
}

int items_from_json(const genu_instrument *in, const json_t *items,
                    instr_answer out[INSTR_MAX_ITEMS], genu_err *err)
{
    if (!json_is_object(items))
        return GENU_FAIL(err, GENU_EINVAL, "items: expected an object, got %s",
                         items ? genu_json_kind(items) : "nothing");
    instr_answer tmp[INSTR_MAX_ITEMS];
    memset(tmp, 0, sizeof tmp);
    size_t hint = 0;
    const char *code;
    json_t *v;
    json_object_foreach((json_t *)items, code, v)
    {
        int i = find_item(in, code, &hint);
        if (i < 0)
            return GENU_FAIL(err, GENU_EINVAL, "items.%.64s: unknown item of %s", code, in->id);
        if (json_is_null(v))
            continue;
        const instr_item *it = &in->items[i];
        int rc = it->kind == INSTR_BOOL ? read_bool(it, v, &tmp[i], err)
                                        : read_int(it, v, &tmp[i], err);
        if (rc || (rc = instrument_check(in, i, &tmp[i], err)))
            return rc;
    }
    if (in->validate) {
        int rc = in->validate(in, tmp, err);
        if (rc)
            return rc;
    }
    memcpy(out, tmp, sizeof tmp);
    return GENU_OK;
}

json_t *items_to_json(const genu_instrument *in, const instr_answer answers[])
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < in->nitems; i++) {
        json_t *v = NULL;
        if (answers[i].state == INSTR_INT)
            v = json_integer(answers[i].value);
        else if (answers[i].state == INSTR_BOOL)
            v = json_boolean(answers[i].value);
        else
            continue;
        if (json_object_set_new(o, in->items[i].code, v)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

int items_append_json(genu_buf *b, const genu_instrument *in, const instr_answer answers[])
{
    genu_jw w;
    genu_jw_init(&w, b);
    genu_jw_obj(&w);
    for (size_t i = 0; i < in->nitems; i++) {
        if (answers[i].state == INSTR_BOOL)
            genu_jw_kbool(&w, in->items[i].code, answers[i].value);
        else if (answers[i].state == INSTR_INT)
            genu_jw_knum(&w, in->items[i].code, answers[i].value);
    }
    genu_jw_end(&w);
    return b->oom ? -1 : 0;
}
