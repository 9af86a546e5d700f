/* advice_json: the JSON of one knee's decision support (docs/advice.md), as
 * `genu advise --format json` prints it and GET /api/v1/patients/{id}/advice
 * answers it: patient, knee, as_of, findings with the facts that fired them,
 * similar knees and the disclaimer. */
#ifndef GENU_IO_ADVICE_JSON_H
#define GENU_IO_ADVICE_JSON_H

#include "advice/advice.h"
#include "advice/rules.h"
#include "core/buf.h"

/* Appends one object (no newline) for knee k evaluated with rule set rs;
 * each fact carries its value and, as "text", the value in words (the
 * facts' text is made in arena a). Errors show as b->oom. */
void advice_json_knee(genu_buf *b, const rules *rs, const advice_knee *k, genu_arena *a);

#endif
