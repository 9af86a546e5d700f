/* report_html: `genu report --format html`, one self-contained HTML file
 * (inline CSS and SVG, no scripts, no external resources) a researcher can
 * e-mail. Every string from the data is escaped. */
#ifndef GENU_CLI_REPORT_HTML_H
#define GENU_CLI_REPORT_HTML_H

#include "analysis/cohort.h"
#include "analysis/report.h"
#include "core/buf.h"

/* The whole document. Errors show as b->oom. */
void report_html_write(genu_buf *b, const report *r, const cohort_filter *f);

#endif
