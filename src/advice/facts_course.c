/* facts_course: the knee's own course of injection series and their
 * response, what the registry's similar knees did next, and how similar
 * knees responded (docs/advice.md "Facts": course.*, last.*, prev.*,
 * next_step.*, similar.*). The record's other facts are facts.c's. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice/facts_build.h"
#include "advice/facts_ids.h"
#include "analysis/claim.h"
#include "analysis/cohort.h"
#include "core/vec.h"
#include "model/vocab.h"
#include "model/words.h"

/* ---- the knee's own course: injection series and their response -------- */

/* Strength of an injection kind, for repeat or escalate: cells 3, PRP 2,
 * prolotherapy 1, other injections (corticosteroid, hyaluronic acid) 0. */
static int kind_strength(int kind)
{
    const vocab_kind *k = vocab_kind_at(kind);
    if (!k || !(k->flags & VOCAB_INJECTION))
        return -1;
    if (!(k->flags & VOCAB_REGENERATIVE))
        return 0;
    if (strcmp(k->name, "dextrose_prolotherapy") == 0)
        return 1;
    if (strcmp(k->name, "prp") == 0)
        return 2;
    return 3;
}

static const char *const strength_family[] = {"other", "prolotherapy", "prp", "cells"};
static const char *const strength_words[] = {"other injections", "prolotherapy", "PRP",
                                             "cell-based injections"};

/* Helped: at best 30% or more below before; waned: then back within 20% of
 * before (the waning_response thresholds, docs/advice.md). */
#define HELPED_PCT 30.0
#define WANED_PCT  20.0
/* Sessions of the knee's course more than six months apart are two series
 * (a repeat): the longest interval within a published series is five
 * months (docs/sources.md#002 case history 3). */
#define COURSE_GAP_DAYS 182
/* Too early to call a series that never helped. */
#define NEVER_DAYS 90

typedef struct injection_series {
    genu_date first, last, end; /* end: the next series' first day, else as-of */
    int strength;
    uint32_t kinds;
    size_t sessions;
    ids recs;
    const genu_record *rbefore, *rbest, *rnow, *rback;
    double before, best, now, back;
    bool helped, waned, never;
} injection_series;

/* The knee's injection series: treatment days in order, a new series when
 * the day's strongest kind differs from the series' or after a gap of more
 * than six months; then the pain around each. *n series in the arena. */
static injection_series *injection_series_of(ctx *c, size_t *n)
{
    *n = 0;
    injection_series *v = NULL;
    size_t cap = 0;
    genu_date day = GENU_DATE_NONE;
    int day_strength = -1;
    size_t lo, hi;
    fb_span(c, GENU_REC_TREATMENT, &lo, &hi);
    const genu_record *t = c->ds->recs[GENU_REC_TREATMENT];
    for (size_t i = lo; i < hi; i++) {
        const genu_record *r = &t[i];
        int st = kind_strength(r->u.treatment.kind);
        if (r->knee != c->knee || st < 0)
            continue;
        if (r->date != day) {
            /* the day's strongest kind decides its series */
            day = r->date;
            day_strength = st;
            for (size_t j = i + 1; j < hi && t[j].date == day; j++)
                if (t[j].knee == c->knee && kind_strength(t[j].u.treatment.kind) > day_strength)
                    day_strength = kind_strength(t[j].u.treatment.kind);
            injection_series *cur = *n ? &v[*n - 1] : NULL;
            if (!cur || cur->strength != day_strength || day - cur->last > COURSE_GAP_DAYS) {
                injection_series *nv = genu_vec_room_arena(c->a, v, &cap, *n, sizeof *nv, 4);
                if (!nv) {
                    c->oom = true;
                    *n = 0;
                    return NULL;
                }
                v = nv;
                cur = &v[(*n)++];
                memset(cur, 0, sizeof *cur);
                cur->first = day;
                cur->strength = day_strength;
            }
            cur->last = day;
            cur->sessions++;
        }
        injection_series *cur = &v[*n - 1];
        cur->kinds |= 1u << r->u.treatment.kind;
        fb_ids_add(c, &cur->recs, r->id);
    }
    for (size_t i = 0; i < *n; i++) {
        injection_series *s = &v[i];
        s->end = i + 1 < *n ? v[i + 1].first : c->as_of;
        s->rbefore = fb_latest_nprs(c, s->first - BASELINE_DAYS, s->first, &s->before);
        /* scores after the first day up to the next series' first day (its
         * baseline is where this one's pain stood) */
        EACH(c, GENU_REC_RESPONSE, r)
        {
            if (r->date <= s->first || r->date > s->end ||
                strcmp(r->u.response.instrument, "nprs") != 0)
                continue;
            double x = record_score(r, "intensity");
            if (isnan(x))
                continue;
            if (!s->rbest || x < s->best) {
                s->rbest = r;
                s->best = x;
                s->rback = NULL; /* a return counts after the best */
            }
            s->rnow = r;
            s->now = x;
            if (s->rbefore && !s->rback && r->date > s->rbest->date &&
                fb_improvement(s->before, x) <= WANED_PCT) {
                s->rback = r;
                s->back = x;
            }
        }
        if (!s->rbefore || !s->rbest)
            continue;
        s->helped = fb_improvement(s->before, s->best) >= HELPED_PCT;
        s->waned = s->helped && s->rback;
        s->never = !s->helped && s->rnow->date - s->first >= NEVER_DAYS;
    }
    return v;
}

/* The series' pain in words: "pain improved from 6/10 to 3/10 by 2023-03-01
 * and was back to 5/10 on 2023-10-01, 9 months after the series began". */
static const char *course_text(ctx *c, const injection_series *s)
{
    if (!s->rbefore)
        return "no pain score before it began";
    if (!s->rbest)
        return "no pain score since it began";
    char ch[WORDS_MAX], d1[GENU_DATE_STRLEN], d2[GENU_DATE_STRLEN], dur[WORDS_MAX];
    words_change("pain", s->before, s->best, 10, true, ch, sizeof ch);
    genu_date_format(s->rbest->date, d1);
    if (s->waned) {
        genu_date_format(s->rback->date, d2);
        if (s->rback->date <= s->last)
            return genu_arena_printf(c->a, "%s by %s and was back to %g/10 on %s, before the "
                                           "series ended", ch, d1, s->back, d2);
        words_duration(s->rback->date - s->last, 0, dur, sizeof dur);
        return genu_arena_printf(c->a, "%s by %s and was back to %g/10 on %s, %s after its last "
                                       "treatment", ch, d1, s->back, d2, dur);
    }
    genu_date_format(s->rnow->date, d2);
    words_duration(s->rnow->date - s->first, 0, dur, sizeof dur);
    if (!s->helped)
        return genu_arena_printf(c->a, "%s at best; %g/10 on %s, %s after the series began", ch,
                                 s->now, d2, dur);
    if (s->rnow == s->rbest)
        return genu_arena_printf(c->a, "%s by %s, %s after the series began", ch, d1, dur);
    return genu_arena_printf(c->a, "%s by %s and was %g/10 on %s, %s after the series began", ch,
                             d1, s->now, d2, dur);
}

static void put_series(ctx *c, int f0, const injection_series *s)
{
    const ids *l = &s->recs;
    fb_put_str(c, f0 + SER_KINDS, fb_kinds_text(c, s->kinds, ", "), s->first, l);
    fb_put_date(c, f0 + SER_FIRST, s->first, l);
    fb_put_date(c, f0 + SER_LAST, s->last, l);
    fb_put_num(c, f0 + SER_SESSIONS, (double)s->sessions, s->last, l);
    ids *p = genu_arena_calloc(c->a, 1, sizeof *p);
    if (!p) {
        c->oom = true;
        return;
    }
    if (s->rbefore) {
        fb_ids_add(c, p, s->rbefore->id);
        fb_put_num(c, f0 + SER_BEFORE, s->before, s->rbefore->date, p);
    }
    if (s->rbest) {
        ids *q = genu_arena_calloc(c->a, 1, sizeof *q);
        if (!q) {
            c->oom = true;
            return;
        }
        fb_ids_add(c, q, s->rbest->id);
        fb_put_num(c, f0 + SER_BEST, s->best, s->rbest->date, q);
        fb_ids_add(c, p, s->rbest->id);
        fb_put_num(c, f0 + SER_NOW, s->now, s->rnow->date, NULL);
    }
    if (s->rback)
        fb_ids_add(c, p, s->rback->id);
    else if (s->rnow)
        fb_ids_add(c, p, s->rnow->id);
    fb_put_str(c, f0 + SER_COURSE, course_text(c, s), s->first, p);
    if (!s->rbefore || !s->rbest)
        return;
    fb_put_bool(c, f0 + SER_HELPED, s->helped, s->rbest->date, p);
    fb_put_bool(c, f0 + SER_WANED, s->waned, s->rback ? s->rback->date : s->rnow->date, p);
    fb_put_bool(c, f0 + SER_NEVER, s->never, s->rnow->date, p);
    if (s->helped)
        fb_put_num(c, f0 + SER_RELIEF, (double)((s->rback ? s->rback : s->rnow)->date - s->first),
                s->first, p);
}

/* Adds the next-step counts of patient p's knees, per strength, to nx. */
void fb_next_of_patient(ctx *c, size_t p, summary_next nx[SUMMARY_NSTRENGTH])
{
    for (int k = GENU_KNEE_LEFT; k <= GENU_KNEE_RIGHT; k++) {
        ctx o = {c->ds, p, (genu_knee)k, c->as_of, c->a, NULL, false, NULL};
        size_t n;
        injection_series *v = injection_series_of(&o, &n);
        c->oom |= o.oom;
        for (size_t i = 0; i + 1 < n; i++) {
            int strength = v[i].strength;
            if (!v[i].waned)
                continue;
            summary_next *x = &nx[strength];
            x->waned++;
            const injection_series *next = &v[i + 1];
            if (next->strength == strength) {
                x->repeat++;
                x->repeat_helped += next->helped;
            } else if (next->strength > strength) {
                x->escalate++;
                x->escalate_helped += next->helped;
            }
        }
    }
}

/* What the registry's other knees did after a series of the same family
 * whose response waned: the same family again (repeat) or a stronger one
 * (escalate), and how many of each helped again. */
static void build_next_step(ctx *c, int strength)
{
    summary_next nx[SUMMARY_NSTRENGTH] = {{0}};
    if (c->sum) {
        /* every knee's, less this patient's own */
        fb_next_of_patient(c, c->pat, nx);
        nx[strength] = summary_next_minus(c->sum->next[strength], nx[strength]);
    } else {
        size_t npat = c->ds->n[GENU_REC_PATIENT];
        for (size_t p = 0; p < npat && !c->oom; p++)
            if (p != c->pat)
                fb_next_of_patient(c, p, nx);
    }
    size_t waned = nx[strength].waned, rep = nx[strength].repeat,
           rep_ok = nx[strength].repeat_helped, esc = nx[strength].escalate,
           esc_ok = nx[strength].escalate_helped;
    const char *fam = strength_words[strength];
    fb_put_str(c, F_NEXT_FAMILY, strength_family[strength], GENU_DATE_NONE, NULL);
    fb_put_num(c, F_NEXT_WANED, (double)waned, GENU_DATE_NONE, NULL);
    fb_put_num(c, F_NEXT_REPEAT, (double)rep, GENU_DATE_NONE, NULL);
    fb_put_num(c, F_NEXT_REPEAT_HELPED, (double)rep_ok, GENU_DATE_NONE, NULL);
    fb_put_num(c, F_NEXT_ESCALATE, (double)esc, GENU_DATE_NONE, NULL);
    fb_put_num(c, F_NEXT_ESCALATE_HELPED, (double)esc_ok, GENU_DATE_NONE, NULL);
    const char *text;
    if (waned == 0) {
        text = genu_arena_printf(c->a, "No other knee in the registry had a series after its "
                                       "response to %s waned", fam);
    } else {
        char r[96], e[96];
        if (rep)
            snprintf(r, sizeof r, "%zu had %s again and %zu of them (%.0f%%) %s helped", rep,
                     fam, rep_ok, 100.0 * (double)rep_ok / (double)rep,
                     rep_ok == 1 ? "was" : "were");
        else
            snprintf(r, sizeof r, "none had %s again", fam);
        if (strength == 3)
            snprintf(e, sizeof e, "nothing is stronger to escalate to");
        else if (esc)
            snprintf(e, sizeof e, "%zu escalated to a stronger injection and %zu of them (%.0f%%) "
                                  "%s helped", esc, esc_ok, 100.0 * (double)esc_ok / (double)esc,
                     esc_ok == 1 ? "was" : "were");
        else
            snprintf(e, sizeof e, "none escalated to a stronger injection");
        text = genu_arena_printf(c->a, "Of %zu other knee%s in the registry whose response to %s "
                                       "waned, %s; %s", waned, waned == 1 ? "" : "s", fam, r, e);
    }
    fb_put_str(c, F_NEXT_SUMMARY, text ? text : (c->oom = true, (const char *)NULL), GENU_DATE_NONE,
            NULL);
}

void fb_build_course(ctx *c)
{
    size_t n;
    injection_series *v = injection_series_of(c, &n);
    fb_put_num(c, F_COURSE_SERIES, (double)n, GENU_DATE_NONE, NULL);
    if (!n)
        return;
    put_series(c, F_LAST0, &v[n - 1]);
    if (n > 1)
        put_series(c, F_PREV0, &v[n - 2]);
    if (v[n - 1].waned)
        build_next_step(c, v[n - 1].strength);
}

/* ---- similar knees ------------------------------------------------------ */

static const struct family {
    const char *name, *kinds;
} families[] = {
    {"cells", "bone_marrow_aspirate,bone_marrow_concentrate,adipose_msc,culture_expanded_msc"},
    {"prp", "prp"},
    {"prolotherapy", "dextrose_prolotherapy"},
    {"regenerative", "dextrose_prolotherapy,prp,bone_marrow_aspirate,bone_marrow_concentrate,"
                     "adipose_msc,culture_expanded_msc"},
};

/* The family of the latest regenerative series, else of any regenerative
 * kind tried, the strongest first (cells, then PRP, then prolotherapy);
 * "regenerative" when none was tried. */
static const struct family *family_of(ctx *c)
{
    uint32_t kinds = 0;
    const facts_value *plan = &c->v[F_PLAN_KINDS];
    if (c->v[F_SER_REGEN].known && c->v[F_SER_REGEN].b && plan->known) {
        EACH(c, GENU_REC_TREATMENT, r)
        if (r->date >= c->v[F_PLAN_FIRST].date && (fb_kind_flags(r) & VOCAB_REGENERATIVE))
            kinds |= 1u << r->u.treatment.kind;
    }
    if (!kinds) {
        EACH(c, GENU_REC_TREATMENT, r)
        if (fb_kind_flags(r) & VOCAB_REGENERATIVE)
            kinds |= 1u << r->u.treatment.kind;
    }
    for (size_t f = 0; f < 3; f++) {
        const char *p = families[f].kinds;
        while (*p) {
            size_t len = strcspn(p, ",");
            char name[40];
            memcpy(name, p, len);
            name[len] = '\0';
            if ((kinds >> vocab_kind_find(name)) & 1u)
                return &families[f];
            p += len + (p[len] == ',');
        }
    }
    return &families[3];
}

/* A responder definition in words: "pain 50% better" for
 * improvement_pct:nprs.intensity>=50. */
static const char *responder_words(ctx *c, const responder_def *d)
{
    char m[64];
    if (strcmp(d->m.name, "nprs.intensity") == 0) {
        snprintf(m, sizeof m, "pain");
    } else {
        snprintf(m, sizeof m, "%s", d->m.name);
        for (char *p = m; *p; p++)
            *p = *p == '_' || *p == '.' ? ' ' : *p;
    }
    switch (d->kind) {
    case RESPONDER_IMPROVEMENT_PCT:
        return genu_arena_printf(c->a, "%s %g%% better", m, d->threshold);
    case RESPONDER_CHANGE:
        return genu_arena_printf(c->a, "%s %g points better", m, d->threshold);
    case RESPONDER_GLOBAL:
        return genu_arena_printf(c->a, "overall improvement %g%% or more", d->threshold);
    case RESPONDER_OMERACT:
        return "OMERACT-OARSI responder";
    case RESPONDER_MCID:
        return genu_arena_printf(c->a, "%s better by its MCID", m);
    }
    return d->text;
}

/* The similar knees' claim counts per KL band and family (summary.h) over
 * the knees of ds (of patient `only`, when not SIZE_MAX): one cohort per
 * family, each knee in the band of its KL grade at index, as build_similar's
 * cohort with the kl filter would have it. */
int fb_similar_counts(const genu_dataset *ds, size_t only, genu_date as_of,
                      const facts_similar_cfg *cfg, genu_arena *a,
                          summary_claim out[SUMMARY_NBAND][SUMMARY_NFAMILY], genu_err *err)
{
    _Static_assert(sizeof families / sizeof families[0] == SUMMARY_NFAMILY, "one per family");
    for (size_t fi = 0; fi < SUMMARY_NFAMILY; fi++) {
        cohort_filter f;
        cohort_filter_init(&f);
        cohort co;
        int rc = cohort_filter_set(&f, "index-kinds", families[fi].kinds, err);
        if (!rc)
            rc = cohort_build(ds, &f, COHORT_UNIT_KNEE, as_of, a, &co, err);
        if (rc)
            return rc;
        claim_counts cc[SUMMARY_NBAND] = {{0}};
        for (size_t i = 0; i < co.nknee; i++) {
            const cohort_knee *k = &co.knees[i];
            if ((only != SIZE_MAX && k->pat != only) || k->kl < 0)
                continue;
            responder_outcome o;
            responder_eval(&co, k, &cfg->def, &cfg->at, &o);
            claim_add(&cc[k->kl <= 2 ? 0 : k->kl == 3 ? 1 : 2], &o);
        }
        for (size_t b = 0; b < SUMMARY_NBAND; b++)
            out[b][fi] = (summary_claim){cc[b].analysed, cc[b].responders};
    }
    return GENU_OK;
}

/* Patient pat of ds alone, as patient 0 of *out (records copied into the
 * arena): a cohort of it costs nothing however large ds is. */
static int one_patient(const genu_dataset *ds, size_t pat, genu_arena *a, genu_dataset *out)
{
    memset(out, 0, sizeof *out);
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        const genu_record *r = ds->recs[t];
        size_t lo = t == GENU_REC_PATIENT ? pat : fb_first_of(r, ds->n[t], pat), hi = lo;
        while (hi < ds->n[t] && r[hi].pat == pat)
            hi++;
        if (hi == lo)
            continue;
        if (!(out->recs[t] = genu_arena_alloc(a, (hi - lo) * sizeof *r)))
            return -1;
        memcpy(out->recs[t], r + lo, (hi - lo) * sizeof *r);
        for (size_t i = 0; i < hi - lo; i++)
            out->recs[t][i].pat = 0;
        out->n[t] = hi - lo;
    }
    if (!ds->contacts)
        return 0;
    size_t lo = 0, hi = ds->ncontacts;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (ds->contacts[m].pat < pat)
            lo = m + 1;
        else
            hi = m;
    }
    for (hi = lo; hi < ds->ncontacts && ds->contacts[hi].pat == pat; hi++)
        ;
    if (!(out->contacts = genu_arena_alloc(a, (hi - lo + 1) * sizeof *out->contacts)))
        return -1;
    memcpy(out->contacts, ds->contacts + lo, (hi - lo) * sizeof *out->contacts);
    for (size_t i = 0; i < hi - lo; i++)
        out->contacts[i].pat = 0;
    out->ncontacts = hi - lo;
    return 0;
}

/* The similar knees' counts from the summary: every knee's in the band and
 * family, less this patient's own. */
static int similar_from_summary(ctx *c, const facts_similar_cfg *cfg, const char *band,
                                size_t fam, claim_counts *cc, genu_err *err)
{
    summary_claim own[SUMMARY_NBAND][SUMMARY_NFAMILY];
    genu_dataset one;
    if (one_patient(c->ds, c->pat, c->a, &one))
        return GENU_OOM(err);
    int rc = fb_similar_counts(&one, 0, c->as_of, cfg, c->a, own, err);
    if (rc)
        return rc;
    size_t b = strcmp(band, "0-2") == 0 ? 0 : strcmp(band, "3") == 0 ? 1 : 2;
    summary_claim x = summary_claim_minus(c->sum->similar[b][fam], own[b][fam]);
    memset(cc, 0, sizeof *cc);
    cc->analysed = x.analysed;
    cc->responders = x.responders;
    return GENU_OK;
}

int fb_build_similar(ctx *c, const facts_similar_cfg *cfg, facts_similar *out, genu_err *err)
{
    const struct family *fam = family_of(c);
    memset(out, 0, sizeof *out);
    out->family = fam->name;
    out->kinds = fam->kinds;
    out->min = cfg->min;
    out->rate = out->lo = out->hi = NAN;
    fb_put_str(c, F_SIM_FAMILY, fam->name, GENU_DATE_NONE, NULL);
    const facts_value *band = &c->v[F_KL_BAND];
    if (!band->known) {
        out->summary = "No KL grade on record: similar knees not counted";
        fb_put_str(c, F_SIM_SUMMARY, out->summary, GENU_DATE_NONE, NULL);
        return GENU_OK;
    }
    out->computed = true;
    out->band = band->s;
    cohort_filter f;
    cohort_filter_init(&f);
    const char *kl = strcmp(band->s, "0-2") == 0 ? "0-2" : strcmp(band->s, "3") == 0 ? "3" : "4";
    if (cohort_filter_set(&f, "kl", kl, err) || cohort_filter_set(&f, "index-kinds", fam->kinds, err))
        return err->code;
    claim_counts cc;
    claim_rates cr;
    int rc;
    if (c->sum) {
        if ((rc = similar_from_summary(c, cfg, kl, (size_t)(fam - families), &cc, err)))
            return rc;
    } else {
        cohort co;
        if ((rc = cohort_build(c->ds, &f, COHORT_UNIT_KNEE, c->as_of, c->a, &co, err)))
            return rc;
        bool *member = genu_arena_calloc(c->a, co.nknee ? co.nknee : 1, sizeof *member);
        if (!member)
            return GENU_OOM(err);
        for (size_t i = 0; i < co.nknee; i++)
            member[i] = co.knees[i].pat != c->pat;
        claim_count(&co, &cfg->def, &cfg->at, member, &cc);
    }
    claim_rates_of(&cc, &cr);
    out->analysed = cc.analysed;
    out->responders = cc.responders;
    out->rate = cr.rate;
    out->lo = cr.lo;
    out->hi = cr.hi;
    out->enough = cc.analysed >= cfg->min;
    char tp[WORDS_MAX];
    words_timepoint_text(cfg->at.text, tp, sizeof tp);
    if (!out->enough)
        out->summary = genu_arena_printf(
            c->a, "Too few similar knees (KL %s, %s; %zu analysed, fewer than %zu)", out->band,
            out->family, out->analysed, out->min);
    else
        out->summary = genu_arena_printf(
            c->a,
            "Patients like this knee (KL %s, %s): %zu of %zu responded (%s at %s), %.0f%% "
            "(95%% CI %.0f-%.0f%%)",
            out->band, out->family, out->responders, out->analysed, responder_words(c, &cfg->def),
            tp,
            100 * out->rate, 100 * out->lo, 100 * out->hi);
    if (!out->summary)
        return GENU_OOM(err);
    fb_put_str(c, F_SIM_BAND, out->band, GENU_DATE_NONE, NULL);
    fb_put_num(c, F_SIM_ANALYSED, (double)out->analysed, GENU_DATE_NONE, NULL);
    fb_put_num(c, F_SIM_RESPONDERS, (double)out->responders, GENU_DATE_NONE, NULL);
    fb_put_num(c, F_SIM_RATE, out->rate, GENU_DATE_NONE, NULL);
    fb_put_num(c, F_SIM_LO, out->lo, GENU_DATE_NONE, NULL);
    fb_put_num(c, F_SIM_HI, out->hi, GENU_DATE_NONE, NULL);
    fb_put_bool(c, F_SIM_ENOUGH, out->enough, GENU_DATE_NONE, NULL);
    fb_put_str(c, F_SIM_SUMMARY, out->summary, GENU_DATE_NONE, NULL);
    return GENU_OK;
}
