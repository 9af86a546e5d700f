/* survey: one-time survey links for patients. A clinician creates a link
 * (patient, knee, instruments, timepoint, expiry); the token (32 random
 * bytes, base64url) is returned once and stored only as its SHA-256. The
 * link serves a plain HTML form of the instruments' items and takes one
 * submission, validated and scored like an import and stored as response
 * records in the same transaction that marks the link used. */
#ifndef GENU_HTTP_SURVEY_H
#define GENU_HTTP_SURVEY_H

#include "http/ctx.h"

void survey_create(ctx *c); /* POST /api/v1/surveys */
void survey_page(ctx *c);   /* GET /s/{token} */
void survey_submit(ctx *c); /* POST /s/{token} */
/* GET /api/v1/instruments/{id}/wording: the installed wording (io/wording.h
 * wording_json), ?language=xx; 404 when none is installed. */
void survey_wording(ctx *c);

/* Decodes application/x-www-form-urlencoded text (n bytes) in place into
 * up to max pairs; '+' is a space, %XX a byte. Returns the number of pairs,
 * or -1 when malformed (bad escape, too many pairs). */
int survey_form_parse(char *s, size_t n, char **keys, char **vals, size_t max);

#endif
