/* report_json: the JSON rendering of a computed report (docs/analysis.md
 * "genu report"), and the cost object that `genu report` nests in each
 * responder stratum and `genu claim --cost` is to print. */
#ifndef GENU_IO_REPORT_JSON_H
#define GENU_IO_REPORT_JSON_H

#include "analysis/claim.h"
#include "analysis/cohort.h"
#include "analysis/cost.h"
#include "analysis/durability.h"
#include "analysis/report.h"
#include "analysis/survival.h"
#include "core/buf.h"

/* Pieces the analysis writers share: "key":[lo,hi] (null when either is
 * NAN); the cohort filters given, as {"kl":"0-2",…} in order of first
 * appearance. */
void report_json_interval(genu_jw *w, const char *key, double lo, double hi);
void report_json_filters(genu_jw *w, const cohort_filter *f);

/* {"knees_without_cost":N,"knees_mixed_currency":N,"currencies":[{"currency":C,
 *  "knees":N,"responders":N,"total":x,"per_responder":x|null},…]} */
void report_json_cost(genu_jw *w, const cost_tally *t);

/* One Kaplan–Meier stratum: {"stratum":name,"n","events","median",
 * "median_ci95":[lo|null,hi|null],"curve":[
 * {"time","n_risk","n_event","n_censor","surv","std_err","lower","upper"},…]}
 * — the shape of `genu survival --format json`, the API and the report. */
void report_json_curve(genu_jw *w, const char *name, const survival_curve *k);
/* The log-rank test: {"chisq","df","p"}, or null when it is not defined. */
void report_json_logrank(genu_jw *w, const survival_logrank *lr);

/* genu claim's JSON (docs/analysis.md), one line with a newline. */
void report_json_claim(genu_buf *b, const analysis_request *q, const claim_answer *ans);

/* genu survival's JSON (docs/analysis.md), one line with a newline. */
void report_json_survival(genu_buf *b, const analysis_request *q, const survival_result *s);

/* `genu survival --competing death` (one line, trailing newline):
 * {"event","competing":"death","as_of","strata":[{"stratum","n","events",
 * "competing_events","curve":[{"time","n_risk","n_event","n_competing",
 * "n_censor","cuminc","std_err"},…]},…],"gray":{"statistic","df","p"}|null} */
void report_json_competing(genu_buf *b, survival_event ev, genu_date as_of,
                           const durability_competing *r);

/* `genu survival --cox` (one line, trailing newline): {"event","as_of",
 * "cox":{"covariates":[…],"n","excluded_missing","events","converged",
 * "loglik":[null model, fitted],"terms":[{"term","coef","hazard_ratio",
 * "std_err","std_err_model","ci95","p"},…],"ph_test":[{"term","chisq","df",
 * "p"},…,{"term":"global",…}]|null,"notes":[…]}}. Not converged: loglik's
 * second value, every term's numbers and ph_test are null. */
void report_json_cox(genu_buf *b, survival_event ev, genu_date as_of, const durability_cox *r);

/* The whole report, one line with a trailing newline. Errors show as b->oom. */
void report_json_write(genu_buf *b, const report *r, const cohort_filter *f);

#endif
