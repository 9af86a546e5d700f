/* fuzz_wording: libFuzzer target for the instrument wording file parser
 * (io/wording.h wording_parse), as genu reads a clinic's INSTRUMENT.LANG.json
 * from the setting wording.dir. The first byte picks the instrument
 * (instrument_at, mod instrument_count(), so every instrument is reached),
 * the rest is the file's text, parsed from an exact-size heap copy.
 *
 * Invariants:
 * - an error has a code and a message that names the file;
 * - GENU_OK gives the instrument, its language, title, source and terms;
 *   every item worded (text, and labels or anchors but not both: as many
 *   labels as the item has answers) and placed in exactly one section;
 * - wording_json (what GET /api/v1/instruments/{id}/wording sends) is one
 *   JSON object naming the instrument. */
#define FUZZ_NAME "fuzz_wording"
#include "fuzz_common.h"

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "instruments/instrument.h"
#include "io/wording.h"

static size_t answers(const instr_item *it)
{
    if (it->kind == INSTR_BOOL)
        return 2;
    return it->allowed ? it->nallowed : (size_t)(it->hi - it->lo + 1);
}

static void check(const genu_instrument *in, const wording *w)
{
    if (w->in != in || !w->language || !w->title || !w->source || !w->terms || !w->origin)
        die("a wording without its required parts", in->id);
    if (w->nsections == 0 || !w->sections || !w->items)
        die("a wording without sections or items", in->id);
    unsigned char placed[INSTR_MAX_ITEMS] = {0};
    for (size_t s = 0; s < w->nsections; s++) {
        const wording_section *sec = &w->sections[s];
        if (sec->n == 0 || !sec->items)
            die("an empty section", in->id);
        for (size_t k = 0; k < sec->n; k++) {
            int x = sec->items[k];
            if (x < 0 || (size_t)x >= in->nitems || placed[x]++)
                die("an item placed twice or outside the instrument", in->id);
        }
    }
    for (size_t i = 0; i < in->nitems; i++) {
        const wording_item *it = &w->items[i];
        if (!placed[i])
            die("an item in no section", in->items[i].code);
        if (!it->text || !it->text[0])
            die("an item without its text", in->items[i].code);
        bool anchored = it->low || it->high;
        if (anchored == (it->nlabels > 0))
            die("an item with both or neither labels and anchors", in->items[i].code);
        if (anchored && (!it->low || !it->high))
            die("an item with one anchor", in->items[i].code);
        if (!anchored && it->nlabels != answers(&in->items[i]))
            die("an item with the wrong number of labels", in->items[i].code);
        for (size_t k = 0; k < it->nlabels; k++)
            if (!it->labels[k] || !it->labels[k][0])
                die("an empty label", in->items[i].code);
        (void)wording_numeric(w, (int)i);
    }
    genu_buf b = GENU_BUF_INIT;
    wording_json(&b, w);
    if (b.oom)
        die("out of memory", NULL);
    json_error_t je;
    json_t *v = json_loadb(b.p, b.len, JSON_REJECT_DUPLICATES, &je);
    const char *id = json_string_value(json_object_get(v, "instrument"));
    if (!json_is_object(v) || !id || strcmp(id, in->id) != 0) {
        fprintf(stderr, "%s\n%s\n", je.text, b.p);
        die("wording_json is not one object naming the instrument", in->id);
    }
    json_decref(v);
    genu_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const genu_instrument *in = instrument_at(data[0] % instrument_count());
    if (!in)
        die("instrument_at gave NULL below instrument_count", NULL);
    char *text = fuzz_copy(data + 1, size - 1, false);
    genu_arena *a = genu_arena_create();
    if (!a)
        die("out of memory", NULL);
    wording w;
    genu_err err = {0};
    int rc = wording_parse(in, text, size - 1, "fuzz.en.json", a, &w, &err);
    fuzz_say("%s: %s", in->id, rc ? err.msg : "parsed");
    if (rc != GENU_OK) {
        if (err.code != rc || strncmp(err.msg, "fuzz.en.json", 12) != 0)
            die("an error without its code or the file's name", err.msg);
    } else {
        check(in, &w);
    }
    genu_arena_destroy(a);
    free(text);
    return 0;
}
