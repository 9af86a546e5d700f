/* fuzz_query: libFuzzer target for the parsers of an analysis request's
 * query string (GET /api/v1/claim, /survival, /report; the CLI's cohort
 * options are the same parsers): cohort filters (analysis/cohort.h
 * cohort_filter_set), unit and strata (cohort_unit_parse, cohort_by_parse),
 * timepoints (analysis/timepoint.h timepoint_parse), responder definitions
 * and MCIDs (analysis/responder.h responder_parse_with, responder_mcid_set)
 * and the as-of date (core/date.h genu_date_parse).
 *
 * The input, cut at its first NUL byte, is a decoded query string:
 * NAME=VALUE pairs separated by '&', dispatched as http/analyses.c does
 * (as_of, unit, by, at, responder, mcid, else a cohort filter; an unknown
 * name must be refused by cohort_filter_set). Responder definitions are
 * parsed after every mcid, as the report does. Then the parsed options are
 * used: a cohort is built over a small fixed dataset (the base registry of
 * fuzz_common.h), every knee gets its stratum, and every definition is
 * evaluated at every timepoint.
 *
 * Invariants:
 * - an error has a code and a message;
 * - an accepted date, timepoint, unit, stratum or responder definition is
 *   written canonically: its canonical text is the input, and it parses
 *   again to the same value;
 * - timepoints lie in 1..TIMEPOINT_MAX_DAYS days with a window;
 * - the filter remembers each set filter once, by its known name, with the
 *   last value given;
 * - cohort_build succeeds on a sorted dataset; strata are text; outcomes
 *   are one of the count categories. */
#define FUZZ_NAME "fuzz_query"
#include "fuzz_common.h"

#include <math.h>

#include "analysis/cohort.h"
#include "analysis/responder.h"
#include "analysis/timepoint.h"
#include "core/arena.h"
#include "core/date.h"

#define MAXTP  8
#define MAXDEF 8

static genu_dataset ds;

static void load_dataset(void)
{
    static genu_arena *a;
    if (a)
        return;
    genu_err err = {0};
    if (!(a = genu_arena_create()) || store_load(fuzz_base(false), a, &ds, &err))
        die("cannot load the base dataset", err.msg);
}

static void bad(int rc, const genu_err *err, const char *what)
{
    fuzz_say("  %s", err->msg);
    if (rc != GENU_EINVAL || err->code != rc || !err->msg[0])
        die(what, err->msg);
}

static bool same_def(const responder_def *a, const responder_def *b)
{
    return a->kind == b->kind && strcmp(a->text, b->text) == 0 &&
           strcmp(a->m.name, b->m.name) == 0 &&
           (a->threshold == b->threshold || (isnan(a->threshold) && isnan(b->threshold)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = fuzz_cstr(data, size);
    cohort_filter f;
    cohort_filter_init(&f);
    cohort_unit unit = COHORT_UNIT_KNEE;
    cohort_by by = COHORT_BY_NONE;
    genu_date as_of = genu_date_from_ymd(2026, 1, 1);
    timepoint tps[MAXTP];
    size_t ntp = 0, ndef = 0;
    const char *defs[MAXDEF];
    responder_mcids mcids;
    responder_mcids_init(&mcids);
    const char *last[32] = {0}; /* the last value given per filter name, by index in f */

    for (char *p = q; p;) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        char *k = p, *eq = strchr(p, '=');
        const char *v = "";
        p = amp ? amp + 1 : NULL;
        if (!*k)
            continue;
        if (eq) {
            *eq = '\0';
            v = eq + 1;
        }
        genu_err err = {0};
        int rc;
        fuzz_say("%s=%s", k, v);
        if (strcmp(k, "as_of") == 0) {
            genu_date d;
            if ((rc = genu_date_parse(v, strlen(v), &d, &err)) != GENU_OK) {
                bad(rc, &err, "a date error without its code or message");
                continue;
            }
            char text[GENU_DATE_STRLEN];
            genu_date_format(d, text);
            if (strcmp(text, v) != 0)
                die("an accepted date is not written canonically", v);
            as_of = d;
        } else if (strcmp(k, "unit") == 0) {
            if ((rc = cohort_unit_parse(v, &unit, &err)) != GENU_OK)
                bad(rc, &err, "a unit error without its code or message");
            else if (strcmp(v, unit == COHORT_UNIT_KNEE ? "knee" : "patient") != 0)
                die("an accepted unit is not written canonically", v);
        } else if (strcmp(k, "by") == 0) {
            cohort_by b;
            if ((rc = cohort_by_parse(v, &b, &err)) != GENU_OK) {
                bad(rc, &err, "a by error without its code or message");
                continue;
            }
            const char *name = cohort_by_name(b);
            if (!name || strcmp(name, v) != 0)
                die("an accepted stratum is not written canonically", v);
            by = b;
        } else if (strcmp(k, "at") == 0) {
            timepoint t, t2;
            genu_err e2 = {0};
            if ((rc = timepoint_parse(v, &t, &err)) != GENU_OK) {
                bad(rc, &err, "a timepoint error without its code or message");
                continue;
            }
            if (t.n < 1 || t.nominal < 1 || t.nominal > TIMEPOINT_MAX_DAYS || t.half < 0 ||
                !memchr(t.text, 0, sizeof t.text))
                die("a timepoint out of range", v);
            if (strcmp(t.text, v) != 0)
                die("an accepted timepoint is not written canonically", v);
            if (timepoint_parse(t.text, &t2, &e2) != GENU_OK || memcmp(&t, &t2, sizeof t) != 0)
                die("a timepoint's text does not parse to itself", v);
            if (ntp < MAXTP)
                tps[ntp++] = t;
        } else if (strcmp(k, "responder") == 0) {
            if (ndef < MAXDEF)
                defs[ndef++] = v;
        } else if (strcmp(k, "mcid") == 0) {
            size_t before = mcids.n;
            if ((rc = responder_mcid_set(&mcids, v, &err)) != GENU_OK)
                bad(rc, &err, "an mcid error without its code or message");
            else if (mcids.n > RESPONDER_MAXMCID || mcids.n < before ||
                     !(mcids.m[mcids.n - 1].mcid > 0))
                die("responder_mcid_set broke its table", v);
        } else {
            bool known = cohort_filter_known(k);
            rc = cohort_filter_set(&f, k, v, &err);
            if (rc != GENU_OK) {
                bad(rc, &err, "a filter error without its code or message");
                if (strncmp(err.msg, k, strlen(k)) != 0 || err.msg[strlen(k)] != ':')
                    die("a filter error that does not name the filter", err.msg);
                cohort_filter_init(&f); /* a refused request goes no further */
                memset(last, 0, sizeof last);
                continue;
            }
            if (!known)
                die("cohort_filter_set accepted an unknown filter", k);
            if (f.nset > COHORT_NFILTER)
                die("the filter remembers too many", NULL);
            size_t hits = 0;
            for (size_t i = 0; i < f.nset; i++)
                if (f.name[i] && strcmp(f.name[i], k) == 0) {
                    hits++;
                    last[i] = v;
                }
            if (hits != 1)
                die("a set filter is not remembered exactly once", k);
        }
    }
    for (size_t i = 0; i < f.nset; i++)
        if (!f.name[i] || !cohort_filter_known(f.name[i]) || (last[i] && f.value[i] != last[i]))
            die("the filter does not remember the last value given", f.name[i]);

    responder_def rd[MAXDEF];
    size_t nrd = 0;
    for (size_t i = 0; i < ndef; i++) {
        genu_err err = {0}, e2 = {0};
        responder_def d, d2;
        int rc = responder_parse_with(defs[i], &mcids, &d, &err);
        fuzz_say("responder %s: %s", defs[i], rc ? err.msg : "parsed");
        if (rc != GENU_OK) {
            bad(rc, &err, "a responder error without its code or message");
            if (strncmp(err.msg, "responder: ", 11) != 0)
                die("a responder error that does not name the argument", err.msg);
            continue;
        }
        if (strcmp(d.text, defs[i]) != 0)
            die("a responder definition is not kept as written", defs[i]);
        if (responder_parse_with(d.text, &mcids, &d2, &e2) != GENU_OK || !same_def(&d, &d2))
            die("a responder definition's text does not parse to itself", defs[i]);
        if (d.kind != RESPONDER_OMERACT && !isfinite(d.threshold))
            die("a responder threshold that is not a number", defs[i]);
        rd[nrd++] = d;
    }

    load_dataset();
    genu_arena *a = genu_arena_create();
    if (!a)
        die("out of memory", NULL);
    cohort c;
    genu_err err = {0};
    if (cohort_build(&ds, &f, unit, as_of, a, &c, &err) != GENU_OK)
        die("cohort_build failed on the base dataset", err.msg);
    fuzz_say("%zu knees in the cohort", c.nknee);
    for (size_t i = 0; i < c.nknee; i++) {
        const cohort_knee *k = &c.knees[i];
        if (!cohort_stratum(&c, k, by, a))
            die("a knee without a stratum", NULL);
        for (size_t d = 0; d < nrd; d++)
            for (size_t t = 0; t < ntp; t++) {
                responder_outcome o;
                responder_eval(&c, k, &rd[d], &tps[t], &o);
                if (o.eligible &&
                    (o.status < RESPONDER_CONVERTED || o.status > RESPONDER_EVALUATED))
                    die("an outcome in no count category", rd[d].text);
                if (o.responder && o.status != RESPONDER_EVALUATED)
                    die("a responder that was not evaluated", rd[d].text);
            }
    }
    genu_arena_destroy(a);
    free(q);
    return 0;
}
