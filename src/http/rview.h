/* rview: the researcher's view of the registry through the API
 * (docs/privacy.md): the de-identified view of the export, everywhere a
 * researcher may read. Patients are listed and read by pseudonym, their
 * records de-identified (io/deid: no identity, notes, extra, clinician or
 * messages; days from the index date); a patient's case history speaks in
 * days from the index (http/case.h); the endpoints that show identified
 * records one at a time (records, advice) answer 403; and
 * the analyses' counts of 1 to 4 knees are shown as "< 5". */
#ifndef GENU_HTTP_RVIEW_H
#define GENU_HTTP_RVIEW_H

#include "http/ctx.h"
#include "io/deid.h"

void rview_patients(ctx *c); /* GET /api/v1/patients as a researcher */
void rview_patient(ctx *c);  /* GET /api/v1/patients/{pseudonym} as a researcher */

/* The patient whose pseudonym is the route's first parameter, among the
 * researcher's sites: 0 with *out (in the arena) and key (the registry's
 * deid_key; the caller wipes it), or -1 with the answer written (404 when
 * no patient in scope has that pseudonym, a storage error) and key wiped. */
int rview_find_patient(ctx *c, unsigned char key[DEID_KEY_BYTES], const genu_record **out);

/* Replaces, in the JSON answer in c->out, every count of 1 to 4 (the
 * counts of the claim, report and survival answers) by the string "< 5".
 * Called for researchers after an analysis handler answered 200. */
void rview_small_cells(ctx *c);

#endif
