/* json_fast: a JSON object parsed without jansson's reader, for the lines
 * of an import (io/record_json.c). It reads the plain form only (ASCII
 * text, the short escapes, integers of up to 18 digits, finite reals) and
 * says nothing about anything else: then the caller parses with jansson,
 * which gives the answer or the error message. */
#ifndef GENU_IO_JSON_FAST_H
#define GENU_IO_JSON_FAST_H

#include <jansson.h>
#include <stddef.h>

/* The object in s[0..n), the same tree as json_loadb(s, n,
 * JSON_REJECT_DUPLICATES, ...) gives (the same types, values and key
 * order); NULL when s is not an object in the plain form, whether or not
 * it is valid JSON. */
json_t *json_fast_object(const char *s, size_t n);

#endif
