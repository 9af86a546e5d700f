/* timepoint: follow-up timepoints ("6w", "3m", "2y"; docs/design.md, Analyses
 * "Timepoints and windows"): the nominal day after the index date and the
 * window around it. Pure. */
#ifndef GENU_ANALYSIS_TIMEPOINT_H
#define GENU_ANALYSIS_TIMEPOINT_H

#include "core/date.h"
#include "core/err.h"

typedef struct timepoint {
    int n;        /* N >= 1 */
    char unit;    /* 'w', 'm' or 'y' */
    int nominal;  /* days after the index date */
    int half;     /* h: the window is nominal ± h (window_days in JSON) */
    char text[16];/* canonical text, e.g. "48m" */
} timepoint;

/* Largest accepted N × unit, so that day arithmetic cannot overflow. */
#define TIMEPOINT_MAX_DAYS 36525

/* Parses Nw (N × 7 days), Nm (N × 30.4375 rounded half up) or Ny (12N
 * months): N a decimal integer >= 1 without sign or leading zero, the unit
 * letter lower-case, nothing else. GENU_EINVAL ("expected a timepoint like
 * 6w, 3m or 2y") otherwise; *out is written only on success. */
int timepoint_parse(const char *s, timepoint *out, genu_err *err);

/* Builds the timepoint for a nominal day count and unit (used for the
 * scheduled timepoints); n >= 1. */
void timepoint_make(int n, char unit, timepoint *out);

/* The window's first and last day for a knee indexed on `index`: nominal ± h,
 * both ends included, never starting before index + 1. */
void timepoint_window(const timepoint *t, genu_date index, genu_date *first, genu_date *last);

/* The window has closed by as_of: index + nominal + h <= as_of. */
int timepoint_closed(const timepoint *t, genu_date index, genu_date as_of);

#endif
