/* report_html_parts: what the sections of the HTML report share
 * (report_html.c: the document, its tables and most sections;
 * report_html_survival.c: replacement-free survival and the competing
 * risks). Internal to src/cli; the entry point is report_html.h. */
#ifndef GENU_CLI_REPORT_HTML_PARTS_H
#define GENU_CLI_REPORT_HTML_PARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/report.h"
#include "core/buf.h"

/* The plotting box of a chart with a value axis [vmin, vmax]. */
typedef struct plot {
    double x0, x1, y0, y1;
    double vmin, vmax;
} plot;

#define CHART_W 640.0

/* Stratum g's colour and dash pattern ("" solid). */
const char *rh_colour(size_t g);
const char *rh_dash(size_t g);
/* A p value as the report prints it. */
void rh_p_value(genu_buf *b, double p);
/* Tables: opened with an aria label, a head from '|'-separated column
 * labels ('<' first: aligned left), a row headed by its stratum, closed. */
void rh_open_table(genu_buf *b, const char *label);
void rh_table_head(genu_buf *b, const char *cols);
void rh_stratum_row(genu_buf *b, const char *stratum);
void rh_close_table(genu_buf *b);
/* Charts: the SVG's start with its title, the y of value v, the grid
 * lines and labels at step, and the legend of the strata. */
void rh_svg_open(genu_buf *b, double h, const char *id, const char *title);
double rh_py(const plot *p, double v);
void rh_y_grid(genu_buf *b, const plot *p, double step, bool percent);
void rh_legend(genu_buf *b, const report *r, bool lines);

/* report_html_survival.c: the survival section. */
void rh_survival_section(genu_buf *b, const report *r);

#endif
