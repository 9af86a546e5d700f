/* json: jansson helpers with error messages that name the field. */
#include "core/json.h"

#include <stdlib.h>

const char *genu_json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

json_t *genu_json_parse_object(const char *s, size_t n, genu_err *err)
{
    json_error_t je;
    json_t *v = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        GENU_FAIL(err, GENU_EINVAL, "column %d: invalid JSON: %s", je.column, je.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        size_t col = 0; /* where the value starts */
        while (col < n && (s[col] == ' ' || s[col] == '\t' || s[col] == '\r'))
            col++;
        GENU_FAIL(err, GENU_EINVAL, "column %zu: expected a JSON object, got %s", col + 1,
                  genu_json_kind(v));
        json_decref(v);
        return NULL;
    }
    return v;
}

static int append_int(genu_buf *b, json_int_t x)
{
    char tmp[24], *p = tmp + sizeof tmp;
    unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (x < 0)
        *--p = '-';
    return genu_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

int genu_json_append(genu_buf *b, const json_t *v)
{
    json_t *m = (json_t *)v; /* jansson's iterators take non-const */
    const char *key;
    json_t *x;
    size_t i;
    int first = 1;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        genu_buf_putc(b, '{');
        json_object_foreach(m, key, x)
        {
            if (!first)
                genu_buf_putc(b, ',');
            first = 0;
            genu_buf_json_str(b, key);
            genu_buf_putc(b, ':');
            genu_json_append(b, x);
        }
        return genu_buf_putc(b, '}');
    case JSON_ARRAY:
        genu_buf_putc(b, '[');
        json_array_foreach(m, i, x)
        {
            if (i)
                genu_buf_putc(b, ',');
            genu_json_append(b, x);
        }
        return genu_buf_putc(b, ']');
    case JSON_STRING:
        return genu_buf_json_str(b, json_string_value(v));
    case JSON_INTEGER:
        return append_int(b, json_integer_value(v));
    case JSON_REAL:
        return genu_buf_json_num(b, json_real_value(v));
    case JSON_TRUE:
        return genu_buf_puts(b, "true");
    case JSON_FALSE:
        return genu_buf_puts(b, "false");
    default:
        return genu_buf_puts(b, "null");
    }
}

int genu_json_int(const json_t *v, const char *field, int64_t lo, int64_t hi, int64_t *out,
                  genu_err *err)
{
    if (!json_is_integer(v))
        return GENU_FAIL(err, GENU_EINVAL, "field \"%s\": expected an integer, got %s", field,
                         genu_json_kind(v));
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return GENU_FAIL(err, GENU_EINVAL,
                         "field \"%s\": %lld is out of range (%lld to %lld)", field,
                         (long long)x, (long long)lo, (long long)hi);
    *out = x;
    return GENU_OK;
}

int genu_json_num(const json_t *v, const char *field, double lo, double hi, double *out,
                  genu_err *err)
{
    if (!json_is_number(v))
        return GENU_FAIL(err, GENU_EINVAL, "field \"%s\": expected a number, got %s", field,
                         genu_json_kind(v));
    double x = json_number_value(v);
    if (!(x >= lo && x <= hi))
        return GENU_FAIL(err, GENU_EINVAL, "field \"%s\": %g is out of range (%g to %g)", field,
                         x, lo, hi);
    *out = x;
    return GENU_OK;
}
