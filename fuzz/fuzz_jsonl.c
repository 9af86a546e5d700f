/* fuzz_jsonl: libFuzzer target for the JSON Lines record parser
 * (io/record_json.h). Each input is one line; it gets a fresh arena and is
 * parsed from an exact-size heap copy, so a read past n bytes is caught.
 *
 * Invariants:
 * - GENU_OK gives a non-NULL canonical doc, and the doc parses again to the
 *   identical doc (the canonical form is a fixed point);
 * - an error has a code and a non-empty message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "io/record_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_jsonl: invariant broken: %s\n%s\n", what, detail ? detail : "");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size ? size : 1);
    if (!line)
        return 0;
    if (size)
        memcpy(line, data, size);
    genu_arena *a = genu_arena_create();
    if (!a) {
        free(line);
        return 0;
    }
    genu_record r;
    memset(&r, 0, sizeof r);
    genu_err err = {0};
    int rc = record_json_parse(line, size, a, &r, &err);
    if (rc == GENU_OK) {
        if (err.code != GENU_OK)
            die("GENU_OK returned with an error set", err.msg);
        if (!r.doc)
            die("GENU_OK without a canonical doc", NULL);
        size_t n = strlen(r.doc);
        char *doc = malloc(n ? n : 1);
        if (!doc)
            die("out of memory", NULL);
        memcpy(doc, r.doc, n);
        genu_record r2;
        memset(&r2, 0, sizeof r2);
        genu_err err2 = {0};
        if (record_json_parse(doc, n, a, &r2, &err2) != GENU_OK)
            die("the canonical doc does not parse", err2.msg);
        if (!r2.doc || strcmp(r.doc, r2.doc) != 0)
            die("the canonical doc is not a fixed point", r2.doc);
        if (r2.type != r.type || strcmp(r2.id, r.id) != 0 || strcmp(r2.patient, r.patient) != 0)
            die("the canonical doc names another record", r.doc);
        free(doc);
    } else {
        if (err.code == GENU_OK || rc != err.code)
            die("an error return without its code set", err.msg);
        if (err.msg[0] == '\0')
            die("an error without a message", NULL);
    }
    genu_arena_destroy(a);
    free(line);
    return 0;
}
