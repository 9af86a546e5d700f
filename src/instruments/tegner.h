/* tegner: the Tegner activity level instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_TEGNER_H
#define GENU_INSTRUMENTS_TEGNER_H

#include "instruments/instrument.h"

extern const genu_instrument tegner_instrument;
#endif
