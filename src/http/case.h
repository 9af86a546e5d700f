/* case: the case-history endpoint GET /api/v1/patients/{id}/case
 * [?as_of=YYYY-MM-DD] (docs/case.md): one patient's case history as of a
 * date, answered with the JSON of `genu case --format json`. Readers of the
 * patient only (site scope as for the patient page); the history carries
 * the patient record's site, sex and birth year, never identity. */
#ifndef GENU_HTTP_CASE_H
#define GENU_HTTP_CASE_H

#include "http/ctx.h"

void case_get(ctx *c); /* GET /api/v1/patients/{id}/case */

/* GET /api/v1/patients/{pseudonym}/case as a researcher: the same history
 * in days from the index date (io/deid.h deid_case), as of today: the
 * pseudonym, no dates, no cause of death, no identity. A registry id, or a
 * patient outside the researcher's sites, is 404 (http/rview.h); as_of 400. */
void case_get_deid(ctx *c);

#endif
