/* facts: reads one knee's record into the named facts the advice rules see
 * (docs/advice.md "Facts"). Every value remembers the records it came from
 * so that a finding can say why it fired. */
#include "advice/facts.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice/facts_ids.h"
#include "advice/summary.h"
#include "analysis/claim.h"
#include "analysis/cohort.h"
#include "analysis/stats.h"
#include "core/vec.h"
#include "model/vocab.h"
#include "model/words.h"

/* Baseline window before a treatment (as the analyses' baseline:
 * docs/design.md, Analyses). */
#define BASELINE_DAYS 90
/* Sessions of one series more than this far apart start a new series. */
#define SERIES_GAP_DAYS 365

/* ---- building ---------------------------------------------------------- */

/* A growable list of record ids in the arena. */
typedef struct ids {
    const char **p;
    size_t n, cap;
} ids;

typedef struct ctx {
    const genu_dataset *ds;
    size_t pat;
    genu_knee knee;
    genu_date as_of;
    genu_arena *a;
    facts_value *v;
    bool oom;
    /* the registry's figures from a summary (summary.h) instead of ds's
     * other patients, who need not be loaded; NULL: from ds */
    const summary *sum;
} ctx;

static void ids_add(ctx *c, ids *l, const char *id)
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
        ids_add(c, l, v->recs[i]);
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

static void put_bool(ctx *c, int f, bool b, genu_date date, const ids *l)
{
    put(c, f, date, l)->b = b;
}

static void put_num(ctx *c, int f, double d, genu_date date, const ids *l)
{
    if (!isnan(d))
        put(c, f, date, l)->d = d;
}

static void put_str(ctx *c, int f, const char *s, genu_date date, const ids *l)
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

static void put_date(ctx *c, int f, genu_date d, const ids *l)
{
    if (d != GENU_DATE_NONE)
        put_str(c, f, date_str(c, d), d, l);
}

/* The first of n records (sorted by pat) whose pat is not below pat. */
static size_t first_of(const genu_record *r, size_t n, size_t pat)
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
static void span(const ctx *c, genu_rtype t, size_t *lo, size_t *hi)
{
    const genu_record *r = c->ds->recs[t];
    size_t n = c->ds->n[t], l = first_of(r, n, c->pat);
    *lo = l;
    while (l < n && r[l].pat == c->pat && (r[l].date == GENU_DATE_NONE || r[l].date <= c->as_of))
        l++;
    *hi = l;
}

/* The knee's records of type t, in (date, seq) order. */
#define EACH(c, t, r)                                                                           \
    for (size_t lo_, hi_, i_ = (span((c), (t), &lo_, &hi_), lo_); i_ < hi_; i_++)                \
        for (const genu_record *r = &(c)->ds->recs[(t)][i_]; r; r = NULL)                         \
            if (r->knee == (c)->knee)

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Names of the kinds in mask, sorted, joined with sep. */
static const char *kinds_text(ctx *c, uint32_t mask, const char *sep)
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

static const genu_record *latest_nprs(ctx *c, genu_date from, genu_date to, double *val)
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
            ids_add(c, &cond[k], r->id);
        if (vocab_condition_flags(k) & VOCAB_LIGAMENT)
            ids_add(c, &lig, r->id);
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
            ids_add(c, &kl, r->id);
        kl_date = r->date;
    }
    for (size_t k = 0; k < VOCAB_NCONDITION; k++)
        put_bool(c, F_COND0 + (int)k, cond[k].n > 0, GENU_DATE_NONE, &cond[k]);
    put_bool(c, F_LIGAMENT, lig.n > 0, GENU_DATE_NONE, &lig);
    if (grade >= 0) {
        put_num(c, F_KL, grade, kl_date, &kl);
        put_str(c, F_KL_BAND, grade <= 2 ? "0-2" : grade == 3 ? "3" : "4", kl_date, &kl);
    }
}

/* ---- the latest exam ---------------------------------------------------- */

static void exam_level(ctx *c, int f, int v, const char *(*name)(int), const genu_record *r,
                       const ids *l)
{
    if (v >= 0)
        put_str(c, f, name(v), r->date, l);
}

static void exam_flag(ctx *c, int f, int v, const genu_record *r, const ids *l)
{
    if (v >= 0)
        put_bool(c, f, v != 0, r->date, l);
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
    ids_add(c, l, e->id);
    const genu_exam *x = &e->u.exam;
    put_date(c, F_EXAM_DATE, e->date, l);
    put_num(c, F_EXAM_DAYS, c->as_of - e->date, e->date, l);
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

static unsigned kind_flags(const genu_record *r)
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
            ids_add(c, &l, r->id);
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
    put_bool(c, f, first != GENU_DATE_NONE, first, &l);
    if (first == GENU_DATE_NONE)
        return;
    if (end == GENU_DATE_NONE)
        end = c->as_of;
    put_str(c, f + 1, kinds_text(c, mask, ", "), first, &l);
    put_date(c, f + 2, first, &l);
    put_date(c, f + 6, last, &l);
    put_num(c, f + 3, end - first, first, &l);
    double before, after;
    const genu_record *b = latest_nprs(c, first - BASELINE_DAYS, first, &before);
    const genu_record *e = latest_nprs(c, first + 1, end, &after);
    char w[WORDS_MAX];
    if (b && e) {
        ids *p = genu_arena_calloc(c->a, 1, sizeof *p);
        if (!p) {
            c->oom = true;
            return;
        }
        ids_add(c, p, b->id);
        ids_add(c, p, e->id);
        put_num(c, f + 4, after - before, e->date, p);
        put_str(c, f + 5, arena_str(c, words_change("pain", before, after, 10, true, w, sizeof w)),
                e->date, p);
        ++*nresp_known;
        if (after - before <= -2.0)
            *responded = true;
    } else {
        put_str(c, f + 5, b ? "no pain score since it began" : "no pain score before it began",
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
    put_num(c, F_STAGES_TRIED, tried, GENU_DATE_NONE, NULL);
    if (responded || (tried > 0 && known == tried))
        put_bool(c, F_STAGES_RESPONSE, responded, GENU_DATE_NONE, &all);

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
            ids_add(c, &hl, r->id);
        }
        if (st == GENU_STAGE_SURGERY) {
            surg |= 1u << r->u.treatment.kind;
            last = r->date;
            ids_add(c, &sl, r->id);
        }
        if (kind_flags(r) & VOCAB_REPLACEMENT)
            put_bool(c, F_REPLACED, true, r->date, &sl);
    }
    if (!c->v[F_REPLACED].known)
        put_bool(c, F_REPLACED, false, GENU_DATE_NONE, NULL);
    put_bool(c, F_SURG_TRIED, surg != 0, last, &sl);
    put_str(c, F_SURG_KINDS, kinds_text(c, surg, ", "), last, &sl);
    put_date(c, F_SURG_LAST, last, &sl);
    put_num(c, F_STAGE_HIGHEST, highest, GENU_DATE_NONE, &hl);
    ids cl = {0};
    if (latest)
        ids_add(c, &cl, latest->id);
    put_num(c, F_STAGE_CURRENT, latest ? stage_of(latest) : 0,
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
        ids_add(c, &l, r->id);
        ids_merge(c, &l, ex);
        put_num(c, F_MED_DAYS, ex->date - r->date, r->date, &l);
        return;
    }
}

/* ---- injections and the pain trajectory --------------------------------- */

static double improvement(double base, double v)
{
    return base > 0 ? (base - v) / base * 100.0 : NAN;
}

static void build_pain(ctx *c)
{
    double latest, v;
    const genu_record *lr = latest_nprs(c, INT32_MIN + 1, c->as_of, &latest);
    ids ll = {0};
    if (lr) {
        ids_add(c, &ll, lr->id);
        put_num(c, F_PAIN_LATEST, latest, lr->date, &ll);
        put_date(c, F_PAIN_LATEST_DATE, lr->date, &ll);
    }
    const genu_record *fr = latest_score(c, "pain_frequency", "percent", INT32_MIN + 1, c->as_of, &v);
    if (fr) {
        ids l = {0};
        ids_add(c, &l, fr->id);
        put_num(c, F_PAIN_FREQUENCY, v, fr->date, &l);
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
        unsigned fl = kind_flags(r);
        if ((fl & VOCAB_INJECTION) && !inj)
            inj = r;
        if (fl & VOCAB_REGENERATIVE) {
            if (!first_regen)
                first_regen = r;
            regen |= 1u << r->u.treatment.kind;
            if (r->date != last_regen)
                sessions++;
            last_regen = r->date;
            ids_add(c, &rl, r->id);
        }
    }
    ids il = {0};
    if (inj)
        ids_add(c, &il, inj->id);
    put_bool(c, F_INJ_TRIED, inj != NULL, inj ? inj->date : GENU_DATE_NONE, &il);
    if (inj) {
        put_date(c, F_INJ_FIRST, inj->date, &il);
        put_num(c, F_INJ_DAYS, c->as_of - inj->date, inj->date, &il);
        double before;
        const genu_record *b = latest_nprs(c, inj->date - BASELINE_DAYS, inj->date, &before);
        if (b) {
            ids bl = {0};
            ids_add(c, &bl, b->id);
            put_num(c, F_INJ_PAIN_BEFORE, before, b->date, &bl);
            if (lr && lr->date > inj->date) {
                ids_add(c, &bl, inj->id);
                ids_add(c, &bl, lr->id);
                put_num(c, F_INJ_IMPROVEMENT, improvement(before, latest), lr->date, &bl);
                char w[WORDS_MAX];
                put_str(c, F_INJ_PAIN_TEXT,
                        arena_str(c, words_change("pain", before, latest, 10, true, w, sizeof w)),
                        lr->date, &bl);
            }
        }
    }

    put_bool(c, F_REGEN_TRIED, regen != 0, first_regen ? first_regen->date : GENU_DATE_NONE, &rl);
    if (!first_regen)
        return;
    genu_date idx = first_regen->date;
    put_str(c, F_REGEN_KINDS, kinds_text(c, regen, ", "), idx, &rl);
    put_date(c, F_REGEN_FIRST, idx, &rl);
    put_num(c, F_REGEN_SESSIONS, sessions, last_regen, &rl);
    put_num(c, F_REGEN_DAYS, c->as_of - idx, idx, &rl);

    double base;
    const genu_record *b = latest_nprs(c, idx - BASELINE_DAYS, idx, &base);
    if (b) {
        ids bl = {0};
        ids_add(c, &bl, b->id);
        put_num(c, F_PAIN_BASELINE, base, b->date, &bl);
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
        ids pl = {0};
        ids_add(c, &pl, best->id);
        put_num(c, F_PAIN_BEST, bestv, best->date, &pl);
    }
    if (!b)
        return;
    if (best) {
        ids pl = {0};
        ids_add(c, &pl, b->id);
        ids_add(c, &pl, best->id);
        put_num(c, F_PAIN_BEST_IMPROVEMENT, improvement(base, bestv), best->date, &pl);
    }
    if (!lr)
        return;
    ids ql = {0};
    ids_add(c, &ql, b->id);
    ids_add(c, &ql, lr->id);
    put_num(c, F_PAIN_LATEST_IMPROVEMENT, improvement(base, latest), lr->date, &ql);
}

static void build_function(ctx *c)
{
    double v, w = NAN;
    const genu_record *r = latest_score(c, "koos", "adl", INT32_MIN + 1, c->as_of, &v);
    if (r) {
        ids l = {0};
        ids_add(c, &l, r->id);
        put_num(c, F_KOOS_ADL, v, r->date, &l);
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
        ids l = {0};
        ids_add(c, &l, best->id);
        put_num(c, F_WOMAC_FUNCTION, w, best->date, &l);
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
    if (kind_flags(r) & VOCAB_INJECTION)
        last = r;
    if (!last)
        return;
    uint32_t kinds = 0, sites = 0;
    const char *protocol = NULL;
    EACH(c, GENU_REC_TREATMENT, r)
    if (r->date == last->date && (kind_flags(r) & VOCAB_INJECTION)) {
        kinds |= 1u << r->u.treatment.kind;
        if (r->u.treatment.protocol)
            protocol = r->u.treatment.protocol;
    }
    /* walk back over the run of those kinds */
    size_t lo, hi;
    span(c, GENU_REC_TREATMENT, &lo, &hi);
    const genu_record *t = c->ds->recs[GENU_REC_TREATMENT];
    genu_date first = last->date, prev = GENU_DATE_NONE;
    double sessions = 0, cost = 0;
    const char *currency = NULL;
    bool costed = false, regen = false;
    ids l = {0};
    for (size_t i = hi; i-- > lo;) {
        const genu_record *r = &t[i];
        if (r->knee != c->knee || !(kind_flags(r) & VOCAB_INJECTION) || r->date > last->date)
            continue;
        if (!((kinds >> r->u.treatment.kind) & 1u))
            break;
        if (prev != GENU_DATE_NONE && prev - r->date > SERIES_GAP_DAYS)
            break;
        if (r->date != prev)
            sessions++;
        prev = first = r->date;
        sites |= r->u.treatment.sites;
        regen |= (kind_flags(r) & VOCAB_REGENERATIVE) != 0;
        ids_add(c, &l, r->id);
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
    put_str(c, F_PLAN_SITES, class_names[vocab_sites_classify(sites)], last->date, &l);
    put_str(c, F_PLAN_KINDS, kinds_text(c, kinds, "+"), last->date, &l);
    put_str(c, F_PLAN_PROTOCOL, protocol, last->date, &l);
    put_num(c, F_PLAN_SESSIONS, sessions, last->date, &l);
    put_date(c, F_PLAN_FIRST, first, &l);
    put_date(c, F_PLAN_LAST, last->date, &l);
    put_bool(c, F_SER_REGEN, regen, last->date, &l);
    if (costed) {
        put_num(c, F_SER_COST, cost, last->date, &l);
        put_str(c, F_SER_CURRENCY, currency, last->date, &l);
    }
    double med = NAN, per = NAN;
    registry_protocol(c, protocol, kinds, currency, &med, &per);
    if (!isnan(med) && med < sessions)
        med = sessions; /* a series is expected to run at least as long as it has */
    put_num(c, F_SER_EXP_SESSIONS, med, last->date, &l);
    if (!currency)
        return; /* a mean cost without a currency is no amount */
    put_num(c, F_SER_SESSION_COST, per, last->date, &l);
    put_num(c, F_SER_EXP_COST, med * per, last->date, &l);
}

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
    span(c, GENU_REC_TREATMENT, &lo, &hi);
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
        ids_add(c, &cur->recs, r->id);
    }
    for (size_t i = 0; i < *n; i++) {
        injection_series *s = &v[i];
        s->end = i + 1 < *n ? v[i + 1].first : c->as_of;
        s->rbefore = latest_nprs(c, s->first - BASELINE_DAYS, s->first, &s->before);
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
                improvement(s->before, x) <= WANED_PCT) {
                s->rback = r;
                s->back = x;
            }
        }
        if (!s->rbefore || !s->rbest)
            continue;
        s->helped = improvement(s->before, s->best) >= HELPED_PCT;
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
    put_str(c, f0 + SER_KINDS, kinds_text(c, s->kinds, ", "), s->first, l);
    put_date(c, f0 + SER_FIRST, s->first, l);
    put_date(c, f0 + SER_LAST, s->last, l);
    put_num(c, f0 + SER_SESSIONS, (double)s->sessions, s->last, l);
    ids *p = genu_arena_calloc(c->a, 1, sizeof *p);
    if (!p) {
        c->oom = true;
        return;
    }
    if (s->rbefore) {
        ids_add(c, p, s->rbefore->id);
        put_num(c, f0 + SER_BEFORE, s->before, s->rbefore->date, p);
    }
    if (s->rbest) {
        ids *q = genu_arena_calloc(c->a, 1, sizeof *q);
        if (!q) {
            c->oom = true;
            return;
        }
        ids_add(c, q, s->rbest->id);
        put_num(c, f0 + SER_BEST, s->best, s->rbest->date, q);
        ids_add(c, p, s->rbest->id);
        put_num(c, f0 + SER_NOW, s->now, s->rnow->date, NULL);
    }
    if (s->rback)
        ids_add(c, p, s->rback->id);
    else if (s->rnow)
        ids_add(c, p, s->rnow->id);
    put_str(c, f0 + SER_COURSE, course_text(c, s), s->first, p);
    if (!s->rbefore || !s->rbest)
        return;
    put_bool(c, f0 + SER_HELPED, s->helped, s->rbest->date, p);
    put_bool(c, f0 + SER_WANED, s->waned, s->rback ? s->rback->date : s->rnow->date, p);
    put_bool(c, f0 + SER_NEVER, s->never, s->rnow->date, p);
    if (s->helped)
        put_num(c, f0 + SER_RELIEF, (double)((s->rback ? s->rback : s->rnow)->date - s->first),
                s->first, p);
}

/* Adds the next-step counts of patient p's knees, per strength, to nx. */
static void next_of_patient(ctx *c, size_t p, summary_next nx[SUMMARY_NSTRENGTH])
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
        next_of_patient(c, c->pat, nx);
        nx[strength] = summary_next_minus(c->sum->next[strength], nx[strength]);
    } else {
        size_t npat = c->ds->n[GENU_REC_PATIENT];
        for (size_t p = 0; p < npat && !c->oom; p++)
            if (p != c->pat)
                next_of_patient(c, p, nx);
    }
    size_t waned = nx[strength].waned, rep = nx[strength].repeat,
           rep_ok = nx[strength].repeat_helped, esc = nx[strength].escalate,
           esc_ok = nx[strength].escalate_helped;
    const char *fam = strength_words[strength];
    put_str(c, F_NEXT_FAMILY, strength_family[strength], GENU_DATE_NONE, NULL);
    put_num(c, F_NEXT_WANED, (double)waned, GENU_DATE_NONE, NULL);
    put_num(c, F_NEXT_REPEAT, (double)rep, GENU_DATE_NONE, NULL);
    put_num(c, F_NEXT_REPEAT_HELPED, (double)rep_ok, GENU_DATE_NONE, NULL);
    put_num(c, F_NEXT_ESCALATE, (double)esc, GENU_DATE_NONE, NULL);
    put_num(c, F_NEXT_ESCALATE_HELPED, (double)esc_ok, GENU_DATE_NONE, NULL);
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
    put_str(c, F_NEXT_SUMMARY, text ? text : (c->oom = true, (const char *)NULL), GENU_DATE_NONE,
            NULL);
}

static void build_course(ctx *c)
{
    size_t n;
    injection_series *v = injection_series_of(c, &n);
    put_num(c, F_COURSE_SERIES, (double)n, GENU_DATE_NONE, NULL);
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
        if (r->date >= c->v[F_PLAN_FIRST].date && (kind_flags(r) & VOCAB_REGENERATIVE))
            kinds |= 1u << r->u.treatment.kind;
    }
    if (!kinds) {
        EACH(c, GENU_REC_TREATMENT, r)
        if (kind_flags(r) & VOCAB_REGENERATIVE)
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
static int similar_counts(const genu_dataset *ds, size_t only, genu_date as_of,
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
        size_t lo = t == GENU_REC_PATIENT ? pat : first_of(r, ds->n[t], pat), hi = lo;
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
    int rc = similar_counts(&one, 0, c->as_of, cfg, c->a, own, err);
    if (rc)
        return rc;
    size_t b = strcmp(band, "0-2") == 0 ? 0 : strcmp(band, "3") == 0 ? 1 : 2;
    summary_claim x = summary_claim_minus(c->sum->similar[b][fam], own[b][fam]);
    memset(cc, 0, sizeof *cc);
    cc->analysed = x.analysed;
    cc->responders = x.responders;
    return GENU_OK;
}

static int build_similar(ctx *c, const facts_similar_cfg *cfg, facts_similar *out, genu_err *err)
{
    const struct family *fam = family_of(c);
    memset(out, 0, sizeof *out);
    out->family = fam->name;
    out->kinds = fam->kinds;
    out->min = cfg->min;
    out->rate = out->lo = out->hi = NAN;
    put_str(c, F_SIM_FAMILY, fam->name, GENU_DATE_NONE, NULL);
    const facts_value *band = &c->v[F_KL_BAND];
    if (!band->known) {
        out->summary = "No KL grade on record: similar knees not counted";
        put_str(c, F_SIM_SUMMARY, out->summary, GENU_DATE_NONE, NULL);
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
    put_str(c, F_SIM_BAND, out->band, GENU_DATE_NONE, NULL);
    put_num(c, F_SIM_ANALYSED, (double)out->analysed, GENU_DATE_NONE, NULL);
    put_num(c, F_SIM_RESPONDERS, (double)out->responders, GENU_DATE_NONE, NULL);
    put_num(c, F_SIM_RATE, out->rate, GENU_DATE_NONE, NULL);
    put_num(c, F_SIM_LO, out->lo, GENU_DATE_NONE, NULL);
    put_num(c, F_SIM_HI, out->hi, GENU_DATE_NONE, NULL);
    put_bool(c, F_SIM_ENOUGH, out->enough, GENU_DATE_NONE, NULL);
    put_str(c, F_SIM_SUMMARY, out->summary, GENU_DATE_NONE, NULL);
    return GENU_OK;
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
    int rc = similar_counts(ds, SIZE_MAX, as_of, cfg, a, s.similar, err);
    if (rc)
        return rc;
    ctx c = {ds, 0, GENU_KNEE_NONE, as_of, a, NULL, false, NULL};
    size_t npat = ds->n[GENU_REC_PATIENT];
    for (size_t p = 0; p < npat && !c.oom; p++)
        next_of_patient(&c, p, s.next);
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
    build_course(&c);
    int rc = build_similar(&c, cfg, &f.similar, err);
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
        span(&c, (genu_rtype)t, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            genu_knee k = ds->recs[t][i].knee;
            knees |= k == GENU_KNEE_LEFT ? 1u : k == GENU_KNEE_RIGHT ? 2u : 0u;
        }
    }
    return knees;
}
