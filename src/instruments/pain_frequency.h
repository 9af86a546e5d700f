/* pain_frequency: the share of waking time in pain (0-100 %) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_PAIN_FREQUENCY_H
#define GENU_INSTRUMENTS_PAIN_FREQUENCY_H

#include "instruments/instrument.h"

extern const genu_instrument pain_frequency_instrument;
#endif
