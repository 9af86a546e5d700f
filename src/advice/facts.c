/* facts: reads one knee's record into the named facts the advice rules see
 * (docs/advice.md "Facts"). Every value remembers the records it came from
 * so that a finding can say why it fired. */
#include "advice/facts.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice/facts_build.h"
#include "advice/facts_ids.h"
#include "advice/summary.h"
#include "analysis/claim.h"
#include "analysis/cohort.h"
#include "analysis/stats.h"
#include "core/vec.h"
#include "model/vocab.h"
#include "model/words.h"

/* Sessions of one series more than this far apart start a new series. */
#define SERIES_GAP_DAYS 365

/* ---- building (the shared helpers: facts_build.h) ---------------------- */

void fb_ids_add(ctx *c, ids *l, const char *id)
{
    if (!id)
        return;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->p[i], id) == 0)
            return;
    const char **p = genu_vec_room_arena(c->a, l->p, &l->cap, l->n, sizeof *p, 8);
    if (!p) {
        c->oom = true;
        return;
    }
    l->p = p;
    l->p[l->n++] = id;
}

static void ids_merge(ctx *c, ids *l, const facts_value *v)
{
    for (size_t i = 0; i < v->nrec; i++)
        fb_ids_add(c, l, v->recs[i]);
}

static facts_value *put(ctx *c, int f, genu_date date, const ids *l)
{
    facts_value *v = &c->v[f];
    v->known = true;
    v->date = date;
    if (l) {
        v->recs = l->p;
        v->nrec = l->n;
    }
    return v;
}

void fb_put_bool(ctx *c, int f, bool b, genu_date date, const ids *l)
{
    put(c, f, date, l)->b = b;
}

void fb_put_num(ctx *c, int f, double d, genu_date date, const ids *l)
{
    if (!isnan(d))
        put(c, f, date, l)->d = d;
}

void fb_put_str(ctx *c, int f, const char *s, genu_date date, const ids *l)
{
    if (s)
        put(c, f, date, l)->s = s;
}

static const char *arena_str(ctx *c, const char *s)
{
    char *d = genu_arena_strdup(c->a, s);
    if (!d)
        c->oom = true;
    return d;
}

static const char *date_str(ctx *c, genu_date d)
{
    char buf[GENU_DATE_STRLEN];
    genu_date_format(d, buf);
    char *s = genu_arena_strdup(c->a, buf);
    if (!s)
        c->oom = true;
    return s;
}

void fb_put_date(ctx *c, int f, genu_date d, const ids *l)
{
    if (d != GENU_DATE_NONE)
        fb_put_str(c, f, date_str(c, d), d, l);
}

/* Fact f is v, read from the one record r (and dated r's day). */
static void put_num_of(ctx *c, int f, double v, const genu_record *r)
{
    ids l = {0};
    fb_ids_add(c, &l, r->id);
    fb_put_num(c, f, v, r->date, &l);
}

/* The first of n records (sorted by pat) whose pat is not below pat. */
size_t fb_first_of(const genu_record *r, size_t n, size_t pat)
{
    size_t l = 0, h = n;
    while (l < h) {
        size_t m = l + (h - l) / 2;
        if (r[m].pat < pat)
            l = m + 1;
        else
            h = m;
    }
    return l;
}

/* The records of type t of the patient: [*lo, *hi), dated on or before as-of
 * (records are sorted by patient, date, seq). */
void fb_span(const ctx *c, genu_rtype t, size_t *lo, size_t *hi)
{
    const genu_record *r = c->ds->recs[t];
    size_t n = c->ds->n[t], l = fb_first_of(r, n, c->pat);
    *lo = l;
    while (l < n && r[l].pat == c->pat && (r[l].date == GENU_DATE_NONE || r[l].date <= c->as_of))
        l++;
    *hi = l;
}


static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Names of the kinds in mask, sorted, joined with sep. */
const char *fb_kinds_text(ctx *c, uint32_t mask, const char *sep)
{
    const char *names[32];
    size_t n = 0, len = 1;
    for (int k = 0; k < 32; k++)
        if ((mask >> k) & 1u) {
            names[n] = vocab_kind_at(k)->name;
            len += strlen(names[n++]) + strlen(sep);
        }
    if (!n)
        return NULL;
    qsort(names, n, sizeof names[0], cmp_str);
    char *s = genu_arena_alloc(c->a, len);
    if (!s) {
        c->oom = true;
        return NULL;
    }
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, sep);
        strcat(s, names[i]);
    }
    return s;
}

/* The latest knee-level score (instrument, key) dated in [from, to] (the one
 * recorded last on a date); NULL when none. */
static const genu_record *latest_score(ctx *c, const char *instrument, const char *key,
                                       genu_date from, genu_date to, double *val)
{
    const genu_record *best = NULL;
    EACH(c, GENU_REC_RESPONSE, r)
    {
        if (r->date < from || r->date > to || strcmp(r->u.response.instrument, instrument) != 0)
            continue;
        double v = record_score(r, key);
        if (isnan(v))
            continue;
        best = r;
        *val = v;
    }
    return best;
}

const genu_record *fb_latest_nprs(ctx *c, genu_date from, genu_date to, double *val)
{
    return latest_score(c, "nprs", "intensity", from, to, val);
}

/* ---- conditions and KL ------------------------------------------------- */

static void build_diagnoses(ctx *c)
{
    ids cond[VOCAB_NCONDITION] = {{0}}, lig = {0}, kl = {0};
    int grade = -1;
    genu_date kl_date = GENU_DATE_NONE;
    EACH(c, GENU_REC_DIAGNOSIS, r)
    {
        int k = r->u.diagnosis.condition;
        if (k >= 0 && k < VOCAB_NCONDITION)
            fb_ids_add(c, &cond[k], r->id);
        if (vocab_condition_flags(k) & VOCAB_LIGAMENT)
            fb_ids_add(c, &lig, r->id);
        int g = r->u.diagnosis.kl_grade;
        if (g < 0)
            continue;
        if (r->date != kl_date) {
            kl.n = 0;
            grade = -1;
        }
        if (g > grade) {
            grade = g;
            kl.n = 0;
        }
        if (g == grade)
            fb_ids_add(c, &kl, r->id);
        kl_date = r->date;
    }
    for (size_t k = 0; k < VOCAB_NCONDITION; k++)
        fb_put_bool(c, F_COND0 + (int)k, cond[k].n > 0, GENU_DATE_NONE, &cond[k]);
    fb_put_bool(c, F_LIGAMENT, lig.n > 0, GENU_DATE_NONE, &lig);
    if (grade >= 0) {
        fb_put_num(c, F_KL, grade, kl_date, &kl);
        fb_put_str(c, F_KL_BAND, grade <= 2 ? "0-2" : grade == 3 ? "3" : "4", kl_date, &kl);
    }
}

/* ---- the latest exam ---------------------------------------------------- */

static void exam_level(ctx *c, int f, int v, const char *(*name)(int), const genu_record *r,
                       const ids *l)
{
    if (v >= 0)
        fb_put_str(c, f, name(v), r->date, l);
}

static void exam_flag(ctx *c, int f, int v, const genu_record *r, const ids *l)
{
    if (v >= 0)
        fb_put_bool(c, f, v != 0, r->date, l);
}

static void build_exam(ctx *c)
{
    const genu_record *e = NULL;
    EACH(c, GENU_REC_EXAM, r)
    e = r;
    if (!e)
        return;
    ids *l = genu_arena_calloc(c->a, 1, sizeof *l);
    if (!l) {
        c->oom = true;
        return;
    }
    fb_ids_add(c, l, e->id);
    const genu_exam *x = &e->u.exam;
    fb_put_date(c, F_EXAM_DATE, e->date, l);
    fb_put_num(c, F_EXAM_DAYS, c->as_of - e->date, e->date, l);
    exam_level(c, F_EXAM_SWELLING, x->swelling, vocab_swelling_name, e, l);
    exam_level(c, F_EXAM_DEFORMITY, x->deformity, vocab_deformity_name, e, l);
    exam_level(c, F_EXAM_PAIN, x->pain_at_rest, vocab_pain_level_name, e, l);
    exam_flag(c, F_EXAM_LOCKING, x->locking, e, l);
    exam_flag(c, F_EXAM_STRAIGHTEN, x->unable_to_straighten, e, l);
    exam_flag(c, F_EXAM_BEND, x->unable_to_bend, e, l);
    exam_flag(c, F_EXAM_INSTABILITY, x->instability, e, l);
    exam_flag(c, F_EXAM_POP, x->recent_trauma_pop, e, l);
}

/* ---- stages of the staged pathway --------------------------------------- */

static int stage_of(const genu_record *r)
{
    const vocab_kind *k = vocab_kind_at(r->u.treatment.kind);
    return k ? (int)k->stage : 0;
}

unsigned fb_kind_flags(const genu_record *r)
{
    const vocab_kind *k = vocab_kind_at(r->u.treatment.kind);
    return k ? k->flags : 0;
}

/* Stage s's first date, the end of its trial (the first treatment of a
 * higher stage on or after it, else as-of), its kinds and record ids. */
static void build_stage(ctx *c, int s, bool *responded, int *nresp_known)
{
    genu_date first = GENU_DATE_NONE, end = GENU_DATE_NONE, last = GENU_DATE_NONE;
    uint32_t mask = 0;
    ids l = {0};
    EACH(c, GENU_REC_TREATMENT, r)
    {
        if (stage_of(r) == s) {
            if (first == GENU_DATE_NONE)
                first = r->date;
            last = r->date;
            mask |= 1u << r->u.treatment.kind;
            fb_ids_add(c, &l, r->id);
        }
    }
    /* the stage lasts until the first treatment of a higher stage on or
     * after its start, whatever the order of entry on that day */
    EACH(c, GENU_REC_TREATMENT, r)
    {
        if (first != GENU_DATE_NONE && stage_of(r) > s && r->date >= first &&
            (end == GENU_DATE_NONE || r->date < end))
            end = r->date;
    }
    int f = F_STAGE0 + STAGE_NFACTS * (s - 1);
    fb_put_bool(c, f, first != GENU_DATE_NONE, first, &l);
    if (first == GENU_DATE_NONE)
        return;
    if (end == GENU_DATE_NONE)
        end = c->as_of;
    fb_put_str(c, f + 1, fb_kinds_text(c, mask, ", "), first, &l);
    fb_put_date(c, f + 2, first, &l);
    fb_put_date(c, f + 6, last, &l);
    fb_put_num(c, f + 3, end - first, first, &l);
    double before, after;
    const genu_record *b = fb_latest_nprs(c, first - BASELINE_DAYS, first, &before);
    const genu_record *e = fb_latest_nprs(c, first + 1, end, &after);
    char w[WORDS_MAX];
    if (b && e) {
        ids *p = genu_arena_calloc(c->a, 1, sizeof *p);
        if (!p) {
            c->oom = true;
            return;
        }
        fb_ids_add(c, p, b->id);
        fb_ids_add(c, p, e->id);
        fb_put_num(c, f + 4, after - before, e->date, p);
        fb_put_str(c, f + 5, arena_str(c, words_change("pain", before, after, 10, true, w, sizeof w)),
                e->date, p);
        ++*nresp_known;
        if (after - before <= -2.0)
            *responded = true;
    } else {
        fb_put_str(c, f + 5, b ? "no pain score since it began" : "no pain score before it began",
                first, NULL);
    }
}

static void build_stages(ctx *c)
{
    bool responded = false;
    int known = 0, tried = 0;
    ids all = {0};
    for (int s = 1; s <= 3; s++) {
        build_stage(c, s, &responded, &known);
        const facts_value *v = &c->v[F_STAGE0 + STAGE_NFACTS * (s - 1)];
        tried += v->b;
        const facts_value *pc = &c->v[F_STAGE0 + STAGE_NFACTS * (s - 1) + 4];
        if (pc->known)
            ids_merge(c, &all, pc);
    }
    fb_put_num(c, F_STAGES_TRIED, tried, GENU_DATE_NONE, NULL);
    if (responded || (tried > 0 && known == tried))
        fb_put_bool(c, F_STAGES_RESPONSE, responded, GENU_DATE_NONE, &all);

    uint32_t surg = 0;
    int highest = 0;
    const genu_record *latest = NULL;
    genu_date last = GENU_DATE_NONE;
    ids sl = {0}, hl = {0};
    EACH(c, GENU_REC_TREATMENT, r)
    {
        int st = stage_of(r);
        latest = r;
        if (st >= highest) {
            if (st > highest)
                hl.n = 0;
            highest = st;
            fb_ids_add(c, &hl, r->id);
        }
        if (st == GENU_STAGE_SURGERY) {
            surg |= 1u << r->u.treatment.kind;
            last = r->date;
            fb_ids_add(c, &sl, r->id);
        }
        if (fb_kind_flags(r) & VOCAB_REPLACEMENT)
            fb_put_bool(c, F_REPLACED, true, r->date, &sl);
    }
    if (!c->v[F_REPLACED].known)
        fb_put_bool(c, F_REPLACED, false, GENU_DATE_NONE, NULL);
    fb_put_bool(c, F_SURG_TRIED, surg != 0, last, &sl);
    fb_put_str(c, F_SURG_KINDS, fb_kinds_text(c, surg, ", "), last, &sl);
    fb_put_date(c, F_SURG_LAST, last, &sl);
    fb_put_num(c, F_STAGE_HIGHEST, highest, GENU_DATE_NONE, &hl);
    ids cl = {0};
    if (latest)
        fb_ids_add(c, &cl, latest->id);
    fb_put_num(c, F_STAGE_CURRENT, latest ? stage_of(latest) : 0,
            latest ? latest->date : GENU_DATE_NONE, &cl);
}

/* Days from the first anti-inflammatory medication (OTC or prescription
 * NSAID, corticosteroid injection) to the latest exam, when it came first. */
static void build_medication(ctx *c)
{
    const facts_value *ex = &c->v[F_EXAM_DATE];
    if (!ex->known)
        return;
    static const char *const meds[] = {"otc_nsaid", "rx_nsaid", "corticosteroid_injection"};
    EACH(c, GENU_REC_TREATMENT, r)
    {
        const char *name = vocab_kind_at(r->u.treatment.kind)->name;
        bool med = false;
        for (size_t i = 0; i < 3; i++)
            med |= strcmp(name, meds[i]) == 0;
        if (!med || r->date > ex->date)
            continue;
        ids l = {0};
        fb_ids_add(c, &l, r->id);
        ids_merge(c, &l, ex);
        fb_put_num(c, F_MED_DAYS, ex->date - r->date, r->date, &l);
        return;
    }
}

/* ---- injections and the pain trajectory --------------------------------- */

double fb_improvement(double base, double v)
{
    return base > 0 ? (base - v) / base * 100.0 : NAN;
}

static void build_pain(ctx *c)
{
    double latest, v;
    const genu_record *lr = fb_latest_nprs(c, INT32_MIN + 1, c->as_of, &latest);
    ids ll = {0};
    if (lr) {
        fb_ids_add(c, &ll, lr->id);
        fb_put_num(c, F_PAIN_LATEST, latest, lr->date, &ll);
        fb_put_date(c, F_PAIN_LATEST_DATE, lr->date, &ll);
    }
    const genu_record *fr = latest_score(c, "pain_frequency", "percent", INT32_MIN + 1, c->as_of, &v);
    if (fr) {
        put_num_of(c, F_PAIN_FREQUENCY, v, fr);
    }

    /* injections of any kind: pain before the first one against the latest */
    const genu_record *inj = NULL;
    uint32_t regen = 0;
    const genu_record *first_regen = NULL;
    genu_date last_regen = GENU_DATE_NONE;
    double sessions = 0;
    ids rl = {0};
    EACH(c, GENU_REC_TREATMENT, r)
    {
        unsigned fl = fb_kind_flags(r);
        if ((fl & VOCAB_INJECTION) && !inj)
            inj = r;
        if (fl & VOCAB_REGENERATIVE) {
            if (!first_regen)
                first_regen = r;
            regen |= 1u << r->u.treatment.kind;
            if (r->date != last_regen)
                sessions++;
            last_regen = r->date;
            fb_ids_add(c, &rl, r->id);
        }
    }
    ids il = {0};
    if (inj)
        fb_ids_add(c, &il, inj->id);
    fb_put_bool(c, F_INJ_TRIED, inj != NULL, inj ? inj->date : GENU_DATE_NONE, &il);
    if (inj) {
        fb_put_date(c, F_INJ_FIRST, inj->date, &il);
        fb_put_num(c, F_INJ_DAYS, c->as_of - inj->date, inj->date, &il);
        double before;
        const genu_record *b = fb_latest_nprs(c, inj->date - BASELINE_DAYS, inj->date, &before);
        if (b) {
            ids bl = {0}; /* and on: the improvement's records */
            fb_ids_add(c, &bl, b->id);
            fb_put_num(c, F_INJ_PAIN_BEFORE, before, b->date, &bl);
            if (lr && lr->date > inj->date) {
                fb_ids_add(c, &bl, inj->id);
                fb_ids_add(c, &bl, lr->id);
                fb_put_num(c, F_INJ_IMPROVEMENT, fb_improvement(before, latest), lr->date, &bl);
                char w[WORDS_MAX];
                fb_put_str(c, F_INJ_PAIN_TEXT,
                        arena_str(c, words_change("pain", before, latest, 10, true, w, sizeof w)),
                        lr->date, &bl);
            }
        }
    }

    fb_put_bool(c, F_REGEN_TRIED, regen != 0, first_regen ? first_regen->date : GENU_DATE_NONE, &rl);
    if (!first_regen)
        return;
    genu_date idx = first_regen->date;
    fb_put_str(c, F_REGEN_KINDS, fb_kinds_text(c, regen, ", "), idx, &rl);
    fb_put_date(c, F_REGEN_FIRST, idx, &rl);
    fb_put_num(c, F_REGEN_SESSIONS, sessions, last_regen, &rl);
    fb_put_num(c, F_REGEN_DAYS, c->as_of - idx, idx, &rl);

    double base;
    const genu_record *b = fb_latest_nprs(c, idx - BASELINE_DAYS, idx, &base);
    if (b) {
        put_num_of(c, F_PAIN_BASELINE, base, b);
    }
    /* the best pain since the first regenerative treatment needs no
     * baseline; its improvement does */
    const genu_record *best = NULL;
    double bestv = 0;
    EACH(c, GENU_REC_RESPONSE, r)
    {
        if (r->date <= idx || strcmp(r->u.response.instrument, "nprs") != 0)
            continue;
        double x = record_score(r, "intensity");
        if (!isnan(x) && (!best || x < bestv)) {
            best = r;
            bestv = x;
        }
    }
    if (best) {
        put_num_of(c, F_PAIN_BEST, bestv, best);
    }
    if (!b)
        return;
    if (best) {
        ids pl = {0};
        fb_ids_add(c, &pl, b->id);
        fb_ids_add(c, &pl, best->id);
        fb_put_num(c, F_PAIN_BEST_IMPROVEMENT, fb_improvement(base, bestv), best->date, &pl);
    }
    if (!lr)
        return;
    ids ql = {0};
    fb_ids_add(c, &ql, b->id);
    fb_ids_add(c, &ql, lr->id);
    fb_put_num(c, F_PAIN_LATEST_IMPROVEMENT, fb_improvement(base, latest), lr->date, &ql);
}

static void build_function(ctx *c)
{
    double v, w = NAN;
    const genu_record *r = latest_score(c, "koos", "adl", INT32_MIN + 1, c->as_of, &v);
    if (r) {
        put_num_of(c, F_KOOS_ADL, v, r);
    }
    /* the latest of a WOMAC, a WOMAC NRS or a KOOS-derived WOMAC */
    static const char *const src[][2] = {
        {"womac", "function_norm"}, {"womac_nrs", "function_norm"}, {"koos", "womac.function_norm"}};
    const genu_record *best = NULL;
    for (size_t i = 0; i < 3; i++) {
        r = latest_score(c, src[i][0], src[i][1], INT32_MIN + 1, c->as_of, &v);
        if (r && (!best || r->date > best->date || (r->date == best->date && r->seq > best->seq))) {
            best = r;
            w = v;
        }
    }
    if (best) {
        put_num_of(c, F_WOMAC_FUNCTION, w, best);
    }
}

/* ---- the latest injection series and its cost -------------------------- */

/* Registry-wide, as of: the median number of sessions per knee and the mean
 * cost per session (in `currency`, when given) of treatments matching the
 * protocol, else the kinds. */
static void registry_protocol(ctx *c, const char *protocol, uint32_t kinds, const char *currency,
                              double *median_sessions, double *session_cost)
{
    if (c->sum) {
        const summary_key *k = summary_key_find(c->sum, protocol, kinds);
        if (k) {
            *median_sessions = summary_key_median(k);
            *session_cost = summary_key_mean_cost(k, currency);
        }
        return;
    }
    const genu_dataset *ds = c->ds;
    size_t n = ds->n[GENU_REC_TREATMENT], nknee = 0, ncost = 0;
    double total = 0;
    size_t *counts = genu_arena_calloc(c->a, n ? n : 1, sizeof *counts);
    if (!counts) {
        c->oom = true;
        return;
    }
    const genu_record *t = ds->recs[GENU_REC_TREATMENT];
    size_t prev_pat = (size_t)-1;
    genu_date prev_date[3] = {GENU_DATE_NONE, GENU_DATE_NONE, GENU_DATE_NONE};
    size_t slot[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        const genu_record *r = &t[i];
        if (r->date > c->as_of)
            continue;
        bool match = protocol ? (r->u.treatment.protocol &&
                                 strcmp(r->u.treatment.protocol, protocol) == 0)
                              : ((kinds >> r->u.treatment.kind) & 1u);
        if (!match || r->knee == GENU_KNEE_NONE)
            continue;
        if (r->pat != prev_pat) {
            prev_pat = r->pat;
            prev_date[1] = prev_date[2] = GENU_DATE_NONE;
            slot[1] = slot[2] = (size_t)-1;
        }
        int k = (int)r->knee;
        if (slot[k] == (size_t)-1)
            slot[k] = nknee++;
        if (r->date != prev_date[k])
            counts[slot[k]]++;
        prev_date[k] = r->date;
        if (!isnan(r->u.treatment.cost) &&
            (!currency || (r->u.treatment.currency && strcmp(r->u.treatment.currency, currency) == 0))) {
            total += r->u.treatment.cost;
            ncost++;
        }
    }
    if (nknee) {
        for (size_t i = 1; i < nknee; i++) /* insertion sort: knees are few per protocol */
            for (size_t j = i; j > 0 && counts[j - 1] > counts[j]; j--) {
                size_t x = counts[j];
                counts[j] = counts[j - 1];
                counts[j - 1] = x;
            }
        *median_sessions = nknee % 2 ? (double)counts[nknee / 2]
                                     : (counts[nknee / 2 - 1] + counts[nknee / 2]) / 2.0;
    }
    if (ncost)
        *session_cost = total / (double)ncost;
}

static void build_series(ctx *c)
{
    /* the latest injection day and its kinds */
    const genu_record *last = NULL;
    EACH(c, GENU_REC_TREATMENT, r)
    if (fb_kind_flags(r) & VOCAB_INJECTION)
        last = r;
    if (!last)
        return;
    uint32_t kinds = 0, sites = 0;
    const char *protocol = NULL;
    EACH(c, GENU_REC_TREATMENT, r)
    if (r->date == last->date && (fb_kind_flags(r) & VOCAB_INJECTION)) {
        kinds |= 1u << r->u.treatment.kind;
        if (r->u.treatment.protocol)
            protocol = r->u.treatment.protocol;
    }
    /* walk back over the run of those kinds */
    size_t lo, hi;
    fb_span(c, GENU_REC_TREATMENT, &lo, &hi);
    const genu_record *t = c->ds->recs[GENU_REC_TREATMENT];
    genu_date first = last->date, prev = GENU_DATE_NONE;
    double sessions = 0, cost = 0;
    const char *currency = NULL;
    bool costed = false, regen = false;
    ids l = {0};
    for (size_t i = hi; i-- > lo;) {
        const genu_record *r = &t[i];
        if (r->knee != c->knee || !(fb_kind_flags(r) & VOCAB_INJECTION) || r->date > last->date)
            continue;
        if (!((kinds >> r->u.treatment.kind) & 1u))
            break;
        if (prev != GENU_DATE_NONE && prev - r->date > SERIES_GAP_DAYS)
            break;
        if (r->date != prev)
            sessions++;
        prev = first = r->date;
        sites |= r->u.treatment.sites;
        regen |= (fb_kind_flags(r) & VOCAB_REGENERATIVE) != 0;
        fb_ids_add(c, &l, r->id);
        if (!isnan(r->u.treatment.cost) && r->u.treatment.currency) {
            if (!currency)
                currency = r->u.treatment.currency;
            if (strcmp(currency, r->u.treatment.currency) == 0) {
                cost += r->u.treatment.cost;
                costed = true;
            }
        }
    }
    static const char *const class_names[] = {NULL, "whole_knee", "intra_articular_only",
                                              "periarticular_only"};
    fb_put_str(c, F_PLAN_SITES, class_names[vocab_sites_classify(sites)], last->date, &l);
    fb_put_str(c, F_PLAN_KINDS, fb_kinds_text(c, kinds, "+"), last->date, &l);
    fb_put_str(c, F_PLAN_PROTOCOL, protocol, last->date, &l);
    fb_put_num(c, F_PLAN_SESSIONS, sessions, last->date, &l);
    fb_put_date(c, F_PLAN_FIRST, first, &l);
    fb_put_date(c, F_PLAN_LAST, last->date, &l);
    fb_put_bool(c, F_SER_REGEN, regen, last->date, &l);
    if (costed) {
        fb_put_num(c, F_SER_COST, cost, last->date, &l);
        fb_put_str(c, F_SER_CURRENCY, currency, last->date, &l);
    }
    double med = NAN, per = NAN;
    registry_protocol(c, protocol, kinds, currency, &med, &per);
    if (!isnan(med) && med < sessions)
        med = sessions; /* a series is expected to run at least as long as it has */
    fb_put_num(c, F_SER_EXP_SESSIONS, med, last->date, &l);
    if (!currency)
        return; /* a mean cost without a currency is no amount */
    fb_put_num(c, F_SER_SESSION_COST, per, last->date, &l);
    fb_put_num(c, F_SER_EXP_COST, med * per, last->date, &l);
}

/* ---- entry points ------------------------------------------------------- */

void facts_similar_defaults(facts_similar_cfg *cfg)
{
    genu_err err = {0};
    memset(cfg, 0, sizeof *cfg);
    int rc = responder_parse("improvement_pct:nprs.intensity>=50", &cfg->def, &err);
    rc |= timepoint_parse("6m", &cfg->at, &err);
    (void)rc; /* constant, valid input */
    cfg->min = 10;
}

int facts_build(const genu_dataset *ds, size_t pat, genu_knee knee, genu_date as_of,
                const facts_similar_cfg *cfg, genu_arena *a, facts *out, genu_err *err)
{
    return facts_build_from(ds, pat, knee, as_of, cfg, NULL, a, out, err);
}

int facts_summarize(const genu_dataset *ds, genu_date as_of, const facts_similar_cfg *cfg,
                    const char *label, genu_arena *a, summary *out, genu_err *err)
{
    summary s;
    memset(&s, 0, sizeof s);
    s.label = label;
    int rc = fb_similar_counts(ds, SIZE_MAX, as_of, cfg, a, s.similar, err);
    if (rc)
        return rc;
    ctx c = {ds, 0, GENU_KNEE_NONE, as_of, a, NULL, false, NULL};
    size_t npat = ds->n[GENU_REC_PATIENT];
    for (size_t p = 0; p < npat && !c.oom; p++)
        fb_next_of_patient(&c, p, s.next);
    if (c.oom)
        return GENU_OOM(err);
    if ((rc = summary_keys_build(ds, as_of, a, &s, err)))
        return rc;
    *out = s;
    return GENU_OK;
}

int facts_build_from(const genu_dataset *ds, size_t pat, genu_knee knee, genu_date as_of,
                     const facts_similar_cfg *cfg, const summary *sum, genu_arena *a, facts *out,
                     genu_err *err)
{
    if (pat >= ds->n[GENU_REC_PATIENT] || (knee != GENU_KNEE_LEFT && knee != GENU_KNEE_RIGHT))
        return GENU_FAIL(err, GENU_EINVAL, "no such patient or knee");
    ctx c = {ds, pat, knee, as_of, a, NULL, false, sum};
    c.v = genu_arena_calloc(a, F_N, sizeof *c.v);
    if (!c.v)
        return GENU_OOM(err);
    for (size_t i = 0; i < F_N; i++)
        c.v[i].date = GENU_DATE_NONE;
    facts f = {ds->recs[GENU_REC_PATIENT][pat].id, knee, as_of, c.v, {0}};
    build_diagnoses(&c);
    build_exam(&c);
    build_stages(&c);
    build_medication(&c);
    build_pain(&c);
    build_function(&c);
    build_series(&c);
    fb_build_course(&c);
    int rc = fb_build_similar(&c, cfg, &f.similar, err);
    if (rc)
        return rc;
    if (c.oom)
        return GENU_OOM(err);
    *out = f;
    return GENU_OK;
}

long facts_find_patient(const genu_dataset *ds, const char *id)
{
    size_t lo = 0, hi = ds->n[GENU_REC_PATIENT];
    const genu_record *p = ds->recs[GENU_REC_PATIENT];
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        int d = strcmp(p[m].id, id);
        if (d == 0)
            return (long)m;
        if (d < 0)
            lo = m + 1;
        else
            hi = m;
    }
    return -1;
}

unsigned facts_knees(const genu_dataset *ds, size_t pat, genu_date as_of)
{
    unsigned knees = 0;
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        if (t == GENU_REC_PATIENT || t == GENU_REC_IDENTITY)
            continue;
        ctx c = {ds, pat, GENU_KNEE_NONE, as_of, NULL, NULL, false, NULL};
        size_t lo, hi;
        fb_span(&c, (genu_rtype)t, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            genu_knee k = ds->recs[t][i].knee;
            knees |= k == GENU_KNEE_LEFT ? 1u : k == GENU_KNEE_RIGHT ? 2u : 0u;
        }
    }
    return knees;
}
