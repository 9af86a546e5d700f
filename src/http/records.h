/* records: the patient and record endpoints and the export: listing and
 * reading patients, creating, reading, replacing and deleting records
 * (validated by record_json_parse, references and site scope checked,
 * audited under the caller), and JSON Lines export (de-identified for
 * researchers, see deid.h). */
#ifndef GENU_HTTP_RECORDS_H
#define GENU_HTTP_RECORDS_H

#include "http/ctx.h"

void records_patients(ctx *c); /* GET /api/v1/patients */
void records_patient(ctx *c);  /* GET /api/v1/patients/{id} */
void records_create(ctx *c);   /* POST /api/v1/records */
void records_get(ctx *c);      /* GET /api/v1/records/{type}/{id} */
void records_put(ctx *c);      /* PUT /api/v1/records/{type}/{id} */
void records_delete(ctx *c);   /* DELETE /api/v1/records/{type}/{id} */
void records_export(ctx *c);   /* GET /api/v1/export */

#endif
