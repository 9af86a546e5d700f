/* items: a response's `items` object (JSON) <-> instrument answers. The
 * edge where the answer rules of docs/instruments.md are enforced on outside
 * input. */
#ifndef GENU_IO_ITEMS_H
#define GENU_IO_ITEMS_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "instruments/instrument.h"

/* Reads `items` (must be a JSON object) into out[0 .. in->nitems - 1]; the
 * rest of out is set missing. An absent or null item is missing; `{}` is
 * valid. Integer items take JSON integers only (2.0, 2.5, "2", true are
 * errors), boolean items take true/false only. Also applies the
 * instrument's cross-item rules (instrument_validate). GENU_EINVAL names the
 * item: "items.P3: 5 is out of range (0 to 4)", "items.X1: unknown item of
 * koos". out is written only on success. */
int items_from_json(const genu_instrument *in, const json_t *items,
                    instr_answer out[INSTR_MAX_ITEMS], genu_err *err);

/* The answered items as a new JSON object in item order (missing items
 * left out); caller owns the reference. NULL on allocation failure. */
json_t *items_to_json(const genu_instrument *in, const instr_answer answers[]);

/* Appends the same object as items_to_json, compact, to b; -1 on
 * allocation failure (b->oom). */
int items_append_json(genu_buf *b, const genu_instrument *in, const instr_answer answers[]);

#endif
