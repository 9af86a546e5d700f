/* advice: the decision-support endpoint GET /api/v1/patients/{id}/advice
 * [?knee=left|right][&as_of=YYYY-MM-DD] (docs/advice.md): the rules in the
 * server's environment evaluated over one patient's knees, answered with
 * the JSON of `genu advise --format json` (an array without `knee`, one
 * object with it). Readers of the patient only (site scope as for the
 * patient page); findings carry record ids, never identity. */
#ifndef GENU_HTTP_ADVICE_H
#define GENU_HTTP_ADVICE_H

#include "http/ctx.h"

void advice_get(ctx *c); /* GET /api/v1/patients/{id}/advice */

#endif
