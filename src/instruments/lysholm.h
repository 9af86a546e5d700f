/* lysholm: the Lysholm knee scoring scale instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_LYSHOLM_H
#define GENU_INSTRUMENTS_LYSHOLM_H

#include "instruments/instrument.h"

extern const genu_instrument lysholm_instrument;
#endif
