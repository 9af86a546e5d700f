/* fuzz_record_json: libFuzzer target for one record's JSON line under a
 * registry's scoring options (io/record_json.h record_json_parse_with), the
 * parse every import, the records API and a settings change (re-scoring)
 * go through. fuzz_jsonl covers the default options; this target adds the
 * options. The first byte gives the WOMAC missing-item thresholds
 * (instr_opts: pain b % 6, stiffness b / 6 % 3, function b / 18 % 18), the
 * rest is the line, parsed from an exact-size heap copy.
 *
 * Invariants:
 * - the options decide scores only: the line parses under them exactly when
 *   it parses under the defaults, names the same record (type, id, patient:
 *   a derived id is the defaults' whatever the options), and an error has
 *   a code and a message;
 * - the canonical doc is a fixed point under the same options;
 * - re-scoring is consistent: the doc made under the options, parsed under
 *   the defaults, gives the doc the defaults give for the line. */
#define FUZZ_NAME "fuzz_record_json"
#include "fuzz_common.h"

#include "core/arena.h"
#include "instruments/instrument.h"
#include "io/record_json.h"

static void same_record(const genu_record *a, const genu_record *b, const char *what)
{
    if (a->type != b->type || strcmp(a->id, b->id) != 0 || strcmp(a->patient, b->patient) != 0) {
        fprintf(stderr, "%s\n%s\n", a->doc, b->doc);
        die(what, NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned b = data[0];
    instr_opts opts = instrument_opts_default;
    opts.womac_max_missing.pain = (int)(b % 6);
    opts.womac_max_missing.stiffness = (int)(b / 6 % 3);
    opts.womac_max_missing.function = (int)(b / 18 % 18);
    size_t n = size - 1;
    char *line = fuzz_copy(data + 1, n, false);
    genu_arena *a = genu_arena_create();
    if (!a)
        die("out of memory", NULL);

    genu_record r, d;
    genu_err err = {0}, derr = {0};
    memset(&r, 0, sizeof r);
    memset(&d, 0, sizeof d);
    int rc = record_json_parse_with(line, n, &opts, a, &r, &err);
    int drc = record_json_parse(line, n, a, &d, &derr);
    fuzz_say("%s", rc ? err.msg : "parsed");
    if ((rc == GENU_OK) != (drc == GENU_OK)) {
        fprintf(stderr, "with options: %s\ndefaults: %s\n", rc ? err.msg : "ok",
                drc ? derr.msg : "ok");
        die("the options decide whether a line parses", NULL);
    }
    if (rc != GENU_OK) {
        if (err.code != rc || !err.msg[0])
            die("an error without its code or message", err.msg);
    } else {
        if (err.code != GENU_OK || !r.doc || !d.doc)
            die("GENU_OK without a doc, or with an error set", err.msg);
        same_record(&r, &d, "the options change which record a line names");

        size_t dn = strlen(r.doc);
        char *doc = fuzz_copy((const uint8_t *)r.doc, dn, false);
        genu_record r2, r3;
        genu_err e2 = {0}, e3 = {0};
        memset(&r2, 0, sizeof r2);
        memset(&r3, 0, sizeof r3);
        if (record_json_parse_with(doc, dn, &opts, a, &r2, &e2) != GENU_OK)
            die("the canonical doc does not parse under its options", e2.msg);
        if (strcmp(r.doc, r2.doc) != 0) {
            fprintf(stderr, "%s\n%s\n", r.doc, r2.doc);
            die("the canonical doc is not a fixed point under its options", NULL);
        }
        same_record(&r, &r2, "the canonical doc names another record");
        if (record_json_parse(doc, dn, a, &r3, &e3) != GENU_OK)
            die("the doc made under options does not parse under the defaults", e3.msg);
        if (strcmp(r3.doc, d.doc) != 0) {
            fprintf(stderr, "under options: %s\nre-scored:     %s\ndefaults:      %s\n", r.doc,
                    r3.doc, d.doc);
            die("re-scoring under the defaults does not give the defaults' doc", NULL);
        }
        free(doc);
    }
    genu_arena_destroy(a);
    free(line);
    return 0;
}
