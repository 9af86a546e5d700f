/* scores: computed scores and notes as JSON. Dotted score keys nest:
 * "womac.pain" goes under an object "womac", so a KOOS result reads
 * {"pain":..,"womac":{"pain":..},"koos_jr":..}; NaN (null score) is null. */
#ifndef GENU_IO_SCORES_H
#define GENU_IO_SCORES_H

#include <jansson.h>

#include "core/buf.h"
#include "instruments/instrument.h"
#include "model/record.h"

/* A new JSON object of the n scores in order (caller owns the reference);
 * NULL on allocation failure. */
json_t *scores_to_json(const genu_score *s, size_t n);

/* A new JSON array of the n notes; NULL on allocation failure. */
json_t *notes_to_json(const char *const *notes, size_t n);

/* Appends the same object as scores_to_json, compact, numbers as the
 * shortest text that reads back exactly (genu_buf_json_num). Keys sharing
 * a prefix must be adjacent, as every instrument's are. -1 on allocation
 * failure (b->oom). */
int scores_append_json(genu_buf *b, const genu_score *s, size_t n);

/* Appends r's notes as a compact JSON array of strings. */
int scores_append_notes(genu_buf *b, const instr_result *r);

#endif
