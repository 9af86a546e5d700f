/* timepoint: parsing and windows of follow-up timepoints (docs/design.md,
 * Analyses "Timepoints and windows"). */
#include "analysis/timepoint.h"

#include <stdio.h>
#include <string.h>

/* N months in days: N × 30.4375 rounded half up, in integers (30.4375 =
 * 304375 / 10000) so no floating-point rounding can move a .5 case. */
static int months_days(int n)
{
    long long num = (long long)n * 304375 + 5000;
    return (int)(num / 10000);
}

static int half_width(int nominal)
{
    if (nominal <= 56)
        return 14;
    if (nominal <= 92)
        return 30;
    if (nominal <= 183)
        return 60;
    if (nominal <= 366)
        return 90;
    return 180;
}

void timepoint_make(int n, char unit, timepoint *out)
{
    memset(out, 0, sizeof *out); /* padding and text's tail too: equal timepoints compare equal */
    out->n = n;
    out->unit = unit;
    if (unit == 'w')
        out->nominal = n * 7;
    else if (unit == 'm')
        out->nominal = months_days(n);
    else
        out->nominal = months_days(12 * n);
    out->half = half_width(out->nominal);
    snprintf(out->text, sizeof out->text, "%d%c", n, unit);
}

int timepoint_parse(const char *s, timepoint *out, genu_err *err)
{
    size_t len = s ? strlen(s) : 0;
    const char *expect = "expected a timepoint like 6w, 3m or 2y (N >= 1 weeks, months or years)";
    if (len < 2 || len > 7 || s[0] < '1' || s[0] > '9')
        return GENU_FAIL(err, GENU_EINVAL, "\"%s\": %s", s ? s : "", expect);
    char unit = s[len - 1];
    if (unit != 'w' && unit != 'm' && unit != 'y')
        return GENU_FAIL(err, GENU_EINVAL, "\"%s\": %s", s, expect);
    int n = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return GENU_FAIL(err, GENU_EINVAL, "\"%s\": %s", s, expect);
        n = n * 10 + (s[i] - '0');
    }
    long long days = unit == 'w' ? 7LL * n : unit == 'm' ? 31LL * n : 366LL * n;
    if (days > TIMEPOINT_MAX_DAYS)
        return GENU_FAIL(err, GENU_EINVAL, "\"%s\": timepoint beyond 100 years", s);
    timepoint_make(n, unit, out);
    return GENU_OK;
}

void timepoint_window(const timepoint *t, genu_date index, genu_date *first, genu_date *last)
{
    genu_date lo = index + t->nominal - t->half;
    if (lo < index + 1)
        lo = index + 1;
    *first = lo;
    *last = index + t->nominal + t->half;
}

int timepoint_closed(const timepoint *t, genu_date index, genu_date as_of)
{
    return index + t->nominal + t->half <= as_of;
}
