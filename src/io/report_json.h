/* report_json: the JSON rendering of a computed report (docs/analysis.md
 * "genu report"), and the cost object that `genu report` nests in each
 * responder stratum and `genu claim --cost` is to print. */
#ifndef GENU_IO_REPORT_JSON_H
#define GENU_IO_REPORT_JSON_H

#include "analysis/claim.h"
#include "analysis/cohort.h"
#include "analysis/cost.h"
#include "analysis/report.h"
#include "analysis/survival.h"
#include "core/buf.h"

/* {"knees_without_cost":N,"knees_mixed_currency":N,"currencies":[{"currency":C,
 *  "knees":N,"responders":N,"total":x,"per_responder":x|null},…]} */
void report_json_cost(genu_buf *b, const cost_tally *t);

/* One Kaplan–Meier stratum: {"stratum":name,"n","events","median","curve":[
 * {"time","n_risk","n_event","n_censor","surv","std_err","lower","upper"},…]}
 * — the shape of `genu survival --format json`, the API and the report. */
void report_json_curve(genu_buf *b, const char *name, const survival_curve *k);
/* The log-rank test: {"chisq","df","p"}, or null when it is not defined. */
void report_json_logrank(genu_buf *b, const survival_logrank *lr);

/* The cohort filters as given: {"kl":"0-2",…}. */
void report_json_filters(genu_buf *b, const cohort_filter *f);

/* genu claim's JSON (docs/analysis.md), one line with a newline. */
void report_json_claim(genu_buf *b, const analysis_request *q, const claim_answer *ans);

/* genu survival's JSON (docs/analysis.md), one line with a newline. */
void report_json_survival(genu_buf *b, const analysis_request *q, const survival_result *s);

/* The whole report, one line with a trailing newline. Errors show as b->oom. */
void report_json_write(genu_buf *b, const report *r, const cohort_filter *f);

#endif
