/* analyses: claim audit, durability and follow-ups over the analysis
 * dataset, with the same JSON as `genu claim --format json` and `genu
 * survival --format json` (docs/analysis.md). Query arguments mirror the CLI
 * options without dashes (?responder=...&at=12m&expect=0.7&kl=0-2). */
#ifndef GENU_HTTP_ANALYSES_H
#define GENU_HTTP_ANALYSES_H

#include "http/ctx.h"

void analyses_claim(ctx *c);     /* GET /api/v1/claim */
void analyses_compare(ctx *c);   /* GET /api/v1/compare */
void analyses_survival(ctx *c);  /* GET /api/v1/survival */
void analyses_report(ctx *c);    /* GET /api/v1/report */
void analyses_followups(ctx *c); /* GET /api/v1/followups */

#endif
