/* case_json: the JSON of one patient's case history (docs/case.md), as
 * `genu case --format json` prints it and GET /api/v1/patients/{id}/case
 * answers it: the patient (no identity), the dated diagnoses, treatments,
 * series, pain timeline, adverse events and surgery, and the narrative. */
#ifndef GENU_IO_CASE_JSON_H
#define GENU_IO_CASE_JSON_H

#include "analysis/case.h"
#include "core/buf.h"

/* Appends the whole history, one line with a trailing newline. Errors show
 * as b->oom. */
void case_json_write(genu_buf *b, const case_history *h);

#endif
