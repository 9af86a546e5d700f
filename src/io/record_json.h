/* record_json: one JSON Lines record (docs/format.md) <-> genu_record.
 * Parsing validates every field (types, vocabularies, ranges, dates), scores
 * responses with their instrument, and builds the canonical exchange line
 * (r->doc): known fields in a fixed order, answers in the instrument's item
 * order, computed version/scores/notes, unknown fields gathered under
 * "extra". Exporting a record is writing its doc, so import → export → import
 * is the identity. */
#ifndef GENU_IO_RECORD_JSON_H
#define GENU_IO_RECORD_JSON_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "instruments/instrument.h"
#include "model/record.h"

/* Parses one line (n bytes, no newline) into r; strings, scores and doc live
 * in the arena. Records without an "id" (other than patients and identities)
 * get one derived from their content, so re-importing the same line names the
 * same record. GENU_EINVAL names the field: `field "knee": expected left or
 * right`. */
int record_json_parse(const char *line, size_t n, genu_arena *a, genu_record *r, genu_err *err);

/* record_json_parse scoring responses with a registry's options (NULL: the
 * defaults; io/settings.h reads a registry's). A response to which opts
 * give other scores (or notes) than the defaults records them in its doc
 * ("scoring": {"womac_max_missing": [P, S, F]}); scores
 * a line brings are checked under the options its own "scoring" names (the
 * defaults when it has none), then replaced by those opts give. An id
 * derived from the content is the one the defaults would give, whatever
 * opts are, so a line names the same record in every registry. */
int record_json_parse_with(const char *line, size_t n, const instr_opts *opts, genu_arena *a,
                           genu_record *r, genu_err *err);


#endif
