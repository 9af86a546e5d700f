/* rview: the researcher's view of the registry through the API
 * (docs/privacy.md): the de-identified view of the export, everywhere a
 * researcher may read. Patients are listed and read by pseudonym, their
 * records de-identified (io/deid: no identity, notes, extra, clinician or
 * messages; days from the index date); the endpoints that show identified
 * records one at a time (records, case history, advice) answer 403; and
 * the analyses' counts of 1 to 4 knees are shown as "< 5". */
#ifndef GENU_HTTP_RVIEW_H
#define GENU_HTTP_RVIEW_H

#include "http/ctx.h"

void rview_patients(ctx *c); /* GET /api/v1/patients as a researcher */
void rview_patient(ctx *c);  /* GET /api/v1/patients/{pseudonym} as a researcher */

/* Replaces, in the JSON answer in c->out, every count of 1 to 4 (the
 * counts of the claim, report and survival answers) by the string "< 5".
 * Called for researchers after an analysis handler answered 200. */
void rview_small_cells(ctx *c);

#endif
