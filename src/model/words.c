/* words: durations, changes, timepoints and labels for people. */
#include "model/words.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/vocab.h"

#define MONTH_DAYS 30.4375
#define YEAR_DAYS  365.25

char *words_number(long v, char *out, size_t n)
{
    static const char *const w[] = {"zero",    "one",     "two",       "three",    "four",
                                    "five",    "six",     "seven",     "eight",    "nine",
                                    "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                                    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
                                    "twenty"};
    if (v >= 0 && v <= 20)
        snprintf(out, n, "%s", w[v]);
    else
        snprintf(out, n, "%ld", v);
    return out;
}

static char *count(long v, const char *unit, unsigned flags, char *out, size_t n)
{
    char num[24];
    if (flags & WORDS_SPELLED)
        words_number(v, num, sizeof num);
    else
        snprintf(num, sizeof num, "%ld", v);
    snprintf(out, n, "%s %s%s", num, unit, v == 1 ? "" : "s");
    return out;
}

char *words_duration(long days, unsigned flags, char *out, size_t n)
{
    long d = labs(days);
    if (d <= 13)
        return count(d, "day", flags, out, n);
    if (d <= 60)
        return count(lround((double)d / 7.0), "week", flags, out, n);
    if (d < 548) /* a year and a half */
        return count(lround((double)d / MONTH_DAYS), "month", flags, out, n);
    return count(lround((double)d / YEAR_DAYS), "year", flags, out, n);
}

static void value(double v, double max, char *out, size_t n)
{
    if (max > 0)
        snprintf(out, n, "%g/%g", v, max);
    else
        snprintf(out, n, "%g", v);
}

char *words_change(const char *what, double before, double after, double max, bool lower_better,
                   char *out, size_t n)
{
    char b[32], a[32];
    value(before, max, b, sizeof b);
    value(after, max, a, sizeof a);
    if (after == before)
        snprintf(out, n, "%s unchanged at %s", what, a);
    else
        snprintf(out, n, "%s %s from %s to %s", what,
                 (after < before) == lower_better ? "improved" : "worsened", b, a);
    return out;
}

char *words_points(double delta, bool lower_better, char *out, size_t n)
{
    double m = fabs(delta);
    if (m == 0) {
        snprintf(out, n, "no change");
        return out;
    }
    snprintf(out, n, "%g point%s %s", m, m == 1 ? "" : "s",
             (delta < 0) == lower_better ? "better" : "worse");
    return out;
}

char *words_timepoint(int weeks, int months, char *out, size_t n)
{
    if (weeks > 0 && months == 0)
        snprintf(out, n, "%dw", weeks);
    else if (months > 24 && months % 12 == 0)
        snprintf(out, n, "%d y", months / 12);
    else
        snprintf(out, n, "%dm", months);
    return out;
}

char *words_timepoint_text(const char *text, char *out, size_t n)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end != text && v > 0 && v < 10000 && end[1] == '\0') {
        if (*end == 'w')
            return words_timepoint((int)v, 0, out, n);
        if (*end == 'm')
            return words_timepoint(0, (int)v, out, n);
        if (*end == 'y')
            return words_timepoint(0, (int)v * 12, out, n);
    }
    snprintf(out, n, "%s", text);
    return out;
}

char *words_codes(const char *codes, char *out, size_t n)
{
    size_t used = 0;
    if (n)
        out[0] = '\0';
    for (const char *p = codes; *p && used + 1 < n;) {
        size_t len = strcspn(p, ",+");
        while (len && p[len - 1] == ' ')
            len--;
        char code[64];
        size_t cl = len < sizeof code - 1 ? len : sizeof code - 1;
        memcpy(code, p, cl);
        code[cl] = '\0';
        const char *label = vocab_label(code);
        int w = label ? snprintf(out + used, n - used, "%s", label)
                      : snprintf(out + used, n - used, "%s", code);
        if (!label)
            for (size_t i = used; out[i]; i++)
                out[i] = out[i] == '_' ? ' ' : out[i];
        used = w < 0 ? used : used + (size_t)w >= n ? n - 1 : used + (size_t)w;
        p += strcspn(p, ",+");
        if (!*p)
            break;
        const char *sep = *p == '+' ? " and " : ", ";
        p++;
        while (*p == ' ')
            p++;
        w = snprintf(out + used, n - used, "%s", sep);
        used = w < 0 ? used : used + (size_t)w >= n ? n - 1 : used + (size_t)w;
    }
    return out;
}
