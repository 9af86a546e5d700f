/* sleep: the sleep interrupted by knee pain instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_SLEEP_H
#define GENU_INSTRUMENTS_SLEEP_H

#include "instruments/instrument.h"

extern const genu_instrument sleep_instrument;
#endif
