/* koos_ps: the KOOS-PS (physical function short form) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_KOOS_PS_H
#define GENU_INSTRUMENTS_KOOS_PS_H

#include "instruments/instrument.h"

extern const genu_instrument koos_ps_instrument;

#define KOOS_PS_NITEMS 7
#define KOOS_PS_MAXRAW 28

/* The published interval score reported with 100 = no difficulty (0..100)
 * for a raw sum 0..28 of the seven 0..4 answers; NAN outside 0..28. */
double koos_ps_interval(int raw);

/* Sets out->scores[slot] from answers[idx[0 .. 6]] of instrument in (each
 * 0..4, checked): the interval score of their raw sum, or null with a note
 * listing the missing items (every item is required). Shared by koos_ps and
 * the score koos derives. */
void koos_ps_put(const genu_instrument *in, const instr_answer answers[],
                 const int idx[KOOS_PS_NITEMS], instr_result *out, size_t slot);
#endif
