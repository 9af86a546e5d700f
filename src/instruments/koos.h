/* koos: the Knee injury and Osteoarthritis Outcome Score, with derived WOMAC, KOOS JR and KOOS-PS instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_KOOS_H
#define GENU_INSTRUMENTS_KOOS_H

#include "instruments/instrument.h"

extern const genu_instrument koos_instrument;
#endif
