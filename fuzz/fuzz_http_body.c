/* fuzz_http_body: libFuzzer target for the server's request-body parsing,
 * through the functions the handlers call. The first byte picks the path,
 * the rest is the body; each input gets a fresh arena and an exact-size heap
 * copy (plus the NUL the server's copy carries), so a read past the body is
 * caught.
 *
 * - even: the JSON record path of POST/PUT /api/v1/records: the UTF-8 gate
 *   (ctx_utf8_valid), genu_json_parse_object, record_json_parse. Invariants:
 *   a parsed record has a canonical doc that parses to itself; an error has
 *   a code and a message, and the error body the server would send
 *   (ctx_error with ctx_field_of's field) is a JSON object naming the code;
 * - odd: the survey form of POST /s/{token}: survey_form_parse decoding in
 *   place. Invariants: -1 or at most MAX pairs; every key and value lies in
 *   the buffer, NUL-terminated, no longer than the input. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "http/ctx.h"
#include "http/survey.h"
#include "io/record_json.h"

#define MAX_FIELDS 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_http_body: invariant broken: %s\n%s\n", what, detail ? detail : "");
    abort();
}

/* The error body the server would send for err is one JSON object. */
static void check_error_body(const genu_err *err)
{
    char field[64];
    ctx c;
    memset(&c, 0, sizeof c);
    c.method = c.path = "";
    ctx_field_of(err->msg, field, sizeof field);
    if (strlen(field) >= sizeof field)
        die("ctx_field_of overran its buffer", err->msg);
    ctx_error(&c, 400, "bad_request", field[0] ? field : NULL, "%s", err->msg);
    if (c.out.oom) {
        genu_buf_free(&c.out);
        return;
    }
    json_t *v = json_loadb(c.out.p, c.out.len, 0, NULL);
    json_t *e = json_object_get(v, "error");
    if (!json_is_string(json_object_get(e, "code")) ||
        !json_is_string(json_object_get(e, "message")))
        die("the error body is not the error shape", c.out.p);
    json_decref(v);
    genu_buf_free(&c.out);
}

static void json_path(const char *body, size_t n, genu_arena *a)
{
    genu_err err = {0};
    if (!ctx_utf8_valid(body, n))
        return; /* the server answers 400 before any handler */
    json_t *obj = genu_json_parse_object(body, n, &err);
    if (!obj) {
        if (!err.code || !err.msg[0])
            die("a JSON error without code or message", NULL);
        check_error_body(&err);
        return;
    }
    json_decref(obj);
    genu_record r;
    memset(&r, 0, sizeof r);
    if (record_json_parse(body, n, a, &r, &err) != GENU_OK) {
        if (!err.code || !err.msg[0])
            die("a record error without code or message", NULL);
        check_error_body(&err);
        return;
    }
    if (!r.doc)
        die("a record without its canonical doc", NULL);
    genu_record r2;
    genu_err err2 = {0};
    memset(&r2, 0, sizeof r2);
    if (record_json_parse(r.doc, strlen(r.doc), a, &r2, &err2) != GENU_OK)
        die("the canonical doc does not parse", err2.msg);
    if (strcmp(r.doc, r2.doc) != 0)
        die("the canonical doc is not a fixed point", r2.doc);
}

static void form_path(char *body, size_t n)
{
    char *keys[MAX_FIELDS], *vals[MAX_FIELDS];
    int np = survey_form_parse(body, n, keys, vals, MAX_FIELDS);
    if (np < -1 || np > MAX_FIELDS)
        die("survey_form_parse returned an impossible count", NULL);
    for (int i = 0; i < np; i++) {
        const char *p[2] = {keys[i], vals[i]};
        for (int k = 0; k < 2; k++) {
            if (p[k] < body || p[k] > body + n)
                die("a form pair points outside the body", NULL);
            size_t len = strnlen(p[k], (size_t)(body + n + 1 - p[k]));
            if (p[k] + len > body + n)
                die("a form pair is not NUL-terminated inside the body", NULL);
        }
        (void)ctx_utf8_valid(keys[i], strlen(keys[i]));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t n = size - 1;
    char *body = malloc(n + 1);
    genu_arena *a = genu_arena_create();
    if (!body || !a) {
        free(body);
        genu_arena_destroy(a);
        return 0;
    }
    memcpy(body, data + 1, n);
    body[n] = '\0'; /* the handlers' copy of a body carries a NUL */
    if (data[0] & 1)
        form_path(body, n);
    else
        json_path(body, n, a);
    genu_arena_destroy(a);
    free(body);
    return 0;
}
