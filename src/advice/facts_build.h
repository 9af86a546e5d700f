/* facts_build: what the builders of one knee's facts share (facts.c: the
 * record's own facts; facts_course.c: the knee's course of injection
 * series, what similar knees did next, and their response). Internal to
 * src/advice; the entry points are facts.h. */
#ifndef GENU_ADVICE_FACTS_BUILD_H
#define GENU_ADVICE_FACTS_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advice/facts.h"
#include "advice/summary.h"

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

/* The knee's records of type t, in (date, seq) order. */
#define EACH(c, t, r)                                                                           \
    for (size_t lo_, hi_, i_ = (fb_span((c), (t), &lo_, &hi_), lo_); i_ < hi_; i_++)                \
        for (const genu_record *r = &(c)->ds->recs[(t)][i_]; r; r = NULL)                         \
            if (r->knee == (c)->knee)


/* Baseline window before a treatment (as the analyses' baseline:
 * docs/design.md, Analyses). */
#define BASELINE_DAYS 90

/* A record id added to l (once; c->oom when out of memory), and the
 * facts' setters: each value of fact f known, dated, from the records l. */
void fb_ids_add(ctx *c, ids *l, const char *id);
void fb_put_bool(ctx *c, int f, bool b, genu_date date, const ids *l);
void fb_put_num(ctx *c, int f, double d, genu_date date, const ids *l);
void fb_put_str(ctx *c, int f, const char *s, genu_date date, const ids *l);
void fb_put_date(ctx *c, int f, genu_date d, const ids *l);
/* The first of r[0..n) (sorted by pat) whose pat is not below pat. */
size_t fb_first_of(const genu_record *r, size_t n, size_t pat);
/* The records of type t of c's patient up to as-of: [*lo, *hi). */
void fb_span(const ctx *c, genu_rtype t, size_t *lo, size_t *hi);
/* Names of the kinds in mask, sorted, joined with sep (in c's arena). */
const char *fb_kinds_text(ctx *c, uint32_t mask, const char *sep);
/* The knee's latest NPRS intensity dated in [from, to], into *val. */
const genu_record *fb_latest_nprs(ctx *c, genu_date from, genu_date to, double *val);
/* The treatment's kind's VOCAB_* flags. */
unsigned fb_kind_flags(const genu_record *r);
/* Improvement in percent from base to v (NAN when base is not above 0). */
double fb_improvement(double base, double v);

/* facts_course.c: the course facts (course.*, last.*, prev.*, next_step.*)
 * and similar knees (similar.*); what similar knees did next, per patient
 * p, into nx; the similar knees' counts of the registry (only: one
 * patient's, SIZE_MAX: everyone's). */
void fb_build_course(ctx *c);
int fb_build_similar(ctx *c, const facts_similar_cfg *cfg, facts_similar *out, genu_err *err);
void fb_next_of_patient(ctx *c, size_t p, summary_next nx[SUMMARY_NSTRENGTH]);
int fb_similar_counts(const genu_dataset *ds, size_t only, genu_date as_of,
                      const facts_similar_cfg *cfg, genu_arena *a,
                      summary_claim out[SUMMARY_NBAND][SUMMARY_NFAMILY], genu_err *err);

#endif
