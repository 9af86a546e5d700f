/* womac: the WOMAC 3.1 Likert (LK3.1) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_WOMAC_H
#define GENU_INSTRUMENTS_WOMAC_H

#include "instruments/instrument.h"

extern const genu_instrument womac_instrument;

#define WOMAC_NITEMS 24 /* pain 5, stiffness 2, function 17, in form order */
#define WOMAC_NSCORES 8

/* The 24 items in form order as X(code, label): genu's own short labels. */
#define WOMAC_ITEMS(X)                                                                          \
    X("P1", "pain walking on a flat surface")                                                   \
    X("P2", "pain going up or down stairs")                                                     \
    X("P3", "pain at night in bed")                                                             \
    X("P4", "pain sitting or lying")                                                            \
    X("P5", "pain standing upright")                                                            \
    X("S1", "stiffness after first waking")                                                     \
    X("S2", "stiffness later in the day")                                                       \
    X("F1", "descending stairs")                                                                \
    X("F2", "ascending stairs")                                                                 \
    X("F3", "rising from sitting")                                                              \
    X("F4", "standing")                                                                         \
    X("F5", "bending to the floor")                                                             \
    X("F6", "walking on a flat surface")                                                        \
    X("F7", "getting in or out of a car")                                                       \
    X("F8", "going shopping")                                                                   \
    X("F9", "putting on socks")                                                                 \
    X("F10", "rising from bed")                                                                 \
    X("F11", "taking off socks")                                                                \
    X("F12", "lying in bed")                                                                    \
    X("F13", "getting in or out of the bath")                                                   \
    X("F14", "sitting")                                                                         \
    X("F15", "getting on or off the toilet")                                                    \
    X("F16", "heavy domestic duties")                                                           \
    X("F17", "light domestic duties")

/* Scores 24 WOMAC answers (each 0..item_max, checked) into the eight WOMAC
 * scores out->scores[first .. first + 7] (pain, stiffness, function, total,
 * then the four _norm), whose keys the caller has set, with the missing-item
 * thresholds of opts (not NULL); null scores get a note under those keys.
 * Sets out->opts_used when an item is missing. Used by womac, womac_nrs and
 * koos (derived). */
void womac_score_items(const instr_answer a[WOMAC_NITEMS], int32_t item_max,
                       const instr_opts *opts, instr_result *out, size_t first);

/* The subscales' names ("pain", "stiffness", "function") and item counts
 * (5, 2, 17): the largest womac_max_missing each may have. */
extern const char *const womac_subscale_names[3];
extern const int womac_subscale_items[3];

/* Sets o->womac_max_missing to v[0..2] (pain, stiffness, function) when each
 * is within 0..5, 0..2, 0..17; else GENU_EINVAL naming the first bad one:
 * "stiffness: 3 is out of range (0 to 2)", and o is left alone. */
int womac_max_missing_set(instr_opts *o, const long long v[3], genu_err *err);

/* The same from text: three integers "pain,stiffness,function" ("1,0,3";
 * blanks around each allowed). GENU_EINVAL names what is wrong. */
int womac_max_missing_parse(const char *text, instr_opts *o, genu_err *err);

/* o's thresholds as "pain,stiffness,function" ("1,0,3"), NUL-terminated. */
#define WOMAC_MAX_MISSING_LEN 40
void womac_max_missing_format(const instr_opts *o, char out[WOMAC_MAX_MISSING_LEN]);
#endif
