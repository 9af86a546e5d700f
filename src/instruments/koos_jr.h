/* koos_jr: the KOOS JR (joint replacement short form) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_KOOS_JR_H
#define GENU_INSTRUMENTS_KOOS_JR_H

#include "instruments/instrument.h"

extern const genu_instrument koos_jr_instrument;

#define KOOS_JR_NITEMS 7
#define KOOS_JR_MAXRAW 28

/* The published interval score (0..100, 100 = perfect knee health) for a raw
 * sum 0..28 of the seven 0..4 answers; NAN outside 0..28. */
double koos_jr_interval(int raw);

/* Sets out->scores[slot] from answers[idx[0 .. 6]] of instrument in (each
 * 0..4, checked): the interval score of their raw sum, or null with a note
 * listing the missing items (every item is required). Shared by koos_jr and
 * the score koos derives. */
void koos_jr_put(const genu_instrument *in, const instr_answer answers[],
                 const int idx[KOOS_JR_NITEMS], instr_result *out, size_t slot);
#endif
