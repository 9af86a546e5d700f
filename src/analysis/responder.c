/* responder: measures, definitions and their evaluation (docs/design.md,
 * Analyses). The table of measures mirrors the instruments' score names
 * (docs/instruments.md); directions and default MCIDs are those of
 * docs/design.md, Analyses "Measures" and "Responder definitions". */
#include "analysis/responder.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WOMAC_KEYS "pain stiffness function total pain_norm stiffness_norm function_norm total_norm"

static const struct {
    const char *instrument;
    const char *keys; /* space-separated score keys */
    bool lower_better;
} instruments[] = {
    {"nprs", "intensity", true},
    {"pain_frequency", "percent", true},
    {"sleep", "interrupted nights_per_week", true},
    {"global_improvement", "percent", false},
    {"sane", "percent", false},
    {"patient_global", "score", true},
    {"eq_vas", "score", false},
    {"koos", "pain symptoms adl sport_rec qol koos_jr koos_ps", false},
    {"koos_jr", "score", false},
    {"koos_ps", "score", false},
    {"womac", WOMAC_KEYS, true},
    {"womac_nrs", WOMAC_KEYS, true},
    {"ikdc", "score", false},
    {"lysholm", "score", false},
    {"tegner", "level", false},
    {"rom", "flexion_deg extension_deg", false},
};

static const struct {
    const char *measure;
    double mcid;
} default_mcids[] = {
    {"nprs.intensity", 2.0}, {"koos.pain", 8.0},      {"koos.symptoms", 8.0},
    {"koos.adl", 8.0},       {"koos.sport_rec", 8.0}, {"koos.qol", 8.0},
    {"ikdc.score", 11.5},    {"lysholm.score", 5.5},  {"koos_ps.score", 2.2},
    {"koos.koos_ps", 2.2},
};

static bool in_list(const char *list, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = list; *p;) {
        const char *sp = strchr(p, ' ');
        size_t m = sp ? (size_t)(sp - p) : strlen(p);
        if (m == n && memcmp(p, key, n) == 0)
            return true;
        if (!sp)
            break;
        p = sp + 1;
    }
    return false;
}

int responder_measure_parse(const char *s, responder_measure *out, genu_err *err)
{
    const char *dot = strchr(s, '.');
    responder_measure m;
    memset(&m, 0, sizeof m);
    if (!dot || strlen(s) >= sizeof m.name || (size_t)(dot - s) >= sizeof m.instrument)
        return GENU_FAIL(err, GENU_EINVAL,
                         "unknown measure \"%s\" (expected INSTRUMENT.SCORE, e.g. nprs.intensity)",
                         s);
    memcpy(m.instrument, s, (size_t)(dot - s));
    snprintf(m.key, sizeof m.key, "%s", dot + 1);
    snprintf(m.name, sizeof m.name, "%s", s);
    bool found = false;
    for (size_t i = 0; i < sizeof instruments / sizeof instruments[0] && !found; i++) {
        if (strcmp(instruments[i].instrument, m.instrument) != 0)
            continue;
        m.lower_better = instruments[i].lower_better;
        if (in_list(instruments[i].keys, m.key))
            found = true;
        /* WOMAC derived from a KOOS: koos.womac.<womac score>, higher = worse */
        if (strcmp(m.instrument, "koos") == 0 && strncmp(m.key, "womac.", 6) == 0 &&
            in_list(WOMAC_KEYS, m.key + 6)) {
            found = true;
            m.lower_better = true;
        }
    }
    if (!found)
        return GENU_FAIL(err, GENU_EINVAL,
                         "unknown measure \"%s\" (expected INSTRUMENT.SCORE, e.g. nprs.intensity)",
                         s);
    if (strcmp(s, "rom.extension_deg") == 0)
        m.lower_better = true;
    m.mcid = NAN;
    for (size_t i = 0; i < sizeof default_mcids / sizeof default_mcids[0]; i++)
        if (strcmp(default_mcids[i].measure, s) == 0)
            m.mcid = default_mcids[i].mcid;
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
        if (isnan(d.m.mcid))
            return GENU_FAIL(err, GENU_EINVAL,
                             "responder: no MCID configured for \"%s\" (defaults exist for "
                             "nprs.intensity, the KOOS subscales, ikdc.score, lysholm.score and "
                             "koos_ps.score; genu report takes --mcid MEASURE=VALUE)",
                             d.m.name);
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
