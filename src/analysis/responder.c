/* responder: measures, definitions and their evaluation (docs/design.md,
 * Analyses). A measure is an instrument's score (docs/instruments.md); its
 * direction and default MCID are the instrument's (src/instruments). */
#include "analysis/responder.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instruments/instrument.h"

/* "nprs.intensity, koos.pain, ..." : the measures with a default MCID. */
static void default_mcid_list(char *out, size_t n)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < instrument_count(); i++) {
        const genu_instrument *in = instrument_at(i);
        for (size_t k = 0; in->mcids && in->mcids[k].key; k++) {
            int w = snprintf(out + at, n - at, "%s%s.%s", at ? ", " : "", in->id,
                             in->mcids[k].key);
            if (w < 0 || (size_t)w >= n - at)
                return;
            at += (size_t)w;
        }
    }
}

int responder_measure_parse(const char *s, responder_measure *out, genu_err *err)
{
    const char *dot = strchr(s, '.');
    responder_measure m;
    memset(&m, 0, sizeof m);
    const genu_instrument *in = NULL;
    if (dot && strlen(s) < sizeof m.name && (size_t)(dot - s) < sizeof m.instrument) {
        memcpy(m.instrument, s, (size_t)(dot - s));
        snprintf(m.key, sizeof m.key, "%s", dot + 1);
        snprintf(m.name, sizeof m.name, "%s", s);
        in = instrument_find(m.instrument);
    }
    if (!in || !instrument_has_score(in, m.key))
        return GENU_FAIL(err, GENU_EINVAL,
                         "unknown measure \"%s\" (expected INSTRUMENT.SCORE, e.g. nprs.intensity)",
                         s);
    m.lower_better = instrument_lower_better(in, m.key);
    m.mcid = instrument_mcid(in, m.key);
    *out = m;
    return GENU_OK;
}

/* A finite decimal number, the whole string. */
static bool parse_num(const char *s, double *out)
{
    if (!*s || strchr(" \t\n+", *s))
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

#define DEF_HELP                                                                                   \
    "expected improvement_pct:MEASURE>=X, change:MEASURE>=X, global_improvement>=X, "             \
    "omeract_oarsi or mcid:MEASURE"

/* "MEASURE>=X" after a prefix. */
static int measure_threshold(const char *s, const char *def, responder_def *d, genu_err *err)
{
    const char *ge = strstr(s, ">=");
    if (!ge)
        return GENU_FAIL(err, GENU_EINVAL, "responder: \"%s\": expected MEASURE>=X", def);
    char name[64];
    size_t n = (size_t)(ge - s);
    if (n >= sizeof name)
        return GENU_FAIL(err, GENU_EINVAL, "responder: unknown measure \"%.*s\"", (int)n, s);
    memcpy(name, s, n);
    name[n] = '\0';
    if (responder_measure_parse(name, &d->m, err)) {
        genu_err_prefix(err, "responder: ");
        return GENU_EINVAL;
    }
    if (!parse_num(ge + 2, &d->threshold))
        return GENU_FAIL(err, GENU_EINVAL,
                         "responder: \"%s\": expected a number after >=, not \"%s\"", def, ge + 2);
    return GENU_OK;
}

void responder_mcids_init(responder_mcids *m)
{
    memset(m, 0, sizeof *m);
}

int responder_mcid_set(responder_mcids *m, const char *text, genu_err *err)
{
    const char *eq = strchr(text, '=');
    char name[64];
    responder_measure meas;
    double v;
    if (!eq || (size_t)(eq - text) >= sizeof name)
        return GENU_FAIL(err, GENU_EINVAL,
                         "mcid: expected MEASURE=VALUE (e.g. eq_vas.score=10), not \"%s\"", text);
    memcpy(name, text, (size_t)(eq - text));
    name[eq - text] = '\0';
    if (responder_measure_parse(name, &meas, err)) {
        genu_err_prefix(err, "mcid: ");
        return GENU_EINVAL;
    }
    if (!parse_num(eq + 1, &v) || v <= 0.0)
        return GENU_FAIL(err, GENU_EINVAL,
                         "mcid: %s: expected a positive number of points, not \"%s\"", name,
                         eq + 1);
    meas.mcid = v;
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->m[i].name, meas.name) == 0) {
            m->m[i] = meas;
            return GENU_OK;
        }
    }
    if (m->n == RESPONDER_MAXMCID)
        return GENU_FAIL(err, GENU_EINVAL, "mcid: at most %d measures", RESPONDER_MAXMCID);
    m->m[m->n++] = meas;
    return GENU_OK;
}

int responder_parse(const char *s, responder_def *out, genu_err *err)
{
    return responder_parse_with(s, NULL, out, err);
}

int responder_parse_with(const char *s, const responder_mcids *mcids, responder_def *out,
                         genu_err *err)
{
    responder_def d;
    memset(&d, 0, sizeof d);
    if (strlen(s) >= sizeof d.text)
        return GENU_FAIL(err, GENU_EINVAL, "responder: definition too long; " DEF_HELP);
    snprintf(d.text, sizeof d.text, "%s", s);
    int rc = GENU_OK;
    if (strncmp(s, "improvement_pct:", 16) == 0) {
        d.kind = RESPONDER_IMPROVEMENT_PCT;
        rc = measure_threshold(s + 16, s, &d, err);
        if (!rc && !d.m.lower_better)
            return GENU_FAIL(err, GENU_EINVAL,
                             "responder: improvement_pct needs a lower-is-better measure; "
                             "\"%s\" is higher-is-better (use change: or mcid:)",
                             d.m.name);
    } else if (strncmp(s, "change:", 7) == 0) {
        d.kind = RESPONDER_CHANGE;
        rc = measure_threshold(s + 7, s, &d, err);
    } else if (strncmp(s, "global_improvement>=", 20) == 0) {
        d.kind = RESPONDER_GLOBAL;
        responder_measure_parse("global_improvement.percent", &d.m, NULL);
        if (!parse_num(s + 20, &d.threshold))
            return GENU_FAIL(err, GENU_EINVAL,
                             "responder: \"%s\": expected a number after >=, not \"%s\"", s,
                             s + 20);
    } else if (strcmp(s, "omeract_oarsi") == 0) {
        d.kind = RESPONDER_OMERACT;
    } else if (strncmp(s, "mcid:", 5) == 0) {
        d.kind = RESPONDER_MCID;
        if (responder_measure_parse(s + 5, &d.m, err)) {
            genu_err_prefix(err, "responder: ");
            return GENU_EINVAL;
        }
        for (size_t i = 0; mcids && i < mcids->n; i++)
            if (strcmp(mcids->m[i].name, d.m.name) == 0)
                d.m.mcid = mcids->m[i].mcid;
        if (isnan(d.m.mcid)) {
            char list[512];
            default_mcid_list(list, sizeof list);
            return GENU_FAIL(err, GENU_EINVAL,
                             "responder: no MCID configured for \"%s\" (defaults exist for "
                             "%s; configure one with mcid MEASURE=VALUE)",
                             d.m.name, list);
        }
        d.threshold = d.m.mcid;
    } else {
        return GENU_FAIL(err, GENU_EINVAL, "responder: \"%s\": " DEF_HELP, s);
    }
    if (rc)
        return rc;
    *out = d;
    return GENU_OK;
}

/* ---- evaluation -------------------------------------------------------- */

static bool ge(double x, double threshold)
{
    return x >= threshold - RESPONDER_TOL;
}

typedef struct window {
    genu_date first, last, target, before;
} window;

static void make_window(const cohort_knee *k, const timepoint *t, window *w)
{
    timepoint_window(t, k->index, &w->first, &w->last);
    w->target = k->index + t->nominal;
    w->before = k->replaced; /* on or after the first replacement: never a follow-up */
}

static void classify(const cohort_knee *k, const window *w, bool has_fu, bool evaluable,
                     responder_outcome *out)
{
    if (!has_fu && k->replaced != GENU_DATE_NONE && k->replaced <= w->last)
        out->status = RESPONDER_CONVERTED;
    else if (!evaluable)
        out->status = RESPONDER_NOT_EVALUABLE;
    else if (!has_fu)
        out->status = RESPONDER_MISSING;
    else
        out->status = RESPONDER_EVALUATED;
}

static void eval_single(const cohort *c, const cohort_knee *k, const responder_def *d,
                        const window *w, responder_outcome *out)
{
    const responder_measure *m = &d->m;
    double b = NAN, f = NAN;
    const genu_record *fu = cohort_nearest(c, k, m->instrument, m->key, w->first, w->last,
                                           w->before, w->target, &f);
    bool evaluable = true;
    if (d->kind != RESPONDER_GLOBAL) {
        const genu_record *base = cohort_latest(c, k, m->instrument, m->key, k->index - 90,
                                                k->index, GENU_DATE_NONE, &b);
        evaluable = base != NULL && !(d->kind == RESPONDER_IMPROVEMENT_PCT && b <= 0.0);
    }
    classify(k, w, fu != NULL, evaluable, out);
    if (fu) {
        out->followup = f;
        out->followup_date = fu->date;
    }
    out->baseline = b;
    if (out->status != RESPONDER_EVALUATED)
        return;
    switch (d->kind) {
    case RESPONDER_GLOBAL:
        out->responder = ge(f, d->threshold);
        return;
    case RESPONDER_IMPROVEMENT_PCT:
        out->change = b - f;
        out->responder = ge((b - f) / b * 100.0, d->threshold);
        return;
    default:
        out->change = m->lower_better ? b - f : f - b;
        out->responder = ge(out->change, d->threshold);
        return;
    }
}

/* OMERACT-OARSI: one source of a domain on a 0-100 higher-worse scale. */
typedef struct source {
    const char *instrument, *key;
    double scale, offset; /* value' = offset + scale × value */
} source;

static const source pain_sources[] = {
    {"nprs", "intensity", 10.0, 0.0},
    {"womac", "pain_norm", 1.0, 0.0},
    {"womac_nrs", "pain_norm", 1.0, 0.0},
    {"koos", "womac.pain_norm", 1.0, 0.0},
};
static const source function_sources[] = {
    {"womac", "function_norm", 1.0, 0.0},
    {"womac_nrs", "function_norm", 1.0, 0.0},
    {"koos", "womac.function_norm", 1.0, 0.0},
    {"koos", "adl", -1.0, 100.0},
};
static const source global_sources[] = {
    {"patient_global", "score", 1.0, 0.0},
};

typedef struct domain {
    bool any_baseline; /* some source has a baseline */
    bool resolved;     /* some source has both: b and f below are its values */
    double b, f;
    genu_date f_date;
} domain;

static void eval_domain(const cohort *c, const cohort_knee *k, const window *w,
                        const source *src, size_t n, domain *dom)
{
    memset(dom, 0, sizeof *dom);
    for (size_t i = 0; i < n && !dom->resolved; i++) {
        double b, f;
        if (!cohort_latest(c, k, src[i].instrument, src[i].key, k->index - 90, k->index,
                           GENU_DATE_NONE, &b))
            continue;
        dom->any_baseline = true;
        const genu_record *fu = cohort_nearest(c, k, src[i].instrument, src[i].key, w->first,
                                               w->last, w->before, w->target, &f);
        if (!fu)
            continue;
        dom->resolved = true;
        dom->b = src[i].offset + src[i].scale * b;
        dom->f = src[i].offset + src[i].scale * f;
        dom->f_date = fu->date;
    }
}

static bool improves(const domain *d, double rel, double abs_)
{
    if (!d->resolved || d->b <= 0.0)
        return false;
    double diff = d->b - d->f;
    return ge(diff / d->b * 100.0, rel) && ge(diff, abs_);
}

static void eval_omeract(const cohort *c, const cohort_knee *k, const window *w,
                         responder_outcome *out)
{
    domain pain, func, glob;
    eval_domain(c, k, w, pain_sources, sizeof pain_sources / sizeof pain_sources[0], &pain);
    eval_domain(c, k, w, function_sources, sizeof function_sources / sizeof function_sources[0],
                &func);
    eval_domain(c, k, w, global_sources, 1, &glob);
    bool has_fu = pain.resolved || func.resolved;
    classify(k, w, has_fu, pain.any_baseline || func.any_baseline, out);
    if (has_fu)
        out->followup_date = pain.resolved ? pain.f_date : func.f_date;
    if (out->status != RESPONDER_EVALUATED)
        return;
    bool high = improves(&pain, 50.0, 20.0) || improves(&func, 50.0, 20.0);
    int moderate = improves(&pain, 20.0, 10.0) + improves(&func, 20.0, 10.0) +
                   improves(&glob, 20.0, 10.0);
    out->responder = high || moderate >= 2;
}

size_t responder_sources(const responder_def *d, const char **instrument, const char **key,
                         size_t max)
{
    if (d->kind != RESPONDER_OMERACT) {
        if (max > 0) {
            instrument[0] = d->m.instrument;
            key[0] = d->m.key;
        }
        return 1;
    }
    static const struct {
        const source *src;
        size_t n;
    } domains[] = {
        {pain_sources, sizeof pain_sources / sizeof pain_sources[0]},
        {function_sources, sizeof function_sources / sizeof function_sources[0]},
        {global_sources, sizeof global_sources / sizeof global_sources[0]},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++)
        for (size_t j = 0; j < domains[i].n; j++, n++)
            if (n < max) {
                instrument[n] = domains[i].src[j].instrument;
                key[n] = domains[i].src[j].key;
            }
    return n;
}

size_t responder_instruments(const responder_def *defs, size_t ndef, const char **out,
                             size_t max)
{
    size_t n = 0;
    for (size_t d = 0; d < ndef; d++) {
        const char *ins[16], *key[16];
        size_t m = responder_sources(&defs[d], ins, key, 16);
        assert(m <= 16);
        for (size_t i = 0; i < m; i++) {
            const genu_instrument *in = instrument_find(ins[i]);
            if (!in)
                continue; /* a parsed measure names a known instrument */
            size_t j = 0;
            while (j < n && j < max && out[j] != in->id)
                j++;
            if (j == n) {
                if (n < max)
                    out[n] = in->id;
                n++;
            }
        }
    }
    return n;
}

void responder_eval(const cohort *c, const cohort_knee *k, const responder_def *d,
                    const timepoint *t, responder_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->baseline = out->followup = out->change = NAN;
    out->followup_date = GENU_DATE_NONE;
    out->eligible = timepoint_closed(t, k->index, c->as_of);
    window w;
    make_window(k, t, &w);
    if (d->kind == RESPONDER_OMERACT)
        eval_omeract(c, k, &w, out);
    else
        eval_single(c, k, d, &w, out);
}
