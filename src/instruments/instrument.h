/* instrument: the table of patient-reported (and clinician-measured) outcome
 * instruments (docs/design.md, Instruments and scoring; docs/instruments.md)
 * and the one API every layer scores them with.
 *
 * An instrument is a static, read-only descriptor: its items (code, answer
 * type, allowed answers), its score keys in output order and its scorer.
 * Answers are plain C values indexed like in->items; scoring is pure, never
 * allocates, never touches JSON and is safe to call from any thread. */
#ifndef GENU_INSTRUMENTS_INSTRUMENT_H
#define GENU_INSTRUMENTS_INSTRUMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/record.h"

#define INSTR_MAX_ITEMS  48
#define INSTR_MAX_SCORES 24
#define INSTR_MAX_NOTES  24
#define INSTR_NOTE_LEN   160

/* An answer's state; for an item, its kind (INT or BOOL). */
typedef enum { INSTR_MISSING = 0, INSTR_INT, INSTR_BOOL } instr_state;

/* One answer. state is an instr_state; BOOL answers hold 0 or 1. A zeroed
 * answer is missing. */
typedef struct instr_answer {
    uint8_t state;
    int32_t value;
} instr_answer;

typedef enum { INSTR_LEVEL_KNEE, INSTR_LEVEL_PATIENT } instr_level;

/* One item. INT items take lo..hi, or, when allowed is not NULL, only the
 * nallowed values listed (Lysholm's printed points, best first). BOOL items
 * take true/false (lo 0, hi 1). scored is false for items that are stored
 * but never enter a score (ikdc I10_pre, tegner pre_injury_level). label is
 * genu's own short wording, not the licensed instrument text. */
typedef struct instr_item {
    const char *code;
    instr_state kind;
    int32_t lo, hi;
    const int32_t *allowed;
    size_t nallowed;
    bool scored;
    const char *label;
} instr_item;

/* A scoring result: nscores == in->nscores and scores[i].key ==
 * in->score_keys[i]; value NAN = null. Every null score has exactly one note,
 * "<key>: <reason>" (NUL-terminated, at most INSTR_NOTE_LEN - 1 bytes).
 * opts_used: these scores (or notes) may depend on the instr_opts they were
 * computed with (a WOMAC item was missing, so the missing-item rule applied);
 * instrument_opts_matter says whether they do. */
typedef struct instr_result {
    size_t nscores;
    genu_score scores[INSTR_MAX_SCORES];
    size_t nnotes;
    char notes[INSTR_MAX_NOTES][INSTR_NOTE_LEN];
    bool opts_used;
} instr_result;

/* Scoring options a registry sets (the WOMAC missing-item thresholds are a
 * registry setting: docs/instruments.md). Only the instruments for which
 * instrument_uses_opts is true read them. Wherever a const instr_opts * may
 * be NULL, NULL means instrument_opts_default. */
typedef struct instr_opts {
    /* WOMAC's missing-item rule (womac, womac_nrs, koos's derived womac): a
     * subscale with at most this many items missing is scored with each one
     * replaced by the mean of its answered items, else it is null. Ranges
     * 0..5, 0..2, 0..17 (instruments/womac.h: womac_max_missing_set). */
    struct {
        int pain, stiffness, function;
    } womac_max_missing;
} instr_opts;

/* WOMAC 3.1 User Guide: womac_max_missing 1, 0, 3. */
extern const instr_opts instrument_opts_default;

typedef struct genu_instrument genu_instrument;

/* An instrument's scorer: answers[in->nitems] already checked with
 * instrument_check (each answer has its item's kind or is missing, and is in
 * range); opts never NULL. Writes every score of the instrument into out. */
typedef void (*instr_score_fn)(const genu_instrument *in, const instr_answer answers[],
                               const instr_opts *opts, instr_result *out);
/* Cross-item rules; NULL when the instrument has none. */
typedef int (*instr_validate_fn)(const genu_instrument *in, const instr_answer answers[],
                                 genu_err *err);

/* A default minimal clinically important difference: score key, points. */
typedef struct instr_mcid {
    const char *key;
    double points;
} instr_mcid;

struct genu_instrument {
    const char *id; /* "koos" */
    int version;    /* scoring version stored with each response */
    instr_level level;
    const char *title;
    size_t nitems;
    const instr_item *items;
    size_t nscores;
    const char *const *score_keys; /* output order; derived keys dotted */
    const char *source;            /* published scoring guide and version */
    instr_score_fn score;
    instr_validate_fn validate;
    /* The direction of its scores (docs/analysis.md, measures): lower is
     * better when lower_better, except the keys in `flipped` (NULL-
     * terminated; NULL for none), which go the other way. */
    bool lower_better;
    const char *const *flipped;
    const instr_mcid *mcids; /* default MCIDs, ended by {NULL}; NULL for none */
};

/* Whether a lower value of score key is better. */
bool instrument_lower_better(const genu_instrument *in, const char *key);
/* The default MCID of score key in points, NAN when it has none. */
double instrument_mcid(const genu_instrument *in, const char *key);
/* Whether key is one of in's score keys. */
bool instrument_has_score(const genu_instrument *in, const char *key);

/* The instrument called id, or NULL when unknown. Static, never freed. */
const genu_instrument *instrument_find(const char *id);
/* The instruments in table order (docs/instruments.md);
 * i < instrument_count(). */
size_t instrument_count(void);
const genu_instrument *instrument_at(size_t i);

/* Index of the item called code in in->items, or -1. */
int instrument_item(const genu_instrument *in, const char *code);

/* Checks one answer against item `item` (its kind, range, allowed values).
 * Missing answers are fine. GENU_EINVAL names the item:
 * "items.P3: 5 is out of range (0 to 4)". */
int instrument_check(const genu_instrument *in, int item, const instr_answer *a, genu_err *err);

/* Checks every answer with instrument_check, then the cross-item rules
 * (sleep: nights_per_week must be 0 when interrupted is false). */
int instrument_validate(const genu_instrument *in, const instr_answer answers[], genu_err *err);

/* Scores answers[in->nitems] (valid per instrument_validate) into out: every
 * score key of the instrument present, in order, NAN = null with a note
 * naming the score and why ("pain: 5 of 9 items needed, 4 answered"), with
 * the registry's options opts (NULL: instrument_opts_default). Pure, no
 * allocation, thread-safe. */
void instrument_score_with(const genu_instrument *in, const instr_answer answers[],
                           const instr_opts *opts, instr_result *out);
/* instrument_score_with and the default options: for scoring outside a
 * registry only (a registry scores with its own, io/settings.h). */
void instrument_score(const genu_instrument *in, const instr_answer answers[], instr_result *out);

/* Whether a and b hold the same scores (null equal to null) and notes. */
bool instrument_result_equal(const instr_result *a, const instr_result *b);
/* Whether res, scored with opts, differs from what the defaults give for
 * the same answers (scored again only when res->opts_used and opts are not
 * the defaults): whoever stores res records opts exactly then. */
bool instrument_opts_matter(const genu_instrument *in, const instr_answer answers[],
                            const instr_opts *opts, const instr_result *res);

/* Whether in's scores read instr_opts (womac, womac_nrs, koos). */
bool instrument_uses_opts(const genu_instrument *in);
/* Whether a and b (NULL: the defaults) are the same options. */
bool instrument_opts_equal(const instr_opts *a, const instr_opts *b);

/* Helpers for the instrument modules. */

/* Starts a result: nscores = in->nscores, keys set, values NAN, no notes,
 * opts_used false. */
void instrument_result_init(const genu_instrument *in, instr_result *out);
/* Appends a note "key: <fmt...>"; silently dropped past INSTR_MAX_NOTES,
 * truncated past INSTR_NOTE_LEN - 1 bytes. */
void instrument_note(instr_result *out, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets score i to v, or to null with a note when the items it reads are
 * not all answered: "<key>: all N items needed, missing: A, B". */
void instrument_note_missing(instr_result *out, const char *key, const genu_instrument *in,
                             const instr_answer answers[], const int *idx, size_t n);

/* Sets out->scores[slot] to conv[raw], raw = the sum of answers[idx[0 ..
 * n - 1]], or null with a note listing the missing items (every item is
 * required; a raw sum outside the table is null too). KOOS JR and KOOS-PS. */
void instrument_put_table(const genu_instrument *in, const instr_answer answers[],
                          const int *idx, size_t n, const double *conv, size_t nconv,
                          instr_result *out, size_t slot);

/* The scorer of one-number instruments: the k-th score is the k-th scored
 * item's answer as given (nprs, eq_vas, tegner, rom...); a missing answer
 * makes it null with a note. Reads no options. */
void instrument_score_direct(const genu_instrument *in, const instr_answer answers[],
                             const instr_opts *opts, instr_result *out);

/* "knee" or "patient". */
const char *instrument_level_name(instr_level level);

#endif
