/* schedule: parsing the follow-up schedule and reminder days. */
#include "analysis/schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next item of a comma list in [*p, end): trimmed, into out. */
static bool next_item(const char **p, const char *end, char *out, size_t len)
{
    const char *s = *p;
    if (s >= end)
        return false;
    const char *e = s;
    while (e < end && *e != ',')
        e++;
    *p = e < end ? e + 1 : e;
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    size_t n = (size_t)(e - s) < len - 1 ? (size_t)(e - s) : len - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

static int parse_group(schedule *s, const char *g, const char *end, genu_err *err)
{
    const char *colon = memchr(g, ':', (size_t)(end - g));
    if (!colon)
        return GENU_FAIL(err, GENU_EINVAL,
                         "expected TIMEPOINTS: INSTRUMENTS in each group, "
                         "got \"%.*s\"",
                         (int)(end - g > 60 ? 60 : end - g), g);
    if (s->ngroups == SCHEDULE_MAX_TIMEPOINTS)
        return GENU_FAIL(err, GENU_EINVAL, "too many groups");
    size_t gi = s->ngroups++;
    schedule_group *grp = &s->groups[gi];
    char item[32];
    const char *p = colon + 1;
    while (next_item(&p, end, item, sizeof item)) {
        const genu_instrument *in = instrument_find(item);
        if (!in)
            return GENU_FAIL(err, GENU_EINVAL, "unknown instrument \"%s\"",
                             item);
        for (size_t k = 0; k < grp->nins; k++)
            if (grp->ins[k] == in)
                return GENU_FAIL(err, GENU_EINVAL,
                                 "instrument %s twice in one group", item);
        if (grp->nins == SCHEDULE_MAX_INSTRUMENTS)
            return GENU_FAIL(err, GENU_EINVAL,
                             "more than %d instruments in one group",
                             SCHEDULE_MAX_INSTRUMENTS);
        grp->ins[grp->nins++] = in;
    }
    if (grp->nins == 0)
        return GENU_FAIL(err, GENU_EINVAL, "a group asks no instrument");
    p = g;
    bool any = false;
    while (next_item(&p, colon, item, sizeof item)) {
        any = true;
        if (s->yearly >= 0)
            return GENU_FAIL(err, GENU_EINVAL,
                             "\"yearly\" must be the last timepoint");
        if (strcmp(item, "yearly") == 0) {
            s->yearly = (int)gi;
            continue;
        }
        timepoint t;
        genu_err e = {0};
        if (timepoint_parse(item, &t, &e))
            return GENU_FAIL(err, GENU_EINVAL, "\"%s\": %s", item, e.msg);
        if (t.nominal > 366 * SCHEDULE_YEARS)
            return GENU_FAIL(err, GENU_EINVAL, "%s is past %d years", item,
                             SCHEDULE_YEARS);
        for (size_t k = 0; k < s->n; k++)
            if (s->tp[k].nominal == t.nominal)
                return GENU_FAIL(err, GENU_EINVAL,
                                 "%s is scheduled twice (as %s)", item,
                                 s->tp[k].text);
        if (s->n == SCHEDULE_MAX_TIMEPOINTS)
            return GENU_FAIL(err, GENU_EINVAL, "more than %d timepoints",
                             SCHEDULE_MAX_TIMEPOINTS);
        s->tp[s->n] = t;
        s->group[s->n++] = (unsigned char)gi;
    }
    if (!any)
        return GENU_FAIL(err, GENU_EINVAL, "a group names no timepoint");
    return GENU_OK;
}

int schedule_parse(const char *text, schedule *out, genu_err *err)
{
    schedule s = {.yearly = -1};
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, ';');
        if (!e)
            e = p + strlen(p);
        const char *q = p;
        while (q < e && isspace((unsigned char)*q))
            q++;
        if (q < e && parse_group(&s, q, e, err))
            return err->code;
        p = *e ? e + 1 : e;
    }
    if (s.n == 0)
        return GENU_FAIL(err, GENU_EINVAL, "no timepoint scheduled");
    /* ascending nominal day (insertion sort: a handful of entries) */
    for (size_t i = 1; i < s.n; i++)
        for (size_t j = i; j > 0 && s.tp[j - 1].nominal > s.tp[j].nominal; j--) {
            timepoint t = s.tp[j];
            unsigned char g = s.group[j];
            s.tp[j] = s.tp[j - 1];
            s.group[j] = s.group[j - 1];
            s.tp[j - 1] = t;
            s.group[j - 1] = g;
        }
    *out = s;
    return GENU_OK;
}

bool schedule_at(const schedule *s, size_t i, timepoint *tp, const schedule_group **g)
{
    if (i < s->n) {
        *tp = s->tp[i];
        *g = &s->groups[s->group[i]];
        return true;
    }
    if (s->yearly < 0)
        return false;
    /* every 12 months after the largest explicit timepoint */
    int last_months = s->n ? (s->tp[s->n - 1].nominal * 100 + 3043) / 3044 : 0;
    int months = (last_months / 12 + 1 + (int)(i - s->n)) * 12;
    if (months > 12 * SCHEDULE_YEARS)
        return false;
    timepoint_make(months, 'm', tp);
    *g = &s->groups[s->yearly];
    return true;
}

void schedule_format(const schedule *s, char *out, size_t len)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t g = 0; g < s->ngroups; g++) {
        int first = 1;
#define PUT(...) (k += (size_t)snprintf(out + k, k < len ? len - k : 0, __VA_ARGS__))
        if (g)
            PUT("; ");
        for (size_t i = 0; i < s->n; i++)
            if (s->group[i] == g) {
                PUT("%s%s", first ? "" : ",", s->tp[i].text);
                first = 0;
            }
        if (s->yearly == (int)g)
            PUT("%syearly", first ? "" : ",");
        PUT(":");
        for (size_t i = 0; i < s->groups[g].nins; i++)
            PUT("%s%s", i ? "," : " ", s->groups[g].ins[i]->id);
#undef PUT
    }
    if (k >= len && len)
        out[len - 1] = '\0';
}

int schedule_reminders_parse(const char *text, int days[SCHEDULE_MAX_REMINDERS], size_t *n,
                             genu_err *err)
{
    char item[16];
    const char *p = text, *end = text + strlen(text);
    *n = 0;
    if (strcmp(text, "none") == 0)
        return GENU_OK;
    while (next_item(&p, end, item, sizeof item)) {
        char *e;
        long d = item[0] >= '0' && item[0] <= '9' ? strtol(item, &e, 10) : -1;
        if (d < 1 || d > 365 || *e)
            return GENU_FAIL(err, GENU_EINVAL,
                             "\"%s\" is not a whole number of days "
                             "from 1 to 365",
                             item);
        if (*n && d <= days[*n - 1])
            return GENU_FAIL(err, GENU_EINVAL,
                             "days must increase (%ld after %d)", d,
                             days[*n - 1]);
        if (*n == SCHEDULE_MAX_REMINDERS)
            return GENU_FAIL(err, GENU_EINVAL, "at most %d reminders",
                             SCHEDULE_MAX_REMINDERS);
        days[(*n)++] = (int)d;
    }
    return GENU_OK;
}
