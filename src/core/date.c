/* date: Howard Hinnant's days_from_civil / civil_from_days algorithms. */
#include "core/date.h"

#include <time.h>

genu_date genu_date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (genu_date)(era * 146097 + doe - 719468);
}

void genu_date_to_ymd(genu_date t, int *y, int *m, int *d)
{
    int z = t + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int genu_date_parse(const char *s, size_t n, genu_date *out, genu_err *err)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return GENU_FAIL(err, GENU_EINVAL, "expected a date as YYYY-MM-DD");
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1 || m < 1 || d < 1)
        return GENU_FAIL(err, GENU_EINVAL, "expected a date as YYYY-MM-DD");
    if (m > 12)
        return GENU_FAIL(err, GENU_EINVAL, "month %d does not exist", m);
    if (d > days_in_month(y, m))
        return GENU_FAIL(err, GENU_EINVAL, "%.10s is not a calendar date (month %d has %d days)",
                         s, m, days_in_month(y, m));
    *out = genu_date_from_ymd(y, m, d);
    return GENU_OK;
}

void genu_date_format(genu_date t, char out[GENU_DATE_STRLEN])
{
    int y, m, d;
    genu_date_to_ymd(t, &y, &m, &d);
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

genu_date genu_date_today(void)
{
    return (genu_date)(time(NULL) / 86400);
}

int genu_date_year(genu_date t)
{
    int y, m, d;
    genu_date_to_ymd(t, &y, &m, &d);
    return y;
}
