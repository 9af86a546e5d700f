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
    json_t *v = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!v) {
        GENU_FAIL(err, GENU_EINVAL, "column %d: invalid JSON: %s", je.column, je.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        GENU_FAIL(err, GENU_EINVAL, "expected a JSON object, got %s", genu_json_kind(v));
        json_decref(v);
        return NULL;
    }
    return v;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return genu_buf_append(data, buffer, size);
}

int genu_json_append(genu_buf *b, const json_t *v)
{
    return json_dump_callback(v, dump_cb, b, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
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
