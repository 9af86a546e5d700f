/* summary: what advice reads of the registry's other patients, as plain
 * counts that combine exactly (docs/advice.md "The registry summary"), so
 * that advice for one patient reads that patient and this summary instead
 * of the whole registry:
 *
 *  - per KL band and index-kind family, the claim counts (analysed,
 *    responders) of the similar-knee definition at its timepoint, over every
 *    knee; the patient's own knees are subtracted where advice leaves them
 *    out;
 *  - per series strength (other injections, prolotherapy, PRP, cells), the
 *    next-step counts over every knee (facts.h), likewise less the
 *    patient's own;
 *  - per protocol and per set of injection kinds given to a knee on one
 *    day, a histogram of sessions per knee (a median is not a sum) and the
 *    costs, in registry order, of every costed treatment and per currency.
 *
 * A summary is labelled with what it depends on (summary_label): the audit
 * trail's head, the as-of date, the similar-knee definition and timepoint,
 * and this format and genu version. The text form (summary_encode) is what
 * the registry keeps in its setting "advice_summary". Pure; everything in
 * the caller's arena. */
#ifndef GENU_ADVICE_SUMMARY_H
#define GENU_ADVICE_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "model/record.h"

/* The version of the text form; a summary of another version is stale. */
#define SUMMARY_VERSION 1
/* The registry setting that keeps the summary (not audited: a cache). */
#define SUMMARY_SETTING "advice_summary"

enum { SUMMARY_NBAND = 3, SUMMARY_NFAMILY = 4, SUMMARY_NSTRENGTH = 4 };

typedef struct summary_claim {
    size_t analysed, responders;
} summary_claim;

/* Knees whose response to a series of one strength waned and that had
 * another series; of them, those with one of the same strength next
 * (repeat) and a stronger one (escalate), and how many of each helped. */
typedef struct summary_next {
    size_t waned, repeat, repeat_helped, escalate, escalate_helped;
} summary_next;

typedef struct summary_cost {
    const char *currency;
    double sum; /* added in registry order */
    size_t n;
} summary_cost;

/* The treatments of one protocol, or (protocol NULL) of the kinds in
 * `kinds` (bit k = vocab kind k), on a knee, dated on or before as-of. */
typedef struct summary_key {
    const char *protocol;
    uint32_t kinds;
    size_t nhist;
    size_t *hist;        /* hist[s]: knees with s treatment days, s < nhist */
    double cost;         /* every costed treatment, added in registry order */
    size_t ncost;
    size_t ncur;
    summary_cost *cur;   /* per currency, in order of first appearance */
} summary_key;

typedef struct summary {
    const char *label; /* summary_label */
    summary_claim similar[SUMMARY_NBAND][SUMMARY_NFAMILY];
    summary_next next[SUMMARY_NSTRENGTH];
    size_t nkey;
    summary_key *key; /* protocols, then kinds sets, each in order of first appearance */
} summary;

/* The label of a summary for these inputs (one line, in the arena; NULL
 * when out of memory): the format and genu versions, head ("" for an empty
 * trail), as_of, the similar-knee definition and timepoint as written. */
const char *summary_label(const char *head, genu_date as_of, const char *definition,
                          const char *timepoint, genu_arena *a);

/* x less y, field by field (y counts part of what x counts). */
summary_claim summary_claim_minus(summary_claim x, summary_claim y);
summary_next summary_next_minus(summary_next x, summary_next y);
/* x plus y, field by field. */
summary_next summary_next_plus(summary_next x, summary_next y);

/* Fills s->key from ds's treatments as of as_of: every protocol, and every
 * set of injection kinds one knee had on one day. GENU_ENOMEM. */
int summary_keys_build(const genu_dataset *ds, genu_date as_of, genu_arena *a, summary *s,
                       genu_err *err);

/* The key of protocol (when not NULL) else of exactly the kinds; NULL when
 * the summary has none (no knee had such treatments). */
const summary_key *summary_key_find(const summary *s, const char *protocol, uint32_t kinds);

/* The median of a key's sessions per knee, NAN without knees; the mean
 * cost of its costed treatments (of currency, when not NULL), NAN without
 * any. */
double summary_key_median(const summary_key *k);
double summary_key_mean_cost(const summary_key *k, const char *currency);

/* The text form: lines of space-separated fields, strings %-escaped,
 * doubles as the 16 hex digits of their bits (exact). Sets b->oom when out
 * of memory. */
void summary_encode(const summary *s, genu_buf *b);
/* Parses the text form into the arena. GENU_EINVAL "advice summary, line
 * N: ..." when malformed; GENU_ENOMEM. */
int summary_decode(const char *text, genu_arena *a, summary *out, genu_err *err);

#endif
