/* json: small helpers over jansson shared by the edges (io, http, cli). Lower
 * layers never see jansson types. */
#ifndef GENU_CORE_JSON_H
#define GENU_CORE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

/* "string", "integer", "number", "boolean", "null", "object", "array". */
const char *genu_json_kind(const json_t *v);

/* Parses one line of text (n bytes) as a JSON object. Rejects invalid UTF-8,
 * trailing data, and non-objects with a message that names the column. */
json_t *genu_json_parse_object(const char *s, size_t n, genu_err *err);

/* Appends v as compact JSON: keys in the object's insertion order, UTF-8
 * kept as is, reals as the shortest text that reads back exactly. */
int genu_json_append(genu_buf *b, const json_t *v);

/* A JSON integer within [lo, hi]; a real, string or boolean is an error
 * naming `field`. */
int genu_json_int(const json_t *v, const char *field, int64_t lo, int64_t hi, int64_t *out,
                  genu_err *err);
/* A JSON number (integer or real), finite, within [lo, hi]. */
int genu_json_num(const json_t *v, const char *field, double lo, double hi, double *out,
                  genu_err *err);

#endif
