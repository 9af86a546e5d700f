/* wording: the validated wording of each instrument as a patient reads it
 * (docs/instruments.md, "Wording and terms of use"): instructions, each
 * item's text and its published answer labels, the recall period, the
 * source and the terms of use. One JSON file per instrument and language,
 * INSTRUMENT.LANG.json; the files of data/instruments are compiled in, and
 * a directory the clinic names (the setting wording.dir) overrides them and
 * adds licensed ones (WOMAC). The stored answer is always the item's code
 * value; the wording only says what each value means. */
#ifndef GENU_IO_WORDING_H
#define GENU_IO_WORDING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "instruments/instrument.h"

/* One item's wording. Either labels (one per answer, in code order: lo..hi,
 * or the item's allowed list; BOOL items: true, then false) or, for a wide
 * numeric range, anchors low and high with a number typed in. */
typedef struct wording_item {
    const char *text;
    const char *help; /* NULL when none */
    size_t nlabels;   /* 0 for an anchored item */
    const char **labels;
    const char *low, *high; /* anchors; NULL when labelled */
} wording_item;

typedef struct wording_section {
    const char *title, *instructions; /* either may be NULL */
    size_t n;
    const int *items; /* indexes into in->items, in display order */
} wording_section;

typedef struct wording {
    const genu_instrument *in;
    const char *language, *title, *version, *recall, *instructions, *source, *terms;
    const char *origin;     /* "embedded" or the file's path */
    size_t nsections;
    const wording_section *sections;
    const wording_item *items; /* in->nitems, indexed like in->items */
} wording;

/* Parses and checks the text of one wording file for instrument in: every
 * item of in is worded exactly once and placed in exactly one section, no
 * unknown item, labels match the item's answers. GENU_EINVAL names origin
 * and the field: `koos.en.json: items.P3.labels: 4 labels for 5 answers
 * (0 to 4)`. Strings in a. */
int wording_parse(const genu_instrument *in, const char *text, size_t len, const char *origin,
                  genu_arena *a, wording *out, genu_err *err);

/* The wording of in in language lang ("en"; NULL = "en"): dir's file when
 * dir (may be NULL or "") has one, else the embedded one, else the English
 * one by the same rule. GENU_ENOTFOUND ("no wording of womac is installed
 * ...") when there is none; a file that does not parse is its error. */
int wording_load(const char *dir, const genu_instrument *in, const char *lang, genu_arena *a,
                 wording *out, genu_err *err);

/* Whether wording of in is installed (wording_load would succeed for
 * English), and where from ("embedded", a path) when origin is not NULL. */
bool wording_available(const char *dir, const genu_instrument *in, genu_arena *a,
                       const char **origin);

/* Whether item `item` of in is answered by a typed number (it has anchors)
 * rather than by choosing a label. */
bool wording_numeric(const wording *w, int item);

/* The wording as JSON, the file's shape plus "origin" (docs/api.md):
 * what the web form shows staff entering answers taken on paper or by
 * phone. */
void wording_json(genu_buf *b, const wording *w);

#endif
