/* request: one parser of analysis requests for every front end
 * (request.h). */
#include "analysis/request.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void request_init(analysis_request *r)
{
    memset(r, 0, sizeof *r);
    r->as_of = genu_date_today();
    r->unit = COHORT_UNIT_KNEE;
    r->by = COHORT_BY_NONE;
    r->expect = NAN;
    cohort_filter_init(&r->filter);
    responder_mcids_init(&r->mcids);
}

/* a and b are the same key, reading '-' as '_'. */
static bool same_key(const char *a, size_t an, const char *b)
{
    size_t i = 0;
    for (; i < an && b[i]; i++)
        if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') && (b[i] == '-' || b[i] == '_')))
            return false;
    return i == an && !b[i];
}

/* The mark after key in u's list ('+', '*', '!' or ' '), or 0 when absent. */
static char mark_of(const request_use *u, const char *key)
{
    for (const char *p = u->keys; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        size_t k = n;
        char mark = ' ';
        if (strchr("+*!", p[k - 1]))
            mark = p[--k];
        if (same_key(p, k, key))
            return mark;
        p += n;
    }
    return 0;
}

bool request_accepts(const request_use *u, const char *key, bool *flag)
{
    char m = mark_of(u, key);
    bool shared = same_key("as_of", 5, key) || same_key("unit", 4, key) || cohort_filter_name(key);
    if (flag)
        *flag = m == '!';
    return m || shared;
}

static int bad(genu_err *err, const char *key, const char *what, const char *value)
{
    return GENU_FAIL(err, GENU_EINVAL, "%s: expected %s, not \"%s\"", key, what, value);
}

static int set_flag(bool *out, const char *key, const char *v, genu_err *err)
{
    if (!v || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else
        return bad(err, key, "true or false", v);
    return GENU_OK;
}

static int set_other(analysis_request *r, const char *key, const char *value, genu_err *err)
{
    for (size_t i = 0; i < r->nother; i++)
        if (same_key(key, strlen(key), r->other_key[i])) {
            r->other_val[i] = value;
            return GENU_OK;
        }
    if (r->nother == REQUEST_MAXOTHER || strlen(key) >= sizeof r->other_key[0])
        return GENU_FAIL(err, GENU_EINVAL, "%s: too many arguments", key);
    strcpy(r->other_key[r->nother], key);
    r->other_val[r->nother++] = value;
    return GENU_OK;
}

int request_set(analysis_request *r, const request_use *u, const char *key, const char *value,
                genu_err *err)
{
    const char *filter = cohort_filter_name(key);
    char mark = mark_of(u, key);
    if (mark == '!' && strcmp(key, "cost") == 0)
        return set_flag(&r->cost, key, value, err); /* a bare flag is true */
    if (!value)
        value = "";
    if (same_key("as_of", 5, key)) {
        genu_err e = {0};
        if (genu_date_parse(value, strlen(value), &r->as_of, &e))
            return bad(err, "as_of", "a date YYYY-MM-DD", value);
        return GENU_OK;
    }
    if (same_key("unit", 4, key))
        return cohort_unit_parse(value, &r->unit, err);
    if (filter)
        return cohort_filter_set(&r->filter, filter, value, err);
    if (!mark)
        return GENU_FAIL(err, GENU_EINVAL, "%s: not an argument of %s", key, u->name);
    if (strcmp(key, "by") == 0)
        return cohort_by_parse(value, &r->by, err);
    if (strcmp(key, "mcid") == 0)
        return responder_mcid_set(&r->mcids, value, err);
    if (strcmp(key, "event") == 0) {
        r->has_event = true;
        return survival_event_parse(value, &r->event, err);
    }
    if (strcmp(key, "responder") == 0) {
        if (mark != '*')
            r->ndef = 0; /* given again: the last one counts */
        if (r->ndef == REQUEST_MAXDEF)
            return GENU_FAIL(err, GENU_EINVAL, "responder: at most %d definitions",
                             REQUEST_MAXDEF);
        r->def_text[r->ndef++] = value;
        return GENU_OK;
    }
    if (strcmp(key, "at") == 0) {
        if (mark != '*')
            r->nat = 0;
        if (r->nat == REQUEST_MAXTP)
            return GENU_FAIL(err, GENU_EINVAL, "at: at most %d timepoints", REQUEST_MAXTP);
        if (timepoint_parse(value, &r->at[r->nat], err)) {
            genu_err_prefix(err, "at: ");
            return err->code;
        }
        r->nat++;
        return GENU_OK;
    }
    if (strcmp(key, "expect") == 0) {
        char *end;
        double v = strtod(value, &end);
        if (!*value || *end || !(v >= 0.0 && v <= 1.0))
            return bad(err, "expect", "a rate between 0 and 1 (e.g. 0.75)", value);
        r->expect = v;
        return GENU_OK;
    }
    return set_other(r, key, value, err);
}

static bool given(const analysis_request *r, const char *key)
{
    if (strcmp(key, "responder") == 0)
        return r->ndef > 0;
    if (strcmp(key, "at") == 0)
        return r->nat > 0;
    if (strcmp(key, "expect") == 0)
        return !isnan(r->expect);
    if (strcmp(key, "event") == 0)
        return r->has_event;
    if (strcmp(key, "by") == 0)
        return r->by != COHORT_BY_NONE;
    return request_other(r, key) != NULL;
}

int request_finish(analysis_request *r, const request_use *u, genu_err *err)
{
    for (const char *p = u->keys; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n > 1 && p[n - 1] == '+') {
            char key[32];
            snprintf(key, sizeof key, "%.*s", (int)(n - 1), p);
            if (!given(r, key))
                return GENU_FAIL(err, GENU_EINVAL, "%s: required", key);
        }
        p += n;
    }
    for (size_t i = 0; i < r->ndef; i++)
        if (responder_parse_with(r->def_text[i], &r->mcids, &r->defs[i], err))
            return err->code;
    return GENU_OK;
}

const char *request_other(const analysis_request *r, const char *key)
{
    for (size_t i = 0; i < r->nother; i++)
        if (same_key(key, strlen(key), r->other_key[i]))
            return r->other_val[i];
    return NULL;
}

void request_error_key(const char *msg, char *out, size_t n)
{
    size_t k = strcspn(msg, ": \"");
    if (msg[k] != ':' || k == 0 || k >= n)
        k = 0;
    memcpy(out, msg, k);
    out[k] = '\0';
}
