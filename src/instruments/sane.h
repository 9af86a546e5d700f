/* sane: the Single Assessment Numeric Evaluation (0-100 % of normal) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_SANE_H
#define GENU_INSTRUMENTS_SANE_H

#include "instruments/instrument.h"

extern const genu_instrument sane_instrument;
#endif
