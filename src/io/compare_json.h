/* compare_json: the JSON of `genu compare` and GET /api/v1/compare
 * (docs/analysis.md, "Adjusted comparisons"), shared by the CLI and the
 * server. */
#ifndef GENU_IO_COMPARE_JSON_H
#define GENU_IO_COMPARE_JSON_H

#include "analysis/cohort.h"
#include "analysis/compare.h"
#include "core/buf.h"
#include "core/date.h"

/* One line with a trailing newline:
 * {"compare":{"responder","at","exposure","adjust":[…],"filters":{…}},
 *  "as_of","unit","counts":{"analysed","excluded_missing","n"},
 *  "groups":{"exposed":{"n","responders","rate"},"unexposed":{…}},
 *  "crude":{"difference","ci95"},
 *  "logistic":{"converged","terms":[{"term","coef","odds_ratio","std_err",
 *  "std_err_model","ci95","p"},…]},
 *  "standardised":{"risk_exposed","risk_unexposed","difference",
 *  "difference_ci95","ratio","ratio_ci95"},"notes":[…]}
 * Numbers that are not defined are null. Errors show as b->oom. */
void compare_json_write(genu_buf *b, const compare_spec *s, const compare_result *r,
                        const cohort_filter *f, genu_date as_of, cohort_unit unit);

#endif
