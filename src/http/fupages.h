/* fupages: follow-up over HTTP (docs/followup.md): who to call, the
 * response rates, the windows, and the patient's one-click unsubscribe
 * page reached from a message. */
#ifndef GENU_HTTP_FUPAGES_H
#define GENU_HTTP_FUPAGES_H

#include "http/ctx.h"

void fupages_calls(ctx *c);     /* GET /api/v1/followup/calls */
void fupages_rates(ctx *c);     /* GET /api/v1/followup/rates */
void fupages_windows(ctx *c);   /* GET /api/v1/followup/windows */
void fupages_unsub_page(ctx *c);   /* GET /u/{token} */
void fupages_unsub_submit(ctx *c); /* POST /u/{token} */

#endif
