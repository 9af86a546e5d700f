/* date: calendar dates as days since 1970-01-01 (proleptic Gregorian). Text
 * is parsed only at the edges, strictly as YYYY-MM-DD. */
#ifndef GENU_CORE_DATE_H
#define GENU_CORE_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef int32_t genu_date;

#define GENU_DATE_NONE INT32_MIN
#define GENU_DATE_STRLEN 11 /* "YYYY-MM-DD" and the NUL */

/* Days since the epoch for a valid y-m-d (years 1..9999). */
genu_date genu_date_from_ymd(int y, int m, int d);
void genu_date_to_ymd(genu_date t, int *y, int *m, int *d);

/* Parses exactly YYYY-MM-DD (n bytes, no NUL needed) with a real day of that
 * month: 2023-02-30 and 2023-2-3 are GENU_EINVAL. */
int genu_date_parse(const char *s, size_t n, genu_date *out, genu_err *err);
/* Writes "YYYY-MM-DD" and a NUL into out. */
void genu_date_format(genu_date t, char out[GENU_DATE_STRLEN]);
/* Today in UTC. */
genu_date genu_date_today(void);
int genu_date_year(genu_date t);

#endif
